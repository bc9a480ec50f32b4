#include "gateways/telegram.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "bot/pipeline/dispatch.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"
#include "bot/lib/prom.h"
#include "bot/pipeline/metric_names.h"
#include "bot/lib/xalloc.h"
#include "gateways/telegram_update.h"

#define MAX_PAGE 100
#define WEBHOOK_MAX_BODY (4u * 1024 * 1024)

const struct channel_profile telegram_profile = {
    .name = "telegram",
    .max_chars = 4096, /* one message: sendMessage and editMessageText refuse more */
    .edits = 1,
    .files = 1,
};

static const char *const allowed_updates[] = {"message", "edited_message", "callback_query",
                                              "my_chat_member"};

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static cJSON *allowed_updates_json(void)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < sizeof allowed_updates / sizeof *allowed_updates; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(allowed_updates[i]));
    return a;
}

/* ------------------------------------------------------------------ receiving */

/*
 * What of an update goes to the dispatcher: a parsed one whole; of one that is
 * skipped, its callback answer only (so the pressed button stops spinning).
 */
static int dispatchable(struct tg_update *u, enum tg_parse p)
{
    if (p == TG_PARSE_OK)
        return 1;
    if (!u->callback_id[0])
        return 0;
    u->in.kind = INBOUND_ACK_ONLY;
    return 1;
}

/* Parses a page of updates, dispatches them in one transaction with the next offset. */
static int handle_page(struct telegram *tg, const cJSON *updates)
{
    int n = cJSON_GetArraySize(updates), count = 0;
    struct tg_update *parsed = xcalloc((size_t)n + 1, sizeof *parsed);
    struct inbound *in = xcalloc((size_t)n + 1, sizeof *in);
    int64_t max_id = -1;
    int rc = -1;
    for (int i = 0; i < n; i++) {
        struct tg_update *u = &parsed[i];
        enum tg_parse p = tg_update_parse(cJSON_GetArrayItem(updates, i), u);
        if (u->update_id > max_id)
            max_id = u->update_id;
        if (p != TG_PARSE_OK)
            log_warn("telegram", "update %lld skipped: %s", (long long)u->update_id, u->why);
        if (dispatchable(u, p))
            in[count++] = u->in;
    }
    if (max_id < 0) {
        rc = 0; /* nothing with an id: nothing to confirm */
        goto out;
    }
    struct dispatch_offset off = {"telegram", max_id + 1};
    const struct config *cfg = config_hold(tg->cfg);
    int failed = dispatch_batch(tg->store, cfg, in, (size_t)count, clock_now_ms(), NULL, &off) < 0;
    config_drop(cfg);
    if (failed)
        goto out;
    rc = n;
out:
    free(parsed);
    free(in);
    return rc;
}

int telegram_poll_once(struct telegram *tg)
{
    int64_t offset;
    struct tg_result r;
    int rc = -1;
    if (store_offset_get(tg->store, "telegram", &offset) < 0)
        return -1;
    cJSON *p = cJSON_CreateObject();
    if (offset > 0)
        cJSON_AddNumberToObject(p, "offset", (double)offset);
    cJSON_AddNumberToObject(p, "limit", MAX_PAGE);
    cJSON_AddNumberToObject(p, "timeout", tg->poll_timeout_s);
    cJSON_AddItemToObject(p, "allowed_updates", allowed_updates_json());
    tg_result_init(&r);
    /* the HTTP timeout a little longer than the poll, so a quiet poll is not an error */
    enum tg_status st = tg_call(&tg->api, "getUpdates", p, tg->poll_timeout_s + 10, &r);
    cJSON_Delete(p);
    prom_add(METRIC_POLLS, "", 1);
    if (st == TG_OK)
        prom_set(METRIC_LAST_POLL, "", (double)time(NULL));
    else if (!atomic_load(tg->stop))
        prom_add(METRIC_POLL_ERRORS, "", 1);
    pthread_mutex_lock(&tg->poll_lock);
    if (st == TG_OK)
        tg->poll_why[0] = 0;
    else if (!atomic_load(tg->stop))
        snprintf(tg->poll_why, sizeof tg->poll_why, "getUpdates: %s", r.description.buf);
    pthread_mutex_unlock(&tg->poll_lock);
    if (st == TG_OK && cJSON_IsArray(r.result)) {
        rc = handle_page(tg, r.result);
    } else if (st == TG_ERROR && r.error_code == 409) {
        log_warn("telegram", "a webhook is set while polling: deleting it");
        tg_call(&tg->api, "deleteWebhook", NULL, 10, &r);
    } else if (!atomic_load(tg->stop)) {
        log_warn("telegram", "getUpdates failed: %s", r.description.buf);
    }
    tg_result_release(&r);
    if (rc < 0 && !atomic_load(tg->stop))
        sleep_ms(1000); /* Telegram or the network is down: do not spin */
    return rc;
}

