/*
 * citizen: a citizen's side of the conversation, on any channel.
 *
 * Free text at any time starts an appeal.  The router guesses category and
 * district; the citizen fills in what is missing, confirms or changes the
 * guess, picks the appeal type, and the case is registered with a number,
 * a due date and a responsible body.  The conversation (state, draft case,
 * choices offered) lives in the store, so a restart mid-flow resumes it.
 *
 * The states and their moves are drawn in bot/domain/conversation.h; the
 * case's own statuses and transitions in handlers/lifecycle.h.
 *
 * Commands work in every state: /start [CODE], /help, /status N (or just
 * the number), /cases, /lang, /cancel; the catalogs hold the same words in
 * Kazakh, Russian and English for phones without a slash key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/casenum.h"
#include "bot/lib/command.h"
#include "bot/lib/log.h"
#include "bot/lib/phone.h"
#include "bot/domain/router.h"
#include "bot/lib/utf8.h"
#include "bot/domain/case_state.h"
#include "bot/domain/payload.h"
#include "handlers/handler.h"
#include "handlers/incidents.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/notify.h"
#include "handlers/reply.h"

#define CASES_LISTED 10

static const char *const appeal_types[] = {"complaint", "application", "proposal", "request"};

struct turn {
    const struct handler_ctx *hx;
    struct citizen *citizen;
    const struct inbound *in;
    struct conversation cv;
    struct sbuf text; /* the message, trimmed */
    char actor[40];
    int keyword_lang_changed; /* a keyword set the citizen's language: save it */
};

static int reply_simple(struct turn *t, const char *key, const struct i18n_var *vars)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, t->cv.case_id);
    reply_text(&r, key, vars);
    return reply_queue(&r);
}

/* A payload with an id (a district, a category, a type). */
static struct payload with_id(enum payload_kind kind, const char *id)
{
    struct payload p = {.kind = kind};
    snprintf(p.id, sizeof p.id, "%s", id);
    return p;
}

/* A button that sends p, labelled by the catalog text label_key. */
static void offer(struct reply *r, const char *label_key, struct payload p)
{
    char text[PAYLOAD_MAX];
    payload_format(&p, text);
    reply_button(r, label_key, text);
}

/* A button that sends p, labelled by a name from the config (and its short form). */
static void offer_named(struct reply *r, const char *name, const char *short_name, struct payload p)
{
    char text[PAYLOAD_MAX];
    payload_format(&p, text);
    reply_button_raw(r, name, short_name, text);
}

/* Queues r and makes its buttons the choices a digit can pick. */
static int reply_with_choices(struct turn *t, struct reply *r, enum conv_state state)
{
    t->cv.state = state;
    sbuf_reset(&t->cv.choices);
    sbuf_addstr(&t->cv.choices, r->choices.buf);
    if (store_conversation_set(t->hx->store, t->citizen->id, &t->cv, t->hx->now) < 0) {
        reply_discard(r);
        return -1;
    }
    return reply_queue(r);
}

static int set_idle(struct turn *t)
{
    t->cv.state = CONV_IDLE;
    t->cv.case_id = 0;
    t->cv.picked = 0;
    sbuf_reset(&t->cv.choices);
    return store_conversation_set(t->hx->store, t->citizen->id, &t->cv, t->hx->now);
}

static int is_word(void *ctx, const char *item, size_t len, int index)
{
    const char *word = ctx;
    (void)index;
    return len && len == strlen(word) && !memcmp(item, word, len);
}

/* Is word in the comma-separated list of the catalog text `key` of language l? */
static int in_keyword_list(const struct config *cfg, enum lang l, const char *key, const char *word)
{
    return i18n_items(&cfg->texts, l, key, is_word, (void *)word);
}

/*
 * Is word one of the words of catalog text `key`, in any language?  The
 * language it was written in becomes the citizen's unless they chose one or
 * their own words already showed one the word also belongs to: a new phone
 * writing ПОМОЩЬ or HELP is answered in Russian or English.  A word in
 * several lists (СТОП) belongs to the language its letters say.
 */
static int keyword(struct turn *t, const char *key, const char *word)
{
    const struct config *cfg = t->hx->cfg;
    int detected = lang_detect(word, strlen(word)), found = -1;
    for (int l = 0; l < LANG_COUNT; l++) {
        if (!in_keyword_list(cfg, (enum lang)l, key, word))
            continue;
        if (found < 0 || l == detected)
            found = l;
    }
    if (found < 0)
        return 0;
    struct citizen *c = t->citizen;
    if (c->lang_chosen || (c->lang_detected && in_keyword_list(cfg, c->lang, key, word)))
        return 1; /* a Kazakh speaker typing СТАТУС stays Kazakh */
    if (c->lang != (enum lang)found || !c->lang_detected) {
        c->lang = (enum lang)found;
        c->lang_detected = 1;
        t->keyword_lang_changed = 1;
    }
    return 1;
}

static void digits_only(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++)
        if (*s >= '0' && *s <= '9')
            out[n++] = *s;
    out[n] = 0;
}

static int show_help(struct turn *t)
{
    return reply_simple(t, "help", NULL);
}

/*
 * The citizen's own case by the number they typed: 1 loaded, 0 when they were told it is not
 * (no number, mistyped, not found or not theirs), -1 on error.
 */
