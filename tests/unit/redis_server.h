/*
 * A real redis-server for a test: private unix socket and data in a
 * temporary directory, no persistence, so a restart comes back empty, as
 * after losing the server.
 */
#ifndef TYNDAU_TEST_REDIS_SERVER_H
#define TYNDAU_TEST_REDIS_SERVER_H

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

struct redis_server {
    pid_t pid;
    char dir[64];
    char socket[96];
};

static inline void redis_server_start(struct redis_server *rs)
{
    if (!rs->dir[0]) {
        snprintf(rs->dir, sizeof rs->dir, "/tmp/tyndau-redis-XXXXXX");
        assert_non_null(mkdtemp(rs->dir));
        snprintf(rs->socket, sizeof rs->socket, "%s/redis.sock", rs->dir);
    }
    rs->pid = fork();
    assert_true(rs->pid >= 0);
    if (rs->pid == 0) {
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", rs->socket,
               "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--dir", rs->dir,
               "--loglevel", "warning", "--logfile", "redis.log", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) { /* up to 10 s */
        redisContext *c = redisConnectUnix(rs->socket);
        int ok = c && !c->err;
        if (c)
            redisFree(c);
        if (ok)
            return;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("redis-server did not start (is it installed?)");
}

static inline void redis_server_kill(struct redis_server *rs)
{
    if (rs->pid > 0) {
        kill(rs->pid, SIGKILL);
        waitpid(rs->pid, NULL, 0);
    }
    rs->pid = 0;
    unlink(rs->socket);
}

static inline void redis_server_remove(struct redis_server *rs)
{
    char cmd[128];
    redis_server_kill(rs);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", rs->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", rs->dir);
}

#endif
