#include "bot/pipeline/sender.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
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
    s->rung = 1; /* the first drain looks */
    pthread_mutex_init(&s->lock, NULL);
}

/* The requests still running or planned are dropped unrecorded: 'sending', the next daemon sends
 * them. */
void sender_free(struct sender *s)
{
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
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
    for (int k = 0; k < SENDER_FLIGHTS; k++)
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
    for (int k = 0; k < SENDER_FLIGHTS; k++)
        n += !s->flights[k].used;
    return n;
}

static int planned(struct sender *s, int i)
{
    int n = 0;
    for (int k = 0; k < SENDER_FLIGHTS; k++)
        n += s->flights[k].used && s->flights[k].planned && s->flights[k].transport == i;
    return n;
}

/* Transport i's messages between their claim and their record: with `solo`, a suspect's only. */
static int claimed(struct sender *s, int i, int solo)
{
    int n = 0;
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        const struct flight *f = &s->flights[k];
        n += f->used && !f->recorded && f->transport == i && (!solo || f->msg.suspect);
    }
    return n;
}

static void land(struct flight *f)
{
    outbox_msg_release(&f->msg);
    sbuf_release(&f->res.detail);
    f->used = 0;
}

/* The store is to be looked at (for the planned transports) by at_ms. */
static void look_at(struct sender *s, int64_t at_ms)
{
    if (!s->look_set || at_ms < s->look_at_ms)
        s->look_at_ms = at_ms;
    s->look_set = 1;
}

/* The outcome is known: counted, told to the channel's state, then recorded (or held). */
static void ended(struct sender *s, struct flight *f, int64_t now_ms)
{
    count_send(s->transports[f->transport]->channel, &f->res);
    note_channel(s, f->transport, &f->res, now_ms);
    f->done = 1;
    /* recorded at the next look: soon, at once when the channel fails or it was a suspect */
    if (s->transports[f->transport]->start)
        look_at(s, s->state[f->transport].failing || f->msg.suspect
                       ? now_ms
                       : now_ms + SENDER_RECORD_WITHIN_MS);
}

/*
 * Records one outcome, or takes a planned message's claim back; outside the
 * drain's transaction it lands at once.  -1 when the store refuses (it stays
 * held).
 */
static int record_flight(struct sender *s, struct flight *f, int64_t now_ms)
{
    if (!f->recorded) {
        int rc = f->unclaim ? store_outbox_unclaim(s->store, f->msg.id)
                            : record_outcome(s, f->transport, &f->msg, &f->res, now_ms);
        if (rc < 0)
            return -1;
    }
    f->recorded = 1;
    if (!s->in_txn)
        land(f); /* else when the drain's transaction commits */
    return 0;
}

/* Records every outcome that is known, of the planned transports or the others. */
static int record_done(struct sender *s, int planning, int64_t now_ms)
{
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        struct flight *f = &s->flights[k];
        if (f->used && f->done && !s->transports[f->transport]->start == !planning &&
            record_flight(s, f, now_ms) < 0)
            return -1;
    }
    return 0;
}

