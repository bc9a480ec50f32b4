/*
 * render: turning an abstract reply's buttons into what a channel can show.
 * Channels without buttons (SMS, the console) show a numbered list, and the
 * citizen answers with the digit.
 */
#ifndef TYNDAU_RENDER_H
#define TYNDAU_RENDER_H

#include "bot/lib/sbuf.h"

/*
 * Appends "\n1. label\n2. label..." for the buttons JSON ("" = none).  Returns
 * the count.  A button with an empty label is not shown (the text before the
 * list explains it): its key still picks it.
 */
int render_numbered(const char *buttons_json, struct sbuf *out);
/*
 * Appends "\n1.label 2.label...": several to a line, where every character is
 * paid (an SMS).  Returns the count.
 */
int render_inline(const char *buttons_json, struct sbuf *out);

#endif
