#include "bot/domain/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bot/lib/xalloc.h"

/* Howard Hinnant's days_from_civil: proleptic Gregorian, exact for all years used here. */
int32_t calendar_day_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void calendar_ymd_from_day(int32_t z, int *year, int *month, int *day)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    *year = y + (m <= 2);
    *month = m;
    *day = d;
}

int32_t calendar_add_months(int32_t day, int months)
{
    int y, m, d;
    calendar_ymd_from_day(day, &y, &m, &d);
    int index = y * 12 + (m - 1) + months; /* months since year 0 */
    y = index / 12;
    m = index % 12 + 1;
    /* the month's last day: the day before the next month's first */
    int32_t last = calendar_day_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
    int32_t same = calendar_day_from_ymd(y, m, 1) + d - 1;
    return same < last ? same : last;
}

int calendar_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (4) */
    int w = (int)((day % 7 + 7 + 3) % 7);
    return w + 1;
}

int calendar_parse_date(const char *s, int32_t *day)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return -1;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    int32_t z = calendar_day_from_ymd(y, m, d);
    int yy, mm, dd;
    calendar_ymd_from_day(z, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d)
        return -1; /* 2026-02-30 and the like */
    *day = z;
    return 0;
}

void calendar_format_date(int32_t day, char out[11])
{
    int y, m, d;
    calendar_ymd_from_day(day, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

void calendar_format_local(int32_t day, char out[11])
{
    int y, m, d;
    calendar_ymd_from_day(day, &y, &m, &d);
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%02d.%02d.%04d", d, m, y);
    memcpy(out, tmp, 10);
    out[10] = 0;
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int contains(const int32_t *days, size_t n, int32_t day)
{
    return n && bsearch(&day, days, n, sizeof *days, cmp_day) != NULL;
}

struct dayset {
    int32_t *v;
    size_t n, alloc;
};

static int dayset_add(struct dayset *s, int32_t day)
{
    if (s->n == s->alloc) {
        size_t alloc = s->alloc ? s->alloc * 2 : 64;
        s->v = xrealloc(s->v, alloc * sizeof *s->v);
        s->alloc = alloc;
    }
    s->v[s->n++] = day;
    return 0;
}

static int dayset_has(const struct dayset *s, int32_t day)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == day)
            return 1;
    return 0;
}

static void dayset_sort_unique(struct dayset *s)
{
    if (!s->n)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp_day);
    size_t out = 1;
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i] != s->v[out - 1])
            s->v[out++] = s->v[i];
    s->n = out;
}

static int is_weekend(int32_t day)
{
    return calendar_weekday(day) >= 6;
}

/*
 * One year at a time: the holidays of a year are fixed first, then each
 * weekend holiday, in date order, carries its day off to the first following
 * weekday that is neither a holiday nor already a carried day.
 */
static int build_year(int year, const struct calendar_holiday *fixed, size_t nfixed,
                      const int32_t *extra_off, size_t nextra_off, struct dayset *off)
{
    struct dayset holidays = {0}, moving = {0};
    int rc = -1;
    for (size_t i = 0; i < nfixed; i++) {
        int32_t d = calendar_day_from_ymd(year, fixed[i].month, fixed[i].day);
        if (dayset_add(&holidays, d) < 0)
            goto out;
        if (fixed[i].moves && is_weekend(d) && dayset_add(&moving, d) < 0)
            goto out;
    }
    for (size_t i = 0; i < nextra_off; i++) {
        int y, m, dd;
        calendar_ymd_from_day(extra_off[i], &y, &m, &dd);
        if (y == year && dayset_add(&holidays, extra_off[i]) < 0)
            goto out;
    }
    dayset_sort_unique(&moving);
    struct dayset carried = {0};
    for (size_t i = 0; i < moving.n; i++) {
        int32_t d = moving.v[i] + 1;
        while (is_weekend(d) || dayset_has(&holidays, d) || dayset_has(&carried, d))
            d++;
        if (dayset_add(&carried, d) < 0) {
            free(carried.v);
            goto out;
        }
    }
    rc = 0;
    for (size_t i = 0; i < holidays.n && rc == 0; i++)
        rc = dayset_add(off, holidays.v[i]);
    for (size_t i = 0; i < carried.n && rc == 0; i++)
        rc = dayset_add(off, carried.v[i]);
    free(carried.v);
out:
    free(holidays.v);
    free(moving.v);
    return rc;
}

int calendar_build(struct calendar *cal, int utc_offset_min, int from_year, int to_year,
                   const struct calendar_holiday *fixed, size_t nfixed, const int32_t *extra_off,
                   size_t nextra_off, const int32_t *extra_working, size_t nextra_working)
{
    struct dayset off = {0}, working = {0};
    memset(cal, 0, sizeof *cal);
    cal->utc_offset_min = utc_offset_min;
    for (int y = from_year; y <= to_year; y++)
        if (build_year(y, fixed, nfixed, extra_off, nextra_off, &off) < 0)
            goto fail;
    for (size_t i = 0; i < nextra_working; i++)
        if (dayset_add(&working, extra_working[i]) < 0)
            goto fail;
    dayset_sort_unique(&off);
    dayset_sort_unique(&working);
    cal->days_off = off.v;
    cal->ndays_off = off.n;
    cal->working = working.v;
    cal->nworking = working.n;
    return 0;
fail:
    free(off.v);
    free(working.v);
    return -1;
}

void calendar_free(struct calendar *cal)
{
    free(cal->days_off);
    free(cal->working);
    memset(cal, 0, sizeof *cal);
}

int calendar_is_working(const struct calendar *cal, int32_t day)
{
    if (contains(cal->working, cal->nworking, day))
        return 1;
    if (contains(cal->days_off, cal->ndays_off, day))
        return 0;
    return !is_weekend(day);
}

int32_t calendar_local_day(const struct calendar *cal, int64_t t)
{
    int64_t local = t + (int64_t)cal->utc_offset_min * 60;
    int64_t day = local / 86400;
    if (local % 86400 < 0)
        day--;
    return (int32_t)day;
}

int64_t calendar_day_start(const struct calendar *cal, int32_t day)
{
    return (int64_t)day * 86400 - (int64_t)cal->utc_offset_min * 60;
}

int32_t calendar_registration_day(const struct calendar *cal, int32_t day)
{
    while (!calendar_is_working(cal, day))
        day++;
    return day;
}

int32_t calendar_add_working_days(const struct calendar *cal, int32_t from, int n)
{
    int32_t day = from;
    while (n > 0) {
        day++;
        if (calendar_is_working(cal, day))
            n--;
    }
    return day;
}

int32_t calendar_due_day(const struct calendar *cal, int32_t received, int n)
{
    return calendar_add_working_days(cal, calendar_registration_day(cal, received), n);
}

int calendar_working_days_between(const struct calendar *cal, int32_t from, int32_t to)
{
    int sign = 1, n = 0;
    if (to < from) {
        int32_t t = from;
        from = to;
        to = t;
        sign = -1;
    }
    for (int32_t d = from + 1; d <= to; d++)
        n += calendar_is_working(cal, d);
    return sign * n;
}