static int own_case(struct turn *t, const char *typed, struct case_rec *c)
{
    char number[24];
    digits_only(typed, number, sizeof number);
    struct i18n_var vars[] = {{"number", number}, {NULL, NULL}};
    if (!*number)
        return reply_simple(t, "status_which", NULL) < 0 ? -1 : 0;
    if (!casenum_valid(number))
        return reply_simple(t, "status_mistyped", vars) < 0 ? -1 : 0;
    int rc = store_case_by_number(t->hx->store, number, c);
    if (rc < 0)
        return -1;
    /* Someone else's case reads exactly like a missing one: numbers are guessable. */
    int mine = rc == 1 ? store_same_person(t->hx->store, c->citizen_id, t->citizen->id) : 0;
    if (mine < 0)
        return -1;
    if (rc == 0 || !mine)
        return reply_simple(t, "status_not_found", vars) < 0 ? -1 : 0;
    return 1;
}

/*
 * PUBLIC N / PRIVATE N: whether the words of the citizen's appeal are shown on the open portal
 * (Open311's description).  Off until they say so; never their name, phone or chat.
 */
static int set_public(struct turn *t, const char *typed, int published)
{
    struct case_rec c;
    case_init(&c);
    int rc = own_case(t, typed, &c);
    if (rc == 1) {
        struct i18n_var vars[] = {{"number", c.number}, {NULL, NULL}};
        if (c.published != published) {
            c.published = published;
            if (lifecycle_save(t->hx, &c) < 0 ||
                lifecycle_event(t->hx, &c, t->actor, published ? "published" : "unpublished", "") <
                    0)
                rc = -1;
        }
        if (rc == 1)
            rc = reply_simple(t, published ? "public_done" : "private_done", vars);
    }
    case_release(&c);
    return rc < 0 ? -1 : 0;
}

static int show_status(struct turn *t, const char *typed)
{
    struct case_rec c;
    case_init(&c);
    int rc = own_case(t, typed, &c);
    if (rc <= 0)
        goto out;
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, c.id);
    names_case_summary(t->hx, &c, t->citizen->lang, t->in->channel, &r.msg.text);
    rc = reply_queue(&r);
out:
    case_release(&c);
    return rc < 0 ? -1 : 0;
}

struct list_ctx {
    struct turn *t;
    struct reply *r;
    int n;
};

static int list_one(void *ctx, const struct case_rec *c)
{
    struct list_ctx *lc = ctx;
    sbuf_addstr(&lc->r->msg.text, "\n");
    names_case_summary(lc->t->hx, c, lc->t->citizen->lang, lc->t->in->channel, &lc->r->msg.text);
    lc->n++;
    return 0;
}

static int list_cases(struct turn *t)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, 0);
    reply_text(&r, "cases_header", NULL);
    struct list_ctx lc = {t, &r, 0};
    if (store_cases_of_citizen(t->hx->store, t->citizen->id, CASES_LISTED, list_one, &lc) < 0) {
        reply_discard(&r);
        return -1;
    }
    if (!lc.n) {
        reply_discard(&r);
        return reply_simple(t, "cases_none", NULL);
    }
    return reply_queue(&r);
}

struct answer_ctx {
    struct sbuf *out;
};

static int last_answer(void *ctx, int64_t at, const char *author, const char *text, size_t len)
{
    struct answer_ctx *ac = ctx;
    (void)at;
    if (!strncmp(author, "staff:", 6)) {
        sbuf_reset(ac->out);
        sbuf_add(ac->out, text, len);
    }
    return 0;
}

/* FULL N: the whole answer to one of the citizen's cases, however many SMS it takes. */
static int send_full_answer(struct turn *t, const char *typed)
{
    char number[24];
    struct case_rec c;
    struct sbuf answer = SBUF_INIT;
    int rc;
    digits_only(typed, number, sizeof number);
    struct i18n_var vars[] = {{"number", number}, {NULL, NULL}};
    case_init(&c);
    rc = casenum_valid(number) ? store_case_by_number(t->hx->store, number, &c) : 0;
    int mine = rc == 1 ? store_same_person(t->hx->store, c.citizen_id, t->citizen->id) : 0;
    if (rc < 0 || mine < 0) {
        rc = -1;
        goto out;
    }
    struct answer_ctx ac = {&answer};
    if (rc == 0 || !mine || store_messages_of_case(t->hx->store, c.id, last_answer, &ac) < 0 ||
        !answer.len) {
        rc = reply_simple(t, "full_none", vars);
        goto out;
    }
    struct reply r;
    struct i18n_var full[] = {{"number", c.number}, {"answer", answer.buf}, {NULL, NULL}};
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, c.id);
    reply_text(&r, "answer_received", full);
    rc = reply_queue(&r);
out:
    case_release(&c);
    sbuf_release(&answer);
    return rc;
}

/*
 * STOP: from now on the store suppresses every message to this citizen but
 * the confirmation (kind "stop"), until they write again.
 */
static int confirm_stop(struct turn *t)
{
    struct reply r;
    t->citizen->stopped = 1;
    if (store_citizen_save(t->hx->store, t->citizen) < 0)
        return -1;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, 0);
    reply_text(&r, "stop_confirmed", NULL);
    snprintf(r.msg.kind, sizeof r.msg.kind, "stop");
    return reply_queue(&r);
}

static int offer_languages(struct turn *t)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, t->cv.case_id);
    reply_text(&r, "language_choose", NULL);
    for (int l = 0; l < LANG_COUNT; l++) {
        char key[32];
        snprintf(key, sizeof key, "language_name_%s", lang_codes[l]);
        offer(&r, key, (struct payload){.kind = PAYLOAD_LANG, .lang = (enum lang)l});
    }
    /* keep the draft: a language switch mid-flow must not lose the appeal */
    return reply_with_choices(t, &r, CONV_LANG);
}

