/*
 * staff: officers, council members and supervisors working cases in chat.
 *
 * Commands: /inbox, /case N, /take N, /answer N TEXT, /close N OUTCOME [REASON],
 * /extend N DATE REASON, /transfer N BODY, /forward N OUTSIDE-BODY, /stats [PERIOD];
 * incidents (handlers/incidents.h): /incidents, /incident ID [confirm | split |
 * answer TEXT | add N | remove N], a reply to an incident card answers all;
 * supervisors: /overdue; /web: a one-time link to the dashboard (bot/pipeline/web.h),
 * whose actions are these same commands (staff_act).
 * Rights: an officer acts on their own body's cases, a council member on
 * their council's, a supervisor on all.  Every refusal says why; every
 * action is an event naming who did it, and the citizen hears of every
 * change of status in their own language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/domain/casenum.h"
#include "bot/domain/channel.h"
#include "bot/lib/command.h"
#include "bot/lib/log.h"
#include "bot/lib/token.h"
#include "bot/lib/utf8.h"
#include "bot/domain/payload.h"
#include "handlers/handler.h"
#include "handlers/incidents.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/notify.h"
#include "handlers/reply.h"

#define INBOX_LISTED 20
#define ANSWER_MIN_CHARS 20
#define ANSWER_MIN_WORDS 3

struct staff_turn {
    const struct handler_ctx *hx;
    const struct staff *staff;
    const struct inbound *in;
    char actor[48];
    struct sbuf *told; /* a dashboard action: what the actor is told is written here, not sent */
};

static int staff_reply(struct staff_turn *t, const char *key, const struct i18n_var *vars)
{
    struct reply r;
    if (t->told) {
        i18n_render(&t->hx->cfg->texts, t->staff->lang, key, vars, t->told);
        return 0;
    }
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, key, vars);
    return reply_queue(&r);
}

int staff_may_act_on(const struct staff *st, const char *body)
{
    if (st->role == ROLE_SUPERVISOR)
        return 1;
    return st->body && !strcmp(st->body->id, body);
}

/* Loads case `number` and checks rights; replies and returns 0 when the staff may not act. */
static int load_case(struct staff_turn *t, const char *number, struct case_rec *c)
{
    struct i18n_var vars[] = {{"number", number}, {NULL, NULL}};
    if (!casenum_valid(number))
        return staff_reply(t, "staff_bad_number", vars) < 0 ? -1 : 0;
    int rc = store_case_by_number(t->hx->store, number, c);
    if (rc <= 0)
        return rc < 0 ? -1 : (staff_reply(t, "staff_no_case", vars) < 0 ? -1 : 0);
    if (!staff_may_act_on(t->staff, c->body)) {
        struct i18n_var why[] = {{"number", number},
                                 {"body", names_body(t->hx->cfg, c->body, t->staff->lang)},
                                 {NULL, NULL}};
        return staff_reply(t, "staff_not_yours", why) < 0 ? -1 : 0;
    }
    return 1;
}

struct inbox_ctx {
    struct staff_turn *t;
    struct reply *r;
    int n;
};

static int inbox_line(void *ctx, const struct case_rec *c)
{
    struct inbox_ctx *ic = ctx;
    if (ic->n >= INBOX_LISTED)
        return 1;
    sbuf_addch(&ic->r->msg.text, '\n');
    names_case_summary(ic->t->hx, c, ic->t->staff->lang, ic->t->in->channel, &ic->r->msg.text);
    ic->n++;
    return 0;
}

static int cmd_inbox(struct staff_turn *t)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, "staff_inbox_header", NULL);
    struct inbox_ctx ic = {t, &r, 0};
    const char *body =
        t->staff->role == ROLE_SUPERVISOR || !t->staff->body ? "" : t->staff->body->id;
    if (store_cases_open(t->hx->store, body, inbox_line, &ic) < 0) {
        reply_discard(&r);
        return -1;
    }
    if (!ic.n) {
        reply_discard(&r);
        return staff_reply(t, "staff_inbox_empty", NULL);
    }
    return reply_queue(&r);
}

