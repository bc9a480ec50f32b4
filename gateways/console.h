/*
 * console: a local channel in the terminal.
 *
 * The person at the keyboard is a citizen (":as citizen NAME" switches
 * between citizens) or any configured staff member (":as STAFF_ID"), so the
 * whole flow can be tried with no Telegram token and no SMS gateway.  Every
 * channel's outbox is shown here, labelled with its recipient, so a
 * department's notification appears next to the citizen's reply.
 * It reads lines from any FILE, so a session can be scripted.
 */
#ifndef TYNDAU_CONSOLE_H
#define TYNDAU_CONSOLE_H

#include <stdint.h>
#include <stdio.h>

#include "bot/domain/channel.h"
#include "bot/domain/config.h"
#include "bot/pipeline/deadlines.h"
#include "bot/domain/store.h"

struct console_opts {
    FILE *in;
    FILE *out;
    int interactive;             /* print prompts */
    struct deadlines *deadlines; /* ticked between lines and every second; may be NULL */
};

/* Runs until end of input or ":quit".  Returns 0, or -1 if the store failed. */
int console_run(const struct config *cfg, struct store *store, const struct console_opts *opts);

/* The console: plain text, no limits; buttons as a numbered list. */
extern const struct channel_profile console_profile;

#endif
