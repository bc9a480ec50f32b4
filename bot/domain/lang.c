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