int telegram_receive_problem(struct telegram *tg, char *why, size_t size)
{
    pthread_mutex_lock(&tg->poll_lock);
    int failing = tg->poll_why[0] != 0;
    snprintf(why, size, "%s", tg->poll_why);
    pthread_mutex_unlock(&tg->poll_lock);
    return failing;
}

/* Telegram names itself by the secret token header; nobody else's body is read. */
static int webhook_guard(void *ctx, const struct http_request *req)
{
    struct telegram *tg = ctx;
    const char *secret = http_header(req, "X-Telegram-Bot-Api-Secret-Token");
    if (http_secret_equal(secret, tg->cfg->telegram.webhook_secret))
        return 1;
    log_warn("telegram", "webhook request with a %s secret refused", secret ? "wrong" : "missing");
    return 0;
}

static void webhook(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct telegram *tg = ctx;
    if (strcmp(req->method, "POST") != 0) {
        res->status = 405;
        return;
    }
    cJSON *json = cJSON_ParseWithLength(req->body, req->body_len);
    struct tg_update u;
    enum tg_parse p = tg_update_parse(json, &u);
    if (p != TG_PARSE_OK)
        /* acknowledged: Telegram would redeliver a failing update forever */
        log_warn("telegram", "webhook update %lld skipped: %s", (long long)u.update_id,
                 json ? u.why : "not JSON");
    /* the listener parses, commits and answers: the callback answer goes by the sender */
    const struct config *cfg = config_hold(tg->cfg);
    if (dispatchable(&u, p) &&
        dispatch_batch(tg->store, cfg, &u.in, 1, clock_now_ms(), NULL, NULL) < 0)
        res->status = 500; /* not committed: let Telegram deliver it again */
    config_drop(cfg);
    cJSON_Delete(json);
}

int telegram_webhook_route(struct telegram *tg, struct http *http)
{
    return http_route_guarded(http, "/telegram/webhook", webhook, webhook_guard, tg,
                              WEBHOOK_MAX_BODY);
}

/* ------------------------------------------------------------------ sending */

static int64_t chat_of(const char *address)
{
    return strtoll(address, NULL, 10);
}

static int is_callback(const struct outbox_msg *m)
{
    return !strcmp(m->kind, "callback");
}

static void pace_init(struct tg_pace *p)
{
    /* 10 ms to spare: Telegram measures on its clock, from when a request arrives */
    pacer_init(&p->chats, 30, 1010, 1, 1010);
    /* evenly, 35 ms apart (28.6 a second): with requests in flight, a burst of 30 would reach
       Telegram's clock over an edge by the jitter of their round trips */
    pacer_spread(&p->chats, 35);
    pacer_init(&p->groups, 1, 0, 20, 60100);
}

static void pace_free(struct tg_pace *p)
{
    pacer_free(&p->chats);
    pacer_free(&p->groups);
}

