#include "handlers/lifecycle.h"

#include <stdio.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/domain/casenum.h"
#include "bot/domain/router.h"
#include "handlers/handler.h"
#include "handlers/names.h"
#include "handlers/notify.h"

int lifecycle_event(const struct handler_ctx *hx, const struct case_rec *c, const char *actor,
                    const char *kind, const char *detail)
{
    return store_event_add(hx->store, c->id, hx->now, actor, kind, detail ? detail : "");
}

/*
 * Saves c; when what a card shows changed (status, due date, body, assignee,
 * outcome), every card of the case is rewritten so the chats show it as it
 * is now.  status_may_change: only the transitions below pass 1.
 */
static int save(const struct handler_ctx *hx, const struct case_rec *c, int status_may_change)
{
    struct case_rec old;
    int changed = 0, had = 0;
    case_init(&old);
    if (c->id) {
        had = store_case_get(hx->store, c->id, &old);
        if (had < 0) {
            case_release(&old);
            return -1;
        }
    }
    if (had && !status_may_change && old.status != c->status) {
        case_release(&old);
        return -1; /* a status changes only through a transition */
    }
    /* what a card shows of a case */
    changed = had && c->number[0] &&
              (old.status != c->status || old.due_day != c->due_day || strcmp(old.body, c->body) ||
               strcmp(old.assignee, c->assignee) || strcmp(old.outcome, c->outcome) ||
               strcmp(old.number, c->number));
    case_release(&old);
    if (store_case_save(hx->store, c) < 0)
        return -1;
    return changed ? notify_cards_rewrite(hx, c) : 0;
}

int lifecycle_save(const struct handler_ctx *hx, const struct case_rec *c)
{
    return save(hx, c, 0);
}

/*
 * Tells the citizen the case's new status in a sentence of its own
 * (status_now_STATUS: "has been taken up", "has been closed"), with a note
 * (the reason) where there is one.
 */
static int tell_status(const struct handler_ctx *hx, const struct case_rec *c, const char *note)
{
    char key[48];
    snprintf(key, sizeof key, "status_now_%s", case_status_name(c->status));
    struct i18n_var vars[] = {{"number", c->number}, {"note", note ? note : ""}, {NULL, NULL}};
    return notify_citizen(hx, c, key, vars);
}

int lifecycle_draft(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                    const char *why)
{
    c->status = CASE_DRAFT;
    if (store_case_insert(hx->store, c) < 0)
        return -1;
    return lifecycle_event(hx, c, actor, "drafted", why);
}

int lifecycle_register(const struct handler_ctx *hx, struct case_rec *c, const char *actor)
{
    const struct config *cfg = hx->cfg;
    int64_t seq;
    char due[11], detail[320];
    if (store_sequence_next(hx->store, "case_number", CASENUM_FIRST, &seq) < 0)
        return -1;
    casenum_make(seq, c->number);
    c->status = CASE_REGISTERED;
    c->registered_at = hx->now;
    /* The legal clock starts from when the appeal arrived, not when the questions ended. */
    c->received_day = calendar_local_day(&cfg->calendar, c->created_at);
    c->due_day = calendar_due_day(&cfg->calendar, c->received_day, cfg->deadlines.working_days);
    if (save(hx, c, 1) < 0)
        return -1;
    calendar_format_local(c->due_day, due);
    snprintf(detail, sizeof detail, "number=%s type=%s category=%s district=%s body=%s due=%s",
             c->number, c->type, c->category, c->district, c->body, due);
    if (lifecycle_event(hx, c, actor, "registered", detail) < 0)
        return -1;
    struct citizen who;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct i18n_var ack[] = {{"number", c->number},
                             {"due", due},
                             {"body", names_body(cfg, c->body, who.lang)},
                             {NULL, NULL}};
    if (notify_citizen(hx, c, "registered", ack) < 0)
        return -1;
    /* a case joining an incident is shown on the incident's card, not a card of its own */
    const struct body *body = config_body(cfg, c->body);
    return body && !c->incident_id ? notify_card(hx, body, c) : 0;
}

