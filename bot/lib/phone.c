#include "bot/lib/phone.h"

#include <string.h>

int phone_normalize(const char *s, char out[13])
{
    char digits[16];
    size_t n = 0;
    int plus = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n == sizeof digits - 1)
                return -1;
            digits[n++] = *p;
        } else if (*p == '+' && n == 0 && !plus) {
            plus = 1;
        } else if (!strchr(" -()\t.", *p)) {
            return -1;
        }
    }
    digits[n] = 0;
    const char *national;
    if (n == 11 && (digits[0] == '7' || (digits[0] == '8' && !plus)))
        national = digits + 1; /* 7 701..., +7 701..., 8 701... */
    else if (n == 10 && !plus)
        national = digits; /* 701 ... without the country code */
    else
        return -1;
    if (national[0] != '7')
        return -1; /* Kazakhstan's numbers are +7 7xx; other +7 numbers are Russia's */
    out[0] = '+';
    out[1] = '7';
    memcpy(out + 2, national, 10);
    out[12] = 0;
    return 0;
}
