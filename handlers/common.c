#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/lib/log.h"
#include "bot/lib/sms_text.h"
#include "bot/lib/split.h"
#include "bot/lib/utf8.h"
#include "handlers/handler.h"

void reply_begin(struct reply *r, const struct handler_ctx *hx, const char *channel,
                 const char *address, enum lang lang, int64_t case_id)
{
    r->hx = hx;
    r->lang = lang;
    r->nbuttons = 0;
    outbox_msg_init(&r->msg);
    snprintf(r->msg.channel, sizeof r->msg.channel, "%s", channel);
    snprintf(r->msg.address, sizeof r->msg.address, "%s", address);
    r->msg.case_id = case_id;
    sbuf_init(&r->choices, 0);
}

static void paragraph(struct reply *r)
{
    if (r->msg.text.len)
        sbuf_addstr(&r->msg.text, "\n\n");
}

/*
 * SMS is paid per segment: where the catalog has a shorter text of the same
 * meaning (key_sms), an SMS gets that one.  Returns key or buf.
 */
static const char *channel_key(const struct reply *r, const char *key, char *buf, size_t size)
{
    if (strcmp(r->msg.channel, "sms") != 0)
        return key;
    snprintf(buf, size, "%s_sms", key);
    return i18n_get(&r->hx->cfg->texts, r->lang, buf) ? buf : key;
}

void reply_text(struct reply *r, const char *key, const struct i18n_var *vars)
{
    char buf[96];
    paragraph(r);
    i18n_render(&r->hx->cfg->texts, r->lang, channel_key(r, key, buf, sizeof buf), vars,
                &r->msg.text);
}

void reply_raw(struct reply *r, const char *text, size_t len)
{
    sbuf_add(&r->msg.text, text, len);
}

/*
 * Every button has a key: what a citizen types to pick it on a phone.  It is
 * the list position unless the caller gives one, so a list whose numbers are
 * values (a rating) shows and takes the value itself.  The key goes with the
 * button to the channel (the numbered list shows it) and into the choices.
 */
static void add_button(struct reply *r, int key, const char *label, const char *payload)
{
    if (r->nbuttons >= REPLY_MAX_BUTTONS) {
        log_error("reply", "more than %d buttons; `%s` dropped", REPLY_MAX_BUTTONS, payload);
        return;
    }
    char key_s[16];
    snprintf(key_s, sizeof key_s, "%d", key ? key : r->nbuttons + 1);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "label", label);
    cJSON_AddStringToObject(b, "payload", payload);
    cJSON_AddStringToObject(b, "key", key_s);
    char *json = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    sbuf_addch(&r->msg.buttons, r->nbuttons ? ',' : '[');
    sbuf_addstr(&r->msg.buttons, json);
    cJSON_free(json);
    sbuf_addf(&r->choices, "%s%s\t%s", r->nbuttons ? "\n" : "", key_s, payload);
    r->nbuttons++;
}

void reply_button_raw(struct reply *r, const char *label, const char *payload)
{
    add_button(r, 0, label, payload);
}

static void add_catalog_button(struct reply *r, int key, const char *label_key, const char *payload)
{
    struct sbuf label = SBUF_INIT;
    char buf[96];
    i18n_render(&r->hx->cfg->texts, r->lang, channel_key(r, label_key, buf, sizeof buf), NULL,
                &label);
    add_button(r, key, label.buf, payload);
    sbuf_release(&label);
}

void reply_button(struct reply *r, const char *label_key, const char *payload)
{
    add_catalog_button(r, 0, label_key, payload);
}

void reply_button_keyed(struct reply *r, int key, const char *label_key, const char *payload)
{
    add_catalog_button(r, key, label_key, payload);
}

/*
 * Walks choices ("KEY\tPAYLOAD" lines; a line without a key, as stored before
 * keys existed, has its position) until one matches typed (by key) or payload.
 */