int lifecycle_withdraw(const struct handler_ctx *hx, struct case_rec *c, const char *actor)
{
    c->status = CASE_CLOSED;
    snprintf(c->outcome, sizeof c->outcome, "withdrawn");
    c->closed_at = hx->now;
    if (save(hx, c, 1) < 0)
        return -1;
    return lifecycle_event(hx, c, actor, "withdrawn", "draft cancelled");
}

int lifecycle_take(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                   const struct staff *staff)
{
    snprintf(c->assignee, sizeof c->assignee, "%s", staff->id);
    c->status = CASE_IN_PROGRESS;
    if (save(hx, c, 1) < 0 || lifecycle_event(hx, c, actor, "taken", staff->name) < 0)
        return -1;
    return tell_status(hx, c, NULL);
}

int lifecycle_answer(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                     const struct staff *staff, const char *answer)
{
    c->status = CASE_ANSWERED;
    if (!*c->assignee)
        snprintf(c->assignee, sizeof c->assignee, "%s", staff->id);
    c->answered_at = hx->now;
    if (!c->first_answer_at)
        c->first_answer_at = hx->now;
    c->rating = 0;
    if (save(hx, c, 1) < 0 ||
        store_message_add(hx->store, c->id, hx->now, actor, answer, strlen(answer)) < 0 ||
        lifecycle_event(hx, c, actor, "answered", "") < 0 || notify_answer(hx, c, answer) < 0)
        return -1;
    return notify_ask_rating(hx, c);
}

static int close_as(const struct handler_ctx *hx, struct case_rec *c, const char *outcome)
{
    c->status = CASE_CLOSED;
    snprintf(c->outcome, sizeof c->outcome, "%s", outcome);
    c->closed_at = hx->now;
    return save(hx, c, 1);
}

int lifecycle_rate(const struct handler_ctx *hx, struct case_rec *c, const char *actor, int score)
{
    const struct config *cfg = hx->cfg;
    char detail[16];
    snprintf(detail, sizeof detail, "%d", score);
    c->rating = score;
    if (score > cfg->deadlines.low_rating) {
        if (close_as(hx, c, "resolved") < 0 || lifecycle_event(hx, c, actor, "rated", detail) < 0 ||
            lifecycle_event(hx, c, "system", "closed", "rated by the citizen") < 0)
            return -1;
        return 0;
    }
    /* a formal reply contested: the case reopens with a new legal term */
    c->status = CASE_REOPENED;
    int32_t today = calendar_local_day(&cfg->calendar, hx->now);
    c->due_day = calendar_due_day(&cfg->calendar, today, cfg->deadlines.working_days);
    if (save(hx, c, 1) < 0 || lifecycle_event(hx, c, actor, "rated", detail) < 0 ||
        lifecycle_event(hx, c, actor, "reopened", "low rating") < 0 ||
        notify_oversight(hx, c, "case_reopened_oversight",
                         &(struct i18n_var){"rating", detail, NULL}) < 0)
        return -1;
    return 1;
}

int lifecycle_close_unrated(const struct handler_ctx *hx, struct case_rec *c)
{
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (close_as(hx, c, "resolved") < 0 ||
        lifecycle_event(hx, c, "system", "closed", "no rating in time") < 0)
        return -1;
    return notify_citizen(hx, c, "closed_unrated", vars);
}

int lifecycle_close(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                    const char *outcome, const char *reason)
{
    struct citizen who;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct sbuf note = SBUF_INIT;
    i18n_render(&hx->cfg->texts, who.lang,
                !strcmp(outcome, "resolved") ? "outcome_resolved" : "outcome_rejected", NULL,
                &note);
    if (reason && *reason) {
        sbuf_addstr(&note, ": ");
        sbuf_addstr(&note, reason);
    }
    int rc = close_as(hx, c, outcome) < 0 ||
                     lifecycle_event(hx, c, actor, "closed", note.buf) < 0 ||
                     tell_status(hx, c, note.buf) < 0
                 ? -1
                 : 0;
    sbuf_release(&note);
    return rc;
}

