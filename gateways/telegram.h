/*
 * telegram: the Telegram channel.
 *
 * Receiving, in one of two modes:
 *   polling  getUpdates with a long timeout; a page of updates is one
 *            dispatcher batch, and the next offset is stored in the same
 *            SQLite transaction as their effects, so a crash between the
 *            commit and the next getUpdates loses nothing and repeats nothing
 *   webhook  /telegram/webhook on the HTTP listener; the secret header is
 *            compared in constant time (wrong or missing: 401, nothing
 *            stored); 200 only after the commit; a malformed update is
 *            logged and acknowledged, so Telegram never redelivers it forever
 * Every callback_query is answered so the button stops spinning: the answer
 * is queued in the outbox with the update's effects and sent by the sender,
 * so receiving does no outbound call of its own (a slow Bot API never holds
 * the listener).
 *
 * Sending is a transport for the sender: sendMessage with an inline keyboard
 * (plain text, so nothing needs escaping), sendPhoto/sendDocument by file
 * id, paced to 30 messages a second in all, 1 a second per chat and 20 a
 * minute per group; 429 waits exactly retry_after and does not count as a
 * failed attempt; 5xx, timeouts and dropped connections are retried with
 * backoff; 400 is final; 403 from a person who blocked the bot marks them
 * unreachable.
 */
#ifndef TYNDAU_TELEGRAM_H
#define TYNDAU_TELEGRAM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "bot/domain/channel.h"
#include "bot/domain/config.h"
#include "bot/pipeline/http.h"
#include "bot/lib/pacer.h"
#include "bot/pipeline/sender.h"
#include "bot/domain/store.h"
#include "gateways/telegram_api.h"

#define TELEGRAM_POLL_TIMEOUT 25
/*
 * Requests to the Bot API at once: at 30 a second and up to half a second a
 * request (the API's round trip from far away), 15 are on the wire.
 */
#define TELEGRAM_IN_FLIGHT 16
#define TELEGRAM_SEND_TIMEOUT 30
#define TELEGRAM_CALLBACK_TIMEOUT 10

/* One request slot of the sender's. */
struct tg_send {
    struct tg_request rq; /* first: the handle's CURLOPT_PRIVATE is the slot */
    int busy;
    char card_id[64]; /* the card an edit rewrites */
};

/* Telegram's limits: 30 a second in all, spread; 1 a second per chat; 20 a minute per group. */
struct tg_pace {
    struct pacer chats;
    struct pacer groups;
};

struct telegram {
    const struct config *cfg;
    atomic_int *stop;

    /* receiving (polling: the main thread; webhook: the HTTP thread) */
    struct store *store;
    struct tg_api api;
    int poll_timeout_s;
    pthread_mutex_t poll_lock; /* poll_why, read by /healthz */
    char poll_why[160];        /* why the last getUpdates failed, "" when it did not */

    /* sending (the sender thread) */
    struct store *send_store;
    struct tg_api send_api; /* the URL and headers; each request has its slot */
    struct tg_send sends[TELEGRAM_IN_FLIGHT];
    /* Telegram's limits, as planned (the sender's plan) and as the requests started (a late start
       must not bunch with the next one); in the sender's wall-clock ms */
    struct tg_pace planned, went;
    struct transport transport;
};

/*
 * Checks the token (getMe), publishes the commands in kk, ru and en, and
 * sets or deletes the webhook for the configured mode.  store receives,
 * send_store is the sender thread's.  Returns 0, or -1 with the reason in err.
 */
int telegram_start(struct telegram *tg, const struct config *cfg, struct store *store,
                   struct store *send_store, atomic_int *stop, struct sbuf *err);
void telegram_stop(struct telegram *tg);
/* One getUpdates round: returns the number of updates handled, or -1 (after a pause). */
int telegram_poll_once(struct telegram *tg);
/* 1 (with why) when the last getUpdates failed, for /healthz; 0 otherwise. */
int telegram_receive_problem(struct telegram *tg, char *why, size_t size);
/* Adds /telegram/webhook to the listener. */
int telegram_webhook_route(struct telegram *tg, struct http *http);

/* Telegram: 4,096 characters a message, cards edited in place, files by id, inline keyboards. */
extern const struct channel_profile telegram_profile;

#endif
