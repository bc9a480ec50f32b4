#include "bot/pipeline/public.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/lib/clock.h"
#include "bot/lib/csv.h"
#include "bot/lib/html.h"
#include "bot/lib/xalloc.h"
#include "handlers/handler.h"
#include "handlers/names.h"

struct row {
    char scope[16], id[32];
    struct stats_figures f;
};

struct rows {
    struct row *v;
    size_t n;
};

/*
 * The figures of the periods asked for lately, kept PUBLIC_FRESH_S seconds: a page anyone may
 * ask for reads all of a period's cases, and the listener's thread also takes the channels'
 * callbacks, so asking again and again must not cost a read each time.
 */
#define PUBLIC_FRESH_S 60
#define PUBLIC_KEPT 24 /* the periods asked, and the twelve months of a body's page */
static struct kept {
    char period[16];
    int64_t at;
    struct rows rows;
} kept[PUBLIC_KEPT];

static void add_row(void *ctx, const char *scope, const char *id, const struct stats_figures *f)
{
    struct rows *rs = ctx;
    rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
    struct row *r = &rs->v[rs->n++];
    snprintf(r->scope, sizeof r->scope, "%s", scope);
    snprintf(r->id, sizeof r->id, "%s", id);
    r->f = *f;
}

static const char *name_of(const struct config *cfg, const struct row *r, enum lang l)
{
    if (!strcmp(r->scope, "body"))
        return names_body(cfg, r->id, l);
    if (!strcmp(r->scope, "district"))
        return names_district(cfg, r->id, l);
    return i18n_get(&cfg->texts, l, "public_city");
}

/* A copy of period's figures, counted at most once in PUBLIC_FRESH_S: 0, 1 not a period, -1. */
static int rows_of(struct health *h, const char *period, struct rows *rs)
{
    int64_t now_ms = clock_now_ms();
    struct kept *k = NULL, *oldest = &kept[0];
    for (int i = 0; i < PUBLIC_KEPT && !k; i++) {
        if (!strcmp(kept[i].period, period) && now_ms / 1000 - kept[i].at < PUBLIC_FRESH_S)
            k = &kept[i];
        else if (kept[i].at < oldest->at)
            oldest = &kept[i];
    }
    if (!k && strlen(period) >= sizeof kept[0].period)
        return 1; /* no period is that long */
    if (!k) {
        struct handler_ctx hx = {h->store, h->cfg, now_ms / 1000, now_ms};
        struct rows fresh = {0};
        int rc = stats_each(&hx, period, add_row, &fresh);
        if (rc != 0) {
            free(fresh.v);
            return rc;
        }
        free(oldest->rows.v);
        *oldest = (struct kept){"", now_ms / 1000, fresh};
        snprintf(oldest->period, sizeof oldest->period, "%s", period);
        k = oldest;
    }
    rs->v = xmalloc((k->rows.n ? k->rows.n : 1) * sizeof *rs->v);
    if (k->rows.n)
        memcpy(rs->v, k->rows.v, k->rows.n * sizeof *rs->v);
    rs->n = k->rows.n;
    return 0;
}

/* The request's period and language, and the figures: 0, or -1 answered (a bad period, 503). */
static int figures(struct health *h, const struct http_request *req, struct http_response *res,
                   struct sbuf *period, enum lang *lang, struct rows *rs)
{
    *lang = http_lang(req, h->cfg->intake.default_lang);
    if (http_arg(req, "period", period) < 0)
        sbuf_reset(period);
    if (!period->len)
        sbuf_addstr(period, "30d");
    int rc = rows_of(h, period->buf, rs);
    if (rc == 0)
        return 0;
    res->status = rc > 0 ? 400 : 503;
    sbuf_addstr(&res->body,
                rc > 0 ? "period: 7d, 30d, all or YYYY-MM\n" : "the store does not answer\n");
    return -1;
}

static void put_number(cJSON *o, const char *name, double v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, name);
    else
        cJSON_AddNumberToObject(o, name, (double)(long long)(v * 1000 + 0.5) / 1000);
}

