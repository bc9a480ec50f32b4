#include "bot/lib/token.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int token_new(char *out)
{
    unsigned char raw[TOKEN_LEN / 2];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[TOKEN_LEN] = 0;
    return 0;
}

int token_valid(const char *s)
{
    return strlen(s) == TOKEN_LEN && strspn(s, "0123456789abcdef") == TOKEN_LEN;
}
