/*
 * metric_names: the names of the /metrics families that threads count into as
 * things happen (bot/lib/prom.h); bot/pipeline/metrics.c declares them, with
 * the rest, and says what each means.  A header of names only, so that the
 * sender, the listener, the deadlines and the channels can count without
 * depending on the /metrics page itself.
 */
#ifndef TYNDAU_METRIC_NAMES_H
#define TYNDAU_METRIC_NAMES_H

#define METRIC_SENDS "tyndau_sends_total"
#define METRIC_RETRY_AFTER "tyndau_retry_after_seconds_total"
#define METRIC_DLR "tyndau_sms_delivery_reports_total"
#define METRIC_POLLS "tyndau_telegram_polls_total"
#define METRIC_POLL_ERRORS "tyndau_telegram_poll_errors_total"
#define METRIC_LAST_POLL "tyndau_telegram_last_poll_success_timestamp_seconds"
#define METRIC_HTTP "tyndau_http_requests_total"
#define METRIC_REDIS_RECONNECTS "tyndau_redis_reconnects_total"
#define METRIC_LAST_REBUILD "tyndau_deadline_index_last_rebuild_timestamp_seconds"

#endif
