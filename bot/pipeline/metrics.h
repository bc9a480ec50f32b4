/*
 * metrics: /metrics in the Prometheus text format (promtool check metrics
 * accepts it; tests/integration/http runs it), for scraping and alerts.
 *
 * Every family is declared here, in metrics_declare(), with its help; the
 * threads that see an event add to it through bot/lib/prom.h, by the names
 * in bot/pipeline/metric_names.h.  What SQLite knows (cases, the outbox, inbound and refused
 * messages, deadline stages, citizens, the database's size) is read at each
 * scrape through the health service's own connection, on the listener's
 * thread; "today" is tyndau's clock (bot/lib/clock.h), as everywhere else.
 *
 *   tyndau_build_info{version}                      1
 *   tyndau_start_time_seconds                       when the daemon started (unix)
 *   tyndau_cases{status}                            cases by status (case_state.h)
 *   tyndau_overdue_cases{body}                      open cases past their due day
 *   tyndau_outbox_messages{channel,state}           the outbox
 *   tyndau_outbox_oldest_unsent_age_seconds{channel} age of the oldest unsent message
 *   tyndau_sends_total{channel,outcome}             requests: sent, 429, 5xx, 4xx,
 *                                                   network, unsendable
 *   tyndau_retry_after_seconds_total{channel}       seconds Telegram asked to wait
 *   tyndau_channel_up{channel}                      0 while the channel fails
 *   tyndau_sms_delivery_reports_total{state}        Kannel's reports: delivered, failed,
 *                                                   pending
 *   tyndau_telegram_polls_total, tyndau_telegram_poll_errors_total,
 *   tyndau_telegram_last_poll_success_timestamp_seconds
 *   tyndau_http_requests_total{route,status}        the listener; route "other" for
 *                                                   unknown paths
 *   tyndau_redis_up, tyndau_redis_reconnects_total, tyndau_deadline_index_backlog,
 *   tyndau_deadline_index_last_rebuild_timestamp_seconds
 *   tyndau_deadline_stages_fired_total{stage}       reminders, due-today notices,
 *                                                   breaches
 *   tyndau_inbound_messages_total{channel}          messages taken
 *   tyndau_inbound_refused_total{channel,reason}    refused by the dispatcher or the
 *                                                   flood limit
 *   tyndau_citizens{state}                          unreachable, stopped
 *   tyndau_database_size_bytes
 */
#ifndef TYNDAU_METRICS_H
#define TYNDAU_METRICS_H

#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/metric_names.h"

/* Declares every family (main() does, before any thread starts or anything is counted). */
void metrics_declare(void);
/* Serves /metrics from h's connection and state, with zero series for h's channels. */
void metrics_route(struct health *h, struct http *http);

#endif
