/*
 * notify: telling people about a case, in each reader's language and on
 * their channel.
 *
 * The citizen hears on the channel they wrote from (nothing once it refused
 * them for good: the event log still has it).  A body reads in its group
 * chat, or else each of its staff privately; supervisors privately.  A case
 * card is the body's view of a case: posted when the case reaches the body,
 * rewritten in every chat it went to whenever what it shows changes, and
 * without buttons in a body the case left.
 */
#ifndef TYNDAU_NOTIFY_H
#define TYNDAU_NOTIFY_H

#include "bot/domain/config.h"
#include "bot/domain/i18n.h"
#include "bot/domain/store.h"

struct handler_ctx;

/*
 * Where a body reads its messages: its group chat, or else each of its staff
 * privately.  Calls fn for each address (with the reader's language); stops at
 * the first failure.
 */
typedef int (*notify_address_fn)(void *ctx, const char *address, enum lang lang);
int notify_body_addresses(const struct config *cfg, const struct body *body, notify_address_fn fn,
                          void *ctx);
/* The language a staff address (a person, a body's group chat) reads. */
enum lang notify_address_lang(const struct config *cfg, const char *address);

/* Tells the citizen who filed c the catalog text key. */
int notify_citizen(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                   const struct i18n_var *vars);
/* Tells a body about c: its group chat if it has one, otherwise each of its staff. */
int notify_body(const struct handler_ctx *hx, const struct body *body, const struct case_rec *c,
                const char *key, const struct i18n_var *vars);
/*
 * Alerts every supervisor about c: {number}, {body} (in each one's language), {due}, and
 * the one more placeholder extra fills (a count is rendered in each one's language).
 */
int notify_supervisors(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                       const struct i18n_var *extra);
/* Tells the public councils and the supervisors about c, with extra as above. */
int notify_oversight(const struct handler_ctx *hx, const struct case_rec *c, const char *key,
                     const struct i18n_var *extra);
/* Posts the case card (number, type, topic, district, due date, text, buttons) to a body. */
int notify_card(const struct handler_ctx *hx, const struct body *body, const struct case_rec *c);
/* Rewrites every card of c as the case is now (Telegram editMessageText). */
int notify_cards_rewrite(const struct handler_ctx *hx, const struct case_rec *c);
/* Sends an officer's answer to the citizen, cut to the channel's budget (FULL N gives it all). */
int notify_answer(const struct handler_ctx *hx, const struct case_rec *c, const char *answer);
/* Asks the citizen to rate the answer to c: buttons 5..1 (a digit by SMS). */
int notify_ask_rating(const struct handler_ctx *hx, const struct case_rec *c);

#endif
