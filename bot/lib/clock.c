#include "bot/lib/clock.h"

#include <stddef.h>
#include <sys/time.h>
#include <time.h>

static int64_t offset_ms; /* written once at start, before threads; read-only after */

static int64_t real_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void clock_set_now(int64_t unix_seconds)
{
    offset_ms = unix_seconds * 1000 - real_ms();
}

int64_t clock_now_ms(void)
{
    return real_ms() + offset_ms;
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
