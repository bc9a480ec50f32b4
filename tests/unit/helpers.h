/*
 * Shared helpers of the unit tests: the example config, a fresh store in a
 * temporary directory, and a way to say something as someone and read what
 * tyndau queued in reply.
 */
#ifndef TYNDAU_TEST_HELPERS_H
#define TYNDAU_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "gateways/channels.h"
#include "bot/domain/calendar.h"
#include "bot/domain/config.h"
#include "bot/pipeline/dispatch.h"
#include "bot/lib/log.h"
#include "bot/domain/store.h"

#define EXAMPLE_CONFIG "config/tyndau.conf"

/* The example config, with the channels' profiles registered as `tyndau` does at start. */
static inline void load_example_config(struct config *conf)
{
    struct diag d = DIAG_INIT;
    channels_register();
    int rc = config_load(conf, EXAMPLE_CONFIG, &d);
    if (rc != 0)
        fprintf(stderr, "%s", d.text.buf);
    diag_release(&d);
    assert_int_equal(rc, 0);
}

/* The example config as a cmocka group fixture, for tests that only read it; errors only logged. */
static struct config cfg;

static inline int example_config_setup(void **state)
{
    (void)state;
    log_set_level(LOG_ERROR);
    load_example_config(&cfg);
    return 0;
}

static inline int example_config_teardown(void **state)
{
    (void)state;
    config_free(&cfg);
    return 0;
}

/* A temporary directory, removed with everything in it by temp_dir_remove(). */
static inline void temp_dir(char out[64])
{
    snprintf(out, 64, "/tmp/tyndau-test-XXXXXX");
    assert_non_null(mkdtemp(out));
}

static inline void temp_dir_remove(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline struct store *open_temp_store(const char *dir)
{
    char path[128];
    struct store *s;
    struct sbuf err = SBUF_INIT;
    snprintf(path, sizeof path, "%s/tyndau.db", dir);
    int rc = store_open(&s, path, 0, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.buf);
    sbuf_release(&err);
    assert_int_equal(rc, 0);
    return s;
}

/* Unix time of a local (Almaty) date and hour. */
static inline int64_t almaty(const struct config *conf, const char *date, int hour)
{
    int32_t day;
    assert_int_equal(calendar_parse_date(date, &day), 0);
    return calendar_day_start(&conf->calendar, day) + hour * 3600;
}

/* Runs a SELECT returning one text value; the caller frees it. */
static inline char *db_text(const char *dir, const char *sql)
{
    char path[128];
    sqlite3 *db;
    sqlite3_stmt *st;
    char *out = NULL;
    snprintf(path, sizeof path, "%s/tyndau.db", dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out =
            strndup((const char *)sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static inline long long db_count(const char *dir, const char *sql)
{
    char *v = db_text(dir, sql);
    long long n = v ? atoll(v) : -1;
    free(v);
    return n;
}

/* Dispatches one message as sender; each call gets a new external id. */
static inline enum dispatch_result dispatch_text(struct store *store, const struct config *conf,
                                                 const char *channel, const char *sender,
                                                 const char *text, size_t len, const char *payload,
                                                 int64_t now)
{
    static long long seq;
    char id[32];
    enum dispatch_result r;
    snprintf(id, sizeof id, "m%lld", ++seq);
    struct inbound in = {.channel = channel,
                         .external_id = id,
                         .sender = sender,
                         .text = text,
                         .text_len = len,
                         .payload = payload};
    assert_int_equal(dispatch_batch(store, conf, &in, 1, now * 1000, &r, NULL), 0);
    return r;
}

/* The newest message queued for (channel, address); the caller frees it. */
static inline char *last_message_to(const char *dir, const char *channel, const char *address)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT text FROM outbox WHERE channel = '%s' AND address = '%s' ORDER BY id DESC "
             "LIMIT 1",
             channel, address);
    char *t = db_text(dir, sql);
    assert_non_null(t);
    return t;
}

/*
 * The next message of each address, as the outbox's triggers keep it
 * (outbox_heads), is what its definition gives: the oldest pending message of
 * an address with none in flight.  Checked after tests that move the outbox.
 */
#define HEADS_BY_DEFINITION                                                                        \
    "SELECT o.channel, o.address, o.id, o.next_attempt_ms FROM outbox o WHERE "                    \
    "o.state = 'pending' AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND "    \
    "p.channel = o.channel AND p.address = o.address AND p.id < o.id) AND NOT EXISTS (SELECT 1 "   \
    "FROM outbox f WHERE f.state = 'sending' AND f.channel = o.channel AND f.address = o.address)"
#define HEADS_KEPT "SELECT channel, address, head_id, ready_ms FROM outbox_heads"

static inline void expect_outbox_heads_as_defined(const char *dir)
{
    long long missing =
        db_count(dir, "SELECT count(*) FROM (" HEADS_BY_DEFINITION " EXCEPT " HEADS_KEPT ")");
    long long extra =
        db_count(dir, "SELECT count(*) FROM (" HEADS_KEPT " EXCEPT " HEADS_BY_DEFINITION ")");
    if (missing || extra)
        fprintf(stderr, "outbox_heads: %lld missing, %lld extra\n", missing, extra);
    assert_int_equal(missing, 0);
    assert_int_equal(extra, 0);
}

#endif
