#include "bot/route_eval.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/lang.h"
#include "bot/lib/sbuf.h"
#include "bot/lib/utf8.h"

enum verdict { RIGHT, ASKED, WRONG, VERDICTS };

struct tally {
    long n[VERDICTS];
};

static long total(const struct tally *t)
{
    return t->n[RIGHT] + t->n[ASKED] + t->n[WRONG];
}

static void print_tally(FILE *out, const char *what, const struct tally *t)
{
    long all = total(t);
    fprintf(out, "%-22s %4ld   right %4ld (%.1f%%)   asked %4ld (%.1f%%)   wrong %4ld (%.1f%%)\n",
            what, all, t->n[RIGHT], all ? 100.0 * t->n[RIGHT] / all : 0.0, t->n[ASKED],
            all ? 100.0 * t->n[ASKED] / all : 0.0, t->n[WRONG],
            all ? 100.0 * t->n[WRONG] / all : 0.0);
}

static enum verdict judge(const char *expected, const char *guessed)
{
    if (!guessed)
        return ASKED;
    return strcmp(expected, guessed) == 0 ? RIGHT : WRONG;
}

/* Splits a line at its first two tabs; 0 when it has them. */
static int fields(char *line, char **category, char **district, char **text)
{
    char *t1 = strchr(line, '\t');
    char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2)
        return -1;
    *t1 = *t2 = 0;
    *category = line, *district = t1 + 1, *text = t2 + 1;
    return 0;
}

int route_eval(const struct config *cfg, const struct route_model *model, const char *path,
               FILE *out, FILE *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(err, "tyndau: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct tally cat[LANG_COUNT + 1] = {0}, named = {0};
    long unnamed = 0, unnamed_guessed = 0;
    struct sbuf misses = SBUF_INIT;
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = 0;
        if (!got || line[0] == '#')
            continue;
        char *category, *district, *text;
        if (fields(line, &category, &district, &text) < 0 || !utf8_valid(text, strlen(text))) {
            fprintf(err, "%s:%ld: want category<TAB>district<TAB>text in UTF-8\n", path, lineno);
            rc = 1;
            break;
        }
        if (!config_category(cfg, category) ||
            (strcmp(district, "-") != 0 && !config_district(cfg, district))) {
            fprintf(err, "%s:%ld: no category `%s` or district `%s` in %s\n", path, lineno,
                    category, district, cfg->file);
            rc = 1;
            break;
        }
        struct route_query q = {.text = text, .len = strlen(text), .model = model};
        struct route_pick pick;
        route_pick_init(&pick);
        router_pick(cfg, &q, &pick);
        int lang = lang_detect(text, strlen(text));
        enum verdict v = judge(category, pick.category ? pick.category->id : NULL);
        cat[lang < 0 ? LANG_COUNT : lang].n[v]++;
        if (v != RIGHT)
            sbuf_addf(&misses, "  %ld: %s %s, not %s: %s\n", lineno,
                      v == ASKED ? "category asked" : "category wrong",
                      pick.category ? pick.category->id : "", category, text);
        const char *got_district = pick.district ? pick.district->id : NULL;
        if (strcmp(district, "-") != 0) {
            enum verdict dv = judge(district, got_district);
            named.n[dv]++;
            if (dv != RIGHT)
                sbuf_addf(&misses, "  %ld: district %s %s, not %s: %s\n", lineno,
                          dv == ASKED ? "asked" : "wrong", got_district ? got_district : "",
                          district, text);
        } else {
            unnamed++;
            if (got_district) {
                unnamed_guessed++;
                sbuf_addf(&misses, "  %ld: district %s guessed, none named: %s\n", lineno,
                          got_district, text);
            }
        }
        route_pick_release(&pick);
    }
    free(line);
    fclose(f);
    if (rc == 0) {
        struct tally all = {0};
        for (int l = 0; l <= LANG_COUNT; l++)
            for (int v = 0; v < VERDICTS; v++)
                all.n[v] += cat[l].n[v];
        print_tally(out, "category, all", &all);
        for (int l = 0; l < LANG_COUNT; l++)
            if (total(&cat[l])) {
                char what[40];
                snprintf(what, sizeof what, "category, %s", lang_codes[l]);
                print_tally(out, what, &cat[l]);
            }
        print_tally(out, "district, named", &named);
        fprintf(out, "%-22s %4ld   guessed %ld (wrong: the citizen named none)\n",
                "district, not named", unnamed, unnamed_guessed);
        if (model)
            fprintf(out, "learned from %ld corrections\n", route_model_examples(model));
        if (misses.len)
            fprintf(out, "misses (line: what happened):\n%s", misses.buf);
    }
    sbuf_release(&misses);
    return rc;
}
