#include "bot/lib/sms_text.h"

#include <stdint.h>
#include <string.h>

#include "bot/lib/utf8.h"

/* GSM 03.38 default alphabet (one septet) and its extension table (two). */
static const char gsm_basic[] = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                                "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char gsm_extension[] = "^{}\\[~]|€\f";

static int in_set(const char *set, uint32_t cp)
{
    const char *p = set;
    while (*p)
        if (utf8_next(&p) == cp)
            return 1;
    return 0;
}

/* Septets of cp in GSM-7, or 0 if it is not in the alphabet. */
static int gsm_septets(uint32_t cp)
{
    if (cp < 0x80 && cp != '`' && cp != '^' && cp != '{' && cp != '}' && cp != '\\' && cp != '[' &&
        cp != '~' && cp != ']' && cp != '|' && cp != '$' && cp != '@')
        return cp >= 0x20 || cp == '\n' || cp == '\r' ? 1 : 0;
    if (in_set(gsm_basic, cp))
        return 1;
    if (in_set(gsm_extension, cp))
        return 2;
    return 0;
}

struct sms_cost sms_cost(const char *s, size_t len)
{
    struct sms_cost c = {0, 0, 0};
    int septets = 0, units = 0;
    const char *p = s, *end = s + len;
    while (p < end) {
        uint32_t cp = utf8_next(&p);
        int g = gsm_septets(cp);
        if (!g)
            c.ucs2 = 1;
        septets += g;
        units += cp > 0xffff ? 2 : 1;
    }
    c.units = c.ucs2 ? units : septets;
    int single = c.ucs2 ? 70 : 160, part = c.ucs2 ? 67 : 153;
    c.segments = c.units <= single ? (c.units ? 1 : 0) : (c.units + part - 1) / part;
    return c;
}

size_t sms_fit(const char *s, size_t len, int segments)
{
    if (segments < 1)
        return 0;
    struct sms_cost all = sms_cost(s, len);
    int single = all.ucs2 ? 70 : 160, part = all.ucs2 ? 67 : 153;
    int budget = segments == 1 ? single : segments * part, used = 0;
    const char *p = s, *end = s + len, *last = s;
    while (p < end) {
        const char *at = p;
        uint32_t cp = utf8_next(&p);
        int cost = all.ucs2 ? (cp > 0xffff ? 2 : 1) : gsm_septets(cp);
        if (used + cost > budget)
            return (size_t)(at - s);
        used += cost;
        last = p;
    }
    return (size_t)(last - s);
}

int sms_utf16be_to_utf8(const char *in, size_t len, struct sbuf *out)
{
    const unsigned char *b = (const unsigned char *)in;
    if (len % 2)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        uint32_t u = (uint32_t)b[i] << 8 | b[i + 1];
        if (u >= 0xd800 && u <= 0xdbff) {
            if (i + 3 >= len)
                return -1;
            uint32_t lo = (uint32_t)b[i + 2] << 8 | b[i + 3];
            if (lo < 0xdc00 || lo > 0xdfff)
                return -1;
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        } else if (u >= 0xdc00 && u <= 0xdfff) {
            return -1;
        }
        utf8_put(out, u);
    }
    return 0;
}
