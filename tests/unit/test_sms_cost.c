/*
 * What SMS costs a citizen, on the real flows: a filing in every language by
 * every route within its goal (3 segments when the router is sure, 4 when the
 * citizen chooses), every question and notice within one segment, the state of
 * an appeal within two.  Each message is measured as the phone shows it.
 */
#include "helpers.h"

#include "tests/tools/sms_filing.h"
#include "bot/lib/render.h"

static char dir[64];
static struct store *store;

static int fresh(void **state)
{
    (void)state;
    temp_dir(dir);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    temp_dir_remove(dir);
    return 0;
}

static void test_filing_within_goal(void **state)
{
    (void)state;
    char db[128];
    snprintf(db, sizeof db, "%s/tyndau.db", dir);
    int64_t now = almaty(&cfg, "2026-11-04", 10);
    int n = 0;
    for (int route = FILING_SURE; route <= FILING_PICK_BOTH; route++)
        for (int l = 0; l < LANG_COUNT; l++) {
            struct filing_cost cost;
            char phone[24];
            snprintf(phone, sizeof phone, "+7701000%04d", ++n);
            assert_int_equal(
                filing_run(&cfg, db, phone, (enum lang)l, (enum filing_route)route, now, &cost), 0);
            int ok =
                cost.registered && cost.segments <= filing_goal[route] && cost.max_segments == 1;
            if (!ok)
                fprintf(stderr, "%s, %s: %d segments in %d SMS (goal %d)%s\n%s", lang_codes[l],
                        filing_route_names[route], cost.segments, cost.messages, filing_goal[route],
                        cost.registered ? "" : ", not registered", cost.transcript);
            assert_true(cost.registered);
            assert_int_equal(cost.max_segments, 1); /* every question one segment */
            assert_true(cost.segments <= filing_goal[route]);
        }
}

/* The SMS messages queued to phone since row after, each as the phone shows it. */
static long long expect_each_within(const char *phone, long long after, int budget, int *count)
{
    struct filing_cost cost = {0};
    char db[128];
    snprintf(db, sizeof db, "%s/tyndau.db", dir);
    long long last = filing_count_sent(db, phone, after, &cost);
    if (cost.max_segments > budget)
        fprintf(stderr, "over %d segment(s):\n%s", budget, cost.transcript);
    assert_true(cost.max_segments <= budget);
    *count += cost.messages;
    return last;
}

static enum dispatch_result say(const char *channel, const char *sender, const char *text,
                                int64_t now)
{
    return dispatch_text(store, &cfg, channel, sender, text, strlen(text), NULL, now);
}

/* Every notice that reaches an SMS citizen, in each language: one segment; the state: two. */
static void test_notices_within_one_segment(void **state)
{
    (void)state;
    store = open_temp_store(dir);
    int64_t now = almaty(&cfg, "2026-11-04", 10);
    static const char *const lang_words[] = {"/lang kk", "/lang ru", "/lang en"};
    int count = 0;
    for (int l = 0; l < LANG_COUNT; l++) {
        char phone[24], cmd[200];
        snprintf(phone, sizeof phone, "+7702000000%d", l);
        say("sms", phone, lang_words[l], now);
        long long seen = expect_each_within(phone, 0, 1, &count);
        const char *greetings[] = {"сәлем", "HELP", "СТОП", "бір", "/cases", "/nothing"};
        for (size_t i = 0; i < sizeof greetings / sizeof *greetings; i++) {
            say("sms", phone, greetings[i], now + 1 + (int64_t)i);
            seen = expect_each_within(phone, seen, 1, &count);
        }
        say("sms", phone, filing_texts[FILING_SURE][l], now + 10);
        say("sms", phone, "1", now + 11);
        say("sms", phone, "1", now + 12);
        seen = expect_each_within(phone, seen, 1, &count);
        char *number = db_text(dir, "SELECT number FROM cases ORDER BY id DESC LIMIT 1");
        assert_non_null(number);
        snprintf(cmd, sizeof cmd, "СТАТУС %s", number);
        say("sms", phone, cmd, now + 20);
        seen = expect_each_within(phone, seen, 2, &count); /* the state: two at most */
        /*
         * staff move it: each step is told in one segment (an extension's reason is the
         * officer's words: three short ones fit beside the text)
         */
        const char *steps[] = {"/extend %s 15.12.2026 су сынамасы тексерілуде",
                               "/transfer %s housing", "/transfer %s energy", "/take %s"};
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
            snprintf(cmd, sizeof cmd, steps[i], number);
            say("console", "staff:erlan", cmd, now + 30 + (int64_t)i);
            if (i == 3)
                say("console", "staff:aigerim", cmd, now + 30 + (int64_t)i);
            seen = expect_each_within(phone, seen, 1, &count);
        }
        snprintf(cmd, sizeof cmd, "/answer %s Су құбыры жөнделді, су беріледі.", number);
        say("console", "staff:aigerim", cmd, now + 40);
        seen = expect_each_within(phone, seen, 1, &count); /* a short answer, the rating */
        say("sms", phone, "1", now + 50);                  /* rated low: what is wrong? */
        seen = expect_each_within(phone, seen, 1, &count);
        say("sms", phone, "Су әлі жоқ", now + 51);
        seen = expect_each_within(phone, seen, 1, &count);
        snprintf(cmd, sizeof cmd, "/close %s resolved", number);
        say("console", "staff:aigerim", cmd, now + 60);
        expect_each_within(phone, seen, 1, &count);
        free(number);
    }
    assert_true(count >= 3 * 15); /* the messages measured: each flow spoke */
    store_close(store);
}

/* An officer's long reason in a notice costs at most sms.max_parts, cut with "…". */
static void test_long_reason_cut_to_budget(void **state)
{
    (void)state;
    store = open_temp_store(dir);
    int64_t now = almaty(&cfg, "2026-11-04", 10);
    const char *phone = "+77030000001";
    say("sms", phone, filing_texts[FILING_SURE][LANG_KK], now);
    say("sms", phone, "1", now + 1);
    say("sms", phone, "1", now + 2);
    char *number = db_text(dir, "SELECT number FROM cases");
    char cmd[1200] = "";
    snprintf(cmd, sizeof cmd, "/extend %s 15.12.2026 ", number);
    for (int i = 0; i < 20; i++) /* 340 characters: five segments */
        strcat(cmd, "құбырды ауыстыру ");
    say("console", "staff:erlan", cmd, now + 10);
    char *told = last_message_to(dir, "sms", phone);
    struct sms_cost c = sms_cost(told, strlen(told));
    assert_int_equal(c.segments, cfg.sms.max_parts);
    assert_non_null(strstr(told, "ұзартылды: құбырды ауыстыру"));
    assert_string_equal(told + strlen(told) - strlen("…"), "…");
    free(told);
    free(number);
    store_close(store);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_filing_within_goal, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_notices_within_one_segment, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_long_reason_cut_to_budget, fresh, cleanup),
    };
    return cmocka_run_group_tests(tests, example_config_setup, example_config_teardown);
}
