#include "bot/pipeline/sender.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "bot/lib/clock.h"
#include "bot/lib/log.h"
#include "bot/lib/prom.h"
#include "bot/pipeline/metric_names.h"

#define DRAIN_BATCH 64
#define DRAIN_SPARE 8

#define RECONCILE_EVERY_MS 5000

void sender_init(struct sender *s, struct store *store, const struct config *cfg)
{
    memset(s, 0, sizeof *s);
    s->store = store;
    s->cfg = cfg;
    s->started_ms = clock_now_ms();
    pthread_mutex_init(&s->lock, NULL);
}

/* The requests still running are dropped unrecorded: 'sending', the next daemon sends them. */
void sender_free(struct sender *s)
{
    for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++) {
        struct flight *f = &s->flights[k];
        if (!f->used)
            continue;
        if (f->easy) {
            struct transport *t = s->transports[f->transport];
            curl_multi_remove_handle(s->multi, f->easy);
            t->finish(t->ctx, &f->msg, f->easy, CURLE_ABORTED_BY_CALLBACK, &f->res);
        }
        outbox_msg_release(&f->msg);
        sbuf_release(&f->res.detail);
    }
    if (s->multi)
        curl_multi_cleanup(s->multi);
    pthread_mutex_destroy(&s->lock);
}

int sender_paused(struct sender *s)
{
    return atomic_load(&s->paused);
}

int sender_channel_problem(struct sender *s, const char *channel, char *why, size_t size)
{
    int failing = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->ntransports; i++)
        if (!strcmp(s->transports[i]->channel, channel) && s->state[i].failing) {
            failing = 1;
            snprintf(why, size, "%s", s->state[i].why);
        }
    pthread_mutex_unlock(&s->lock);
    return failing;
}

int sender_add_transport(struct sender *s, struct transport *t)
{
    if (s->ntransports == SENDER_MAX_TRANSPORTS)
        return -1;
    if (t->start) {
        if (t->in_flight < 1 || t->in_flight > SENDER_MAX_IN_FLIGHT)
            t->in_flight = t->in_flight < 1 ? 1 : SENDER_MAX_IN_FLIGHT;
        if (!s->multi && !(s->multi = curl_multi_init()))
            return -1;
        /* a connection per request in flight, kept for the next ones */
        curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)SENDER_MAX_IN_FLIGHT);
    }
    s->transports[s->ntransports++] = t;
    return 0;
}

int64_t sender_backoff_ms(const struct config *cfg, int attempts)
{
    int64_t delay = cfg->outbox.retry_base_ms;
    for (int i = 0; i < attempts && delay < cfg->outbox.retry_max_ms; i++)
        delay *= 2;
    return delay < cfg->outbox.retry_max_ms ? delay : cfg->outbox.retry_max_ms;
}

static int record(struct sender *s, struct transport *t, const struct outbox_msg *m,
                  const struct send_result *res, int64_t now_ms)
{
    struct store *st = s->store;
    const char *detail = res->detail.len ? res->detail.buf : "";
    switch (res->status) {
    case SEND_OK:
        return store_outbox_sent(st, m->id, now_ms, res->remote_id);
    case SEND_RETRY_AFTER:
        return store_outbox_retry(st, m->id, now_ms, now_ms + res->retry_after_ms, RETRY_THROTTLED,
                                  detail);
    case SEND_DOWN: /* due at once: the channel's probe time holds the whole queue */
        return store_outbox_retry(st, m->id, now_ms, now_ms, RETRY_CHANNEL_DOWN, detail);
    case SEND_RETRY:
        if (m->attempts + 1 >= s->cfg->outbox.max_attempts) {
            log_warn("sender", "%s message %lld to %s failed after %d attempts: %s", t->channel,
                     (long long)m->id, m->address, m->attempts + 1, detail);
            return store_outbox_failed(st, m->id, now_ms, detail);
        }
        return store_outbox_retry(st, m->id, now_ms,
                                  now_ms + sender_backoff_ms(s->cfg, m->attempts), RETRY_BACKOFF,
                                  detail);
    case SEND_UNREACHABLE:
        log_info("sender", "%s address %s unreachable: %s", t->channel, m->address, detail);
        if (store_citizen_set_reachable(st, t->channel, m->address, 0) < 0)
            return -1;
        /* fall through */
    case SEND_FAILED:
        log_warn("sender", "%s message %lld to %s failed: %s", t->channel, (long long)m->id,
                 m->address, detail);
        return store_outbox_failed(st, m->id, now_ms, detail);
    }
    return -1;
}