/* A callback answer is no message in a chat: no chat's pace holds it. */
static int64_t pace_ready(struct tg_pace *p, const struct outbox_msg *m, int64_t now)
{
    if (is_callback(m))
        return now;
    int64_t chat = chat_of(m->address), at = pacer_ready_at(&p->chats, chat, now);
    if (chat < 0) {
        int64_t g = pacer_ready_at(&p->groups, chat, now);
        if (g > at)
            at = g;
    }
    return at;
}

static void pace_record(struct tg_pace *p, const struct outbox_msg *m, int64_t at)
{
    if (is_callback(m))
        return;
    int64_t chat = chat_of(m->address);
    pacer_record(&p->chats, chat, at);
    if (chat < 0)
        pacer_record(&p->groups, chat, at);
}

static int64_t ready_at(void *ctx, const struct outbox_msg *m, int64_t now)
{
    return pace_ready(&((struct telegram *)ctx)->planned, m, now);
}

/* The earliest moment any message may go: Telegram's 30 a second, spread. */
static int64_t next_slot(void *ctx, int64_t now)
{
    return pacer_any_at(&((struct telegram *)ctx)->planned.chats, now);
}

/*
 * m leaves at at_ms, as the sender planned: from then it counts against the
 * pace.  A message queued to a group that became a supergroup goes to the
 * supergroup (read here, in the sender's transaction, not at each request).
 */
static void send_plan(void *ctx, struct outbox_msg *m, int64_t at_ms)
{
    struct telegram *tg = ctx;
    pace_record(&tg->planned, m, at_ms);
    char address[STORE_ADDRESS_MAX];
    if (!is_callback(m) &&
        store_chat_current(tg->send_store, "telegram", m->address, address, sizeof address) == 0)
        snprintf(m->address, sizeof m->address, "%s", address);
}

/* A planned request that could not start on time waits for the pace of those that started. */
static int64_t send_start_at(void *ctx, const struct outbox_msg *m, int64_t now)
{
    return pace_ready(&((struct telegram *)ctx)->went, m, now);
}

static cJSON *keyboard(const char *buttons_json)
{
    cJSON *buttons = cJSON_Parse(buttons_json), *rows = cJSON_CreateArray();
    const cJSON *b;
    cJSON_ArrayForEach(b, buttons)
    {
        const char *label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "label"));
        const char *payload = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "payload"));
        if (!label || !payload)
            continue;
        cJSON *row = cJSON_CreateArray(), *button = cJSON_CreateObject();
        cJSON_AddStringToObject(button, "text", label);
        cJSON_AddStringToObject(button, "callback_data", payload);
        cJSON_AddItemToArray(row, button);
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_Delete(buttons);
    cJSON *markup = cJSON_CreateObject();
    cJSON_AddItemToObject(markup, "inline_keyboard", rows);
    return markup;
}

static int is_blocked(const char *description)
{
    return strstr(description, "blocked") || strstr(description, "deactivated") ||
           strstr(description, "kicked") || strstr(description, "not a member");
}

/*
 * What any Bot API answer means for the sender: the network failing, a
 * refused token (401) or a wrong api_url (404) is the channel down, not the
 * message's fault; Telegram's 5xx is retried with backoff; 429 waits exactly
 * retry_after; any other error is final for this message.
 */
static void outcome(enum tg_status st, const struct tg_result *r, struct send_result *res)
{
    res->http_status = st == TG_TRANSPORT ? 0 : (int)r->http_code;
    if (st == TG_OK) {
        res->status = SEND_OK;
    } else if (st == TG_TRANSPORT || r->error_code == 401 || r->error_code == 404) {
        res->status = SEND_DOWN;
    } else if (r->error_code >= 500) {
        res->status = SEND_RETRY;
    } else if (r->error_code == 429) {
        res->status = SEND_RETRY_AFTER;
        res->retry_after_ms = (int64_t)(r->retry_after > 0 ? r->retry_after : 1) * 1000;
    } else {
        res->status = SEND_FAILED;
    }
    if (r->error_code == 401 || r->error_code == 404)
        sbuf_addf(&res->detail,
                  "HTTP %d, check telegram.token and telegram.api_url: ", r->error_code);
    sbuf_add(&res->detail, r->description.buf, r->description.len);
}

