/*
 * clock: the time the daemon acts on.  It is the real clock unless `--now`
 * set a different start, for trials and for tests that need a case to be
 * weeks old; the offset is set once, before any thread starts.  Pacing
 * does not use this: it needs the monotonic clock.
 */
#ifndef TYNDAU_CLOCK_H
#define TYNDAU_CLOCK_H

#include <stdint.h>

void clock_set_now(int64_t unix_seconds);
/* Unix time in milliseconds, moved by --now if given. */
int64_t clock_now_ms(void);
/* The monotonic clock in milliseconds, for intervals (pacing, the watchdog): it never steps. */
int64_t clock_mono_ms(void);

#endif
