#include "bot/pipeline/metrics.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/lib/clock.h"
#include "bot/lib/prom.h"

static const struct {
    const char *name;
    enum prom_type type;
    const char *help;
    int from_store; /* rebuilt from SQLite at each scrape */
} families[] = {
    {"tyndau_build_info", PROM_GAUGE, "The running version.", 0},
    {"tyndau_start_time_seconds", PROM_GAUGE, "When the daemon started, unix seconds.", 0},
    {"tyndau_cases", PROM_GAUGE, "Cases by status.", 1},
    {"tyndau_overdue_cases", PROM_GAUGE,
     "Registered cases not answered or closed and past their due day, per body.", 1},
    {"tyndau_outbox_messages", PROM_GAUGE, "Outgoing messages by channel and state.", 1},
    {"tyndau_outbox_oldest_unsent_age_seconds", PROM_GAUGE,
     "Age of the oldest message not sent yet (pending or being sent), per channel.", 1},
    {METRIC_SENDS, PROM_COUNTER,
     "Send requests by channel and outcome: sent, 429, 5xx, 4xx, network, unsendable.", 0},
    {METRIC_RETRY_AFTER, PROM_COUNTER, "Seconds the channel asked tyndau to wait (429).", 0},
    {"tyndau_channel_up", PROM_GAUGE,
     "1 when the channel's last requests went through, 0 while it fails.", 0},
    {METRIC_DLR, PROM_COUNTER, "SMS delivery reports by state.", 0},
    {METRIC_POLLS, PROM_COUNTER, "Telegram getUpdates requests.", 0},
    {METRIC_POLL_ERRORS, PROM_COUNTER, "Telegram getUpdates requests that failed.", 0},
    {METRIC_LAST_POLL, PROM_GAUGE, "When a getUpdates last succeeded, unix seconds.", 0},
    {METRIC_HTTP, PROM_COUNTER, "Requests to the listener by route and status.", 0},
    {"tyndau_redis_up", PROM_GAUGE, "1 while the deadline index in Redis answers.", 0},
    {METRIC_REDIS_RECONNECTS, PROM_COUNTER, "Connections to Redis made again after a loss.", 0},
    {"tyndau_deadline_index_backlog", PROM_GAUGE,
     "Cases whose entry in the Redis deadline index waits to be written.", 1},
    {METRIC_LAST_REBUILD, PROM_GAUGE,
     "When the deadline index was last rebuilt from SQLite, unix seconds.", 0},
    {"tyndau_deadline_stages_fired_total", PROM_COUNTER,
     "Deadline stages fired (reminders, due today, overdue), by stage.", 1},
    {"tyndau_inbound_messages_total", PROM_COUNTER, "Messages taken, by channel.", 1},
    {"tyndau_inbound_refused_total", PROM_COUNTER, "Messages refused, by channel and reason.", 1},
    {"tyndau_citizens", PROM_GAUGE, "Citizens who cannot be written to: unreachable, stopped.", 1},
    {"tyndau_database_size_bytes", PROM_GAUGE, "Size of the SQLite database.", 1},
};
#define NFAMILIES (sizeof families / sizeof families[0])

static const char *const outcomes[] = {"sent", "429", "5xx", "4xx", "network", "unsendable"};

void metrics_declare(void)
{
    char labels[80];
    for (size_t i = 0; i < NFAMILIES; i++)
        prom_declare(families[i].name, families[i].type, families[i].help);
    prom_label(labels, sizeof labels, "version", TYNDAU_VERSION);
    prom_set("tyndau_build_info", labels, 1);
    prom_set("tyndau_start_time_seconds", "", (double)time(NULL));
    prom_touch(METRIC_LAST_REBUILD, "");
    prom_touch(METRIC_REDIS_RECONNECTS, "");
    prom_touch(METRIC_POLLS, "");
    prom_touch(METRIC_POLL_ERRORS, "");
    prom_touch(METRIC_LAST_POLL, "");
    static const char *const dlr[] = {"state=\"delivered\"", "state=\"failed\"",
                                      "state=\"pending\""};
    for (int i = 0; i < 3; i++)
        prom_touch(METRIC_DLR, dlr[i]);
}