struct overdue_ctx {
    struct staff_turn *t;
    struct reply *r;
    int32_t today;
    int n;
    struct incident_tally incidents; /* an incident is one line with its size */
};

static int overdue_line(void *ctx, const struct case_rec *c)
{
    struct overdue_ctx *oc = ctx;
    const struct config *cfg = oc->t->hx->cfg;
    if (incident_tally_add(&oc->incidents, c))
        return 0;
    char due[11], days[16];
    calendar_format_local(c->due_day, due);
    snprintf(days, sizeof days, "%d",
             calendar_working_days_between(&cfg->calendar, c->due_day, oc->today));
    struct i18n_var vars[] = {{"number", c->number},
                              {"body", names_body(cfg, c->body, oc->t->staff->lang)},
                              {"due", due},
                              {"days", days, "working_days_n"},
                              {NULL, NULL}};
    sbuf_addch(&oc->r->msg.text, '\n');
    i18n_render(&cfg->texts, oc->t->staff->lang, "digest_overdue_line", vars, &oc->r->msg.text);
    oc->n++;
    return 0;
}

/* /overdue: supervisors see every overdue case, per body, until it is closed. */
static int cmd_overdue(struct staff_turn *t)
{
    const struct config *cfg = t->hx->cfg;
    if (t->staff->role != ROLE_SUPERVISOR)
        return staff_reply(t, "staff_supervisors_only", NULL);
    struct reply r;
    struct overdue_ctx oc = {t, &r, calendar_local_day(&cfg->calendar, t->hx->now), 0, {NULL, 0}};
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, "staff_overdue_header", NULL);
    for (size_t b = 0; b < cfg->nbodies; b++) {
        if (store_cases_overdue(t->hx->store, oc.today, cfg->bodies[b].id, overdue_line, &oc) < 0) {
            reply_discard(&r);
            incident_tally_free(&oc.incidents);
            return -1;
        }
        /* one problem, not dozens of late cases */
        oc.n += (int)oc.incidents.n;
        incident_tally_flush(t->hx, &oc.incidents, cfg->bodies[b].id, t->staff->lang, &r.msg.text);
        incident_tally_free(&oc.incidents);
    }
    if (!oc.n) {
        reply_discard(&r);
        return staff_reply(t, "staff_overdue_none", NULL);
    }
    return reply_queue(&r);
}

struct history_ctx {
    struct reply *r;
    const struct handler_ctx *hx;
    enum lang lang; /* the reader's */
};

static int history_line(void *ctx, int64_t at, const char *actor, const char *kind,
                        const char *detail)
{
    struct history_ctx *hc = ctx;
    const struct config *cfg = hc->hx->cfg;
    struct sbuf *out = &hc->r->msg.text;
    char when[17];
    names_local_time(cfg, at, when);
    sbuf_addf(out, "\n%s ", when);
    names_actor(hc->hx, actor, hc->lang, out);
    sbuf_addstr(out, ": ");
    /* a detail is one line of the history: a reason written over lines is joined */
    struct sbuf one = SBUF_INIT;
    sbuf_addstr(&one, detail ? detail : "");
    for (size_t i = 0; i < one.len; i++)
        if (one.buf[i] == '\n')
            one.buf[i] = ' ';
    names_event(hc->hx, kind, one.buf, hc->lang, out);
    sbuf_release(&one);
    return 0;
}

