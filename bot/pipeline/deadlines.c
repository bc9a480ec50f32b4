#include "bot/pipeline/deadlines.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/handler.h"
#include "bot/domain/calendar.h"
#include "bot/lib/log.h"
#include "bot/lib/prom.h"
#include "bot/pipeline/metric_names.h"
#include "bot/lib/xalloc.h"
#include "bot/domain/stages.h"

#define RECONNECT_MS 1000
#define PIPELINE 1000 /* members per variadic ZADD */

void deadlines_init(struct deadlines *dl, const struct config *cfg)
{
    memset(dl, 0, sizeof *dl);
    dl->cfg = cfg;
    snprintf(dl->key_next, sizeof dl->key_next, "%snext", cfg->redis.prefix);
    snprintf(dl->key_due, sizeof dl->key_due, "%sdue", cfg->redis.prefix);
    snprintf(dl->key_built, sizeof dl->key_built, "%sbuilt", cfg->redis.prefix);
}

static void drop_connection(struct deadlines *dl, const char *why, int64_t now_ms)
{
    if (!dl->outage_logged)
        log_error("deadlines",
                  "redis unavailable (%s): intake goes on, the index will be "
                  "rebuilt when it returns",
                  why);
    dl->outage_logged = 1;
    if (dl->redis)
        redisFree(dl->redis);
    dl->redis = NULL;
    atomic_store(&dl->up, 0);
    dl->pending = 0;
    dl->retry_at_ms = now_ms + RECONNECT_MS;
}

void deadlines_close(struct deadlines *dl)
{
    if (dl->redis)
        redisFree(dl->redis);
    dl->redis = NULL;
    atomic_store(&dl->up, 0);
}

int deadlines_up(const struct deadlines *dl)
{
    return atomic_load(&((struct deadlines *)dl)->up);
}

