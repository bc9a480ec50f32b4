/* The outbox sender: order per address, backoff, retry-after, failures, pacing. */
#include "helpers.h"

#include <signal.h>
#include <sys/resource.h>

#include "bot/lib/bell.h"
#include "bot/pipeline/sender.h"

static char dir[64];
static struct store *store;

/* A scripted transport: answers with the next status of its script, records what it sent. */
struct fake {
    enum send_status script[16];
    int nscript, calls;
    char sent[16][160];
    int64_t pace_until;
    int fill_disk_on_call; /* the disk fills during this request (1-based), 0 never */
    int down;              /* while set, every request finds the channel down */
};

/* The disk fills (no file may grow by a byte) or frees again. */
static void disk_full(int full)
{
    struct rlimit r;
    getrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = full ? 0 : r.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &r), 0);
}

static void fake_send(void *ctx, const struct outbox_msg *m, struct send_result *res)
{
    struct fake *f = ctx;
    if (f->fill_disk_on_call == f->calls + 1)
        disk_full(1);
    res->status = f->down ? SEND_DOWN : f->calls < f->nscript ? f->script[f->calls] : SEND_OK;
    if (res->status == SEND_RETRY_AFTER)
        res->retry_after_ms = 7000;
    sbuf_addstr(&res->detail, "scripted");
    snprintf(f->sent[f->calls % 16], 160, "%.64s:%.80s", m->address, m->text.buf);
    f->calls++;
}

static int64_t fake_ready_at(void *ctx, const struct outbox_msg *m, int64_t now_ms)
{
    (void)m;
    struct fake *f = ctx;
    return f->pace_until > now_ms ? f->pace_until : now_ms;
}

static void start(struct sender *s, struct transport *t)
{
    sender_init(s, store, &cfg);
    sender_add_transport(s, t);
}

static int fresh(void **state)
{
    (void)state;
    load_example_config(&cfg);
    log_set_level(LOG_ERROR);
    temp_dir(dir);
    store = open_temp_store(dir);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    expect_outbox_heads_as_defined(dir);
    store_close(store);
    temp_dir_remove(dir);
    config_free(&cfg);
    return 0;
}

static void queue(const char *address, const char *text, int64_t now_ms)
{
    struct outbox_msg m;
    outbox_msg_init(&m);
    snprintf(m.channel, sizeof m.channel, "fake");
    snprintf(m.address, sizeof m.address, "%s", address);
    sbuf_addstr(&m.text, text);
    assert_int_equal(store_outbox_add(store, &m, now_ms), 0);
    outbox_msg_release(&m);
}

static void test_order_per_address(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "a1", 0);
    queue("B", "b1", 0);
    queue("A", "a2", 0);
    /* one message per address per round: a2 waits for a1 */
    assert_int_equal(sender_drain(&s, 1000), 2);
    assert_string_equal(f.sent[0], "A:a1");
    assert_string_equal(f.sent[1], "B:b1");
    assert_int_equal(sender_drain(&s, 1000), 1);
    assert_string_equal(f.sent[2], "A:a2");
    assert_int_equal(sender_drain(&s, 1000), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 3);
}

/* A group chat that migrated: its pending messages go to the new id, in order, and only there. */
static void test_migrated_chat_keeps_its_queue(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("-100", "c1", 0);
    queue("-100", "c2", 0);
    assert_int_equal(store_chat_migrate(store, "fake", "-100", "-1009", 0), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox_heads WHERE address = '-100'"), 0);
    assert_int_equal(sender_drain(&s, 1000), 1);
    assert_string_equal(f.sent[0], "-1009:c1");
    assert_int_equal(sender_drain(&s, 1000), 1);
    assert_string_equal(f.sent[1], "-1009:c2");
}

static void test_retry_with_backoff_keeps_order(void **state)
{
    (void)state;
    struct fake f = {.script = {SEND_RETRY, SEND_RETRY}, .nscript = 2};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "first", 0);
    queue("A", "second", 0);
    assert_int_equal(sender_drain(&s, 0), 1); /* fails, retry after 1 s */
    assert_int_equal(sender_drain(&s, 500), 0);
    assert_int_equal(sender_drain(&s, 1000), 1); /* fails again, retry after 2 s more */
    assert_int_equal(sender_drain(&s, 2999), 0);
    assert_int_equal(sender_drain(&s, 3000), 1);
    assert_string_equal(f.sent[2], "A:first");
    assert_int_equal(sender_drain(&s, 3000), 1);
    assert_string_equal(f.sent[3], "A:second");
    assert_int_equal(db_count(dir, "SELECT attempts FROM outbox WHERE text = 'first'"), 3);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM deliveries"), 4);
    assert_int_equal(sender_backoff_ms(&cfg, 30), cfg.outbox.retry_max_ms);
}

