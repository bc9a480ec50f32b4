/*
 * utf8: the few Unicode operations tyndau needs, without a locale.
 *
 * Everything from the outside is bytes of unknown quality; utf8_valid() is
 * the gate.  Case folding covers Latin, Russian and Kazakh Cyrillic, which is
 * what the router and keyword matching need.
 */
#ifndef TYNDAU_UTF8_H
#define TYNDAU_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "bot/lib/sbuf.h"

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int utf8_valid(const char *s, size_t len);
/* The bytes of the (valid UTF-8) letter s begins with; inline, for the loops that compare letters.
 */
static inline size_t utf8_letter_bytes(const char *s)
{
    unsigned char lead = (unsigned char)s[0];
    return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}
/* Decodes one code point at *p (must be valid UTF-8), advancing *p. */
uint32_t utf8_next(const char **p);
void utf8_put(struct sbuf *sb, uint32_t cp);
size_t utf8_length(const char *s);
uint32_t utf8_lower(uint32_t cp);
int utf8_is_letter(uint32_t cp);
int utf8_is_kazakh_letter(uint32_t cp);
int utf8_is_cyrillic(uint32_t cp);
/* 1 if s has bytes < 0x20 other than \t \n \r, or 0x7f. */
int utf8_has_controls(const char *s, size_t len);

#endif