static int cancel_draft(struct turn *t)
{
    if (t->cv.case_id) {
        struct case_rec c;
        case_init(&c);
        if (store_case_get(t->hx->store, t->cv.case_id, &c) == 1 && c.status == CASE_DRAFT) {
            if (lifecycle_withdraw(t->hx, &c, t->actor) < 0) {
                case_release(&c);
                return -1;
            }
        }
        case_release(&c);
    }
    if (set_idle(t) < 0)
        return -1;
    return reply_simple(t, "draft_cancelled", NULL);
}

static int ask_type(struct turn *t, struct case_rec *c);

/*
 * The district question.  Where its list would cost more than one paid part
 * (eight districts do not fit one SMS), the citizen is asked to write the
 * district's name instead, and gets the list only if the name is not
 * recognised (full_list).
 */
static int ask_district(struct turn *t, struct case_rec *c, int full_list)
{
    const struct config *cfg = t->hx->cfg;
    enum lang lang = t->citizen->lang;
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, lang, c->id);
    reply_text(&r, "ask_district", NULL);
    for (size_t i = 0; i < cfg->ndistricts; i++)
        offer_named(&r, cfg->districts[i].name[lang], cfg->districts[i].short_name[lang],
                    with_id(PAYLOAD_DISTRICT, cfg->districts[i].id));
    if (!full_list && reply_parts(&r) > 1) {
        reply_discard(&r);
        reply_begin(&r, t->hx, t->in->channel, t->in->sender, lang, c->id);
        struct i18n_var vars[] = {
            {"example", cfg->ndistricts ? cfg->districts[0].short_name[lang] : ""}, {NULL, NULL}};
        reply_text(&r, "ask_district_name", vars);
    }
    return reply_with_choices(t, &r, CONV_ASK_DISTRICT);
}

/*
 * The topic question.  Where room is paid, the list is cut to one part: the
 * topics in the config's order while they fit, and always the catch-all
 * topic last (its appeals go to the district's akimat, which forwards).
 */
static int ask_category(struct turn *t, struct case_rec *c)
{
    const struct config *cfg = t->hx->cfg;
    enum lang lang = t->citizen->lang;
    const struct category *catch_all = NULL;
    struct reply r;
    for (size_t i = 0; i < cfg->ncategories; i++)
        if (cfg->categories[i].catch_all)
            catch_all = &cfg->categories[i];
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, lang, c->id);
    reply_text(&r, "ask_category", NULL);
    for (size_t i = 0; i < cfg->ncategories; i++) {
        const struct category *cat = &cfg->categories[i];
        if (cat == catch_all)
            continue;
        offer_named(&r, cat->name[lang], cat->short_name[lang], with_id(PAYLOAD_CATEGORY, cat->id));
        if (!catch_all)
            continue; /* every topic must be reachable: none is left out */
        offer_named(&r, catch_all->name[lang], catch_all->short_name[lang],
                    with_id(PAYLOAD_CATEGORY, catch_all->id));
        int over = reply_parts(&r) > 1;
        reply_pop_button(&r);
        if (over) {
            reply_pop_button(&r);
            break;
        }
    }
    if (catch_all)
        offer_named(&r, catch_all->name[lang], catch_all->short_name[lang],
                    with_id(PAYLOAD_CATEGORY, catch_all->id));
    return reply_with_choices(t, &r, CONV_ASK_CATEGORY);
}

/*
 * A problem already known: the draft fits an open incident.  The citizen is
 * told how many reported it since when and what the body last said, and may
 * join it or file apart.  1 offered, 0 no incident fits, -1 error.
 */
static int offer_incident(struct turn *t, struct case_rec *c)
{
    const struct config *cfg = t->hx->cfg;
    enum lang lang = t->citizen->lang;
    struct incident_rec inc;
    struct incident_view v;
    incident_rec_init(&inc);
    int rc = incidents_match(t->hx, c, &inc, &v);
    if (rc <= 0) {
        incident_rec_release(&inc);
        return rc;
    }
    char size[16], since[17];
    struct sbuf said = SBUF_INIT;
    snprintf(size, sizeof size, "%d", v.size);
    names_local_time(cfg, v.since, since);
    if (inc.answer.len) {
        struct i18n_var a[] = {{"answer", inc.answer.buf}, {NULL, NULL}};
        i18n_render(&cfg->texts, lang, "incident_known_answer", a, &said);
    }
    struct i18n_var vars[] = {{"appeals", size, "appeals_n"},
                              {"since", since},
                              {"category", names_category(cfg, c->category, lang)},
                              {"district", names_district(cfg, c->district, lang)},
                              {"answer", said.buf},
                              {NULL, NULL}};
    struct reply r;
    struct payload join = {.kind = PAYLOAD_JOIN};
    snprintf(join.number, sizeof join.number, "%lld", (long long)inc.id);
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, lang, c->id);
    reply_text(&r, "incident_known", vars);
    reply_cut_to_budget(&r, "…");
    offer(&r, "button_join", join);
    offer(&r, "button_separately", (struct payload){.kind = PAYLOAD_SEPARATE});
    offer(&r, "button_cancel", (struct payload){.kind = PAYLOAD_CANCEL});
    sbuf_release(&said);
    incident_rec_release(&inc);
    return reply_with_choices(t, &r, CONV_INCIDENT) < 0 ? -1 : 1;
}

/*
 * Asks the next question the draft still needs, or for confirmation; a route
 * the citizen chose whole (district and topic) is not a guess to confirm.  A
 * draft about a known problem is offered its incident first.
 */
