/*
 * sender: drains the outbox, one transport per channel.
 *
 * The outbox is written inside the dispatcher's transaction; the sender
 * reads it afterwards and does the network I/O outside any transaction.
 * Each message is marked sent, retried later, or failed, and every attempt
 * is recorded in `deliveries`.  Messages to one address go strictly in
 * order: the store only offers the oldest pending one per address.
 *
 * A transport says how a message went (ok, retry, retry-after, failed,
 * unreachable) and may pace itself: ready_at() tells the earliest moment a
 * message to an address may leave, which is where per-chat and global rate
 * limits plug in.  A retry-after (Telegram's 429) does not count as a
 * failed attempt; a plain retry backs off exponentially up to a cap.
 */
#ifndef TYNDAU_SENDER_H
#define TYNDAU_SENDER_H

#include <stdint.h>

#include "config.h"
#include "store.h"
#include "sbuf.h"

enum send_status { SEND_OK, SEND_RETRY, SEND_RETRY_AFTER, SEND_FAILED, SEND_UNREACHABLE };

struct send_result {
    enum send_status status;
    int64_t retry_after_ms; /* for SEND_RETRY_AFTER */
    char remote_id[64];     /* the channel's id of the sent message, if any */
    struct sbuf detail;     /* the error as the channel described it */
};

struct transport {
    const char *channel;
    void *ctx;
    void (*send)(void *ctx, const struct outbox_msg *msg, struct send_result *res);
    /* Earliest time (ms) a message to address may be sent; NULL means now. */
    int64_t (*ready_at)(void *ctx, const char *address, int64_t now_ms);
};

#define SENDER_MAX_TRANSPORTS 8

struct sender {
    struct store *store;
    const struct config *cfg;
    struct transport *transports[SENDER_MAX_TRANSPORTS];
    int ntransports;
};

void sender_init(struct sender *s, struct store *store, const struct config *cfg);
int sender_add_transport(struct sender *s, struct transport *t);
/*
 * Sends every message that is due at now_ms and allowed by pacing.
 * Returns the number of send attempts made, or -1 if the store failed.
 */
int sender_drain(struct sender *s, int64_t now_ms);
/* The backoff before attempt number `attempts + 1`. */
int64_t sender_backoff_ms(const struct config *cfg, int attempts);

#endif