static int cmd_case(struct staff_turn *t, const char *number)
{
    struct case_rec c;
    int rc;
    case_init(&c);
    rc = load_case(t, number, &c);
    if (rc <= 0)
        goto out;
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, c.id);
    names_case_summary(t->hx, &c, t->staff->lang, t->in->channel, &r.msg.text);
    sbuf_addstr(&r.msg.text, "\n\n");
    sbuf_add(&r.msg.text, c.text.buf, c.text.len);
    sbuf_addch(&r.msg.text, '\n');
    struct history_ctx hc = {&r, t->hx, t->staff->lang};
    if (store_events_of_case(t->hx->store, c.id, history_line, &hc) < 0) {
        reply_discard(&r);
        rc = -1;
        goto out;
    }
    rc = reply_queue(&r);
out:
    case_release(&c);
    return rc < 0 ? -1 : 0;
}

typedef int (*case_action)(struct staff_turn *t, struct case_rec *c, const char *arg);

/* Loads case `number`, checks the staff member's rights and that it is open, then acts. */
static int with_open_case(struct staff_turn *t, const char *number, case_action action,
                          const char *arg)
{
    struct case_rec c;
    int rc;
    case_init(&c);
    rc = load_case(t, number, &c);
    if (rc > 0) {
        struct i18n_var vars[] = {{"number", c.number}, {NULL, NULL}};
        rc =
            case_is_open(c.status) ? action(t, &c, arg) : staff_reply(t, "staff_case_closed", vars);
    }
    case_release(&c);
    return rc < 0 ? -1 : 0;
}

static int take(struct staff_turn *t, struct case_rec *c, const char *arg)
{
    (void)arg;
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (lifecycle_take(t->hx, c, t->actor, t->staff) < 0)
        return -1;
    return staff_reply(t, "staff_taken", vars);
}