static int choice_find(const char *choices, const char *typed, const char *payload,
                       struct sbuf *out)
{
    const char *p = choices;
    for (int pos = 1; p && *p; pos++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *tab = memchr(p, '\t', len);
        char key[16];
        if (tab)
            snprintf(key, sizeof key, "%.*s", (int)(tab - p), p);
        else
            snprintf(key, sizeof key, "%d", pos);
        const char *pl = tab ? tab + 1 : p;
        size_t pl_len = len - (size_t)(pl - p);
        if ((typed && !strcmp(typed, key)) ||
            (payload && strlen(payload) == pl_len && !memcmp(pl, payload, pl_len))) {
            if (out)
                sbuf_add(out, pl, pl_len);
            return 1;
        }
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

const char *reply_choice_by_key(const char *choices, const char *typed, struct sbuf *out)
{
    return choice_find(choices, typed, NULL, out) ? out->buf : NULL;
}

int reply_choice_offered(const char *choices, const char *payload)
{
    return choice_find(choices, NULL, payload, NULL);
}

/* The longest text one message may carry on a channel; 0 = no limit. */
static size_t channel_max_chars(const char *channel)
{
    if (!strcmp(channel, "telegram"))
        return 4096;
    return 0;
}

struct part_ctx {
    struct reply *r;
    struct outbox_msg part;
};

/* Each part is its own outbox message, so a failure never resends the parts that went. */
static int queue_part(void *ctx, const char *text, size_t len, int last)
{
    struct part_ctx *pc = ctx;
    struct outbox_msg *m = &pc->part;
    sbuf_reset(&m->text);
    sbuf_add(&m->text, text, len);
    sbuf_reset(&m->buttons);
    if (last)
        sbuf_add(&m->buttons, pc->r->msg.buttons.buf, pc->r->msg.buttons.len);
    return store_outbox_add(pc->r->hx->store, m, pc->r->hx->now_ms);
}

int reply_queue(struct reply *r)
{
    if (r->nbuttons)
        sbuf_addch(&r->msg.buttons, ']');
    size_t max = channel_max_chars(r->msg.channel);
    int rc;
    if (!max || r->msg.media[0] || utf8_length(r->msg.text.buf) <= max) {
        rc = store_outbox_add(r->hx->store, &r->msg, r->hx->now_ms);
    } else {
        struct part_ctx pc = {r, r->msg};
        sbuf_init(&pc.part.text, 0);
        sbuf_init(&pc.part.buttons, 0);
        rc = split_text(r->msg.text.buf, r->msg.text.len, max, queue_part, &pc);
        outbox_msg_release(&pc.part);
    }
    reply_discard(r);
    return rc;
}

void reply_discard(struct reply *r)
{
    outbox_msg_release(&r->msg);
    sbuf_release(&r->choices);
}

const char *handler_status_key(const char *status)
{
    static const char *const keys[][2] = {
        {"draft", "status_draft"},       {"registered", "status_registered"},
        {"assigned", "status_assigned"}, {"in_progress", "status_in_progress"},
        {"answered", "status_answered"}, {"closed", "status_closed"},
        {"reopened", "status_reopened"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i][0], status))
            return keys[i][1];
    return "status_registered";
}

const char *handler_type_key(const char *type)
{
    static const char *const keys[][2] = {
        {"complaint", "type_complaint"},
        {"application", "type_application"},
        {"proposal", "type_proposal"},
        {"request", "type_request"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i][0], type))
            return keys[i][1];
    return NULL;
}

void handler_format_day(int32_t day, char out[11])
{
    calendar_format_local(day, out);
}

const char *handler_body_name(const struct config *cfg, const char *id, enum lang lang)
{
    const struct body *b = config_body(cfg, id);
    return b ? b->name[lang] : id;
}

const char *handler_category_name(const struct config *cfg, const char *id, enum lang lang)
{
    const struct category *c = config_category(cfg, id);
    return c ? c->name[lang] : id;
}

const char *handler_district_name(const struct config *cfg, const char *id, enum lang lang)
{
    const struct district *d = config_district(cfg, id);
    return d ? d->name[lang] : id;
}