/* The wait before the next probe of a channel that is down, after `streak` failed ones. */
static int64_t probe_delay_ms(const struct config *cfg, int streak)
{
    int64_t delay = sender_backoff_ms(cfg, streak - 1);
    return delay < SENDER_PROBE_MAX_MS ? delay : SENDER_PROBE_MAX_MS;
}

/*
 * A retry or a down is the channel failing (unreachable, misconfigured, 5xx);
 * anything else but a 429 means it answers.  Said in the log once each way.
 */
static void note_channel(struct sender *s, int i, const struct send_result *res, int64_t now_ms)
{
    struct channel_state *cs = &s->state[i];
    const char *channel = s->transports[i]->channel;
    const char *detail = res->detail.len ? res->detail.buf : "?";
    pthread_mutex_lock(&s->lock);
    if (res->status == SEND_RETRY || res->status == SEND_DOWN) {
        if (!cs->failing) {
            cs->failing_since = now_ms;
            if (res->status == SEND_DOWN)
                log_error("sender",
                          "%s: the channel is down: %s; its messages wait, and it is "
                          "tried again every %d s at most",
                          channel, detail, SENDER_PROBE_MAX_MS / 1000);
            else
                log_warn("sender", "%s: the channel fails: %s", channel, detail);
        }
        cs->failing = 1;
        snprintf(cs->why, sizeof cs->why, "%s", detail);
        cs->down = res->status == SEND_DOWN;
        cs->down_streak = cs->down ? cs->down_streak + 1 : 0;
        cs->probe_at_ms = now_ms + (cs->down ? probe_delay_ms(s->cfg, cs->down_streak) : 0);
    } else if (res->status != SEND_RETRY_AFTER) {
        if (cs->failing)
            log_info("sender", "%s: the channel answers again after %lld s", channel,
                     (long long)((now_ms - cs->failing_since) / 1000));
        cs->failing = cs->down = cs->down_streak = 0;
    }
    pthread_mutex_unlock(&s->lock);
}

/* The request's outcome for /metrics: sent, 429, 5xx, 4xx, network, unsendable. */
static void count_send(const char *channel, const struct send_result *res)
{
    char labels[120], outcome[16];
    if (res->status == SEND_OK)
        snprintf(outcome, sizeof outcome, "sent");
    else if (res->status == SEND_RETRY_AFTER || res->http_status == 429)
        snprintf(outcome, sizeof outcome, "429");
    else if (res->http_status >= 500)
        snprintf(outcome, sizeof outcome, "5xx");
    else if (res->http_status >= 400)
        snprintf(outcome, sizeof outcome, "4xx");
    else if (res->status == SEND_DOWN || res->status == SEND_RETRY)
        snprintf(outcome, sizeof outcome, "network");
    else
        snprintf(outcome, sizeof outcome, "unsendable"); /* refused before any request */
    snprintf(labels, sizeof labels, "channel=\"%s\",outcome=\"%s\"", channel, outcome);
    prom_add(METRIC_SENDS, labels, 1);
    if (res->status == SEND_RETRY_AFTER) {
        snprintf(labels, sizeof labels, "channel=\"%s\"", channel);
        prom_add(METRIC_RETRY_AFTER, labels, (double)res->retry_after_ms / 1000);
    }
}

/*
 * The outcome and its delivery row in one commit: one fsync, not two.  With
 * it, the address's next message learns when the channel's pace lets it go,
 * so the store does not offer it as due before (the pace lives in memory; the
 * store's order of what is ready does not).
 */
static int record_outcome(struct sender *s, int i, const struct outbox_msg *m,
                          const struct send_result *res, int64_t at_ms)
{
    struct transport *t = s->transports[i];
    int rc = s->in_txn ? 0 : store_begin(s->store); /* in the drain's own, it is one of many */
    if (rc == 0 && (rc = record(s, t, m, res, at_ms)) == 0 && res->status == SEND_OK &&
        t->ready_at) {
        int64_t next = t->ready_at(t->ctx, m, at_ms);
        if (next > at_ms)
            rc = store_outbox_pace(s->store, t->channel, m->address, next);
    }
    if (s->in_txn)
        return rc;
    if (rc == 0)
        rc = store_commit(s->store);
    if (rc < 0)
        store_rollback(s->store);
    return rc;
}

