/*
 * health: /healthz, and the state /metrics (bot/pipeline/metrics.h) reads too.
 *
 * /healthz tells a load balancer and an operator what the daemon can do:
 *   503 {"status":"down"}      the store does not answer, the database takes no
 *                              writes (disk full, I/O error) or sending is paused
 *                              because of it: nothing new can be accepted;
 *   200 {"status":"degraded"}  Redis is down (intake goes on, deadlines wait for
 *                              it) or a channel fails (Telegram polling or
 *                              sending, the SMS provider), with why;
 *   200 {"status":"ok"}        everything answers.
 * Each part is a field: store, sending, redis, and one per channel check.
 * /readyz has the same body and answers 503 unless every part is well (a
 * load balancer sends nothing to an instance that cannot do all of its job);
 * /livez answers 200 while the process serves requests at all (the
 * container's HEALTHCHECK: restart only what is dead, not what waits for
 * Redis or Kannel).
 * It reads through its own SQLite connection, on the listener's thread; the checks read state other
 * threads keep (atomics and locked strings), never the network.
 */
#ifndef TYNDAU_HEALTH_H
#define TYNDAU_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/pipeline/deadlines.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/sender.h"
#include "bot/domain/store.h"

/* 1 (with why) when the part has a problem, 0 when it is well. */
typedef int (*health_problem_fn)(void *ctx, char *why, size_t size);

#define HEALTH_MAX_CHECKS 4

struct health {
    const struct config *cfg;
    struct store *store;         /* the listener thread's own connection */
    struct deadlines *deadlines; /* only deadlines_up() is read, which is atomic */
    struct sender *sender;       /* only sender_paused() is read */
    int64_t started_at;
    struct {
        const char *name;
        health_problem_fn fn;
        void *ctx;
    } checks[HEALTH_MAX_CHECKS];
    int nchecks;
};

/* Opens the health service's own store connection and adds /healthz. */
int health_init(struct health *h, const struct config *cfg, struct deadlines *dl,
                struct sender *sender, struct http *http, struct sbuf *err);
/* A channel's check (its problems degrade the status, they do not take it down). */
int health_add_check(struct health *h, const char *name, health_problem_fn fn, void *ctx);
void health_close(struct health *h);

#endif