static void stats_json(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    struct sbuf period = SBUF_INIT, words = SBUF_INIT;
    struct rows rs = {0};
    enum lang l;
    if (figures(h, req, res, &period, &l, &rs) == 0) {
        cJSON *j = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(j, "figures");
        stats_period_words(h->cfg, l, period.buf, &words);
        cJSON_AddStringToObject(j, "period", period.buf);
        cJSON_AddStringToObject(j, "period_words", words.buf);
        for (size_t i = 0; i < rs.n; i++) {
            const struct row *r = &rs.v[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "scope", r->scope);
            cJSON_AddStringToObject(o, "id", r->id);
            cJSON_AddStringToObject(o, "name", name_of(h->cfg, r, l));
            cJSON_AddNumberToObject(o, "appeals", r->f.total);
            cJSON_AddNumberToObject(o, "open", r->f.open);
            cJSON_AddNumberToObject(o, "answered", r->f.answered);
            cJSON_AddNumberToObject(o, "judged", r->f.judged);
            cJSON_AddNumberToObject(o, "answered_in_time", r->f.in_time);
            put_number(o, "in_time_share", r->f.in_time_share);
            put_number(o, "median_days_to_answer", r->f.median_days);
            put_number(o, "rating", r->f.rating);
            cJSON_AddNumberToObject(o, "rated", r->f.rated);
            cJSON_AddNumberToObject(o, "incidents", r->f.incidents);
            cJSON_AddNumberToObject(o, "problems", r->f.problems);
            cJSON_AddItemToArray(rows, o);
        }
        char *text = cJSON_PrintUnformatted(j);
        res->content_type = "application/json; charset=utf-8";
        sbuf_addf(&res->body, "%s\n", text ? text : "{}");
        free(text);
        cJSON_Delete(j);
    }
    free(rs.v);
    sbuf_release(&period);
    sbuf_release(&words);
}

static void fmt(char *out, size_t size, double v, double scale, const char *form)
{
    if (v < 0)
        snprintf(out, size, "%s", "");
    else
        snprintf(out, size, form, v * scale);
}

static void stats_csv(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    struct sbuf period = SBUF_INIT;
    struct rows rs = {0};
    enum lang l;
    if (figures(h, req, res, &period, &l, &rs) == 0) {
        static const char *const head[] = {"period",
                                           "scope",
                                           "id",
                                           "name",
                                           "appeals",
                                           "open",
                                           "answered_in_time_percent",
                                           "median_days_to_answer",
                                           "rating",
                                           "incidents",
                                           "problems"};
        res->content_type = "text/csv; charset=utf-8";
        sbuf_addstr(&res->body, CSV_BOM);
        csv_row(&res->body, head, sizeof head / sizeof *head);
        for (size_t i = 0; i < rs.n; i++) {
            const struct row *r = &rs.v[i];
            char total[16], open[16], share[16], median[16], rating[16], inc[16], prob[16];
            snprintf(total, sizeof total, "%d", r->f.total);
            snprintf(open, sizeof open, "%d", r->f.open);
            fmt(share, sizeof share, r->f.in_time_share, 100, "%.1f");
            fmt(median, sizeof median, r->f.median_days, 1, "%.1f");
            fmt(rating, sizeof rating, r->f.rating, 1, "%.2f");
            snprintf(inc, sizeof inc, "%d", r->f.incidents);
            snprintf(prob, sizeof prob, "%d", r->f.problems);
            const char *cells[] = {period.buf, r->scope, r->id, name_of(h->cfg, r, l),
                                   total,      open,     share, median,
                                   rating,     inc,      prob};
            csv_row(&res->body, cells, sizeof cells / sizeof *cells);
        }
    }
    free(rs.v);
    sbuf_release(&period);
}

/* The figures of a row as table cells after its name. */
static void cells(struct sbuf *out, const struct stats_figures *f)
{
    char share[16], median[16], rating[16];
    fmt(share, sizeof share, f->in_time_share, 100, "%.0f%%");
    fmt(median, sizeof median, f->median_days, 1, "%.1f");
    fmt(rating, sizeof rating, f->rating, 1, "%.1f");
    sbuf_addf(out, "<td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td></tr>\n",
              f->total, f->open, *share ? share : "–", *median ? median : "–",
              *rating ? rating : "–", f->problems);
}

/* The columns' heads, first the one naming the rows. */
static void heads(struct sbuf *out, const struct config *cfg, enum lang l, const char *first)
{
    struct sbuf cols = SBUF_INIT;
    sbuf_addstr(out, "<table>\n<tr>");
    sbuf_addstr(&cols, i18n_get(&cfg->texts, l, "public_columns"));
    int i = 0;
    for (char *c = strtok(cols.buf, ","); c; c = strtok(NULL, ","), i++) {
        sbuf_addstr(out, "<th>");
        html_escape(out, i == 0 && first ? first : c + strspn(c, " "));
        sbuf_addstr(out, "</th>");
    }
    sbuf_addstr(out, "</tr>\n");
    sbuf_release(&cols);
}

