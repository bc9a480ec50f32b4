/*
 * feed: drives the dispatcher for the crash test.
 *
 *   feed CONFIG DB FROM TO     dispatch messages FROM..TO-1 in batches of 1-8,
 *                              printing "ack K D" once message K is
 *                              committed (D: duplicates in the batch)
 *   feed CONFIG DB --verify N  check that N messages had exactly one effect each
 *
 * tests/integration/crash kills `feed` with SIGKILL at random moments and
 * restarts it from the last acknowledged message, as a gateway whose
 * confirmation was lost would redeliver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/domain/config.h"
#include "bot/pipeline/dispatch.h"
#include "bot/lib/log.h"
#include "bot/domain/store.h"
#include "feedgen.h"

#define MAX_BATCH 8

static int verify(struct store *s, long n)
{
    long citizens = n / 3;
    struct {
        const char *what;
        const char *sql;
        long long expected;
    } checks[] = {
        {"inbound messages seen", "inbound_seen", n},
        {"registered cases", "cases WHERE number IS NOT NULL", citizens},
        {"cases of all kinds", "cases", citizens},
        {"distinct case numbers", "(SELECT DISTINCT number FROM cases WHERE number IS NOT NULL)",
         citizens},
        {"citizens with other than one case",
         "(SELECT citizen_id FROM cases GROUP BY citizen_id HAVING count(*) != 1)", 0},
        {"drafted events", "events WHERE kind = 'drafted'", citizens},
        {"registered events", "events WHERE kind = 'registered'", citizens},
        {"appeal texts stored", "messages", citizens},
        /*
         * per citizen three replies: the route to confirm (or, once the outage is an incident,
         * the offer to join it), the type question (or the acknowledgement of joining), the
         * acknowledgement (or the answer to a bare "1")
         */
        {"replies to citizens", "outbox WHERE address LIKE 'citizen:%'", 3 * citizens},
        {"incidents: Almaly's and Medeu's outage", "incidents", 2},
        {"cases in them", "cases WHERE incident_id != 0", citizens},
        /* the department: a card of each case filed before its outage was known (three each),
           one of each incident, never one twice */
        {"case cards", "outbox WHERE kind = 'card'", 6},
        {"incident cards", "outbox WHERE kind = 'icard'", 2},
        {"rejected messages", "rejected", 0},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
        long long got = store_count(s, checks[i].sql);
        printf("%-36s %8lld (expected %lld)%s\n", checks[i].what, got, checks[i].expected,
               got == checks[i].expected ? "" : "  <-- WRONG");
        failed |= got != checks[i].expected;
    }
    return failed;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct diag d = DIAG_INIT;
    struct store *s;
    struct sbuf err = SBUF_INIT;
    if (argc != 5) {
        fprintf(stderr, "usage: feed CONFIG DB FROM TO | feed CONFIG DB --verify N\n");
        return 2;
    }
    log_set_level(LOG_ERROR);
    if (config_load(&cfg, argv[1], &d) < 0) {
        fputs(d.text.buf, stderr);
        return 2;
    }
    if (store_open(&s, argv[2], 1, &err) < 0) {
        fprintf(stderr, "feed: %s\n", err.buf);
        return 2;
    }
    int rc = 0;
    if (!strcmp(argv[3], "--verify")) {
        rc = verify(s, atol(argv[4]));
    } else {
        long from = atol(argv[3]), to = atol(argv[4]);
        srand((unsigned)time(NULL) ^ (unsigned)getpid());
        int64_t now_ms = (int64_t)1793592000 * 1000; /* 2026-11-02 10:00 Almaty */
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (long i = from; i < to;) {
            struct feed_buf bufs[MAX_BATCH];
            struct inbound in[MAX_BATCH];
            long n = 1 + rand() % MAX_BATCH;
            if (n > to - i)
                n = to - i;
            for (long k = 0; k < n; k++)
                feed_message(i + k, &bufs[k], &in[k]);
            enum dispatch_result results[MAX_BATCH];
            if (dispatch_batch(s, &cfg, in, (size_t)n, now_ms + i, results, NULL) < 0) {
                fprintf(stderr, "feed: batch at %ld not committed\n", i);
                rc = 1;
                break;
            }
            int dups = 0;
            for (long k = 0; k < n; k++)
                dups += results[k] == DISPATCH_DUPLICATE;
            i += n;
            printf("ack %ld %d\n", i - 1, dups);
        }
    }
    store_close(s);
    config_free(&cfg);
    sbuf_release(&err);
    diag_release(&d);
    return rc;
}
