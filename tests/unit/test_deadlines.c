/*
 * Deadlines against a real redis-server, with the clock moved instead of
 * slept: stages fire in order and once, extensions move them, closing
 * removes them, an outage misses nothing, and reindex restores the index.
 */
#include "helpers.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <unistd.h>

#include "bot/pipeline/deadlines.h"
#include "redis_server.h"

static char dir[64];
static struct store *store;
static struct redis_server rs;
static struct deadlines dl;
static redisContext *probe;

static int fresh(void **state)
{
    (void)state;
    load_example_config(&cfg);
    log_set_level(LOG_ERROR);
    signal(SIGPIPE, SIG_IGN); /* as the daemon does */
    temp_dir(dir);
    store = open_temp_store(dir);
    redis_server_start(&rs);
    free(cfg.redis.socket);
    cfg.redis.socket = strdup(rs.socket);
    deadlines_init(&dl, &cfg);
    probe = redisConnectUnix(rs.socket);
    assert_non_null(probe);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    if (probe)
        redisFree(probe);
    deadlines_close(&dl);
    store_close(store);
    redis_server_remove(&rs);
    temp_dir_remove(dir);
    config_free(&cfg);
    memset(&rs, 0, sizeof rs);
    return 0;
}

static void reconnect_probe(void)
{
    if (probe)
        redisFree(probe);
    probe = redisConnectUnix(rs.socket);
    assert_true(probe && !probe->err);
}

/* ZSCORE key member, or -1 when absent. */
static long long zscore(const char *key, long long member)
{
    redisReply *r = redisCommand(probe, "ZSCORE %s %lld", key, member);
    assert_non_null(r);
    long long v = r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;
    freeReplyObject(r);
    return v;
}

static int tick_at(int64_t t)
{
    int fired;
    assert_int_equal(deadlines_tick(&dl, store, t * 1000, 500, &fired), 0);
    return fired;
}

static long long file_case(const char *sender, const char *text, int64_t now)
{
    size_t len = strlen(text);
    dispatch_text(store, &cfg, "console", sender, text, len, NULL, now);
    dispatch_text(store, &cfg, "console", sender, "1", 1, NULL, now + 1);
    dispatch_text(store, &cfg, "console", sender, "1", 1, NULL, now + 2);
    return db_count(dir, "SELECT max(id) FROM cases WHERE number IS NOT NULL");
}

static char *number_of(long long id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT number FROM cases WHERE id = %lld", id);
    return db_text(dir, sql);
}

static long long events(const char *kind)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE kind = '%s'", kind);
    return db_count(dir, sql);
}

static int64_t at(const char *date, int hour, int minute)
{
    return almaty(&cfg, date, hour) + minute * 60;
}

static void test_stages_fire_in_order_once(void **state)
{
    (void)state;
    /* Friday 20 March 2026, before Nauryz (21-25 March off): due 15 April */
    long long id =
        file_case("citizen:a", "Алмалы ауданында үш күннен бері су жоқ", at("2026-03-20", 10, 0));
    int32_t due;
    calendar_parse_date("2026-04-15", &due);
    assert_int_equal(db_count(dir, "SELECT due_day FROM cases"), due);
    assert_int_equal(tick_at(at("2026-03-20", 10, 1)), 0);
    /* three working days before 15 April is Friday 10 April */
    assert_int_equal(zscore("tyndau:next", id), at("2026-04-10", 9, 0));
    assert_int_equal(zscore("tyndau:due", id), at("2026-04-16", 0, 0));

    assert_int_equal(tick_at(at("2026-04-10", 8, 59)), 0);
    assert_int_equal(events("reminded"), 0);
    assert_int_equal(tick_at(at("2026-04-10", 9, 0)), 1);
    assert_int_equal(events("reminded"), 1);
    char *msg = last_message_to(dir, "telegram", "-1001000000101");
    assert_non_null(strstr(msg, "Еске салу"));
    free(msg);
    assert_int_equal(tick_at(at("2026-04-10", 9, 1)), 0); /* not again */
    assert_int_equal(zscore("tyndau:next", id), at("2026-04-14", 9, 0));

    tick_at(at("2026-04-14", 9, 0));
    tick_at(at("2026-04-15", 9, 0));
    assert_int_equal(events("due_today"), 1);
    assert_int_equal(events("breach"), 0);
    tick_at(at("2026-04-16", 0, 0));
    tick_at(at("2026-04-16", 0, 1));
    tick_at(at("2026-04-20", 12, 0));
    assert_int_equal(events("reminded"), 2);
    assert_int_equal(events("breach"), 1);
    assert_int_equal(zscore("tyndau:next", id), -1); /* no stage left */
    /* the supervisor heard of the breach */
    msg = last_message_to(dir, "telegram", "700000005");
    assert_non_null(strstr(msg, "Просрочено"));
    free(msg);
    char *order = db_text(dir, "SELECT group_concat(kind || ':' || detail, ',') FROM (SELECT "
                               "kind, detail FROM events WHERE actor = 'system' ORDER BY id)");
    assert_string_equal(order,
                        "reminded:remind3,reminded:remind1,due_today:,breach:due=15.04.2026");
    free(order);
}