/* One table of a scope's rows; a body's or district's name links to its page. */
static void table(struct sbuf *out, const struct config *cfg, enum lang l, const struct rows *rs,
                  const char *scope, const char *title_key, const char *period)
{
    sbuf_addstr(out, "<h2>");
    html_escape(out, i18n_get(&cfg->texts, l, title_key));
    sbuf_addstr(out, "</h2>\n");
    heads(out, cfg, l, NULL);
    for (size_t i = 0; i < rs->n; i++) {
        const struct row *r = &rs->v[i];
        if (strcmp(r->scope, scope))
            continue;
        sbuf_addstr(out, "<tr><td>");
        if (strcmp(scope, "city")) {
            sbuf_addf(out, "<a href=\"?%s=", scope);
            html_escape(out, r->id);
            sbuf_addf(out, "&amp;lang=%s&amp;period=", lang_codes[l]);
            html_escape(out, period);
            sbuf_addstr(out, "\">");
        }
        html_escape(out, name_of(cfg, r, l));
        sbuf_addstr(out, strcmp(scope, "city") ? "</a></td>" : "</td>");
        cells(out, &r->f);
    }
    sbuf_addstr(out, "</table>\n");
}

/*
 * The page of one body or district: its figures in the period, then month by month for the last
 * twelve (as /stats counts each month).  0, or -1 when the store failed.
 */
static int one_page(struct health *h, struct sbuf *out, enum lang l, const char *scope,
                    const char *id, const struct rows *rs)
{
    const struct config *cfg = h->cfg;
    int found = 0;
    heads(out, cfg, l, NULL);
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->v[i].scope, scope) && !strcmp(rs->v[i].id, id)) {
            sbuf_addstr(out, "<tr><td>");
            html_escape(out, name_of(cfg, &rs->v[i], l));
            sbuf_addstr(out, "</td>");
            cells(out, &rs->v[i].f);
            found = 1;
        }
    sbuf_addstr(out, "</table>\n");
    if (!found) {
        sbuf_addstr(out, "<p>");
        html_escape(out, i18n_get(&cfg->texts, l, "public_none"));
        sbuf_addstr(out, "</p>\n");
    }
    sbuf_addstr(out, "<h2>");
    html_escape(out, i18n_get(&cfg->texts, l, "public_by_month"));
    sbuf_addstr(out, "</h2>\n");
    heads(out, cfg, l, i18n_get(&cfg->texts, l, "public_month"));
    int y, m, d;
    calendar_ymd_from_day(calendar_local_day(&cfg->calendar, clock_now_ms() / 1000), &y, &m, &d);
    for (int k = 0; k < 12; k++) {
        char month[16];
        struct rows mr = {0};
        struct sbuf words = SBUF_INIT;
        snprintf(month, sizeof month, "%04d-%02d", y % 10000, m % 100);
        if (rows_of(h, month, &mr) < 0) {
            free(mr.v);
            sbuf_release(&words);
            return -1;
        }
        for (size_t i = 0; i < mr.n; i++)
            if (!strcmp(mr.v[i].scope, scope) && !strcmp(mr.v[i].id, id)) {
                stats_period_words(cfg, l, month, &words);
                sbuf_addstr(out, "<tr><td>");
                html_escape(out, words.buf);
                sbuf_addstr(out, "</td>");
                cells(out, &mr.v[i].f);
            }
        free(mr.v);
        sbuf_release(&words);
        if (--m == 0)
            m = 12, y--;
    }
    sbuf_addstr(out, "</table>\n");
    return 0;
}

/* Bars of the share answered in time, one a body; drawn on the server, no script. */
static void chart(struct sbuf *out, const struct config *cfg, enum lang l, const struct rows *rs)
{
    int n = 0;
    for (size_t i = 0; i < rs->n; i++)
        n += !strcmp(rs->v[i].scope, "body");
    if (!n)
        return;
    sbuf_addstr(out, "<h2>");
    html_escape(out, i18n_get(&cfg->texts, l, "public_chart"));
    sbuf_addf(out,
              "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"%d\" "
              "role=\"img\">\n",
              n * 26 + 10);
    int y = 5;
    for (size_t i = 0; i < rs->n; i++) {
        const struct row *r = &rs->v[i];
        if (strcmp(r->scope, "body"))
            continue;
        double share = r->f.in_time_share < 0 ? 0 : r->f.in_time_share;
        sbuf_addf(out, "<text x=\"0\" y=\"%d\" font-size=\"12\">", y + 15);
        html_escape(out, name_of(cfg, r, l));
        char label[16];
        fmt(label, sizeof label, r->f.in_time_share, 100, "%.0f%%");
        sbuf_addf(out,
                  "</text><rect x=\"420\" y=\"%d\" width=\"%.0f\" height=\"18\" fill=\"%s\"/>"
                  "<text x=\"%.0f\" y=\"%d\" font-size=\"12\">%s</text>\n",
                  y, 280 * share,
                  share >= 0.9   ? "#2e7d32"
                  : share >= 0.7 ? "#f9a825"
                                 : "#c62828",
                  425 + 280 * share, y + 14, *label ? label : "–");
        y += 26;
    }
    sbuf_addstr(out, "</svg>\n");
}

