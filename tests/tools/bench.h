/* What the benchmark programs share: a monotonic stopwatch and sorting for medians. */
#ifndef TYNDAU_BENCH_H
#define TYNDAU_BENCH_H

#include <time.h>

static inline double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
