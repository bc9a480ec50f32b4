/*
 * deadlines: what happens when a stage of a case's deadline comes
 * (see bot/domain/stages.h), and the supervisors' daily digest.
 *
 * A stage fires at most once per due date, and only the latest of those
 * whose time has come: stages_fired in SQLite says so,
 * inside the same transaction as the notices it queues, so the Redis worker
 * may offer the same case twice (after a crash, after an outage) and nothing
 * is sent twice.
 */
#include <stdio.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/lib/log.h"
#include "bot/domain/stages.h"
#include "handlers/handler.h"
#include "handlers/incidents.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/notify.h"
#include "handlers/reply.h"

static int fire_stage(const struct handler_ctx *hx, const struct case_rec *c,
                      const struct stage *st)
{
    const struct body *body = config_body(hx->cfg, c->body);
    char due[11], days[16];
    calendar_format_local(c->due_day, due);
    if (!strncmp(st->name, "remind", 6)) {
        snprintf(days, sizeof days, "%s", st->name + 6);
        struct i18n_var vars[] = {
            {"number", c->number}, {"due", due}, {"days", days, "working_days_n"}, {NULL, NULL}};
        if (lifecycle_event(hx, c, "system", "reminded", st->name) < 0)
            return -1;
        return body ? notify_body(hx, body, c, "deadline_reminder", vars) : 0;
    }
    if (!strcmp(st->name, "dueday")) {
        struct i18n_var vars[] = {{"number", c->number}, {"due", due}, {NULL, NULL}};
        if (lifecycle_event(hx, c, "system", "due_today", "") < 0)
            return -1;
        return body ? notify_body(hx, body, c, "deadline_today", vars) : 0;
    }
    /* overdue: the breach is recorded once, and supervisors are alerted */
    int late = calendar_working_days_between(&hx->cfg->calendar, c->due_day,
                                             calendar_local_day(&hx->cfg->calendar, hx->now));
    snprintf(days, sizeof days, "%d", late > 0 ? late : 1);
    char detail[64];
    snprintf(detail, sizeof detail, "due=%s", due);
    struct i18n_var vars[] = {
        {"number", c->number}, {"due", due}, {"days", days, "working_days_n"}, {NULL, NULL}};
    if (lifecycle_event(hx, c, "system", "breach", detail) < 0)
        return -1;
    if (body && notify_body(hx, body, c, "deadline_overdue", vars) < 0)
        return -1;
    return notify_supervisors(hx, c, "deadline_overdue_supervisor", &vars[2]);
}

int deadline_fire_case(const struct handler_ctx *hx, int64_t case_id, int64_t *next_at)
{
    struct case_rec c;
    struct stage stages[STAGES_MAX];
    int rc = 0;
    *next_at = 0;
    case_init(&c);
    int found = store_case_get(hx->store, case_id, &c);
    if (found <= 0 || !case_clock_runs(c.status)) {
        rc = found < 0 ? -1 : 0;
        goto out;
    }
    int n = stages_of_due_day(hx->cfg, c.due_day, stages);
    /*
     * Of the stages whose time has come only the latest still means something:
     * after downtime or a clock jump, "3 days left" next to "overdue" would be
     * noise.  The earlier ones, and reminders whose time passed before the case
     * was registered, are recorded as skipped so they never fire later.
     */
    int latest = -1;
    for (int i = 0; i < n && stages[i].fire_at <= hx->now; i++)
        latest = i;
    if (latest + 1 < n)
        *next_at = stages[latest + 1].fire_at;
    for (int i = 0; i <= latest; i++) {
        int moot = stages[i].fire_at < c.registered_at && !strncmp(stages[i].name, "remind", 6);
        int skip = i < latest || moot;
        int first = store_stage_fire(hx->store, c.id, stages[i].name, c.due_day, hx->now, skip);
        if (first < 0 || (first == 1 && !skip && fire_stage(hx, &c, &stages[i]) < 0) ||
            (first == 1 && skip &&
             lifecycle_event(hx, &c, "system", "stage_skipped", stages[i].name) < 0)) {
            rc = -1;
            goto out;
        }
    }
out:
    case_release(&c);
    return rc;
}

struct digest_ctx {
    const struct handler_ctx *hx;
    int32_t today;
    struct sbuf lines[LANG_COUNT];
    int overdue, due_today;
    struct incident_tally incidents; /* late cases of incidents: a line per incident */
};