static void page(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct health *h = ctx;
    const struct config *cfg = h->cfg;
    struct sbuf period = SBUF_INIT, words = SBUF_INIT, intro = SBUF_INIT, data = SBUF_INIT;
    struct rows rs = {0};
    enum lang l;
    if (strcmp(req->path, "/public/") && strcmp(req->path, "/public/index.html")) {
        res->status = 404;
        sbuf_addstr(&res->body, "not found\n");
        return;
    }
    /* one body's or district's page: ?body=ID or ?district=ID */
    const char *scope = NULL;
    struct sbuf id = SBUF_INIT;
    if (http_arg(req, "body", &id) == 1)
        scope = "body";
    else if (sbuf_reset(&id), http_arg(req, "district", &id) == 1)
        scope = "district";
    if (scope && !(!strcmp(scope, "body") ? (const void *)config_body(cfg, id.buf)
                                          : (const void *)config_district(cfg, id.buf))) {
        res->status = 404;
        sbuf_addstr(&res->body, "no such body or district\n");
        sbuf_release(&id);
        return;
    }
    if (figures(h, req, res, &period, &l, &rs) == 0) {
        struct sbuf *out = &res->body;
        stats_period_words(cfg, l, period.buf, &words);
        struct i18n_var p[] = {{"period", words.buf}, {NULL, NULL}};
        i18n_render(&cfg->texts, l, "public_intro", p, &intro);
        struct i18n_var links[] = {{"json", "stats.json"},
                                   {"csv", "stats.csv"},
                                   {"open311", "/open311/v2/requests.json"},
                                   {NULL, NULL}};
        i18n_render(&cfg->texts, l, "public_data", links, &data);
        res->content_type = "text/html; charset=utf-8";
        sbuf_addf(out,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\"><title>",
                  lang_codes[l]);
        html_escape(out, i18n_get(&cfg->texts, l, "public_title"));
        sbuf_addstr(out,
                    "</title><style>body{font-family:sans-serif;max-width:60em;margin:1em auto;"
                    "padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid "
                    "#ccc;padding:.3em .6em;text-align:right}td:first-child,th:first-child"
                    "{text-align:left}</style></head><body>\n<h1>");
        html_escape(out, i18n_get(&cfg->texts, l, "public_title"));
        if (scope) {
            sbuf_addstr(out, ": ");
            html_escape(out, !strcmp(scope, "body") ? names_body(cfg, id.buf, l)
                                                    : names_district(cfg, id.buf, l));
        }
        sbuf_addstr(out, "</h1>\n<p>");
        html_escape(out, intro.buf);
        sbuf_addstr(out, "</p>\n<p>");
        /* the period was understood (stats_each refuses others): one of 7d, all, 2026-11 */
        for (int k = 0; k < LANG_COUNT; k++) {
            sbuf_addf(out, "<a href=\"?lang=%s&amp;period=", lang_codes[k]);
            html_escape(out, period.buf);
            if (scope) {
                sbuf_addf(out, "&amp;%s=", scope);
                html_escape(out, id.buf);
            }
            sbuf_addf(out, "\">%s</a> ", lang_codes[k]);
        }
        if (scope) {
            sbuf_addf(out, " <a href=\"?lang=%s&amp;period=", lang_codes[l]);
            html_escape(out, period.buf);
            sbuf_addstr(out, "\">");
            html_escape(out, i18n_get(&cfg->texts, l, "public_all"));
            sbuf_addstr(out, "</a>");
        }
        sbuf_addstr(out, "</p>\n");
        if (scope) {
            if (one_page(h, out, l, scope, id.buf, &rs) < 0) {
                res->status = 503;
                sbuf_reset(out);
                sbuf_addstr(out, "the store does not answer\n");
                goto done;
            }
        } else if (!rs.n || !rs.v[0].f.total) {
            sbuf_addstr(out, "<p>");
            html_escape(out, i18n_get(&cfg->texts, l, "public_none"));
            sbuf_addstr(out, "</p>\n");
        } else {
            table(out, cfg, l, &rs, "city", "public_city", period.buf);
            chart(out, cfg, l, &rs);
            table(out, cfg, l, &rs, "body", "public_bodies", period.buf);
            table(out, cfg, l, &rs, "district", "public_districts", period.buf);
        }
        sbuf_addstr(out, "<p>");
        html_escape(out, data.buf);
        sbuf_addstr(out, "</p>\n</body></html>\n");
    }
done:
    sbuf_release(&id);
    free(rs.v);
    sbuf_release(&period);
    sbuf_release(&words);
    sbuf_release(&intro);
    sbuf_release(&data);
}

void public_route(struct health *h, struct http *http)
{
    http_route(http, "/public/stats.json", stats_json, h, 0);
    http_route(http, "/public/stats.csv", stats_csv, h, 0);
    http_route(http, "/public/", page, h, 0);
}
