#include "gateways/telegram_api.h"

#include <curl/curl.h>
#include <string.h>

#include "bot/lib/log.h"

static size_t collect(char *data, size_t size, size_t n, void *userdata)
{
    struct sbuf *sb = userdata;
    if (sb->len + size * n > 64u * 1024 * 1024)
        return 0; /* no reply of ours is this large: refuse rather than grow */
    sbuf_add(sb, data, size * n);
    return size * n;
}

#define TG_INT_MAX 9007199254740992.0 /* 2^53: every integer up to it is exact in a double */

int tg_json_int64(const cJSON *v, int64_t *out)
{
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    if (!(d >= -TG_INT_MAX && d <= TG_INT_MAX) || d != (double)(int64_t)d)
        return -1;
    *out = (int64_t)d;
    return 0;
}

int tg_api_init(struct tg_api *api, const char *api_url, const char *token)
{
    memset(api, 0, sizeof *api);
    sbuf_init(&api->base, 0);
    sbuf_addf(&api->base, "%s/bot%s/", api_url, token);
    api->headers = curl_slist_append(NULL, "Content-Type: application/json");
    /* no "Expect: 100-continue" round trip before larger bodies */
    api->headers = curl_slist_append(api->headers, "Expect:");
    return api->headers && tg_request_prepare(api, &api->call, "getMe", NULL, 15) == 0 ? 0 : -1;
}

void tg_api_free(struct tg_api *api)
{
    tg_request_free(&api->call);
    curl_slist_free_all(api->headers);
    sbuf_release(&api->base);
    memset(api, 0, sizeof *api);
}

void tg_request_free(struct tg_request *rq)
{
    if (rq->curl)
        curl_easy_cleanup(rq->curl);
    cJSON_free(rq->body);
    sbuf_release(&rq->response);
    memset(rq, 0, sizeof *rq);
}

int tg_request_prepare(struct tg_api *api, struct tg_request *rq, const char *method,
                       const cJSON *params, long timeout_s)
{
    CURL *c = rq->curl;
    if (!c) {
        if (!(c = rq->curl = curl_easy_init()))
            return -1;
        sbuf_init(&rq->response, 0);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, (struct curl_slist *)api->headers);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &rq->response);
        curl_easy_setopt(c, CURLOPT_PRIVATE, rq);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "tyndau");
    }
    struct sbuf url = SBUF_INIT;
    snprintf(rq->method, sizeof rq->method, "%s", method);
    cJSON_free(rq->body);
    rq->body = params ? cJSON_PrintUnformatted(params) : NULL;
    sbuf_reset(&rq->response);
    sbuf_addf(&url, "%s%s", api->base.buf, method);
    curl_easy_setopt(c, CURLOPT_URL, url.buf); /* curl keeps its own copy */
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "{}");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    sbuf_release(&url);
    return 0;
}

void tg_result_init(struct tg_result *r)
{
    memset(r, 0, sizeof *r);
    sbuf_init(&r->description, 0);
}

void tg_result_release(struct tg_result *r)
{
    cJSON_Delete(r->root);
    sbuf_release(&r->description);
    memset(r, 0, sizeof *r);
}

enum tg_status tg_call(struct tg_api *api, const char *method, const cJSON *params, long timeout_s,
                       struct tg_result *r)
{
    if (tg_request_prepare(api, &api->call, method, params, timeout_s) < 0)
        return tg_request_result(&api->call, CURLE_OUT_OF_MEMORY, r);
    return tg_request_result(&api->call, curl_easy_perform(api->call.curl), r);
}

enum tg_status tg_request_result(struct tg_request *rq, int curl_code, struct tg_result *r)
{
    const char *method = rq->method;
    cJSON_Delete(r->root);
    r->root = NULL;
    r->result = NULL;
    r->error_code = r->retry_after = 0;
    r->migrate_to = 0;
    sbuf_reset(&r->description);
    r->http_code = 0;
    if (rq->curl)
        curl_easy_getinfo(rq->curl, CURLINFO_RESPONSE_CODE, &r->http_code);
    if (curl_code != CURLE_OK) {
        sbuf_addf(&r->description, "%s: %s", method, curl_easy_strerror((CURLcode)curl_code));
        return r->status = TG_TRANSPORT;
    }
    r->root = cJSON_ParseWithLength(rq->response.buf, rq->response.len);
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(r->root, "ok");
    if (!cJSON_IsBool(ok)) {
        sbuf_addf(&r->description, "%s: HTTP %ld with a malformed answer", method, r->http_code);
        return r->status = TG_TRANSPORT;
    }
    if (cJSON_IsTrue(ok)) {
        r->result = cJSON_GetObjectItemCaseSensitive(r->root, "result");
        return r->status = TG_OK;
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(r->root, "error_code");
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(r->root, "description");
    const cJSON *params_out = cJSON_GetObjectItemCaseSensitive(r->root, "parameters");
    const cJSON *retry = cJSON_GetObjectItemCaseSensitive(params_out, "retry_after");
    const cJSON *migrate = cJSON_GetObjectItemCaseSensitive(params_out, "migrate_to_chat_id");
    r->error_code = cJSON_IsNumber(code) ? code->valueint : (int)r->http_code;
    r->retry_after = cJSON_IsNumber(retry) ? retry->valueint : 0;
    if (tg_json_int64(migrate, &r->migrate_to) < 0)
        r->migrate_to = 0;
    sbuf_addf(&r->description, "%s", cJSON_IsString(desc) ? desc->valuestring : "no description");
    return r->status = TG_ERROR;
}
