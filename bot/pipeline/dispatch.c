#include "bot/pipeline/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handler.h"
#include "handlers/incidents.h"
#include "handlers/reply.h"
#include "bot/lib/log.h"
#include "bot/lib/utf8.h"

#define EXTERNAL_ID_MAX 128

static const struct staff *resolve_staff(const struct config *cfg, const struct inbound *in)
{
    const char *who = in->user ? in->user : in->sender;
    if (!strcmp(in->channel, "console"))
        return !strncmp(who, "staff:", 6) ? config_staff(cfg, who + 6) : NULL;
    if (!strcmp(in->channel, "telegram")) {
        char *end;
        long long id = strtoll(who, &end, 10);
        return *end ? NULL : config_staff_by_telegram(cfg, id);
    }
    return NULL; /* staff work in Telegram; an SMS is always a citizen */
}

const char *dispatch_text_problem(const struct config *cfg, const char *text, size_t len,
                                  const char **reason)
{
    if (!utf8_valid(text, len) || memchr(text, 0, len)) {
        *reason = "invalid UTF-8";
        return "message_unreadable";
    }
    if (len > (size_t)cfg->intake.max_text_chars * 4 ||
        utf8_length(text) > cfg->intake.max_text_chars) {
        *reason = "text too long";
        return "message_too_long";
    }
    return NULL;
}

/* The catalog key of a polite refusal, or NULL when the message can be handled. */
static const char *inbound_problem(const struct config *cfg, const struct inbound *in,
                                   const char **reason)
{
    if (!in->text)
        return NULL;
    const char *key = dispatch_text_problem(cfg, in->text, in->text_len, reason);
    if (key)
        return key;
    if (utf8_has_controls(in->text, in->text_len))
        log_info("dispatch", "%s message %s has control characters; kept as sent", in->channel,
                 in->external_id);
    return NULL;
}

static int refuse(struct store *store, const struct config *cfg, const struct inbound *in,
                  const char *key, const char *reason, int64_t now_ms)
{
    struct handler_ctx hx = {store, cfg, now_ms / 1000, now_ms};
    struct citizen c;
    log_warn("dispatch", "%s message %s from %s refused: %s", in->channel, in->external_id,
             in->sender, reason);
    if (store_rejected_add(store, in->channel, in->external_id, in->sender, reason, in->text,
                           in->text ? in->text_len : 0, hx.now) < 0)
        return -1;
    const struct staff *st = resolve_staff(cfg, in);
    enum lang lang = st ? st->lang : cfg->intake.default_lang;
    if (!st) {
        if (store_citizen_get_or_create(store, in->channel, in->sender, lang, hx.now, &c) < 0)
            return -1;
        lang = c.lang;
    }
    struct reply r;
    char max[16];
    snprintf(max, sizeof max, "%zu", cfg->intake.max_text_chars);
    struct i18n_var vars[] = {{"max", max, "chars_upto_n"}, {NULL, NULL}};
    reply_begin(&r, &hx, in->channel, in->sender, lang, 0);
    reply_text(&r, key, vars);
    return reply_queue(&r);
}

#define RECEIPT_MAX_AGE 86400 /* Telegram keeps undelivered updates for a day */

/*
 * The legal receipt time of a message: the channel server's stamp when it is
 * believable (not ahead of our clock, at most a day old), otherwise our clock.
 * A phone's or an SMSC's clock never decides a deadline.
 */
static int64_t receipt_time(const struct inbound *in, int64_t now)
{
    if (in->received_at > 0 && in->received_at <= now && now - in->received_at <= RECEIPT_MAX_AGE)
        return in->received_at;
    return now;
}

static int handle_one(struct store *store, const struct config *cfg, struct incident_ids *stale,
                      const struct inbound *given, int64_t now_ms)
{
    struct inbound local = *given, *in = &local;
    local.received_at = receipt_time(given, now_ms / 1000);
    struct handler_ctx hx = {store, cfg, now_ms / 1000, now_ms, stale};
    char migrated[32];
    switch (in->kind) {
    case INBOUND_BLOCKED:
    case INBOUND_UNBLOCKED:
        log_info("dispatch", "%s chat %s %s the bot", in->channel, in->sender,
                 in->kind == INBOUND_BLOCKED ? "blocked" : "unblocked");
        return store_citizen_set_reachable(store, in->channel, in->sender,
                                           in->kind == INBOUND_UNBLOCKED);
    case INBOUND_ACK_ONLY:
        return 0;
    case INBOUND_MIGRATED:
        snprintf(migrated, sizeof migrated, "%lld", (long long)in->migrate_to);
        log_info("dispatch", "%s chat %s is now %s", in->channel, in->sender, migrated);
        return store_chat_migrate(store, in->channel, in->sender, migrated, hx.now);
    default:
        break;
    }
    const struct staff *st = resolve_staff(cfg, in);
    if (st)
        return staff_handle(&hx, st, in);
    if (in->in_group) {
        /* a staff chat: only staff are listened to there */
        log_debug("dispatch", "%s group %s: message from a non-staff member ignored", in->channel,
                  in->sender);
        return 0;
    }
    struct citizen c;
    if (store_citizen_get_or_create(store, in->channel, in->sender, cfg->intake.default_lang,
                                    hx.now, &c) < 0)
        return -1;
    return citizen_handle(&hx, &c, in);
}

