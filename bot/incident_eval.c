#include "bot/incident_eval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/incident.h"
#include "bot/domain/words.h"
#include "bot/lib/sbuf.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

struct labelled {
    char *label, *category, *district, *body, *text;
    long line;
};

/* Splits a line into its five tab-separated fields; 0 when it has them. */
static int fields(char *line, char *f[5])
{
    f[0] = line;
    for (int i = 1; i < 5; i++) {
        char *tab = strchr(f[i - 1], '\t');
        if (!tab)
            return -1;
        *tab = 0;
        f[i] = tab + 1;
    }
    return 0;
}

static void free_all(struct labelled *v, struct incident_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].label);
        free(v[i].category);
        free(v[i].district);
        free(v[i].body);
        free(v[i].text);
        incident_item_release(&items[i]);
    }
    free(v);
    free(items);
}

int incident_eval(const struct config *cfg, const char *path, FILE *out, FILE *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(err, "tyndau: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct labelled *v = NULL;
    struct incident_item *items = NULL;
    size_t n = 0, cap = 0, len = 0;
    char *line = NULL;
    long lineno = 0;
    int bad = 0;
    struct stemmers *st = stemmers_new();
    ssize_t got;
    while (!bad && (got = getline(&line, &len, f)) >= 0) {
        char *fld[5], *end;
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = 0;
        if (!got || line[0] == '#')
            continue;
        if (fields(line, fld) < 0 || !utf8_valid(fld[4], strlen(fld[4]))) {
            fprintf(err, "%s:%ld: want label TAB category TAB district TAB minutes TAB text\n",
                    path, lineno);
            bad = 1;
            break;
        }
        long minutes = strtol(fld[3], &end, 10);
        const struct category *cat = config_category(cfg, fld[1]);
        const struct district *dist = config_district(cfg, fld[2]);
        if (*end || end == fld[3] || !cat || !dist) {
            fprintf(err, "%s:%ld: %s\n", path, lineno,
                    !cat    ? "unknown category"
                    : !dist ? "unknown district"
                            : "minutes must be a whole number");
            bad = 1;
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            v = xrealloc(v, cap * sizeof *v);
            items = xrealloc(items, cap * sizeof *items);
        }
        const struct body *b = config_route(cfg, cat, dist);
        v[n] = (struct labelled){xstrdup(fld[0]),         xstrdup(fld[1]), xstrdup(fld[2]),
                                 xstrdup(b ? b->id : ""), xstrdup(fld[4]), lineno};
        incident_item_init(&items[n]);
        items[n].category = v[n].category;
        items[n].district = v[n].district;
        items[n].body = v[n].body;
        items[n].at = minutes * 60;
        incident_tokens(&cfg->incidents, st, v[n].text, strlen(v[n].text), &items[n].tokens);
        n++;
    }
    free(line);
    fclose(f);
    stemmers_free(st);
    if (bad) {
        free_all(v, items, n);
        return 1;
    }
    /* the gateway sees them in the order they came */
    for (size_t i = 1; i < n; i++)
        if (items[i].at < items[i - 1].at) {
            fprintf(err, "%s:%ld: the appeals must be in the order they came\n", path, v[i].line);
            free_all(v, items, n);
            return 1;
        }
    size_t *group = xcalloc(n ? n : 1, sizeof *group), *size = xcalloc(n ? n : 1, sizeof *size);
    incident_cluster(&cfg->incidents, items, n, group);
    for (size_t i = 0; i < n; i++)
        size[group[i]]++;
    long tp = 0, fp = 0, fn = 0, unrelated = 0, unrelated_joined = 0, found = 0;
    for (size_t i = 0; i < n; i++) {
        int in_i = size[group[i]] >= (size_t)cfg->incidents.min_appeals;
        unrelated += !strcmp(v[i].label, "-");
        unrelated_joined += in_i && !strcmp(v[i].label, "-");
        for (size_t j = i + 1; j < n; j++) {
            int together = in_i && group[i] == group[j];
            int same = strcmp(v[i].label, "-") && !strcmp(v[i].label, v[j].label);
            tp += together && same;
            fp += together && !same;
            fn += !together && same;
        }
    }
    for (size_t g = 0; g < n; g++) {
        if (size[g] < (size_t)cfg->incidents.min_appeals || group[g] != g)
            continue;
        found++;
        fprintf(out, "incident of %zu (%s, %s, from line %ld):", size[g], v[g].category,
                v[g].district, v[g].line);
        for (size_t i = g; i < n; i++)
            if (group[i] == g)
                fprintf(out, " %s", v[i].label);
        fputc('\n', out);
    }
    /* what an operator tuning the settings wants to read: the appeals left out, the intruders */
    for (size_t i = 0; i < n; i++) {
        int in_i = size[group[i]] >= (size_t)cfg->incidents.min_appeals;
        int labelled = strcmp(v[i].label, "-") != 0;
        if (labelled && !in_i)
            fprintf(out, "left alone, line %ld (%s): %s\n", v[i].line, v[i].label, v[i].text);
        else if (in_i && strcmp(v[i].label, v[group[i]].label))
            fprintf(out, "joined to %s, line %ld (%s): %s\n", v[group[i]].label, v[i].line,
                    v[i].label, v[i].text);
    }
    fprintf(out,
            "appeals %zu, incidents found %ld\n"
            "pairs: together and same %ld, together but not %ld, same but apart %ld\n"
            "precision %.1f%%  recall %.1f%%  unrelated appeals joined %ld of %ld\n"
            "settings: window_hours %d, radius_m %d, min_appeals %d, similarity %d%%\n",
            n, found, tp, fp, fn, tp + fp ? 100.0 * tp / (tp + fp) : 100.0,
            tp + fn ? 100.0 * tp / (tp + fn) : 100.0, unrelated_joined, unrelated,
            cfg->incidents.window_hours, cfg->incidents.radius_m, cfg->incidents.min_appeals,
            cfg->incidents.similarity);
    free(group);
    free(size);
    free_all(v, items, n);
    return 0;
}