static void test_retry_after_is_not_an_attempt(void **state)
{
    (void)state;
    struct fake f = {.script = {SEND_RETRY_AFTER}, .nscript = 1};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "x", 0);
    assert_int_equal(sender_drain(&s, 0), 1);
    assert_int_equal(sender_drain(&s, 6999), 0); /* retry_after is honoured exactly */
    assert_int_equal(sender_drain(&s, 7000), 1);
    assert_int_equal(db_count(dir, "SELECT attempts FROM outbox"), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM deliveries WHERE result = 'throttled'"),
                     1);
}

static void test_permanent_failure_and_unreachable(void **state)
{
    (void)state;
    struct fake f = {.script = {SEND_FAILED, SEND_UNREACHABLE}, .nscript = 2};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    struct citizen c;
    start(&s, &t);
    assert_int_equal(store_citizen_get_or_create(store, "fake", "B", LANG_KK, 0, &c), 0);
    queue("A", "x", 0);
    queue("B", "y", 0);
    assert_int_equal(sender_drain(&s, 0), 2);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'failed'"), 2);
    assert_int_equal(db_count(dir, "SELECT unreachable FROM citizens WHERE address = 'B'"), 1);
    assert_int_equal(sender_drain(&s, 1000000), 0);
}

static void test_gives_up_after_max_attempts(void **state)
{
    (void)state;
    struct fake f = {.nscript = 16};
    for (int i = 0; i < 16; i++)
        f.script[i] = SEND_RETRY;
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    cfg.outbox.max_attempts = 3;
    start(&s, &t);
    queue("A", "x", 0);
    for (int64_t now = 0; now < 100000; now += 500)
        sender_drain(&s, now);
    assert_int_equal(f.calls, 3);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'failed'"), 1);
}

static void test_pacing_hook(void **state)
{
    (void)state;
    struct fake f = {.pace_until = 5000};
    struct transport t = {"fake", &f, fake_send, fake_ready_at, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "x", 0);
    assert_int_equal(sender_drain(&s, 1000), 0);
    assert_int_equal(sender_drain(&s, 5000), 1);
    assert_int_equal(db_count(dir, "SELECT attempts FROM outbox"), 1);
}

/* A message is recorded 'sending' before its request: a full disk means nothing is sent. */
static void test_full_disk_sends_nothing(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "a1", 0);
    disk_full(1);
    for (int64_t now = 0; now < 5000; now += 100)
        assert_int_equal(sender_drain(&s, now), -1);
    assert_int_equal(f.calls, 0);
    assert_int_equal(sender_paused(&s), 1);
    assert_int_equal(store_write_fault(NULL, 0), 1);
    disk_full(0);
    assert_int_equal(sender_drain(&s, 5000), 1);
    assert_int_equal(sender_paused(&s), 0);
    assert_int_equal(store_write_fault(NULL, 0), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 1);
    sender_free(&s);
}

/*
 * The disk fills during a request: what went is held and recorded first when
 * the store takes writes again; nothing is sent twice, nothing else is sent meanwhile.
 */
static void test_full_disk_mid_request_no_duplicates(void **state)
{
    (void)state;
    struct fake f = {.fill_disk_on_call = 1};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    start(&s, &t);
    queue("A", "a1", 0);
    queue("B", "b1", 0);
    queue("A", "a2", 0);
    assert_int_equal(sender_drain(&s, 0), -1);
    for (int64_t now = 1000; now < 15000; now += 1000)
        assert_int_equal(sender_drain(&s, now), -1);
    assert_int_equal(f.calls, 1); /* a1 went once, then nothing */
    assert_int_equal(sender_paused(&s), 1);
    disk_full(0);
    assert_int_equal(sender_drain(&s, 15000), 2); /* a1 recorded, then b1 and a2 */
    assert_int_equal(sender_drain(&s, 15000), 0);
    assert_int_equal(f.calls, 3);
    assert_string_equal(f.sent[0], "A:a1");
    assert_string_equal(f.sent[1], "B:b1");
    assert_string_equal(f.sent[2], "A:a2");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 3);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM deliveries WHERE result = 'sent'"), 3);
    sender_free(&s);
}

static int64_t outbox_id(const char *text)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT id FROM outbox WHERE text = '%s'", text);
    return db_count(dir, sql);
}

