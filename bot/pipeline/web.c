#include "bot/pipeline/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/domain/casenum.h"
#include "bot/lib/clock.h"
#include "bot/lib/csv.h"
#include "bot/lib/html.h"
#include "bot/lib/log.h"
#include "bot/lib/token.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"
#include "bot/lib/xlsx.h"
#include "bot/pipeline/dispatch.h"
#include "bot/pipeline/web_charts.h"
#include "bot/pipeline/web_page.h"
#include "handlers/names.h"

#define COOKIE "tyndau_session"
#define DUE_SOON_WORKING_DAYS 3

static void security_headers(struct http_response *res)
{
    http_add_header(res, "Cache-Control", "no-store");
    http_add_header(res, "X-Frame-Options", "DENY");
    http_add_header(res, "X-Content-Type-Options", "nosniff");
    /* the sign-in link's token is in its address: no other site is told it */
    http_add_header(res, "Referrer-Policy", "no-referrer");
    http_add_header(res, "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}

static void redirect(struct http_response *res, const char *to)
{
    res->status = 303;
    http_add_header(res, "Location", to);
}

/* A page for someone not signed in (or whose sign-in failed): no menu, nothing of anyone. */
static void bare_page(const struct config *cfg, enum lang l, struct http_response *res, int status,
                      const char *title_key, const char *text_key, const char *form)
{
    struct sbuf *out = &res->body;
    res->status = status;
    res->content_type = "text/html; charset=utf-8";
    sbuf_addf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
              lang_codes[l]);
    html_escape(out, i18n_get(&cfg->texts, l, title_key));
    sbuf_addf(out, "</title><style>%s</style></head><body><main>\n<h1>", WEB_STYLE);
    html_escape(out, i18n_get(&cfg->texts, l, title_key));
    sbuf_addstr(out, "</h1>\n<p>");
    html_escape(out, i18n_get(&cfg->texts, l, text_key));
    sbuf_addstr(out, "</p>\n");
    if (form)
        sbuf_addstr(out, form);
    sbuf_addstr(out, "</main></body></html>\n");
}

/*
 * A list: a header and rows of cells, shown as a page (a case's number links to it) or
 * downloaded whole as CSV or XLSX.
 */
struct list {
    size_t cols, rows, shown;
    char **cells; /* rows x cols, row 0 the header */
};

static void list_add(struct list *l, const char *const *cells)
{
    l->cells = xrealloc(l->cells, (l->rows + 1) * l->cols * sizeof *l->cells);
    for (size_t c = 0; c < l->cols; c++)
        l->cells[l->rows * l->cols + c] = xstrdup(cells[c] ? cells[c] : "");
    l->rows++;
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->rows * l->cols; i++)
        free(l->cells[i]);
    free(l->cells);
}

static int header_item(void *ctx, const char *item, size_t len, int index)
{
    struct list *l = ctx;
    if ((size_t)index < l->cols)
        l->cells[index] = xstrndup(item, len);
    return 0;
}

/* A list of cases: its header is the catalog's web_columns. */
static void cases_list(struct web_page *pg, struct list *l)
{
    l->cols = 10;
    l->cells = xcalloc(l->cols, sizeof *l->cells);
    l->rows = 1;
    i18n_items(&pg->cfg->texts, pg->session.lang, "web_columns", header_item, l);
    for (size_t c = 0; c < l->cols; c++)
        if (!l->cells[c])
            l->cells[c] = xstrdup("");
}

/* Where case_row adds a case: the list, and per body how many (counts[body index], or NULL). */
struct rows {
    struct web_page *pg;
    struct list *l;
    int *counts;
};

static int case_row(void *ctx, const struct case_rec *c)
{
    struct rows *rs = ctx;
    struct web_page *pg = rs->pg;
    struct list *l = rs->l;
    const struct config *cfg = pg->cfg;
    for (size_t b = 0; rs->counts && b < cfg->nbodies; b++)
        rs->counts[b] += !strcmp(cfg->bodies[b].id, c->body);
    enum lang lang = pg->session.lang;
    char registered[17], due[11], left[16] = "", incident[24] = "";
    const struct staff *who = *c->assignee ? config_staff(cfg, c->assignee) : NULL;
    names_local_time(cfg, c->registered_at, registered);
    calendar_format_local(c->due_day, due);
    if (case_clock_runs(c->status))
        snprintf(left, sizeof left, "%d",
                 c->due_day >= pg->today
                     ? calendar_working_days_between(&cfg->calendar, pg->today, c->due_day)
                     : -calendar_working_days_between(&cfg->calendar, c->due_day, pg->today));
    if (c->incident_id)
        snprintf(incident, sizeof incident, "%lld", (long long)c->incident_id);
    const char *cells[] = {c->number,
                           i18n_get(&cfg->texts, lang, case_status_key(c->status)),
                           names_category(cfg, c->category, lang),
                           names_district(cfg, c->district, lang),
                           names_body(cfg, c->body, lang),
                           registered,
                           due,
                           left,
                           who ? who->name : c->assignee,
                           incident};
    list_add(l, cells);
    return l->rows > WEB_EXPORT_ROWS;
}

/* The format a list is asked in: 0 the page, 1 CSV, 2 XLSX. */
static int list_format(const struct web_page *pg)
{
    struct sbuf f = SBUF_INIT;
    int which = 0;
    if (http_arg(pg->req, "format", &f) == 1)
        which = !strcmp(f.buf, "csv") ? 1 : !strcmp(f.buf, "xlsx") ? 2 : 0;
    sbuf_release(&f);
    return which;
}

/* Sends the list as a file (1 CSV, 2 XLSX) named name. */
static void list_download(struct web_page *pg, const struct list *l, int format, const char *name)
{
    struct http_response *res = pg->res;
    char disposition[160];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"tyndau-%s.%s\"", name,
             format == 1 ? "csv" : "xlsx");
    if (format == 1) {
        res->content_type = "text/csv; charset=utf-8";
        sbuf_addstr(&res->body, CSV_BOM);
        for (size_t r = 0; r < l->rows; r++)
            csv_row(&res->body, (const char *const *)&l->cells[r * l->cols], l->cols);
    } else if (xlsx_table(name, (const char *const *)l->cells, l->rows, l->cols, &res->body) < 0) {
        res->status = 503;
        sbuf_reset(&res->body);
        sbuf_addstr(&res->body, "the workbook could not be written\n");
        return;
    } else {
        res->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    http_add_header(res, "Content-Disposition", disposition);
}

