/*
 * sender: drains the outbox, one transport per channel.
 *
 * The outbox is written inside the dispatcher's transaction; the sender
 * reads it afterwards and does the network I/O outside any transaction.
 * Messages to one address go strictly in order: the store only offers the
 * oldest pending one per address.
 *
 * Each message is claimed ('sending', committed) before its request and its
 * outcome recorded after it (sent, retried later, failed), every attempt
 * with a row in `deliveries`.  So:
 *   - at least once, never lost: a message leaves the outbox only when its
 *     outcome is recorded; one cut off by a crash between the request and the
 *     record is found 'sending' by the next daemon and sent again (after the
 *     transport's grace, during which a delivery report can prove it went);
 *     at most a transport's in_flight messages are in that window at once;
 *   - never two to one address at once: the store offers no message of an
 *     address that has one 'sending', so order per address holds however
 *     many requests run side by side;
 *   - a store that cannot record (disk full) stops the sending: a claim that
 *     fails sends nothing, an outcome that cannot be recorded is held in its
 *     flight and recorded first when the store takes writes again; said once
 *     in the log and on /healthz (sender_paused).
 *
 * A transport with start/finish runs up to in_flight requests side by side
 * in the sender's curl multi (kept-alive connections), so the distance to
 * the provider does not set the rate: at 250 ms a request, 8 in flight carry
 * Telegram's 30 a second.  One without them sends in line (send).
 *
 * Such a transport's messages are planned up to SENDER_AHEAD_MS ahead: one
 * look at the store (a transaction, one fsync) records the outcomes that
 * came in and claims what the pace lets go in the coming second, each with
 * the moment it is to leave; the requests then start on time without the
 * store.  The store is looked at again when a commit elsewhere queued
 * messages, when half the plan is spent, or SENDER_RECORD_WITHIN_MS after an
 * outcome came (at once when it says the channel fails: what was planned for
 * it goes back to pending).  So a busy channel costs about two commits a
 * second, not two a message.  A crash loses no message: what was claimed and
 * not started is sent by the next daemon; what went in the last
 * SENDER_RECORD_WITHIN_MS and was not recorded yet may go twice.
 *
 * A transport says how a message went (ok, retry, retry-after, down, failed,
 * unreachable) and may pace itself: ready_at() tells the earliest moment a
 * message may leave, which is where per-chat and global rate limits plug in.
 * A retry-after (Telegram's 429) does not count as a failed attempt; a plain
 * retry backs off exponentially up to a cap, and marks the channel failing
 * (sender_channel_problem) until a request goes through.
 *
 * A channel that is down (its provider cannot be reached, or refuses the
 * request as misconfigured: a wrong URL, a wrong password) is not any
 * message's fault: no message loses an attempt or fails for it.  While it is
 * down only one message at a time goes, as a probe, after 1, 2, 4 s and then
 * every SENDER_PROBE_MAX_MS; the first probe that goes through sends the
 * queue at once.  The outage is logged once when it starts and once when it
 * ends.
 */
#ifndef TYNDAU_SENDER_H
#define TYNDAU_SENDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/lib/bell.h"
#include "bot/lib/sbuf.h"

enum send_status {
    SEND_OK,
    SEND_RETRY,       /* the request failed (5xx): back off, an attempt counted */
    SEND_RETRY_AFTER, /* throttled (429): wait retry_after_ms, not an attempt */
    SEND_DOWN,        /* the channel is unreachable or misconfigured: probe it, not an attempt */
    SEND_FAILED,      /* final: this message cannot go */
    SEND_UNREACHABLE  /* final, and the address takes nothing more (blocked the bot) */
};

#define SENDER_PROBE_MAX_MS 5000

struct send_result {
    enum send_status status;
    int64_t retry_after_ms; /* for SEND_RETRY_AFTER */
    int http_status;        /* the provider's HTTP answer; 0 when none came (the network) */
    char remote_id[64];     /* the channel's id of the sent message, if any */
    struct sbuf detail;     /* the error as the channel described it */
};