/* A message the daemon was sending when it died goes again after the restart: at least once. */
static void test_interrupted_goes_again(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    queue("A", "x", 0);
    queue("A", "y", 0);
    assert_int_equal(store_outbox_claim(store, outbox_id("x"), 500), 1); /* then killed */
    start(&s, &t);
    assert_int_equal(sender_drain(&s, 1000), 1);
    assert_string_equal(f.sent[0], "A:x");
    assert_int_equal(sender_drain(&s, 1000), 1);
    assert_string_equal(f.sent[1], "A:y"); /* still in order */
    /* the cut-off request is not counted: x may have been claimed beside the one that stopped it */
    assert_int_equal(db_count(dir, "SELECT attempts FROM outbox WHERE text = 'x'"), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM deliveries WHERE result = 'interrupted'"),
                     1);
    sender_free(&s);
}

/*
 * A message that stops the daemon each time it goes ends: cut off once, it is a suspect and goes
 * alone; cut off alone, the attempt counts.  The messages claimed beside it the first time lose no
 * attempt however often it happens.
 */
static void test_interrupted_alone_counts(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    queue("A", "poison", 0);
    queue("B", "innocent", 0);
    assert_int_equal(store_outbox_claim(store, outbox_id("poison"), 500), 1);
    assert_int_equal(store_outbox_claim(store, outbox_id("innocent"), 500), 1); /* then killed */
    int64_t now = 1000;
    assert_int_equal(store_outbox_interrupted(store, "fake", now, now, 3), 2);
    assert_int_equal(db_count(dir, "SELECT sum(attempts) FROM outbox"), 0);
    for (int stop = 1; stop <= 3; stop++) { /* the poison goes alone and stops the daemon again */
        now += 1000;
        assert_int_equal(store_outbox_claim(store, outbox_id("poison"), now), 1);
        assert_int_equal(store_outbox_interrupted(store, "fake", now, now, 3), 1);
        assert_int_equal(db_count(dir, "SELECT attempts FROM outbox WHERE text = 'poison'"), stop);
    }
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE text = 'poison' AND "
                                   "state = 'failed'"),
                     1);
    start(&s, &t);
    assert_int_equal(sender_drain(&s, now + 1000), 1);
    assert_string_equal(f.sent[0], "B:innocent");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE text = 'innocent' AND "
                                   "state = 'sent' AND attempts = 1"),
                     1);
    sender_free(&s);
}

/*
 * No statement reads a table that grows with the appeals row by row: each finds its rows by an
 * index, so what one appeal costs does not grow with those before it.  On purpose: /metrics
 * counts whole tables (it is scraped, not run per message), the export reads every case, and the
 * lists of open cases and open incidents read their indexes of open ones, and the messages
 * in flight are at most the sender's requests.  A search by the channel alone is a scan too:
 * nearly every row of a table has one of two channels.
 */
struct scans {
    int n;
    char first[600];
};

/* Asks the store about every statement (query) and fails on the first that note counts. */
static void expect_no_statement(int (*query)(struct store *, store_plan_fn, void *),
                                store_plan_fn note, const char *what)
{
    struct scans sc = {0};
    assert_int_equal(query(store, note, &sc), 0);
    if (sc.n)
        fail_msg("%d %s, the first: %s", sc.n, what, sc.first);
}

static void note_scan(void *ctx, const char *sql, const char *step)
{
    static const char *const growing[] = {"outbox",      "cases",    "deliveries",
                                          "events",      "messages", "inbound_seen",
                                          "attachments", "citizens", "incidents"};
    struct scans *sc = ctx;
    /* a search by the channel alone reads every citizen of that channel: as good as a scan */
    const char *by_channel = strstr(step, " (channel=?)");
    int scan = !strncmp(step, "SCAN ", 5), search = by_channel && !by_channel[12];
    if ((!scan && !search) || strstr(sql, "'tyndau_") || strstr(step, "INDEX cases_open") ||
        strstr(step, "INDEX incidents_open") || strstr(step, "INDEX outbox_inflight") ||
        strstr(sql, "WHERE number IS NOT NULL ORDER BY id"))
        return;
    const char *t = step + (scan ? 5 : 7);
    if (search && strncmp(step, "SEARCH ", 7))
        return;
    size_t name = strcspn(t, " ");
    for (size_t i = 0; i < sizeof growing / sizeof *growing; i++) {
        size_t len = strlen(growing[i]);
        char alias[80];
        /* the plan names a table by its alias where the statement gives one: "cases c" */
        snprintf(alias, sizeof alias, "%s %.*s", growing[i], (int)name, t);
        const char *as = strstr(sql, alias);
        size_t after = as ? strlen(alias) : 0;
        if ((name == len && !strncmp(t, growing[i], len)) ||
            (as && (as[after] == ' ' || as[after] == ',' || !as[after]))) {
            if (!sc->n++)
                snprintf(sc->first, sizeof sc->first, "%s: %s", step, sql);
            return;
        }
    }
}

