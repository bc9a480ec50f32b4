#include "health.h"

#include <string.h>
#include <time.h>

#include "calendar.h"

static void healthz(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    (void)req;
    int64_t pending = store_count(h->store, "outbox WHERE state = 'pending'");
    int redis = deadlines_up(h->deadlines);
    res->content_type = "application/json";
    if (pending < 0) {
        res->status = 503;
        sbuf_addstr(&res->body, "{\"status\":\"down\",\"store\":\"error\"}\n");
        return;
    }
    sbuf_addf(&res->body,
              "{\"status\":\"%s\",\"store\":\"ok\",\"redis\":\"%s\",\"outbox_pending\":%lld,"
              "\"uptime_s\":%lld}\n",
              redis ? "ok" : "degraded", redis ? "up" : "down", (long long)pending,
              (long long)(time(NULL) - h->started_at));
}

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
    int32_t today = calendar_local_day(&h->cfg->calendar, time(NULL));
    if (store_metrics(h->store, today, metric_line, &m) < 0) {
        res->status = 503;
        sbuf_reset(&res->body);
        sbuf_addstr(&res->body, "# store unavailable\n");
        return;
    }
    sbuf_addf(&res->body, "tyndau_redis_up %d\n", deadlines_up(h->deadlines));
    sbuf_addf(&res->body, "tyndau_uptime_seconds %lld\n", (long long)(time(NULL) - h->started_at));
}

int health_init(struct health *h, const struct config *cfg, struct deadlines *dl, struct http *http,
                struct sbuf *err)
{
    memset(h, 0, sizeof *h);
    h->cfg = cfg;
    h->deadlines = dl;
    h->started_at = time(NULL);
    if (store_open(&h->store, cfg->storage.path, cfg->storage.synchronous_full, err) < 0)
        return -1;
    http_route(http, "/healthz", healthz, h, 0);
    http_route(http, "/metrics", metrics, h, 0);
    return 0;
}

void health_close(struct health *h)
{
    store_close(h->store);
    h->store = NULL;
}
