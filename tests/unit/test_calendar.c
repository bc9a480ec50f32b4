/* The working-day calendar against Kazakhstan's real 2026-2027 calendar. */
#include "helpers.h"

static int32_t day(const char *s)
{
    int32_t d;
    assert_int_equal(calendar_parse_date(s, &d), 0);
    return d;
}

static void assert_due(const char *received, int n, const char *expected)
{
    char out[11];
    calendar_format_date(calendar_due_day(&cfg.calendar, day(received), n), out);
    assert_string_equal(out, expected);
}

static void test_dates(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(calendar_weekday(day("2026-11-23")), 1); /* a Monday */
    assert_int_equal(calendar_weekday(day("1970-01-01")), 4);
    calendar_format_local(day("2026-03-09"), out);
    assert_string_equal(out, "09.03.2026");
    int32_t d;
    assert_int_equal(calendar_parse_date("2026-02-30", &d), -1);
    assert_int_equal(calendar_parse_date("2026-2-3", &d), -1);
    assert_int_equal(calendar_parse_date("2026-02-03x", &d), -1);
    assert_int_equal(calendar_parse_date("", &d), -1);
}

/* A month on: the same day, or the month's last when it is shorter; leap years from the calendar.
 */
static void test_add_months(void **state)
{
    (void)state;
    assert_int_equal(calendar_add_months(day("2026-12-15"), 1), day("2027-01-15"));
    assert_int_equal(calendar_add_months(day("2027-01-31"), 1), day("2027-02-28"));
    assert_int_equal(calendar_add_months(day("2028-01-31"), 1), day("2028-02-29"));
    assert_int_equal(calendar_add_months(day("2099-11-30"), 3), day("2100-02-28"));
    assert_int_equal(calendar_add_months(day("1999-11-30"), 3), day("2000-02-29"));
    assert_int_equal(calendar_add_months(day("2026-08-31"), 1), day("2026-09-30"));
    assert_int_equal(calendar_add_months(day("2026-11-23"), 24), day("2028-11-23"));
}

static void test_weekend(void **state)
{
    (void)state;
    assert_false(calendar_is_working(&cfg.calendar, day("2026-11-21"))); /* Saturday */
    assert_false(calendar_is_working(&cfg.calendar, day("2026-11-22"))); /* Sunday */
    assert_true(calendar_is_working(&cfg.calendar, day("2026-11-23")));
    /* the design's example: registered Monday 2 Nov, due Monday 23 Nov */
    assert_due("2026-11-02", 15, "2026-11-23");
}

static void test_holidays_and_carry_over(void **state)
{
    (void)state;
    const struct calendar *c = &cfg.calendar;
    assert_false(calendar_is_working(c, day("2026-01-01")));
    assert_false(calendar_is_working(c, day("2026-01-07"))); /* Orthodox Christmas */
    /* 8 March 2026 is a Sunday: Monday 9 March is off */
    assert_false(calendar_is_working(c, day("2026-03-09")));
    /* Nauryz 21-23 March 2026 (Sat-Mon): 24 and 25 March are off, 26 is not */
    assert_false(calendar_is_working(c, day("2026-03-23")));
    assert_false(calendar_is_working(c, day("2026-03-24")));
    assert_false(calendar_is_working(c, day("2026-03-25")));
    assert_true(calendar_is_working(c, day("2026-03-26")));
    /* 9 May 2026 is a Saturday: Monday 11 May is off */
    assert_false(calendar_is_working(c, day("2026-05-11")));
    assert_false(calendar_is_working(c, day("2026-05-27"))); /* Kurban Ait, lunar */
    assert_false(calendar_is_working(c, day("2026-10-26"))); /* 25 Oct was a Sunday */
    /* 7 January 2023 was a Saturday: a religious holiday does not move */
    assert_true(calendar_is_working(c, day("2023-01-09")));
    assert_false(calendar_is_working(c, day("2023-01-02")));
}

static void test_received_on_holiday(void **state)
{
    (void)state;
    /* received Sunday 22 March 2026: registered Thursday 26 March */
    assert_int_equal(calendar_registration_day(&cfg.calendar, day("2026-03-22")),
                     day("2026-03-26"));
    /* counting from 26 March: 27, 30, 31 Mar, 1-3 Apr, 6-10, 13-16 Apr */
    assert_due("2026-03-22", 15, "2026-04-16");
    /* received on Friday 20 March before Nauryz: the holidays do not count */
    assert_due("2026-03-20", 1, "2026-03-26");
}

static void test_across_year_end(void **state)
{
    (void)state;
    /* 2027: 1 Jan Fri, 2 Jan Sat -> Mon 4 Jan off; 7 Jan Thu off */
    assert_false(calendar_is_working(&cfg.calendar, day("2027-01-04")));
    /* received Fri 18 Dec 2026: 21-25, 28-31 Dec (9), 5, 6, 8, 11, 12, 13 Jan */
    assert_due("2026-12-18", 15, "2027-01-13");
    assert_int_equal(
        calendar_working_days_between(&cfg.calendar, day("2026-12-31"), day("2027-01-08")), 3);
    assert_int_equal(
        calendar_working_days_between(&cfg.calendar, day("2027-01-08"), day("2026-12-31")), -3);
}

static void test_moved_working_day(void **state)
{
    (void)state;
    /* a decree makes Saturday 2027-01-09 working, for example */
    struct calendar c;
    struct calendar_holiday fixed[] = {{1, 1, 1}, {1, 2, 1}, {1, 7, 0}};
    int32_t working[] = {day("2027-01-09")};
    int32_t off[] = {day("2027-01-08")};
    assert_int_equal(calendar_build(&c, 300, 2026, 2027, fixed, 3, off, 1, working, 1), 0);
    assert_true(calendar_is_working(&c, day("2027-01-09")));
    assert_false(calendar_is_working(&c, day("2027-01-08")));
    /* received Wed 6 Jan: 7 off, 8 off, 9 working (Sat), 11 working */
    char out[11];
    calendar_format_date(calendar_due_day(&c, day("2027-01-06"), 2), out);
    assert_string_equal(out, "2027-01-11");
    calendar_free(&c);
}

static void test_local_day(void **state)
{
    (void)state;
    /* 2026-11-22 19:30 UTC is 00:30 on 23 November in Almaty */
    int64_t t = (int64_t)day("2026-11-22") * 86400 + 19 * 3600 + 1800;
    assert_int_equal(calendar_local_day(&cfg.calendar, t), day("2026-11-23"));
    assert_int_equal(calendar_local_day(&cfg.calendar, t - 3600), day("2026-11-22"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_add_months),
        cmocka_unit_test(test_weekend),
        cmocka_unit_test(test_holidays_and_carry_over),
        cmocka_unit_test(test_received_on_holiday),
        cmocka_unit_test(test_across_year_end),
        cmocka_unit_test(test_moved_working_day),
        cmocka_unit_test(test_local_day),
    };
    return cmocka_run_group_tests_name("calendar", tests, example_config_setup,
                                       example_config_teardown);
}
