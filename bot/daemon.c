#include "bot/daemon.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "gateways/sms.h"
#include "gateways/telegram.h"
#include "gateways/telegram_files.h"
#include "bot/lib/bell.h"
#include "bot/lib/clock.h"
#include "bot/pipeline/deadlines.h"
#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/open311.h"
#include "bot/pipeline/public.h"
#include "bot/pipeline/web.h"
#include "bot/pipeline/metrics.h"
#include "bot/lib/service.h"
#include "bot/lib/log.h"
#include "bot/lib/xalloc.h"
#include "bot/pipeline/sender.h"
#include "bot/domain/store.h"

struct daemon {
    const struct config *cfg; /* as started; config_hold() gives the live one */
    atomic_int *stop;
    atomic_int *reload;
    struct store *recv_store, *send_store, *deadline_store, *files_store;
    struct deadlines deadlines;
    struct sender sender;
    struct telegram telegram;
    struct tg_files files; /* copies of citizens' files for the dashboard (Telegram only) */
    struct sms_channel sms;
    struct store *http_store; /* inbound SMS and reports, on the listener's thread */
    struct http http;
    struct health health;
    struct web web;
    struct bell sender_bell;   /* a commit queued messages */
    struct bell deadline_bell; /* a commit changed cases; a signal came */
    struct bell signal_bell;   /* a signal came: the main thread looks at *stop */
    struct bell files_bell;    /* a commit may have brought a file; a signal came */
};

#define STORE_RETRY_MS 1000
/* how long a stopping sender waits for the answers of the requests it has running */
#define SENDER_SETTLE_MS 5000

/* The running daemon, for daemon_wake() from a signal handler. */
static struct daemon *running;

void daemon_wake(void)
{
    struct daemon *d = running;
    if (d) {
        bell_ring(&d->sender_bell);
        bell_ring(&d->deadline_bell);
        bell_ring(&d->signal_bell);
        bell_ring(&d->files_bell);
    }
}

/* Fetches the files citizens sent, each when its try is due; sleeps until the next or a commit. */
static void *files_thread(void *arg)
{
    struct daemon *d = arg;
    while (!atomic_load(d->stop)) {
        int64_t next_at, now = clock_now_ms() / 1000;
        int n = tg_files_fetch(&d->files, now, &next_at);
        if (n < 0 && !store_write_fault(NULL, 0))
            log_error("daemon", "files: the store failed (%s); retrying",
                      store_errmsg(d->files_store));
        if (n <= 0 || next_at > now)
            bell_wait(&d->files_bell, n < 0     ? STORE_RETRY_MS
                                      : next_at ? (next_at - now) * 1000
                                                : -1);
    }
    return NULL;
}

/* How long to sleep until at_ms (found: there is such a time), else until rung. */
static int64_t sleep_until(int found, int64_t at_ms)
{
    if (!found)
        return -1;
    int64_t left = at_ms - clock_now_ms();
    return left > 0 ? left : 0;
}

/*
 * Sends what is due, then sleeps until the next retry or pacing slot, or
 * until a commit that queued messages rings; a store that cannot record is
 * said once by the sender and tried again every second.
 */
static void *sender_thread(void *arg)
{
    struct daemon *d = arg;
    while (!atomic_load(d->stop)) {
        int64_t at = 0;
        int n = sender_drain(&d->sender, clock_now_ms()), found = 0;
        if (n > 0)
            continue;
        if (n == 0)
            found = sender_next_wake(&d->sender, &at);
        sender_wait(&d->sender, &d->sender_bell,
                    n < 0 || found < 0 ? STORE_RETRY_MS : sleep_until(found, at));
    }
    sender_settle(&d->sender, SENDER_SETTLE_MS); /* what is on the wire is heard out */
    return NULL;
}

