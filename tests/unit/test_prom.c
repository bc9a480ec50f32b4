/* The /metrics registry (the text format, escaping, undeclared names, threads); the journal's log.
 */
#include "helpers.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/lib/prom.h"

static int reset(void **state)
{
    (void)state;
    log_set_level(LOG_QUIET);
    prom_reset();
    return 0;
}

static void test_format(void **state)
{
    (void)state;
    struct sbuf out = SBUF_INIT;
    char labels[120];
    prom_declare("t_sends_total", PROM_COUNTER, "Sends.\nBy \\outcome.");
    prom_declare("t_up", PROM_GAUGE, "Up.");
    prom_touch("t_sends_total", "outcome=\"sent\"");
    prom_add("t_sends_total", "outcome=\"429\"", 2);
    prom_add("t_sends_total", "outcome=\"429\"", 0.5);
    prom_set("t_up", "", 1);
    prom_label(labels, sizeof labels, "reason", "said \"no\"\\\n");
    prom_add("t_sends_total", labels, 1);
    prom_render(&out);
    assert_string_equal(out.buf, "# HELP t_sends_total Sends.\\nBy \\\\outcome.\n"
                                 "# TYPE t_sends_total counter\n"
                                 "t_sends_total{outcome=\"sent\"} 0\n"
                                 "t_sends_total{outcome=\"429\"} 2.5\n"
                                 "t_sends_total{reason=\"said \\\"no\\\"\\\\\\n\"} 1\n"
                                 "# HELP t_up Up.\n"
                                 "# TYPE t_up gauge\n"
                                 "t_up 1\n");
    assert_true(prom_get("t_sends_total", "outcome=\"429\"") == 2.5);
    prom_clear("t_sends_total");
    sbuf_reset(&out);
    prom_render(&out);
    assert_null(strstr(out.buf, "t_sends_total{"));
    assert_non_null(strstr(out.buf, "# TYPE t_sends_total counter")); /* the family stays */
    sbuf_release(&out);
}

/* A name never declared is dropped (the page stays valid), not added without HELP and TYPE. */
static void test_undeclared(void **state)
{
    (void)state;
    struct sbuf out = SBUF_INIT;
    prom_add("t_typo_total", "", 1);
    prom_set("t_typo", "", 1);
    prom_render(&out);
    assert_int_equal(out.len, 0);
    sbuf_release(&out);
}

static void *count_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000; i++)
        prom_add("t_n_total", i % 2 ? "k=\"a\"" : "k=\"b\"", 1);
    return NULL;
}

/* Threads count into it at once and lose nothing. */
static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    prom_declare("t_n_total", PROM_COUNTER, "N.");
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, count_many, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_true(prom_get("t_n_total", "k=\"a\"") == 200000);
    assert_true(prom_get("t_n_total", "k=\"b\"") == 200000);
}

/*
 * Under systemd (JOURNAL_STREAM names stderr) every line starts with its syslog priority, and no
 * logged text can start a line of its own; elsewhere the lines are plain.
 */
static void test_journal_log(void **state)
{
    (void)state;
    char path[] = "/tmp/tyndau-log-XXXXXX", env[64], text[600];
    int fd = mkstemp(path), saved = dup(2);
    struct stat st;
    assert_true(fd >= 0 && fstat(fd, &st) == 0);
    dup2(fd, 2);
    snprintf(env, sizeof env, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", env, 1);
    log_set_level(LOG_DEBUG);
    int on = log_detect_journal();
    log_error("t", "disk full");
    log_warn("t", "slow");
    log_info("t", "forged?\n<3>2026-01-01 error x: fake");
    log_debug("t", "detail");
    setenv("JOURNAL_STREAM", "1:2", 1); /* another stream: a shell's stderr under a unit */
    int off = log_detect_journal();
    log_info("t", "plain");
    unsetenv("JOURNAL_STREAM");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    text[n] = 0;
    assert_int_equal(on, 1);
    assert_int_equal(off, 0);
    const char *want[] = {"<3>", "<4>", "<6>", "<7>", "2"}; /* the plain line starts with a date */
    const char *line = text;
    for (int i = 0; i < 5; i++) {
        assert_non_null(line);
        if (strncmp(line, want[i], strlen(want[i])))
            fail_msg("line %d: %.60s", i, line);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    assert_non_null(strstr(text, "forged? <3>2026-01-01 error x: fake")); /* one line */
    assert_string_equal(line, "");
    log_set_level(LOG_QUIET);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_format, reset, reset),
        cmocka_unit_test_setup_teardown(test_undeclared, reset, reset),
        cmocka_unit_test_setup_teardown(test_threads, reset, reset),
        cmocka_unit_test(test_journal_log),
    };
    return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