static int digest_case(void *ctx, const struct case_rec *c)
{
    struct digest_ctx *dc = ctx;
    if (c->due_day > dc->today)
        return 1; /* cases come oldest due first: the rest are not due yet */
    if (!case_clock_runs(c->status))
        return 0;
    int late = case_is_overdue(c->status, c->due_day, dc->today);
    late ? dc->overdue++ : dc->due_today++;
    if (late && incident_tally_add(&dc->incidents, c))
        return 0;
    char due[11], days[16];
    calendar_format_local(c->due_day, due);
    snprintf(days, sizeof days, "%d",
             calendar_working_days_between(&dc->hx->cfg->calendar, c->due_day, dc->today));
    for (int l = 0; l < LANG_COUNT; l++) {
        struct i18n_var vars[] = {{"number", c->number},
                                  {"body", names_body(dc->hx->cfg, c->body, (enum lang)l)},
                                  {"due", due},
                                  {"days", days, "working_days_n"},
                                  {NULL, NULL}};
        sbuf_addch(&dc->lines[l], '\n');
        i18n_render(&dc->hx->cfg->texts, (enum lang)l,
                    late ? "digest_overdue_line" : "digest_today_line", vars, &dc->lines[l]);
    }
    return 0;
}

int deadline_digest(const struct handler_ctx *hx)
{
    const struct config *cfg = hx->cfg;
    struct digest_ctx dc = {
        hx, calendar_local_day(&cfg->calendar, hx->now), {SBUF_INIT}, 0, 0, {NULL, 0}};
    int rc = 0;
    for (int l = 0; l < LANG_COUNT; l++)
        sbuf_init(&dc.lines[l], 0);
    /* store_cases_open is ordered by due date; group by body as people read it */
    for (size_t b = 0; b < cfg->nbodies && rc == 0; b++) {
        rc = store_cases_open(hx->store, cfg->bodies[b].id, digest_case, &dc);
        for (int l = 0; l < LANG_COUNT; l++)
            incident_tally_flush(hx, &dc.incidents, cfg->bodies[b].id, (enum lang)l, &dc.lines[l]);
        incident_tally_free(&dc.incidents);
    }
    char overdue[16], today[16], date[11];
    snprintf(overdue, sizeof overdue, "%d", dc.overdue);
    snprintf(today, sizeof today, "%d", dc.due_today);
    calendar_format_local(dc.today, date);
    /* a quiet day sends nothing: supervisors read the digest because it matters */
    for (size_t i = 0; i < cfg->nstaff && rc == 0 && dc.overdue + dc.due_today > 0; i++) {
        const struct staff *st = &cfg->staff[i];
        if (st->role != ROLE_SUPERVISOR || !st->telegram)
            continue;
        struct reply r;
        char address[32];
        struct i18n_var vars[] = {
            {"date", date}, {"overdue", overdue}, {"today", today}, {NULL, NULL}};
        snprintf(address, sizeof address, "%lld", (long long)st->telegram);
        reply_begin(&r, hx, STAFF_CHANNEL, address, st->lang, 0);
        reply_text(&r, "digest_header", vars);
        reply_raw(&r, dc.lines[st->lang].buf, dc.lines[st->lang].len);
        /* and the same figures as /stats, for the last 30 days */
        reply_raw(&r, "\n\n", 2);
        if (stats_render(hx, st->lang, "30d", NULL, &r.msg.text) < 0) {
            reply_discard(&r);
            rc = -1;
            break;
        }
        rc = reply_queue(&r);
    }
    for (int l = 0; l < LANG_COUNT; l++)
        sbuf_release(&dc.lines[l]);
    return rc;
}

struct unrated_ctx {
    const struct handler_ctx *hx;
    int closed;
    int failed;
};

static int close_unrated(void *ctx, const struct case_rec *c)
{
    struct unrated_ctx *uc = ctx;
    struct case_rec own;
    /* the store lends c for the call only: the transition works on a case of its own */
    case_init(&own);
    int rc = store_case_get(uc->hx->store, c->id, &own) == 1 ? lifecycle_close_unrated(uc->hx, &own)
                                                             : -1;
    case_release(&own);
    if (rc < 0) {
        uc->failed = 1;
        return 1;
    }
    uc->closed++;
    return 0;
}

int deadline_close_unrated(const struct handler_ctx *hx)
{
    struct unrated_ctx uc = {hx, 0, 0};
    int64_t before = hx->now - (int64_t)hx->cfg->deadlines.rating_days * 86400;
    if (store_cases_unrated(hx->store, before, close_unrated, &uc) < 0 || uc.failed)
        return -1;
    return uc.closed;
}
