/*
 * kannel: the SMS provider for Kannel (bearerbox + smsbox).
 *
 * Inbound: smsbox's sms-service calls /sms/inbound, by get-url or post-url,
 * with from=%p id=%I coding=%c charset=%C time=%t and the text either as
 * text=%b (the message's bytes as they came; %a would cut bytes at
 * whitespace, losing a UCS-2 " ") or as the POST body.  UCS-2 messages (coding 2) come as raw
 * UTF-16BE bytes, form-encoded ("+" a space, %00 a zero byte).
 * Outbound: smsbox's sendsms interface, with the text as UTF-8 and
 * charset=UTF-8; coding=2 makes Kannel send Kazakh and Russian as UCS-2 and
 * concatenate long texts.  Each message carries a dlr-url with tyndau's own
 * outbox id, so delivery reports find their message.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/log.h"
#include "bot/lib/sms_text.h"
#include "bot/lib/urlform.h"
#include "bot/lib/utf8.h"
#include "gateways/sms_provider.h"

#define MAX_INBOUND_CHARS 1600 /* 24 concatenated UCS-2 parts; more is not a phone's SMS */

static int arg(const struct http_request *req, const char *name, struct sbuf *out)
{
    return http_arg(req, name, out) == 1;
}

static void latin1_to_utf8(const char *s, size_t len, struct sbuf *out)
{
    for (size_t i = 0; i < len; i++)
        utf8_put(out, (unsigned char)s[i]);
}

static int kannel_parse_inbound(const struct http_request *req, struct sms_inbound *in,
                                struct sbuf *why)
{
    struct sbuf raw = SBUF_INIT, coding = SBUF_INIT, charset = SBUF_INIT, t = SBUF_INIT;
    int rc = -1;
    if (!arg(req, "from", &in->from) || !in->from.len) {
        sbuf_addstr(why, "missing `from`");
        goto out;
    }
    if (!arg(req, "id", &in->id) || !in->id.len || in->id.len > 100) {
        sbuf_addstr(why, "missing or overlong `id` (Kannel's %I)");
        goto out;
    }
    if (!arg(req, "text", &raw)) {
        if (strcmp(req->method, "POST") != 0) {
            sbuf_addstr(why, "missing `text`");
            goto out;
        }
        sbuf_add(&raw, req->body, req->body_len); /* post-url: the text is the body */
    }
    arg(req, "coding", &coding);
    arg(req, "charset", &charset);
    if (arg(req, "time", &t))
        in->time = strtoll(t.buf, NULL, 10);
    if (!coding.len || !strcmp(coding.buf, "0")) {
        if (!strcasecmp(charset.buf, "ISO-8859-1") || !strcasecmp(charset.buf, "latin1"))
            latin1_to_utf8(raw.buf, raw.len, &in->text);
        else
            sbuf_add(&in->text, raw.buf, raw.len); /* UTF-8; checked by the dispatcher */
    } else if (!strcmp(coding.buf, "2")) {
        if (charset.len && strcasecmp(charset.buf, "UTF-16BE") &&
            strcasecmp(charset.buf, "UCS-2") && strcasecmp(charset.buf, "UTF-8")) {
            sbuf_addf(why, "coding 2 with charset `%.20s`", charset.buf);
            goto out;
        }
        if (!strcasecmp(charset.buf, "UTF-8"))
            sbuf_add(&in->text, raw.buf, raw.len);
        else if (sms_utf16be_to_utf8(raw.buf, raw.len, &in->text) < 0) {
            sbuf_addstr(why, "UCS-2 text of odd length or with broken surrogates");
            goto out;
        }
    } else {
        sbuf_addf(why, "unknown coding `%.10s` (0: text, 2: UCS-2; binary SMS are not read)",
                  coding.buf);
        goto out;
    }
    if (utf8_valid(in->text.buf, in->text.len) && utf8_length(in->text.buf) > MAX_INBOUND_CHARS) {
        sbuf_addf(why, "text over %d characters", MAX_INBOUND_CHARS);
        goto out;
    }
    rc = 0;
out:
    sbuf_release(&raw);
    sbuf_release(&coding);
    sbuf_release(&charset);
    sbuf_release(&t);
    return rc;
}