void handler_case_summary(const struct handler_ctx *hx, const struct case_rec *c, enum lang lang,
                          const char *channel, struct sbuf *out)
{
    char due[11];
    struct sbuf status = SBUF_INIT;
    handler_format_day(c->due_day, due);
    i18n_render(&hx->cfg->texts, lang, handler_status_key(c->status), NULL, &status);
    struct i18n_var vars[] = {{"number", c->number},
                              {"status", status.buf},
                              {"body", handler_body_name(hx->cfg, c->body, lang)},
                              {"due", due},
                              {NULL, NULL}};
    const char *key = !strcmp(channel, "sms") && i18n_get(&hx->cfg->texts, lang, "case_summary_sms")
                          ? "case_summary_sms"
                          : "case_summary";
    i18n_render(&hx->cfg->texts, lang, key, vars, out);
    sbuf_release(&status);
}

int handler_event(const struct handler_ctx *hx, const struct case_rec *c, const char *actor,
                  const char *kind, const char *detail)
{
    return store_event_add(hx->store, c->id, hx->now, actor, kind, detail ? detail : "");
}

/*
 * Where a body reads its messages: its group chat, or else each of its staff
 * privately.  Calls fn for each address (with the reader's language); stops at
 * the first failure.
 */
typedef int (*body_address_fn)(void *ctx, const char *address, enum lang lang);

static int body_addresses(const struct config *cfg, const struct body *body, body_address_fn fn,
                          void *ctx)
{
    char address[32];
    if (body->chat) {
        snprintf(address, sizeof address, "%lld", (long long)body->chat);
        return fn(ctx, address, cfg->intake.default_lang);
    }
    for (size_t i = 0; i < cfg->nstaff; i++) {
        const struct staff *st = &cfg->staff[i];
        if (st->body != body || !st->telegram)
            continue;
        snprintf(address, sizeof address, "%lld", (long long)st->telegram);
        if (fn(ctx, address, st->lang) < 0)
            return -1;
    }
    return 0;
}

struct body_msg {
    const struct handler_ctx *hx;
    const struct case_rec *c;
    const char *key;
    const struct i18n_var *vars;
    const char *media;
};

static int body_msg_to(void *ctx, const char *address, enum lang lang)
{
    struct body_msg *bm = ctx;
    struct reply r;
    reply_begin(&r, bm->hx, "telegram", address, lang, bm->c->id);
    if (bm->key)
        reply_text(&r, bm->key, bm->vars);
    if (bm->media)
        snprintf(r.msg.media, sizeof r.msg.media, "%s", bm->media);
    return reply_queue(&r);
}

static int notify_body(const struct handler_ctx *hx, const struct body *body,
                       const struct case_rec *c, const char *key, const struct i18n_var *vars,
                       const char *media)
{
    struct body_msg bm = {hx, c, key, vars, media};
    return body_addresses(hx->cfg, body, body_msg_to, &bm);
}

int handler_notify_supervisors(const struct handler_ctx *hx, const struct case_rec *c,
                               const char *key, const char *extra_name, const char *extra)
{
    const struct config *cfg = hx->cfg;
    char due[11], address[32];
    handler_format_day(c->due_day, due);
    for (size_t i = 0; i < cfg->nstaff; i++) {
        const struct staff *st = &cfg->staff[i];
        if (st->role != ROLE_SUPERVISOR || !st->telegram)
            continue;
        struct i18n_var vars[] = {{"number", c->number},
                                  {"body", handler_body_name(cfg, c->body, st->lang)},
                                  {"due", due},
                                  {extra_name, extra},
                                  {NULL, NULL}};
        struct reply r;
        snprintf(address, sizeof address, "%lld", (long long)st->telegram);
        reply_begin(&r, hx, "telegram", address, st->lang, c->id);
        reply_text(&r, key, vars);
        if (reply_queue(&r) < 0)
            return -1;
    }
    return 0;
}

int handler_notify_body(const struct handler_ctx *hx, const struct body *body,
                        const struct case_rec *c, const char *key, const struct i18n_var *vars)
{
    return notify_body(hx, body, c, key, vars, NULL);
}

struct media_ctx {
    const struct handler_ctx *hx;
    const struct body *body;
    const struct case_rec *c;
};