/* The page's rows of the list (from..from+WEB_PAGE_ROWS), the case numbers as links. */
static void list_html(struct web_page *pg, const struct list *l, size_t from)
{
    struct sbuf *out = &pg->res->body;
    if (l->rows <= 1) {
        sbuf_addstr(out, "<p>");
        html_escape(out, web_text(pg, "web_none"));
        sbuf_addstr(out, "</p>\n");
        return;
    }
    sbuf_addstr(out, "<table>\n<tr>");
    for (size_t c = 0; c < l->cols; c++) {
        sbuf_addstr(out, "<th>");
        html_escape(out, l->cells[c]);
        sbuf_addstr(out, "</th>");
    }
    sbuf_addstr(out, "</tr>\n");
    for (size_t r = 1 + from; r < l->rows && r <= from + WEB_PAGE_ROWS; r++) {
        char *const *row = &l->cells[r * l->cols];
        int late = *row[7] == '-';
        sbuf_addstr(out, late ? "<tr class=\"late\">" : "<tr>");
        for (size_t c = 0; c < l->cols; c++) {
            sbuf_addstr(out, "<td>");
            if (c == 0 && *row[0]) {
                sbuf_addstr(out, "<a href=\"/web/case?n=");
                html_escape(out, row[0]);
                sbuf_addstr(out, "\">");
                html_escape(out, row[0]);
                sbuf_addstr(out, "</a>");
            } else {
                html_escape(out, row[c]);
            }
            sbuf_addstr(out, "</td>");
        }
        sbuf_addstr(out, "</tr>\n");
    }
    sbuf_addstr(out, "</table>\n");
    if (l->rows - 1 > from + WEB_PAGE_ROWS && from == 0) {
        char shown[16], all[16];
        snprintf(shown, sizeof shown, "%d", WEB_PAGE_ROWS);
        snprintf(all, sizeof all, "%zu", l->rows - 1);
        struct i18n_var v[] = {{"shown", shown}, {"all", all}, {NULL, NULL}};
        sbuf_addstr(out, "<p>");
        struct sbuf said = SBUF_INIT;
        i18n_render(&pg->cfg->texts, pg->session.lang, "web_shown_of", v, &said);
        html_escape(out, said.buf);
        sbuf_release(&said);
        sbuf_addstr(out, "</p>\n");
    }
}

/* Links to download this list: the request's own query with format added. */
static void download_links(struct web_page *pg)
{
    struct sbuf *out = &pg->res->body;
    sbuf_addstr(out, "<p>");
    html_escape(out, web_text(pg, "web_download"));
    for (int i = 0; i < 2; i++) {
        sbuf_addf(out, " <a href=\"%s?", pg->req->path);
        if (*pg->req->query) {
            html_escape(out, pg->req->query);
            sbuf_addstr(out, "&amp;");
        }
        sbuf_addf(out, "format=%s\">%s</a>", i ? "xlsx" : "csv", i ? "Excel (XLSX)" : "CSV");
    }
    sbuf_addstr(out, "</p>\n");
}

static void refuse(struct web_page *pg, int status, const char *key, const struct i18n_var *vars)
{
    struct sbuf why = SBUF_INIT;
    i18n_render(&pg->cfg->texts, pg->session.lang, key, vars, &why);
    pg->res->status = status;
    web_begin(pg, why.buf);
    web_end(pg);
    sbuf_release(&why);
}

/* The body a list is of: ?body=ID within the reader's rights; 0, or -1 refused. */
static int body_arg(struct web_page *pg, struct sbuf *body)
{
    if (http_arg(pg->req, "body", body) != 1 || !body->len) {
        sbuf_reset(body);
        sbuf_addstr(body, pg->scope);
        return 0;
    }
    if (!config_body(pg->cfg, body->buf)) {
        refuse(pg, 400, "web_bad_field", NULL);
        return -1;
    }
    if (!staff_may_act_on(&pg->me, body->buf)) {
        struct i18n_var why[] = {{"body", names_body(pg->cfg, body->buf, pg->session.lang)},
                                 {NULL, NULL}};
        refuse(pg, 403, "web_not_your_body", why);
        return -1;
    }
    return 0;
}

/* Due soon: open, due from today to DUE_SOON_WORKING_DAYS working days on. */
struct soon {
    struct rows row;
    int32_t until, today;
};

static int soon_row(void *ctx, const struct case_rec *c)
{
    struct soon *s = ctx;
    if (c->due_day > s->until)
        return 1; /* oldest due first: the rest are later */
    if (c->due_day < s->today || !case_clock_runs(c->status))
        return 0;
    return case_row(&s->row, c);
}

