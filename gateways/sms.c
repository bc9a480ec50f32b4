#include "gateways/sms.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "bot/pipeline/dispatch.h"
#include "bot/lib/prom.h"
#include "bot/pipeline/metric_names.h"
#include "bot/lib/clock.h"
#include "bot/lib/log.h"
#include "bot/lib/phone.h"
#include "bot/lib/render.h"
#include "bot/lib/sms_text.h"
#include "bot/lib/utf8.h"

/* A message cut off by a crash waits this long for a report that it went before going again. */
#define SMS_REPORT_GRACE_MS 60000

static int sms_budget_parts(const struct config *cfg)
{
    return cfg->sms.max_parts;
}

static int sms_parts_of(const char *text, size_t len)
{
    return sms_cost(text, len).segments;
}

/* No buttons on a phone: the menu follows the text, several to a line, answered with a digit. */
static void sms_show(const char *text, size_t len, const char *buttons, struct sbuf *out)
{
    sbuf_add(out, text, len);
    render_inline(buttons, out);
}

const struct channel_profile sms_profile = {
    .name = "sms",
    .text_variant = "_sms",
    .parts_budget = sms_budget_parts,
    .parts_of = sms_parts_of,
    .fit = sms_fit,
    .short_labels = 1,
    .show = sms_show,
};

/* Requests without the shared secret change nothing. */
/* Kannel proves itself with the inbound secret in the URL (or a header), before any body. */
static int authorized(void *ctx, const struct http_request *req)
{
    const struct sms_channel *ch = ctx;
    struct sbuf given = SBUF_INIT;
    int have = http_arg(req, "secret", &given) == 1;
    const char *header = http_header(req, "X-Tyndau-Secret");
    int ok = http_secret_equal(have ? given.buf : header, ch->cfg->sms.inbound_secret);
    sbuf_release(&given);
    if (!ok)
        log_warn("sms", "%s without the right secret refused", req->path);
    return ok;
}

static void bad_request(struct http_response *res, const char *why)
{
    res->status = 400;
    sbuf_addf(&res->body, "%s\n", why);
}

static void inbound(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct sms_channel *ch = ctx;
    struct sms_inbound in = {SBUF_INIT, SBUF_INIT, SBUF_INIT, 0};
    struct sbuf why = SBUF_INIT;
    char phone[13];
    if (ch->provider->parse_inbound(req, &in, &why) < 0) {
        log_warn("sms", "inbound refused: %s", why.buf);
        bad_request(res, why.buf);
        goto out;
    }
    if (phone_normalize(in.from.buf, phone) < 0) {
        log_warn("sms", "inbound from a sender that is not a phone number: %.40s", in.from.buf);
        bad_request(res, "the sender is not a Kazakhstan phone number");
        goto out;
    }
    /* a flood from one number is kept, not handled: nothing is lost, nobody is spammed back */
    int64_t key = strtoll(phone + 1, NULL, 10), mono = clock_mono_ms();
    if (pacer_ready_at(&ch->flood, key, mono) > mono) {
        log_warn("sms", "%s: over %d messages an hour, kept unhandled", phone,
                 ch->cfg->sms.flood_per_hour);
        if (store_rejected_add(ch->store, "sms", in.id.buf, phone, "flood limit", in.text.buf,
                               in.text.len, clock_now_ms() / 1000) < 0)
            res->status = 503;
        goto out;
    }
    pacer_record(&ch->flood, key, mono);
    struct inbound msg = {.channel = "sms",
                          .external_id = in.id.buf,
                          .sender = phone,
                          .text = in.text.buf,
                          .text_len = in.text.len,
                          .sent_at = in.time};
    const struct config *cfg = config_hold(ch->cfg);
    if (dispatch_batch(ch->store, cfg, &msg, 1, clock_now_ms(), NULL, NULL) < 0)
        res->status = 503; /* not committed: the gateway will try again */
    config_drop(cfg);
out:
    /* the body stays empty: Kannel must never send it back as an SMS */
    sbuf_release(&in.from);
    sbuf_release(&in.text);
    sbuf_release(&in.id);
    sbuf_release(&why);
}