/* The requests that ended since the last look: their outcomes, not yet recorded. */
static int collect(struct sender *s, int64_t now_ms)
{
    int running, left, n = 0;
    CURLMsg *msg;
    curl_multi_perform(s->multi, &running);
    while ((msg = curl_multi_info_read(s->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        for (int k = 0; k < SENDER_FLIGHTS; k++) {
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

struct leaving {
    int64_t at;
    int k;
};

static int by_leaving(const void *a, const void *b)
{
    const struct leaving *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at ? 1 : x->k - y->k;
}

/*
 * The planned requests whose moment came start, earliest first (no store
 * involved); one the pace of those that started holds (it is late) waits for
 * it.  Those of a channel that fails meanwhile go back to pending at the next
 * look, which sends them one at a time.
 */
static int start_planned(struct sender *s, int64_t now_ms)
{
    struct leaving due[SENDER_FLIGHTS];
    int n = 0, started = 0;
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        struct flight *f = &s->flights[k];
        if (f->used && f->planned && !f->fresh && f->start_at_ms <= now_ms)
            due[n++] = (struct leaving){f->start_at_ms, k};
    }
    qsort(due, (size_t)n, sizeof *due, by_leaving);
    for (int j = 0; j < n; j++) {
        struct flight *f = &s->flights[due[j].k];
        int i = f->transport;
        struct transport *t = s->transports[i];
        /* to a channel that fails, one request at a time (a down one's at its probe time) */
        if (s->state[i].failing &&
            (s->flying[i] > 0 || (s->state[i].down && now_ms < s->state[i].probe_at_ms))) {
            f->planned = 0;
            f->unclaim = f->done = 1;
            look_at(s, now_ms);
            continue;
        }
        if (s->flying[i] >= t->in_flight)
            continue; /* the request that ends makes room */
        int64_t go = t->start_at ? t->start_at(t->ctx, &f->msg, now_ms) : now_ms;
        if (go > now_ms) {
            f->start_at_ms = go;
            continue;
        }
        f->planned = 0;
        f->res.status = SEND_FAILED;
        f->easy = t->start(t->ctx, &f->msg, &f->res);
        if (f->easy && curl_multi_add_handle(s->multi, f->easy) != CURLM_OK) {
            t->finish(t->ctx, &f->msg, f->easy, CURLE_OUT_OF_MEMORY, &f->res);
            f->easy = NULL;
        }
        if (f->easy)
            s->flying[i]++;
        else
            ended(s, f, now_ms);
        started++;
    }
    return started;
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

/*
 * Nothing of transport i may go before at_ms: a transport that plans looks
 * again when half its plan is spent (at_ms is beyond it), the others then.
 */
static void held_until(struct sender *s, int i, int64_t at_ms)
{
    if (s->transports[i]->start)
        look_at(s, at_ms - SENDER_AHEAD_MS / 2);
    else
        note_paced(s, at_ms);
}

/*
 * Claims m: a planned transport's request starts at at_ms, another's goes now,
 * in line.  1, 0 when it was no longer pending, -1 when the store failed.
 */
static int launch(struct sender *s, int i, struct outbox_msg *m, int64_t at_ms, int64_t now_ms)
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
    if (t->start) {
        if (t->plan)
            t->plan(t->ctx, &f->msg, at_ms);
        f->planned = 1;
        f->start_at_ms = at_ms;
        f->fresh = s->in_txn; /* its claim is not committed yet */
        return 1;
    }
    f->res.status = SEND_FAILED;
    t->send(t->ctx, &f->msg, &f->res);
    ended(s, f, now_ms);
    return record_flight(s, f, now_ms) < 0 ? -1 : 1;
}

/* When m may leave: its channel's pace, and its own retry time. */
static int64_t leaves_at(struct transport *t, const struct outbox_msg *m, int64_t now_ms)
{
    int64_t at = t->ready_at ? t->ready_at(t->ctx, m, now_ms) : now_ms;
    return m->next_attempt_ms > at ? m->next_attempt_ms : at;
}

/* Nothing of transport i may go before at_ms (a probe's time): looked at again then. */
static void wait_until(struct sender *s, int i, int64_t at_ms)
{
    if (s->transports[i]->start)
        look_at(s, at_ms);
    else
        note_paced(s, at_ms);
}

static int drain_transport(struct sender *s, int i, int64_t now_ms)
{
    struct transport *t = s->transports[i];
    struct outbox_msg batch[DRAIN_BATCH];
    struct leaving order[DRAIN_BATCH];
    int attempts = 0, n, k, held = 0; /* held: one was paced or waits for a request to end */
    int64_t horizon = now_ms + (t->start ? SENDER_AHEAD_MS : 0);
    int busy = s->flying[i] + planned(s, i);
    if (s->state[i].down && (now_ms < s->state[i].probe_at_ms || busy)) {
        if (!busy)
            wait_until(s, i, s->state[i].probe_at_ms); /* what is due waits for the probe */
        return 0;
    }
    if (free_flights(s) == 0 || (t->start && claimed(s, i, 1)))
        return 0; /* the request that ends wakes the sender; a suspect goes alone */
    int64_t slot = t->next_slot ? t->next_slot(t->ctx, now_ms) : now_ms;
    if (slot > horizon) {
        held_until(s, i, slot); /* nothing may go before: no need to look */
        return 0;
    }
    /* as many as may go, and some to spare for those paced or stopped meanwhile */
    int want = t->start ? free_flights(s) + DRAIN_SPARE : DRAIN_BATCH;
    if (want > DRAIN_BATCH)
        want = DRAIN_BATCH;
    for (k = 0; k < DRAIN_BATCH; k++)
        outbox_msg_init(&batch[k]);
    n = store_outbox_due(s->store, t->channel, horizon, batch, want);
    for (k = 0; k < n; k++)
        order[k] = (struct leaving){leaves_at(t, &batch[k], now_ms), k};
    if (t->start && n > 1) /* planned in the order they may leave: none waits on a later one */
        qsort(order, (size_t)n, sizeof *order, by_leaving);
    for (k = 0; k < n; k++) {
        struct outbox_msg *m = &batch[order[k].k];
        int64_t at = leaves_at(t, m, now_ms); /* again: those planned before take their slots */
        if (at > horizon) {
            held_until(s, i, at);
            held = 1;
            if (t->start)
                break; /* the rest leave later still */
            continue;  /* paced: it stays pending and is offered again */
        }
        if (free_flights(s) == 0 || (t->start && m->suspect && claimed(s, i, 0))) {
            held = 1;
            break; /* the rest wait for a request to end; a suspect for all to end */
        }
        int suspect = m->suspect; /* m is the flight's after its launch */
        int rc = launch(s, i, m, at > now_ms ? at : now_ms, now_ms);
        if (rc < 0) {
            attempts = -1;
            break;
        }
        attempts += rc;
        if (rc && t->next_slot && (slot = t->next_slot(t->ctx, now_ms)) > horizon) {
            held_until(s, i, slot); /* the limits in all hold the rest */
            held = 1;
            break;
        }
        if (rc && t->start && suspect) {
            held = 1; /* its claim is the only one: were it to stop the daemon, it is the one */
            break;
        }
        if (rc && (s->state[i].down || s->state[i].failing)) {
            held = 1;
            /* one request at a time to a channel that fails, the rest after the next probe */
            if (s->state[i].down && !t->start) /* a planned probe's outcome brings a look */
                note_paced(s, s->state[i].probe_at_ms);
            break;
        }
    }
    for (int j = 0; j < DRAIN_BATCH; j++)
        outbox_msg_release(&batch[j]);
    if (n == want && !held && attempts >= 0) {
        if (t->start)
            look_at(s, now_ms); /* all went: more may be due than one batch held */
        else
            note_paced(s, now_ms);
    }
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
 * the requests planned in it may start; rolled back, the outcomes stay held and
 * the plans are dropped (their messages are still pending).
 */
static int end_txn(struct sender *s, int ok)
{
    s->in_txn = 0;
    if (ok && store_commit(s->store) == 0) {
        for (int k = 0; k < SENDER_FLIGHTS; k++) {
            struct flight *f = &s->flights[k];
            f->fresh = 0;
            if (f->used && f->recorded)
                land(f);
        }
        return 0;
    }
    store_rollback(s->store);
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        struct flight *f = &s->flights[k];
        if (!f->used)
            continue;
        f->recorded = 0;
        if (f->fresh)
            land(f);
    }
    return -1;
}

/*
 * One look at the store for the planned transports, in one transaction: the
 * outcomes that came in and the claims of what leaves in the next
 * SENDER_AHEAD_MS.  Returns the claims, or -1 if the store failed.
 */
static int look(struct sender *s, int64_t now_ms)
{
    int total = 0, rc = 0;
    s->rung = s->look_set = s->wake_read = 0;
    s->looked_ms = now_ms;
    for (int i = 0; i < s->ntransports; i++) /* each in a transaction of its own */
        if (s->transports[i]->start && reconcile(s, i, now_ms) < 0)
            return -1;
    if (store_begin(s->store) < 0)
        return -1;
    s->in_txn = 1;
    rc = record_done(s, 1, now_ms);
    for (int i = 0; i < s->ntransports && rc == 0; i++) {
        int n = s->transports[i]->start ? drain_transport(s, i, now_ms) : 0;
        rc = n < 0 ? -1 : 0;
        total += n > 0 ? n : 0;
    }
    if (end_txn(s, rc == 0) < 0) {
        look_at(s, now_ms); /* again when the store takes writes */
        return -1;
    }
    return total;
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
    if (s->multi) {
        total += collect(s, now_ms);
        total += start_planned(s, now_ms);
        if (s->rung || atomic_load(&s->paused) || (s->look_set && now_ms >= s->look_at_ms)) {
            int n = look(s, now_ms);
            if (n < 0)
                return store_failed(s);
            total += n + start_planned(s, now_ms);
        }
        if (total) {
            int left;
            curl_multi_perform(s->multi, &left); /* what starts goes now */
        }
    }
    /* what went in line but could not be recorded first, then a stopped daemon's leftovers */
    if (record_done(s, 0, now_ms) < 0)
        return store_failed(s);
    for (int i = 0; i < s->ntransports; i++) {
        if (s->transports[i]->start)
            continue; /* drained in the look above */
        int n = reconcile(s, i, now_ms) < 0 ? -1 : drain_transport(s, i, now_ms);
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
        if (bell_wait(bell, timeout_ms))
            s->rung = 1;
        return;
    }
    struct curl_waitfd rung = {.fd = bell->fd, .events = CURL_WAIT_POLLIN};
    int ms = timeout_ms < 0 || timeout_ms > 60000 ? 60000 : (int)timeout_ms;
    curl_multi_poll(s->multi, &rung, 1, ms, NULL);
    if (rung.revents && bell_wait(bell, 0)) /* the rings are taken */
        s->rung = 1;
}

/* What is on the wire is heard out; what was planned goes back to pending; all recorded. */
void sender_settle(struct sender *s, int64_t wait_ms)
{
    int64_t until = clock_mono_ms() + wait_ms;
    while (running(s) && clock_mono_ms() < until) {
        curl_multi_poll(s->multi, NULL, 0, 100, NULL);
        collect(s, clock_now_ms());
    }
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        struct flight *f = &s->flights[k];
        if (f->used && f->planned) {
            f->planned = 0;
            f->unclaim = f->done = 1;
        }
    }
    if (s->multi && store_begin(s->store) == 0) {
        s->in_txn = 1;
        end_txn(s, record_done(s, 1, clock_now_ms()) == 0);
    }
    record_done(s, 0, clock_now_ms());
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
    for (int i = 0; i < s->ntransports; i++) {
        struct transport *t = s->transports[i];
        int64_t at;
        /* a planned transport's store is read once after each look: only a commit changes it */
        if (t->start && s->wake_read)
            continue;
        int rc = store_outbox_next_due(s->store, t->channel, &at);
        if (rc < 0)
            return -1;
        /* one due by the last look was held back by pacing: the wake it noted covers it */
        if (t->start && rc && at > s->looked_ms + SENDER_AHEAD_MS)
            look_at(s, at - SENDER_AHEAD_MS);
        else if (!t->start && rc && at > s->drained_at_ms)
            earliest(at, at_ms, &found);
        /* one left 'sending' by a stop is looked at again when its grace ends */
        rc = store_outbox_sending_since(s->store, t->channel, &at);
        if (rc < 0)
            return -1;
        if (rc && at < s->started_ms) { /* a stopped daemon's, not one of this sender's flights */
            int64_t due = at + t->interrupted_grace_ms;
            if (due < s->state[i].next_reconcile_ms)
                due = s->state[i].next_reconcile_ms;
            if (t->start)
                look_at(s, due);
            else
                earliest(due, at_ms, &found);
        }
    }
    s->wake_read = 1;
    if (s->paced)
        earliest(s->paced_until_ms, at_ms, &found);
    if (s->look_set)
        earliest(s->look_at_ms, at_ms, &found);
    for (int k = 0; k < SENDER_FLIGHTS; k++) {
        struct flight *f = &s->flights[k];
        /* one held by the requests in flight starts when one ends: their news wakes the sender */
        if (f->used && f->planned &&
            s->flying[f->transport] < s->transports[f->transport]->in_flight)
            earliest(f->start_at_ms, at_ms, &found);
    }
    return found;
}
