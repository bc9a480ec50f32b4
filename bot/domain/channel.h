/*
 * channel: what differs between channels, as the outbox and the handlers
 * need to know it, in one profile per channel.
 *
 * How buttons look (an inline keyboard, a numbered list) is the gateway's
 * own business, in its transport's send: handlers only give label, payload
 * and key.  A gateway owns its channel's profile (gateways/channels.c registers them
 * all at start, before any thread); handlers and the reply builder look a
 * channel up by name and never test for one.  A channel nobody registered
 * gets the plain profile: no limit, no variants, no edits, no files.
 *
 * Adding a channel: a gateway with a transport (bot/pipeline/sender.h), its
 * profile registered in gateways/channels.c, and its texts' variants (a
 * "_NAME" suffix) where a shorter text pays.
 */
#ifndef TYNDAU_CHANNEL_H
#define TYNDAU_CHANNEL_H

#include <stddef.h>

#include "bot/domain/config.h"
#include "bot/domain/i18n.h"
#include "bot/lib/sbuf.h"

struct channel_profile {
    const char *name;
    /* The most characters one message may carry: a longer reply goes in parts.  0: no limit. */
    size_t max_chars;
    /*
     * Catalog texts with this suffix are the channel's shorter variants
     * ("_sms": an SMS is paid per segment); NULL: none.
     */
    const char *text_variant;
    /*
     * A paid channel: how many parts an answer may take (from the config), how many
     * parts a text takes, and the longest prefix that fits some parts.  NULL: unpaid.
     */
    int (*parts_budget)(const struct config *cfg);
    int (*parts_of)(const char *text, size_t len);
    size_t (*fit)(const char *text, size_t len, int parts);
    int edits; /* a sent message can be rewritten in place (case cards) */
    int files; /* photos and documents go by the channel's file id */
    /* menus show the short labels of the config (a category's `short`): room is paid */
    int short_labels;
    /*
     * The message as the person sees it: text, then the buttons (JSON, "" for
     * none) as the channel shows them when it has no buttons of its own (a
     * numbered list).  NULL: buttons travel apart and the text is as written.
     */
    void (*show)(const char *text, size_t len, const char *buttons, struct sbuf *out);
};

/* Appends the message as p shows it (its show, or the text as written) to out. */
void channel_show(const struct channel_profile *p, const char *text, size_t len,
                  const char *buttons, struct sbuf *out);
/* Registers p (kept by pointer); at start, before threads.  A second one of a name replaces it. */
void channel_register(const struct channel_profile *p);
/* The profile of the channel named; the plain one for a name nobody registered. */
const struct channel_profile *channel_profile(const char *name);
/*
 * The catalog key to use for key on a channel: its variant (key + suffix) when the catalog
 * has one in lang, else key.  buf holds the variant's name.
 */
const char *channel_text_key(const struct channel_profile *p, const struct i18n *texts,
                             enum lang lang, const char *key, char *buf, size_t size);

#endif