static int ask_next(struct turn *t, struct case_rec *c)
{
    const struct config *cfg = t->hx->cfg;
    enum lang lang = t->citizen->lang;
    struct reply r;
    t->cv.case_id = c->id;
    if (!*c->district)
        return ask_district(t, c, 0);
    if (!*c->category)
        return ask_category(t, c);
    if (!(t->cv.picked & PICKED_SEPARATE)) {
        int offered = offer_incident(t, c);
        if (offered)
            return offered < 0 ? -1 : 0;
    }
    if ((t->cv.picked & (PICKED_DISTRICT | PICKED_CATEGORY)) == (PICKED_DISTRICT | PICKED_CATEGORY))
        return ask_type(t, c);
    const struct category *cat = config_category(cfg, c->category);
    const struct district *dist = config_district(cfg, c->district);
    struct i18n_var vars[] = {{"category", names_category(cfg, c->category, lang)},
                              {"district", names_district(cfg, c->district, lang)},
                              {"body", names_body(cfg, c->body, lang)},
                              {"category_short", cat ? cat->short_name[lang] : c->category},
                              {"district_short", dist ? dist->short_name[lang] : c->district},
                              {NULL, NULL}};
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, lang, c->id);
    reply_text(&r, "confirm_route", vars);
    offer(&r, "button_confirm", (struct payload){.kind = PAYLOAD_CONFIRM});
    offer(&r, "button_change_category", (struct payload){.kind = PAYLOAD_CHANGE_CATEGORY});
    offer(&r, "button_change_district", (struct payload){.kind = PAYLOAD_CHANGE_DISTRICT});
    offer(&r, "button_cancel", (struct payload){.kind = PAYLOAD_CANCEL});
    return reply_with_choices(t, &r, CONV_CONFIRM);
}

static int ask_type(struct turn *t, struct case_rec *c)
{
    struct reply r;
    reply_begin(&r, t->hx, t->in->channel, t->in->sender, t->citizen->lang, c->id);
    reply_text(&r, "ask_type", NULL);
    for (size_t i = 0; i < sizeof appeal_types / sizeof *appeal_types; i++)
        offer(&r, names_type_key(appeal_types[i]), with_id(PAYLOAD_TYPE, appeal_types[i]));
    return reply_with_choices(t, &r, CONV_ASK_TYPE);
}

/* The question the draft is waiting for, asked again after more words or a file. */
static int ask_again(struct turn *t, struct case_rec *c)
{
    return t->cv.state == CONV_ASK_TYPE ? ask_type(t, c) : ask_next(t, c);
}

static void apply_route(const struct config *cfg, struct case_rec *c)
{
    const struct category *cat = config_category(cfg, c->category);
    const struct district *dist = config_district(cfg, c->district);
    const struct body *b = cat && dist ? config_route(cfg, cat, dist) : NULL;
    snprintf(c->body, sizeof c->body, "%s", b ? b->id : "");
}

static int register_case(struct turn *t, struct case_rec *c)
{
    /* a topic the citizen chose (the router asked, or guessed otherwise) teaches the router */
    if ((t->cv.picked & PICKED_CATEGORY) && c->category[0] &&
        lifecycle_learn(t->hx, c, "citizen", c->category) < 0)
        return -1;
    /* joined by the citizen, filed apart from the incident offered, or as grouping finds it */
    int joined = c->incident_id != 0;
    c->apart = (t->cv.picked & PICKED_SEPARATE) != 0;
    if (incidents_fit(t->hx, c) < 0)
        return -1;
    if (lifecycle_register(t->hx, c, t->actor) < 0 ||
        incidents_registered(t->hx, c, joined ? t->actor : "system",
                             joined ? "citizen" : "detected") < 0)
        return -1;
    /* the district is remembered for the citizen's next appeal */
    snprintf(t->citizen->district, sizeof t->citizen->district, "%s", c->district);
    if (store_citizen_save(t->hx->store, t->citizen) < 0)
        return -1;
    return set_idle(t);
}

static int start_appeal(struct turn *t);

/*
 * A citizen replying to a message about one of their open cases adds to
 * that case: the words go to the department's chat.  Returns 1 if handled.
 */
static int follow_up(struct turn *t)
{
    const struct handler_ctx *hx = t->hx;
    int64_t id = store_case_of_sent(hx->store, t->in->channel, t->in->sender, t->in->reply_to);
    struct case_rec c;
    int rc = 0;
    if (id <= 0)
        return id < 0 ? -1 : 0;
    case_init(&c);
    if (store_case_get(hx->store, id, &c) != 1 || !c.number[0] || c.status == CASE_CLOSED ||
        store_same_person(hx->store, c.citizen_id, t->citizen->id) != 1)
        goto out; /* not an open case of theirs: treat as new words */
    const struct body *body = config_body(hx->cfg, c.body);
    struct i18n_var vars[] = {{"number", c.number}, {"text", t->text.buf}, {NULL, NULL}};
    if (store_message_add(hx->store, c.id, hx->now, t->actor, t->text.buf, t->text.len) < 0 ||
        lifecycle_event(hx, &c, t->actor, "follow_up", "") < 0 ||
        (body && notify_body(hx, body, &c, "follow_up_to_body", vars) < 0) ||
        reply_simple(t, "follow_up_sent", vars) < 0)
        rc = -1;
    else
        rc = 1;
out:
    case_release(&c);
    return rc;
}

