/*
 * split: long text into parts a channel accepts (Telegram: 4096 characters),
 * at the best boundary before the limit: a blank line, then a line break,
 * then a space; a word longer than a part is cut on a character boundary.
 */
#ifndef TYNDAU_SPLIT_H
#define TYNDAU_SPLIT_H

#include <stddef.h>

typedef int (*split_fn)(void *ctx, const char *part, size_t len, int last);

/* Calls fn for each part of text (at most max_chars code points each); stops when fn fails. */
int split_text(const char *text, size_t len, size_t max_chars, split_fn fn, void *ctx);

#endif