/* Runs one message inside its savepoint.  -1 only when the store itself failed. */
static int dispatch_one(struct store *store, const struct config *cfg, struct incident_ids *stale,
                        const struct inbound *in, int64_t now_ms, enum dispatch_result *result)
{
    const char *reason = NULL, *key;
    *result = DISPATCH_REJECTED;
    if (!in->channel || !in->external_id || !*in->external_id ||
        strlen(in->external_id) > EXTERNAL_ID_MAX || !in->sender || !*in->sender ||
        strlen(in->sender) >= STORE_ADDRESS_MAX) {
        log_error("dispatch", "inbound without a usable channel, id or sender: dropped");
        return 0;
    }
    if (store_savepoint(store) < 0)
        return -1;
    int claimed = store_inbound_claim(store, in->channel, in->external_id, now_ms / 1000);
    if (claimed < 0)
        goto fail;
    if (claimed == 0) {
        *result = DISPATCH_DUPLICATE;
        log_debug("dispatch", "%s message %s seen before: dropped", in->channel, in->external_id);
        return store_release(store);
    }
    if ((key = inbound_problem(cfg, in, &reason)) != NULL) {
        if (refuse(store, cfg, in, key, reason, now_ms) < 0)
            goto fail;
        return store_release(store);
    }
    if (handle_one(store, cfg, stale, in, now_ms) == 0) {
        *result = DISPATCH_DONE;
        return store_release(store);
    }
    /* The handler failed: undo its half-done work, keep the message for an operator. */
    log_error("dispatch", "%s message %s from %s failed in its handler: %s", in->channel,
              in->external_id, in->sender, store_errmsg(store));
    store_rollback_to(store);
    if (store_savepoint(store) < 0)
        return -1;
    if (store_inbound_claim(store, in->channel, in->external_id, now_ms / 1000) < 0 ||
        refuse(store, cfg, in, "internal_error", "handler failed", now_ms) < 0)
        goto fail;
    return store_release(store);
fail:
    store_rollback_to(store);
    return -1;
}

/* The channel's acknowledgement, through the sender like every outbound call. */
static int queue_ack(struct store *store, const struct inbound *in, int64_t now_ms)
{
    struct outbox_msg m;
    if (strlen(in->ack_id) >= sizeof m.address || !in->channel)
        return 0;
    outbox_msg_init(&m);
    snprintf(m.channel, sizeof m.channel, "%s", in->channel);
    snprintf(m.address, sizeof m.address, "%s", in->ack_id);
    snprintf(m.kind, sizeof m.kind, "callback");
    int rc = store_outbox_add(store, &m, now_ms);
    outbox_msg_release(&m);
    return rc;
}

int dispatch_batch(struct store *store, const struct config *cfg, const struct inbound *in,
                   size_t n, int64_t now_ms, enum dispatch_result *results,
                   const struct dispatch_offset *offset)
{
    enum dispatch_result scratch;
    struct incident_ids stale = {0};
    struct handler_ctx hx = {store, cfg, now_ms / 1000, now_ms, &stale};
    if (store_begin(store) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        enum dispatch_result *r = results ? &results[i] : &scratch;
        if (dispatch_one(store, cfg, &stale, &in[i], now_ms, r) < 0)
            goto fail;
        /* answered once: a duplicate was acknowledged when it was first committed */
        if (in[i].ack_id && *in[i].ack_id && *r != DISPATCH_DUPLICATE &&
            queue_ack(store, &in[i], now_ms) < 0)
            goto fail;
    }
    if (incidents_cards_flush(&hx) < 0 ||
        (offset && store_offset_set(store, offset->channel, offset->value) < 0))
        goto fail;
    if (store_commit(store) < 0)
        goto fail;
    incident_ids_release(&stale);
    return 0;
fail:
    incident_ids_release(&stale);
    if (store_write_fault(NULL, 0)) /* said once by the store */
        log_debug("dispatch", "batch of %zu not committed: %s", n, store_errmsg(store));
    else
        log_error("dispatch", "batch of %zu not committed: %s", n, store_errmsg(store));
    store_rollback(store);
    return -1;
}
