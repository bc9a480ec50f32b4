#include "bot/pipeline/open311.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/lib/clock.h"
#include "handlers/names.h"

#define PREFIX "/open311/v2/"
#define DEFAULT_PAGE 100
#define DEFAULT_DAYS 90  /* the spec's window when no date is given */
#define PIN_SCALE 1000.0 /* a published pin has 3 decimals: about 110 m of latitude */

/* The instant as ISO 8601 in the configured offset: "2026-11-05T10:03:00+05:00". */
static void iso_time(const struct config *cfg, int64_t at, char out[32])
{
    int offset = cfg->calendar.utc_offset_min;
    int32_t day = calendar_local_day(&cfg->calendar, at);
    int64_t secs = at - calendar_day_start(&cfg->calendar, day);
    int y, m, d;
    calendar_ymd_from_day(day, &y, &m, &d);
    int off = offset < 0 ? -offset : offset;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y % 10000, m % 100, d % 100,
             (int)(secs / 3600) % 24, (int)(secs / 60 % 60), (int)(secs % 60),
             offset < 0 ? '-' : '+', off / 60 % 100, off % 60);
}

/*
 * ISO 8601 as the spec's clients send it: a date (local midnight), or a date and time in UTC
 * ("Z") or with an offset.  0 and *at, -1 when it is none of these.
 */
static int parse_time(const struct config *cfg, const char *s, int64_t *at)
{
    int32_t day;
    char date[11], tail[16] = "";
    int hh = 0, mm = 0, ss = 0, oh = 0, om = 0, n = 0;
    snprintf(date, sizeof date, "%s", s);
    if (strlen(s) < 10 || calendar_parse_date(date, &day) < 0)
        return -1;
    if (!s[10]) {
        *at = calendar_day_start(&cfg->calendar, day);
        return 0;
    }
    if (sscanf(s + 10, "T%2d:%2d:%2d%n", &hh, &mm, &ss, &n) != 3 || hh > 23 || mm > 59 || ss > 60)
        return -1;
    snprintf(tail, sizeof tail, "%s", s + 10 + n);
    const char *t = tail;
    if (*t == '.') /* fractions of a second say nothing here */
        for (t++; *t >= '0' && *t <= '9'; t++)
            ;
    int64_t base = (int64_t)day * 86400 + hh * 3600 + mm * 60 + ss;
    if (!strcmp(t, "Z")) {
        *at = base;
        return 0;
    }
    char sign = *t, rest;
    if ((sign != '+' && sign != '-') || sscanf(t + 1, "%2d:%2d%c", &oh, &om, &rest) != 2 ||
        oh > 14 || om > 59)
        return -1;
    *at = base - (sign == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    return 0;
}

static enum lang lang_of(const struct config *cfg, const struct http_request *req)
{
    return http_lang(req, cfg->intake.default_lang);
}

static void json_answer(struct http_response *res, int status, cJSON *j)
{
    char *text = cJSON_PrintUnformatted(j);
    res->status = status;
    res->content_type = "application/json; charset=utf-8";
    sbuf_addf(&res->body, "%s\n", text ? text : "[]");
    free(text);
    cJSON_Delete(j);
}

/* The spec's error: a list of {code, description}. */
static void error(struct http_response *res, int status, const char *description)
{
    cJSON *list = cJSON_CreateArray(), *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "code", status);
    cJSON_AddStringToObject(e, "description", description);
    cJSON_AddItemToArray(list, e);
    json_answer(res, status, list);
}

static int only_get(const struct http_request *req, struct http_response *res)
{
    if (!strcmp(req->method, "GET") || !strcmp(req->method, "HEAD"))
        return 1;
    error(res, 405, "this API only reads: GET");
    return 0;
}

static void discovery(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    char changed[32];
    if (!only_get(req, res))
        return;
    iso_time(h->cfg, h->started_at, changed);
    cJSON *j = cJSON_CreateObject(), *endpoints = cJSON_AddArrayToObject(j, "endpoints");
    cJSON *e = cJSON_CreateObject(), *formats;
    cJSON_AddStringToObject(j, "changeset", changed);
    cJSON_AddStringToObject(
        j, "contact",
        h->cfg->bodies && h->cfg->nbodies ? h->cfg->bodies[0].name[lang_of(h->cfg, req)] : "");
    cJSON_AddStringToObject(j, "key_service", "");
    cJSON_AddStringToObject(e, "specification", "http://wiki.open311.org/GeoReport_v2");
    cJSON_AddStringToObject(e, "url", PREFIX);
    cJSON_AddStringToObject(e, "changeset", changed);
    cJSON_AddStringToObject(e, "type", "production");
    formats = cJSON_AddArrayToObject(e, "formats");
    cJSON_AddItemToArray(formats, cJSON_CreateString("application/json"));
    cJSON_AddItemToArray(endpoints, e);
    json_answer(res, 200, j);
}

