/*
 * main: the tyndau command line.
 *
 *   tyndau [-c FILE] [--now TIME] COMMAND [ARGS]
 *
 * Each command loads and validates the config first; nothing runs on a
 * config with errors.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bot/domain/case_state.h"
#include "gateways/channels.h"
#include "gateways/console.h"
#include "gateways/sms.h"
#include "handlers/handler.h"
#include "bot/domain/calendar.h"
#include "bot/domain/config.h"
#include "bot/lib/clock.h"
#include "bot/lib/csv.h"
#include "handlers/names.h"
#include "bot/domain/i18n.h"
#include "bot/domain/lang.h"
#include "bot/daemon.h"
#include "bot/pipeline/deadlines.h"
#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/web.h"
#include "bot/pipeline/public.h"
#include "bot/pipeline/open311.h"
#include "bot/pipeline/metrics.h"
#include "bot/lib/log.h"
#include "bot/lib/xalloc.h"
#include "bot/domain/router.h"
#include "bot/route_eval.h"
#include "bot/incident_eval.h"
#include "handlers/incidents.h"
#include "bot/domain/store.h"

#ifndef TYNDAU_VERSION
#define TYNDAU_VERSION "0.1.0"
#endif

#define DEFAULT_CONFIG "config/tyndau.conf"

/* Set by SIGINT and SIGTERM (stop) and SIGHUP (reload); the daemon's threads watch them. */
static atomic_int stopping, reloading;

static void on_signal(int sig)
{
    atomic_store(sig == SIGHUP ? &reloading : &stopping, 1);
    daemon_wake();
}

struct cli {
    const char *config_path;
    const char *now_text;
    int64_t now; /* 0 = the real clock */
    struct config cfg;
};

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: tyndau [-c FILE] [--now YYYY-MM-DDTHH:MM] COMMAND [ARGS]\n"
        "\n"
        "A citizen-feedback gateway: appeals over Telegram and SMS, routed to the\n"
        "responsible body, with legal deadlines tracked.\n"
        "\n"
        "Commands:\n"
        "  run                  run the gateway: Telegram and/or SMS as configured\n"
        "  check                validate the config; errors as FILE:LINE: message\n"
        "  console              a terminal session as a citizen or any staff member\n"
        "  route \"TEXT\"         which category, district and body an appeal goes to, and why\n"
        "  route --eval FILE    score the router on labelled appeals (category TAB district TAB "
        "text)\n"
        "  incidents            the open incidents, the appeals grouping would join, and why\n"
        "  incidents --eval FILE  score incident grouping on labelled appeals (label TAB "
        "category\n"
        "                       TAB district TAB minutes TAB text)\n"
        "  due DATE [--days N]  the legal due date for an appeal received on DATE\n"
        "  cases [--overdue] [--csv] [--lang L]  registered cases; --csv for spreadsheets\n"
        "  reindex              rebuild the Redis deadline index from SQLite\n"
        "  probe [--ready]      ask the running gateway's /livez (/readyz): 0 when it answers 200\n"
        "\n"
        "Options:\n"
        "  -c, --config FILE    config file (default %s)\n"
        "      --now TIME       pretend the clock reads TIME (Almaty time), for trials\n"
        "  -v, --verbose        log debug lines\n"
        "  -h, --help           this text\n"
        "  -V, --version        the version\n",
        DEFAULT_CONFIG);
}

