#include "bot/pipeline/web_charts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/lib/html.h"
#include "bot/lib/xalloc.h"
#include "handlers/names.h"

#define WEEKS 12
#define MONTHS 6
#define WIDTH 760

static const char *const PALETTE[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a",
                                      "#66a61e", "#e6ab02", "#a6761d", "#666666",
                                      "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"};
#define NPALETTE (sizeof PALETTE / sizeof *PALETTE)

struct weekly {
    const struct web_page *pg;
    int32_t first; /* the Monday the first week starts */
    int *n;        /* [week][category] */
};

static int count_week(void *ctx, const struct case_rec *c)
{
    struct weekly *wk = ctx;
    const struct config *cfg = wk->pg->cfg;
    if (*wk->pg->scope && strcmp(c->body, wk->pg->scope))
        return 0;
    int week = (calendar_local_day(&cfg->calendar, c->registered_at) - wk->first) / 7;
    for (size_t k = 0; k < cfg->ncategories; k++)
        if (week >= 0 && week < WEEKS && !strcmp(cfg->categories[k].id, c->category))
            wk->n[week * cfg->ncategories + k]++;
    return 0;
}

static void heading(struct web_page *pg, const char *text)
{
    sbuf_addstr(&pg->res->body, "<h2>");
    html_escape(&pg->res->body, text);
    sbuf_addstr(&pg->res->body, "</h2>\n");
}

/* Stacked bars: appeals registered each of the last WEEKS weeks, by topic. */
static int chart_weekly(struct web_page *pg, const char *title)
{
    const struct config *cfg = pg->cfg;
    struct sbuf *out = &pg->res->body;
    size_t nk = cfg->ncategories;
    struct weekly wk = {pg, pg->today - (calendar_weekday(pg->today) - 1) - 7 * (WEEKS - 1),
                        xcalloc(WEEKS * nk + 1, sizeof(int))};
    int rc = store_cases_registered(pg->store, calendar_day_start(&cfg->calendar, wk.first),
                                    pg->hx.now + 1, count_week, &wk);
    if (rc == 0) {
        int most = 1;
        for (int w = 0; w < WEEKS; w++) {
            int sum = 0;
            for (size_t k = 0; k < nk; k++)
                sum += wk.n[w * nk + k];
            most = sum > most ? sum : most;
        }
        heading(pg, title);
        int h = 220, bar = (WIDTH - 60) / WEEKS;
        sbuf_addf(out,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                  "role=\"img\" aria-label=\"",
                  WIDTH, h + 40 + 18 * (int)((nk + 2) / 3));
        html_escape(out, title);
        sbuf_addf(out, "\"><text x=\"0\" y=\"12\" font-size=\"11\">%d</text>\n", most);
        for (int w = 0; w < WEEKS; w++) {
            double y = h + 10;
            int sum = 0;
            for (size_t k = 0; k < nk; k++) {
                int n = wk.n[w * nk + k];
                if (!n)
                    continue;
                double bh = (double)n * h / most;
                y -= bh;
                sum += n;
                sbuf_addf(out,
                          "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                          "<title>",
                          50 + w * bar, y, bar - 6, bh, PALETTE[k % NPALETTE]);
                html_escape(out, cfg->categories[k].name[pg->session.lang]);
                sbuf_addf(out, ": %d</title></rect>\n", n);
            }
            char monday[11];
            calendar_format_local(wk.first + 7 * w, monday);
            sbuf_addf(out,
                      "<text x=\"%d\" y=\"%d\" font-size=\"10\">%.5s</text>"
                      "<text x=\"%d\" y=\"%.1f\" font-size=\"10\">%d</text>\n",
                      50 + w * bar, h + 24, monday, 52 + w * bar, y - 3, sum);
        }
        for (size_t k = 0; k < nk; k++) {
            int x = (int)(k % 3) * 250, y = h + 40 + 18 * (int)(k / 3);
            sbuf_addf(out,
                      "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                      "<text x=\"%d\" y=\"%d\" font-size=\"11\">",
                      x, y, PALETTE[k % NPALETTE], x + 16, y + 10);
            html_escape(out, cfg->categories[k].name[pg->session.lang]);
            sbuf_addstr(out, "</text>\n");
        }
        sbuf_addstr(out, "</svg>\n");
    }
    free(wk.n);
    return rc;
}