/* The morning page: what is overdue and what falls due in the next days, per body. */
static void page_overdue(struct web_page *pg)
{
    struct list late = {0}, soon = {0};
    struct sbuf body = SBUF_INIT;
    int *counts = NULL;
    if (body_arg(pg, &body) < 0)
        goto out;
    cases_list(pg, &late);
    cases_list(pg, &soon);
    size_t nb = pg->cfg->nbodies;
    counts = xcalloc(nb * 2 + 1, sizeof *counts); /* late per body, then soon per body */
    struct rows lr = {pg, &late, counts};
    struct soon sc = {
        {pg, &soon, counts + nb},
        calendar_add_working_days(&pg->cfg->calendar, pg->today, DUE_SOON_WORKING_DAYS),
        pg->today};
    if (store_cases_overdue(pg->store, pg->today, body.buf, case_row, &lr) < 0 ||
        store_cases_open(pg->store, body.buf, soon_row, &sc) < 0) {
        refuse(pg, 503, "web_store_down", NULL);
        goto out;
    }
    int format = list_format(pg);
    if (format) {
        /* one download: the overdue, then those due soon */
        for (size_t r = 1; r < soon.rows; r++)
            list_add(&late, (const char *const *)&soon.cells[r * soon.cols]);
        list_download(pg, &late, format, "overdue");
        goto out;
    }
    web_begin(pg, web_text(pg, "web_overdue_title"));
    struct sbuf *out = &pg->res->body;
    /* per body: how many are late and due soon */
    sbuf_addstr(out, "<table>\n<tr><th></th><th>");
    html_escape(out, web_text(pg, "web_overdue"));
    sbuf_addstr(out, "</th><th>");
    html_escape(out, web_text(pg, "web_due_soon"));
    sbuf_addstr(out, "</th></tr>\n");
    for (size_t b = 0; b < nb; b++) {
        if (!counts[b] && !counts[nb + b])
            continue;
        sbuf_addstr(out, "<tr><td><a href=\"/web/queue?body=");
        html_escape(out, pg->cfg->bodies[b].id);
        sbuf_addstr(out, "\">");
        html_escape(out, names_body(pg->cfg, pg->cfg->bodies[b].id, pg->session.lang));
        sbuf_addf(out, "</a></td><td%s>%d</td><td>%d</td></tr>\n",
                  counts[b] ? " class=\"late\"" : "", counts[b], counts[nb + b]);
    }
    sbuf_addstr(out, "</table>\n");
    sbuf_addstr(out, "<h2>");
    html_escape(out, web_text(pg, "web_overdue"));
    sbuf_addf(out, " (%zu)</h2>\n", late.rows - 1);
    list_html(pg, &late, 0);
    sbuf_addstr(out, "<h2>");
    html_escape(out, web_text(pg, "web_due_soon"));
    sbuf_addf(out, " (%zu)</h2>\n", soon.rows - 1);
    list_html(pg, &soon, 0);
    download_links(pg);
    web_end(pg);
out:
    free(counts);
    list_free(&late);
    list_free(&soon);
    sbuf_release(&body);
}

/* The page number asked for (from 1; the first when it is not one). */
static size_t page_arg(const struct web_page *pg)
{
    int page;
    if (http_int_arg(pg->req, "page", 1, 1, 100000, &page) < 0)
        page = 1;
    return (size_t)page;
}

static void pager(struct web_page *pg, size_t page, int more)
{
    struct sbuf *out = &pg->res->body;
    if (page <= 1 && !more)
        return;
    sbuf_addstr(out, "<p>");
    for (int next = 0; next < 2; next++) {
        if (next ? !more : page <= 1)
            continue;
        sbuf_addf(out, "<a href=\"%s?", pg->req->path);
        /* the request's own query, but its page */
        struct sbuf q = SBUF_INIT;
        sbuf_addstr(&q, pg->req->query);
        for (char *a = strtok(q.buf, "&"); a; a = strtok(NULL, "&"))
            if (strncmp(a, "page=", 5) && strncmp(a, "lang=", 5)) {
                html_escape(out, a);
                sbuf_addstr(out, "&amp;");
            }
        sbuf_release(&q);
        sbuf_addf(out, "page=%zu\">", next ? page + 1 : page - 1);
        html_escape(out, web_text(pg, next ? "web_next" : "web_previous"));
        sbuf_addstr(out, "</a> ");
    }
    sbuf_addstr(out, "</p>\n");
}

/* A body's open cases, oldest due first. */
static void page_queue(struct web_page *pg)
{
    struct list l = {0};
    struct sbuf body = SBUF_INIT, title = SBUF_INIT;
    if (body_arg(pg, &body) < 0)
        goto out;
    cases_list(pg, &l);
    struct rows rs = {pg, &l, NULL};
    if (store_cases_open(pg->store, body.buf, case_row, &rs) < 0) {
        refuse(pg, 503, "web_store_down", NULL);
        goto out;
    }
    int format = list_format(pg);
    if (format) {
        list_download(pg, &l, format, "queue");
        goto out;
    }
    struct i18n_var v[] = {{"body", body.len ? names_body(pg->cfg, body.buf, pg->session.lang)
                                             : web_text(pg, "web_all_bodies")},
                           {NULL, NULL}};
    i18n_render(&pg->cfg->texts, pg->session.lang, "web_queue_title", v, &title);
    web_begin(pg, title.buf);
    struct sbuf *out = &pg->res->body;
    if (!*pg->scope) { /* a supervisor picks the body */
        sbuf_addstr(out, "<form method=\"get\" action=\"/web/queue\"><select name=\"body\">"
                         "<option value=\"\">");
        html_escape(out, web_text(pg, "web_all_bodies"));
        sbuf_addstr(out, "</option>");
        for (size_t b = 0; b < pg->cfg->nbodies; b++) {
            sbuf_addstr(out, "<option value=\"");
            html_escape(out, pg->cfg->bodies[b].id);
            sbuf_addstr(out, !strcmp(body.buf, pg->cfg->bodies[b].id) ? "\" selected>" : "\">");
            html_escape(out, pg->cfg->bodies[b].name[pg->session.lang]);
            sbuf_addstr(out, "</option>");
        }
        sbuf_addstr(out, "</select> <button>");
        html_escape(out, web_text(pg, "web_show"));
        sbuf_addstr(out, "</button></form>\n");
    }
    size_t page = page_arg(pg);
    sbuf_addf(out, "<p>%zu</p>\n", l.rows - 1);
    list_html(pg, &l, (page - 1) * WEB_PAGE_ROWS);
    pager(pg, page, l.rows - 1 > page * WEB_PAGE_ROWS);
    download_links(pg);
    web_end(pg);
out:
    list_free(&l);
    sbuf_release(&body);
    sbuf_release(&title);
}