/* A rating (r:NUMBER:SCORE): the citizen's verdict on an answer. */
static int on_rating(struct turn *t, const struct payload *p)
{
    const struct handler_ctx *hx = t->hx;
    int rc = -1;
    struct case_rec c;
    case_init(&c);
    int found = store_case_by_number(hx->store, p->number, &c);
    int mine = found == 1 ? store_same_person(hx->store, c.citizen_id, t->citizen->id) : 0;
    if (found < 0 || mine < 0)
        goto out;
    if (!found || !mine || c.status != CASE_ANSWERED) {
        rc = reply_simple(t, "choice_stale", NULL); /* rated already, or not theirs */
        goto out;
    }
    int reopened = lifecycle_rate(hx, &c, t->actor, p->score);
    if (reopened < 0)
        goto out;
    if (!reopened) {
        rc = set_idle(t) < 0 ? -1 : reply_simple(t, "rated_thanks", NULL);
        goto out;
    }
    /* the answer was contested: ask what is wrong with it */
    t->cv.state = CONV_CONTEST;
    t->cv.case_id = c.id;
    sbuf_reset(&t->cv.choices);
    if (store_conversation_set(hx->store, t->citizen->id, &t->cv, hx->now) < 0)
        goto out;
    rc = reply_simple(t, "rated_low_ask", NULL);
out:
    case_release(&c);
    return rc;
}

/* What the citizen finds wrong with the answer goes to the department and the supervisors. */
static int contest_reason(struct turn *t)
{
    const struct handler_ctx *hx = t->hx;
    struct case_rec c;
    int rc = -1;
    case_init(&c);
    if (store_case_get(hx->store, t->cv.case_id, &c) != 1) {
        case_release(&c);
        return set_idle(t) < 0 ? -1 : start_appeal(t);
    }
    const struct body *body = config_body(hx->cfg, c.body);
    struct i18n_var vars[] = {{"number", c.number}, {"text", t->text.buf}, {NULL, NULL}};
    if (store_message_add(hx->store, c.id, hx->now, t->actor, t->text.buf, t->text.len) < 0 ||
        lifecycle_event(hx, &c, t->actor, "contested", "") < 0 ||
        (body && notify_body(hx, body, &c, "contest_to_body", vars) < 0) ||
        notify_supervisors(hx, &c, "contest_to_supervisor",
                           &(struct i18n_var){"text", t->text.buf, NULL}) < 0 ||
        set_idle(t) < 0)
        goto out;
    rc = reply_simple(t, "contest_received", NULL);
out:
    case_release(&c);
    return rc;
}

/* A choice from a button or a digit; the payload was among those offered. */
static int on_choice(struct turn *t, const struct payload *p)
{
    const struct config *cfg = t->hx->cfg;
    struct case_rec c;
    int rc = -1;

    if (p->kind == PAYLOAD_LANG) {
        t->citizen->lang = p->lang;
        t->citizen->lang_chosen = 1;
        if (store_citizen_save(t->hx->store, t->citizen) < 0)
            return -1;
        if (reply_simple(t, "language_set", NULL) < 0)
            return -1;
        if (!t->cv.case_id)
            return set_idle(t);
    }
    if (p->kind == PAYLOAD_CANCEL)
        return cancel_draft(t);

    case_init(&c);
    if (!t->cv.case_id || store_case_get(t->hx->store, t->cv.case_id, &c) != 1 ||
        c.status != CASE_DRAFT) {
        case_release(&c);
        if (set_idle(t) < 0)
            return -1;
        return reply_simple(t, "choice_stale", NULL);
    }
    switch (p->kind) {
    case PAYLOAD_LANG:
        rc = ask_next(t, &c); /* back to where the citizen was, in the new language */
        goto out;
    case PAYLOAD_DISTRICT:
        if (!config_district(cfg, p->id))
            goto stale;
        snprintf(c.district, sizeof c.district, "%s", p->id);
        t->cv.picked |= PICKED_DISTRICT;
        break;
    case PAYLOAD_CATEGORY:
        if (!config_category(cfg, p->id))
            goto stale;
        snprintf(c.category, sizeof c.category, "%s", p->id);
        t->cv.picked |= PICKED_CATEGORY;
        break;
    case PAYLOAD_CHANGE_CATEGORY:
        c.category[0] = 0;
        break;
    case PAYLOAD_CHANGE_DISTRICT:
        c.district[0] = 0;
        break;
    case PAYLOAD_CONFIRM:
        rc = ask_type(t, &c);
        goto out;
    case PAYLOAD_JOIN: {
        struct incident_rec inc;
        struct incident_view v;
        incident_rec_init(&inc);
        int found = incidents_get(t->hx, strtoll(p->number, NULL, 10), &inc, &v);
        apply_route(cfg, &c);
        int usable =
            found == 1 && strcmp(inc.status, "split") && v.open && !strcmp(inc.body, c.body);
        if (usable) {
            /* one button: the type of the incident's appeals, a number and a term of its own */
            snprintf(c.type, sizeof c.type, "%s", names_type_key(v.type) ? v.type : "complaint");
            c.incident_id = inc.id;
        }
        incident_rec_release(&inc);
        if (found < 0)
            goto out;
        /* the incident ended or was split meanwhile: the draft goes on by itself */
        rc = usable ? register_case(t, &c) : ask_next(t, &c);
        goto out;
    }
    case PAYLOAD_SEPARATE:
        t->cv.picked |= PICKED_SEPARATE;
        rc = ask_next(t, &c);
        goto out;
    case PAYLOAD_TYPE:
        if (!names_type_key(p->id))
            goto stale;
        snprintf(c.type, sizeof c.type, "%s", p->id);
        apply_route(cfg, &c);
        rc = register_case(t, &c);
        goto out;
    default:
        goto stale;
    }
    apply_route(cfg, &c);
    if (lifecycle_save(t->hx, &c) < 0)
        goto out;
    rc = ask_next(t, &c);
    goto out;
stale:
    rc = reply_simple(t, "choice_stale", NULL);
out:
    case_release(&c);
    return rc;
}