static void label2(char *buf, size_t size, const char *k1, const char *v1, const char *k2,
                   const char *v2)
{
    char a[160], b[160];
    prom_label(a, sizeof a, k1, v1);
    if (!k2) {
        snprintf(buf, size, "%s", a);
        return;
    }
    prom_label(b, sizeof b, k2, v2);
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "%s,%s", a, b);
    snprintf(buf, size, "%s", sb.buf);
    sbuf_release(&sb);
}

struct scrape {
    int64_t now_ms;
};

static void from_store(void *ctx, const struct store_metric *m)
{
    struct scrape *sc = ctx;
    char labels[400] = "";
    if (m->label[0] && m->value[0])
        label2(labels, sizeof labels, m->label[0], m->value[0], m->label[1], m->value[1]);
    if (!strcmp(m->family, "oldest_unsent")) {
        int64_t age = (sc->now_ms - m->n) / 1000;
        prom_set("tyndau_outbox_oldest_unsent_age_seconds", labels, (double)(age > 0 ? age : 0));
        return;
    }
    prom_set(m->family, labels, (double)m->n);
}

/* The series that exist with value 0 before anything happens, so alerts see them. */
static void zero_series(struct health *h, const struct config *cfg)
{
    char labels[200];
    for (int s = 0; s < CASE_STATUSES; s++) {
        prom_label(labels, sizeof labels, "status", case_status_name(s));
        prom_touch("tyndau_cases", labels);
    }
    for (size_t b = 0; b < cfg->nbodies; b++) {
        prom_label(labels, sizeof labels, "body", cfg->bodies[b].id);
        prom_touch("tyndau_overdue_cases", labels);
    }
    static const char *const states[] = {"unreachable", "stopped"};
    for (int s = 0; s < 2; s++) {
        prom_label(labels, sizeof labels, "state", states[s]);
        prom_touch("tyndau_citizens", labels);
    }
    for (int i = 0; i < h->nchecks; i++) {
        const char *ch = h->checks[i].name;
        prom_label(labels, sizeof labels, "channel", ch);
        prom_touch("tyndau_outbox_oldest_unsent_age_seconds", labels);
        prom_touch("tyndau_inbound_messages_total", labels);
        prom_touch(METRIC_RETRY_AFTER, labels);
        for (size_t o = 0; o < sizeof outcomes / sizeof *outcomes; o++) {
            label2(labels, sizeof labels, "channel", ch, "outcome", outcomes[o]);
            prom_touch(METRIC_SENDS, labels);
        }
        label2(labels, sizeof labels, "channel", ch, "state", "pending");
        prom_touch("tyndau_outbox_messages", labels);
    }
}

static void metrics(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    (void)req;
    char why[200], labels[80];
    struct scrape sc = {clock_now_ms()};
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    const struct config *cfg = config_hold(h->cfg);
    int32_t today = calendar_local_day(&cfg->calendar, sc.now_ms / 1000);
    for (size_t i = 0; i < NFAMILIES; i++)
        if (families[i].from_store)
            prom_clear(families[i].name);
    zero_series(h, cfg);
    config_drop(cfg);
    if (store_metrics(h->store, today, from_store, &sc) < 0) {
        res->status = 503;
        sbuf_addstr(&res->body, "# the store does not answer\n");
        return;
    }
    prom_set("tyndau_redis_up", "", deadlines_up(h->deadlines));
    for (int i = 0; i < h->nchecks; i++) {
        prom_label(labels, sizeof labels, "channel", h->checks[i].name);
        prom_set("tyndau_channel_up", labels, !h->checks[i].fn(h->checks[i].ctx, why, sizeof why));
    }
    prom_render(&res->body);
}

void metrics_route(struct health *h, struct http *http)
{
    http_route(http, "/metrics", metrics, h, 0);
}
