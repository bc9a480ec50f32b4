#include "bot/lib/utf8.h"

#include <string.h>

int utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + n >= len)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

uint32_t utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    uint32_t cp;
    size_t n;
    if (s[0] < 0x80) {
        cp = s[0], n = 0;
    } else if ((s[0] & 0xe0) == 0xc0) {
        cp = s[0] & 0x1f, n = 1;
    } else if ((s[0] & 0xf0) == 0xe0) {
        cp = s[0] & 0x0f, n = 2;
    } else {
        cp = s[0] & 0x07, n = 3;
    }
    for (size_t k = 1; k <= n; k++)
        cp = (cp << 6) | (s[k] & 0x3f);
    *p += n + 1;
    return cp;
}

void utf8_put(struct sbuf *sb, uint32_t cp)
{
    if (cp < 0x80) {
        sbuf_addch(sb, (int)cp);
    } else if (cp < 0x800) {
        sbuf_addch(sb, 0xc0 | (cp >> 6));
        sbuf_addch(sb, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        sbuf_addch(sb, 0xe0 | (cp >> 12));
        sbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3f));
        sbuf_addch(sb, 0x80 | (cp & 0x3f));
    } else {
        sbuf_addch(sb, 0xf0 | (cp >> 18));
        sbuf_addch(sb, 0x80 | ((cp >> 12) & 0x3f));
        sbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3f));
        sbuf_addch(sb, 0x80 | (cp & 0x3f));
    }
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

uint32_t utf8_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0x410 && c <= 0x42f)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40f)
        return c + 0x50;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48a && c <= 0x4bf) || (c >= 0x4d0 && c <= 0x4ff))
        return (c % 2 == 0) ? c + 1 : c;
    if (c >= 0x4c1 && c <= 0x4ce)
        return (c % 2 == 1) ? c + 1 : c;
    return c;
}

int utf8_is_cyrillic(uint32_t c)
{
    return c >= 0x400 && c <= 0x4ff;
}

int utf8_is_letter(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || utf8_is_cyrillic(c) ||
           (c >= 0xc0 && c <= 0x24f && c != 0xd7 && c != 0xf7);
}

int utf8_is_kazakh_letter(uint32_t c)
{
    switch (utf8_lower(c)) {
    case 0x4d9: /* ә */
    case 0x493: /* ғ */
    case 0x49b: /* қ */
    case 0x4a3: /* ң */
    case 0x4e9: /* ө */
    case 0x4b1: /* ұ */
    case 0x4af: /* ү */
    case 0x4bb: /* һ */
    case 0x456: /* і */
        return 1;
    }
    return 0;
}

int utf8_has_controls(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 1;
    }
    return 0;
}
