/*
 * health: /healthz and /metrics.
 *
 * /healthz answers 200 with {"status":"ok"} when the store answers and Redis
 * is up, 200 with "degraded" when Redis is down (intake goes on without it),
 * and 503 when the store does not answer.  /metrics is the Prometheus text
 * format.  Both read through their own SQLite connection, on the listener's
 * thread.
 */
#ifndef TYNDAU_HEALTH_H
#define TYNDAU_HEALTH_H

#include <stdint.h>

#include "config.h"
#include "deadlines.h"
#include "http.h"
#include "store.h"

struct health {
    const struct config *cfg;
    struct store *store;         /* the listener thread's own connection */
    struct deadlines *deadlines; /* only deadlines_up() is read, which is atomic */
    int64_t started_at;
};

/* Opens the health service's own store connection and adds its routes. */
int health_init(struct health *h, const struct config *cfg, struct deadlines *dl, struct http *http,
                struct sbuf *err);
void health_close(struct health *h);

#endif