static void detect_language(struct turn *t)
{
    if (t->citizen->lang_chosen)
        return;
    int detected = lang_detect(t->text.buf, t->text.len);
    if (detected >= 0) {
        t->citizen->lang = (enum lang)detected;
        t->citizen->lang_detected = 1;
    }
}

static int start_appeal(struct turn *t)
{
    const struct handler_ctx *hx = t->hx;
    const struct config *cfg = hx->cfg;
    struct case_rec c;
    struct route_pick pick;
    int rc = -1;

    detect_language(t);
    if (utf8_length(t->text.buf) < (size_t)cfg->intake.min_text_chars) {
        /* "су жоқ" is a complaint begun; "сәлем" is a greeting */
        struct route_query q = {.text = t->text.buf, .len = t->text.len};
        route_pick_init(&pick);
        router_pick(cfg, &q, &pick);
        int topical = pick.category_score > 0;
        route_pick_release(&pick);
        if (store_citizen_save(hx->store, t->citizen) < 0)
            return -1;
        return reply_simple(t, topical ? "appeal_too_short" : "welcome", NULL);
    }
    if (store_citizen_save(hx->store, t->citizen) < 0)
        return -1;

    case_init(&c);
    route_pick_init(&pick);
    c.citizen_id = t->citizen->id;
    c.lang = t->citizen->lang;
    sbuf_add(&c.text, t->text.buf, t->text.len);
    c.created_at = t->in->received_at; /* the dispatcher's receipt time */
    if (t->in->has_location) {
        c.has_location = 1, c.lat = t->in->lat, c.lon = t->in->lon;
    }
    struct route_query q = {.text = t->text.buf,
                            .len = t->text.len,
                            .remembered = config_district(cfg, t->citizen->district),
                            .has_pin = c.has_location,
                            .lat = c.lat,
                            .lon = c.lon,
                            .model = store_route_model(hx->store)};
    router_pick(cfg, &q, &pick);
    if (!pick.why.len)
        sbuf_addstr(&pick.why, "no keywords");
    if (t->in->sent_at && t->in->sent_at != c.created_at) /* kept, never used for the term */
        sbuf_addf(&pick.why, "; sender's clock %lld", (long long)t->in->sent_at);
    if (pick.category)
        snprintf(c.category, sizeof c.category, "%s", pick.category->id);
    if (pick.district)
        snprintf(c.district, sizeof c.district, "%s", pick.district->id);
    apply_route(cfg, &c);
    if (lifecycle_draft(hx, &c, t->actor, pick.why.buf) < 0 ||
        store_message_add(hx->store, c.id, hx->now, t->actor, t->text.buf, t->text.len) < 0)
        goto out;
    if (t->in->attachment_kind && store_attachment_add(hx->store, c.id, t->in->attachment_kind,
                                                       t->in->attachment_ref, hx->now) < 0)
        goto out;
    t->cv.picked = 0; /* a new draft: everything in it is the router's guess so far */
    rc = ask_next(t, &c);
out:
    route_pick_release(&pick);
    case_release(&c);
    return rc;
}

static int count_message(void *ctx, int64_t at, const char *author, const char *text, size_t len)
{
    (void)at, (void)author, (void)text, (void)len;
    ++*(int *)ctx;
    return 0;
}

/*
 * Can the draft c take more words?  A draft is bounded in characters and in
 * messages (intake.max_draft_*), so a case stays readable; when it is full the
 * citizen is told and asked the pending question again.  1 yes, 0 no (told), -1 error.
 */
static int draft_has_room(struct turn *t, struct case_rec *c)
{
    const struct config *cfg = t->hx->cfg;
    int parts = 0;
    if (store_messages_of_case(t->hx->store, c->id, count_message, &parts) < 0)
        return -1;
    if (parts < cfg->intake.max_draft_parts &&
        utf8_length(c->text.buf) + 1 + utf8_length(t->text.buf) <=
            (size_t)cfg->intake.max_draft_chars)
        return 1;
    char max[16], nparts[16];
    snprintf(max, sizeof max, "%d", cfg->intake.max_draft_chars);
    snprintf(nparts, sizeof nparts, "%d", cfg->intake.max_draft_parts);
    struct i18n_var vars[] = {
        {"max", max, "chars_n"}, {"parts", nparts, "messages_n"}, {NULL, NULL}};
    if (reply_simple(t, "draft_full", vars) < 0)
        return -1;
    return ask_again(t, c) < 0 ? -1 : 0;
}

/* More words while a draft is open belong to the appeal. */
static int add_to_draft(struct turn *t)
{
    struct case_rec c;
    int rc = -1;
    case_init(&c);
    if (store_case_get(t->hx->store, t->cv.case_id, &c) != 1 || c.status != CASE_DRAFT) {
        case_release(&c);
        if (set_idle(t) < 0)
            return -1;
        return start_appeal(t);
    }
    int room = draft_has_room(t, &c);
    if (room <= 0) {
        rc = room;
        goto out;
    }
    sbuf_addch(&c.text, '\n');
    sbuf_add(&c.text, t->text.buf, t->text.len);
    if (lifecycle_save(t->hx, &c) < 0 ||
        store_message_add(t->hx->store, c.id, t->hx->now, t->actor, t->text.buf, t->text.len) < 0)
        goto out;
    if (reply_simple(t, "draft_added", NULL) < 0)
        goto out;
    rc = ask_again(t, &c);
out:
    case_release(&c);
    return rc;
}