int deadlines_connect(struct deadlines *dl, int64_t now_ms)
{
    const struct config *cfg = dl->cfg;
    if (dl->redis)
        return 1;
    if (now_ms < dl->retry_at_ms)
        return 0;
    struct timeval timeout = {2, 0};
    redisContext *c = *cfg->redis.socket
                          ? redisConnectUnixWithTimeout(cfg->redis.socket, timeout)
                          : redisConnectWithTimeout(cfg->redis.host, cfg->redis.port, timeout);
    if (!c || c->err) {
        char why[160];
        snprintf(why, sizeof why, "%s", c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        drop_connection(dl, why, now_ms);
        return 0;
    }
    redisSetTimeout(c, timeout);
    dl->redis = c;
    atomic_store(&dl->up, 1);
    if (dl->outage_logged) {
        log_info("deadlines", "redis is back: rebuilding the deadline index");
        prom_add(METRIC_REDIS_RECONNECTS, "", 1);
    }
    dl->outage_logged = 0;
    dl->needs_rebuild = 1; /* whatever changed while it was away */
    return 1;
}

/* Reads the replies of every pipelined command; 0 if all succeeded. */
static int pipeline_drain(struct deadlines *dl)
{
    for (; dl->pending > 0; dl->pending--) {
        redisReply *r = NULL;
        if (redisGetReply(dl->redis, (void **)&r) != REDIS_OK) {
            dl->pending = 0;
            dl->pipeline_failed = 1;
            break;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            log_error("deadlines", "redis: %s", r->str);
            dl->pipeline_failed = 1;
        }
        freeReplyObject(r);
    }
    int rc = dl->pipeline_failed ? -1 : 0;
    dl->pipeline_failed = 0;
    return rc;
}

/* Counts an appended command; reads replies now and then so buffers stay small. */
static void pipeline_appended(struct deadlines *dl)
{
    if (++dl->pending >= 16 && pipeline_drain(dl) < 0)
        dl->pipeline_failed = 1;
}

/* A variadic ZADD or ZREM being filled. */
struct batch {
    const char *cmd;
    const char *key;
    int n;
    const char *argv[2 + 2 * PIPELINE];
    size_t argl[2 + 2 * PIPELINE];
    char text[2 * PIPELINE][24];
};

static void batch_start(struct batch *b, const char *cmd, const char *key)
{
    b->cmd = cmd;
    b->key = key;
    b->n = 0;
}

static void batch_flush(struct deadlines *dl, struct batch *b)
{
    if (!b->n)
        return;
    b->argv[0] = b->cmd;
    b->argl[0] = strlen(b->cmd);
    b->argv[1] = b->key;
    b->argl[1] = strlen(b->key);
    int argc = 2;
    for (int i = 0; i < b->n; i++) {
        int per = strcmp(b->cmd, "ZADD") ? 1 : 2;
        for (int k = 0; k < per; k++) {
            b->argv[argc] = b->text[i * 2 + k];
            b->argl[argc] = strlen(b->text[i * 2 + k]);
            argc++;
        }
    }
    redisAppendCommandArgv(dl->redis, argc, b->argv, b->argl);
    pipeline_appended(dl);
    b->n = 0;
}

static void batch_add(struct deadlines *dl, struct batch *b, int64_t score, int64_t member)
{
    if (!strcmp(b->cmd, "ZADD")) {
        snprintf(b->text[b->n * 2], 24, "%lld", (long long)score);
        snprintf(b->text[b->n * 2 + 1], 24, "%lld", (long long)member);
    } else {
        snprintf(b->text[b->n * 2], 24, "%lld", (long long)member);
    }
    if (++b->n == PIPELINE)
        batch_flush(dl, b);
}

/* The scores of one case: its next stage and its due time; 0 when none. */
static void case_scores(const struct config *cfg, int open, int32_t due_day, const char *fired,
                        int64_t *next, int64_t *due)
{
    struct stage stages[STAGES_MAX];
    *next = *due = 0;
    if (!open)
        return;
    int n = stages_of_due_day(cfg, due_day, stages);
    const struct stage *s = stages_next(stages, n, fired);
    *next = s ? s->fire_at : 0;
    *due = calendar_day_start(&cfg->calendar, due_day + 1);
}

struct fill {
    struct deadlines *dl;
    struct batch *next_add, *due_add, *next_rem, *due_rem;
    long count;
    int64_t last_id; /* the highest case id carried */
};

static int fill_one(void *ctx, int64_t case_id, int open, int32_t due_day, const char *fired)
{
    struct fill *f = ctx;
    int64_t next, due;
    case_scores(f->dl->cfg, open, due_day, fired, &next, &due);
    if (next)
        batch_add(f->dl, f->next_add, next, case_id);
    else if (f->next_rem)
        batch_add(f->dl, f->next_rem, 0, case_id);
    if (due)
        batch_add(f->dl, f->due_add, due, case_id);
    else if (f->due_rem)
        batch_add(f->dl, f->due_rem, 0, case_id);
    f->count++;
    f->last_id = case_id > f->last_id ? case_id : f->last_id;
    return 0;
}

static int batches_finish(struct deadlines *dl, struct batch **bs, int n)
{
    for (int i = 0; i < n; i++)
        batch_flush(dl, bs[i]);
    return pipeline_drain(dl);
}

long deadlines_rebuild(struct deadlines *dl, struct store *store)
{
    if (!dl->redis)
        return -1;
    char tmp_next[128], tmp_due[128];
    snprintf(tmp_next, sizeof tmp_next, "%s:rebuild", dl->key_next);
    snprintf(tmp_due, sizeof tmp_due, "%s:rebuild", dl->key_due);
    struct batch *next_add = xcalloc(1, sizeof *next_add), *due_add = xcalloc(1, sizeof *due_add);
    long result = -1;
    struct fill f = {dl, next_add, due_add, NULL, NULL, 0, 0};
    /*
     * The queue is emptied first, in a moment of its own. A case that changes after that is
     * queued again and synced after the rebuild; one that changes before the read begins is in
     * both, which does no harm. The read is one statement, a snapshot: no lock that the
     * appeals and the sender would wait on while Redis takes every open case.  Should the
     * rebuild fail, needs_rebuild stays and the next one reads everything again.
     */
    if (store_begin(store) < 0)
        goto out;
    if (store_index_clear(store) < 0 || store_commit(store) < 0) {
        store_rollback(store);
        goto out;
    }
    redisAppendCommand(dl->redis, "DEL %s %s", tmp_next, tmp_due);
    pipeline_appended(dl);
    batch_start(next_add, "ZADD", tmp_next);
    batch_start(due_add, "ZADD", tmp_due);
    if (store_index_rows(store, 0, 0, fill_one, &f) < 0) {
        /* the store failed, not Redis: say so, and drop what the pipeline half-sent */
        log_error("deadlines", "rebuild: the open cases could not be read: %s",
                  store_errmsg(store));
        drop_connection(dl, "rebuild abandoned", 0);
        goto out;
    }
    struct batch *bs[] = {next_add, due_add};
    if (batches_finish(dl, bs, 2) < 0) {
        drop_connection(dl, "rebuild failed", 0);
        goto out;
    }
    /* atomically replace the live index; an empty rebuild leaves no key to rename */
    redisReply *r = redisCommand(
        dl->redis, "EVAL %s 5 %s %s %s %s %s",
        "for i = 1, 2 do "
        "  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('RENAME', KEYS[i], KEYS[i + 2]) "
        "  else redis.call('DEL', KEYS[i + 2]) end "
        "end redis.call('SET', KEYS[5], '1') return 1",
        tmp_next, tmp_due, dl->key_next, dl->key_due, dl->key_built);
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject(r);
    if (!ok) {
        drop_connection(dl, "rebuild could not be put in place", 0);
        goto out;
    }
    dl->needs_rebuild = 0;
    result = f.count;
    log_info("deadlines", "index rebuilt from SQLite: %ld open cases", result);
    prom_set(METRIC_LAST_REBUILD, "", (double)time(NULL));
out:
    free(next_add);
    free(due_add);
    return result;
}

static int deadlines_sync(struct deadlines *dl, struct store *store)
{
    if (!dl->redis)
        return -1;
    struct batch *b = xcalloc(4, sizeof *b);
    int result = -1;
    batch_start(&b[0], "ZADD", dl->key_next);
    batch_start(&b[1], "ZADD", dl->key_due);
    batch_start(&b[2], "ZREM", dl->key_next);
    batch_start(&b[3], "ZREM", dl->key_due);
    struct fill f = {dl, &b[0], &b[1], &b[2], &b[3], 0, 0};
    if (store_begin(store) < 0)
        goto out;
    /* a batch at a time, in case id order; only what was carried leaves the queue */
    if (store_index_rows(store, 1, PIPELINE, fill_one, &f) < 0 ||
        (f.count && store_index_dequeue_upto(store, f.last_id) < 0)) {
        store_rollback(store);
        goto out;
    }
    struct batch *bs[] = {&b[0], &b[1], &b[2], &b[3]};
    if (batches_finish(dl, bs, 4) < 0) {
        /* Redis did not take it: keep the queue, rebuild when Redis is back */
        store_rollback(store);
        drop_connection(dl, dl->redis && dl->redis->err ? dl->redis->errstr : "sync failed", 0);
        goto out;
    }
    if (store_commit(store) < 0)
        goto out;
    result = (int)f.count;
out:
    free(b);
    return result;
}

/* Fires the stages of the due cases; returns how many cases, or -1 on a store failure. */
static int fire_due(struct deadlines *dl, struct store *store, int64_t now_ms, int max)
{
    int64_t now = now_ms / 1000;
    redisReply *r = redisCommand(dl->redis, "ZRANGEBYSCORE %s -inf %lld LIMIT 0 %d", dl->key_next,
                                 (long long)now, max);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject(r);
        drop_connection(dl, dl->redis->err ? dl->redis->errstr : "bad reply", now_ms);
        return 0;
    }
    size_t n = r->elements;
    int64_t *ids = xcalloc(n + 1, sizeof *ids), *next = xcalloc(n + 1, sizeof *next);
    int result = -1;
    for (size_t i = 0; i < n; i++)
        ids[i] = strtoll(r->element[i]->str, NULL, 10);
    freeReplyObject(r);
    if (!n) {
        result = 0;
        goto out;
    }
    struct handler_ctx hx = {store, dl->cfg, now, now_ms};
    if (store_begin(store) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        if (store_savepoint(store) < 0 || deadline_fire_case(&hx, ids[i], &next[i]) < 0) {
            log_error("deadlines", "case %lld: stages not fired: %s", (long long)ids[i],
                      store_errmsg(store));
            store_rollback(store);
            goto out;
        }
        store_release(store);
    }
    if (store_commit(store) < 0)
        goto out;
    /* committed: now move each case on to its next stage */
    struct batch *b = xcalloc(2, sizeof *b);
    batch_start(&b[0], "ZADD", dl->key_next);
    batch_start(&b[1], "ZREM", dl->key_next);
    for (size_t i = 0; i < n; i++) {
        if (next[i])
            batch_add(dl, &b[0], next[i], ids[i]);
        else
            batch_add(dl, &b[1], 0, ids[i]);
    }
    struct batch *bs[] = {&b[0], &b[1]};
    if (batches_finish(dl, bs, 2) < 0)
        drop_connection(dl, "could not move stages on", now_ms);
    free(b);
    result = (int)n;
out:
    free(ids);
    free(next);
    return result;
}

