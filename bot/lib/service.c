#include "bot/lib/service.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bot/lib/clock.h"

int service_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    if (!path || !*path)
        return 0;
    size_t n = strlen(path);
    /* a path, or '@' for a name in the abstract namespace */
    if ((path[0] != '/' && path[0] != '@') || n >= sizeof sa.sun_path)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    ssize_t rc = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
                        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
    close(fd);
    return rc < 0 ? -1 : 1;
}

int64_t service_watchdog_ms(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    if (!usec || !getenv("NOTIFY_SOCKET"))
        return 0;
    /* the watchdog is for the main process, not for a child that inherited the environment */
    if (pid && strtol(pid, NULL, 10) != (long)getpid())
        return 0;
    long long us = strtoll(usec, NULL, 10);
    return us > 0 ? us / 2000 : 0;
}

int64_t service_watchdog(void)
{
    static int64_t last_ms = -1;
    int64_t every = service_watchdog_ms(), now = clock_mono_ms();
    if (every <= 0)
        return -1;
    if (last_ms < 0 || now - last_ms >= every) {
        service_notify("WATCHDOG=1");
        last_ms = now;
    }
    return last_ms + every - now;
}