/* The most a district's name takes when written as the answer; longer words belong to the draft. */
#define DISTRICT_NAME_MAX_CHARS 40

/*
 * A district written by name, as the district question asks where its list
 * costs too much: "Алмалы", "медеу ауданы".  An unknown name gets the whole
 * list.  Returns 1 if handled, 0 if the words are more of the appeal, -1.
 */
static int district_by_name(struct turn *t)
{
    if (utf8_length(t->text.buf) > DISTRICT_NAME_MAX_CHARS)
        return 0;
    struct route_pick pick;
    struct route_query q = {.text = t->text.buf, .len = t->text.len};
    route_pick_init(&pick);
    router_pick(t->hx->cfg, &q, &pick);
    const struct district *d = pick.district;
    route_pick_release(&pick);
    int rc;
    if (d) {
        struct payload p = with_id(PAYLOAD_DISTRICT, d->id);
        rc = on_choice(t, &p);
    } else if (!t->cv.choices.len) {
        struct case_rec c;
        case_init(&c);
        rc = store_case_get(t->hx->store, t->cv.case_id, &c) == 1 && c.status == CASE_DRAFT
                 ? ask_district(t, &c, 1)
                 : add_to_draft(t);
        case_release(&c);
    } else {
        return 0;
    }
    return rc < 0 ? -1 : 1;
}

/* A photo, a document or a place sent while a draft is open belongs to it. */
static int add_media_to_draft(struct turn *t)
{
    struct case_rec c;
    int rc = -1;
    case_init(&c);
    if (store_case_get(t->hx->store, t->cv.case_id, &c) != 1 || c.status != CASE_DRAFT) {
        case_release(&c);
        return reply_simple(t, "attachment_needs_text", NULL);
    }
    if (t->in->has_location) {
        c.has_location = 1, c.lat = t->in->lat, c.lon = t->in->lon;
        /* the pin says where, unless the citizen chose a district themselves */
        const struct district *at = router_district_at(t->hx->cfg, c.lat, c.lon);
        if (at && !(t->cv.picked & PICKED_DISTRICT)) {
            snprintf(c.district, sizeof c.district, "%s", at->id);
            apply_route(t->hx->cfg, &c);
        }
        if (lifecycle_save(t->hx, &c) < 0)
            goto out;
    }
    if (t->in->attachment_kind && store_attachment_add(t->hx->store, c.id, t->in->attachment_kind,
                                                       t->in->attachment_ref, t->hx->now) < 0)
        goto out;
    if (t->text.len) { /* a caption is more words for the appeal */
        int room = draft_has_room(t, &c);
        if (room <= 0) {
            rc = room;
            goto out;
        }
        sbuf_addch(&c.text, '\n');
        sbuf_add(&c.text, t->text.buf, t->text.len);
        if (lifecycle_save(t->hx, &c) < 0)
            goto out;
    }
    if (reply_simple(t, t->in->has_location ? "draft_location_added" : "draft_file_added", NULL) <
        0)
        goto out;
    rc = ask_again(t, &c);
out:
    case_release(&c);
    return rc;
}

/* The choice a typed key (a digit) stands for, or NULL. */
static const char *choice_by_digit(struct turn *t, struct sbuf *holder)
{
    const char *s = t->text.buf;
    if (!t->cv.choices.len || !*s || strlen(s) > 3 || strspn(s, "0123456789") != strlen(s))
        return NULL;
    return reply_choice_by_key(t->cv.choices.buf, s, holder);
}

static int handle_start(struct turn *t, const char *arg)
{
    const struct district *d = *arg ? config_district_by_code(t->hx->cfg, arg) : NULL;
    if (d) {
        snprintf(t->citizen->district, sizeof t->citizen->district, "%s", d->id);
        if (store_citizen_save(t->hx->store, t->citizen) < 0)
            return -1;
    }
    struct i18n_var vars[] = {
        {"district", d ? d->name[t->citizen->lang] : ""},
        {NULL, NULL},
    };
    return reply_simple(t, d ? "welcome_district" : "welcome", vars);
}

