/*
 * sms_text: what a text costs as SMS, and the UCS-2 (UTF-16BE) it travels as.
 *
 * A message that fits the GSM 03.38 alphabet goes as 7-bit: 160 characters
 * in one segment, 153 per part when concatenated (extension characters
 * such as € and [ take two).  Anything else, which is any Kazakh or Russian
 * text, goes as UCS-2: 70 in one segment, 67 per part; a character outside
 * the Basic Multilingual Plane (an emoji) takes two units.
 */
#ifndef TYNDAU_SMS_TEXT_H
#define TYNDAU_SMS_TEXT_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

struct sms_cost {
    int ucs2;     /* 1 if it must go as UCS-2 */
    int units;    /* septets (GSM-7) or 16-bit units (UCS-2) */
    int segments; /* SMS it takes */
};

/* The cost of UTF-8 text s (must be valid UTF-8). */
struct sms_cost sms_cost(const char *s, size_t len);
/* The longest prefix of s (in bytes) that fits `segments` segments, ending on a character. */
size_t sms_fit(const char *s, size_t len, int segments);
/* UTF-16BE bytes to UTF-8; -1 on odd length or broken surrogates. */
int sms_utf16be_to_utf8(const char *in, size_t len, struct sbuf *out);

#endif