static int send_media(void *ctx, const char *kind, const char *ref)
{
    struct media_ctx *mc = ctx;
    char media[300];
    snprintf(media, sizeof media, "%s:%s", kind, ref);
    return notify_body(mc->hx, mc->body, mc->c, NULL, NULL, media);
}

int handler_send_answer(const struct handler_ctx *hx, const struct case_rec *c, const char *answer)
{
    struct citizen who;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    if (who.unreachable)
        return 0;
    struct reply r;
    struct i18n_var vars[] = {{"number", c->number}, {"answer", answer}, {NULL, NULL}};
    reply_begin(&r, hx, who.channel, who.address, who.lang, c->id);
    reply_text(&r, "answer_received", vars);
    if (!strcmp(who.channel, "sms")) {
        /* at most sms.max_parts SMS; the last says how to ask for the whole answer */
        struct sms_cost cost = sms_cost(r.msg.text.buf, r.msg.text.len);
        if (cost.segments > hx->cfg->sms.max_parts) {
            struct sbuf tail = SBUF_INIT;
            struct i18n_var tv[] = {{"number", c->number}, {NULL, NULL}};
            i18n_render(&hx->cfg->texts, who.lang, "answer_truncated_sms", tv, &tail);
            struct sms_cost tail_cost = sms_cost(tail.buf, tail.len);
            /* room for the tail in the last part (67 UCS-2 or 153 GSM-7 per part) */
            int per = cost.ucs2 ? 67 : 153;
            int budget = hx->cfg->sms.max_parts * per - tail_cost.units - 1;
            size_t keep = 0, units = 0;
            const char *p = r.msg.text.buf, *end = p + r.msg.text.len;
            while (p < end) {
                const char *at = p;
                uint32_t cp = utf8_next(&p);
                units += cost.ucs2 ? (cp > 0xffff ? 2 : 1) : sms_cost(at, (size_t)(p - at)).units;
                if ((int)units > budget)
                    break;
                keep = (size_t)(p - r.msg.text.buf);
            }
            sbuf_setlen(&r.msg.text, keep);
            sbuf_addch(&r.msg.text, ' ');
            sbuf_add(&r.msg.text, tail.buf, tail.len);
            sbuf_release(&tail);
        }
    }
    return reply_queue(&r);
}

int handler_notify_citizen(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                           const struct i18n_var *vars)
{
    struct citizen who;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    if (who.unreachable)
        return 0; /* the event log still has it; the channel would refuse */
    struct reply r;
    reply_begin(&r, hx, who.channel, who.address, who.lang, c->id);
    reply_text(&r, key, vars);
    return reply_queue(&r);
}

#define CARD_MAX_CHARS 4096 /* one Telegram message: an edit over it is refused */

/*
 * The card of a case as it stands, in lang, titled by title_key.  The
 * citizen's words are cut so that the card stays one message; the full text
 * is in /case N.
 */