/* SIGHUP: the file again, checked as `tyndau check` does; published only if sound. */
static void reload(struct daemon *d)
{
    struct config *next = xcalloc(1, sizeof *next);
    struct diag dg = DIAG_INIT;
    log_info("daemon", "reloading %s", d->cfg->file);
    int rc = config_load(next, d->cfg->file, &dg);
    if (rc == 0)
        sms_check_catalog(next, &dg);
    for (char *line = dg.text.buf, *end; line && *line; line = end) {
        end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        log_warn("daemon", "%.*s", len, line);
        end = end ? end + 1 : NULL;
    }
    if (rc < 0) {
        log_error("daemon",
                  "reload refused: %d error(s) in the configuration; the running one stays",
                  dg.errors);
        free(next);
        diag_release(&dg);
        return;
    }
    diag_release(&dg);
    const char *fixed = config_restart_setting_changed(d->cfg, next);
    if (fixed) {
        log_error("daemon",
                  "reload refused: %s changed, which takes a restart; the running configuration "
                  "stays",
                  fixed);
    } else if (config_live_publish(next) == 0) {
        enum log_level level;
        if (log_get_level() > LOG_DEBUG && log_level_parse(next->log.level, &level) == 0)
            log_set_level(level);
        log_info("daemon",
                 "configuration reloaded: %zu districts, %zu bodies, %zu categories, %zu routes, "
                 "%zu staff, %zu texts",
                 next->ndistricts, next->nbodies, next->ncategories, next->nroutes, next->nstaff,
                 next->texts.count);
        return;
    }
    config_free(next);
    free(next);
}

/*
 * Carries case changes to Redis and fires what is due, then sleeps until the
 * next stage, digest or Redis check, or until a commit or a signal rings.
 */
static void *deadline_thread(void *arg)
{
    struct daemon *d = arg;
    while (!atomic_load(d->stop)) {
        int fired, rc, found = 0;
        int64_t at = 0;
        if (atomic_exchange(d->reload, 0)) {
            service_notify("RELOADING=1");
            reload(d);
            service_notify("READY=1");
        }
        const struct config *cfg = config_hold(d->cfg);
        d->deadlines.cfg = cfg; /* the restart-only settings (Redis) are the same in every one */
        rc = deadlines_tick(&d->deadlines, d->deadline_store, clock_now_ms(), 500, &fired);
        if (rc == 0 && fired < 500)
            found = deadlines_next_wake(&d->deadlines, d->deadline_store, clock_now_ms(), &at);
        d->deadlines.cfg = d->cfg;
        config_drop(cfg);
        if ((rc < 0 || found < 0) && !store_write_fault(NULL, 0)) /* a full disk is said once */
            log_error("daemon", "deadlines: the store failed (%s); retrying",
                      store_errmsg(d->deadline_store));
        /* systemd's watchdog hears from this thread, which wakes every few seconds anyway */
        int64_t watchdog = service_watchdog();
        int64_t wait = rc < 0 || found < 0 ? STORE_RETRY_MS : sleep_until(found, at);
        if (watchdog >= 0 && (wait < 0 || wait > watchdog))
            wait = watchdog;
        if (fired < 500)
            bell_wait(&d->deadline_bell, wait);
    }
    return NULL;
}

/* For /healthz: Telegram fails when polling or sending does. */
static int telegram_problem(void *ctx, char *why, size_t size)
{
    struct daemon *d = ctx;
    return telegram_receive_problem(&d->telegram, why, size) ||
           sender_channel_problem(&d->sender, "telegram", why, size);
}

/* The SMS provider fails when sending to it does (Kannel down, its queue full). */
static int sms_problem(void *ctx, char *why, size_t size)
{
    struct daemon *d = ctx;
    return sender_channel_problem(&d->sender, "sms", why, size);
}

/* A connection of one thread, keeping at most cache_kib KiB of pages. */
static int open_one(const struct config *cfg, struct store **s, int cache_kib)
{
    struct sbuf err = SBUF_INIT;
    int rc = store_open(s, cfg->storage.path, cfg->storage.synchronous_full, &err);
    if (rc == 0 && store_cache_kib(*s, cache_kib) < 0)
        sbuf_addf(&err, "%s", store_errmsg(*s)), rc = -1;
    if (rc < 0)
        fprintf(stderr, "tyndau: %s\n", err.buf);
    sbuf_release(&err);
    return rc;
}

