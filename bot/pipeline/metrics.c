#include "bot/pipeline/metrics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bot/domain/calendar.h"
#include "bot/lib/clock.h"

struct metrics_out {
    struct sbuf *body;
};

static void metric_line(void *ctx, const char *name, const char *label, int64_t value)
{
    struct metrics_out *m = ctx;
    const char *key = !strcmp(name, "cases") ? "status" : "channel";
    if (*label)
        sbuf_addf(m->body, "tyndau_%s{%s=\"%s\"} %lld\n", name, key, label, (long long)value);
    else
        sbuf_addf(m->body, "tyndau_%s %lld\n", name, (long long)value);
}

static void metrics(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    (void)req;
    struct metrics_out m = {&res->body};
    res->content_type = "text/plain; version=0.0.4";
    const struct config *cfg = config_hold(h->cfg);
    int32_t today = calendar_local_day(&cfg->calendar, clock_now_ms() / 1000);
    config_drop(cfg);
    if (store_metrics(h->store, today, metric_line, &m) < 0) {
        res->status = 503;
        sbuf_reset(&res->body);
        sbuf_addstr(&res->body, "# store unavailable\n");
        return;
    }
    sbuf_addf(&res->body, "tyndau_redis_up %d\n", deadlines_up(h->deadlines));
    sbuf_addf(&res->body, "tyndau_uptime_seconds %lld\n", (long long)(time(NULL) - h->started_at));
}

void metrics_route(struct health *h, struct http *http)
{
    http_route(http, "/metrics", metrics, h, 0);
}
