#include "handlers/reply.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "bot/domain/channel.h"
#include "bot/lib/log.h"
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

/* The channel's variant of a catalog text where it has one (a shorter SMS text). */
static const char *channel_key(const struct reply *r, const char *key, char *buf, size_t size)
{
    return channel_text_key(channel_profile(r->msg.channel), &r->hx->cfg->texts, r->lang, key, buf,
                            size);
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
    r->button_at[r->nbuttons] = r->msg.buttons.len;
    r->choice_at[r->nbuttons] = r->choices.len;
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

void reply_button_raw(struct reply *r, const char *label, const char *short_label,
                      const char *payload)
{
    int short_ok = short_label && *short_label && channel_profile(r->msg.channel)->short_labels;
    add_button(r, 0, short_ok ? short_label : label, payload);
}

void reply_pop_button(struct reply *r)
{
    if (!r->nbuttons)
        return;
    r->nbuttons--;
    sbuf_setlen(&r->msg.buttons, r->button_at[r->nbuttons]);
    sbuf_setlen(&r->choices, r->choice_at[r->nbuttons]);
}

int reply_parts(const struct reply *r)
{
    const struct channel_profile *p = channel_profile(r->msg.channel);
    if (!p->parts_of)
        return 0;
    struct sbuf shown = SBUF_INIT, buttons = SBUF_INIT;
    sbuf_add(&buttons, r->msg.buttons.buf, r->msg.buttons.len);
    if (r->nbuttons)
        sbuf_addch(&buttons, ']');
    channel_show(p, r->msg.text.buf, r->msg.text.len, buttons.buf, &shown);
    int parts = p->parts_of(shown.buf, shown.len);
    sbuf_release(&shown);
    sbuf_release(&buttons);
    return parts;
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

int reply_cut_to_budget(struct reply *r, const char *tail)
{
    const struct channel_profile *p = channel_profile(r->msg.channel);
    int budget = p->parts_budget ? p->parts_budget(r->hx->cfg) : 0;
    if (!budget || r->nbuttons || p->parts_of(r->msg.text.buf, r->msg.text.len) <= budget)
        return 0;
    struct sbuf cut = SBUF_INIT;
    size_t keep = p->fit(r->msg.text.buf, r->msg.text.len, budget);
    for (;;) {
        sbuf_reset(&cut);
        sbuf_add(&cut, r->msg.text.buf, keep);
        sbuf_addstr(&cut, tail);
        if (!keep || p->parts_of(cut.buf, cut.len) <= budget)
            break;
        while (--keep && (r->msg.text.buf[keep] & 0xc0) == 0x80) /* a character back */
            ;
    }
    sbuf_reset(&r->msg.text);
    sbuf_add(&r->msg.text, cut.buf, cut.len);
    sbuf_release(&cut);
    return 1;
}

int reply_queue(struct reply *r)
{
    if (r->nbuttons)
        sbuf_addch(&r->msg.buttons, ']');
    size_t max = channel_profile(r->msg.channel)->max_chars;
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