struct transport {
    const char *channel;
    void *ctx;
    void (*send)(void *ctx, const struct outbox_msg *msg, struct send_result *res);
    /* Earliest time (ms) the message may be sent; NULL means now. */
    int64_t (*ready_at)(void *ctx, const struct outbox_msg *msg, int64_t now_ms);
    /*
     * How long a message cut off by a crash waits for a delivery report that
     * proves it went before it is sent again; 0: sent again at once.
     */
    int64_t interrupted_grace_ms;
    /*
     * Optional, instead of send: start() makes the message's request and
     * returns its curl easy handle for the sender's multi, or NULL when the
     * outcome is in res already; finish() reads the answer of the transfer
     * that ended with curl_code into res and lets the handle go.  At most
     * in_flight (<= SENDER_MAX_IN_FLIGHT) run at once.
     */
    void *(*start)(void *ctx, const struct outbox_msg *msg, struct send_result *res);
    void (*finish)(void *ctx, const struct outbox_msg *msg, void *easy, int curl_code,
                   struct send_result *res);
    int in_flight;
    /* Earliest time (ms) any message may be sent (the limits in all); NULL means now. */
    int64_t (*next_slot)(void *ctx, int64_t now_ms);
    /*
     * Optional, with start: the message is planned to leave at at_ms (no
     * earlier than ready_at said): it counts against the pace from then.
     * Called inside the look's transaction, it may read the store and
     * rewrite msg's address to where it goes now (a chat that moved).
     */
    void (*plan)(void *ctx, struct outbox_msg *msg, int64_t at_ms);
    /*
     * Optional, with plan: the earliest a planned request may start, by the
     * pace of those that started (one started late must not bunch with the
     * next); NULL means at its planned time.
     */
    int64_t (*start_at)(void *ctx, const struct outbox_msg *msg, int64_t now_ms);
};

#define SENDER_MAX_TRANSPORTS 8
#define SENDER_MAX_IN_FLIGHT 32
#define SENDER_FLIGHTS 64 /* the requests running and the ones planned */
#define SENDER_AHEAD_MS 1000
#define SENDER_RECORD_WITHIN_MS 500

struct channel_state {
    int64_t next_reconcile_ms;
    int failing;           /* the last request failed for the channel's sake */
    int down;              /* SEND_DOWN: only a probe goes, at probe_at_ms */
    int down_streak;       /* probes that failed in a row */
    int64_t probe_at_ms;   /* when a down channel is tried again */
    int64_t failing_since; /* ms, for the log line that says it answers again */
    char why[160];         /* what it said */
};

/* A message from its claim until its outcome is recorded. */
struct flight {
    int used;
    int planned;  /* claimed, its request starts at start_at_ms */
    int done;     /* the outcome is in res, not recorded yet */
    int unclaim;  /* done without a request: back to pending (its channel fails, or a stop) */
    int recorded; /* recorded in the drain's transaction, not committed yet */
    int fresh;    /* claimed in the drain's transaction, not committed yet */
    int transport;
    int64_t start_at_ms;
    void *easy; /* its request, running in the multi; NULL once it ended */
    struct outbox_msg msg;
    struct send_result res;
};

struct sender {
    struct store *store;
    const struct config *cfg;
    struct transport *transports[SENDER_MAX_TRANSPORTS];
    struct channel_state state[SENDER_MAX_TRANSPORTS];
    int flying[SENDER_MAX_TRANSPORTS]; /* requests running per transport */
    int ntransports;
    pthread_mutex_t lock; /* state[], read by /healthz */
    atomic_int paused;    /* the store cannot record: nothing is sent */
    int paced;            /* the last drain held a message back until paced_until_ms */
    int64_t paced_until_ms;
    int64_t drained_at_ms; /* the now of the last drain */
    int64_t started_ms;    /* a claim older is a stopped daemon's, not a flight */
    void *multi;           /* CURLM *, made for the first transport with start() */
    int in_txn;            /* the drain's transaction is open: outcomes and claims join it */
    int rung;              /* a commit elsewhere queued messages since the last look */
    int look_set;          /* the store is to be looked at by look_at_ms */
    int64_t look_at_ms;
    int64_t looked_ms; /* the now of the last look */
    int wake_read;     /* sender_next_wake read the store since the last look */
    struct flight flights[SENDER_FLIGHTS];
};

void sender_init(struct sender *s, struct store *store, const struct config *cfg);
void sender_free(struct sender *s);
int sender_add_transport(struct sender *s, struct transport *t);
/*
 * Sends every message that is due at now_ms and allowed by pacing.
 * Returns the number of send attempts made, or -1 if the store failed.
 */
int sender_drain(struct sender *s, int64_t now_ms);
/*
 * When the sender has work next without being told (a retry falls due, pacing
 * lets a message go, an interrupted send's grace ends): 1 with *at_ms, 0 when
 * nothing waits (it sleeps until a commit rings), -1 if the store failed.
 */
int sender_next_wake(struct sender *s, int64_t *at_ms);
/*
 * Sleeps until the bell rings, a running request has news, or timeout_ms
 * passes (-1: no limit).
 */
void sender_wait(struct sender *s, struct bell *bell, int64_t timeout_ms);
/* Lets the running requests end and records them, for at most wait_ms. */
void sender_settle(struct sender *s, int64_t wait_ms);
/* 1 while sending is paused because the store cannot record. */
int sender_paused(struct sender *s);
/* 1 (and why) when the channel's last request failed for the channel's sake, else 0. */
int sender_channel_problem(struct sender *s, const char *channel, char *why, size_t size);
/* The backoff before attempt number `attempts + 1`. */
int64_t sender_backoff_ms(const struct config *cfg, int attempts);

#endif
