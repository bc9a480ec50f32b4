/*
 * handler: what every conversation handler receives, and the reply builder.
 *
 * Handlers are plain functions over the store and the outbox: they change
 * cases, append events and queue replies inside the transaction the
 * dispatcher opened, and never touch the network or the clock; `now` comes
 * in the context, so tests can move time.
 *
 * A reply is abstract: text plus buttons (label, payload).  The sender
 * renders buttons per channel (inline keyboard, numbered list).  The
 * payloads offered to a citizen are also kept in their conversation, so a
 * bare digit typed on a button phone picks the same choice a tap would.
 */
#ifndef TYNDAU_HANDLER_H
#define TYNDAU_HANDLER_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/i18n.h"
#include "bot/domain/inbound.h"
#include "bot/domain/store.h"
#include "bot/lib/sbuf.h"

struct handler_ctx {
    struct store *store;
    const struct config *cfg;
    int64_t now;    /* unix seconds */
    int64_t now_ms; /* the same instant in milliseconds */
};

#define REPLY_MAX_BUTTONS 16

struct reply {
    const struct handler_ctx *hx;
    enum lang lang;
    struct outbox_msg msg;
    int nbuttons;
    struct sbuf choices; /* "KEY\tPAYLOAD" of each button, '\n'-separated */
};

void reply_begin(struct reply *r, const struct handler_ctx *hx, const char *channel,
                 const char *address, enum lang lang, int64_t case_id);
/* Appends a catalog text; a new paragraph if the reply already has text. */
void reply_text(struct reply *r, const char *key, const struct i18n_var *vars);
/* Appends text that is not from the catalog (a citizen's words, a list line). */
void reply_raw(struct reply *r, const char *text, size_t len);
/* A button whose label is a catalog text. */
void reply_button(struct reply *r, const char *label_key, const char *payload);
/* A button with a label from the config (a district name, say). */
void reply_button_raw(struct reply *r, const char *label, const char *payload);
/* A button a citizen picks by typing key (a rating's score) instead of its position. */
void reply_button_keyed(struct reply *r, int key, const char *label_key, const char *payload);
/* The payload of the choice whose key is typed, into out (and returned); NULL if none. */
const char *reply_choice_by_key(const char *choices, const char *typed, struct sbuf *out);
/* 1 if payload is among the choices offered. */
int reply_choice_offered(const char *choices, const char *payload);
/* Queues the reply in the outbox and releases r.  Returns 0 or -1. */
int reply_queue(struct reply *r);
void reply_discard(struct reply *r);

/* Helpers shared by the citizen and staff handlers. */
const char *handler_status_key(const char *status);
const char *handler_type_key(const char *type);
void handler_format_day(int32_t day, char out[11]);
const char *handler_body_name(const struct config *cfg, const char *body_id, enum lang lang);
const char *handler_category_name(const struct config *cfg, const char *id, enum lang lang);
const char *handler_district_name(const struct config *cfg, const char *id, enum lang lang);
/* Appends "No. N: status, body, due DATE" in lang (shorter on SMS). */
void handler_case_summary(const struct handler_ctx *hx, const struct case_rec *c, enum lang lang,
                          const char *channel, struct sbuf *out);
/* Appends a case event and logs failures; returns 0 or -1. */
int handler_event(const struct handler_ctx *hx, const struct case_rec *c, const char *actor,
                  const char *kind, const char *detail);
/*
 * Tells a body about a case: its group chat on Telegram if it has one,
 * otherwise each of its staff privately.
 */
int handler_notify_body(const struct handler_ctx *hx, const struct body *body,
                        const struct case_rec *c, const char *key, const struct i18n_var *vars);
/* Posts the case card (number, type, topic, district, due date, text) to a body. */
int handler_send_card(const struct handler_ctx *hx, const struct body *body,
                      const struct case_rec *c);
/*
 * Saves c.  When what a card shows changed (status, due date, body, assignee),
 * every card of the case is rewritten (Telegram editMessageText) so the chats
 * show it as it is now; a card in a body the case left loses its buttons.
 * Every change of a registered case goes through here.
 */
int handler_case_save(const struct handler_ctx *hx, const struct case_rec *c);
/* Sends an officer's answer to the citizen; on SMS at most sms.max_parts parts. */
int handler_send_answer(const struct handler_ctx *hx, const struct case_rec *c, const char *answer);
/* Asks the citizen to rate the answer to c: buttons 5..1 (a digit by SMS). */
int handler_ask_rating(const struct handler_ctx *hx, const struct case_rec *c);
/* Tells the public councils and the supervisors about c; {extra_name} in the text is extra. */
int handler_notify_oversight(const struct handler_ctx *hx, const struct case_rec *c,
                             const char *key, const char *extra_name, const char *extra);
/* Closes answered cases not rated within deadlines.rating_days; returns how many, or -1. */
int deadline_close_unrated(const struct handler_ctx *hx);
/*
 * Appends the statistics for a period ("7d", "30d", "all", "YYYY-MM"; "" = 30d) per body and
 * district, only of one body when only_body is set.  Returns 0, 1 for a period not understood,
 * -1 on a store failure.
 */
int stats_render(const struct handler_ctx *hx, enum lang lang, const char *period,
                 const char *only_body, struct sbuf *out);
/* Tells the citizen who filed c, in their language and on their channel. */
int handler_notify_citizen(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                           const struct i18n_var *vars);

/*
 * Alerts every supervisor about c: {number}, {body} (in each one's language), {due}, and
 * {extra_name} filled with extra.
 */
int handler_notify_supervisors(const struct handler_ctx *hx, const struct case_rec *c,
                               const char *key, const char *extra_name, const char *extra);
/*
 * Fires every stage of the case's deadline that is due by hx->now and has not
 * fired; *next_at gets the time of the next stage, 0 when none is left (the
 * case is closed, answered, or past its last stage).
 */
int deadline_fire_case(const struct handler_ctx *hx, int64_t case_id, int64_t *next_at);
/* Queues the daily digest (overdue and due today, per body) to the supervisors; nothing when none.
 */
int deadline_digest(const struct handler_ctx *hx);

int citizen_handle(const struct handler_ctx *hx, struct citizen *citizen, const struct inbound *in);
int staff_handle(const struct handler_ctx *hx, const struct staff *staff, const struct inbound *in);

#endif
