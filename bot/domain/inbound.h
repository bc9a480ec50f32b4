/*
 * inbound: one message from the outside world, whatever the channel.
 * Gateways fill it from their wire format; the dispatcher and handlers read
 * it.  All pointers are borrowed from the gateway for the duration of one
 * dispatch; text is bytes of unknown quality until the dispatcher checks it.
 */
#ifndef TYNDAU_INBOUND_H
#define TYNDAU_INBOUND_H

#include <stddef.h>
#include <stdint.h>

/* What the message is; most are text, with or without a pressed button. */
enum inbound_kind {
    INBOUND_MESSAGE,   /* text, a command, a button, a location or a file */
    INBOUND_EDITED,    /* an edit of an earlier message: not applied, the sender is told */
    INBOUND_BLOCKED,   /* the person blocked the bot: stop sending there */
    INBOUND_UNBLOCKED, /* and unblocked it */
    INBOUND_MIGRATED,  /* a group became a supergroup with a new chat id (migrate_to) */
    INBOUND_ACK_ONLY,  /* nothing to handle, only its acknowledgement (ack_id) to send */
};

struct inbound {
    enum inbound_kind kind;
    const char *channel;     /* "console", "telegram", "sms" */
    const char *external_id; /* the channel's own id of this message: dedup key */
    const char *sender;      /* where replies go: chat id, phone number, console identity */
    const char *user;        /* who wrote, when not the same as sender (Telegram groups) */
    const char *text;        /* may be NULL */
    size_t text_len;
    const char *payload; /* a pressed button's payload, or NULL */
    int has_location;
    double lat, lon;
    const char *attachment_kind; /* "photo", "document" or NULL */
    const char *attachment_ref;  /* the channel's file reference */
    /*
     * When the channel's own server received it (Telegram's date), 0 if the
     * channel cannot vouch for one.  The dispatcher makes it the legal receipt
     * time only within the last day and not in the future; otherwise now.
     */
    int64_t received_at;
    int64_t sent_at; /* the sender's own stamp (an SMSC's or phone's time): information only */
    const char *contact_phone; /* a phone number the sender shared as their own */
    int in_group;              /* written in a group chat (only staff are heard there) */
    int64_t migrate_to;        /* INBOUND_MIGRATED: the new chat id */
    const char *reply_to;      /* the channel's id of the message this one replies to */
    /*
     * An acknowledgement the channel waits for (Telegram's callback query id:
     * the pressed button spins until it is answered).  The dispatcher queues
     * it in the outbox (kind "callback", addressed to this id) in the same
     * transaction as the message's effects, so the sender answers it and the
     * gateway does no network I/O of its own.
     */
    const char *ack_id;
};

#endif
