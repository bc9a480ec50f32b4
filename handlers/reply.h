/*
 * reply: the message a handler builds, abstract of the channel.
 *
 * A reply is text plus buttons (label, payload, the key a citizen types).
 * The channel's profile (bot/domain/channel.h) decides the rest when it is
 * queued: which variant of a catalog text (a shorter one for SMS), how long
 * one message may be (a longer reply is split into parts, each its own
 * outbox row), how buttons look (inline keyboard, numbered list).  The
 * payloads offered to a citizen are also kept in their conversation, so a
 * bare digit typed on a button phone picks the same choice a tap would.
 */
#ifndef TYNDAU_REPLY_H
#define TYNDAU_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/i18n.h"
#include "bot/domain/store.h"
#include "bot/lib/sbuf.h"

struct handler_ctx;

#define REPLY_MAX_BUTTONS 16

struct reply {
    const struct handler_ctx *hx;
    enum lang lang;
    struct outbox_msg msg;
    int nbuttons;
    struct sbuf choices; /* "KEY\tPAYLOAD" of each button, '\n'-separated */
    /* where each button begins in msg.buttons and in choices, so the last can be taken back */
    size_t button_at[REPLY_MAX_BUTTONS], choice_at[REPLY_MAX_BUTTONS];
};

void reply_begin(struct reply *r, const struct handler_ctx *hx, const char *channel,
                 const char *address, enum lang lang, int64_t case_id);
/* Appends a catalog text (the channel's variant of it); a new paragraph if r already has text. */
void reply_text(struct reply *r, const char *key, const struct i18n_var *vars);
/* Appends text that is not from the catalog (a citizen's words, a list line). */
void reply_raw(struct reply *r, const char *text, size_t len);
/* A button whose label is a catalog text. */
void reply_button(struct reply *r, const char *label_key, const char *payload);
/*
 * A button with a label from the config (a district name, say); short_label
 * (may be NULL) is the one shown where room is paid (the profile's short_labels).
 */
void reply_button_raw(struct reply *r, const char *label, const char *short_label,
                      const char *payload);
/* Takes the last button back (a menu that grew past what it may cost). */
void reply_pop_button(struct reply *r);
/*
 * The parts r takes on its channel as it would go now (text and buttons as
 * the channel shows them); 0 on a channel not paid per part.
 */
int reply_parts(const struct reply *r);
/* A button a citizen picks by typing key (a rating's score) instead of its position. */
void reply_button_keyed(struct reply *r, int key, const char *label_key, const char *payload);
/* The payload of the choice whose key is typed, into out (and returned); NULL if none. */
const char *reply_choice_by_key(const char *choices, const char *typed, struct sbuf *out);
/* 1 if payload is among the choices offered. */
int reply_choice_offered(const char *choices, const char *payload);
/*
 * On a paid channel, cuts r's text (no buttons) to the channel's budget of parts
 * (sms.max_parts), ending with tail.  Returns 1 if it cut.
 */
int reply_cut_to_budget(struct reply *r, const char *tail);
/* Queues the reply in the outbox and releases r.  Returns 0 or -1. */
int reply_queue(struct reply *r);
void reply_discard(struct reply *r);

#endif