/*
 * The request for m: a callback answer stops the pressed button's spinner; a
 * card edit rewrites the card in place (or sends it anew if it never
 * arrived); a file goes by its id; anything else is a message with its
 * buttons.
 */
static cJSON *request_for(struct telegram *tg, const struct outbox_msg *m, struct tg_send *ts,
                          const char **method)
{
    cJSON *p = cJSON_CreateObject();
    *method = "sendMessage";
    if (is_callback(m)) {
        *method = "answerCallbackQuery";
        cJSON_AddStringToObject(p, "callback_query_id", m->address);
        return p;
    }
    /* where it goes now: send_plan read it */
    cJSON_AddNumberToObject(p, "chat_id", (double)chat_of(m->address));
    if (m->edit_of &&
        store_outbox_remote_id(tg->send_store, m->edit_of, ts->card_id, sizeof ts->card_id) == 1) {
        *method = "editMessageText";
        cJSON_AddNumberToObject(p, "message_id", strtod(ts->card_id, NULL));
        cJSON_AddStringToObject(p, "text", m->text.buf);
        /* always a keyboard: without one Telegram keeps the old buttons */
        cJSON_AddItemToObject(p, "reply_markup", keyboard(m->buttons.len ? m->buttons.buf : "[]"));
    } else if (m->edit_of) {
        /* the card never arrived: send the current one instead */
        cJSON_AddStringToObject(p, "text", m->text.buf);
    } else if (m->media[0]) {
        const char *colon = strchr(m->media, ':');
        int photo = !strncmp(m->media, "photo:", 6);
        *method = photo ? "sendPhoto" : "sendDocument";
        cJSON_AddStringToObject(p, photo ? "photo" : "document", colon ? colon + 1 : "");
        if (m->text.len)
            cJSON_AddStringToObject(p, "caption", m->text.buf);
    } else {
        cJSON_AddStringToObject(p, "text", m->text.buf);
        if (m->buttons.len)
            cJSON_AddItemToObject(p, "reply_markup", keyboard(m->buttons.buf));
    }
    return p;
}

/* Starts m's request in a free slot. */
static void *send_start(void *ctx, const struct outbox_msg *m, struct send_result *res)
{
    struct telegram *tg = ctx;
    struct tg_send *ts = NULL;
    const char *method;
    for (int k = 0; k < TELEGRAM_IN_FLIGHT && !ts; k++)
        if (!tg->sends[k].busy)
            ts = &tg->sends[k];
    if (!ts) { /* the sender keeps to in_flight: not reached */
        res->status = SEND_RETRY_AFTER;
        sbuf_addstr(&res->detail, "no request slot free");
        return NULL;
    }
    ts->card_id[0] = 0;
    cJSON *p = request_for(tg, m, ts, &method);
    int rc = tg_request_prepare(&tg->send_api, &ts->rq, method, p,
                                is_callback(m) ? TELEGRAM_CALLBACK_TIMEOUT : TELEGRAM_SEND_TIMEOUT);
    cJSON_Delete(p);
    if (rc < 0) {
        res->status = SEND_RETRY_AFTER;
        sbuf_addstr(&res->detail, "cannot make a request (out of memory)");
        return NULL;
    }
    pace_record(&tg->went, m, clock_now_ms());
    ts->busy = 1;
    return ts->rq.curl;
}