static int count_words(const char *s)
{
    int words = 0, in_word = 0;
    for (; *s; s++) {
        int space = *s == ' ' || *s == '\n' || *s == '\t';
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words;
}

static int answer(struct staff_turn *t, struct case_rec *c, const char *text)
{
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (utf8_length(text) < ANSWER_MIN_CHARS || count_words(text) < ANSWER_MIN_WORDS)
        return staff_reply(t, "staff_answer_too_short", vars);
    if (lifecycle_answer(t->hx, c, t->actor, t->staff, text) < 0)
        return -1;
    return staff_reply(t, "staff_answered", vars);
}

static int close_case(struct staff_turn *t, struct case_rec *c, const char *args)
{
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    char outcome[16];
    const char *reason = args;
    command_token(&reason, outcome, sizeof outcome);
    if (strcmp(outcome, "resolved") && strcmp(outcome, "rejected"))
        return staff_reply(t, "staff_close_usage", vars);
    if (!strcmp(outcome, "rejected") && count_words(reason) < ANSWER_MIN_WORDS)
        return staff_reply(t, "staff_reject_needs_reason", vars);
    if (lifecycle_close(t->hx, c, t->actor, outcome, reason) < 0)
        return -1;
    return staff_reply(t, "staff_closed", vars);
}

/* "DD.MM.YYYY" or "YYYY-MM-DD" */
static int parse_day(const char *s, int32_t *day)
{
    int d, m, y;
    char iso[16], tail;
    if (sscanf(s, "%2d.%2d.%4d%c", &d, &m, &y, &tail) == 3) {
        snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
        return calendar_parse_date(iso, day);
    }
    return calendar_parse_date(s, day);
}

/* /extend N DATE REASON: only with a reason, at most extension_max_months after registration. */
static int extend(struct staff_turn *t, struct case_rec *c, const char *args)
{
    const struct config *cfg = t->hx->cfg;
    char date[16], to[11], limit[11];
    int32_t new_due;
    const char *reason = args;
    command_token(&reason, date, sizeof date);
    int32_t registered = calendar_local_day(&cfg->calendar, c->registered_at);
    int32_t max_due = calendar_add_months(registered, cfg->deadlines.extension_max_months);
    calendar_format_local(max_due, limit);
    struct i18n_var vars[] = {{"number", c->number}, {"max", limit}, {NULL, NULL}};
    if (!*date || parse_day(date, &new_due) < 0 || count_words(reason) < ANSWER_MIN_WORDS)
        return staff_reply(t, "staff_extend_usage", vars);
    if (new_due <= c->due_day || !calendar_is_working(&cfg->calendar, new_due))
        return staff_reply(t, "staff_extend_not_later", vars);
    if (new_due > max_due)
        return staff_reply(t, "staff_extend_too_far", vars);
    calendar_format_local(new_due, to);
    struct i18n_var told[] = {{"number", c->number}, {"due", to}, {"reason", reason}, {NULL, NULL}};
    if (lifecycle_extend(t->hx, c, t->actor, new_due, reason) < 0)
        return -1;
    return staff_reply(t, "staff_extended", told);
}

/* /transfer N BODY: to another body in tyndau; the due date stays. */
static int transfer(struct staff_turn *t, struct case_rec *c, const char *args)
{
    char id[CONFIG_ID_MAX];
    command_token(&args, id, sizeof id);
    const struct body *to = config_body(t->hx->cfg, id);
    struct i18n_var vars[] = {{"number", c->number}, {"body", id}, {NULL, NULL}};
    if (!to || !strcmp(to->id, c->body))
        return staff_reply(t, "staff_transfer_usage", vars);
    struct i18n_var done[] = {
        {"number", c->number}, {"body", to->name[t->staff->lang]}, {NULL, NULL}};
    /* an incident is one body's: a case sent to another leaves it */
    if (incidents_remove(t->hx, c, t->actor) < 0 || lifecycle_transfer(t->hx, c, t->actor, to) < 0)
        return -1;
    return staff_reply(t, "staff_transferred", done);
}

/* /forward N NAME: to a body outside tyndau; the case closes as forwarded. */
static int forward(struct staff_turn *t, struct case_rec *c, const char *name)
{
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    int late;
    if (utf8_length(name) < 3)
        return staff_reply(t, "staff_forward_usage", vars);
    if (lifecycle_forward(t->hx, c, t->actor, name, &late) < 0)
        return -1;
    if (late) {
        char days[16];
        snprintf(days, sizeof days, "%d", late);
        struct i18n_var told[] = {
            {"number", c->number}, {"days", days, "working_days_n"}, {NULL, NULL}};
        return staff_reply(t, "staff_forward_late", told);
    }
    struct i18n_var told[] = {{"number", c->number}, {"organisation", name}, {NULL, NULL}};
    return staff_reply(t, "staff_forwarded", told);
}

/*
 * Incidents.  Loads incident `id` and checks the staff member's rights: 1, or 0
 * when told why not (no such incident, another body's), -1 on error.
 */
static int load_incident(struct staff_turn *t, const char *id, struct incident_rec *r,
                         struct incident_view *v)
{
    struct i18n_var vars[] = {{"id", id}, {NULL, NULL}};
    char *end;
    long long n = strtoll(id, &end, 10);
    if (!*id || *end || n <= 0)
        return staff_reply(t, "staff_incident_usage", NULL) < 0 ? -1 : 0;
    int rc = incidents_get(t->hx, n, r, v);
    if (rc <= 0)
        return rc < 0 ? -1 : (staff_reply(t, "staff_no_incident", vars) < 0 ? -1 : 0);
    if (!staff_may_act_on(t->staff, r->body)) {
        struct i18n_var why[] = {
            {"id", id}, {"body", names_body(t->hx->cfg, r->body, t->staff->lang)}, {NULL, NULL}};
        return staff_reply(t, "staff_incident_not_yours", why) < 0 ? -1 : 0;
    }
    return 1;
}

struct incident_list {
    struct staff_turn *t;
    struct reply *r;
    int n, failed;
};

static int incident_line(void *ctx, const struct incident_rec *inc)
{
    struct incident_list *il = ctx;
    const struct handler_ctx *hx = il->t->hx;
    enum lang lang = il->t->staff->lang;
    struct incident_view v;
    char id[24], size[16], open[16], since[17], status_key[40];
    if (store_incident_view(hx->store, inc->id, &v) < 0) {
        il->failed = 1;
        return 1;
    }
    snprintf(id, sizeof id, "%lld", (long long)inc->id);
    snprintf(size, sizeof size, "%d", v.size);
    snprintf(open, sizeof open, "%d", v.open);
    snprintf(status_key, sizeof status_key, "incident_status_%s", inc->status);
    names_local_time(hx->cfg, v.since, since);
    struct i18n_var vars[] = {{"id", id},
                              {"appeals", size, "appeals_n"},
                              {"open", open},
                              {"category", names_category(hx->cfg, inc->category, lang)},
                              {"district", names_district(hx->cfg, inc->district, lang)},
                              {"since", since},
                              {"status", i18n_get(&hx->cfg->texts, lang, status_key)},
                              {NULL, NULL}};
    sbuf_addch(&il->r->msg.text, '\n');
    i18n_render(&hx->cfg->texts, lang, "staff_incident_line", vars, &il->r->msg.text);
    il->n++;
    return 0;
}

/* /incidents: the open incidents of the staff member's body (a supervisor's: all). */
static int cmd_incidents(struct staff_turn *t)
{
    struct reply r;
    const char *body =
        t->staff->role == ROLE_SUPERVISOR || !t->staff->body ? "" : t->staff->body->id;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, "staff_incidents_header", NULL);
    struct incident_list il = {t, &r, 0, 0};
    if (store_incidents_open(t->hx->store, "", body, incident_line, &il) < 0 || il.failed) {
        reply_discard(&r);
        return -1;
    }
    if (!il.n) {
        reply_discard(&r);
        return staff_reply(t, "staff_incidents_none", NULL);
    }
    return reply_queue(&r);
}