static void test_extension_moves_stages_and_closing_removes_them(void **state)
{
    (void)state;
    long long id =
        file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-02", 10, 0));
    tick_at(at("2026-11-02", 10, 1));
    assert_int_equal(zscore("tyndau:next", id), at("2026-11-18", 9, 0));
    char *number = number_of(id), cmd[160];
    snprintf(cmd, sizeof cmd, "/extend %s 05.01.2027 қосымша тексеру қажет болды", number);
    dispatch_text(store, &cfg, "console", "staff:aigerim", cmd, strlen(cmd), NULL,
                  at("2026-11-10", 11, 0));
    char *reply = last_message_to(dir, "console", "staff:aigerim");
    assert_non_null(strstr(reply, "02.01.2027")); /* the two-month limit */
    free(reply);
    snprintf(cmd, sizeof cmd, "/extend %s 15.12.2026 қосымша тексеру қажет болды", number);
    dispatch_text(store, &cfg, "console", "staff:aigerim", cmd, strlen(cmd), NULL,
                  at("2026-11-10", 11, 5));
    reply = last_message_to(dir, "console", "citizen:a");
    assert_non_null(strstr(reply, "15.12.2026"));
    free(reply);
    tick_at(at("2026-11-10", 11, 6));
    /* every stage moved: the first is now 3 working days before 15 December */
    assert_int_equal(zscore("tyndau:next", id), at("2026-12-10", 9, 0));
    assert_int_equal(zscore("tyndau:due", id), at("2026-12-16", 0, 0));
    assert_int_equal(tick_at(at("2026-11-18", 9, 0)), 0); /* the old reminder is gone */
    assert_int_equal(events("reminded"), 0);

    snprintf(cmd, sizeof cmd, "/close %s resolved", number);
    dispatch_text(store, &cfg, "console", "staff:aigerim", cmd, strlen(cmd), NULL,
                  at("2026-11-20", 12, 0));
    tick_at(at("2026-11-20", 12, 1));
    assert_int_equal(zscore("tyndau:next", id), -1);
    assert_int_equal(zscore("tyndau:due", id), -1);
    tick_at(at("2026-12-31", 12, 0));
    assert_int_equal(events("reminded") + events("breach"), 0);
    free(number);
}