/* The figures of one month per body, as /stats counts them. */
struct monthly {
    const struct web_page *pg;
    int month;
    struct stats_figures *f; /* [body][month]; total 0: no appeals */
};

static void month_row(void *ctx, const char *scope, const char *id, const struct stats_figures *f)
{
    struct monthly *m = ctx;
    const struct config *cfg = m->pg->cfg;
    if (strcmp(scope, "body") || (*m->pg->scope && strcmp(id, m->pg->scope)))
        return;
    for (size_t b = 0; b < cfg->nbodies; b++)
        if (!strcmp(cfg->bodies[b].id, id))
            m->f[b * MONTHS + m->month] = *f;
}

/* One figure of the body's month: its value (-1 none) and its text. */
typedef double (*figure_fn)(const struct stats_figures *f, char *text, size_t size);

static double in_time(const struct stats_figures *f, char *text, size_t size)
{
    if (f->in_time_share >= 0)
        snprintf(text, size, "%.0f%%", f->in_time_share * 100);
    return f->in_time_share;
}

static double median_days(const struct stats_figures *f, char *text, size_t size)
{
    if (f->median_days >= 0)
        snprintf(text, size, "%.1f", f->median_days);
    return f->median_days;
}

static double rating(const struct stats_figures *f, char *text, size_t size)
{
    if (f->rating >= 0)
        snprintf(text, size, "%.1f", f->rating);
    return f->rating;
}

/* The colour of a value on a scale from bad to good (good_high: higher is better). */
static const char *shade(double v, double bad, double good)
{
    double t = (v - bad) / (good - bad);
    return t >= 0.8 ? "#a5d6a7" : t >= 0.5 ? "#fff59d" : "#ef9a9a";
}

/* A grid: a row per body, a column per month, each cell coloured by how good it is. */
static void chart_grid(struct web_page *pg, const char *title, const struct monthly *m,
                       const char *const *months, figure_fn value, double bad, double good)
{
    const struct config *cfg = pg->cfg;
    struct sbuf *out = &pg->res->body;
    int rows = 0;
    for (size_t b = 0; b < cfg->nbodies; b++)
        for (int k = 0; k < MONTHS; k++)
            if (m->f[b * MONTHS + k].total) {
                rows++;
                break;
            }
    heading(pg, title);
    if (!rows) {
        sbuf_addstr(out, "<p>");
        html_escape(out, web_text(pg, "web_none"));
        sbuf_addstr(out, "</p>\n");
        return;
    }
    int cell = 60, left = WIDTH - MONTHS * cell;
    sbuf_addf(out,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
              "aria-label=\"",
              WIDTH, 24 + rows * 24);
    html_escape(out, title);
    sbuf_addstr(out, "\">\n");
    for (int k = 0; k < MONTHS; k++)
        sbuf_addf(out, "<text x=\"%d\" y=\"14\" font-size=\"11\">%s</text>\n", left + k * cell + 4,
                  months[k]);
    int y = 20;
    for (size_t b = 0; b < cfg->nbodies; b++) {
        int any = 0;
        for (int k = 0; k < MONTHS; k++)
            any |= m->f[b * MONTHS + k].total != 0;
        if (!any)
            continue;
        sbuf_addf(out, "<text x=\"0\" y=\"%d\" font-size=\"11\">", y + 15);
        html_escape(out, cfg->bodies[b].name[pg->session.lang]);
        sbuf_addstr(out, "</text>\n");
        for (int k = 0; k < MONTHS; k++) {
            char text[16] = "–";
            const struct stats_figures *f = &m->f[b * MONTHS + k];
            double v = f->total ? value(f, text, sizeof text) : -1;
            sbuf_addf(out,
                      "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"22\" fill=\"%s\"/>"
                      "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
                      left + k * cell, y, cell - 2, v < 0 ? "#eeeeee" : shade(v, bad, good),
                      left + k * cell + 6, y + 15, text);
        }
        y += 24;
    }
    sbuf_addstr(out, "</svg>\n");
}