/* 1 if the message was a command (handled), 0 if not, -1 on error. */
static int handle_command(struct turn *t)
{
    struct command cmd;
    int rc = 1;

    command_parse(t->text.buf, &cmd);
    const char *word = cmd.name.buf, *rest = cmd.rest;
    int slash = cmd.slash, alone = !*rest;
    int with_number = alone || casenum_looks_like(rest);
    if (slash && !strcmp(word, "start")) {
        rc = handle_start(t, rest);
    } else if ((slash && !strcmp(word, "help")) || (alone && keyword(t, "keywords_help", word))) {
        rc = show_help(t);
    } else if ((slash && !strcmp(word, "status")) ||
               (with_number && keyword(t, "keywords_status", word))) {
        rc = show_status(t, rest);
    } else if ((slash && !strcmp(word, "public")) ||
               (casenum_looks_like(rest) && keyword(t, "keywords_public", word))) {
        rc = set_public(t, rest, 1);
    } else if ((slash && !strcmp(word, "private")) ||
               (casenum_looks_like(rest) && keyword(t, "keywords_private", word))) {
        rc = set_public(t, rest, 0);
    } else if ((slash && !strcmp(word, "cases")) || (alone && keyword(t, "keywords_cases", word))) {
        rc = list_cases(t);
    } else if ((slash && !strcmp(word, "lang")) ||
               (alone && keyword(t, "keywords_language", word))) {
        enum lang lang;
        if (*rest && lang_parse(rest, &lang) == 0) {
            t->citizen->lang = lang;
            t->citizen->lang_chosen = 1;
            rc = store_citizen_save(t->hx->store, t->citizen) < 0
                     ? -1
                     : reply_simple(t, "language_set", NULL);
        } else {
            rc = offer_languages(t);
        }
    } else if ((slash && !strcmp(word, "stop")) || (alone && keyword(t, "keywords_stop", word))) {
        rc = confirm_stop(t);
    } else if ((slash && !strcmp(word, "full")) ||
               (with_number && keyword(t, "keywords_full", word))) {
        rc = send_full_answer(t, rest);
    } else if ((slash && !strcmp(word, "cancel")) ||
               (alone && keyword(t, "keywords_cancel", word))) {
        rc = cancel_draft(t);
    } else if (slash) {
        struct i18n_var vars[] = {{"command", word}, {NULL, NULL}};
        rc = reply_simple(t, "unknown_command", vars);
    } else if (t->cv.state == CONV_IDLE && casenum_looks_like(t->text.buf)) {
        rc = show_status(t, t->text.buf);
    } else {
        command_release(&cmd);
        return 0;
    }
    command_release(&cmd);
    /* the reply went out in the keyword's language; remember it */
    if (rc == 0 && t->keyword_lang_changed && store_citizen_save(t->hx->store, t->citizen) < 0)
        rc = -1;
    return rc < 0 ? -1 : 1;
}

int citizen_handle(const struct handler_ctx *hx, struct citizen *citizen, const struct inbound *in)
{
    struct turn t = {.hx = hx, .citizen = citizen, .in = in};
    struct sbuf holder = SBUF_INIT;
    int rc = -1;

    conversation_init(&t.cv);
    sbuf_init(&t.text, 0);
    snprintf(t.actor, sizeof t.actor, "citizen:%lld", (long long)citizen->id);
    if (store_conversation_get(hx->store, citizen->id, &t.cv) < 0)
        goto out;
    if (in->text)
        sbuf_add(&t.text, in->text, in->text_len);
    sbuf_trim(&t.text);

    if (citizen->stopped && t.text.len) {
        /* they wrote again: messages to them resume (unless this is STOP once more) */
        citizen->stopped = 0;
        if (store_citizen_save(hx->store, citizen) < 0)
            goto out;
    }
    if (in->kind == INBOUND_EDITED) {
        rc = reply_simple(&t, "message_edited", NULL);
        goto out;
    }
    if (in->contact_phone) {
        char phone[13];
        if (phone_normalize(in->contact_phone, phone) < 0) {
            rc = reply_simple(&t, "phone_invalid", NULL);
        } else {
            snprintf(citizen->phone, sizeof citizen->phone, "%s", phone);
            rc = store_citizen_save(hx->store, citizen) < 0
                     ? -1
                     : reply_simple(&t, "phone_linked", NULL);
        }
        goto out;
    }
    if ((in->attachment_kind || in->has_location) && t.cv.case_id && t.cv.state != CONV_IDLE) {
        rc = add_media_to_draft(&t);
        goto out;
    }
    const char *payload = in->payload;
    if (!payload && t.text.len)
        payload = choice_by_digit(&t, &holder);
    struct payload chosen;
    int parsed = payload ? payload_parse(payload, &chosen) : -1;
    if (parsed == 0 && chosen.kind == PAYLOAD_RATE) {
        /* ratings are checked against the case, not the conversation: an old prompt still works */
        rc = on_rating(&t, &chosen);
        goto out;
    }
    if (payload) {
        if (parsed < 0 || !reply_choice_offered(t.cv.choices.buf, payload)) {
            /* a stale button from an old message, or a forged payload */
            log_info("citizen", "citizen %lld: payload not offered: %.64s", (long long)citizen->id,
                     payload);
            rc = reply_simple(&t, "choice_stale", NULL);
        } else {
            rc = on_choice(&t, &chosen);
        }
        goto out;
    }
    if (!t.text.len) {
        if (in->has_location || in->attachment_kind)
            rc = reply_simple(&t, "attachment_needs_text", NULL);
        else
            rc = show_help(&t);
        goto out;
    }
    rc = handle_command(&t);
    if (rc != 0)
        goto out;
    if (in->reply_to && (rc = follow_up(&t)) != 0) {
        rc = rc < 0 ? -1 : 0;
    } else if (t.cv.state == CONV_CONTEST && t.cv.case_id) {
        rc = contest_reason(&t);
    } else if (t.cv.state == CONV_IDLE || t.cv.state == CONV_RATE || !t.cv.case_id) {
        rc = start_appeal(&t);
    } else if (t.text.len <= 3 && t.text.buf[0] >= '0' && t.text.buf[0] <= '9') {
        rc = reply_simple(&t, "choice_out_of_range", NULL); /* a digit not on the list */
    } else if (t.cv.state == CONV_ASK_DISTRICT && (rc = district_by_name(&t)) != 0) {
        rc = rc < 0 ? -1 : 0;
    } else {
        rc = add_to_draft(&t);
    }
out:
    sbuf_release(&holder);
    sbuf_release(&t.text);
    conversation_release(&t.cv);
    return rc < 0 ? -1 : 0;
}