static int kannel_parse_dlr(const struct http_request *req, int64_t *outbox_id, enum sms_dlr *state,
                            struct sbuf *detail, struct sbuf *why)
{
    struct sbuf id = SBUF_INIT, status = SBUF_INIT;
    int rc = -1;
    char *end;
    if (!arg(req, "id", &id) || !arg(req, "status", &status)) {
        sbuf_addstr(why, "a delivery report needs `id` and `status`");
        goto out;
    }
    *outbox_id = strtoll(id.buf, &end, 10);
    if (*end || *outbox_id <= 0) {
        sbuf_addstr(why, "`id` is not a message of tyndau's");
        goto out;
    }
    /* Kannel's %d: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by it */
    long s = strtol(status.buf, &end, 10);
    if (*end || (s != 1 && s != 2 && s != 4 && s != 8 && s != 16)) {
        sbuf_addf(why, "unknown delivery status `%.10s`", status.buf);
        goto out;
    }
    *state = s == 1 ? SMS_DLR_DELIVERED : (s == 2 || s == 16) ? SMS_DLR_FAILED : SMS_DLR_PENDING;
    sbuf_addf(detail, "status %ld", s);
    struct sbuf answer = SBUF_INIT;
    if (arg(req, "answer", &answer) && utf8_valid(answer.buf, answer.len))
        sbuf_addf(detail, ": %.200s", answer.buf);
    sbuf_release(&answer);
    rc = 0;
out:
    sbuf_release(&id);
    sbuf_release(&status);
    return rc;
}

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
    struct sbuf *sb = userdata;
    if (sb->len < 4096)
        sbuf_add(sb, data, size * n);
    return size * n;
}

static void param(struct sbuf *url, const char *name, const char *value)
{
    sbuf_addf(url, "&%s=", name);
    urlform_encode(url, value, strlen(value));
}

static void kannel_send(const struct config *cfg, void *curl, const struct outbox_msg *m,
                        struct send_result *res)
{
    struct sbuf url = SBUF_INIT, dlr = SBUF_INIT, answer = SBUF_INIT;
    CURL *c = curl;
    sbuf_addf(&url, "%s?username=", cfg->sms.sendsms_url);
    urlform_encode(&url, cfg->sms.username, strlen(cfg->sms.username));
    param(&url, "password", cfg->sms.password);
    param(&url, "from", cfg->sms.sender);
    param(&url, "to", m->address);
    param(&url, "text", m->text.buf);
    param(&url, "charset", "UTF-8");
    /* Kazakh and Russian need UCS-2; plain Latin text goes as GSM-7 and costs less */
    param(&url, "coding", sms_cost(m->text.buf, m->text.len).ucs2 ? "2" : "0");
    sbuf_addf(&dlr, "%s?id=%lld&status=%%d&answer=%%A", cfg->sms.dlr_url, (long long)m->id);
    if (*cfg->sms.inbound_secret) {
        sbuf_addstr(&dlr, "&secret=");
        urlform_encode(&dlr, cfg->sms.inbound_secret, strlen(cfg->sms.inbound_secret));
    }
    param(&url, "dlr-mask", "31");
    param(&url, "dlr-url", dlr.buf);
    curl_easy_setopt(c, CURLOPT_URL, url.buf);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    res->http_status = rc == CURLE_OK ? (int)code : 0;
    while (answer.len && (answer.buf[answer.len - 1] == '\n' || answer.buf[answer.len - 1] == '\r'))
        sbuf_setlen(&answer, answer.len - 1);
    if (rc != CURLE_OK) {
        res->status = SEND_DOWN; /* Kannel is not there: the channel is down */
        sbuf_addf(&res->detail, "sendsms: %s", curl_easy_strerror(rc));
    } else if (code >= 200 && code < 300) {
        res->status = SEND_OK;
        snprintf(res->remote_id, sizeof res->remote_id, "kannel:%lld", (long long)m->id);
    } else if (code >= 500) {
        res->status = SEND_RETRY; /* 503: Kannel is busy or its queue is full */
        sbuf_addf(&res->detail, "sendsms HTTP %ld: %.200s", code, answer.buf);
    } else if (code == 403 && strstr(answer.buf, "black-lists")) {
        res->status = SEND_FAILED; /* this number is barred by the sendsms-user's lists */
        sbuf_addf(&res->detail, "sendsms HTTP %ld: %.200s", code, answer.buf);
    } else {
        /*
         * tyndau builds every request itself: any other 4xx (404 from a wrong
         * URL, 403 from a wrong password or a setting the sendsms-user forbids)
         * is the channel's configuration, and no SMS can go until it is fixed.
         */
        res->status = SEND_DOWN;
        sbuf_addf(&res->detail,
                  "sendsms HTTP %ld: %.200s (a configuration error: check sms.sendsms_url, "
                  "sms.username, sms.password and Kannel's sendsms-user)",
                  code, answer.len ? answer.buf : "");
    }
    sbuf_release(&url);
    sbuf_release(&dlr);
    sbuf_release(&answer);
}

const struct sms_provider sms_kannel = {"kannel", kannel_parse_inbound, kannel_parse_dlr,
                                        kannel_send};
