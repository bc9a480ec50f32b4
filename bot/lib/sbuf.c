#include "bot/lib/sbuf.h"
#include "bot/lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char sbuf_empty[1];

void sbuf_init(struct sbuf *sb, size_t hint)
{
    sb->alloc = 0;
    sb->len = 0;
    sb->buf = sbuf_empty;
    if (hint)
        sbuf_grow(sb, hint);
}

void sbuf_release(struct sbuf *sb)
{
    if (sb->alloc)
        free(sb->buf);
    sbuf_init(sb, 0);
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
    char *res;
    if (!sb->alloc)
        sbuf_grow(sb, 0);
    res = sb->buf;
    if (len)
        *len = sb->len;
    sbuf_init(sb, 0);
    return res;
}

void sbuf_grow(struct sbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need < sb->len) {
        fputs("tyndau: sbuf size overflow\n", stderr);
        abort();
    }
    if (sb->alloc >= need)
        return;
    size_t alloc = sb->alloc ? sb->alloc : 32;
    while (alloc < need)
        alloc = alloc * 3 / 2 + 16;
    if (!sb->alloc) {
        sb->buf = xrealloc(NULL, alloc);
        sb->buf[0] = 0;
    } else {
        sb->buf = xrealloc(sb->buf, alloc);
    }
    sb->alloc = alloc;
}

void sbuf_reset(struct sbuf *sb)
{
    sbuf_setlen(sb, 0);
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
    if (!sb->alloc)
        return;
    sb->len = len;
    sb->buf[len] = 0;
}

void sbuf_add(struct sbuf *sb, const void *data, size_t len)
{
    sbuf_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = 0;
}

void sbuf_addstr(struct sbuf *sb, const char *s)
{
    sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, int c)
{
    sbuf_grow(sb, 1);
    sb->buf[sb->len++] = (char)c;
    sb->buf[sb->len] = 0;
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n >= (sb->alloc ? sb->alloc - sb->len : 0)) {
        sbuf_grow(sb, (size_t)n);
        vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
    }
    sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void sbuf_add_printable(struct sbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            sbuf_addf(sb, "\\x%02x", c);
        else
            sbuf_addch(sb, c);
    }
}

void sbuf_trim(struct sbuf *sb)
{
    size_t start = 0, end = sb->len;
    while (start < end && strchr(" \t\r\n", sb->buf[start]))
        start++;
    while (end > start && strchr(" \t\r\n", sb->buf[end - 1]))
        end--;
    if (start)
        memmove(sb->buf, sb->buf + start, end - start);
    sbuf_setlen(sb, end - start);
}