/* A select of the ids in ids (n of them, named by name()), with selected chosen. */
static void select_of(struct web_page *pg, const char *field, const char *label,
                      const char *const *ids, const char *const *names, size_t n,
                      const char *selected)
{
    struct sbuf *out = &pg->res->body;
    sbuf_addf(out, "<label>");
    html_escape(out, label);
    sbuf_addf(out, " <select name=\"%s\"><option value=\"\">", field);
    html_escape(out, web_text(pg, "web_any"));
    sbuf_addstr(out, "</option>");
    for (size_t i = 0; i < n; i++) {
        sbuf_addstr(out, "<option value=\"");
        html_escape(out, ids[i]);
        sbuf_addstr(out, !strcmp(ids[i], selected) ? "\" selected>" : "\">");
        html_escape(out, names[i]);
        sbuf_addstr(out, "</option>");
    }
    sbuf_addstr(out, "</select></label>\n");
}

struct field_labels {
    const char *v[8];
    struct sbuf all;
};

static void field_labels(const struct web_page *pg, const char *key, struct field_labels *f)
{
    sbuf_init(&f->all, 0);
    sbuf_addstr(&f->all, web_text(pg, key));
    int i = 0;
    for (char *item = strtok(f->all.buf, ","); item && i < 8; item = strtok(NULL, ","))
        f->v[i++] = item + strspn(item, " ");
    for (; i < 8; i++)
        f->v[i] = "";
}

/* A local day "YYYY-MM-DD" as the instant it starts; 0, -1 when malformed, 1 when empty. */
static int day_arg(const struct web_page *pg, const char *name, int next, int64_t *at)
{
    struct sbuf v = SBUF_INIT;
    int32_t day;
    int rc = 1;
    if (http_arg(pg->req, name, &v) == 1 && v.len) {
        rc = calendar_parse_date(v.buf, &day) < 0 ? -1 : 0;
        if (rc == 0)
            *at = calendar_day_start(&pg->cfg->calendar, day + next);
    }
    sbuf_release(&v);
    return rc;
}

/* Search by number, words, district, status, body and period. */
static void page_search(struct web_page *pg)
{
    const struct config *cfg = pg->cfg;
    struct sbuf q = SBUF_INIT, district = SBUF_INIT, status = SBUF_INIT, body = SBUF_INIT,
                from = SBUF_INIT, to = SBUF_INIT;
    struct list l = {0};
    struct field_labels f;
    field_labels(pg, "web_search_fields", &f);
    if (body_arg(pg, &body) < 0)
        goto out;
    http_arg(pg->req, "q", &q);
    http_arg(pg->req, "district", &district);
    http_arg(pg->req, "status", &status);
    http_arg(pg->req, "from", &from);
    http_arg(pg->req, "to", &to);
    enum case_status st;
    struct case_query cq = {.closed = -1, .body = body.buf};
    if ((q.len && !utf8_valid(q.buf, q.len)) || q.len > 200 ||
        (district.len && !config_district(cfg, district.buf)) ||
        (status.len && case_status_parse(status.buf, &st) < 0) ||
        day_arg(pg, "from", 0, &cq.from) < 0 || day_arg(pg, "to", 1, &cq.to) < 0) {
        refuse(pg, 400, "web_bad_field", NULL);
        goto out;
    }
    /* a number typed whole is that case */
    if (casenum_valid(q.buf)) {
        struct sbuf to_case = SBUF_INIT;
        sbuf_addstr(&to_case, "/web/case?n=");
        sbuf_addstr(&to_case, q.buf);
        redirect(pg->res, to_case.buf);
        sbuf_release(&to_case);
        goto out;
    }
    cq.district = district.buf;
    cq.status = status.buf;
    cq.text = q.buf;
    int format = list_format(pg);
    size_t page = page_arg(pg);
    cq.limit = format ? WEB_EXPORT_ROWS : WEB_PAGE_ROWS + 1;
    cq.offset = format ? 0 : (int)((page - 1) * WEB_PAGE_ROWS);
    cases_list(pg, &l);
    struct rows rs = {pg, &l, NULL};
    if (store_cases_find(pg->store, &cq, case_row, &rs) < 0) {
        refuse(pg, 503, "web_store_down", NULL);
        goto out;
    }
    if (format) {
        list_download(pg, &l, format, "search");
        goto out;
    }
    web_begin(pg, f.v[6]);
    struct sbuf *out = &pg->res->body;
    sbuf_addstr(out, "<form method=\"get\" action=\"/web/search\"><label>");
    html_escape(out, f.v[0]);
    sbuf_addstr(out, " <input name=\"q\" value=\"");
    html_escape(out, q.buf);
    sbuf_addstr(out, "\"></label>\n");
    const char **ids = xcalloc(cfg->ndistricts + cfg->nbodies + CASE_STATUSES + 1, sizeof *ids);
    const char **names = xcalloc(cfg->ndistricts + cfg->nbodies + CASE_STATUSES + 1, sizeof *ids);
    for (size_t i = 0; i < cfg->ndistricts; i++)
        ids[i] = cfg->districts[i].id, names[i] = cfg->districts[i].name[pg->session.lang];
    select_of(pg, "district", f.v[1], ids, names, cfg->ndistricts, district.buf);
    for (int i = 0; i < CASE_STATUSES; i++)
        ids[i] = case_status_name((enum case_status)i),
        names[i] = web_text(pg, case_status_key((enum case_status)i));
    select_of(pg, "status", f.v[2], ids, names, CASE_STATUSES, status.buf);
    if (!*pg->scope) {
        for (size_t i = 0; i < cfg->nbodies; i++)
            ids[i] = cfg->bodies[i].id, names[i] = cfg->bodies[i].name[pg->session.lang];
        select_of(pg, "body", f.v[3], ids, names, cfg->nbodies, body.buf);
    }
    free(ids);
    free(names);
    for (int i = 0; i < 2; i++) {
        sbuf_addstr(out, "<label>");
        html_escape(out, f.v[4 + i]);
        sbuf_addf(out, " <input type=\"date\" name=\"%s\" value=\"", i ? "to" : "from");
        html_escape(out, i ? to.buf : from.buf);
        sbuf_addstr(out, "\"></label>\n");
    }
    sbuf_addstr(out, "<button>");
    html_escape(out, f.v[6]);
    sbuf_addstr(out, "</button></form>\n");
    int more = l.rows - 1 > WEB_PAGE_ROWS;
    list_html(pg, &l, 0);
    pager(pg, page, more);
    download_links(pg);
    web_end(pg);
out:
    sbuf_release(&f.all);
    list_free(&l);
    sbuf_release(&q);
    sbuf_release(&district);
    sbuf_release(&status);
    sbuf_release(&body);
    sbuf_release(&from);
    sbuf_release(&to);
}