/* The digest goes once a day, at its hour; the last day sent is kept in SQLite. */
static int maybe_digest(struct deadlines *dl, struct store *store, int64_t now_ms)
{
    const struct config *cfg = dl->cfg;
    int64_t now = now_ms / 1000, last;
    if (cfg->deadlines.digest_hour < 0)
        return 0;
    int32_t today = calendar_local_day(&cfg->calendar, now);
    if (now < calendar_day_start(&cfg->calendar, today) + cfg->deadlines.digest_hour * 3600 ||
        !calendar_is_working(&cfg->calendar, today))
        return 0;
    if (store_offset_get(store, "digest", &last) < 0)
        return -1;
    if (last >= today)
        return 0;
    struct handler_ctx hx = {store, cfg, now, now_ms};
    if (store_begin(store) < 0)
        return -1;
    if (deadline_digest(&hx) < 0 || store_offset_set(store, "digest", today) < 0 ||
        store_commit(store) < 0) {
        store_rollback(store);
        return -1;
    }
    return 0;
}

/* Answers nobody rated in deadlines.rating_days close themselves. */
static int close_unrated(struct deadlines *dl, struct store *store, int64_t now_ms)
{
    struct handler_ctx hx = {store, dl->cfg, now_ms / 1000, now_ms};
    if (store_begin(store) < 0)
        return -1;
    if (deadline_close_unrated(&hx) < 0 || store_commit(store) < 0) {
        store_rollback(store);
        return -1;
    }
    return 0;
}

