#include "bot/domain/casenum.h"

#include <stdio.h>
#include <string.h>

/* The Damm quasigroup of order 10 (weakly totally anti-symmetric). */
static const unsigned char damm_table[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

static int damm(const char *digits)
{
    int interim = 0;
    for (; *digits; digits++)
        interim = damm_table[interim][*digits - '0'];
    return interim;
}

void casenum_make(int64_t sequence, char out[24])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits - 1, "%lld", (long long)sequence);
    digits[n] = (char)('0' + damm(digits));
    digits[n + 1] = 0;
    memcpy(out, digits, (size_t)n + 2);
}

static int all_digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int casenum_valid(const char *s)
{
    return all_digits(s, 4, 19) && damm(s) == 0;
}

int casenum_looks_like(const char *s)
{
    size_t digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s != ' ' && *s != '-' && *s != '#' && *s != '\xe2' && *s != '\x84' &&
                 *s != '\x96')
            return 0; /* the last three bytes make up "№" */
    }
    return digits >= 4 && digits <= 19;
}
