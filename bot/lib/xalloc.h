/*
 * xalloc: the one allocation policy.  Running out of memory ends the process
 * (with a line on stderr, then abort) instead of being handled at every call:
 * the store is the truth and every message is committed or not at all, so a
 * restart loses nothing, while half-handled allocation failures would.  Every
 * allocation in tyndau goes through these, cJSON's included (xalloc_init).
 */
#ifndef TYNDAU_XALLOC_H
#define TYNDAU_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n); /* the first n bytes, NUL-terminated */
/* What a library that failed to allocate leads to: the same end as xmalloc's. */
void xalloc_die(void) __attribute__((noreturn));
/* Makes cJSON allocate through xmalloc; called once at start, before any thread. */
void xalloc_init(void);

#endif