static void card_text(const struct handler_ctx *hx, const struct case_rec *c, enum lang lang,
                      const char *title_key, struct sbuf *out)
{
    const struct config *cfg = hx->cfg;
    char due[11];
    struct sbuf type = SBUF_INIT, status = SBUF_INIT, title = SBUF_INIT, tail = SBUF_INIT;
    struct sbuf text = SBUF_INIT;
    struct i18n_var num[] = {{"number", c->number}, {NULL, NULL}};
    handler_format_day(c->due_day, due);
    i18n_render(&cfg->texts, lang, handler_type_key(c->type), NULL, &type);
    i18n_render(&cfg->texts, lang, handler_status_key(c->status), NULL, &status);
    i18n_render(&cfg->texts, lang, title_key, num, &title);
    if (c->has_location) {
        char lat[32], lon[32];
        snprintf(lat, sizeof lat, "%.5f", c->lat);
        snprintf(lon, sizeof lon, "%.5f", c->lon);
        struct i18n_var place[] = {{"lat", lat}, {"lon", lon}, {NULL, NULL}};
        sbuf_addch(&tail, '\n');
        i18n_render(&cfg->texts, lang, "card_location", place, &tail);
    }
    struct i18n_var card[] = {{"title", title.buf},
                              {"number", c->number},
                              {"type", type.buf},
                              {"category", handler_category_name(cfg, c->category, lang)},
                              {"district", handler_district_name(cfg, c->district, lang)},
                              {"due", due},
                              {"status", status.buf},
                              {"body", handler_body_name(cfg, c->body, lang)},
                              {"text", ""},
                              {NULL, NULL}};
    /* the frame without the words tells how many characters the words may have */
    i18n_render(&cfg->texts, lang, "case_card", card, out);
    size_t frame = utf8_length(out->buf) + utf8_length(tail.buf);
    sbuf_reset(out);
    sbuf_add(&text, c->text.buf, c->text.len);
    if (frame + utf8_length(text.buf) > CARD_MAX_CHARS) {
        struct sbuf cut = SBUF_INIT;
        i18n_render(&cfg->texts, lang, "card_text_cut", num, &cut);
        size_t room = CARD_MAX_CHARS - frame - utf8_length(cut.buf) - 1, n = 0;
        const char *p = text.buf;
        while (*p && n < room) {
            utf8_next(&p);
            n++;
        }
        sbuf_setlen(&text, (size_t)(p - text.buf));
        sbuf_addch(&text, ' ');
        sbuf_add(&text, cut.buf, cut.len);
        sbuf_release(&cut);
    }
    card[8].value = text.buf;
    i18n_render(&cfg->texts, lang, "case_card", card, out);
    sbuf_add(out, tail.buf, tail.len);
    sbuf_release(&type);
    sbuf_release(&status);
    sbuf_release(&title);
    sbuf_release(&tail);
    sbuf_release(&text);
}

/* Queues the card of c to address: a new card, or (edit_of > 0) the new text of that card. */
static int queue_card(const struct handler_ctx *hx, const struct case_rec *c, const char *address,
                      enum lang lang, const char *title_key, int with_buttons, int64_t edit_of)
{
    struct reply r;
    reply_begin(&r, hx, "telegram", address, lang, c->id);
    card_text(hx, c, lang, title_key, &r.msg.text);
    snprintf(r.msg.kind, sizeof r.msg.kind, "%s", edit_of ? "edit" : "card");
    if (edit_of)
        snprintf(r.msg.media, sizeof r.msg.media, "edit:%lld", (long long)edit_of);
    if (with_buttons) {
        /* the card's buttons act on the case */
        static const char *const actions[][2] = {{"take", "card_take"},
                                                 {"answer", "card_answer"},
                                                 {"transfer", "card_transfer"},
                                                 {"extend", "card_extend"},
                                                 {"close", "card_close"}};
        for (size_t a = 0; a < sizeof actions / sizeof *actions; a++) {
            char payload[48];
            snprintf(payload, sizeof payload, "s:%s:%s", actions[a][0], c->number);
            reply_button(&r, actions[a][1], payload);
        }
    }
    return reply_queue(&r);
}

struct card_ctx {
    const struct handler_ctx *hx;
    const struct case_rec *c;
    const char *address; /* to look for among a body's addresses */
    int found;
};

static int new_card_to(void *ctx, const char *address, enum lang lang)
{
    struct card_ctx *cc = ctx;
    return queue_card(cc->hx, cc->c, address, lang, "card_title_new", 1, 0);
}

static int address_is(void *ctx, const char *address, enum lang lang)
{
    struct card_ctx *cc = ctx;
    (void)lang;
    cc->found |= !strcmp(address, cc->address);
    return 0;
}

/* Rewrites one card sent before: buttons only where the case is now, and while it is open. */
static int rewrite_card(void *ctx, int64_t card_id, const char *address)
{
    struct card_ctx *cc = ctx;
    const struct config *cfg = cc->hx->cfg;
    const struct body *body = config_body(cfg, cc->c->body);
    struct card_ctx here = {cc->hx, cc->c, address, 0};
    if (body)
        body_addresses(cfg, body, address_is, &here);
    long long id = strtoll(address, NULL, 10);
    const struct staff *st = config_staff_by_telegram(cfg, id);
    enum lang lang = st ? st->lang : cfg->intake.default_lang;
    const char *title = !here.found                            ? "card_title_moved"
                        : !strcmp(cc->c->status, "registered") ? "card_title_new"
                                                               : "card_title";
    return queue_card(cc->hx, cc->c, address, lang, title,
                      here.found && case_is_open(cc->c->status), card_id);
}

