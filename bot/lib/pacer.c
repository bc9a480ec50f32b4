#include "bot/lib/pacer.h"
#include "bot/lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void window_init(struct window *w, int max, int64_t span_ms)
{
    memset(w, 0, sizeof *w);
    w->times = xcalloc((size_t)max, sizeof *w->times);
    w->max = max;
    w->span_ms = span_ms;
}

static void window_free(struct window *w)
{
    free(w->times);
    memset(w, 0, sizeof *w);
}

/* The earliest time a send fits the window. */
static int64_t window_ready_at(const struct window *w, int64_t now_ms)
{
    if (w->count < w->max)
        return now_ms;
    int64_t oldest = w->times[w->head]; /* the ring is full: head is the oldest */
    return oldest + w->span_ms > now_ms ? oldest + w->span_ms : now_ms;
}

static void window_record(struct window *w, int64_t now_ms)
{
    w->times[w->head] = now_ms;
    w->head = (w->head + 1) % w->max;
    if (w->count < w->max)
        w->count++;
}

void pacer_init(struct pacer *p, int global_max, int64_t global_span_ms, int per_max,
                int64_t per_span_ms)
{
    memset(p, 0, sizeof *p);
    p->per_max = per_max;
    p->per_span_ms = per_span_ms;
    p->cap = 1024;
    p->map = xcalloc(p->cap, sizeof *p->map);
    window_init(&p->global, global_max, global_span_ms);
    window_init(&p->spread, 1, 0);
}

void pacer_spread(struct pacer *p, int64_t gap_ms)
{
    p->spread.span_ms = gap_ms;
}

void pacer_free(struct pacer *p)
{
    for (size_t i = 0; i < p->cap; i++)
        if (p->map[i].used)
            window_free(&p->map[i].win);
    free(p->map);
    window_free(&p->global);
    window_free(&p->spread);
    memset(p, 0, sizeof *p);
}

static size_t slot_of(const struct pacer *p, int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (p->cap - 1);
}

static struct pacer_entry *find(struct pacer *p, int64_t key, int create, int64_t now_ms);

/* Doubles the map, dropping entries idle for longer than their window. */
static void grow(struct pacer *p, int64_t now_ms)
{
    struct pacer_entry *old = p->map;
    size_t old_cap = p->cap;
    p->cap *= 2;
    p->map = xcalloc(p->cap, sizeof *p->map);
    p->used = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].used)
            continue;
        if (old[i].last_ms + p->per_span_ms < now_ms && old[i].hold_until < now_ms) {
            window_free(&old[i].win);
            continue;
        }
        struct pacer_entry *e = find(p, old[i].key, 1, now_ms);
        window_free(&e->win);
        *e = old[i];
    }
    free(old);
}

static struct pacer_entry *find(struct pacer *p, int64_t key, int create, int64_t now_ms)
{
    if (create && p->used * 2 >= p->cap)
        grow(p, now_ms);
    for (size_t i = slot_of(p, key);; i = (i + 1) & (p->cap - 1)) {
        struct pacer_entry *e = &p->map[i];
        if (e->used && e->key == key)
            return e;
        if (!e->used) {
            if (!create)
                return NULL;
            e->used = 1;
            e->key = key;
            window_init(&e->win, p->per_max, p->per_span_ms);
            p->used++;
            return e;
        }
    }
}

int64_t pacer_any_at(struct pacer *p, int64_t now_ms)
{
    int64_t at = window_ready_at(&p->global, now_ms), spread = window_ready_at(&p->spread, now_ms);
    return spread > at ? spread : at;
}

int64_t pacer_ready_at(struct pacer *p, int64_t key, int64_t now_ms)
{
    int64_t at = pacer_any_at(p, now_ms);
    struct pacer_entry *e = find(p, key, 0, now_ms);
    if (e) {
        int64_t own = window_ready_at(&e->win, now_ms);
        if (own > at)
            at = own;
        if (e->hold_until > at)
            at = e->hold_until;
    }
    return at;
}

void pacer_record(struct pacer *p, int64_t key, int64_t now_ms)
{
    struct pacer_entry *e = find(p, key, 1, now_ms);
    window_record(&p->global, now_ms);
    window_record(&p->spread, now_ms);
    window_record(&e->win, now_ms);
    e->last_ms = now_ms;
}

void pacer_hold(struct pacer *p, int64_t key, int64_t until_ms)
{
    struct pacer_entry *e = find(p, key, 1, until_ms);
    if (until_ms > e->hold_until)
        e->hold_until = until_ms;
}