int daemon_run(const struct config *cfg, atomic_int *stop, atomic_int *reload)
{
    struct daemon d = {.cfg = cfg,
                       .stop = stop,
                       .reload = reload,
                       .sender_bell = {-1},
                       .deadline_bell = {-1},
                       .signal_bell = {-1},
                       .files_bell = {-1}};
    struct sbuf err = SBUF_INIT;
    pthread_t sender, deadline, files;
    int fetching = 0;
    int threads = 0, rc = 1;

    int telegram = *cfg->telegram.token != 0;
    int sms = strcmp(cfg->sms.provider, "none") != 0;
    /*
     * One heap for every thread: each allocates little, mostly the receiving thread, and a
     * heap per thread keeps pages each of them once needed.
     */
    mallopt(M_ARENA_MAX, 1);
    if (bell_init(&d.sender_bell) < 0 || bell_init(&d.deadline_bell) < 0 ||
        bell_init(&d.signal_bell) < 0 || bell_init(&d.files_bell) < 0) {
        perror("tyndau: eventfd");
        goto out;
    }
    if (open_one(cfg, &d.recv_store, DAEMON_PAGES_RECEIVE_KIB) < 0 ||
        open_one(cfg, &d.send_store, DAEMON_PAGES_SEND_KIB) < 0 ||
        open_one(cfg, &d.deadline_store, DAEMON_PAGES_DEADLINES_KIB) < 0 ||
        open_one(cfg, &d.http_store, DAEMON_PAGES_HTTP_KIB) < 0 ||
        open_one(cfg, &d.files_store, DAEMON_PAGES_FILES_KIB) < 0)
        goto out;
    /* what the listeners commit is work for both; what the deadlines queue, for the sender */
    store_ring_on_commit(d.recv_store, &d.sender_bell);
    store_ring_on_commit(d.recv_store, &d.deadline_bell);
    store_ring_on_commit(d.http_store, &d.sender_bell);
    store_ring_on_commit(d.http_store, &d.deadline_bell);
    store_ring_on_commit(d.deadline_store, &d.sender_bell);
    store_ring_on_commit(d.recv_store, &d.files_bell); /* files come by Telegram */
    running = &d;
    deadlines_init(&d.deadlines, cfg);
    config_live_start(cfg);
    http_init(&d.http);
    sender_init(&d.sender, d.send_store, cfg);
    if (health_init(&d.health, cfg, &d.deadlines, &d.sender, &d.http, &err) < 0)
        goto fail;
    if (telegram) {
        if (telegram_start(&d.telegram, cfg, d.recv_store, d.send_store, stop, &err) < 0)
            goto fail;
        if (!strcmp(cfg->telegram.mode, "webhook"))
            telegram_webhook_route(&d.telegram, &d.http);
        sender_add_transport(&d.sender, &d.telegram.transport);
        if (tg_files_init(&d.files, cfg, d.files_store, &err) < 0)
            goto fail;
        health_add_check(&d.health, "telegram", telegram_problem, &d);
    }
    if (sms) {
        if (sms_start(&d.sms, cfg, d.http_store, d.send_store, &err) < 0)
            goto fail;
        sms_routes(&d.sms, &d.http);
        sender_add_transport(&d.sender, &d.sms.transport);
        health_add_check(&d.health, "sms", sms_problem, &d);
    }
    metrics_route(&d.health, &d.http);
    open311_route(&d.health, &d.http);
    public_route(&d.health, &d.http);
    web_route(&d.web, cfg, d.http_store, &d.http);
    if (*cfg->http.listen && http_start(&d.http, cfg->http.listen, &err) < 0)
        goto fail;
    if (pthread_create(&sender, NULL, sender_thread, &d) != 0)
        goto fail;
    threads++;
    if (pthread_create(&deadline, NULL, deadline_thread, &d) != 0)
        goto fail;
    threads++;
    if (telegram) {
        if (pthread_create(&files, NULL, files_thread, &d) != 0)
            goto fail;
        fetching = 1;
    }
    log_info("daemon", "running");
    service_notify("READY=1");
    rc = 0;
    while (!atomic_load(stop)) {
        if (telegram && !strcmp(cfg->telegram.mode, "polling"))
            telegram_poll_once(&d.telegram);
        else
            bell_wait(&d.signal_bell, -1);
    }
    log_info("daemon", "stopping");
    service_notify("STOPPING=1");
    goto out;
fail:
    fprintf(stderr, "tyndau: %s\n", err.buf);
    atomic_store(stop, 1);
out:
    if (threads > 0)
        pthread_join(sender, NULL);
    if (threads > 1)
        pthread_join(deadline, NULL);
    if (fetching)
        pthread_join(files, NULL);
    tg_files_free(&d.files);
    http_stop(&d.http);
    if (d.telegram.cfg)
        telegram_stop(&d.telegram);
    if (d.sms.cfg)
        sms_stop(&d.sms);
    health_close(&d.health);
    deadlines_close(&d.deadlines);
    store_close(d.recv_store);
    store_close(d.send_store);
    store_close(d.deadline_store);
    store_close(d.http_store);
    store_close(d.files_store);
    sender_free(&d.sender);
    running = NULL;
    bell_close(&d.sender_bell);
    bell_close(&d.deadline_bell);
    bell_close(&d.signal_bell);
    bell_close(&d.files_bell);
    config_live_end();
    sbuf_release(&err);
    return rc;
}