static void services(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    const struct config *cfg = h->cfg;
    enum lang l = lang_of(cfg, req);
    if (!only_get(req, res))
        return;
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < cfg->ncategories; i++) {
        const struct category *c = &cfg->categories[i];
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "service_code", c->id);
        cJSON_AddStringToObject(s, "service_name", c->name[l]);
        cJSON_AddStringToObject(s, "description", c->name[l]);
        cJSON_AddBoolToObject(s, "metadata", 0);
        cJSON_AddStringToObject(s, "type", "realtime");
        cJSON_AddStringToObject(s, "keywords", "");
        cJSON_AddStringToObject(s, "group", c->short_name[l]);
        cJSON_AddItemToArray(list, s);
    }
    json_answer(res, 200, list);
}

struct listing {
    const struct config *cfg;
    enum lang lang;
    cJSON *list;
};

/* A case as the spec's request: what is public of it, nothing of the citizen. */
static int add_request(void *ctx, const struct case_rec *c)
{
    struct listing *ls = ctx;
    const struct config *cfg = ls->cfg;
    char when[32];
    cJSON *r = cJSON_CreateObject();
    const char *status = i18n_get(&cfg->texts, ls->lang, case_status_key(c->status));
    char notes[160];
    char outcome[32];
    snprintf(outcome, sizeof outcome, "outcome_%s", c->outcome);
    if (c->status == CASE_CLOSED && c->outcome[0] && i18n_get(&cfg->texts, ls->lang, outcome))
        snprintf(notes, sizeof notes, "%s: %s", status ? status : "",
                 i18n_get(&cfg->texts, ls->lang, outcome));
    else
        snprintf(notes, sizeof notes, "%s", status ? status : case_status_name(c->status));
    cJSON_AddStringToObject(r, "service_request_id", c->number);
    cJSON_AddStringToObject(r, "status", c->status == CASE_CLOSED ? "closed" : "open");
    cJSON_AddStringToObject(r, "status_notes", notes);
    cJSON_AddStringToObject(r, "service_name", names_category(cfg, c->category, ls->lang));
    cJSON_AddStringToObject(r, "service_code", c->category);
    cJSON_AddStringToObject(r, "agency_responsible", names_body(cfg, c->body, ls->lang));
    iso_time(cfg, c->registered_at, when);
    cJSON_AddStringToObject(r, "requested_datetime", when);
    int64_t updated = c->registered_at;
    if (c->answered_at > updated)
        updated = c->answered_at;
    if (c->closed_at > updated)
        updated = c->closed_at;
    iso_time(cfg, updated, when);
    cJSON_AddStringToObject(r, "updated_datetime", when);
    /* the legal due date: the end of the due day */
    iso_time(cfg, calendar_day_start(&cfg->calendar, c->due_day + 1) - 1, when);
    cJSON_AddStringToObject(r, "expected_datetime", when);
    cJSON_AddStringToObject(r, "address", names_district(cfg, c->district, ls->lang));
    /* the citizen's own words only when they chose, when filing, to make them public */
    if (c->published)
        cJSON_AddStringToObject(r, "description", c->text.buf);
    if (c->has_location) { /* to about 100 m: the place of the problem, not the door it was sent
                              from */
        cJSON_AddNumberToObject(r, "lat", round(c->lat * PIN_SCALE) / PIN_SCALE);
        cJSON_AddNumberToObject(r, "long", round(c->lon * PIN_SCALE) / PIN_SCALE);
    }
    cJSON_AddItemToArray(ls->list, r);
    return 0;
}