static void delivery_report(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct sms_channel *ch = ctx;
    struct sbuf why = SBUF_INIT, detail = SBUF_INIT;
    int64_t id;
    enum sms_dlr state;
    if (ch->provider->parse_dlr(req, &id, &state, &detail, &why) < 0) {
        bad_request(res, why.buf);
        goto out;
    }
    int64_t now = clock_now_ms();
    const char *result = state == SMS_DLR_DELIVERED ? "delivered"
                         : state == SMS_DLR_FAILED  ? "dlr_failed"
                                                    : "dlr_pending";
    int rc = store_outbox_report(ch->store, "sms", id, now, result, detail.buf,
                                 state == SMS_DLR_FAILED ? ch->cfg->sms.dlr_retries : -1,
                                 now + 1000 * 5);
    if (rc < 0)
        res->status = 503;
    else if (rc == 0)
        log_info("sms", "delivery report about unknown message %lld", (long long)id);
    if (rc >= 0)
        prom_add(METRIC_DLR,
                 state == SMS_DLR_DELIVERED ? "state=\"delivered\""
                 : state == SMS_DLR_FAILED  ? "state=\"failed\""
                                            : "state=\"pending\"",
                 1);
out:
    sbuf_release(&why);
    sbuf_release(&detail);
}

int sms_routes(struct sms_channel *ch, struct http *http)
{
    if (http_route_guarded(http, "/sms/inbound", inbound, authorized, ch, 64 * 1024) < 0 ||
        http_route_guarded(http, "/sms/dlr", delivery_report, authorized, ch, 16 * 1024) < 0)
        return -1;
    return 0;
}

static int64_t ready_at(void *ctx, const struct outbox_msg *m, int64_t now)
{
    struct sms_channel *ch = ctx;
    (void)m;
    int64_t mono = clock_mono_ms();
    return now + (pacer_ready_at(&ch->rate, 0, mono) - mono);
}

static void send_sms(void *ctx, const struct outbox_msg *m, struct send_result *res)
{
    struct sms_channel *ch = ctx;
    if (m->media[0] && !m->text.len) {
        res->status = SEND_FAILED; /* a photo cannot go by SMS */
        sbuf_addstr(&res->detail, "media without text: not sent by SMS");
        return;
    }
    struct outbox_msg flat = *m;
    sbuf_init(&flat.text, m->text.len + 64);
    channel_show(&sms_profile, m->text.buf, m->text.len, m->buttons.buf, &flat.text);
    ch->provider->send(ch->cfg, ch->curl, &flat, res);
    sbuf_release(&flat.text);
    if (res->status == SEND_OK)
        pacer_record(&ch->rate, 0, clock_mono_ms());
}

int sms_start(struct sms_channel *ch, const struct config *cfg, struct store *store,
              struct store *send_store, struct sbuf *err)
{
    memset(ch, 0, sizeof *ch);
    ch->cfg = cfg;
    ch->store = store;
    ch->send_store = send_store;
    if (!strcmp(cfg->sms.provider, "kannel")) {
        ch->provider = &sms_kannel;
    } else {
        sbuf_addf(err, "no SMS provider `%s`", cfg->sms.provider);
        return -1;
    }
    ch->curl = curl_easy_init();
    pacer_init(&ch->rate, cfg->sms.rate, 1000, 1, 0);
    pacer_init(&ch->flood, 1, 0, cfg->sms.flood_per_hour, 3600 * 1000);
    if (!ch->curl) {
        sbuf_addstr(err, "cannot set up the SMS channel");
        return -1;
    }
    /* the SMSC's acknowledgement (dlr-mask 8) comes within seconds of Kannel taking a message */
    ch->transport = (struct transport){"sms", ch, send_sms, ready_at, SMS_REPORT_GRACE_MS};
    if (!*cfg->sms.inbound_secret)
        log_warn("sms", "sms.inbound_secret is empty: anyone who reaches /sms/inbound can post");
    log_info("sms", "provider %s at %s", ch->provider->name, cfg->sms.sendsms_url);
    return 0;
}

