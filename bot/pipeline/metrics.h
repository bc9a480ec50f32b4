/*
 * metrics: /metrics in the Prometheus text format, for scraping and alerts.
 *
 *   tyndau_cases{status="..."}          cases by status (bot/domain/case_state.h)
 *   tyndau_overdue                      open cases past their due day, as of today
 *   tyndau_outbox_pending{channel=...}  and the other outbox states, per channel
 *   tyndau_inbound{channel=...}         messages taken, and tyndau_rejected
 *   tyndau_redis_up, tyndau_uptime_seconds
 *
 * Read through the health service's own SQLite connection, on the listener's
 * thread; "today" is tyndau's clock (bot/lib/clock.h), as everywhere else.
 */
#ifndef TYNDAU_METRICS_H
#define TYNDAU_METRICS_H

#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"

/* Serves /metrics from h's connection and state. */
void metrics_route(struct health *h, struct http *http);

#endif
