#include "handlers/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/domain/channel.h"
#include "bot/domain/payload.h"
#include "bot/lib/utf8.h"
#include "handlers/handler.h"
#include "handlers/names.h"
#include "handlers/reply.h"

int notify_body_addresses(const struct config *cfg, const struct body *body, notify_address_fn fn,
                          void *ctx)
{
    char address[32];
    if (body->chat) {
        snprintf(address, sizeof address, "%lld", (long long)body->chat);
        return fn(ctx, address, body->lang);
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
    reply_begin(&r, bm->hx, STAFF_CHANNEL, address, lang, bm->c->id);
    if (bm->key)
        reply_text(&r, bm->key, bm->vars);
    if (bm->media)
        snprintf(r.msg.media, sizeof r.msg.media, "%s", bm->media);
    return reply_queue(&r);
}

static int body_message(const struct handler_ctx *hx, const struct body *body,
                        const struct case_rec *c, const char *key, const struct i18n_var *vars,
                        const char *media)
{
    struct body_msg bm = {hx, c, key, vars, media};
    return notify_body_addresses(hx->cfg, body, body_msg_to, &bm);
}

int notify_supervisors(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                       const struct i18n_var *extra)
{
    const struct config *cfg = hx->cfg;
    char due[11], address[32];
    calendar_format_local(c->due_day, due);
    for (size_t i = 0; i < cfg->nstaff; i++) {
        const struct staff *st = &cfg->staff[i];
        if (st->role != ROLE_SUPERVISOR || !st->telegram)
            continue;
        struct i18n_var vars[] = {{"number", c->number},
                                  {"body", names_body(cfg, c->body, st->lang)},
                                  {"due", due},
                                  *extra,
                                  {NULL, NULL}};
        struct reply r;
        snprintf(address, sizeof address, "%lld", (long long)st->telegram);
        reply_begin(&r, hx, STAFF_CHANNEL, address, st->lang, c->id);
        reply_text(&r, key, vars);
        if (reply_queue(&r) < 0)
            return -1;
    }
    return 0;
}

int notify_body(const struct handler_ctx *hx, const struct body *body, const struct case_rec *c,
                const char *key, const struct i18n_var *vars)
{
    return body_message(hx, body, c, key, vars, NULL);
}

struct media_ctx {
    const struct handler_ctx *hx;
    const struct body *body;
    const struct case_rec *c;
};

static int send_media(void *ctx, const struct attachment *a)
{
    struct media_ctx *mc = ctx;
    char media[300];
    snprintf(media, sizeof media, "%s:%s", a->kind, a->ref);
    return body_message(mc->hx, mc->body, mc->c, NULL, NULL, media);
}

int notify_answer(const struct handler_ctx *hx, const struct case_rec *c, const char *answer)
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
    /* a paid channel: at most its budget of parts, the last saying how to get it all */
    struct sbuf tail = SBUF_INIT;
    const struct channel_profile *ch = channel_profile(who.channel);
    if (ch->parts_budget) {
        struct i18n_var tv[] = {{"number", c->number}, {NULL, NULL}};
        char buf[96];
        sbuf_addch(&tail, ' ');
        i18n_render(
            &hx->cfg->texts, who.lang,
            channel_text_key(ch, &hx->cfg->texts, who.lang, "answer_truncated", buf, sizeof buf),
            tv, &tail);
    }
    if (tail.len)
        reply_cut_to_budget(&r, tail.buf);
    sbuf_release(&tail);
    return reply_queue(&r);
}