static void test_no_statement_scans_a_growing_table(void **state)
{
    (void)state;
    expect_no_statement(store_query_plans, note_scan, "scan(s)");
}

static void note_recompiled(void *ctx, const char *sql, const char *why)
{
    struct scans *sc = ctx;
    if (!sc->n++)
        snprintf(sc->first, sizeof sc->first, "%s: %s", why, sql);
}

/*
 * No statement is compiled again for the values bound to it: SQLite does that when a partial
 * index's WHERE must be checked against a parameter ("incident_id = ?1" and an index of
 * "incident_id != 0"), and a statement parsed on every use costs more than it reads.
 */
static void test_no_statement_is_compiled_per_use(void **state)
{
    (void)state;
    expect_no_statement(store_query_recompiled, note_recompiled, "statement(s)");
}

static void note_temp_table(void *ctx, const char *sql, const char *where)
{
    /* the writes each appeal makes: its draft, its number, each reply queued */
    static const char *const every_appeal[] = {"INSERT INTO cases(", "INSERT INTO sequences(",
                                               "INSERT INTO outbox("};
    struct scans *sc = ctx;
    /* a card's edit superseding an older one is rare, and its UPDATE reads many rows */
    if (!strcmp(where, "trigger outbox_edit_supersedes"))
        return;
    for (size_t i = 0; i < sizeof every_appeal / sizeof *every_appeal; i++)
        if (!strncmp(sql, every_appeal[i], strlen(every_appeal[i])) && !sc->n++)
            snprintf(sc->first, sizeof sc->first, "%s: %s", where, sql);
}

/*
 * The writes every appeal makes open no temporary table (a page cache opened and closed for a
 * row or two): RETURNING keeps its rows in one, an INSERT whose SELECT follows a read of its own
 * table copies them aside first, and a list of more than two constants is made one, in a
 * trigger's WHEN too.
 */
static void test_an_appeal_opens_no_temporary_table(void **state)
{
    (void)state;
    expect_no_statement(store_query_temp_tables, note_temp_table, "temporary table(s)");
}

/*
 * With a grace (SMS: the SMSC's report), an interrupted message waits for a
 * report that it went, holding the messages behind it, and is not sent again
 * when one comes.
 */
static void test_interrupted_waits_for_a_report(void **state)
{
    (void)state;
    struct fake f = {.nscript = 0};
    struct transport t = {"fake", &f, fake_send, NULL, 60000};
    struct sender s;
    queue("A", "x", 0);
    queue("A", "y", 0);
    queue("B", "z", 0);
    assert_int_equal(store_outbox_claim(store, outbox_id("x"), 500), 1); /* then killed */
    assert_int_equal(store_outbox_claim(store, outbox_id("z"), 500), 1);
    start(&s, &t);
    assert_int_equal(sender_drain(&s, 1000), 0); /* y waits behind x */
    assert_int_equal(
        store_outbox_report(store, "fake", outbox_id("x"), 2000, "dlr_pending", "ACK", -1, 0), 1);
    assert_int_equal(sender_drain(&s, 2000), 1);
    assert_string_equal(f.sent[0], "A:y");
    /* no report for z: after the grace (looked at every 5 s) it goes again */
    assert_int_equal(sender_drain(&s, 60000), 0);
    assert_int_equal(sender_drain(&s, 66000), 1);
    assert_string_equal(f.sent[1], "B:z");
    assert_int_equal(f.calls, 2);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 3);
    sender_free(&s);
}

/*
 * An idle sender sleeps until it has work: sender_next_wake says when (a retry, the head of an
 * address, a pacing slot, an interrupted send's grace), or that nothing waits at all.
 */
