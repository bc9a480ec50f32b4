#include "bot/domain/lang.h"

#include <string.h>

#include "bot/lib/utf8.h"

const char *const lang_codes[LANG_COUNT] = {"kk", "ru", "en"};

int lang_parse(const char *code, enum lang *out)
{
    for (int i = 0; i < LANG_COUNT; i++) {
        if (strcmp(code, lang_codes[i]) == 0) {
            *out = (enum lang)i;
            return 0;
        }
    }
    if (strcmp(code, "kz") == 0) {
        *out = LANG_KK;
        return 0;
    }
    return -1;
}

int lang_detect(const char *text, size_t len)
{
    size_t cyr = 0, lat = 0;
    const char *p = text, *end = text + len;
    if (!utf8_valid(text, len))
        return -1;
    while (p < end && *p) {
        uint32_t cp = utf8_next(&p);
        if (utf8_is_kazakh_letter(cp))
            return LANG_KK;
        if (utf8_is_cyrillic(cp))
            cyr++;
        else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            lat++;
    }
    if (!cyr && !lat)
        return -1;
    return cyr >= lat ? LANG_RU : LANG_EN;
}

int lang_plural_forms(enum lang lang)
{
    static const int forms[LANG_COUNT] = {1, 3, 2};
    return forms[lang];
}

int lang_plural_index(enum lang lang, long n)
{
    unsigned long a = n < 0 ? (unsigned long)-(n + 1) + 1 : (unsigned long)n;
    switch (lang) {
    case LANG_RU:
        if (a % 10 == 1 && a % 100 != 11)
            return 0;
        if (a % 10 >= 2 && a % 10 <= 4 && (a % 100 < 12 || a % 100 > 14))
            return 1;
        return 2;
    case LANG_EN:
        return a == 1 ? 0 : 1;
    default:
        return 0;
    }
}