/*
 * Redis can lose the index without a disconnect (FLUSHDB, a failover to an
 * empty replica): the marker every rebuild sets is then gone too.
 */
static int index_lost(struct deadlines *dl)
{
    redisReply *r = redisCommand(dl->redis, "EXISTS %s", dl->key_built);
    int lost = r && r->type == REDIS_REPLY_INTEGER && r->integer == 0;
    if (r)
        freeReplyObject(r);
    if (lost)
        log_warn("deadlines", "the index in Redis is gone (flushed, or an empty replica took "
                              "over): rebuilding it from SQLite");
    return lost;
}

int deadlines_tick(struct deadlines *dl, struct store *store, int64_t now_ms, int max, int *fired)
{
    *fired = 0;
    if (maybe_digest(dl, store, now_ms) < 0 || close_unrated(dl, store, now_ms) < 0)
        return -1;
    if (!deadlines_connect(dl, now_ms))
        return 0;
    if (!dl->needs_rebuild && index_lost(dl))
        dl->needs_rebuild = 1;
    if (dl->needs_rebuild && deadlines_rebuild(dl, store) < 0)
        return dl->redis ? -1 : 0;
    int synced;
    do {
        synced = deadlines_sync(dl, store);
    } while (synced == PIPELINE);
    if (synced < 0)
        return dl->redis ? -1 : 0;
    int n = fire_due(dl, store, now_ms, max);
    if (n < 0)
        return -1;
    *fired = n;
    return 0;
}

/* The next stage due in the index (unix seconds): 1 with *at, 0 none (or Redis went away). */
static int next_stage_at(struct deadlines *dl, int64_t *at)
{
    redisReply *r = redisCommand(dl->redis, "ZRANGE %s 0 0 WITHSCORES", dl->key_next);
    int found = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        *at = strtoll(r->element[1]->str, NULL, 10);
        found = 1;
    }
    if (!r)
        drop_connection(dl, dl->redis->errstr, 0);
    else
        freeReplyObject(r);
    return found;
}

/* The next time the digest's hour comes, after now (unix seconds). */
static int64_t next_digest_at(const struct config *cfg, int64_t now)
{
    int32_t day = calendar_local_day(&cfg->calendar, now);
    int64_t at = calendar_day_start(&cfg->calendar, day) + cfg->deadlines.digest_hour * 3600;
    return at > now
               ? at
               : calendar_day_start(&cfg->calendar, day + 1) + cfg->deadlines.digest_hour * 3600;
}

int deadlines_next_wake(struct deadlines *dl, struct store *store, int64_t now_ms, int64_t *at_ms)
{
    const struct config *cfg = dl->cfg;
    int64_t at;
    /* Redis is looked at again (lost index, reconnect) even when nothing else is due */
    *at_ms = dl->redis ? now_ms + INDEX_CHECK_MS : dl->retry_at_ms;
    if (dl->redis && next_stage_at(dl, &at) && at * 1000 < *at_ms)
        *at_ms = at * 1000;
    if (cfg->deadlines.digest_hour >= 0 &&
        (at = next_digest_at(cfg, now_ms / 1000) * 1000) < *at_ms)
        *at_ms = at;
    int rc = store_answered_oldest(store, &at);
    if (rc < 0)
        return -1;
    at = (at + (int64_t)cfg->deadlines.rating_days * 86400) * 1000;
    if (rc && at < *at_ms)
        *at_ms = at;
    return 1;
}
