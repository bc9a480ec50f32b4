/*
 * telegram_api: calls to the Telegram Bot API over one persistent curl
 * handle (keep-alive; one handle per thread that calls).
 *
 * Every call ends in one of: ok (result kept), a Telegram error with its
 * code and description (429 with retry_after), or a transport failure
 * (timeout, refused, dropped, malformed JSON), which callers treat as
 * transient.  The token never appears in logs: errors name the method only.
 */
#ifndef TYNDAU_TELEGRAM_API_H
#define TYNDAU_TELEGRAM_API_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "bot/lib/sbuf.h"

struct tg_api {
    void *curl;       /* CURL * */
    struct sbuf base; /* api_url + "/bot" + token + "/" */
    struct sbuf response;
    void *headers; /* struct curl_slist * */
};

enum tg_status { TG_OK, TG_ERROR, TG_TRANSPORT };

struct tg_result {
    enum tg_status status;
    long http_code;
    int error_code;     /* Telegram's error_code, TG_ERROR only */
    int retry_after;    /* seconds, from parameters.retry_after on 429 */
    int64_t migrate_to; /* parameters.migrate_to_chat_id, if given */
    struct sbuf description;
    cJSON *root;         /* the parsed response (owns result) */
    const cJSON *result; /* TG_OK: the "result" field */
};

/*
 * A JSON number that must be an integer id (Telegram's are up to 52 bits):
 * 0 and *out set, or -1 for anything else (a float, 1e300, a string).  The
 * range is checked before the conversion, which would be undefined outside it.
 */
int tg_json_int64(const cJSON *v, int64_t *out);

int tg_api_init(struct tg_api *api, const char *api_url, const char *token);
void tg_api_free(struct tg_api *api);
void tg_result_init(struct tg_result *r);
void tg_result_release(struct tg_result *r);
/*
 * Calls method with a JSON body (params may be NULL) and a total timeout in
 * seconds.  Fills r; returns r->status.
 */
enum tg_status tg_call(struct tg_api *api, const char *method, const cJSON *params, long timeout_s,
                       struct tg_result *r);

#endif
