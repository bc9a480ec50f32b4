#include "bot/domain/router.h"

#include <stdlib.h>
#include <string.h>

#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

void route_pick_init(struct route_pick *pick)
{
    memset(pick, 0, sizeof *pick);
    sbuf_init(&pick->why, 0);
}

void route_pick_release(struct route_pick *pick)
{
    sbuf_release(&pick->why);
}

/* Lower-cased words of the text, NUL-separated in one buffer. */
static size_t split_words(const char *text, size_t len, struct sbuf *words)
{
    const char *p = text, *end = text + len;
    size_t n = 0;
    int in_word = 0;
    while (p < end && *p) {
        uint32_t cp = utf8_next(&p);
        int is_word = utf8_is_letter(cp) || (cp >= '0' && cp <= '9');
        if (is_word) {
            cp = utf8_lower(cp);
            if (cp == 0x451)
                cp = 0x435; /* ё -> е, as in the stems */
            utf8_put(words, cp);
            in_word = 1;
        } else if (in_word) {
            sbuf_addch(words, 0);
            in_word = 0;
            n++;
        }
    }
    if (in_word) {
        sbuf_addch(words, 0);
        n++;
    }
    return n;
}

/* The keywords of one kind of item (categories or districts), flattened. */
struct scored {
    const struct keyword *kw;
    size_t item;
    int used;
};

/*
 * Scores items against the words.  Each word is claimed by the longest stem
 * that matches it, across all items ("водитель" goes to "водител", not to
 * "вод"), and each stem counts once however often it matches.
 * Returns the index of the best item, or -1 on no match or a tie.
 */
static int score_items(struct scored *stems, size_t nstems, size_t nitems,
                       const char *(*item_id)(const void *, size_t), const void *items,
                       const struct sbuf *words, int *best_score, int *tie, struct sbuf *why)
{
    int scores[256] = {0};
    for (size_t off = 0; off < words->len; off += strlen(words->buf + off) + 1) {
        const char *w = words->buf + off;
        struct scored *best = NULL;
        size_t best_len = 0;
        for (size_t k = 0; k < nstems; k++) {
            size_t len = strlen(stems[k].kw->stem);
            if (len > best_len && strncmp(w, stems[k].kw->stem, len) == 0)
                best = &stems[k], best_len = len;
        }
        if (!best || best->used || best->item >= 256)
            continue;
        best->used = 1;
        scores[best->item] += best->kw->weight;
        sbuf_addf(why, "  \"%s\" <- stem \"%s\" (+%d) %s\n", w, best->kw->stem, best->kw->weight,
                  item_id(items, best->item));
    }
    int best_item = -1;
    *best_score = 0;
    *tie = 0;
    for (size_t i = 0; i < nitems && i < 256; i++) {
        if (scores[i] > *best_score)
            *best_score = scores[i], best_item = (int)i, *tie = 0;
        else if (scores[i] == *best_score && scores[i] > 0)
            *tie = 1;
    }
    return *tie ? -1 : best_item;
}

static const char *category_id(const void *items, size_t i)
{
    return ((const struct category *)items)[i].id;
}

static const char *district_id(const void *items, size_t i)
{
    return ((const struct district *)items)[i].id;
}

static struct scored *flatten(const struct keyword *const *kws, const size_t *counts, size_t nitems,
                              size_t *nout)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < nitems; i++)
        total += counts[i];
    struct scored *out = xcalloc(total + 1, sizeof *out);
    for (size_t i = 0; i < nitems; i++)
        for (size_t k = 0; k < counts[i]; k++)
            out[n++] = (struct scored){&kws[i][k], i, 0};
    *nout = n;
    return out;
}

void router_pick(const struct config *cfg, const char *text, size_t len,
                 const struct district *fallback_district, struct route_pick *pick)
{
    struct sbuf words = SBUF_INIT;
    split_words(text, len, &words);

    int best, tie;
    size_t nitems = cfg->ncategories > cfg->ndistricts ? cfg->ncategories : cfg->ndistricts;
    const struct keyword **kws = xcalloc(nitems + 1, sizeof *kws);
    size_t *counts = xcalloc(nitems + 1, sizeof *counts), nstems;

    for (size_t i = 0; i < cfg->ncategories; i++)
        kws[i] = cfg->categories[i].keywords, counts[i] = cfg->categories[i].nkeywords;
    struct scored *stems = flatten(kws, counts, cfg->ncategories, &nstems);
    int c = score_items(stems, nstems, cfg->ncategories, category_id, cfg->categories, &words,
                        &best, &tie, &pick->why);
    free(stems);
    pick->category = c >= 0 ? &cfg->categories[c] : NULL;
    pick->category_score = best;
    if (tie)
        sbuf_addf(&pick->why, "  categories tie at %d: the citizen chooses\n", best);

    for (size_t i = 0; i < cfg->ndistricts; i++)
        kws[i] = cfg->districts[i].keywords, counts[i] = cfg->districts[i].nkeywords;
    stems = flatten(kws, counts, cfg->ndistricts, &nstems);
    int d = score_items(stems, nstems, cfg->ndistricts, district_id, cfg->districts, &words, &best,
                        &tie, &pick->why);
    free(stems);
    free(kws);
    free(counts);
    pick->district = d >= 0 ? &cfg->districts[d] : NULL;
    pick->district_score = best;
    if (tie)
        sbuf_addf(&pick->why, "  districts tie at %d: the citizen chooses\n", best);
    if (!pick->district && fallback_district && !tie) {
        pick->district = fallback_district;
        sbuf_addf(&pick->why, "  district %s remembered from earlier appeals\n",
                  fallback_district->id);
    }
    if (pick->category && pick->district)
        pick->body = config_route(cfg, pick->category, pick->district);
    sbuf_release(&words);
}