static int incident_answer_loaded(struct staff_turn *t, struct incident_rec *r, const char *id,
                                  const char *text)
{
    struct i18n_var vars[] = {{"number", id}, {"id", id}, {NULL, NULL}};
    int answered;
    if (utf8_length(text) < ANSWER_MIN_CHARS || count_words(text) < ANSWER_MIN_WORDS)
        return staff_reply(t, "staff_answer_too_short", vars);
    if (incidents_answer(t->hx, r, t->actor, t->staff, text, &answered) < 0)
        return -1;
    if (!answered)
        return staff_reply(t, "staff_incident_nothing_to_answer", vars);
    char n[16];
    snprintf(n, sizeof n, "%d", answered);
    struct i18n_var told[] = {{"id", id}, {"appeals", n, "appeals_n"}, {NULL, NULL}};
    return staff_reply(t, "staff_incident_answered", told);
}

/* An incident that is split, or whose cases are all closed, takes no more actions. */
static int incident_over(struct staff_turn *t, const struct incident_rec *r,
                         const struct incident_view *v, const char *id)
{
    struct i18n_var vars[] = {{"id", id}, {NULL, NULL}};
    if (strcmp(r->status, "split") && v->open)
        return 0;
    return staff_reply(t, "staff_incident_over", vars) < 0 ? -1 : 1;
}

/* The answer to all, as a reply to the incident's card. */
static int incident_answer(struct staff_turn *t, int64_t n, const char *text)
{
    struct incident_rec r;
    struct incident_view v;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)n);
    incident_rec_init(&r);
    int rc = load_incident(t, id, &r, &v);
    if (rc > 0) {
        struct i18n_var vars[] = {{"id", id}, {NULL, NULL}};
        if (t->in->attachment_kind) /* a file for all: not sent, said so */
            rc = staff_reply(t, "incident_answer_hint", vars);
        else if ((rc = incident_over(t, &r, &v, id)) == 0)
            rc = incident_answer_loaded(t, &r, id, text);
    }
    incident_rec_release(&r);
    return rc < 0 ? -1 : 0;
}

