/*
 * calendar: Kazakhstan working days, for legal response deadlines.
 *
 * Days are counted as "day numbers": days since 1970-01-01 in local time
 * (Asia/Almaty, a fixed UTC offset; Kazakhstan keeps no daylight saving).
 * A day is working unless it is a Saturday or Sunday, a public holiday, the
 * day a weekend holiday was moved to, or a day off by decree; a decree can
 * also make a weekend day working.  All of this is built once from the
 * config into two sorted arrays, so is_working() is two binary searches.
 *
 * Holiday carry-over (Labour Code art. 84): a holiday that falls on a weekend
 * moves the day off to the next working day, except holidays marked as not
 * moving (the religious ones).
 */
#ifndef TYNDAU_CALENDAR_H
#define TYNDAU_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

struct calendar_holiday {
    int month, day;
    int moves; /* a weekend occurrence moves the day off to the next working day */
};

struct calendar {
    int utc_offset_min;
    int32_t *days_off; /* sorted: holidays, carried days, decree days off */
    size_t ndays_off;
    int32_t *working; /* sorted: weekend days made working by decree */
    size_t nworking;
};

int32_t calendar_day_from_ymd(int year, int month, int day);
void calendar_ymd_from_day(int32_t day, int *year, int *month, int *dayofmonth);
/* The same day `months` later, or that month's last day when it is shorter (31 Jan + 1: 28/29 Feb).
 */
int32_t calendar_add_months(int32_t day, int months);
/* 1 = Monday ... 7 = Sunday */
int calendar_weekday(int32_t day);
/* Parses "YYYY-MM-DD"; returns 0 on success, -1 if malformed or not a real date. */
int calendar_parse_date(const char *s, int32_t *day);
/* Writes "YYYY-MM-DD" (11 bytes with NUL). */
void calendar_format_date(int32_t day, char out[11]);
/* Writes "DD.MM.YYYY", the form people in Kazakhstan write dates in. */
void calendar_format_local(int32_t day, char out[11]);

/*
 * Builds the calendar for [from_year, to_year].  fixed[] recur every year;
 * extra_off[] are dated days off (lunar holidays, decrees); extra_working[]
 * are dated weekend days made working.  Returns 0, or -1 on allocation failure.
 */
int calendar_build(struct calendar *cal, int utc_offset_min, int from_year, int to_year,
                   const struct calendar_holiday *fixed, size_t nfixed, const int32_t *extra_off,
                   size_t nextra_off, const int32_t *extra_working, size_t nextra_working);
void calendar_free(struct calendar *cal);

int calendar_is_working(const struct calendar *cal, int32_t day);
int32_t calendar_local_day(const struct calendar *cal, int64_t unix_seconds);
/* Unix time of local midnight starting the given day. */
int64_t calendar_day_start(const struct calendar *cal, int32_t day);
/* The day an appeal received on `day` is registered: it, or the next working day. */
int32_t calendar_registration_day(const struct calendar *cal, int32_t day);
/* The n-th working day after `from` (counting starts the day after). */
int32_t calendar_add_working_days(const struct calendar *cal, int32_t from, int n);
/* Due date of an appeal received on `received`: n working days after registration. */
int32_t calendar_due_day(const struct calendar *cal, int32_t received, int n);
/* Working days in (from, to]; negative when to < from. */
int calendar_working_days_between(const struct calendar *cal, int32_t from, int32_t to);

#endif
