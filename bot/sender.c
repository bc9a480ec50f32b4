#include "sender.h"

#include <string.h>

#include "log.h"

#define DRAIN_BATCH 64

void sender_init(struct sender *s, struct store *store, const struct config *cfg)
{
    memset(s, 0, sizeof *s);
    s->store = store;
    s->cfg = cfg;
}

int sender_add_transport(struct sender *s, struct transport *t)
{
    if (s->ntransports == SENDER_MAX_TRANSPORTS)
        return -1;
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
        return store_outbox_retry(st, m->id, now_ms, now_ms + res->retry_after_ms, 0, detail);
    case SEND_RETRY:
        if (m->attempts + 1 >= s->cfg->outbox.max_attempts) {
            log_warn("sender", "%s message %lld to %s failed after %d attempts: %s", t->channel,
                     (long long)m->id, m->address, m->attempts + 1, detail);
            return store_outbox_failed(st, m->id, now_ms, detail);
        }
        return store_outbox_retry(st, m->id, now_ms,
                                  now_ms + sender_backoff_ms(s->cfg, m->attempts), 1, detail);
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

static int drain_transport(struct sender *s, struct transport *t, int64_t now_ms)
{
    struct outbox_msg batch[DRAIN_BATCH];
    int attempts = 0, n;
    for (int i = 0; i < DRAIN_BATCH; i++)
        outbox_msg_init(&batch[i]);
    n = store_outbox_due(s->store, t->channel, now_ms, batch, DRAIN_BATCH);
    for (int i = 0; i < n; i++) {
        struct outbox_msg *m = &batch[i];
        if (t->ready_at && t->ready_at(t->ctx, m->address, now_ms) > now_ms)
            continue; /* paced: it stays pending and is offered again */
        struct send_result res = {.status = SEND_FAILED};
        sbuf_init(&res.detail, 0);
        t->send(t->ctx, m, &res);
        attempts++;
        /* the outcome and its delivery row in one commit: one fsync, not two */
        int rc = store_begin(s->store);
        if (rc == 0 && (rc = record(s, t, m, &res, now_ms)) == 0)
            rc = store_commit(s->store);
        if (rc < 0)
            store_rollback(s->store);
        sbuf_release(&res.detail);
        if (rc < 0) {
            attempts = -1;
            break;
        }
    }
    for (int i = 0; i < DRAIN_BATCH; i++)
        outbox_msg_release(&batch[i]);
    return n < 0 ? -1 : attempts;
}

int sender_drain(struct sender *s, int64_t now_ms)
{
    int total = 0;
    for (int i = 0; i < s->ntransports; i++) {
        int n = drain_transport(s, s->transports[i], now_ms);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}