struct case_view {
    struct web_page *pg;
    struct sbuf *out;
    int n;
    const char *number;
};

static int history_row(void *ctx, int64_t at, const char *actor, const char *kind,
                       const char *detail)
{
    struct case_view *cv = ctx;
    char when[17];
    names_local_time(cv->pg->cfg, at, when);
    struct sbuf who = SBUF_INIT, what = SBUF_INIT;
    names_actor(&cv->pg->hx, actor, cv->pg->session.lang, &who);
    names_event(&cv->pg->hx, kind, detail ? detail : "", cv->pg->session.lang, &what);
    sbuf_addf(cv->out, "<tr><td>%s</td><td>", when);
    html_escape(cv->out, who.buf);
    sbuf_addstr(cv->out, "</td><td>");
    html_escape(cv->out, what.buf);
    sbuf_addstr(cv->out, "</td></tr>\n");
    sbuf_release(&who);
    sbuf_release(&what);
    return 0;
}

static int message_row(void *ctx, int64_t at, const char *author, const char *text, size_t len)
{
    struct case_view *cv = ctx;
    char when[17];
    names_local_time(cv->pg->cfg, at, when);
    struct sbuf who = SBUF_INIT, words = SBUF_INIT;
    names_actor(&cv->pg->hx, author, cv->pg->session.lang, &who);
    sbuf_add(&words, text, len);
    sbuf_addf(cv->out, "<p><strong>%s ", when);
    html_escape(cv->out, who.buf);
    sbuf_addstr(cv->out, "</strong></p><div class=\"words\">");
    html_escape(cv->out, words.buf);
    sbuf_addstr(cv->out, "</div>\n");
    sbuf_release(&who);
    sbuf_release(&words);
    return 0;
}

/* A file the citizen sent: a photo shown, a document to download, or why it is not here yet. */
static int file_row(void *ctx, const struct attachment *a)
{
    struct case_view *cv = ctx;
    struct sbuf *out = cv->out;
    char href[96];
    snprintf(href, sizeof href, "/web/file?n=%s&amp;id=%lld", cv->number, (long long)a->id);
    const char *kind =
        web_text(cv->pg, strcmp(a->kind, "photo") ? "web_file_document" : "web_file_photo");
    sbuf_addstr(out, cv->n++ ? " " : "");
    if (a->fetched == 1 && !strcmp(a->kind, "photo")) {
        sbuf_addf(out, "<a href=\"%s\"><img src=\"%s\" alt=\"", href, href);
        html_escape(out, kind);
        sbuf_addstr(out, "\" width=\"240\"></a>");
    } else if (a->fetched == 1)
        sbuf_addf(out, "<a href=\"%s\">", href);
    else
        sbuf_addstr(out, "<span>");
    if (a->fetched != 1 || strcmp(a->kind, "photo")) {
        html_escape(out, kind);
        if (a->fetched != 1) {
            sbuf_addstr(out, " (");
            html_escape(out,
                        web_text(cv->pg, a->fetched ? "web_file_missing" : "web_file_waiting"));
            sbuf_addch(out, ')');
        }
        sbuf_addstr(out, a->fetched == 1 ? "</a>" : "</span>");
    }
    return 0;
}

/* What a file is, by its first bytes: an image is shown, anything else is only downloaded. */
static const char *sniff(const unsigned char *b, size_t n, int *image)
{
    *image = 1;
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        return "image/jpeg";
    if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
        return "image/gif";
    if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
        return "image/webp";
    *image = 0;
    return n >= 5 && !memcmp(b, "%PDF-", 5) ? "application/pdf" : "application/octet-stream";
}

struct wanted {
    int64_t id;
    struct attachment a;
    int found;
};

static int find_file(void *ctx, const struct attachment *a)
{
    struct wanted *w = ctx;
    if (a->id == w->id) {
        w->a = *a;
        w->a.ref = NULL;
        w->found = 1;
    }
    return 0;
}

static int load_case(struct web_page *pg, const char *number, struct case_rec *c);

/* GET /web/file?n=NUMBER&id=ID: a file of a case the reader may see, as fetched from the channel.
 */
static void page_file(struct web_page *pg)
{
    struct sbuf number = SBUF_INIT, id = SBUF_INIT;
    struct case_rec c;
    case_init(&c);
    http_arg(pg->req, "n", &number);
    http_arg(pg->req, "id", &id);
    if (!load_case(pg, number.buf, &c))
        goto out;
    char *end;
    struct wanted w = {strtoll(id.buf, &end, 10), {0}, 0};
    if (!id.len || *end || store_attachments_of_case(pg->store, c.id, find_file, &w) < 0 ||
        !w.found || w.a.fetched != 1) {
        refuse(pg, 404, "web_file_waiting", NULL);
        goto out;
    }
    char dir[4096], path[4200];
    config_files_dir(pg->cfg, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%lld", dir, (long long)w.id);
    FILE *f = fopen(path, "rb");
    struct sbuf *body = &pg->res->body;
    char buf[65536];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0 && body->len + n <= ATTACHMENT_MAX_BYTES)
        sbuf_add(body, buf, n);
    if (!f || ferror(f)) {
        log_error("web", "%s cannot be read", path);
        sbuf_reset(body);
        refuse(pg, 404, "web_file_missing", NULL);
    } else {
        int image;
        char disposition[96];
        pg->res->content_type = sniff((const unsigned char *)body->buf, body->len, &image);
        snprintf(disposition, sizeof disposition, "%s; filename=\"tyndau-%s-%lld\"",
                 image ? "inline" : "attachment", c.number, (long long)w.id);
        http_add_header(pg->res, "Content-Disposition", disposition);
    }
    if (f)
        fclose(f);
out:
    case_release(&c);
    sbuf_release(&number);
    sbuf_release(&id);
}

