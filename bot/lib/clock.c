#include "bot/lib/clock.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/time.h>
#include <time.h>

/* set at start, and by the console's :time while its listener thread reads it */
static _Atomic int64_t offset_ms;

static int64_t real_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void clock_set_now(int64_t unix_seconds)
{
    atomic_store(&offset_ms, unix_seconds * 1000 - real_ms());
}

int64_t clock_now_ms(void)
{
    return real_ms() + atomic_load(&offset_ms);
}

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
