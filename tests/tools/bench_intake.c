/*
 * bench_intake: intake throughput through dispatcher -> store -> outbox.
 *
 *   bench_intake CONFIG throughput [COMPLAINTS] [RUNS]
 *       for each durability (synchronous = full / normal) and batch size
 *       (1 message per transaction, as the console does; 32, as a Telegram
 *       getUpdates page does), RUNS runs of COMPLAINTS complaints, each a
 *       three-message conversation, into a fresh database; prints the median
 *   bench_intake CONFIG rss [CASES [KEEP]]
 *       stores CASES complaints and prints the peak RSS of the process; with
 *       KEEP, from Telegram citizens into the database file KEEP, which is
 *       left for the daemon's figure (tests/bench_rss.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bot/domain/config.h"
#include "bot/pipeline/dispatch.h"
#include "bot/lib/log.h"
#include "bot/domain/store.h"
#include "bench.h"
#include "feedgen.h"

#define MAX_BATCH 100

/* Feeds `complaints` complaints into a fresh database at path; returns seconds taken. */
static double feed(const struct config *cfg, const char *path, const char *channel,
                   int synchronous_full, long complaints, int batch)
{
    struct store *s;
    struct sbuf err = SBUF_INIT;
    unlink(path);
    char wal[512];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    if (store_open(&s, path, synchronous_full, &err) < 0) {
        fprintf(stderr, "bench: %s\n", err.buf);
        exit(1);
    }
    int64_t now_ms = (int64_t)1793592000 * 1000;
    long n = complaints * 3;
    double start = seconds();
    for (long i = 0; i < n;) {
        struct feed_buf bufs[MAX_BATCH];
        struct inbound in[MAX_BATCH];
        long k = n - i < batch ? n - i : batch;
        for (long j = 0; j < k; j++)
            feed_message_on(channel, i + j, &bufs[j], &in[j]);
        if (dispatch_batch(s, cfg, in, (size_t)k, now_ms + i, NULL, NULL) < 0) {
            fprintf(stderr, "bench: dispatch failed\n");
            exit(1);
        }
        i += k;
    }
    double took = seconds() - start;
    if (store_count(s, "cases WHERE number IS NOT NULL") != complaints) {
        fprintf(stderr, "bench: wrong number of cases\n");
        exit(1);
    }
    store_close(s);
    sbuf_release(&err);
    return took;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct diag d = DIAG_INIT;
    char dir[] = "/tmp/tyndau-bench-XXXXXX", path[512];
    if (argc < 3) {
        fprintf(stderr, "usage: bench_intake CONFIG throughput|rss [N] [RUNS]\n");
        return 2;
    }
    log_set_level(LOG_ERROR);
    if (config_load(&cfg, argv[1], &d) < 0) {
        fputs(d.text.buf, stderr);
        return 2;
    }
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/bench.db", dir);
    if (!strcmp(argv[2], "throughput")) {
        long complaints = argc > 3 ? atol(argv[3]) : 2000;
        int runs = argc > 4 ? atoi(argv[4]) : 5;
        if (runs < 1 || runs > 50)
            runs = 5;
        printf("intake: %ld complaints (3 messages each) per run, median of %d runs\n", complaints,
               runs);
        printf("%-10s %-6s %14s %14s %10s\n", "sync", "batch", "complaints/s", "messages/s",
               "min..max");
        const int batches[] = {1, 32, 100};
        for (int full = 1; full >= 0; full--) {
            for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
                double rates[50];
                for (int r = 0; r < runs; r++)
                    rates[r] = (double)complaints /
                               feed(&cfg, path, "console", full, complaints, batches[b]);
                qsort(rates, (size_t)runs, sizeof *rates, cmp_double);
                double median = rates[runs / 2];
                printf("%-10s %-6d %14.0f %14.0f %5.0f..%.0f\n", full ? "full" : "normal",
                       batches[b], median, median * 3, rates[0], rates[runs - 1]);
            }
        }
    } else if (!strcmp(argv[2], "rss")) {
        long cases = argc > 3 ? atol(argv[3]) : 100000;
        /* kept for the daemon: its citizens on Telegram, so that it has replies to send */
        double took =
            feed(&cfg, argc > 4 ? argv[4] : path, argc > 4 ? "telegram" : "console", 0, cases, 32);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("rss: %ld cases stored in %.1f s; peak RSS %.1f MB\n", cases, took,
               (double)ru.ru_maxrss / 1024.0);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    config_free(&cfg);
    diag_release(&d);
    return 0;
}