static struct flight *free_flight(struct sender *s)
{
    for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++)
        if (!s->flights[k].used) {
            struct flight *f = &s->flights[k];
            memset(f, 0, sizeof *f);
            outbox_msg_init(&f->msg);
            sbuf_init(&f->res.detail, 0);
            f->used = 1;
            return f;
        }
    return NULL;
}

static int free_flights(struct sender *s)
{
    int n = 0;
    for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++)
        n += !s->flights[k].used;
    return n;
}

static void land(struct flight *f)
{
    outbox_msg_release(&f->msg);
    sbuf_release(&f->res.detail);
    f->used = 0;
}

/* The outcome is known: counted, told to the channel's state, then recorded (or held). */
static void ended(struct sender *s, struct flight *f, int64_t now_ms)
{
    count_send(s->transports[f->transport]->channel, &f->res);
    note_channel(s, f->transport, &f->res, now_ms);
    f->done = 1;
}

/* Records every outcome that is known; -1 when the store refuses one (it stays held). */
static int record_done(struct sender *s, int64_t now_ms)
{
    for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++) {
        struct flight *f = &s->flights[k];
        if (!f->used || !f->done)
            continue;
        if (!f->recorded && record_outcome(s, f->transport, &f->msg, &f->res, now_ms) < 0)
            return -1;
        f->recorded = 1;
        if (!s->in_txn)
            land(f); /* else when the drain's transaction commits */
    }
    return 0;
}