static void test_outage_misses_nothing(void **state)
{
    (void)state;
    long long a =
        file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-02", 10, 0));
    tick_at(at("2026-11-02", 10, 1));
    redis_server_kill(&rs);
    /* intake goes on without Redis */
    long long b =
        file_case("citizen:b", "Нет воды в Медеуском районе третий день", at("2026-11-02", 11, 0));
    assert_true(b > a);
    assert_int_equal(tick_at(at("2026-11-18", 9, 0)), 0);
    assert_false(deadlines_up(&dl));
    assert_int_equal(events("reminded"), 0);
    redis_server_start(&rs); /* back, and empty */
    reconnect_probe();
    assert_int_equal(tick_at(at("2026-11-18", 9, 5)), 2);
    assert_int_equal(events("reminded"), 2);
    assert_int_equal(tick_at(at("2026-11-18", 9, 6)), 0);
    /* a lost move-on (a crash between SQLite and Redis) offers a case again: nothing twice */
    redisReply *r =
        redisCommand(probe, "ZADD tyndau:next %lld %lld", (long long)at("2026-11-18", 9, 0), a);
    freeReplyObject(r);
    assert_int_equal(tick_at(at("2026-11-18", 9, 7)), 1);
    assert_int_equal(events("reminded"), 2);
    assert_int_equal(zscore("tyndau:next", a), at("2026-11-20", 9, 0));
}

/* After downtime or a clock jump only the latest stage whose time has come fires. */
static void test_stale_stages_fire_only_the_latest(void **state)
{
    (void)state;
    /* registered Monday 23 November, due Monday 14 December */
    long long today =
        file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-21", 15, 0));
    /* registered Friday 13 November, due Friday 4 December */
    long long late = file_case("citizen:b", "Нет воды в Алмалинском районе третий день",
                               at("2026-11-13", 16, 0));
    tick_at(at("2026-11-21", 16, 1));
    const char *chat = "SELECT count(*) FROM outbox WHERE address = '-1001000000101'";
    long long before = db_count(dir, chat);
    /* the daemon was down from before the first reminder until 14 December's morning */
    assert_int_equal(tick_at(at("2026-12-14", 10, 0)), 2);
    assert_int_equal(events("reminded"), 0);
    assert_int_equal(events("due_today"), 1);
    assert_int_equal(events("breach"), 1);
    assert_int_equal(events("stage_skipped"), 2 + 3);
    /* the department heard once of each: "due today" and "overdue" */
    assert_int_equal(db_count(dir, chat), before + 2);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT group_concat(stage || ':' || skipped, ',') FROM (SELECT stage, skipped FROM "
             "stages_fired WHERE case_id = %lld ORDER BY stage)",
             late);
    char *rows = db_text(dir, sql);
    assert_string_equal(rows, "dueday:1,overdue:0,remind1:1,remind3:1");
    free(rows);
    assert_int_equal(zscore("tyndau:next", late), -1);
    assert_int_equal(zscore("tyndau:next", today), at("2026-12-15", 0, 0));
    assert_int_equal(tick_at(at("2026-12-15", 0, 0)), 1); /* on time again: the breach */
    assert_int_equal(events("breach"), 2);
    assert_int_equal(events("stage_skipped"), 5);
}

/* More changes queued than one batch carries: every case reaches Redis. */
static void test_index_sync_carries_every_batch(void **state)
{
    (void)state;
    int32_t due;
    calendar_parse_date("2026-12-14", &due);
    tick_at(at("2026-11-23", 8, 0)); /* connected and rebuilt: from now on changes are synced */
    assert_int_equal(store_begin(store), 0);
    struct citizen who;
    assert_int_equal(store_citizen_get_or_create(store, "console", "citizen:many", LANG_KK,
                                                 at("2026-11-23", 9, 0), &who),
                     0);
    for (int i = 0; i < 2500; i++) {
        struct case_rec c;
        case_init(&c);
        snprintf(c.number, sizeof c.number, "9%05d", i);
        c.citizen_id = who.id;
        c.status = CASE_REGISTERED;
        snprintf(c.body, sizeof c.body, "energy");
        c.created_at = c.registered_at = at("2026-11-23", 9, 0);
        c.due_day = due;
        sbuf_addstr(&c.text, "Алмалы ауданында су жоқ");
        assert_int_equal(store_case_insert(store, &c), 0);
        case_release(&c);
    }
    assert_int_equal(store_commit(store), 0);
    tick_at(at("2026-11-23", 9, 1));
    redisReply *r = redisCommand(probe, "ZCARD tyndau:due");
    assert_non_null(r);
    assert_int_equal(r->integer, 2500);
    freeReplyObject(r);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM index_queue"), 0);
}

