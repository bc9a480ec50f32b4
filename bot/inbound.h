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

struct inbound {
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
    int64_t received_at;         /* unix seconds the channel stamped; 0 = now */
};

#endif