static int load_config(struct cli *cli)
{
    struct diag d = DIAG_INIT;
    int rc = config_load(&cli->cfg, cli->config_path, &d);
    if (d.text.len)
        fputs(d.text.buf, stderr);
    if (rc < 0)
        fprintf(stderr, "tyndau: %d error(s) in the configuration\n", d.errors);
    diag_release(&d);
    if (rc == 0)
        log_set_utc_offset(cli->cfg.calendar.utc_offset_min);
    if (rc == 0 && log_get_level() > LOG_DEBUG) {
        enum log_level level;
        if (log_level_parse(cli->cfg.log.level, &level) == 0)
            log_set_level(level);
    }
    if (rc == 0 && cli->now_text) {
        char date[11];
        int hh = 0, mm = 0;
        int32_t day;
        snprintf(date, sizeof date, "%s", cli->now_text);
        if (calendar_parse_date(date, &day) < 0 ||
            (cli->now_text[10] &&
             (sscanf(cli->now_text + 10, "T%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59))) {
            fprintf(stderr, "tyndau: --now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM\n");
            config_free(&cli->cfg);
            return -1;
        }
        cli->now = calendar_day_start(&cli->cfg.calendar, day) + hh * 3600 + mm * 60;
        clock_set_now(cli->now); /* before any thread: every reader of the time sees it */
    }
    return rc;
}

/* Creates the directory that will hold the database, if missing. */
static int ensure_parent_dir(const char *path)
{
    char *copy = xstrdup(path), *slash;
    int rc = 0;
    if (!copy)
        return -1;
    for (slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = 0;
        if (mkdir(copy, 0750) < 0 && errno != EEXIST) {
            fprintf(stderr, "tyndau: cannot create %s: %s\n", copy, strerror(errno));
            rc = -1;
            break;
        }
        *slash = '/';
    }
    free(copy);
    return rc;
}

static int open_store(const struct cli *cli, struct store **store)
{
    struct sbuf err = SBUF_INIT;
    if (ensure_parent_dir(cli->cfg.storage.path) < 0)
        return -1;
    int rc = store_open(store, cli->cfg.storage.path, cli->cfg.storage.synchronous_full, &err);
    if (rc < 0)
        fprintf(stderr, "tyndau: %s\n", err.buf);
    sbuf_release(&err);
    return rc;
}

static int cmd_check(struct cli *cli)
{
    const struct config *c = &cli->cfg;
    struct diag d = DIAG_INIT;
    sms_check_catalog(c, &d);
    if (d.text.len)
        fputs(d.text.buf, stderr);
    int errors = d.errors;
    diag_release(&d);
    if (errors) {
        fprintf(stderr, "%s: %d error(s)\n", c->file, errors);
        return 1;
    }
    printf("%s: OK: %zu districts, %zu bodies, %zu categories, %zu routes, %zu staff, "
           "%zu texts in kk/ru/en\n",
           c->file, c->ndistricts, c->nbodies, c->ncategories, c->nroutes, c->nstaff,
           c->texts.count);
    return 0;
}

static int cmd_console(struct cli *cli)
{
    struct store *store;
    if (open_store(cli, &store) < 0)
        return 1;
    /* the dashboard, /public/ and Open311 on http.listen, so /web can be tried from here too */
    struct store *pages_store = NULL;
    struct http http;
    struct web web;
    struct health pages = {0};
    http_init(&http);
    if (*cli->cfg.http.listen && open_store(cli, &pages_store) == 0) {
        struct sbuf err = SBUF_INIT;
        pages.cfg = &cli->cfg;
        pages.store = pages_store;
        web_route(&web, &cli->cfg, pages_store, &http);
        public_route(&pages, &http);
        open311_route(&pages, &http);
        if (http_start(&http, cli->cfg.http.listen, &err) < 0)
            fprintf(stderr, "tyndau: the dashboard is not served: %s\n", err.buf);
        sbuf_release(&err);
    }
    struct deadlines dl;
    deadlines_init(&dl, &cli->cfg);
    struct console_opts opts = {stdin, stdout, isatty(STDIN_FILENO), &dl};
    int rc = console_run(&cli->cfg, store, &opts);
    deadlines_close(&dl);
    http_stop(&http);
    store_close(pages_store);
    store_close(store);
    return rc < 0 ? 1 : 0;
}

/*
 * The gateway: the HTTP listener (health, metrics, channel callbacks), the
 * deadline worker, and the channels configured.  With none there is nothing to
 * run: that is an error, never a silent fall-back to the console (a typo in a
 * token's variable must not leave a service "running" with no channel).
 */
static int cmd_run(struct cli *cli)
{
    const struct config *cfg = &cli->cfg;
    if (!*cfg->telegram.token && !strcmp(cfg->sms.provider, "none")) {
        fprintf(stderr,
                "tyndau: no channel to run: telegram.token is empty (is TELEGRAM_BOT_TOKEN set?) "
                "and sms.provider is \"none\".\nSet one of them, or use `tyndau console` for a "
                "terminal session.\n");
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a logrotate postrotate sends it: reload, never die */
    if (ensure_parent_dir(cfg->storage.path) < 0)
        return 1;
    return daemon_run(cfg, &stopping, &reloading);
}

static size_t discard(char *data, size_t size, size_t n, void *userdata)
{
    (void)data, (void)userdata;
    return size * n;
}

/*
 * A health probe for a container's HEALTHCHECK (its image has no curl): GETs
 * /livez, or /readyz with --ready, from this configuration's listener; an
 * address of all interfaces is asked on loopback.  0 when it answers 200.
 */
static int cmd_probe(struct cli *cli, int argc, char **argv)
{
    const char *path = "/livez";
    if (argc == 1 && !strcmp(argv[0], "--ready")) {
        path = "/readyz";
    } else if (argc) {
        fprintf(stderr, "Usage: tyndau probe [--ready]\n");
        return 2;
    }
    const char *listen = cli->cfg.http.listen, *colon = strrchr(listen, ':');
    if (!*listen || !colon) {
        fprintf(stderr, "tyndau: no listener configured (http.listen)\n");
        return 1;
    }
    char host[128], url[256];
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (!*host || !strcmp(host, "0.0.0.0") || !strcmp(host, "*"))
        snprintf(host, sizeof host, "127.0.0.1");
    snprintf(url, sizeof url, "http://%s:%s%s", host, colon + 1, path);
    CURL *c = curl_easy_init();
    long code = 0;
    if (!c)
        return 1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        printf("%s: %s\n", url, curl_easy_strerror(rc));
        return 1;
    }
    printf("%s: %ld\n", url, code);
    return code == 200 ? 0 : 1;
}

static int cmd_reindex(struct cli *cli)
{
    struct deadlines dl;
    struct store *store;
    struct timespec t0, t1;
    deadlines_init(&dl, &cli->cfg);
    if (!deadlines_connect(&dl, 0)) {
        fprintf(stderr, "tyndau: cannot reach redis; the index is rebuilt when the gateway "
                        "next connects\n");
        return 1;
    }
    if (open_store(cli, &store) < 0) {
        deadlines_close(&dl);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long n = deadlines_rebuild(&dl, store);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (n >= 0)
        printf("deadline index rebuilt: %ld open cases in %.2f s\n", n,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    store_close(store);
    deadlines_close(&dl);
    return n < 0 ? 1 : 0;
}

/*
 * `tyndau route` reads what the router has learnt from the running gateway's
 * store when there is one (a store that does not exist is not made).
 */
static struct store *learnt_store(const struct cli *cli, int wanted)
{
    struct store *store = NULL;
    if (wanted && access(cli->cfg.storage.path, F_OK) == 0 && open_store(cli, &store) < 0)
        store = NULL;
    return store;
}

static int cmd_route(struct cli *cli, int argc, char **argv)
{
    const struct config *cfg = &cli->cfg;
    int learnt = 1, rc = 0;
    if (argc >= 1 && !strcmp(argv[0], "--keywords-only"))
        learnt = 0, argc--, argv++;
    int eval = argc == 2 && !strcmp(argv[0], "--eval");
    if (argc != 1 && !eval) {
        fprintf(stderr, "Usage: tyndau route [--keywords-only] \"TEXT\"\n"
                        "       tyndau route [--keywords-only] --eval FILE\n");
        return 2;
    }
    struct store *store = learnt_store(cli, learnt);
    const struct route_model *model = store ? store_route_model(store) : NULL;
    if (eval) {
        rc = route_eval(cfg, model, argv[1], stdout, stderr);
        store_close(store);
        return rc;
    }
    struct route_pick pick;
    struct route_query q = {.text = argv[0], .len = strlen(argv[0]), .model = model};
    route_pick_init(&pick);
    router_pick(cfg, &q, &pick);
    printf("category: %s (keyword score %d)\n",
           pick.category ? pick.category->id : "- (citizen chooses)", pick.category_score);
    printf("district: %s (score %d)\n", pick.district ? pick.district->id : "- (citizen chooses)",
           pick.district_score);
    if (pick.body)
        printf("body:     %s (%s)\n", pick.body->id, pick.body->name[LANG_EN]);
    else
        printf("body:     - (decided once category and district are known)\n");
    printf("why:\n%s", pick.why.len ? pick.why.buf : "  no keyword matched\n");
    route_pick_release(&pick);
    store_close(store);
    return rc;
}

static int cmd_incidents(struct cli *cli, int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[0], "--eval"))
        return incident_eval(&cli->cfg, argv[1], stdout, stderr);
    if (argc != 0) {
        fprintf(stderr, "Usage: tyndau incidents\n       tyndau incidents --eval FILE\n");
        return 2;
    }
    struct store *store;
    if (open_store(cli, &store) < 0)
        return 1;
    int64_t now_ms = clock_now_ms();
    struct handler_ctx hx = {store, &cli->cfg, now_ms / 1000, now_ms};
    struct sbuf out = SBUF_INIT;
    int rc = incidents_explain(&hx, &out);
    fputs(out.len ? out.buf : "no open incidents, no appeals to join\n", stdout);
    sbuf_release(&out);
    store_close(store);
    return rc < 0 ? 1 : 0;
}

static int cmd_due(struct cli *cli, int argc, char **argv)
{
    const struct config *cfg = &cli->cfg;
    int days = cfg->deadlines.working_days;
    int32_t received;
    const char *date = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--days") && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 1000) {
                fprintf(stderr, "tyndau: --days wants a number from 1 to 1000\n");
                return 2;
            }
            days = (int)v;
        } else if (!date) {
            date = argv[i];
        } else {
            fprintf(stderr, "Usage: tyndau due DATE [--days N]\n");
            return 2;
        }
    }
    if (!date) {
        received = calendar_local_day(&cfg->calendar, clock_now_ms() / 1000);
    } else if (calendar_parse_date(date, &received) < 0) {
        fprintf(stderr, "tyndau: `%s` is not a date YYYY-MM-DD\n", date);
        return 2;
    }
    int32_t reg = calendar_registration_day(&cfg->calendar, received);
    int32_t due = calendar_add_working_days(&cfg->calendar, reg, days);
    char a[11], b[11], c[11];
    calendar_format_date(received, a);
    calendar_format_date(reg, b);
    calendar_format_date(due, c);
    static const char *const wd[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    printf("received:   %s %s%s\n", a, wd[calendar_weekday(received)],
           calendar_is_working(&cfg->calendar, received) ? "" : " (not a working day)");
    printf("registered: %s %s\n", b, wd[calendar_weekday(reg)]);
    printf("due:        %s %s (%d working days)\n", c, wd[calendar_weekday(due)], days);
    return 0;
}

struct cases_ctx {
    const struct config *cfg;
    int overdue_only; /* only what store_cases_overdue lists */
    int csv;
    enum lang lang; /* of the CSV's names and header */
    int32_t today;
    int n;
    struct sbuf out;
};

/* A unix time as the calendar's local date, "" for none. */
static void local_date(const struct config *cfg, int64_t at, char out[11])
{
    out[0] = 0;
    if (at > 0)
        calendar_format_date(calendar_local_day(&cfg->calendar, at), out);
}

/* One row of the spreadsheet, every id named in cc->lang. */
static void csv_case(struct cases_ctx *cc, const struct case_rec *c, int days_late)
{
    const struct config *cfg = cc->cfg;
    const struct i18n *t = &cfg->texts;
    char reg[11], due[11], answered[11], late[16] = "", rating[16] = "";
    local_date(cfg, c->registered_at, reg);
    calendar_format_date(c->due_day, due);
    local_date(cfg, c->answered_at, answered);
    if (days_late > 0)
        snprintf(late, sizeof late, "%d", days_late);
    if (c->rating > 0)
        snprintf(rating, sizeof rating, "%d", c->rating);
    const char *type_key = names_type_key(c->type);
    const struct staff *officer = *c->assignee ? config_staff(cfg, c->assignee) : NULL;
    const char *cells[] = {c->number,
                           reg,
                           type_key ? i18n_get(t, cc->lang, type_key) : c->type,
                           names_category(cfg, c->category, cc->lang),
                           names_district(cfg, c->district, cc->lang),
                           names_body(cfg, c->body, cc->lang),
                           i18n_get(t, cc->lang, case_status_key(c->status)),
                           due,
                           answered,
                           late,
                           rating,
                           officer ? officer->name : c->assignee,
                           c->text.buf ? c->text.buf : ""};
    csv_row(&cc->out, cells, sizeof cells / sizeof *cells);
}

static int print_case(void *ctx, const struct case_rec *c)
{
    struct cases_ctx *cc = ctx;
    int late = case_is_overdue(c->status, c->due_day, cc->today);
    char due[11], reg[11];
    calendar_format_date(c->due_day, due);
    calendar_format_date(calendar_local_day(&cc->cfg->calendar, c->registered_at), reg);
    int days_late =
        late ? calendar_working_days_between(&cc->cfg->calendar, c->due_day, cc->today) : 0;
    if (cc->csv) {
        csv_case(cc, c, days_late);
        fwrite(cc->out.buf, 1, cc->out.len, stdout);
        sbuf_reset(&cc->out);
    } else {
        printf("%-10s %-10s %-10s %-12s %-12s %-14s %-10s %s%s\n", c->number, reg, due,
               case_status_name(c->status), c->category, c->body, c->district,
               late ? "OVERDUE " : "", late ? "" : "");
        if (late)
            printf("%-10s %d working day(s) overdue\n", "", days_late);
    }
    cc->n++;
    return 0;
}

static int header_cell(void *ctx, const char *item, size_t len, int index)
{
    struct cases_ctx *cc = ctx;
    csv_cell(&cc->out, item, len, index == 0);
    return 0;
}

/* The header of the CSV in the chosen language: the catalog's csv_columns. */
static void csv_header(struct cases_ctx *cc)
{
    sbuf_addstr(&cc->out, CSV_BOM);
    i18n_items(&cc->cfg->texts, cc->lang, "csv_columns", header_cell, cc);
    csv_row_end(&cc->out);
    fwrite(cc->out.buf, 1, cc->out.len, stdout);
    sbuf_reset(&cc->out);
}

static int cmd_cases(struct cli *cli, int argc, char **argv)
{
    struct cases_ctx cc = {&cli->cfg, 0, 0, cli->cfg.intake.default_lang, 0, 0, SBUF_INIT};
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--overdue")) {
            cc.overdue_only = 1;
        } else if (!strcmp(argv[i], "--csv")) {
            cc.csv = 1;
        } else if (!strcmp(argv[i], "--lang") && i + 1 < argc &&
                   lang_parse(argv[i + 1], &cc.lang) == 0) {
            i++;
        } else {
            fprintf(stderr, "Usage: tyndau cases [--overdue] [--csv] [--lang kk|ru|en]\n");
            return 2;
        }
    }
    cc.today = calendar_local_day(&cli->cfg.calendar, clock_now_ms() / 1000);
    struct store *store;
    if (open_store(cli, &store) < 0)
        return 1;
    if (cc.csv)
        csv_header(&cc);
    else
        printf("%-10s %-10s %-10s %-12s %-12s %-14s %-10s\n", "number", "registered", "due",
               "status", "category", "body", "district");
    int rc = cc.overdue_only ? store_cases_overdue(store, cc.today, "", print_case, &cc)
                             : store_cases_all(store, print_case, &cc);
    if (!cc.csv)
        printf("%d case(s)\n", cc.n);
    sbuf_release(&cc.out);
    store_close(store);
    return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"now", required_argument, NULL, 'n'},
        {"verbose", no_argument, NULL, 'v'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    struct cli cli = {.config_path = DEFAULT_CONFIG};
    int opt;
    xalloc_init();
    log_detect_journal();
    metrics_declare(); /* before any thread counts, in every command that sends */
    channels_register();
    /* a peer that went away (Redis, an HTTP client) is an error to handle, not a reason to die */
    signal(SIGPIPE, SIG_IGN);
    /* a file that may not grow (a size limit, a full quota) is a write error, not a reason to die
     */
    signal(SIGXFSZ, SIG_IGN);
    while ((opt = getopt_long(argc, argv, "+c:vhV", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            cli.config_path = optarg;
            break;
        case 'n':
            cli.now_text = optarg;
            break;
        case 'v':
            log_set_level(LOG_DEBUG);
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("tyndau %s\n", TYNDAU_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    const char *command = optind < argc ? argv[optind++] : "run";
    int rest = argc - optind;
    char **args = argv + optind;
    static const char *const known[] = {"run",   "check",   "console", "route",     "due",
                                        "cases", "reindex", "probe",   "incidents", NULL};
    int ok = 0;
    for (const char *const *k = known; *k; k++)
        ok |= !strcmp(command, *k);
    if (!ok) {
        fprintf(stderr, "tyndau: unknown command `%s`\n\n", command);
        usage(stderr);
        return 2;
    }
    if (load_config(&cli) < 0)
        return 1;
    int rc;
    if (!strcmp(command, "check"))
        rc = cmd_check(&cli);
    else if (!strcmp(command, "console"))
        rc = cmd_console(&cli);
    else if (!strcmp(command, "route"))
        rc = cmd_route(&cli, rest, args);
    else if (!strcmp(command, "incidents"))
        rc = cmd_incidents(&cli, rest, args);
    else if (!strcmp(command, "due"))
        rc = cmd_due(&cli, rest, args);
    else if (!strcmp(command, "cases"))
        rc = cmd_cases(&cli, rest, args);
    else if (!strcmp(command, "reindex"))
        rc = cmd_reindex(&cli);
    else if (!strcmp(command, "probe"))
        rc = cmd_probe(&cli, rest, args);
    else
        rc = cmd_run(&cli);
    config_free(&cli.cfg);
    return rc;
}