/* Redis emptied without a disconnect (FLUSHDB, a failover to an empty replica) is noticed. */
static void test_flushed_index_is_rebuilt(void **state)
{
    (void)state;
    long long a =
        file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-02", 10, 0));
    long long b =
        file_case("citizen:b", "Нет воды в Медеуском районе третий день", at("2026-11-02", 11, 0));
    tick_at(at("2026-11-02", 11, 1));
    assert_true(zscore("tyndau:due", a) > 0 && zscore("tyndau:due", b) > 0);
    redisReply *r = redisCommand(probe, "FLUSHDB");
    freeReplyObject(r);
    tick_at(at("2026-11-02", 11, 2));
    assert_int_equal(zscore("tyndau:due", a), at("2026-11-24", 0, 0));
    assert_int_equal(zscore("tyndau:due", b), at("2026-11-24", 0, 0));
    assert_int_equal(tick_at(at("2026-11-18", 9, 0)), 2); /* and the reminders come */
}

static char *dump(const char *key)
{
    redisReply *r = redisCommand(probe, "ZRANGE %s 0 -1 WITHSCORES", key);
    struct sbuf out = SBUF_INIT;
    for (size_t i = 0; r && i < r->elements; i++)
        sbuf_addf(&out, "%s ", r->element[i]->str);
    if (r)
        freeReplyObject(r);
    return sbuf_detach(&out, NULL);
}

static atomic_long rebuilt = -2;

static void *rebuild_thread(void *arg)
{
    (void)arg;
    atomic_store(&rebuilt, deadlines_rebuild(&dl, store));
    return NULL;
}

/*
 * Rebuilding the index holds no lock that appeals and the sender wait on: while Redis is slow to
 * take the open cases (paused), the write lock is free and a citizen files at once; that case,
 * not in the rebuild's read, is synced after it.
 */
static void test_rebuild_holds_no_lock(void **state)
{
    (void)state;
    long long a =
        file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-02", 10, 0));
    tick_at(at("2026-11-02", 10, 1)); /* connected and rebuilt */
    redisReply *r = redisCommand(probe, "CLIENT PAUSE 1500 ALL");
    assert_non_null(r);
    freeReplyObject(r);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, rebuild_thread, NULL), 0);
    usleep(300 * 1000); /* the rebuild has read the cases and waits for Redis */
    char path[160];
    snprintf(path, sizeof path, "%s/tyndau.db", dir);
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    sqlite3_busy_timeout(raw, 0);
    int lock = sqlite3_exec(raw, "BEGIN IMMEDIATE; ROLLBACK;", NULL, NULL, NULL);
    long during = atomic_load(&rebuilt);
    sqlite3_close(raw);
    struct store *other = open_temp_store(dir);
    const char *text = "Нет воды в Медеуском районе третий день";
    dispatch_text(other, &cfg, "console", "citizen:b", text, strlen(text), NULL,
                  at("2026-11-02", 11, 0));
    dispatch_text(other, &cfg, "console", "citizen:b", "1", 1, NULL, at("2026-11-02", 11, 0) + 1);
    dispatch_text(other, &cfg, "console", "citizen:b", "1", 1, NULL, at("2026-11-02", 11, 0) + 2);
    store_close(other);
    pthread_join(t, NULL);
    assert_int_equal(during, -2); /* still waiting for Redis */
    assert_int_equal(lock, SQLITE_OK);
    assert_int_equal(atomic_load(&rebuilt), 1);
    long long b = db_count(dir, "SELECT max(id) FROM cases WHERE number IS NOT NULL");
    assert_true(b > a);
    assert_int_equal(zscore("tyndau:due", b), -1);
    tick_at(at("2026-11-02", 11, 1));
    assert_true(zscore("tyndau:due", a) > 0);
    assert_true(zscore("tyndau:due", b) > 0);
}