static void test_next_wake(void **state)
{
    (void)state;
    struct fake f = {.script = {SEND_RETRY}, .nscript = 1};
    struct transport t = {"fake", &f, fake_send, fake_ready_at, 60000};
    struct sender s;
    int64_t at = -1;
    start(&s, &t);
    assert_int_equal(sender_next_wake(&s, &at), 0); /* an empty outbox: only a commit wakes it */
    queue("A", "first", 0);
    queue("A", "second", 0);
    assert_int_equal(sender_drain(&s, 0), 1); /* first fails: retry at 1 s; second waits behind */
    assert_int_equal(sender_next_wake(&s, &at), 1);
    assert_int_equal(at, 1000); /* not 0: "second" is due but cannot go before "first" */
    f.pace_until = 4000;
    assert_int_equal(sender_drain(&s, 1000), 0); /* paced until 4 s */
    assert_int_equal(sender_next_wake(&s, &at), 1);
    assert_int_equal(at, 4000); /* not 1 s again: that would spin until pacing allows it */
    assert_int_equal(sender_drain(&s, 4000), 1);
    assert_int_equal(sender_drain(&s, 4000), 1);
    assert_int_equal(sender_next_wake(&s, &at), 0);
    /* a message left 'sending' by a stop is looked at when its grace ends */
    queue("B", "z", 5000);
    assert_int_equal(store_outbox_claim(store, outbox_id("z"), 5000), 1);
    assert_int_equal(sender_next_wake(&s, &at), 1);
    assert_int_equal(at, 65000);
    sender_free(&s);
}

/*
 * A channel that is down (its provider unreachable, or refusing a wrong URL or password) costs
 * no message an attempt: after two hours of it, with max_attempts 3, nothing has failed; only one
 * message at a time probes it, at most every SENDER_PROBE_MAX_MS, and once it answers the whole
 * queue goes at the next probe, seconds later, not after a backoff grown to minutes.
 */
static void test_channel_down(void **state)
{
    (void)state;
    struct fake f = {.down = 1};
    struct transport t = {"fake", &f, fake_send, NULL, 0};
    struct sender s;
    int64_t at = -1, now;
    cfg.outbox.max_attempts = 3;
    start(&s, &t);
    for (int i = 0; i < 10; i++) {
        char address[16];
        snprintf(address, sizeof address, "A%d", i);
        queue(address, "x", 0);
    }
    assert_int_equal(sender_drain(&s, 0), 1); /* one probe, not ten requests */
    char why[160];
    assert_int_equal(sender_channel_problem(&s, "fake", why, sizeof why), 1);
    assert_int_equal(sender_next_wake(&s, &at), 1);
    assert_int_equal(at, cfg.outbox.retry_base_ms);
    for (now = 1; now < 2 * 3600 * 1000; now += 250)
        sender_drain(&s, now);
    /* probes back off to the cap and stay there: about one every 5 s */
    assert_in_range(f.calls, 2 * 3600 / 5, 2 * 3600 / 5 + 10);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 10);
    assert_int_equal(db_count(dir, "SELECT max(attempts) FROM outbox"), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM deliveries WHERE result = 'down'"),
                     f.calls);
    f.down = 0; /* it is back */
    int64_t back = now;
    while (db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'") < 10 &&
           now < back + 60000) {
        while (sender_drain(&s, now) > 0)
            ;
        now += 250;
    }
    assert_in_range(now - back, 0, SENDER_PROBE_MAX_MS + 250);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'sent'"), 10);
    assert_int_equal(sender_channel_problem(&s, "fake", why, sizeof why), 0);
    sender_free(&s);
}

/* A ring before the wait is kept; a wait with no ring ends at its timeout. */
static void test_bell(void **state)
{
    (void)state;
    struct bell b;
    assert_int_equal(bell_init(&b), 0);
    assert_int_equal(bell_wait(&b, 0), 0);
    bell_ring(&b);
    bell_ring(&b);
    assert_int_equal(bell_wait(&b, 10000), 1); /* at once: rung before */
    assert_int_equal(bell_wait(&b, 20), 0);    /* both rings were taken by one wait */
    /* a commit that wrote rings the bells of its store; one that wrote nothing does not */
    assert_int_equal(store_ring_on_commit(store, &b), 0);
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(store_commit(store), 0);
    assert_int_equal(bell_wait(&b, 0), 0);
    assert_int_equal(store_begin(store), 0);
    queue("A", "x", 0);
    assert_int_equal(store_commit(store), 0);
    assert_int_equal(bell_wait(&b, 0), 1);
    bell_close(&b);
}

int main(void)
{
    signal(SIGXFSZ, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_per_address, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_migrated_chat_keeps_its_queue, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_retry_with_backoff_keeps_order, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_retry_after_is_not_an_attempt, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_permanent_failure_and_unreachable, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_gives_up_after_max_attempts, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_pacing_hook, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_full_disk_sends_nothing, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_full_disk_mid_request_no_duplicates, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_interrupted_goes_again, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_interrupted_alone_counts, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_no_statement_scans_a_growing_table, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_an_appeal_opens_no_temporary_table, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_no_statement_is_compiled_per_use, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_interrupted_waits_for_a_report, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_next_wake, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_channel_down, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_bell, fresh, cleanup),
    };
    return cmocka_run_group_tests_name("sender", tests, NULL, NULL);
}
