/*
 * bench_web: how long the staff's dashboard and the public page take to render
 * over CASES cases (a year of a city: most closed, answered and rated, a tenth
 * open, some overdue), through the real listener on a local port, signed in as
 * the example's supervisor and as an officer.  Prints the median and the slowest
 * of RUNS requests per page, and the size of what was sent.
 *
 *   bench_web CONFIG [CASES] [RUNS]
 */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bot/daemon.h"
#include "bot/domain/calendar.h"
#include "bot/domain/casenum.h"
#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"
#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/metrics.h"
#include "bot/pipeline/open311.h"
#include "bot/pipeline/public.h"
#include "bot/pipeline/web.h"

static const char *const TEXTS[] = {
    "В доме нет горячей воды уже третий день, улица Абая 10",
    "Алмалы ауданында үш күннен бері су жоқ, көмектесіңіздер",
    "Огромная яма на дороге у остановки, машины объезжают по встречке",
    "Аулада қоқыс шығарылмайды, иіс шығып тұр",
    "Не горят фонари во дворе, вечером очень темно и опасно",
    "The playground swing is broken and children can get hurt",
    "Бродячие собаки во дворе школы, дети боятся идти на занятия",
    "Жылу жоқ, пәтерде суық, батареялар салқын",
};

/* A year of cases written straight into the store's tables (as the dispatcher would leave them). */
static void fill(const struct config *cfg, const char *path, long n, int64_t now)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        exit(1);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_exec(db,
                 "INSERT INTO citizens(id, channel, address, lang, created_at) "
                 "VALUES (1, 'telegram', '600000001', 'ru', 0)",
                 NULL, NULL, NULL);
    sqlite3_stmt *c, *e;
    sqlite3_prepare_v2(db,
                       "INSERT INTO cases(number, citizen_id, type, category, district, body, "
                       "status, lang, text, created_at, registered_at, received_day, due_day, "
                       "closed_at, rating, answered_at, first_answer_at, outcome) VALUES (?1, 1, "
                       "'complaint', ?2, ?3, ?4, ?5, 'ru', ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12, ?12, "
                       "?13)",
                       -1, &c, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO events(case_id, at, actor, kind, detail) VALUES "
                       "(?1, ?2, ?3, ?4, ?5)",
                       -1, &e, NULL);
    unsigned seed = 7;
    for (long i = 0; i < n; i++) {
        int64_t at = now - 365LL * 86400 + (int64_t)(365.0 * 86400 * (double)i / (double)n);
        int32_t day = calendar_local_day(&cfg->calendar, at);
        int32_t due = calendar_due_day(&cfg->calendar, day, cfg->deadlines.working_days);
        const struct category *cat = &cfg->categories[rand_r(&seed) % cfg->ncategories];
        const struct district *dist = &cfg->districts[rand_r(&seed) % cfg->ndistricts];
        const struct body *body = config_route(cfg, cat, dist);
        int recent = at > now - 30LL * 86400, r = rand_r(&seed) % 100;
        /* the last month: a third still open; before it, a few left open and overdue */
        const char *status = (recent && r < 33) || (!recent && r < 2) ? "registered"
                             : (recent && r < 45)                     ? "answered"
                                                                      : "closed";
        int64_t answered = !strcmp(status, "registered") ? 0 : at + (1 + r % 20) * 86400LL;
        char number[24];
        casenum_make(CASENUM_FIRST + i, number);
        sqlite3_bind_text(c, 1, number, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(c, 2, cat->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(c, 3, dist->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(c, 4, body ? body->id : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(c, 5, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(c, 6, TEXTS[i % (sizeof TEXTS / sizeof *TEXTS)], -1, SQLITE_STATIC);
        sqlite3_bind_int64(c, 7, at);
        sqlite3_bind_int(c, 8, day);
        sqlite3_bind_int(c, 9, due);
        sqlite3_bind_int64(c, 10, !strcmp(status, "closed") ? answered + 86400 : 0);
        sqlite3_bind_int(c, 11, !strcmp(status, "closed") ? 1 + r % 5 : 0);
        sqlite3_bind_int64(c, 12, answered);
        sqlite3_bind_text(c, 13, !strcmp(status, "closed") ? "resolved" : "", -1, SQLITE_STATIC);
        if (sqlite3_step(c) != SQLITE_DONE) {
            fprintf(stderr, "bench_web: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(c);
        int64_t id = sqlite3_last_insert_rowid(db);
        static const char *const kinds[] = {"drafted", "registered", "answered", "closed"};
        for (int k = 0; k < (answered ? 4 : 2); k++) {
            sqlite3_bind_int64(e, 1, id);
            sqlite3_bind_int64(e, 2, k < 2 ? at : answered + (k - 2) * 86400);
            sqlite3_bind_text(e, 3, k < 2 ? "citizen:1" : "staff:erlan", -1, SQLITE_STATIC);
            sqlite3_bind_text(e, 4, kinds[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(e, 5, "", -1, SQLITE_STATIC);
            sqlite3_step(e);
            sqlite3_reset(e);
        }
    }
    sqlite3_finalize(c);
    sqlite3_finalize(e);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_web: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_close(db);
}

static size_t count(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    *(size_t *)ctx += size * n;
    return size * n;
}

/* RUNS requests of path with the session cookie: prints the median and the slowest. */
static void measure(CURL *curl, unsigned short port, const char *who, const char *path, int runs)
{
    char url[512];
    double each[64];
    size_t bytes = 0;
    long status = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, count);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &bytes);
    for (int r = 0; r < runs; r++) {
        bytes = 0;
        double start = seconds();
        if (curl_easy_perform(curl) != CURLE_OK) {
            fprintf(stderr, "bench_web: %s failed\n", path);
            exit(1);
        }
        each[r] = seconds() - start;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200) {
            fprintf(stderr, "bench_web: %s answered %ld\n", path, status);
            exit(1);
        }
    }
    qsort(each, (size_t)runs, sizeof *each, cmp_double);
    printf("  %-10s %-44s median %7.1f ms  slowest %7.1f ms  %7zu bytes\n", who, path,
           each[runs / 2] * 1000, each[runs - 1] * 1000, bytes);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_web CONFIG [CASES] [RUNS]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 100000;
    int runs = argc > 3 ? atoi(argv[3]) : 9;
    if (n < 100 || runs < 1 || runs > 64) {
        fprintf(stderr, "bench_web: CASES >= 100, 1 <= RUNS <= 64\n");
        return 2;
    }
    struct config cfg;
    struct diag d = DIAG_INIT;
    log_set_level(LOG_ERROR);
    if (config_load(&cfg, argv[1], &d) < 0) {
        fputs(d.text.buf, stderr);
        return 2;
    }
    char dir[] = "/tmp/tyndau-bench-web-XXXXXX", path[512];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/web.db", dir);
    free(cfg.storage.path);
    cfg.storage.path = strdup(path);
    struct store *s;
    struct sbuf err = SBUF_INIT;
    if (store_open(&s, path, 0, &err) < 0) {
        fprintf(stderr, "bench_web: %s\n", err.buf);
        return 1;
    }
    int64_t now = clock_now_ms() / 1000;
    double start = seconds();
    fill(&cfg, path, n, now);
    printf("%ld cases over a year stored in %.1f s\n", n, seconds() - start);
    static const char *const who[] = {"erlan", "aigerim"}; /* a supervisor, an officer */
    struct web_session sess[2];
    for (int i = 0; i < 2; i++) {
        memset(&sess[i], 0, sizeof sess[i]);
        snprintf(sess[i].token, sizeof sess[i].token, "%064d", i + 1);
        snprintf(sess[i].csrf, sizeof sess[i].csrf, "%064d", i + 7);
        snprintf(sess[i].staff_id, sizeof sess[i].staff_id, "%s", who[i]);
        sess[i].lang = LANG_RU;
        sess[i].expires_at = now + 3600;
        if (store_web_session_add(s, &sess[i], now) < 0)
            return 1;
    }
    struct http http;
    struct web web;
    metrics_declare();
    struct health health = {0};
    http_init(&http);
    health.cfg = &cfg;
    health.store = s;
    if (store_cache_kib(s, DAEMON_PAGES_HTTP_KIB) < 0) /* as the daemon's listener keeps */
        return 1;
    config_live_start(&cfg);
    web_route(&web, &cfg, s, &http);
    public_route(&health, &http);
    if (http_start(&http, "127.0.0.1:0", &err) < 0) {
        fprintf(stderr, "bench_web: %s\n", err.buf);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    char number[24], casepage[64];
    casenum_make(CASENUM_FIRST + n - 10, number);
    snprintf(casepage, sizeof casepage, "/web/case?n=%s", number);
    static const char *const pages[] = {
        "/web/", "/web/queue", "/web/queue?body=energy", "/web/search?q=%D1%8F%D0%BC%D0%B0",
        /* words no appeal has: every case is read */
        "/web/search?q=%D1%84%D0%BE%D0%BD%D1%82%D0%B0%D0%BD",
        "/web/search?district=almaly&status=closed", "/web/search?from=2026-01-01&to=2026-01-31",
        NULL, "/web/charts", "/web/?format=csv", "/web/search?status=closed&format=csv",
        "/web/search?status=closed&format=xlsx"};
    printf("pages over %ld cases, %d requests each, one at a time (the listener's one thread):\n",
           n, runs);
    for (int i = 0; i < 2; i++) {
        char cookie[128];
        snprintf(cookie, sizeof cookie, "tyndau_session=%s", sess[i].token);
        curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
        for (size_t p = 0; p < sizeof pages / sizeof *pages; p++) {
            /* an officer is shown only their body's; the case may be another's */
            if (i == 1 && (!pages[p] || strstr(pages[p], "queue?body")))
                continue;
            measure(curl, http.port, who[i], pages[p] ? pages[p] : casepage, runs);
        }
    }
    curl_easy_setopt(curl, CURLOPT_COOKIE, NULL);
    measure(curl, http.port, "public", "/public/?period=all", runs);
    measure(curl, http.port, "public", "/public/?body=energy&period=all", runs);
    curl_easy_cleanup(curl);
    http_stop(&http);
    config_live_end();
    store_close(s);
    snprintf(path, sizeof path, "rm -rf %s", dir);
    if (system(path) != 0)
        return 1;
    config_free(&cfg);
    sbuf_release(&err);
    return 0;
}
