#include "bot/lib/split.h"

#include <string.h>

/* Byte length of the first max_chars code points of s[0..len). */
static size_t prefix_bytes(const char *s, size_t len, size_t max_chars)
{
    size_t i = 0, chars = 0;
    while (i < len && chars < max_chars) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
            i++;
        chars++;
    }
    return i;
}

static const char *last_of(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = len; i >= n && i > 0; i--)
        if (!memcmp(s + i - n, needle, n))
            return s + i - n;
    return NULL;
}

int split_text(const char *text, size_t len, size_t max_chars, split_fn fn, void *ctx)
{
    while (len) {
        size_t fit = prefix_bytes(text, len, max_chars);
        if (fit == len)
            return fn(ctx, text, len, 1);
        const char *cut = NULL;
        /* not too early: a boundary in the first half would make tiny parts */
        const char *seps[] = {"\n\n", "\n", " "};
        for (size_t k = 0; k < 3 && !cut; k++) {
            const char *at = last_of(text, fit, seps[k]);
            if (at && (size_t)(at - text) > fit / 2)
                cut = at;
        }
        size_t part = cut ? (size_t)(cut - text) : fit;
        if (fn(ctx, text, part, 0) != 0)
            return -1;
        text += part;
        len -= part;
        while (len && (*text == '\n' || *text == ' ')) /* the boundary itself is not sent */
            text++, len--;
    }
    return 0;
}
