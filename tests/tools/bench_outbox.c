/*
 * bench_outbox: what choosing the next messages to send costs as the outbox
 * grows.  For each size, PENDING messages across PENDING/10 chats, of which
 * READY are ready now (the rest wait for their chat's pace); the median time
 * of one store_outbox_due (a sender's wake-up, 32 messages) and, side by side
 * in the same database, of the query that walks every pending message (how the
 * choice was made before the outbox kept each address's next message).
 *
 *   bench_outbox [PENDING] [READY] [RUNS]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bot/domain/store.h"
#include "bot/lib/log.h"

#define PAGE 32

/* The choice as it was made before outbox_heads: every pending row of the channel, sorted. */
static const char walk_sql[] =
    "SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.channel = 'telegram' AND "
    "o.next_attempt_ms <= ?1 AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' "
    "AND p.channel = o.channel AND p.address = o.address AND p.id < o.id) AND NOT EXISTS "
    "(SELECT 1 FROM outbox f WHERE f.state = 'sending' AND f.channel = o.channel AND "
    "f.address = o.address) ORDER BY o.id LIMIT 32";

static void fill(struct store *s, long pending, long ready, int64_t now_ms)
{
    struct outbox_msg m;
    outbox_msg_init(&m);
    long chats = pending / 10 ? pending / 10 : 1;
    store_begin(s);
    for (long i = 0; i < pending; i++) {
        long chat = i % chats;
        snprintf(m.channel, sizeof m.channel, "telegram");
        snprintf(m.address, sizeof m.address, "%ld", 100000 + chat);
        sbuf_reset(&m.text);
        sbuf_addf(&m.text, "reply %ld to chat %ld", i, chat);
        /* the first `ready` chats may send now; the others' pace holds them a minute */
        store_outbox_add(s, &m, chat < ready ? now_ms : now_ms + 60000);
    }
    store_commit(s);
    outbox_msg_release(&m);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static void one_size(long pending, long ready, int runs)
{
    char dir[] = "/tmp/tyndau-bench-outbox-XXXXXX", path[96];
    if (!mkdtemp(dir))
        exit(1);
    snprintf(path, sizeof path, "%s/tyndau.db", dir);
    struct store *s;
    struct sbuf err = SBUF_INIT;
    if (store_open(&s, path, 0, &err) < 0) {
        fprintf(stderr, "bench_outbox: %s\n", err.buf);
        exit(1);
    }
    int64_t now_ms = 1800000000000LL;
    fill(s, pending, ready, now_ms);
    struct outbox_msg out[PAGE];
    for (int i = 0; i < PAGE; i++)
        outbox_msg_init(&out[i]);
    sqlite3 *db;
    sqlite3_stmt *walk;
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, walk_sql, -1, &walk, NULL);
    double *heads = calloc((size_t)runs, sizeof *heads), *walks = calloc((size_t)runs, sizeof *walks);
    int got = 0, walked = 0;
    for (int r = 0; r < runs; r++) {
        double t0 = seconds();
        got = store_outbox_due(s, "telegram", now_ms, out, PAGE);
        heads[r] = (seconds() - t0) * 1e3;
        t0 = seconds();
        sqlite3_bind_int64(walk, 1, now_ms);
        walked = 0;
        while (sqlite3_step(walk) == SQLITE_ROW)
            walked++;
        sqlite3_reset(walk);
        walks[r] = (seconds() - t0) * 1e3;
    }
    double h = median(heads, runs), w = median(walks, runs);
    printf("%8ld pending %6ld chats %5ld ready: next %d in %7.3f ms; walking all pending %8.3f ms "
           "(%d); %.0fx\n",
           pending, pending / 10, ready, got, h, w, walked, h > 0 ? w / h : 0);
    free(heads);
    free(walks);
    sqlite3_finalize(walk);
    sqlite3_close(db);
    for (int i = 0; i < PAGE; i++)
        outbox_msg_release(&out[i]);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        exit(1);
}

int main(int argc, char **argv)
{
    long pending = argc > 1 ? atol(argv[1]) : 100000;
    long ready = argc > 2 ? atol(argv[2]) : 100;
    int runs = argc > 3 ? atoi(argv[3]) : 21;
    log_set_level(LOG_ERROR);
    for (long p = 1000; p < pending; p *= 10)
        one_size(p, ready < p / 10 ? ready : p / 10, runs);
    one_size(pending, ready, runs);
    return 0;
}
