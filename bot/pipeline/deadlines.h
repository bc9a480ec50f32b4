/*
 * deadlines: the deadline index in Redis and the worker that fires it.
 *
 * Two sorted sets under the configured prefix, member = case id:
 *   PREFIX next   score = when the case's next deadline stage is due
 *   PREFIX due    score = when the case is due (end of its due day)
 * SQLite stays the truth.  A trigger queues every case whose status or due
 * date changed (index_queue), and deadlines_tick() carries the queue into
 * Redis after the commit, so handlers never talk to Redis.  When Redis is
 * unreachable, intake goes on; the outage is logged once, and when Redis is
 * back the whole index is rebuilt from the open cases in SQLite.
 *
 * Firing: the worker takes the cases whose `next` score has passed, fires
 * their stages in one SQLite transaction (handlers/deadlines.c records each
 * stage once), commits, and only then moves their `next` score on.  A crash
 * between the two leaves the old score, the case is offered again, and the
 * stages already recorded do not fire twice.
 */
#ifndef TYNDAU_DEADLINES_H
#define TYNDAU_DEADLINES_H

#include <stdatomic.h>
#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"

struct redisContext;

struct deadlines {
    const struct config *cfg;
    struct redisContext *redis; /* NULL while Redis is down */
    char key_next[96];
    char key_due[96];
    char key_built[96];  /* set with every rebuild: gone means Redis lost the index */
    int64_t retry_at_ms; /* when to try connecting again */
    int outage_logged;   /* the outage was logged; say so once only */
    int needs_rebuild;   /* reconnected: rebuild the index from SQLite */
    atomic_int up;       /* 1 while connected; read by /healthz on another thread */
    int pending;         /* pipelined commands whose replies are not read yet */
    int pipeline_failed; /* one of them failed */
};

/* Sets up the index; connecting may fail (Redis down) and is retried by ticks. */
void deadlines_init(struct deadlines *dl, const struct config *cfg);
void deadlines_close(struct deadlines *dl);
int deadlines_up(const struct deadlines *dl);
/* Connects if down and the retry time has come.  Returns 1 if up. */
int deadlines_connect(struct deadlines *dl, int64_t now_ms);
/*
 * Rebuilds both sorted sets from the open cases in SQLite (into temporary
 * keys, renamed into place at the end).  Returns the number of cases, or -1.
 */
long deadlines_rebuild(struct deadlines *dl, struct store *store);
/*
 * One round of the worker at now_ms: reconnect or rebuild when needed, sync,
 * fire what is due (up to max cases), the daily digest when its hour has
 * come.  *fired gets the number of cases handled.  Returns 0, or -1 when the
 * store failed (Redis trouble is not an error: it is logged and retried).
 */
int deadlines_tick(struct deadlines *dl, struct store *store, int64_t now_ms, int max, int *fired);
/*
 * When the worker has work next without being told (ms): the earliest stage
 * in the index, the digest's hour, an unrated answer's closing, a look at
 * Redis (every INDEX_CHECK_MS, so /healthz knows within seconds, or the reconnect
 * time while it is down).
 * Case changes ring the worker's bell instead.  1 with *at_ms, -1 if the store failed.
 */
#define INDEX_CHECK_MS 5000
int deadlines_next_wake(struct deadlines *dl, struct store *store, int64_t now_ms, int64_t *at_ms);

#endif