static int by_numbers(struct store *store, const char *ids, struct listing *ls)
{
    char number[24];
    int n = 0;
    for (const char *p = ids; *p && n < OPEN311_MAX_PAGE; n++) {
        size_t len = strcspn(p, ",");
        snprintf(number, sizeof number, "%.*s", (int)(len < sizeof number ? len : 0), p);
        struct case_rec c;
        case_init(&c);
        int rc = *number ? store_case_by_number(store, number, &c) : 0;
        if (rc == 1 && c.number[0])
            add_request(ls, &c);
        case_release(&c);
        if (rc < 0)
            return -1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static void requests(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    const struct config *cfg = h->cfg;
    struct sbuf code = SBUF_INIT, status = SBUF_INIT, from = SBUF_INIT, to = SBUF_INIT,
                ids = SBUF_INIT;
    struct listing ls = {cfg, lang_of(cfg, req), cJSON_CreateArray()};
    int page, size, closed = -1, rc = 0;
    int64_t now = clock_now_ms() / 1000, start = 0, end = 0;
    if (!only_get(req, res)) {
        cJSON_Delete(ls.list);
        return;
    }
    const char *bad = NULL;
    if (http_arg(req, "service_code", &code) < 0 || http_arg(req, "status", &status) < 0 ||
        http_arg(req, "start_date", &from) < 0 || http_arg(req, "end_date", &to) < 0 ||
        http_arg(req, "service_request_id", &ids) < 0)
        bad = "a parameter is not URL-encoded";
    else if (http_int_arg(req, "page", 1, 1, 1000000, &page) < 0)
        bad = "page must be a whole number from 1";
    else if (http_int_arg(req, "page_size", DEFAULT_PAGE, 1, OPEN311_MAX_PAGE, &size) < 0)
        bad = "page_size must be from 1 to 1000";
    else if (status.len && strcmp(status.buf, "open") && strcmp(status.buf, "closed"))
        bad = "status must be open or closed";
    else if (code.len && !config_category(cfg, code.buf))
        bad = "no such service_code";
    else if ((from.len && parse_time(cfg, from.buf, &start) < 0) ||
             (to.len && parse_time(cfg, to.buf, &end) < 0))
        bad = "start_date and end_date must be ISO 8601 (2026-11-05T00:00:00+05:00)";
    if (!bad) {
        closed = !status.len ? -1 : !strcmp(status.buf, "closed");
        if (!from.len && !to.len)
            start = now - DEFAULT_DAYS * 86400LL, end = now + 1;
        else if (!to.len)
            end = now + 1;
        else if (!from.len)
            start = end - DEFAULT_DAYS * 86400LL;
        if (end <= start)
            bad = "end_date must come after start_date";
    }
    if (bad) {
        cJSON_Delete(ls.list);
        error(res, 400, bad);
    } else {
        rc = ids.len ? by_numbers(h->store, ids.buf, &ls)
                     : store_cases_find(h->store,
                                        &(struct case_query){.category = code.buf,
                                                             .closed = closed,
                                                             .from = start,
                                                             .to = end,
                                                             .limit = size,
                                                             .offset = (page - 1) * size},
                                        add_request, &ls);
        if (rc < 0) {
            cJSON_Delete(ls.list);
            error(res, 503, "the store does not answer");
        } else {
            json_answer(res, 200, ls.list);
        }
    }
    sbuf_release(&code);
    sbuf_release(&status);
    sbuf_release(&from);
    sbuf_release(&to);
    sbuf_release(&ids);
}

/* /open311/v2/requests/NUMBER.json */
static void one_request(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    const char *name = req->path + strlen(PREFIX "requests/");
    size_t digits = strspn(name, "0123456789");
    struct listing ls = {h->cfg, lang_of(h->cfg, req), NULL};
    if (!only_get(req, res))
        return;
    if (!digits || digits > 20 || strcmp(name + digits, ".json")) {
        error(res, 404, "no such request: ask for requests/NUMBER.json");
        return;
    }
    char number[24];
    snprintf(number, sizeof number, "%.*s", (int)digits, name);
    ls.list = cJSON_CreateArray();
    if (by_numbers(h->store, number, &ls) < 0) {
        cJSON_Delete(ls.list);
        error(res, 503, "the store does not answer");
    } else if (!cJSON_GetArraySize(ls.list)) {
        cJSON_Delete(ls.list);
        error(res, 404, "no such request");
    } else {
        json_answer(res, 200, ls.list);
    }
}

void open311_route(struct health *h, struct http *http)
{
    http_route(http, PREFIX "discovery.json", discovery, h, 0);
    http_route(http, PREFIX "services.json", services, h, 0);
    http_route(http, PREFIX "requests.json", requests, h, 0);
    http_route(http, PREFIX "requests/", one_request, h, 0);
}
