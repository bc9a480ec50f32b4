/*
 * bench_deadlines: the Redis deadline index with many open cases.
 *
 *   bench_deadlines CONFIG REDIS_SOCKET [CASES]
 *
 * Fills a fresh database with CASES open cases (default 1,000,000) whose due
 * dates spread over 40 days, 10,000 of them due on the first day; then
 * prints the time to rebuild the index from SQLite, the time to find the
 * due entries (median of 1,000 queries), and the time to fire the burst of
 * 10,000 stages that fall due at once.
 */
#include <hiredis/hiredis.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/domain/calendar.h"
#include "bot/domain/config.h"
#include "bot/pipeline/deadlines.h"
#include "bot/lib/log.h"
#include "bot/domain/stages.h"
#include "bot/domain/store.h"
#include "bench.h"

#define BURST 10000

static void fill(const char *path, long cases, int32_t first_due, int64_t registered)
{
    sqlite3 *db;
    char sql[1024];
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    snprintf(sql, sizeof sql,
             "BEGIN;"
             "INSERT INTO citizens(channel, address, lang, created_at) VALUES ('sms', "
             "'+77010000000', 'kk', %lld);"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld) "
             "INSERT INTO cases(number, citizen_id, type, category, district, body, status, "
             "lang, text, created_at, registered_at, received_day, due_day) SELECT 'b' || i, 1, "
             "'complaint', 'utilities', 'almaly', 'energy', 'registered', 'kk', 'Су жоқ', %lld, "
             "%lld, %d, CASE WHEN i <= %d THEN %d ELSE %d + 1 + i %% 40 END FROM n;"
             "COMMIT;",
             (long long)registered, cases, (long long)registered, (long long)registered,
             (int)first_due - 21, BURST, (int)first_due, (int)first_due);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench: %s\n", err);
        exit(1);
    }
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct diag d = DIAG_INIT;
    struct store *store;
    struct sbuf err = SBUF_INIT;
    char dir[] = "/tmp/tyndau-bench-XXXXXX", path[512];
    if (argc < 3) {
        fprintf(stderr, "usage: bench_deadlines CONFIG REDIS_SOCKET [CASES]\n");
        return 2;
    }
    long cases = argc > 3 ? atol(argv[3]) : 1000000;
    log_set_level(LOG_WARN);
    if (config_load(&cfg, argv[1], &d) < 0) {
        fputs(d.text.buf, stderr);
        return 2;
    }
    free(cfg.redis.socket);
    cfg.redis.socket = strdup(argv[2]);
    free(cfg.redis.prefix);
    cfg.redis.prefix = strdup("bench:");
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/bench.db", dir);
    if (store_open(&store, path, 0, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.buf);
        return 1;
    }
    int32_t first_due;
    calendar_parse_date("2027-03-01", &first_due);
    int64_t registered = calendar_day_start(&cfg.calendar, first_due - 21);
    double t0 = seconds();
    fill(path, cases, first_due, registered);
    printf("deadlines: %ld open cases written to SQLite in %.1f s\n", cases, seconds() - t0);

    struct deadlines dl;
    deadlines_init(&dl, &cfg);
    if (!deadlines_connect(&dl, 0)) {
        fprintf(stderr, "bench: no redis at %s\n", argv[2]);
        return 1;
    }
    double rebuild[3];
    for (int i = 0; i < 3; i++) {
        t0 = seconds();
        if (deadlines_rebuild(&dl, store) != cases) {
            fprintf(stderr, "bench: rebuild did not index every case\n");
            return 1;
        }
        rebuild[i] = seconds() - t0;
    }
    qsort(rebuild, 3, sizeof *rebuild, cmp_double);
    printf("rebuild of the index from SQLite: median %.2f s (%.2f..%.2f, 3 runs; target < 10 s)\n",
           rebuild[1], rebuild[0], rebuild[2]);

    /* the stages of the burst cases: remind3 of their common due day */
    struct stage stages[STAGES_MAX];
    stages_of_due_day(&cfg, first_due, stages);
    int64_t now = stages[0].fire_at;
    redisContext *probe = redisConnectUnix(argv[2]);
    double q[1000];
    long found = 0;
    for (int i = 0; i < 1000; i++) {
        t0 = seconds();
        redisReply *r =
            redisCommand(probe, "ZRANGEBYSCORE bench:next -inf %lld LIMIT 0 500", (long long)now);
        q[i] = seconds() - t0;
        found = r ? (long)r->elements : -1;
        freeReplyObject(r);
    }
    qsort(q, 1000, sizeof *q, cmp_double);
    printf("find the due entries (ZRANGEBYSCORE, 500 of %ld due, round trip included): median "
           "%.3f ms, p99 %.3f ms (target < 1 ms)\n",
           (long)BURST, q[500] * 1e3, q[990] * 1e3);
    if (found != 500)
        fprintf(stderr, "bench: expected 500 due entries, found %ld\n", found);

    int total = 0, fired;
    t0 = seconds();
    while (total < BURST) {
        if (deadlines_tick(&dl, store, now * 1000, 1000, &fired) < 0 || fired == 0)
            break;
        total += fired;
    }
    double burst = seconds() - t0;
    printf("burst of %d stages due at once fired (SQLite events + outbox, Redis moved on): "
           "%.2f s, %.0f stages/s (target < 5 s)\n",
           total, burst, total / burst);
    long long reminded = store_count(store, "events WHERE kind = 'reminded'");
    if (reminded != BURST)
        fprintf(stderr, "bench: %lld reminders recorded, expected %d\n", reminded, BURST);
    redisCommand(probe, "DEL bench:next bench:due");
    redisFree(probe);
    deadlines_close(&dl);
    store_close(store);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    config_free(&cfg);
    return 0;
}