/* The requests that ended since the last look: their outcomes, not yet recorded. */
static int collect(struct sender *s, int64_t now_ms)
{
    int running, left, n = 0;
    CURLMsg *msg;
    if (!s->multi)
        return 0;
    curl_multi_perform(s->multi, &running);
    while ((msg = curl_multi_info_read(s->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++) {
            struct flight *f = &s->flights[k];
            if (!f->used || f->easy != msg->easy_handle)
                continue;
            struct transport *t = s->transports[f->transport];
            CURLcode code = msg->data.result; /* read before the handle leaves the multi */
            curl_multi_remove_handle(s->multi, f->easy);
            t->finish(t->ctx, &f->msg, f->easy, code, &f->res);
            f->easy = NULL;
            s->flying[f->transport]--;
            ended(s, f, now_ms);
            n++;
            break;
        }
    }
    return n;
}

/* Messages left 'sending' by a daemon that stopped mid-request go again. */
static int reconcile(struct sender *s, int i, int64_t now_ms)
{
    struct transport *t = s->transports[i];
    if (now_ms < s->state[i].next_reconcile_ms)
        return 0;
    /* what this sender claimed is its own flights', not a stopped daemon's */
    int64_t before = now_ms - t->interrupted_grace_ms;
    int n = store_outbox_interrupted(s->store, t->channel,
                                     before < s->started_ms ? before : s->started_ms, now_ms,
                                     s->cfg->outbox.max_attempts);
    if (n < 0)
        return -1;
    if (n > 0)
        log_warn("sender",
                 "%s: %d message(s) were being sent when tyndau stopped and no answer was "
                 "recorded: sending them again",
                 t->channel, n);
    s->state[i].next_reconcile_ms = now_ms + RECONCILE_EVERY_MS;
    return 0;
}

/* The earliest moment a message held back by pacing may go, kept as the next wake. */
static void note_paced(struct sender *s, int64_t ready_ms)
{
    if (!s->paced || ready_ms < s->paced_until_ms)
        s->paced_until_ms = ready_ms;
    s->paced = 1;
}

/* Claims m and sends it, in line or as a flight: 1, 0 when it was no longer pending, -1 when the
 * store failed. */
static int launch(struct sender *s, int i, struct outbox_msg *m, int64_t now_ms)
{
    struct transport *t = s->transports[i];
    /* recorded before the request: what the store cannot record is not sent */
    int claimed = store_outbox_claim(s->store, m->id, now_ms);
    if (claimed <= 0)
        return claimed; /* 0: suppressed by a STOP meanwhile */
    struct flight *f = free_flight(s);
    f->transport = i;
    f->msg = *m; /* the flight owns the text and buttons now */
    outbox_msg_init(m);
    f->res.status = SEND_FAILED;
    if (t->start) {
        f->easy = t->start(t->ctx, &f->msg, &f->res);
        if (f->easy && curl_multi_add_handle(s->multi, f->easy) != CURLM_OK) {
            t->finish(t->ctx, &f->msg, f->easy, CURLE_OUT_OF_MEMORY, &f->res);
            f->easy = NULL;
        }
        if (f->easy) {
            s->flying[i]++;
            f->fresh = s->in_txn; /* its claim is not committed yet */
            return 1;
        }
    } else {
        t->send(t->ctx, &f->msg, &f->res);
    }
    ended(s, f, now_ms);
    return record_done(s, now_ms) < 0 ? -1 : 1;
}

static int drain_transport(struct sender *s, int i, int64_t now_ms)
{
    struct transport *t = s->transports[i];
    struct outbox_msg batch[DRAIN_BATCH];
    int attempts = 0, n, k, held = 0; /* held: one was paced or waits for a request to end */
    if (s->state[i].down && (now_ms < s->state[i].probe_at_ms || s->flying[i] > 0)) {
        if (!s->flying[i])
            note_paced(s, s->state[i].probe_at_ms); /* what is due waits for the probe */
        return 0;
    }
    if ((t->start && s->flying[i] >= t->in_flight) || free_flights(s) == 0)
        return 0; /* the request that ends wakes the sender */
    int64_t slot = t->next_slot ? t->next_slot(t->ctx, now_ms) : now_ms;
    if (slot > now_ms) {
        note_paced(s, slot); /* nothing may go before: no need to look */
        return 0;
    }
    /* as many as may go, and some to spare for those paced or stopped meanwhile */
    int want = t->start ? t->in_flight - s->flying[i] + DRAIN_SPARE : DRAIN_BATCH;
    for (k = 0; k < DRAIN_BATCH; k++)
        outbox_msg_init(&batch[k]);
    n = store_outbox_due(s->store, t->channel, now_ms, batch, want < DRAIN_BATCH ? want : DRAIN_BATCH);
    for (k = 0; k < n; k++) {
        struct outbox_msg *m = &batch[k];
        int64_t ready = t->ready_at ? t->ready_at(t->ctx, m, now_ms) : now_ms;
        if (ready > now_ms) {
            note_paced(s, ready);
            held = 1;
            continue; /* paced: it stays pending and is offered again */
        }
        if ((t->start && s->flying[i] >= t->in_flight) || free_flights(s) == 0) {
            held = 1;
            break; /* the rest wait for a request to end */
        }
        int rc = launch(s, i, m, now_ms);
        if (rc < 0) {
            attempts = -1;
            break;
        }
        attempts += rc;
        if (rc && t->next_slot && (slot = t->next_slot(t->ctx, now_ms)) > now_ms) {
            note_paced(s, slot); /* the limits in all hold the rest */
            held = 1;
            break;
        }
        if (rc && (s->state[i].down || s->state[i].failing)) {
            held = 1;
            /* one request at a time to a channel that fails, the rest after the next probe */
            if (s->state[i].down && !s->flying[i])
                note_paced(s, s->state[i].probe_at_ms);
            break;
        }
    }
    for (int j = 0; j < DRAIN_BATCH; j++)
        outbox_msg_release(&batch[j]);
    if (n == (want < DRAIN_BATCH ? want : DRAIN_BATCH) && !held && attempts >= 0)
        note_paced(s, now_ms); /* all went: more may be due than one batch held */
    return n < 0 ? -1 : attempts;
}

static int store_failed(struct sender *s)
{
    if (!atomic_exchange(&s->paused, 1)) {
        char why[200];
        if (!store_write_fault(why, sizeof why))
            snprintf(why, sizeof why, "%s", store_errmsg(s->store));
        log_error("sender", "the store cannot record (%s): sending paused until it can", why);
    }
    return -1;
}

/*
 * The drain's transaction ends: committed, the outcomes recorded in it land and
 * the requests claimed in it may go; rolled back, the outcomes stay held and the
 * requests are taken back unsent (their messages are still pending).
 */
static int end_txn(struct sender *s, int ok)
{
    s->in_txn = 0;
    if (ok && store_commit(s->store) == 0) {
        for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++) {
            struct flight *f = &s->flights[k];
            f->fresh = 0;
            if (f->used && f->recorded)
                land(f);
        }
        return 0;
    }
    store_rollback(s->store);
    for (int k = 0; k < SENDER_MAX_IN_FLIGHT; k++) {
        struct flight *f = &s->flights[k];
        if (!f->used)
            continue;
        f->recorded = 0;
        if (f->fresh) {
            struct transport *t = s->transports[f->transport];
            curl_multi_remove_handle(s->multi, f->easy);
            t->finish(t->ctx, &f->msg, f->easy, CURLE_ABORTED_BY_CALLBACK, &f->res);
            s->flying[f->transport]--;
            land(f);
        }
    }
    return -1;
}