int notify_citizen(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
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
    reply_cut_to_budget(&r, "…"); /* an officer's long reason never costs more than an answer */
    return reply_queue(&r);
}

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
    calendar_format_local(c->due_day, due);
    i18n_render(&cfg->texts, lang, names_type_key(c->type), NULL, &type);
    i18n_render(&cfg->texts, lang, case_status_key(c->status), NULL, &status);
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
                              {"category", names_category(cfg, c->category, lang)},
                              {"district", names_district(cfg, c->district, lang)},
                              {"due", due},
                              {"status", status.buf},
                              {"body", names_body(cfg, c->body, lang)},
                              {"text", ""},
                              {NULL, NULL}};
    /* the frame without the words tells how many characters the words may have */
    i18n_render(&cfg->texts, lang, "case_card", card, out);
    size_t frame = utf8_length(out->buf) + utf8_length(tail.buf);
    sbuf_reset(out);
    sbuf_add(&text, c->text.buf, c->text.len);
    /* one message of the staff's channel: an edit over it would be refused */
    size_t max = channel_profile(STAFF_CHANNEL)->max_chars;
    if (max && frame + utf8_length(text.buf) > max) {
        struct sbuf cut = SBUF_INIT;
        i18n_render(&cfg->texts, lang, "card_text_cut", num, &cut);
        size_t used = frame + utf8_length(cut.buf) + 1, n = 0;
        size_t room = max > used ? max - used : 0;
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
    reply_begin(&r, hx, STAFF_CHANNEL, address, lang, c->id);
    card_text(hx, c, lang, title_key, &r.msg.text);
    /* where a sent message cannot be rewritten, the card as it is now comes as a new one */
    if (!channel_profile(STAFF_CHANNEL)->edits)
        edit_of = 0;
    snprintf(r.msg.kind, sizeof r.msg.kind, "%s", edit_of ? "edit" : "card");
    r.msg.edit_of = edit_of;
    if (with_buttons) {
        /* the card's buttons act on the case */
        for (int a = 0; a < CARD_ACTIONS; a++) {
            struct payload p = {.kind = PAYLOAD_CARD, .action = (enum card_action)a};
            char payload[PAYLOAD_MAX], label[32];
            snprintf(p.number, sizeof p.number, "%s", c->number);
            payload_format(&p, payload);
            snprintf(label, sizeof label, "card_%s", card_action_name(p.action));
            reply_button(&r, label, payload);
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
        notify_body_addresses(cfg, body, address_is, &here);
    enum lang lang = notify_address_lang(cfg, address);
    const char *title = !here.found                        ? "card_title_moved"
                        : cc->c->status == CASE_REGISTERED ? "card_title_new"
                                                           : "card_title";
    return queue_card(cc->hx, cc->c, address, lang, title,
                      here.found && case_is_open(cc->c->status), card_id);
}

enum lang notify_address_lang(const struct config *cfg, const char *address)
{
    long long id = strtoll(address, NULL, 10);
    const struct staff *st = config_staff_by_telegram(cfg, id);
    enum lang lang = st ? st->lang : cfg->intake.default_lang;
    for (size_t b = 0; !st && b < cfg->nbodies; b++)
        if (cfg->bodies[b].chat == id)
            lang = cfg->bodies[b].lang; /* a group chat reads its body's language */
    return lang;
}

int notify_card(const struct handler_ctx *hx, const struct body *body, const struct case_rec *c)
{
    struct card_ctx cc = {hx, c, NULL, 0};
    int rc = notify_body_addresses(hx->cfg, body, new_card_to, &cc);
    /* the citizen's photos and documents follow the card, by Telegram file id */
    struct media_ctx mc = {hx, body, c};
    if (rc == 0)
        rc = store_attachments_of_case(hx->store, c->id, send_media, &mc);
    return rc;
}

int notify_ask_rating(const struct handler_ctx *hx, const struct case_rec *c)
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
        struct payload p = {.kind = PAYLOAD_RATE, .score = score};
        char key[16], payload[PAYLOAD_MAX];
        snprintf(key, sizeof key, "rate_%d", score);
        snprintf(p.number, sizeof p.number, "%s", c->number);
        payload_format(&p, payload);
        reply_button_keyed(&r, score, key, payload);
    }
    /* a citizen who is not in the middle of an appeal can answer with a digit (SMS) */
    if (cv.state == CONV_IDLE) {
        cv.state = CONV_RATE;
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

int notify_oversight(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                     const struct i18n_var *extra)
{
    const struct config *cfg = hx->cfg;
    char due[11];
    calendar_format_local(c->due_day, due);
    /* the public councils and every supervisor see reopened cases */
    for (size_t b = 0; b < cfg->nbodies; b++) {
        const struct body *body = &cfg->bodies[b];
        if (body->kind != BODY_COUNCIL)
            continue;
        struct i18n_var vars[] = {{"number", c->number},
                                  {"body", names_body(cfg, c->body, body->lang)},
                                  {"due", due},
                                  *extra,
                                  {NULL, NULL}};
        if (notify_body(hx, body, c, key, vars) < 0)
            return -1;
    }
    return notify_supervisors(hx, c, key, extra);
}

int notify_cards_rewrite(const struct handler_ctx *hx, const struct case_rec *c)
{
    struct card_ctx cc = {hx, c, NULL, 0};
    return store_cards_of_case(hx->store, c->id, rewrite_card, &cc);
}
