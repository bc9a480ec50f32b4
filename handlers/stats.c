/*
 * stats: the figures the research asks for, per department and per
 * district: cases, still open, answered in time (first answer on or before
 * the due day, of the cases answered or overdue; an overdue case counts as
 * late even if an earlier answer was on time), median time to the first answer, and satisfaction
 * (the citizens' ratings).  Where cases were joined into incidents, the figures per appeal are
 * followed by the same per problem: how many cases are in how many incidents, and how many
 * problems that makes (an incident counts once).  /stats [7d|30d|all|YYYY-MM]; an officer sees
 * their own body, a supervisor everything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "handlers/handler.h"
#include "bot/lib/xalloc.h"

struct group {
    int total, open, answered, rated, rating_sum;
    int judged;     /* answered, or overdue without an answer: the base of "in time" */
    int in_time;    /* first answer by the due day, and not overdue now */
    int64_t *waits; /* seconds to the first answer */
    int nwaits, cap;
    int joined;         /* cases in an incident */
    int64_t *incidents; /* the incidents they are in, each once */
    int nincidents, icap;
};

struct stats_ctx {
    const struct config *cfg;
    const char *only_body;
    int32_t today;
    struct group *bodies, *districts;
    struct group city;
};

static void group_add(struct group *g, const struct config *cfg, int32_t today,
                      const struct case_rec *c)
{
    int overdue = case_is_overdue(c->status, c->due_day, today);
    g->total++;
    g->open += case_is_open(c->status);
    g->judged += c->first_answer_at || overdue;
    if (c->first_answer_at) {
        g->answered++;
        if (!overdue && calendar_local_day(&cfg->calendar, c->first_answer_at) <= c->due_day)
            g->in_time++;
        if (g->nwaits == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 16;
            g->waits = xrealloc(g->waits, (size_t)g->cap * sizeof *g->waits);
        }
        g->waits[g->nwaits++] = c->first_answer_at - c->registered_at;
    }
    if (c->rating) {
        g->rated++;
        g->rating_sum += c->rating;
    }
    if (c->incident_id) {
        int i = 0;
        g->joined++;
        while (i < g->nincidents && g->incidents[i] != c->incident_id)
            i++;
        if (i == g->nincidents) {
            if (g->nincidents == g->icap) {
                g->icap = g->icap ? g->icap * 2 : 8;
                g->incidents = xrealloc(g->incidents, (size_t)g->icap * sizeof *g->incidents);
            }
            g->incidents[g->nincidents++] = c->incident_id;
        }
    }
}