void sms_stop(struct sms_channel *ch)
{
    if (ch->curl)
        curl_easy_cleanup(ch->curl);
    pacer_free(&ch->rate);
    pacer_free(&ch->flood);
    memset(ch, 0, sizeof *ch);
}

/*
 * Sample values as long as real ones get, so the budget holds in the field; an
 * officer's words (a reason) get three short ones, the room a text leaves them.
 */
static const struct i18n_var sample[] = {{"number", "1000008"},
                                         {"due", "23.11.2026"},
                                         {"status", "орындаушыға берілді"},
                                         {"max", "4000"},
                                         {"days", "15"},
                                         {"command", "status"},
                                         {"district", "Наурызбай ауданы"},
                                         {"reason", "сынама тексерілуде әлі"},
                                         {"note", "Мәселе шешілді"},
                                         {"organisation", "Алматы қаласының полиция департаменті"},
                                         {NULL, NULL}};

/* Keeps name in *best if it is longer. */
static void keep_longer(const char **best, const char *name)
{
    if (utf8_length(name) > utf8_length(*best))
        *best = name;
}

void sms_catalog_each(const struct config *cfg, sms_catalog_fn fn, void *ctx)
{
    for (size_t i = 0; i < cfg->texts.count; i++) {
        const struct i18n_entry *e = &cfg->texts.entries[i];
        for (int l = 0; l < LANG_COUNT; l++) {
            struct sbuf text = SBUF_INIT;
            struct i18n_var vars[24];
            size_t k = 0;
            for (; sample[k].name; k++)
                vars[k] = sample[k];
            const char *body = "", *category_short = "", *district_short = "";
            for (size_t b = 0; b < cfg->nbodies; b++)
                keep_longer(&body, cfg->bodies[b].name[l]);
            for (size_t c = 0; c < cfg->ncategories; c++)
                keep_longer(&category_short, cfg->categories[c].short_name[l]);
            for (size_t d = 0; d < cfg->ndistricts; d++)
                keep_longer(&district_short, cfg->districts[d].short_name[l]);
            vars[k++] = (struct i18n_var){"body", body};
            vars[k++] = (struct i18n_var){"category_short", category_short};
            vars[k++] = (struct i18n_var){"district_short", district_short};
            vars[k++] = (struct i18n_var){"example", district_short};
            vars[k] = (struct i18n_var){NULL, NULL};
            i18n_render(&cfg->texts, (enum lang)l, e->key, vars, &text);
            fn(ctx, e, (enum lang)l, sms_cost(text.buf, text.len));
            sbuf_release(&text);
        }
    }
}

int sms_budget(const char *key)
{
    size_t n = strlen(key);
    if (n < 4 || strcmp(key + n - 4, "_sms") != 0)
        return 0; /* not an SMS text: no budget of its own */
    return !strcmp(key, "case_summary_sms") ? 2 : 1; /* the state of an appeal may take two */
}

static void refuse_over(void *ctx, const struct i18n_entry *e, enum lang l, struct sms_cost c)
{
    const struct config *cfg = ((void **)ctx)[0];
    struct diag *d = ((void **)ctx)[1];
    int budget = sms_budget(e->key);
    if (budget && c.segments > budget)
        diag_error(d, cfg->texts.files[l], e->line[l],
                   "text `%s` takes %d SMS (%d %s), over its budget of %d: shorten it", e->key,
                   c.segments, c.units, c.ucs2 ? "UCS-2 units" : "GSM-7 characters", budget);
}

void sms_check_catalog(const struct config *cfg, struct diag *d)
{
    void *ctx[2] = {(void *)cfg, d};
    sms_catalog_each(cfg, refuse_over, ctx);
}
