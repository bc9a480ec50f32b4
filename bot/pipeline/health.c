#include "bot/pipeline/health.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/domain/calendar.h"

/* What /healthz and /readyz say: the state of each part, and how bad it is overall. */
struct verdict {
    int down;     /* nothing new can be accepted */
    int degraded; /* something a user would notice fails */
    cJSON *json;
};

static void judge(struct health *h, struct verdict *v)
{
    char why[200], store[240], checks[HEALTH_MAX_CHECKS][240];
    int64_t pending = store_count(h->store, "outbox WHERE state = 'pending'");
    if (pending < 0)
        snprintf(store, sizeof store, "error: does not answer");
    else if (store_write_fault(why, sizeof why))
        snprintf(store, sizeof store, "not writable: %s", why);
    else
        snprintf(store, sizeof store, "ok");
    v->down = strcmp(store, "ok") != 0;
    int paused = h->sender && sender_paused(h->sender);
    v->down |= paused;
    int redis = deadlines_up(h->deadlines);
    v->degraded = !redis;
    for (int i = 0; i < h->nchecks; i++) {
        int bad = h->checks[i].fn(h->checks[i].ctx, why, sizeof why);
        v->degraded |= bad;
        if (bad)
            snprintf(checks[i], sizeof checks[i], "failing: %s", why);
        else
            snprintf(checks[i], sizeof checks[i], "ok");
    }
    cJSON *j = v->json = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "status", v->down ? "down" : v->degraded ? "degraded" : "ok");
    cJSON_AddStringToObject(j, "store", store);
    cJSON_AddStringToObject(j, "sending", paused ? "paused: the store cannot record" : "ok");
    cJSON_AddStringToObject(j, "redis", redis ? "up" : "down");
    for (int i = 0; i < h->nchecks; i++)
        cJSON_AddStringToObject(j, h->checks[i].name, checks[i]);
    if (pending >= 0)
        cJSON_AddNumberToObject(j, "outbox_pending", (double)pending);
    cJSON_AddNumberToObject(j, "uptime_s", (double)(time(NULL) - h->started_at));
}

static void answer(struct verdict *v, int status, struct http_response *res)
{
    char *text = cJSON_PrintUnformatted(v->json);
    res->status = status;
    res->content_type = "application/json";
    sbuf_addf(&res->body, "%s\n", text ? text : "{}");
    free(text);
    cJSON_Delete(v->json);
}

/* For a person and a monitor: 503 when down, 200 when degraded or ok, every part in the body. */
static void healthz(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct verdict v;
    (void)req;
    judge(ctx, &v);
    answer(&v, v.down ? 503 : 200, res);
}

/* For a load balancer: 200 only when every part works (store, sending, Redis, channels). */
static void readyz(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct verdict v;
    (void)req;
    judge(ctx, &v);
    answer(&v, v.down || v.degraded ? 503 : 200, res);
}

/* For a supervisor (the container's HEALTHCHECK, systemd): the process answers. */
static void livez(void *ctx, const struct http_request *req, struct http_response *res)
{
    (void)ctx, (void)req;
    res->content_type = "application/json";
    sbuf_addstr(&res->body, "{\"status\":\"alive\"}\n");
}

int health_init(struct health *h, const struct config *cfg, struct deadlines *dl,
                struct sender *sender, struct http *http, struct sbuf *err)
{
    memset(h, 0, sizeof *h);
    h->cfg = cfg;
    h->deadlines = dl;
    h->sender = sender;
    h->started_at = time(NULL);
    if (store_open(&h->store, cfg->storage.path, cfg->storage.synchronous_full, err) < 0)
        return -1;
    http_route(http, "/healthz", healthz, h, 0);
    http_route(http, "/readyz", readyz, h, 0);
    http_route(http, "/livez", livez, h, 0);
    return 0;
}

int health_add_check(struct health *h, const char *name, health_problem_fn fn, void *ctx)
{
    if (h->nchecks == HEALTH_MAX_CHECKS)
        return -1;
    h->checks[h->nchecks].name = name;
    h->checks[h->nchecks].fn = fn;
    h->checks[h->nchecks].ctx = ctx;
    h->nchecks++;
    return 0;
}

void health_close(struct health *h)
{
    store_close(h->store);
    h->store = NULL;
}