static int count_case(void *ctx, const struct case_rec *c)
{
    struct stats_ctx *sc = ctx;
    if (sc->only_body && strcmp(sc->only_body, c->body) != 0)
        return 0;
    group_add(&sc->city, sc->cfg, sc->today, c);
    for (size_t i = 0; i < sc->cfg->nbodies; i++)
        if (!strcmp(sc->cfg->bodies[i].id, c->body))
            group_add(&sc->bodies[i], sc->cfg, sc->today, c);
    for (size_t i = 0; i < sc->cfg->ndistricts; i++)
        if (!strcmp(sc->cfg->districts[i].id, c->district))
            group_add(&sc->districts[i], sc->cfg, sc->today, c);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static struct stats_figures figures_of(struct group *g)
{
    struct stats_figures f = {g->total,
                              g->open,
                              g->answered,
                              g->rated,
                              g->judged,
                              g->in_time,
                              -1,
                              -1,
                              -1,
                              g->joined,
                              g->nincidents,
                              g->total - g->joined + g->nincidents};
    if (g->judged)
        f.in_time_share = (double)g->in_time / g->judged;
    if (g->nwaits) {
        qsort(g->waits, (size_t)g->nwaits, sizeof *g->waits, cmp_i64);
        f.median_days = (double)g->waits[g->nwaits / 2] / 86400.0;
    }
    if (g->rated)
        f.rating = (double)g->rating_sum / g->rated;
    return f;
}

static void render_group(const struct config *cfg, enum lang lang, const char *name,
                         struct group *g, struct sbuf *out)
{
    char total[16], open[16], in_time[16], median[16], rating[16];
    if (!g->total)
        return;
    struct stats_figures f = figures_of(g);
    snprintf(total, sizeof total, "%d", f.total);
    snprintf(open, sizeof open, "%d", f.open);
    if (f.in_time_share >= 0) /* nothing answered and nothing late yet: no share to show */
        snprintf(in_time, sizeof in_time, "%d%%", (int)(100.0 * f.in_time_share + 0.5));
    else
        snprintf(in_time, sizeof in_time, "–");
    if (f.median_days >= 0)
        snprintf(median, sizeof median, "%.1f", f.median_days);
    else
        snprintf(median, sizeof median, "–");
    if (f.rating >= 0)
        snprintf(rating, sizeof rating, "%.1f", f.rating);
    else
        snprintf(rating, sizeof rating, "–");
    struct i18n_var vars[] = {{"name", name},       {"total", total},   {"open", open},
                              {"in_time", in_time}, {"median", median}, {"rating", rating},
                              {NULL, NULL}};
    sbuf_addch(out, '\n');
    i18n_render(&cfg->texts, lang, "stats_line", vars, out);
    if (!f.incidents)
        return;
    char joined[16], incidents[16], problems[16];
    snprintf(joined, sizeof joined, "%d", f.joined);
    snprintf(incidents, sizeof incidents, "%d", f.incidents);
    snprintf(problems, sizeof problems, "%d", f.problems);
    struct i18n_var per[] = {
        {"joined", joined}, {"incidents", incidents}, {"problems", problems}, {NULL, NULL}};
    sbuf_addch(out, '\n');
    i18n_render(&cfg->texts, lang, "stats_incidents", per, out);
}

enum period_kind { PERIOD_DAYS, PERIOD_ALL, PERIOD_MONTH };

/* "7d", "30d" (the default), "all" or "YYYY-MM"; -1 if not understood. */
static int period_parse(const char *period, enum period_kind *kind, int *days, int *y, int *m)
{
    char unit, tail;
    if (!*period)
        period = "30d";
    if (!strcmp(period, "all")) {
        *kind = PERIOD_ALL;
        return 0;
    }
    if (strlen(period) == 7 && sscanf(period, "%4d-%2d%c", y, m, &tail) == 2 && *m >= 1 &&
        *m <= 12) {
        *kind = PERIOD_MONTH;
        return 0;
    }
    if (sscanf(period, "%d%c%c", days, &unit, &tail) == 2 && unit == 'd' && *days > 0 &&
        *days <= 3660) {
        *kind = PERIOD_DAYS;
        return 0;
    }
    return -1;
}

/* The period as [from, to); -1 if not understood. */
static int period_bounds(const struct config *cfg, const char *period, int64_t now, int64_t *from,
                         int64_t *to)
{
    enum period_kind kind;
    int days = 0, y = 0, m = 0;
    if (period_parse(period, &kind, &days, &y, &m) < 0)
        return -1;
    *to = now + 1;
    *from = 0;
    if (kind == PERIOD_DAYS) {
        *from = now - (int64_t)days * 86400;
    } else if (kind == PERIOD_MONTH) {
        *from = calendar_day_start(&cfg->calendar, calendar_day_from_ymd(y, m, 1));
        *to = calendar_day_start(
            &cfg->calendar, calendar_day_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1));
    }
    return 0;
}

struct month_pick {
    int index; /* 0 January */
    struct sbuf name;
};

static int month_item(void *ctx, const char *item, size_t len, int index)
{
    struct month_pick *pick = ctx;
    if (index != pick->index)
        return 0;
    sbuf_add(&pick->name, item, len);
    return 1;
}

