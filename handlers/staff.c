/*
 * staff: officers, council members and supervisors working cases in chat.
 *
 * Commands: /inbox, /case N, /take N, /answer N TEXT, /close N OUTCOME [REASON],
 * /extend N DATE REASON, /transfer N BODY, /forward N OUTSIDE-BODY, /stats [PERIOD];
 * supervisors: /overdue.
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
#include "bot/lib/command.h"
#include "bot/lib/log.h"
#include "bot/lib/utf8.h"
#include "handlers/handler.h"

#define INBOX_LISTED 20
#define ANSWER_MIN_CHARS 20
#define ANSWER_MIN_WORDS 3

struct staff_turn {
    const struct handler_ctx *hx;
    const struct staff *staff;
    const struct inbound *in;
    char actor[48];
};

static int staff_reply(struct staff_turn *t, const char *key, const struct i18n_var *vars)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, key, vars);
    return reply_queue(&r);
}

static int may_act_on(const struct staff *st, const struct case_rec *c)
{
    if (st->role == ROLE_SUPERVISOR)
        return 1;
    return st->body && !strcmp(st->body->id, c->body);
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
    if (!may_act_on(t->staff, c)) {
        struct i18n_var why[] = {{"number", number},
                                 {"body", handler_body_name(t->hx->cfg, c->body, t->staff->lang)},
                                 {NULL, NULL}};
        return staff_reply(t, "staff_not_yours", why) < 0 ? -1 : 0;
    }
    return 1;
}

/* Tells the citizen the case's new status (rendered in the citizen's language). */
static int notify_status(struct staff_turn *t, const struct case_rec *c, const char *note)
{
    struct citizen who;
    if (store_citizen_get(t->hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct sbuf status = SBUF_INIT;
    i18n_render(&t->hx->cfg->texts, who.lang, handler_status_key(c->status), NULL, &status);
    struct i18n_var vars[] = {
        {"number", c->number}, {"status", status.buf}, {"note", note ? note : ""}, {NULL, NULL}};
    int rc =
        handler_notify_citizen(t->hx, c, note ? "status_changed_note" : "status_changed", vars);
    sbuf_release(&status);
    return rc;
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
    handler_case_summary(ic->t->hx, c, ic->t->staff->lang, ic->t->in->channel, &ic->r->msg.text);
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
};

static int overdue_line(void *ctx, const struct case_rec *c)
{
    struct overdue_ctx *oc = ctx;
    const struct config *cfg = oc->t->hx->cfg;
    char due[11], days[16];
    handler_format_day(c->due_day, due);
    snprintf(days, sizeof days, "%d",
             calendar_working_days_between(&cfg->calendar, c->due_day, oc->today));
    struct i18n_var vars[] = {{"number", c->number},
                              {"body", handler_body_name(cfg, c->body, oc->t->staff->lang)},
                              {"due", due},
                              {"days", days},
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
    struct overdue_ctx oc = {t, &r, calendar_local_day(&cfg->calendar, t->hx->now), 0};
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->staff->lang, 0);
    reply_text(&r, "staff_overdue_header", NULL);
    for (size_t b = 0; b < cfg->nbodies; b++) {
        if (store_cases_overdue(t->hx->store, oc.today, cfg->bodies[b].id, overdue_line, &oc) < 0) {
            reply_discard(&r);
            return -1;
        }
    }
    if (!oc.n) {
        reply_discard(&r);
        return staff_reply(t, "staff_overdue_none", NULL);
    }
    return reply_queue(&r);
}

struct history_ctx {
    struct reply *r;
    const struct config *cfg;
};

static int history_line(void *ctx, int64_t at, const char *actor, const char *kind,
                        const char *detail)
{
    struct history_ctx *hc = ctx;
    char day[11];
    int32_t local = calendar_local_day(&hc->cfg->calendar, at);
    int64_t secs = at + (int64_t)hc->cfg->calendar.utc_offset_min * 60 - (int64_t)local * 86400;
    calendar_format_local(local, day);
    sbuf_addf(&hc->r->msg.text, "\n%s %02d:%02d %s %s", day, (int)(secs / 3600),
              (int)(secs / 60 % 60), actor, kind);
    if (detail && *detail && !strchr(detail, '\n'))
        sbuf_addf(&hc->r->msg.text, " (%s)", detail);
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
    handler_case_summary(t->hx, &c, t->staff->lang, t->in->channel, &r.msg.text);
    sbuf_addstr(&r.msg.text, "\n\n");
    sbuf_add(&r.msg.text, c.text.buf, c.text.len);
    sbuf_addch(&r.msg.text, '\n');
    struct history_ctx hc = {&r, t->hx->cfg};
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
    snprintf(c->assignee, sizeof c->assignee, "%s", t->staff->id);
    snprintf(c->status, sizeof c->status, "in_progress");
    if (handler_case_save(t->hx, c) < 0 ||
        handler_event(t->hx, c, t->actor, "taken", t->staff->name) < 0 ||
        notify_status(t, c, NULL) < 0)
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
    snprintf(c->status, sizeof c->status, "answered");
    if (!*c->assignee)
        snprintf(c->assignee, sizeof c->assignee, "%s", t->staff->id);
    c->answered_at = t->hx->now;
    if (!c->first_answer_at)
        c->first_answer_at = t->hx->now;
    c->rating = 0;
    if (handler_case_save(t->hx, c) < 0 ||
        store_message_add(t->hx->store, c->id, t->hx->now, t->actor, text, strlen(text)) < 0 ||
        handler_event(t->hx, c, t->actor, "answered", "") < 0 ||
        handler_send_answer(t->hx, c, text) < 0 || handler_ask_rating(t->hx, c) < 0)
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
    snprintf(c->status, sizeof c->status, "closed");
    snprintf(c->outcome, sizeof c->outcome, "%s", outcome);
    c->closed_at = t->hx->now;
    struct citizen who;
    if (store_citizen_get(t->hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct sbuf note = SBUF_INIT;
    i18n_render(&t->hx->cfg->texts, who.lang,
                !strcmp(outcome, "resolved") ? "outcome_resolved" : "outcome_rejected", NULL,
                &note);
    if (*reason) {
        sbuf_addstr(&note, ": ");
        sbuf_addstr(&note, reason);
    }
    int rc;
    if (handler_case_save(t->hx, c) < 0 ||
        handler_event(t->hx, c, t->actor, "closed", note.buf) < 0 ||
        notify_status(t, c, note.buf) < 0)
        rc = -1;
    else
        rc = staff_reply(t, "staff_closed", vars);
    sbuf_release(&note);
    return rc;
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

/* The same day `months` later, or the month's last day when it is shorter. */
static int32_t add_months(int32_t day, int months)
{
    int y, m, d;
    calendar_ymd_from_day(day, &y, &m, &d);
    m += months;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
    return calendar_day_from_ymd(y, m, d < last ? d : last);
}

/* /extend N DATE REASON: only with a reason, at most extension_max_months after registration. */
static int extend(struct staff_turn *t, struct case_rec *c, const char *args)
{
    const struct config *cfg = t->hx->cfg;
    char date[16], from[11], to[11], limit[11];
    int32_t new_due;
    const char *reason = args;
    command_token(&reason, date, sizeof date);
    int32_t registered = calendar_local_day(&cfg->calendar, c->registered_at);
    int32_t max_due = add_months(registered, cfg->deadlines.extension_max_months);
    handler_format_day(max_due, limit);
    struct i18n_var vars[] = {{"number", c->number}, {"max", limit}, {NULL, NULL}};
    if (!*date || parse_day(date, &new_due) < 0 || count_words(reason) < ANSWER_MIN_WORDS)
        return staff_reply(t, "staff_extend_usage", vars);
    if (new_due <= c->due_day || !calendar_is_working(&cfg->calendar, new_due))
        return staff_reply(t, "staff_extend_not_later", vars);
    if (new_due > max_due)
        return staff_reply(t, "staff_extend_too_far", vars);
    handler_format_day(c->due_day, from);
    handler_format_day(new_due, to);
    c->due_day = new_due;
    struct sbuf detail = SBUF_INIT;
    sbuf_addf(&detail, "%s -> %s: %s", from, to, reason);
    struct i18n_var told[] = {{"number", c->number}, {"due", to}, {"reason", reason}, {NULL, NULL}};
    int rc = (handler_case_save(t->hx, c) < 0 ||
              handler_event(t->hx, c, t->actor, "extended", detail.buf) < 0 ||
              handler_notify_citizen(t->hx, c, "case_extended", told) < 0)
                 ? -1
                 : staff_reply(t, "staff_extended", told);
    sbuf_release(&detail);
    return rc;
}

/* /transfer N BODY: to another body in tyndau; the due date stays. */
static int transfer(struct staff_turn *t, struct case_rec *c, const char *args)
{
    const struct config *cfg = t->hx->cfg;
    char id[CONFIG_ID_MAX];
    command_token(&args, id, sizeof id);
    const struct body *to = config_body(cfg, id);
    struct i18n_var vars[] = {{"number", c->number}, {"body", id}, {NULL, NULL}};
    if (!to || !strcmp(to->id, c->body))
        return staff_reply(t, "staff_transfer_usage", vars);
    char detail[80];
    snprintf(detail, sizeof detail, "%s -> %s", c->body, to->id);
    snprintf(c->body, sizeof c->body, "%s", to->id);
    snprintf(c->status, sizeof c->status, "registered");
    c->assignee[0] = 0;
    struct citizen who;
    if (store_citizen_get(t->hx->store, c->citizen_id, &who) != 1)
        return -1;
    struct i18n_var told[] = {{"number", c->number}, {"body", to->name[who.lang]}, {NULL, NULL}};
    struct i18n_var done[] = {
        {"number", c->number}, {"body", to->name[t->staff->lang]}, {NULL, NULL}};
    if (handler_case_save(t->hx, c) < 0 ||
        handler_event(t->hx, c, t->actor, "transferred", detail) < 0 ||
        handler_send_card(t->hx, to, c) < 0 ||
        handler_notify_citizen(t->hx, c, "case_transferred", told) < 0)
        return -1;
    return staff_reply(t, "staff_transferred", done);
}

/*
 * /forward N NAME: to a body outside tyndau; the case closes as forwarded.
 * The law gives forward_days working days from registration; later is flagged.
 */
static int forward(struct staff_turn *t, struct case_rec *c, const char *name)
{
    const struct config *cfg = t->hx->cfg;
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (utf8_length(name) < 3)
        return staff_reply(t, "staff_forward_usage", vars);
    int32_t registered = calendar_local_day(&cfg->calendar, c->registered_at);
    int32_t today = calendar_local_day(&cfg->calendar, t->hx->now);
    int taken = calendar_working_days_between(&cfg->calendar, registered, today);
    snprintf(c->status, sizeof c->status, "closed");
    snprintf(c->outcome, sizeof c->outcome, "forwarded");
    c->closed_at = t->hx->now;
    struct i18n_var told[] = {{"number", c->number}, {"body", name}, {NULL, NULL}};
    if (handler_case_save(t->hx, c) < 0 ||
        handler_event(t->hx, c, t->actor, "forwarded", name) < 0 ||
        handler_notify_citizen(t->hx, c, "case_forwarded", told) < 0)
        return -1;
    if (taken > cfg->deadlines.forward_days) {
        char detail[64], days[16];
        snprintf(detail, sizeof detail, "%d working days after registration", taken);
        snprintf(days, sizeof days, "%d", taken);
        struct i18n_var late[] = {{"number", c->number}, {"days", days}, {NULL, NULL}};
        if (handler_event(t->hx, c, t->actor, "forward_late", detail) < 0)
            return -1;
        return staff_reply(t, "staff_forward_late", late);
    }
    return staff_reply(t, "staff_forwarded", told);
}

/* A button on a case card: s:ACTION:NUMBER. */
static int card_button(struct staff_turn *t, const char *payload)
{
    char action[16] = "", number[24] = "";
    if (sscanf(payload, "s:%15[a-z]:%23[0-9]", action, number) != 2)
        return staff_reply(t, "staff_help", NULL);
    struct i18n_var vars[] = {{"number", number}, {NULL, NULL}};
    if (!strcmp(action, "take"))
        return with_open_case(t, number, take, NULL);
    if (!strcmp(action, "close"))
        return with_open_case(t, number, close_case, "resolved");
    /* the rest need words: say how */
    if (!strcmp(action, "answer"))
        return staff_reply(t, "card_answer_hint", vars);
    if (!strcmp(action, "transfer"))
        return staff_reply(t, "staff_transfer_usage", vars);
    if (!strcmp(action, "extend"))
        return staff_reply(t, "staff_extend_usage", vars);
    return staff_reply(t, "staff_help", NULL);
}

/* A photo or document replying to a card goes to the citizen (on Telegram), by file id. */
static int photo_to_citizen(struct staff_turn *t, struct case_rec *c, const char *arg)
{
    (void)arg;
    struct citizen who;
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    if (store_citizen_get(t->hx->store, c->citizen_id, &who) != 1)
        return -1;
    if (strcmp(who.channel, "telegram") != 0 || who.unreachable)
        return staff_reply(t, "staff_photo_not_sent", vars);
    struct reply r;
    reply_begin(&r, t->hx, who.channel, who.address, who.lang, c->id);
    if (t->in->text_len)
        reply_raw(&r, t->in->text, t->in->text_len);
    snprintf(r.msg.media, sizeof r.msg.media, "%s:%s", t->in->attachment_kind,
             t->in->attachment_ref);
    if (reply_queue(&r) < 0 ||
        handler_event(t->hx, c, t->actor, "file_sent", t->in->attachment_kind) < 0)
        return -1;
    return staff_reply(t, "staff_photo_sent", vars);
}

/* A reply to a case card (or any message about a case) is an answer to that case. */
static int reply_to_card(struct staff_turn *t, const char *text)
{
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

int staff_handle(const struct handler_ctx *hx, const struct staff *staff, const struct inbound *in)
{
    struct staff_turn t = {hx, staff, in, ""};
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
    const char *after_number = parsed.rest;
    command_token(&after_number, number, sizeof number);
    command_release(&parsed);
    if (!*cmd)
        return staff_reply(&t, "staff_help", NULL);

    if (!strcmp(cmd, "inbox"))
        return cmd_inbox(&t);
    if (!strcmp(cmd, "overdue"))
        return cmd_overdue(&t);
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
