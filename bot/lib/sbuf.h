/*
 * sbuf: the one growable byte buffer used across tyndau.
 *
 * An sbuf always holds a NUL-terminated string (buf[len] == 0) so it can be
 * passed to C APIs directly, but it may also contain embedded NULs when used
 * for binary data.  An initialised, empty sbuf points at a shared empty
 * string and owns no memory, so SBUF_INIT needs no cleanup if never grown.
 *
 * Allocation failure aborts: the daemon cannot do anything useful without
 * memory, and checking every append would bury the logic.
 */
#ifndef TYNDAU_SBUF_H
#define TYNDAU_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
    size_t alloc;
    size_t len;
    char *buf;
};

extern char sbuf_empty[];
#define SBUF_INIT                                                                                  \
    {                                                                                              \
        0, 0, sbuf_empty                                                                           \
    }

void sbuf_init(struct sbuf *sb, size_t hint);
void sbuf_release(struct sbuf *sb);
/* Hands the buffer to the caller (who must free() it) and resets sb. */
char *sbuf_detach(struct sbuf *sb, size_t *len);
void sbuf_grow(struct sbuf *sb, size_t extra);
void sbuf_reset(struct sbuf *sb);
void sbuf_setlen(struct sbuf *sb, size_t len);
void sbuf_add(struct sbuf *sb, const void *data, size_t len);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap);
/* Appends s with bytes < 0x20 (except \n and \t) and 0x7f shown as \xNN. */
void sbuf_add_printable(struct sbuf *sb, const char *s, size_t len);
void sbuf_trim(struct sbuf *sb);

#endif