/* An action's form: its hidden fields, then what the caller adds, then its button. */
static void form_begin(struct web_page *pg, const char *number, const char *action)
{
    struct sbuf *out = &pg->res->body;
    sbuf_addstr(out, "<form class=\"act\" method=\"post\" action=\"/web/act\">"
                     "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_escape(out, pg->session.csrf);
    sbuf_addstr(out, "\"><input type=\"hidden\" name=\"n\" value=\"");
    html_escape(out, number);
    sbuf_addf(out, "\"><input type=\"hidden\" name=\"action\" value=\"%s\">\n", action);
}

static void form_end(struct web_page *pg, const char *button)
{
    struct sbuf *out = &pg->res->body;
    sbuf_addf(out, "<button name=\"go\" value=\"1\">");
    html_escape(out, button);
    sbuf_addstr(out, "</button></form>\n");
}

static void text_field(struct web_page *pg, const char *name, const char *label, int area)
{
    struct sbuf *out = &pg->res->body;
    sbuf_addstr(out, "<label>");
    html_escape(out, label);
    if (area)
        sbuf_addf(out, "<br><textarea name=\"%s\" required></textarea></label><br>\n", name);
    else
        sbuf_addf(out, " <input name=\"%s\" size=\"50\" required></label>\n", name);
}

/* The forms of an open case: the chat's actions. */
static void case_actions(struct web_page *pg, const struct case_rec *c)
{
    struct sbuf *out = &pg->res->body;
    struct field_labels f;
    field_labels(pg, "web_actions", &f);
    sbuf_addstr(out, "<h2>");
    html_escape(out, web_text(pg, "web_actions_title"));
    sbuf_addstr(out, "</h2>\n");
    if (strcmp(c->assignee, pg->me.id)) {
        form_begin(pg, c->number, "take");
        form_end(pg, f.v[0]);
    }
    form_begin(pg, c->number, "answer");
    text_field(pg, "text", web_text(pg, "web_answer_label"), 1);
    form_end(pg, f.v[1]);
    form_begin(pg, c->number, "transfer");
    sbuf_addstr(out, "<select name=\"body\">");
    for (size_t b = 0; b < pg->cfg->nbodies; b++) {
        if (!strcmp(pg->cfg->bodies[b].id, c->body))
            continue;
        sbuf_addstr(out, "<option value=\"");
        html_escape(out, pg->cfg->bodies[b].id);
        sbuf_addstr(out, "\">");
        html_escape(out, pg->cfg->bodies[b].name[pg->session.lang]);
        sbuf_addstr(out, "</option>");
    }
    sbuf_addstr(out, "</select>\n");
    form_end(pg, f.v[2]);
    form_begin(pg, c->number, "extend");
    sbuf_addstr(out, "<input type=\"date\" name=\"date\" required> ");
    text_field(pg, "reason", web_text(pg, "web_reason"), 0);
    form_end(pg, f.v[3]);
    form_begin(pg, c->number, "close");
    sbuf_addstr(out, "<select name=\"outcome\"><option value=\"resolved\">");
    html_escape(out, web_text(pg, "outcome_resolved"));
    sbuf_addstr(out, "</option><option value=\"rejected\">");
    html_escape(out, web_text(pg, "outcome_rejected"));
    sbuf_addstr(out, "</option></select> ");
    text_field(pg, "reason", web_text(pg, "web_reason"), 0);
    form_end(pg, f.v[4]);
    form_begin(pg, c->number, "forward");
    text_field(pg, "name", web_text(pg, "web_forward_label"), 0);
    form_end(pg, f.v[5]);
    sbuf_release(&f.all);
}

/* Loads case ?n= within the reader's rights: 1, or 0 refused (the page says why). */
static int load_case(struct web_page *pg, const char *number, struct case_rec *c)
{
    struct i18n_var vars[] = {{"number", number}, {NULL, NULL}};
    if (!casenum_valid(number)) {
        refuse(pg, 400, "staff_bad_number", vars);
        return 0;
    }
    int rc = store_case_by_number(pg->store, number, c);
    if (rc <= 0) {
        refuse(pg, rc < 0 ? 503 : 404, rc < 0 ? "web_store_down" : "staff_no_case", vars);
        return 0;
    }
    if (!staff_may_act_on(&pg->me, c->body)) {
        struct i18n_var why[] = {{"number", number},
                                 {"body", names_body(pg->cfg, c->body, pg->session.lang)},
                                 {NULL, NULL}};
        refuse(pg, 403, "staff_not_yours", why);
        return 0;
    }
    return 1;
}

static void page_case(struct web_page *pg)
{
    struct sbuf number = SBUF_INIT, title = SBUF_INIT;
    struct case_rec c;
    case_init(&c);
    http_arg(pg->req, "n", &number);
    if (!load_case(pg, number.buf, &c))
        goto out;
    const struct config *cfg = pg->cfg;
    enum lang l = pg->session.lang;
    struct i18n_var v[] = {{"number", c.number}, {NULL, NULL}};
    i18n_render(&cfg->texts, l, "web_case_title", v, &title);
    web_begin(pg, title.buf);
    struct sbuf *out = &pg->res->body;
    struct list cols = {0};
    cases_list(pg, &cols);
    struct rows rs = {pg, &cols, NULL};
    case_row(&rs, &c);
    sbuf_addstr(out, "<table>\n");
    for (size_t i = 1; i < cols.cols; i++) {
        if (!*cols.cells[cols.cols + i])
            continue;
        sbuf_addstr(out, "<tr><th>");
        html_escape(out, cols.cells[i]);
        sbuf_addf(out, "</th><td%s>",
                  i == 7 && *cols.cells[cols.cols + 7] == '-' ? " class=\"late\"" : "");
        html_escape(out, cols.cells[cols.cols + i]);
        sbuf_addstr(out, "</td></tr>\n");
    }
    list_free(&cols);
    struct case_view cv = {pg, out, 0, c.number};
    if (c.has_location) {
        sbuf_addstr(out, "<tr><th>");
        html_escape(out, web_text(pg, "web_place"));
        sbuf_addf(out,
                  "</th><td><a href=\"https://www.openstreetmap.org/?mlat=%.6f&amp;mlon=%.6f#"
                  "map=17/%.6f/%.6f\" rel=\"noreferrer\">%.6f, %.6f</a></td></tr>\n",
                  c.lat, c.lon, c.lat, c.lon, c.lat, c.lon);
    }
    sbuf_addstr(out, "<tr><th>");
    html_escape(out, web_text(pg, "web_files"));
    sbuf_addstr(out, "</th><td>");
    int rc = store_attachments_of_case(pg->store, c.id, file_row, &cv);
    if (!cv.n)
        sbuf_addstr(out, "–");
    sbuf_addstr(out, "</td></tr>\n</table>\n<h2>");
    html_escape(out, web_text(pg, "web_correspondence"));
    sbuf_addstr(out, "</h2>\n");
    if (rc == 0)
        rc = store_messages_of_case(pg->store, c.id, message_row, &cv);
    if (case_is_open(c.status))
        case_actions(pg, &c);
    sbuf_addstr(out, "<h2>");
    html_escape(out, web_text(pg, "web_history"));
    sbuf_addstr(out, "</h2>\n<table>\n");
    if (rc == 0)
        rc = store_events_of_case(pg->store, c.id, history_row, &cv);
    sbuf_addstr(out, "</table>\n");
    if (rc < 0) {
        sbuf_addstr(out, "<p class=\"late\">");
        html_escape(out, web_text(pg, "web_store_down"));
        sbuf_addstr(out, "</p>\n");
    }
    web_end(pg);
out:
    case_release(&c);
    sbuf_release(&number);
    sbuf_release(&title);
}

/* A form field as a person typed it, taken as the chat takes a message (dispatch_text_problem). */
static int text_arg(const struct web_page *pg, const char *name, struct sbuf *out)
{
    const char *why;
    if (http_arg(pg->req, name, out) != 1 ||
        dispatch_text_problem(pg->cfg, out->buf, out->len, &why))
        return -1;
    return 0;
}

/* POST /web/act: the chat's command for the action, its reply kept for the case's page. */
static void act(struct web_page *pg)
{
    static const struct {
        const char *action, *fields[3];
    } actions[] = {{"take", {NULL}},
                   {"answer", {"text", NULL}},
                   {"transfer", {"body", NULL}},
                   {"extend", {"date", "reason", NULL}},
                   {"close", {"outcome", "reason", NULL}},
                   {"forward", {"name", NULL}}};
    struct sbuf number = SBUF_INIT, action = SBUF_INIT, command = SBUF_INIT, told = SBUF_INIT,
                v = SBUF_INIT, back = SBUF_INIT;
    int which = -1;
    http_arg(pg->req, "n", &number);
    http_arg(pg->req, "action", &action);
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
        if (!strcmp(action.buf, actions[i].action))
            which = (int)i;
    if (which < 0 || !casenum_valid(number.buf)) {
        refuse(pg, 400, "web_bad_field", NULL);
        goto out;
    }
    sbuf_addf(&command, "/%s %s", actions[which].action, number.buf);
    for (int f = 0; actions[which].fields[f]; f++) {
        sbuf_reset(&v);
        if (text_arg(pg, actions[which].fields[f], &v) < 0) {
            refuse(pg, 400, "web_bad_field", NULL);
            goto out;
        }
        sbuf_addch(&command, ' ');
        sbuf_add(&command, v.buf, v.len);
    }
    if (store_begin(pg->store) < 0) {
        refuse(pg, 503, "web_store_down", NULL);
        goto out;
    }
    int rc = staff_act(&pg->hx, &pg->me, command.buf, &told);
    if (rc < 0 || store_commit(pg->store) < 0) {
        /* the action and the case, never the words typed: they are the citizen's business */
        log_error("web", "%s of %s by %s not done: %s", action.buf, number.buf, pg->me.id,
                  store_errmsg(pg->store));
        store_rollback(pg->store);
        sbuf_reset(&told);
        sbuf_addstr(&told, web_text(pg, "web_store_down"));
    }
    snprintf(pg->session.flash, sizeof pg->session.flash, "%s", told.buf);
    if (store_web_session_set(pg->store, &pg->session) < 0)
        log_warn("web", "a session's message not kept: %s", store_errmsg(pg->store));
    sbuf_addf(&back, "/web/case?n=%s", number.buf);
    redirect(pg->res, back.buf);
out:
    sbuf_release(&number);
    sbuf_release(&action);
    sbuf_release(&command);
    sbuf_release(&told);
    sbuf_release(&v);
    sbuf_release(&back);
}

static void cookie(struct web_page *pg, const char *value, int64_t max_age)
{
    char c[256];
    snprintf(c, sizeof c, COOKIE "=%s; Path=/web/; Max-Age=%lld; HttpOnly; SameSite=Lax%s", value,
             (long long)max_age, strncmp(pg->cfg->web.url, "https://", 8) ? "" : "; Secure");
    http_add_header(pg->res, "Set-Cookie", c);
}

/* GET shows a button (nothing is spent by a preview); POST spends the link and opens a session. */
static void signin(struct web_page *pg)
{
    const struct config *cfg = pg->cfg;
    enum lang l = http_lang(pg->req, cfg->intake.default_lang);
    struct sbuf t = SBUF_INIT, form = SBUF_INIT;
    char staff_id[CONFIG_ID_MAX] = "";
    int valid = http_arg(pg->req, "t", &t) == 1 && token_valid(t.buf);
    if (!strcmp(pg->req->method, "GET") && valid) {
        sbuf_addstr(&form, "<form method=\"post\" action=\"/web/signin\">"
                           "<input type=\"hidden\" name=\"t\" value=\"");
        html_escape(&form, t.buf);
        sbuf_addstr(&form, "\"><button>");
        html_escape(&form, i18n_get(&cfg->texts, l, "web_signin_button"));
        sbuf_addstr(&form, "</button></form>\n");
        bare_page(cfg, l, pg->res, 200, "web_signin_title", "web_signin_text", form.buf);
        goto out;
    }
    if (strcmp(pg->req->method, "POST") || !valid) {
        bare_page(cfg, l, pg->res, 400, "web_signin_title", "web_link_spent", NULL);
        goto out;
    }
    int rc = store_web_link_use(pg->store, t.buf, pg->hx.now, staff_id, sizeof staff_id);
    const struct staff *st = rc == 1 ? config_staff(cfg, staff_id) : NULL;
    if (rc < 0) {
        bare_page(cfg, l, pg->res, 503, "web_signin_title", "web_store_down", NULL);
        goto out;
    }
    if (!st) {
        log_warn("web", "a sign-in link used again, expired or unknown");
        bare_page(cfg, l, pg->res, 403, "web_signin_title", "web_link_spent", NULL);
        goto out;
    }
    struct web_session *s = &pg->session;
    memset(s, 0, sizeof *s);
    snprintf(s->staff_id, sizeof s->staff_id, "%s", st->id);
    s->lang = st->lang;
    s->expires_at = pg->hx.now + cfg->web.session_hours * 3600LL;
    if (token_new(s->token) < 0 || token_new(s->csrf) < 0 ||
        store_web_session_add(pg->store, s, pg->hx.now) < 0) {
        bare_page(cfg, l, pg->res, 503, "web_signin_title", "web_store_down", NULL);
        goto out;
    }
    log_info("web", "%s signed in", st->id);
    cookie(pg, s->token, cfg->web.session_hours * 3600LL);
    redirect(pg->res, "/web/");
out:
    sbuf_release(&t);
    sbuf_release(&form);
}

/* The session the request's cookie names: 1 (pg->me, pg->scope set), 0 none. */
static int signed_in(struct web_page *pg)
{
    const char *token = http_cookie(pg->req, COOKIE);
    if (!token || !token_valid(token))
        return 0;
    int rc = store_web_session_get(pg->store, token, pg->hx.now, &pg->session);
    const struct staff *st = rc == 1 ? config_staff(pg->cfg, pg->session.staff_id) : NULL;
    if (!st) /* a staff member taken out of the configuration is signed out */
        return 0;
    pg->me = *st;
    pg->me.lang = pg->session.lang;
    pg->scope = st->role == ROLE_SUPERVISOR || !st->body ? "" : st->body->id;
    return 1;
}

static void serve(void *ctx, const struct http_request *req, struct http_response *res)
{
    struct web *w = ctx;
    const struct config *cfg = config_hold(w->started);
    int64_t now_ms = clock_now_ms();
    struct web_page pg = {.store = w->store, .cfg = cfg, .req = req, .res = res};
    pg.hx = (struct handler_ctx){w->store, cfg, now_ms / 1000, now_ms};
    pg.today = calendar_local_day(&cfg->calendar, pg.hx.now);
    const char *sub = req->path + strlen("/web/");
    int post = !strcmp(req->method, "POST");
    security_headers(res);
    if (strcmp(req->method, "GET") && !post) {
        res->status = 405;
        sbuf_addstr(&res->body, "GET or POST\n");
    } else if (!strcmp(sub, "signin")) {
        signin(&pg);
    } else if (!signed_in(&pg)) {
        if (!strcmp(sub, "signout"))
            bare_page(cfg, http_lang(req, cfg->intake.default_lang), res, 200, "web_signin_title",
                      "web_signed_out", NULL);
        else
            bare_page(cfg, http_lang(req, cfg->intake.default_lang), res, 401, "web_signin_title",
                      "web_need_signin", NULL);
    } else {
        struct sbuf v = SBUF_INIT;
        enum lang asked = http_lang(req, pg.session.lang);
        if (!post && asked != pg.session.lang) {
            pg.session.lang = pg.me.lang = asked;
            if (store_web_session_set(w->store, &pg.session) < 0)
                log_warn("web", "a session's language not kept: %s", store_errmsg(w->store));
        }
        int forged =
            post && (http_arg(req, "csrf", &v) != 1 || !http_secret_equal(v.buf, pg.session.csrf));
        sbuf_release(&v);
        if (forged) {
            log_warn("web", "a form from %s without its token refused", pg.me.id);
            refuse(&pg, 403, "web_form_stale", NULL);
        } else if (!strcmp(sub, "signout") && post) {
            if (store_web_session_end(w->store, pg.session.token) < 0)
                log_warn("web", "a session not ended: %s", store_errmsg(w->store));
            cookie(&pg, "", 0);
            bare_page(cfg, pg.session.lang, res, 200, "web_signin_title", "web_signed_out", NULL);
        } else if (!strcmp(sub, "act") && post) {
            act(&pg);
        } else if (post) {
            res->status = 405;
            sbuf_addstr(&res->body, "GET\n");
        } else if (!*sub) {
            page_overdue(&pg);
        } else if (!strcmp(sub, "queue")) {
            page_queue(&pg);
        } else if (!strcmp(sub, "search")) {
            page_search(&pg);
        } else if (!strcmp(sub, "case")) {
            page_case(&pg);
        } else if (!strcmp(sub, "file")) {
            page_file(&pg);
        } else if (!strcmp(sub, "charts")) {
            web_charts(&pg);
        } else {
            refuse(&pg, 404, "web_not_found", NULL);
        }
    }
    config_drop(cfg);
}

static void to_dashboard(void *ctx, const struct http_request *req, struct http_response *res)
{
    (void)ctx, (void)req;
    redirect(res, "/web/");
}

void web_route(struct web *w, const struct config *started, struct store *store, struct http *http)
{
    w->started = started;
    w->store = store;
    http_route(http, "/web", to_dashboard, w, 0);
    http_route(http, "/web/", serve, w, WEB_MAX_BODY);
}