/* /incident ID [confirm | split | answer TEXT | add N | remove N] */
static int cmd_incident(struct staff_turn *t, const char *args)
{
    char id[24], action[16], number[24];
    struct incident_rec r;
    struct incident_view v;
    command_token(&args, id, sizeof id);
    command_token(&args, action, sizeof action);
    if (!*id)
        return cmd_incidents(t);
    incident_rec_init(&r);
    int rc = load_incident(t, id, &r, &v);
    if (rc <= 0)
        goto out;
    struct i18n_var vars[] = {{"id", id}, {NULL, NULL}};
    char size[16];
    snprintf(size, sizeof size, "%d", v.size);
    struct i18n_var sized[] = {{"id", id}, {"appeals", size, "appeals_n"}, {NULL, NULL}};
    if (!*action) { /* the card, here: a reply to it answers all */
        rc = incidents_card(t->hx, &r, t->in->sender, t->staff->lang);
        goto out;
    }
    if ((rc = incident_over(t, &r, &v, id)) != 0)
        goto out;
    if (!strcmp(action, "confirm")) {
        rc = incidents_confirm(t->hx, &r, t->actor);
        rc = rc < 0 ? -1 : staff_reply(t, "staff_incident_confirmed", sized);
    } else if (!strcmp(action, "split")) {
        rc = incidents_split(t->hx, &r, t->actor);
        rc = rc < 0 ? -1 : staff_reply(t, "staff_incident_split", sized);
    } else if (!strcmp(action, "answer")) {
        rc = incident_answer_loaded(t, &r, id, args);
    } else if (!strcmp(action, "add") || !strcmp(action, "remove")) {
        struct case_rec c;
        command_token(&args, number, sizeof number);
        case_init(&c);
        rc = load_case(t, number, &c);
        struct i18n_var both[] = {{"id", id}, {"number", c.number}, {NULL, NULL}};
        if (rc <= 0)
            ;
        else if (!strcmp(action, "remove"))
            rc = c.incident_id != r.id ? staff_reply(t, "staff_incident_not_in", both)
                 : incidents_remove(t->hx, &c, t->actor) < 0
                     ? -1
                     : staff_reply(t, "staff_incident_removed", both);
        else if (!case_is_open(c.status))
            rc = staff_reply(t, "staff_case_closed", both);
        else if (c.incident_id == r.id)
            rc = staff_reply(t, "staff_incident_added", both);
        else if (strcmp(c.body, r.body))
            rc = staff_reply(t, "staff_incident_other_body", both);
        else
            rc = incidents_remove(t->hx, &c, t->actor) < 0 ||
                         incidents_add(t->hx, &c, &r, t->actor) < 0
                     ? -1
                     : staff_reply(t, "staff_incident_added", both);
        case_release(&c);
    } else {
        rc = staff_reply(t, "staff_incident_usage", vars);
    }
out:
    incident_rec_release(&r);
    return rc < 0 ? -1 : 0;
}

/* A button on an incident card. */
static int incident_button(struct staff_turn *t, const struct payload *p)
{
    char args[48];
    struct i18n_var vars[] = {{"id", p->number}, {NULL, NULL}};
    if (p->incident_action == INCIDENT_ANSWER)
        return staff_reply(t, "incident_answer_hint", vars);
    snprintf(args, sizeof args, "%s %s", p->number, incident_action_name(p->incident_action));
    return cmd_incident(t, args);
}

