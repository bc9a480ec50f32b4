#include "bot/daemon.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "gateways/sms.h"
#include "gateways/telegram.h"
#include "bot/lib/clock.h"
#include "bot/pipeline/deadlines.h"
#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"
#include "bot/lib/log.h"
#include "bot/pipeline/sender.h"
#include "bot/domain/store.h"

struct daemon {
    const struct config *cfg; /* as started; config_hold() gives the live one */
    atomic_int *stop;
    atomic_int *reload;
    struct store *recv_store, *send_store, *deadline_store;
    struct deadlines deadlines;
    struct sender sender;
    struct telegram telegram;
    struct sms_channel sms;
    struct store *http_store; /* inbound SMS and reports, on the listener's thread */
    struct http http;
    struct health health;
};

static void nap(int ms)
{
    struct timespec ts = {0, (long)ms * 1000000L};
    nanosleep(&ts, NULL);
}

static void *sender_thread(void *arg)
{
    struct daemon *d = arg;
    while (!atomic_load(d->stop)) {
        /* a store that cannot record is said once by the sender and tried every second */
        int n = sender_drain(&d->sender, clock_now_ms());
        if (n < 0)
            nap(1000);
        else if (n == 0)
            nap(20);
    }
    return NULL;
}

/* SIGHUP: the file again, checked as `tyndau check` does; published only if sound. */
static void reload(struct daemon *d)
{
    struct config *next = calloc(1, sizeof *next);
    struct diag dg = DIAG_INIT;
    if (!next)
        return;
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

static void *deadline_thread(void *arg)
{
    struct daemon *d = arg;
    while (!atomic_load(d->stop)) {
        int fired, rc;
        if (atomic_exchange(d->reload, 0))
            reload(d);
        const struct config *cfg = config_hold(d->cfg);
        d->deadlines.cfg = cfg; /* the restart-only settings (Redis) are the same in every one */
        rc = deadlines_tick(&d->deadlines, d->deadline_store, clock_now_ms(), 500, &fired);
        d->deadlines.cfg = d->cfg;
        config_drop(cfg);
        if (rc < 0 &&
            !store_write_fault(NULL, 0)) /* a database that takes no writes is said once */
            log_error("daemon", "deadlines: the store failed; retrying");
        if (fired < 500)
            for (int i = 0; i < 10 && !atomic_load(d->stop) && !atomic_load(d->reload); i++)
                nap(100);
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

static int open_one(const struct config *cfg, struct store **s)
{
    struct sbuf err = SBUF_INIT;
    int rc = store_open(s, cfg->storage.path, cfg->storage.synchronous_full, &err);
    if (rc < 0)
        fprintf(stderr, "tyndau: %s\n", err.buf);
    sbuf_release(&err);
    return rc;
}

int daemon_run(const struct config *cfg, atomic_int *stop, atomic_int *reload)
{
    struct daemon d = {.cfg = cfg, .stop = stop, .reload = reload};
    struct sbuf err = SBUF_INIT;
    pthread_t sender, deadline;
    int threads = 0, rc = 1;

    int telegram = *cfg->telegram.token != 0;
    int sms = strcmp(cfg->sms.provider, "none") != 0;
    if (open_one(cfg, &d.recv_store) < 0 || open_one(cfg, &d.send_store) < 0 ||
        open_one(cfg, &d.deadline_store) < 0 || open_one(cfg, &d.http_store) < 0)
        goto out;
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
        health_add_check(&d.health, "telegram", telegram_problem, &d);
    }
    if (sms) {
        if (sms_start(&d.sms, cfg, d.http_store, d.send_store, &err) < 0)
            goto fail;
        sms_routes(&d.sms, &d.http);
        sender_add_transport(&d.sender, &d.sms.transport);
        health_add_check(&d.health, "sms", sms_problem, &d);
    }
    if (*cfg->http.listen && http_start(&d.http, cfg->http.listen, &err) < 0)
        goto fail;
    if (pthread_create(&sender, NULL, sender_thread, &d) != 0)
        goto fail;
    threads++;
    if (pthread_create(&deadline, NULL, deadline_thread, &d) != 0)
        goto fail;
    threads++;
    log_info("daemon", "running");
    rc = 0;
    while (!atomic_load(stop)) {
        if (telegram && !strcmp(cfg->telegram.mode, "polling"))
            telegram_poll_once(&d.telegram);
        else
            nap(200);
    }
    log_info("daemon", "stopping");
    goto out;
fail:
    fprintf(stderr, "tyndau: %s\n", err.buf);
    atomic_store(stop, 1);
out:
    if (threads > 0)
        pthread_join(sender, NULL);
    if (threads > 1)
        pthread_join(deadline, NULL);
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
    sender_free(&d.sender);
    config_live_end();
    sbuf_release(&err);
    return rc;
}