int lifecycle_forward(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                      const char *outside, int *late_days)
{
    const struct config *cfg = hx->cfg;
    int32_t registered = calendar_local_day(&cfg->calendar, c->registered_at);
    int32_t today = calendar_local_day(&cfg->calendar, hx->now);
    int taken = calendar_working_days_between(&cfg->calendar, registered, today);
    struct i18n_var told[] = {{"number", c->number}, {"organisation", outside}, {NULL, NULL}};
    *late_days = 0;
    if (close_as(hx, c, "forwarded") < 0 ||
        lifecycle_event(hx, c, actor, "forwarded", outside) < 0 ||
        notify_citizen(hx, c, "case_forwarded", told) < 0)
        return -1;
    if (taken <= cfg->deadlines.forward_days)
        return 0;
    /* the law gives forward_days working days from registration: later is flagged */
    char detail[64];
    snprintf(detail, sizeof detail, "%d working days after registration", taken);
    *late_days = taken;
    return lifecycle_event(hx, c, actor, "forward_late", detail);
}

int lifecycle_learn(const struct handler_ctx *hx, const struct case_rec *c, const char *source,
                    const char *category)
{
    struct route_query q = {.text = c->text.buf ? c->text.buf : "",
                            .len = c->text.len,
                            .model = store_route_model(hx->store)};
    struct route_pick pick;
    route_pick_init(&pick);
    router_pick(hx->cfg, &q, &pick);
    int rc = store_route_example_add(hx->store, c->id, source, category,
                                     pick.category ? pick.category->id : "", q.text, hx->now);
    route_pick_release(&pick);
    return rc;
}

/*
 * The category a transfer to body says the case is of: the only one whose
 * route in the case's district leads there; NULL when none or several do.
 */
static const struct category *category_of_body(const struct config *cfg, const struct case_rec *c,
                                               const struct body *to)
{
    const struct district *d = config_district(cfg, c->district);
    const struct category *found = NULL;
    for (size_t i = 0; i < cfg->ncategories; i++) {
        const struct category *cat = &cfg->categories[i];
        if (d && config_route(cfg, cat, d) == to) {
            if (found)
                return NULL;
            found = cat;
        }
    }
    return found;
}

int lifecycle_transfer(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                       const struct body *to)
{
    char detail[160];
    struct citizen who;
    const struct category *now_of = category_of_body(hx->cfg, c, to);
    snprintf(detail, sizeof detail, "%s -> %s", c->body, to->id);
    if (now_of && strcmp(now_of->id, c->category) != 0) {
        /* the officer knows the topic better than the guess: the router learns it */
        if (lifecycle_learn(hx, c, "transfer", now_of->id) < 0)
            return -1;
        snprintf(detail, sizeof detail, "%s -> %s; category %s -> %s", c->body, to->id, c->category,
                 now_of->id);
        snprintf(c->category, sizeof c->category, "%s", now_of->id);
    }
    snprintf(c->body, sizeof c->body, "%s", to->id);
    c->status = CASE_REGISTERED;
    c->assignee[0] = 0;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct i18n_var told[] = {{"number", c->number}, {"body", to->name[who.lang]}, {NULL, NULL}};
    if (save(hx, c, 1) < 0 || lifecycle_event(hx, c, actor, "transferred", detail) < 0 ||
        notify_card(hx, to, c) < 0)
        return -1;
    return notify_citizen(hx, c, "case_transferred", told);
}

int lifecycle_extend(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                     int32_t new_due, const char *reason)
{
    char from[11], to[11];
    calendar_format_local(c->due_day, from);
    calendar_format_local(new_due, to);
    c->due_day = new_due;
    struct sbuf detail = SBUF_INIT;
    sbuf_addf(&detail, "%s -> %s: %s", from, to, reason);
    struct i18n_var told[] = {{"number", c->number}, {"due", to}, {"reason", reason}, {NULL, NULL}};
    int rc = save(hx, c, 0) < 0 || lifecycle_event(hx, c, actor, "extended", detail.buf) < 0 ||
                     notify_citizen(hx, c, "case_extended", told) < 0
                 ? -1
                 : 0;
    sbuf_release(&detail);
    return rc;
}