/* A button on a case card (bot/domain/payload.h). */
static int card_button(struct staff_turn *t, const char *text)
{
    struct payload p;
    if (payload_parse(text, &p) == 0 && p.kind == PAYLOAD_INCIDENT)
        return incident_button(t, &p);
    if (payload_parse(text, &p) < 0 || p.kind != PAYLOAD_CARD)
        return staff_reply(t, "staff_help", NULL);
    struct i18n_var vars[] = {{"number", p.number}, {NULL, NULL}};
    switch (p.action) {
    case CARD_TAKE:
        return with_open_case(t, p.number, take, NULL);
    case CARD_CLOSE:
        return with_open_case(t, p.number, close_case, "resolved");
    /* the rest need words: say how */
    case CARD_ANSWER:
        return staff_reply(t, "card_answer_hint", vars);
    case CARD_TRANSFER:
        return staff_reply(t, "staff_transfer_usage", vars);
    case CARD_EXTEND:
        return staff_reply(t, "staff_extend_usage", vars);
    default:
        return staff_reply(t, "staff_help", NULL);
    }
}

/* A photo or document replying to a card goes to the citizen by file id, where their channel takes
 * files. */
static int photo_to_citizen(struct staff_turn *t, struct case_rec *c, const char *arg)
{
    (void)arg;
    struct citizen who;
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (store_citizen_get(t->hx->store, c->citizen_id, &who) != 1)
        return -1;
    if (!channel_profile(who.channel)->files || who.unreachable)
        return staff_reply(t, "staff_photo_not_sent", vars);
    struct reply r;
    reply_begin(&r, t->hx, who.channel, who.address, who.lang, c->id);
    if (t->in->text_len)
        reply_raw(&r, t->in->text, t->in->text_len);
    snprintf(r.msg.media, sizeof r.msg.media, "%s:%s", t->in->attachment_kind,
             t->in->attachment_ref);
    if (reply_queue(&r) < 0 ||
        lifecycle_event(t->hx, c, t->actor, "file_sent", t->in->attachment_kind) < 0)
        return -1;
    return staff_reply(t, "staff_photo_sent", vars);
}

/* A reply to a case card (or any message about a case) is an answer to that case. */
static int incident_answer(struct staff_turn *t, int64_t id, const char *text);

static int reply_to_card(struct staff_turn *t, const char *text)
{
    int64_t incident =
        store_incident_of_sent(t->hx->store, t->in->channel, t->in->sender, t->in->reply_to);
    if (incident)
        return incident < 0 ? -1 : incident_answer(t, incident, text);
    int64_t id = store_case_of_sent(t->hx->store, t->in->channel, t->in->sender, t->in->reply_to);
    struct case_rec c;
    if (id < 0)
        return -1;
    if (id == 0)
        return staff_reply(t, "staff_help", NULL);
    case_init(&c);
    int rc = store_case_get(t->hx->store, id, &c);
    char number[24];
    snprintf(number, sizeof number, "%s", c.number);
    case_release(&c);
    if (rc <= 0)
        return rc;
    return with_open_case(t, number, t->in->attachment_kind ? photo_to_citizen : answer, text);
}

/* /web: a link that signs in once, within web.link_minutes; never in a group, where all would
 * see it. */
static int cmd_web(struct staff_turn *t)
{
    const struct config *cfg = t->hx->cfg;
    char token[TOKEN_LEN + 1], minutes[16];
    if (t->in->in_group)
        return staff_reply(t, "web_private_only", NULL);
    if (token_new(token) < 0 || store_web_link_add(t->hx->store, token, t->staff->id, t->hx->now,
                                                   t->hx->now + cfg->web.link_minutes * 60LL) < 0)
        return -1;
    struct sbuf url = SBUF_INIT;
    sbuf_addf(&url, "%s/web/signin?t=%s&lang=%s", cfg->web.url, token, lang_codes[t->staff->lang]);
    snprintf(minutes, sizeof minutes, "%d", cfg->web.link_minutes);
    struct i18n_var vars[] = {{"url", url.buf}, {"minutes", minutes, "minutes_n"}, {NULL, NULL}};
    int rc = staff_reply(t, "web_link", vars);
    sbuf_release(&url);
    return rc;
}

static int run_turn(struct staff_turn t);