int handler_case_save(const struct handler_ctx *hx, const struct case_rec *c)
{
    struct case_rec old;
    int changed = 0;
    case_init(&old);
    if (c->number[0]) {
        int had = store_case_get(hx->store, c->id, &old);
        if (had < 0) {
            case_release(&old);
            return -1;
        }
        /* what a card shows of a case */
        changed = had && (strcmp(old.status, c->status) || old.due_day != c->due_day ||
                          strcmp(old.body, c->body) || strcmp(old.assignee, c->assignee) ||
                          strcmp(old.outcome, c->outcome) || strcmp(old.number, c->number));
    }
    case_release(&old);
    if (store_case_save(hx->store, c) < 0)
        return -1;
    struct card_ctx cc = {hx, c, NULL, 0};
    return changed ? store_cards_of_case(hx->store, c->id, rewrite_card, &cc) : 0;
}

int handler_send_card(const struct handler_ctx *hx, const struct body *body,
                      const struct case_rec *c)
{
    struct card_ctx cc = {hx, c, NULL, 0};
    int rc = body_addresses(hx->cfg, body, new_card_to, &cc);
    /* the citizen's photos and documents follow the card, by Telegram file id */
    struct media_ctx mc = {hx, body, c};
    if (rc == 0)
        rc = store_attachments_of_case(hx->store, c->id, send_media, &mc);
    return rc;
}

int handler_ask_rating(const struct handler_ctx *hx, const struct case_rec *c)
{
    struct citizen who;
    struct conversation cv;
    int rc = -1;
    if (store_citizen_get(hx->store, c->citizen_id, &who) != 1)
        return -1;
    if (who.unreachable)
        return 0;
    conversation_init(&cv);
    if (store_conversation_get(hx->store, who.id, &cv) < 0)
        goto out;
    struct reply r;
    struct i18n_var vars[] = {{"number", c->number}, {NULL, NULL}};
    reply_begin(&r, hx, who.channel, who.address, who.lang, c->id);
    reply_text(&r, "rate_prompt", vars);
    /* best first, and the digit a citizen types is the score itself, not the position */
    for (int score = 5; score >= 1; score--) {
        char key[16], payload[40];
        snprintf(key, sizeof key, "rate_%d", score);
        snprintf(payload, sizeof payload, "r:%s:%d", c->number, score);
        reply_button_keyed(&r, score, key, payload);
    }
    /* a citizen who is not in the middle of an appeal can answer with a digit (SMS) */
    if (!strcmp(cv.state, "idle")) {
        snprintf(cv.state, sizeof cv.state, "rate");
        cv.case_id = c->id;
        sbuf_reset(&cv.choices);
        sbuf_addstr(&cv.choices, r.choices.buf);
        if (store_conversation_set(hx->store, who.id, &cv, hx->now) < 0) {
            reply_discard(&r);
            goto out;
        }
    }
    rc = reply_queue(&r);
out:
    conversation_release(&cv);
    return rc;
}

int handler_notify_oversight(const struct handler_ctx *hx, const struct case_rec *c,
                             const char *key, const char *extra_name, const char *extra)
{
    const struct config *cfg = hx->cfg;
    char due[11];
    handler_format_day(c->due_day, due);
    /* the public councils and every supervisor see reopened cases */
    for (size_t b = 0; b < cfg->nbodies; b++) {
        const struct body *body = &cfg->bodies[b];
        if (body->kind != BODY_COUNCIL)
            continue;
        struct i18n_var vars[] = {
            {"number", c->number},
            {"body", handler_body_name(cfg, c->body, cfg->intake.default_lang)},
            {"due", due},
            {extra_name, extra},
            {NULL, NULL}};
        if (handler_notify_body(hx, body, c, key, vars) < 0)
            return -1;
    }
    return handler_notify_supervisors(hx, c, key, extra_name, extra);
}
