/*
 * pacer: sliding-window rate limits, in all and per destination.
 *
 * A window allows at most `max` sends in any `span_ms`; it remembers the
 * times of the last `max` sends, so the limit holds over every interval,
 * not just on average.  Per-destination windows live in a hash map keyed by
 * a 64-bit id (a chat id), created on first use and dropped when idle.
 * A destination can also be held until a given time (Telegram's retry_after).
 * Sends can be spread at least a gap apart, so a limit is never met in a
 * burst whose edges the network's jitter moves (requests in flight arrive
 * late by different amounts).
 */
#ifndef TYNDAU_PACER_H
#define TYNDAU_PACER_H

#include <stddef.h>
#include <stdint.h>

struct window {
    int64_t *times; /* ring of the last `max` send times */
    int max;
    int head;
    int count;
    int64_t span_ms;
};

struct pacer_entry {
    int64_t key;
    int used;
    int64_t hold_until;
    int64_t last_ms;
    struct window win;
};

struct pacer {
    struct window global;
    struct window spread; /* one send per gap in all; a gap of 0 holds nothing */
    int per_max;
    int64_t per_span_ms;
    struct pacer_entry *map;
    size_t cap, used;
};

/* global_max per global_span_ms in all; per_max per per_span_ms for each key. */
void pacer_init(struct pacer *p, int global_max, int64_t global_span_ms, int per_max,
                int64_t per_span_ms);
void pacer_free(struct pacer *p);
/* Keeps sends in all at least gap_ms apart. */
void pacer_spread(struct pacer *p, int64_t gap_ms);
int64_t pacer_ready_at(struct pacer *p, int64_t key, int64_t now_ms);
/* The earliest time any send fits the limits in all. */
int64_t pacer_any_at(struct pacer *p, int64_t now_ms);
void pacer_record(struct pacer *p, int64_t key, int64_t now_ms);
void pacer_hold(struct pacer *p, int64_t key, int64_t until_ms);

#endif
