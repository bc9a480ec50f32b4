/*
 * render: turning an abstract reply's buttons into what a channel can show.
 * Channels without buttons (SMS, the console) show a numbered list, and the
 * citizen answers with the digit.
 */
#ifndef TYNDAU_RENDER_H
#define TYNDAU_RENDER_H

#include "bot/lib/sbuf.h"

/* Appends "\n1. label\n2. label..." for the buttons JSON ("" = none).  Returns the count. */
int render_numbered(const char *buttons_json, struct sbuf *out);

#endif