int sender_drain(struct sender *s, int64_t now_ms)
{
    int total = 0;
    s->paced = 0;
    s->drained_at_ms = now_ms;
    /* whoever met the fault (the dispatcher, the deadlines), nothing goes until the store records
     */
    if (store_write_fault(NULL, 0) && store_write_probe(s->store, now_ms) < 0)
        return store_failed(s);
    /* what went but could not be recorded first, then a stopped daemon's leftovers */
    if (record_done(s, now_ms) < 0)
        return store_failed(s);
    for (int i = 0; i < s->ntransports; i++) /* each in a transaction of its own */
        if (reconcile(s, i, now_ms) < 0)
            return store_failed(s);
    /*
     * The requests that ended and the ones that start, in one transaction: one
     * fsync records the outcomes and claims what goes next.  Nothing goes on
     * the wire before the commit (curl sends at the next perform).
     */
    if (s->multi) {
        if (store_begin(s->store) < 0)
            return store_failed(s);
        s->in_txn = 1;
        total += collect(s, now_ms);
        int rc = record_done(s, now_ms);
        for (int i = 0; i < s->ntransports && rc == 0; i++) {
            int n = s->transports[i]->start ? drain_transport(s, i, now_ms) : 0;
            rc = n < 0 ? -1 : 0;
            total += n > 0 ? n : 0;
        }
        if (end_txn(s, rc == 0) < 0)
            return store_failed(s);
        if (total) {
            int left;
            curl_multi_perform(s->multi, &left); /* what was claimed goes now */
        }
    }
    for (int i = 0; i < s->ntransports; i++) {
        if (s->transports[i]->start)
            continue; /* drained in the transaction above */
        int n = drain_transport(s, i, now_ms);
        if (n < 0)
            return store_failed(s);
        total += n;
    }
    if (!store_write_fault(NULL, 0) && atomic_exchange(&s->paused, 0))
        log_info("sender", "the store records again: sending resumed");
    return total;
}

static int running(struct sender *s)
{
    int n = 0;
    for (int i = 0; i < s->ntransports; i++)
        n += s->flying[i];
    return n;
}

void sender_wait(struct sender *s, struct bell *bell, int64_t timeout_ms)
{
    if (!running(s)) {
        bell_wait(bell, timeout_ms);
        return;
    }
    struct curl_waitfd rung = {.fd = bell->fd, .events = CURL_WAIT_POLLIN};
    int ms = timeout_ms < 0 || timeout_ms > 60000 ? 60000 : (int)timeout_ms;
    curl_multi_poll(s->multi, &rung, 1, ms, NULL);
    if (rung.revents)
        bell_wait(bell, 0); /* the rings are taken */
}

void sender_settle(struct sender *s, int64_t wait_ms)
{
    int64_t until = clock_mono_ms() + wait_ms;
    while (running(s) && clock_mono_ms() < until) {
        curl_multi_poll(s->multi, NULL, 0, 100, NULL);
        collect(s, clock_now_ms());
    }
    record_done(s, clock_now_ms());
}

/* Keeps the earlier of two times in *at; found says whether *at holds one yet. */
static void earliest(int64_t t, int64_t *at, int *found)
{
    if (!*found || t < *at)
        *at = t;
    *found = 1;
}

int sender_next_wake(struct sender *s, int64_t *at_ms)
{
    int found = 0;
    if (s->paced)
        earliest(s->paced_until_ms, at_ms, &found);
    for (int i = 0; i < s->ntransports; i++) {
        struct transport *t = s->transports[i];
        int64_t at;
        int rc = store_outbox_next_due(s->store, t->channel, &at);
        if (rc < 0)
            return -1;
        /* one due by the last drain was held back by pacing: paced_until_ms covers it */
        if (rc && at > s->drained_at_ms)
            earliest(at, at_ms, &found);
        /* one left 'sending' by a stop is looked at again when its grace ends */
        rc = store_outbox_sending_since(s->store, t->channel, &at);
        if (rc < 0)
            return -1;
        if (rc && at < s->started_ms) { /* a stopped daemon's, not one of this sender's flights */
            int64_t due = at + t->interrupted_grace_ms;
            earliest(due > s->state[i].next_reconcile_ms ? due : s->state[i].next_reconcile_ms,
                     at_ms, &found);
        }
    }
    return found;
}