static void test_reindex_restores_the_index_exactly(void **state)
{
    (void)state;
    const char *days[] = {"2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16"};
    for (int i = 0; i < 5; i++) {
        char who[32];
        snprintf(who, sizeof who, "citizen:%d", i);
        file_case(who, "Алмалы ауданында су жоқ, көмектесіңіз", at(days[i], 10, 0));
    }
    tick_at(at("2026-11-19", 9, 0)); /* some stages fired */
    assert_true(events("reminded") > 0);
    char *next = dump("tyndau:next"), *due = dump("tyndau:due");
    assert_true(strlen(next) > 0);
    redisReply *r = redisCommand(probe, "DEL tyndau:next tyndau:due");
    freeReplyObject(r);
    assert_int_equal(deadlines_rebuild(&dl, store), 5);
    char *next2 = dump("tyndau:next"), *due2 = dump("tyndau:due");
    assert_string_equal(next, next2);
    assert_string_equal(due, due2);
    free(next), free(due), free(next2), free(due2);
}

static void test_daily_digest_once(void **state)
{
    (void)state;
    file_case("citizen:a", "Алмалы ауданында су жоқ, көмектесіңіз", at("2026-11-02", 10, 0));
    tick_at(at("2026-11-24", 8, 0)); /* before the digest hour */
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = '700000005' AND "
                                   "text LIKE 'Сводка%'"),
                     0);
    tick_at(at("2026-11-24", 9, 0));
    tick_at(at("2026-11-24", 15, 0));
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = '700000005' AND "
                                   "text LIKE 'Сводка%'"),
                     1);
    char *digest = db_text(dir, "SELECT text FROM outbox WHERE address = '700000005' AND text "
                                "LIKE 'Сводка%'");
    assert_non_null(strstr(digest, "просрочено 1"));
    /* the count in Russian's own plural form: 1 рабочий день, 2 рабочих дня */
    assert_non_null(
        strstr(digest, "Управление энергетики и водоснабжения, 23.11.2026, 1 рабочий день"));
    assert_non_null(strstr(digest, "Управление энергетики и водоснабжения: 1, открыто 1"));
    free(digest);
    /* the supervisor's overdue list has it until it is closed; an officer may not ask */
    dispatch_text(store, &cfg, "console", "staff:erlan", "/overdue", 8, NULL,
                  at("2026-11-25", 10, 0));
    char *list = last_message_to(dir, "console", "staff:erlan");
    assert_non_null(strstr(list, "Просрочено №10008: Управление энергетики и водоснабжения, "
                                 "23.11.2026, 2 рабочих дня"));
    free(list);
    dispatch_text(store, &cfg, "console", "staff:aigerim", "/overdue", 8, NULL,
                  at("2026-11-25", 10, 0));
    list = last_message_to(dir, "console", "staff:aigerim");
    assert_non_null(strstr(list, "жетекшілерге"));
    free(list);
    dispatch_text(store, &cfg, "console", "staff:aigerim", "/close 10008 resolved", 21, NULL,
                  at("2026-11-25", 11, 0));
    dispatch_text(store, &cfg, "console", "staff:erlan", "/overdue", 8, NULL,
                  at("2026-11-25", 12, 0));
    list = last_message_to(dir, "console", "staff:erlan");
    assert_non_null(strstr(list, "Просроченных обращений нет"));
    free(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stages_fire_in_order_once, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_extension_moves_stages_and_closing_removes_them, fresh,
                                        cleanup),
        cmocka_unit_test_setup_teardown(test_outage_misses_nothing, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_stale_stages_fire_only_the_latest, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_index_sync_carries_every_batch, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_flushed_index_is_rebuilt, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_reindex_restores_the_index_exactly, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_rebuild_holds_no_lock, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_daily_digest_once, fresh, cleanup),
    };
    return cmocka_run_group_tests_name("deadlines", tests, NULL, NULL);
}