int staff_handle(const struct handler_ctx *hx, const struct staff *staff, const struct inbound *in)
{
    struct staff_turn t = {hx, staff, in, "", NULL};
    return run_turn(t);
}

int staff_act(const struct handler_ctx *hx, const struct staff *staff, const char *command,
              struct sbuf *told)
{
    static const char *const actions[] = {"/take ",     "/answer ",  "/close ", "/extend ",
                                          "/transfer ", "/forward ", NULL};
    int known = 0;
    for (int i = 0; actions[i]; i++)
        known |= !strncmp(command, actions[i], strlen(actions[i]));
    if (!known)
        return 1;
    char sender[CONFIG_ID_MAX + 8];
    snprintf(sender, sizeof sender, "staff:%s", staff->id);
    struct inbound in = {.kind = INBOUND_MESSAGE,
                         .channel = "web",
                         .external_id = "",
                         .sender = sender,
                         .text = command,
                         .text_len = strlen(command)};
    struct staff_turn t = {hx, staff, &in, "", told};
    return run_turn(t);
}

/* A turn is the caller's copy: its actor is written here. */
static int run_turn(struct staff_turn t)
{
    const struct handler_ctx *hx = t.hx;
    const struct staff *staff = t.staff;
    const struct inbound *in = t.in;
    char cmd[32] = "", number[24] = "";
    const char *text = in->text ? in->text : "";
    snprintf(t.actor, sizeof t.actor, "staff:%s", staff->id);

    if (in->payload)
        return card_button(&t, in->payload);
    if (in->reply_to && ((text[0] && text[0] != '/') || in->attachment_kind))
        return reply_to_card(&t, text);
    struct command parsed;
    command_parse(text, &parsed);
    snprintf(cmd, sizeof cmd, "%s", parsed.slash ? parsed.name.buf : "");
    /* a pointer into the text itself: the answer after the number is never copied or cut */
    const char *after_number = parsed.rest, *parsed_rest = parsed.rest;
    command_token(&after_number, number, sizeof number);
    command_release(&parsed);
    if (!*cmd)
        return staff_reply(&t, "staff_help", NULL);

    if (!strcmp(cmd, "inbox"))
        return cmd_inbox(&t);
    if (!strcmp(cmd, "overdue"))
        return cmd_overdue(&t);
    if (!strcmp(cmd, "incidents"))
        return cmd_incidents(&t);
    if (!strcmp(cmd, "incident"))
        return cmd_incident(&t, parsed_rest);
    if (!strcmp(cmd, "web"))
        return cmd_web(&t);
    if (!strcmp(cmd, "stats")) {
        struct reply r;
        reply_begin(&r, hx, in->channel, in->sender, staff->lang, 0);
        const char *body = staff->role == ROLE_SUPERVISOR || !staff->body ? NULL : staff->body->id;
        int rc = stats_render(hx, staff->lang, number, body, &r.msg.text);
        if (rc != 0) {
            reply_discard(&r);
            return rc < 0 ? -1 : staff_reply(&t, "stats_usage", NULL);
        }
        return reply_queue(&r);
    }
    if (!strcmp(cmd, "case") && *number)
        return cmd_case(&t, number);
    if (!strcmp(cmd, "take") && *number)
        return with_open_case(&t, number, take, NULL);
    if (!strcmp(cmd, "answer") && *number)
        return with_open_case(&t, number, answer, after_number);
    if (!strcmp(cmd, "close") && *number)
        return with_open_case(&t, number, close_case, after_number);
    if (!strcmp(cmd, "extend") && *number)
        return with_open_case(&t, number, extend, after_number);
    if (!strcmp(cmd, "transfer") && *number)
        return with_open_case(&t, number, transfer, after_number);
    if (!strcmp(cmd, "forward") && *number)
        return with_open_case(&t, number, forward, after_number);
    return staff_reply(&t, "staff_help", NULL);
}