/* What the Bot API answered m, for the sender; the slot is free again. */
static void send_finish(void *ctx, const struct outbox_msg *m, void *easy, int curl_code,
                        struct send_result *res)
{
    struct telegram *tg = ctx;
    struct tg_request *rq = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&rq);
    struct tg_send *ts = (struct tg_send *)rq; /* the request is a slot's first member */
    struct tg_result r;
    tg_result_init(&r);
    enum tg_status st = tg_request_result(rq, curl_code, &r);
    res->http_status = st == TG_TRANSPORT ? 0 : (int)r.http_code;
    if (is_callback(m)) {
        /* an answer too late for Telegram ("query is too old") is final */
        outcome(st, &r, res);
    } else if (st == TG_ERROR && r.error_code == 400 && strstr(r.description.buf, "not modified")) {
        snprintf(res->remote_id, sizeof res->remote_id, "%s", ts->card_id); /* it says this */
        res->status = SEND_OK;
        sbuf_add(&res->detail, r.description.buf, r.description.len);
    } else if (st == TG_ERROR && r.migrate_to) {
        char moved[32];
        snprintf(moved, sizeof moved, "%lld", (long long)r.migrate_to);
        store_chat_migrate(tg->send_store, "telegram", m->address, moved, clock_now_ms() / 1000);
        res->status = SEND_RETRY_AFTER;
        res->retry_after_ms = 0;
        sbuf_add(&res->detail, r.description.buf, r.description.len);
    } else if (st == TG_ERROR && r.error_code == 403 && is_blocked(r.description.buf)) {
        res->status = SEND_UNREACHABLE;
        sbuf_add(&res->detail, r.description.buf, r.description.len);
    } else {
        outcome(st, &r, res);
        if (res->status == SEND_OK) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(r.result, "message_id");
            snprintf(res->remote_id, sizeof res->remote_id, "%.0f",
                     cJSON_IsNumber(id) ? id->valuedouble : 0.0);
        } else if (res->status == SEND_RETRY_AFTER) {
            int64_t until = clock_now_ms() + res->retry_after_ms;
            pacer_hold(&tg->planned.chats, chat_of(m->address), until); /* planned again... */
            pacer_hold(&tg->went.chats, chat_of(m->address), until);    /* ...and started */
        }
    }
    tg_result_release(&r);
    ts->busy = 0;
}

/* ------------------------------------------------------------------ start */

static int publish_commands(struct telegram *tg, struct tg_result *r)
{
    static const char *const names[] = {"start", "help", "status", "cases", "lang", "cancel"};
    for (int l = -1; l < LANG_COUNT; l++) {
        enum lang lang = l < 0 ? tg->cfg->intake.default_lang : (enum lang)l;
        cJSON *p = cJSON_CreateObject(), *cmds = cJSON_CreateArray();
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            char key[32];
            struct sbuf desc = SBUF_INIT;
            snprintf(key, sizeof key, "command_%s", names[i]);
            i18n_render(&tg->cfg->texts, lang, key, NULL, &desc);
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "command", names[i]);
            cJSON_AddStringToObject(c, "description", desc.buf);
            cJSON_AddItemToArray(cmds, c);
            sbuf_release(&desc);
        }
        cJSON_AddItemToObject(p, "commands", cmds);
        if (l >= 0) /* the list without a language is the default for everyone else */
            cJSON_AddStringToObject(p, "language_code", lang_codes[lang]);
        enum tg_status st = tg_call(&tg->api, "setMyCommands", p, 15, r);
        cJSON_Delete(p);
        if (st != TG_OK)
            return -1;
    }
    return 0;
}

static int abort_on_stop(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load((atomic_int *)clientp) ? 1 : 0;
}