struct overdue {
    const struct config *cfg;
    int *n;
};

static int count_overdue(void *ctx, const struct case_rec *c)
{
    struct overdue *o = ctx;
    for (size_t b = 0; b < o->cfg->nbodies; b++)
        o->n[b] += !strcmp(o->cfg->bodies[b].id, c->body);
    return 0;
}

/* Bars: how many cases are overdue today, per body. */
static int chart_overdue(struct web_page *pg, const char *title)
{
    const struct config *cfg = pg->cfg;
    struct sbuf *out = &pg->res->body;
    struct overdue o = {cfg, xcalloc(cfg->nbodies + 1, sizeof(int))};
    int rc = store_cases_overdue(pg->store, pg->today, pg->scope, count_overdue, &o);
    if (rc == 0) {
        int most = 1, rows = 0;
        for (size_t b = 0; b < cfg->nbodies; b++) {
            most = o.n[b] > most ? o.n[b] : most;
            rows += o.n[b] > 0;
        }
        heading(pg, title);
        if (!rows) {
            sbuf_addstr(out, "<p>");
            html_escape(out, web_text(pg, "web_none"));
            sbuf_addstr(out, "</p>\n");
        } else {
            sbuf_addf(out,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                      "role=\"img\" aria-label=\"",
                      WIDTH, rows * 24 + 4);
            html_escape(out, title);
            sbuf_addstr(out, "\">\n");
            int y = 2;
            for (size_t b = 0; b < cfg->nbodies; b++) {
                if (!o.n[b])
                    continue;
                double w = 300.0 * o.n[b] / most;
                sbuf_addf(out, "<text x=\"0\" y=\"%d\" font-size=\"11\">", y + 15);
                html_escape(out, cfg->bodies[b].name[pg->session.lang]);
                sbuf_addf(
                    out,
                    "</text><rect x=\"400\" y=\"%d\" width=\"%.1f\" height=\"18\" "
                    "fill=\"#c62828\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\">%d</text>\n",
                    y, w, 405 + w, y + 14, o.n[b]);
                y += 24;
            }
            sbuf_addstr(out, "</svg>\n");
        }
    }
    free(o.n);
    return rc;
}

void web_charts(struct web_page *pg)
{
    const struct config *cfg = pg->cfg;
    web_begin(pg, web_text(pg, "web_charts_title"));
    int rc = chart_weekly(pg, web_text(pg, "web_chart_weekly"));
    /* the last MONTHS months, this one last */
    struct monthly m = {pg, 0, xcalloc(cfg->nbodies * MONTHS + 1, sizeof(struct stats_figures))};
    char months[MONTHS][12];
    const char *month_names[MONTHS];
    int y, mo, d;
    calendar_ymd_from_day(pg->today, &y, &mo, &d);
    for (int k = MONTHS - 1; k >= 0 && rc == 0; k--) {
        snprintf(months[k], sizeof months[k], "%04d-%02d", y % 10000, mo % 100);
        month_names[k] = months[k];
        m.month = k;
        rc = stats_each(&pg->hx, months[k], month_row, &m) < 0 ? -1 : 0;
        if (--mo == 0)
            mo = 12, y--;
    }
    if (rc == 0) {
        chart_grid(pg, web_text(pg, "web_chart_in_time"), &m, month_names, in_time, 0.5, 1.0);
        chart_grid(pg, web_text(pg, "web_chart_median"), &m, month_names, median_days, 15, 1);
        chart_grid(pg, web_text(pg, "web_chart_rating"), &m, month_names, rating, 1, 5);
        rc = chart_overdue(pg, web_text(pg, "web_chart_overdue"));
    }
    if (rc < 0) {
        sbuf_addstr(&pg->res->body, "<p class=\"late\">");
        html_escape(&pg->res->body, web_text(pg, "web_store_down"));
        sbuf_addstr(&pg->res->body, "</p>\n");
    }
    free(m.f);
    web_end(pg);
}
