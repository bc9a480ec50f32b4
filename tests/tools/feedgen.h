/*
 * feedgen: a deterministic stream of inbound messages for the crash test and
 * the benchmark.  Message i belongs to citizen i / 3, who files one complaint
 * in three messages: the text (Kazakh or Russian), "1" (the route is right)
 * and "1" (a complaint).  So N messages must leave exactly N / 3 cases.
 * They are about two outages (no water in Almaly, in Medeu): once each is
 * an incident, "1" joins it and the last "1" is a message of its own.
 */
#ifndef TYNDAU_FEEDGEN_H
#define TYNDAU_FEEDGEN_H

#include <stdio.h>
#include <string.h>

#include "bot/domain/inbound.h"

struct feed_buf {
    char id[32];
    char sender[32];
    char text[160];
};

/* On channel: the console's citizens are "citizen:N", Telegram's are chats 7000000 + N. */
static inline void feed_message_on(const char *channel, long i, struct feed_buf *b,
                                   struct inbound *in)
{
    long citizen = i / 3;
    snprintf(b->id, sizeof b->id, "feed-%ld", i);
    if (!strcmp(channel, "telegram"))
        snprintf(b->sender, sizeof b->sender, "%ld", 7000000 + citizen);
    else
        snprintf(b->sender, sizeof b->sender, "citizen:%ld", citizen);
    if (i % 3 == 0 && citizen % 2 == 0)
        snprintf(b->text, sizeof b->text, "Алмалы ауданында су жоқ, Абай даңғылы %ld үй", citizen);
    else if (i % 3 == 0)
        snprintf(b->text, sizeof b->text, "Нет воды в Медеуском районе, дом %ld", citizen);
    else
        snprintf(b->text, sizeof b->text, "1");
    memset(in, 0, sizeof *in);
    in->channel = channel;
    in->external_id = b->id;
    in->sender = b->sender;
    in->text = b->text;
    in->text_len = strlen(b->text);
}

static inline void feed_message(long i, struct feed_buf *b, struct inbound *in)
{
    feed_message_on("console", i, b, in);
}

#endif
