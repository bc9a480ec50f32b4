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

/*
 * One request: its own easy handle (reused from one request to the next), its
 * body and its answer.  Several run side by side in the sender's curl multi,
 * which keeps their connections alive between requests.
 */
struct tg_request {
    void *curl; /* CURL *; CURLOPT_PRIVATE points back to the request */
    char method[32];
    char *body;
    struct sbuf response;
};

struct tg_api {
    struct sbuf base; /* api_url + "/bot" + token + "/" */
    void *headers;    /* struct curl_slist * */
    struct tg_request call; /* tg_call's own, kept alive between calls */
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
/*
 * The two halves of a call, for a request run by someone else's curl multi:
 * prepare sets rq up for method (0, or -1 when no handle can be made), and
 * after the transfer ends with curl_code, tg_request_result reads its answer
 * as tg_call would.
 */
int tg_request_prepare(struct tg_api *api, struct tg_request *rq, const char *method,
                       const cJSON *params, long timeout_s);
enum tg_status tg_request_result(struct tg_request *rq, int curl_code, struct tg_result *r);
void tg_request_free(struct tg_request *rq);

#endif
