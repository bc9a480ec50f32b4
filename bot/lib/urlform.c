#include "bot/lib/urlform.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int decode(const char *s, size_t len, struct sbuf *out)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '+') {
            sbuf_addch(out, ' ');
        } else if (s[i] == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            sbuf_addch(out, hi * 16 + lo);
            i += 2;
        } else {
            sbuf_addch(out, s[i]);
        }
    }
    return 0;
}

int urlform_get(const char *form, size_t len, const char *name, struct sbuf *out)
{
    size_t n = strlen(name);
    const char *p = form, *end = form + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pair_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pair_end - p));
        const char *key_end = eq ? eq : pair_end;
        struct sbuf key = SBUF_INIT;
        int bad = decode(p, (size_t)(key_end - p), &key) < 0;
        int match = !bad && key.len == n && !memcmp(key.buf, name, n);
        sbuf_release(&key);
        if (match) {
            sbuf_reset(out);
            if (eq && decode(eq + 1, (size_t)(pair_end - eq - 1), out) < 0)
                return -1;
            return 1;
        }
        p = pair_end + 1;
    }
    return 0;
}

void urlform_encode(struct sbuf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            sbuf_addch(out, c);
        } else {
            sbuf_addch(out, '%');
            sbuf_addch(out, hex[c >> 4]);
            sbuf_addch(out, hex[c & 15]);
        }
    }
}