int telegram_start(struct telegram *tg, const struct config *cfg, struct store *store,
                   struct store *send_store, atomic_int *stop, struct sbuf *err)
{
    struct tg_result r;
    int rc = -1;
    memset(tg, 0, sizeof *tg);
    tg->cfg = cfg;
    tg->stop = stop;
    tg->store = store;
    tg->send_store = send_store;
    tg->poll_timeout_s = TELEGRAM_POLL_TIMEOUT;
    pthread_mutex_init(&tg->poll_lock, NULL);
    pace_init(&tg->planned);
    pace_init(&tg->went);
    if (tg_api_init(&tg->api, cfg->telegram.api_url, cfg->telegram.token) < 0 ||
        tg_api_init(&tg->send_api, cfg->telegram.api_url, cfg->telegram.token) < 0) {
        sbuf_addstr(err, "cannot set up the Telegram client");
        return -1;
    }
    /* a long poll must end promptly at shutdown */
    curl_easy_setopt(tg->api.call.curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(tg->api.call.curl, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(tg->api.call.curl, CURLOPT_XFERINFODATA, stop);
    /* Telegram cannot say whether a message went: one cut off by a crash goes again at once */
    tg->transport = (struct transport){.channel = "telegram",
                                       .ctx = tg,
                                       .ready_at = ready_at,
                                       .interrupted_grace_ms = 0,
                                       .start = send_start,
                                       .finish = send_finish,
                                       .in_flight = TELEGRAM_IN_FLIGHT,
                                       .next_slot = next_slot,
                                       .plan = send_plan,
                                       .start_at = send_start_at};

    tg_result_init(&r);
    /*
     * Only a refused token is fatal.  An API that cannot be reached yet (the
     * network comes up after us, Telegram has an outage) is tried again with
     * backoff; what is cosmetic (the command menu) is a warning.
     */
    for (int64_t wait = 1000;; wait = wait < 60000 ? wait * 2 : 60000) {
        enum tg_status st = tg_call(&tg->api, "getMe", NULL, 15, &r);
        if (st == TG_OK)
            break;
        if (st == TG_ERROR && (r.error_code == 401 || r.error_code == 404)) {
            sbuf_addf(err, "Telegram refused the bot token (%d %s): check telegram.token",
                      r.error_code, r.description.buf);
            goto out;
        }
        log_warn("telegram", "cannot reach the Telegram Bot API at %s (%s): trying again in %lld s",
                 cfg->telegram.api_url, r.description.buf, (long long)wait / 1000);
        for (int64_t slept = 0; slept < wait && !atomic_load(stop); slept += 100)
            sleep_ms(100);
        if (atomic_load(stop)) {
            sbuf_addstr(err, "stopped before the Telegram Bot API answered");
            goto out;
        }
    }
    const char *username =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r.result, "username"));
    log_info("telegram", "connected as @%s", username ? username : "?");
    if (publish_commands(tg, &r) < 0)
        log_warn("telegram", "setMyCommands failed (%s): the command menu is not published",
                 r.description.buf);
    if (!strcmp(cfg->telegram.mode, "webhook")) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "url", cfg->telegram.webhook_url);
        cJSON_AddStringToObject(p, "secret_token", cfg->telegram.webhook_secret);
        cJSON_AddItemToObject(p, "allowed_updates", allowed_updates_json());
        enum tg_status st = tg_call(&tg->api, "setWebhook", p, 15, &r);
        cJSON_Delete(p);
        if (st != TG_OK)
            log_warn("telegram",
                     "setWebhook failed (%s): updates come only if the webhook was "
                     "set before",
                     r.description.buf);
        else
            log_info("telegram", "webhook mode: %s", cfg->telegram.webhook_url);
    } else {
        /* back to polling: a webhook left from before would make getUpdates fail (409), and
           polling deletes it then */
        if (tg_call(&tg->api, "deleteWebhook", NULL, 15, &r) != TG_OK)
            log_warn("telegram", "deleteWebhook failed: %s", r.description.buf);
        log_info("telegram", "polling mode");
    }
    rc = 0;
out:
    tg_result_release(&r);
    return rc;
}

void telegram_stop(struct telegram *tg)
{
    tg_api_free(&tg->api);
    for (int k = 0; k < TELEGRAM_IN_FLIGHT; k++)
        tg_request_free(&tg->sends[k].rq);
    tg_api_free(&tg->send_api);
    pace_free(&tg->planned);
    pace_free(&tg->went);
    pthread_mutex_destroy(&tg->poll_lock);
}