/* The period in words, in lang: "за 30 дней", "барлық уақыт", "November 2026". */
void stats_period_words(const struct config *cfg, enum lang lang, const char *period,
                        struct sbuf *out)
{
    enum period_kind kind;
    int days = 0, y = 0, m = 0;
    char num[16], year[8];
    if (period_parse(period, &kind, &days, &y, &m) < 0 || kind == PERIOD_ALL) {
        i18n_render(&cfg->texts, lang, "stats_period_all", NULL, out);
    } else if (kind == PERIOD_DAYS) {
        snprintf(num, sizeof num, "%d", days);
        struct i18n_var vars[] = {{"days", num, "days_n"}, {NULL, NULL}};
        i18n_render(&cfg->texts, lang, "stats_period_days", vars, out);
    } else {
        struct month_pick pick = {m - 1, SBUF_INIT};
        i18n_items(&cfg->texts, lang, "month_names", month_item, &pick);
        struct sbuf month = pick.name;
        snprintf(year, sizeof year, "%d", y);
        struct i18n_var vars[] = {{"month", month.buf}, {"year", year}, {NULL, NULL}};
        i18n_render(&cfg->texts, lang, "stats_period_month", vars, out);
        sbuf_release(&month);
    }
}

/* The groups of period's cases counted into sc: 0, 1 for a period not understood, -1. */
static int count_period(const struct handler_ctx *hx, const char *period, const char *only_body,
                        struct stats_ctx *sc)
{
    const struct config *cfg = hx->cfg;
    int64_t from, to;
    memset(sc, 0, sizeof *sc);
    if (period_bounds(cfg, period, hx->now, &from, &to) < 0)
        return 1;
    *sc = (struct stats_ctx){cfg,
                             only_body,
                             calendar_local_day(&cfg->calendar, hx->now),
                             xcalloc(cfg->nbodies + 1, sizeof(struct group)),
                             xcalloc(cfg->ndistricts + 1, sizeof(struct group)),
                             {0}};
    return store_cases_registered(hx->store, from, to, count_case, sc) < 0 ? -1 : 0;
}

static void group_free(struct group *g)
{
    free(g->waits);
    free(g->incidents);
}

static void counted_free(struct stats_ctx *sc)
{
    for (size_t i = 0; sc->bodies && i < sc->cfg->nbodies; i++)
        group_free(&sc->bodies[i]);
    for (size_t i = 0; sc->districts && i < sc->cfg->ndistricts; i++)
        group_free(&sc->districts[i]);
    group_free(&sc->city);
    free(sc->bodies);
    free(sc->districts);
}

int stats_render(const struct handler_ctx *hx, enum lang lang, const char *period,
                 const char *only_body, struct sbuf *out)
{
    const struct config *cfg = hx->cfg;
    struct stats_ctx sc;
    int rc = count_period(hx, period, only_body, &sc);
    if (rc != 0)
        goto out;
    struct sbuf words = SBUF_INIT;
    stats_period_words(cfg, lang, period, &words);
    struct i18n_var head[] = {{"period", words.buf}, {NULL, NULL}};
    i18n_render(&cfg->texts, lang, "stats_header", head, out);
    sbuf_release(&words);
    int any = 0;
    for (size_t i = 0; i < cfg->nbodies; i++) {
        any |= sc.bodies[i].total > 0;
        render_group(cfg, lang, cfg->bodies[i].name[lang], &sc.bodies[i], out);
    }
    if (!any) {
        sbuf_addch(out, '\n');
        i18n_render(&cfg->texts, lang, "stats_none", NULL, out);
        goto out;
    }
    sbuf_addstr(out, "\n\n");
    i18n_render(&cfg->texts, lang, "stats_districts", NULL, out);
    for (size_t i = 0; i < cfg->ndistricts; i++)
        render_group(cfg, lang, cfg->districts[i].name[lang], &sc.districts[i], out);
out:
    counted_free(&sc);
    return rc;
}

int stats_each(const struct handler_ctx *hx, const char *period, stats_fn fn, void *ctx)
{
    const struct config *cfg = hx->cfg;
    struct stats_ctx sc;
    int rc = count_period(hx, period, NULL, &sc);
    if (rc == 0) {
        struct stats_figures f = figures_of(&sc.city);
        fn(ctx, "city", "", &f);
        for (size_t i = 0; i < cfg->nbodies; i++)
            if (sc.bodies[i].total) {
                f = figures_of(&sc.bodies[i]);
                fn(ctx, "body", cfg->bodies[i].id, &f);
            }
        for (size_t i = 0; i < cfg->ndistricts; i++)
            if (sc.districts[i].total) {
                f = figures_of(&sc.districts[i]);
                fn(ctx, "district", cfg->districts[i].id, &f);
            }
    }
    counted_free(&sc);
    return rc;
}
