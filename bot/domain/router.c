#include "bot/domain/router.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/geo.h"
#include "bot/domain/lang.h"
#include "bot/domain/words.h"
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

/* ---- keywords ---- */

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Whether word and key begin with different letters, which every rule below then refuses (a name
 * and a prefix are read from the first letter, an exact word and a stem are equal), except a
 * Kazakh stem of one letter, which may change it (к -> г).  Read inline, byte by byte: most of
 * the pairs of a message's words and a config's keywords end here.
 */
static int first_letter_differs(const char *word, const char *key)
{
    size_t n = utf8_letter_bytes(key);
    for (size_t i = 0; i < n; i++)
        if (word[i] != key[i])
            return 1; /* a word shorter than the letter differs at its end */
    return 0;
}

static int word_matches(const struct word *w, const struct keyword *kw, const struct kw_word *k)
{
    if (kw->match == KW_NAME) { /* a number in a name ("Жетысу 2") is itself */
        const char *word = w->langs && w->form[LANG_KK] ? w->form[LANG_KK] : w->text;
        const char *key = w->langs ? k->form[LANG_KK] : k->text;
        if (key[0] && first_letter_differs(word, key))
            return 0;
        return w->langs ? words_name_match(word, key) : strcmp(word, key) == 0;
    }
    if (!(w->langs & 1u << kw->lang))
        return 0;
    int l = kw->lang, whole = kw->match == KW_EXACT || kw->match == KW_PREFIX;
    /* the Kazakh form, the word as written, or a Russian or English stem */
    const char *word = l == LANG_KK ? w->form[LANG_KK] : whole ? w->text : w->form[l];
    const char *key = l == LANG_KK ? k->form[LANG_KK] : whole ? k->text : k->form[l];
    int kk_stem = l == LANG_KK && !whole;
    if (key[0] && first_letter_differs(word, key) && !(kk_stem && !key[utf8_letter_bytes(key)]))
        return 0;
    switch (kw->match) {
    case KW_EXACT:
        return strcmp(word, key) == 0;
    case KW_PREFIX:
        return starts(word, key);
    default:
        return kk_stem ? words_kk_match(word, key) : strcmp(word, key) == 0;
    }
}

/* One place where a keyword of an item matches the words. */
struct hit {
    const struct keyword *kw;
    size_t item;
    size_t at, n;  /* words[at .. at+n) */
    int own_lang;  /* the keyword is in the message's language */
    size_t length; /* bytes of the keyword as written: the more specific first */
};

struct hits {
    struct hit *v;
    size_t n, cap;
};

static void find_hits(const struct keyword *kws, size_t nkws, size_t item, const struct word *w,
                      size_t nw, int lang, struct hits *out)
{
    for (size_t k = 0; k < nkws; k++) {
        const struct keyword *kw = &kws[k];
        for (size_t i = 0; i + kw->nwords <= nw; i++) {
            size_t j = 0;
            while (j < kw->nwords && word_matches(&w[i + j], kw, &kw->words[j]))
                j++;
            if (j < kw->nwords)
                continue;
            if (out->n == out->cap)
                out->v =
                    xrealloc(out->v, (out->cap = out->cap ? out->cap * 2 : 16) * sizeof *out->v);
            out->v[out->n++] =
                (struct hit){kw, item, i, kw->nwords, kw->lang == lang, strlen(kw->written)};
        }
    }
}

static int hit_order(const void *a, const void *b)
{
    const struct hit *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    if (x->own_lang != y->own_lang)
        return x->own_lang ? -1 : 1;
    if (x->length != y->length)
        return x->length > y->length ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static const char *lang_name(int lang)
{
    return lang == KW_ANY_LANG ? "name" : lang_codes[lang];
}

/*
 * Each word goes to the first hit that wants it (phrases, then the message's
 * language, then the longest keyword); each keyword counts once.  Adds the
 * weights into scores[item].
 */
static void claim(struct hits *h, const struct word *w, size_t nw, int *scores,
                  const char *(*item_id)(const struct config *, size_t), const struct config *cfg,
                  struct sbuf *why)
{
    if (h->n)
        qsort(h->v, h->n, sizeof *h->v, hit_order);
    char *taken = xcalloc(nw + 1, 1);
    const struct keyword **counted = xcalloc(h->n + 1, sizeof *counted);
    size_t ncounted = 0;
    for (size_t i = 0; i < h->n; i++) {
        struct hit *x = &h->v[i];
        int free_ = 1, seen = 0;
        for (size_t j = 0; j < x->n; j++)
            free_ &= !taken[x->at + j];
        for (size_t c = 0; c < ncounted; c++)
            seen |= counted[c] == x->kw;
        if (!free_)
            continue;
        for (size_t j = 0; j < x->n; j++)
            taken[x->at + j] = 1;
        if (seen)
            continue;
        counted[ncounted++] = x->kw;
        scores[x->item] += x->kw->weight;
        sbuf_addstr(why, "  \"");
        for (size_t j = 0; j < x->n; j++)
            sbuf_addf(why, "%s%s", j ? " " : "", w[x->at + j].text);
        sbuf_addf(why, "\" <- %s \"%s\" (+%d) %s\n", lang_name(x->kw->lang), x->kw->written,
                  x->kw->weight, item_id(cfg, x->item));
    }
    free(taken);
    free(counted);
}

/* ---- the classifier ---- */

struct feature {
    char *stem;
    uint32_t hash;
    int *counts; /* per category of the model */
};

struct route_model {
    struct stemmers *stemmers;
    char **categories; /* ids, in order of first sight */
    long *docs;        /* examples per category */
    long *words;       /* stems per category */
    size_t ncategories;
    struct feature *table; /* open addressing */
    size_t cap, nfeatures;
    long examples;
};

static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

struct route_model *route_model_new(void)
{
    struct route_model *m = xcalloc(1, sizeof *m);
    m->stemmers = stemmers_new();
    return m;
}

void route_model_free(struct route_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++) {
        free(m->table[i].stem);
        free(m->table[i].counts);
    }
    for (size_t i = 0; i < m->ncategories; i++)
        free(m->categories[i]);
    free(m->categories);
    free(m->docs);
    free(m->words);
    free(m->table);
    stemmers_free(m->stemmers);
    free(m);
}

long route_model_examples(const struct route_model *m)
{
    return m ? m->examples : 0;
}

static int model_category(const struct route_model *m, const char *id)
{
    for (size_t i = 0; i < m->ncategories; i++)
        if (!strcmp(m->categories[i], id))
            return (int)i;
    return -1;
}

static struct feature *lookup(const struct route_model *m, const char *stem)
{
    if (!m->cap)
        return NULL;
    uint32_t h = hash_of(stem);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct feature *f = &m->table[i];
        if (!f->stem || (f->hash == h && !strcmp(f->stem, stem)))
            return f;
    }
}

static void grow(struct route_model *m)
{
    size_t old_cap = m->cap;
    struct feature *old = m->table;
    m->cap = old_cap ? old_cap * 2 : 1024;
    m->table = xcalloc(m->cap, sizeof *m->table);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].stem)
            *lookup(m, old[i].stem) = old[i];
    free(old);
}

void route_model_learn(struct route_model *m, const char *category, const char *text, size_t len)
{
    int c = model_category(m, category);
    if (c < 0) {
        size_t n = m->ncategories + 1;
        m->categories = xrealloc(m->categories, n * sizeof *m->categories);
        m->docs = xrealloc(m->docs, n * sizeof *m->docs);
        m->words = xrealloc(m->words, n * sizeof *m->words);
        m->categories[n - 1] = xstrdup(category);
        m->docs[n - 1] = m->words[n - 1] = 0;
        for (size_t i = 0; i < m->cap; i++)
            if (m->table[i].stem) {
                m->table[i].counts = xrealloc(m->table[i].counts, n * sizeof(int));
                m->table[i].counts[n - 1] = 0;
            }
        c = (int)m->ncategories++;
    }
    struct sbuf stems = SBUF_INIT;
    struct word *w;
    size_t nw = words_split(m->stemmers, text, len, &w);
    words_stems(w, nw, &stems);
    words_free(w, nw);
    for (size_t off = 0; off < stems.len; off += strlen(stems.buf + off) + 1) {
        if ((m->nfeatures + 1) * 2 > m->cap)
            grow(m);
        struct feature *f = lookup(m, stems.buf + off);
        if (!f->stem) {
            f->stem = xstrdup(stems.buf + off);
            f->hash = hash_of(f->stem);
            f->counts = xcalloc(m->ncategories, sizeof(int));
            m->nfeatures++;
        }
        f->counts[c]++;
        m->words[c]++;
    }
    m->docs[c]++;
    m->examples++;
    sbuf_release(&stems);
}

/*
 * Multinomial naive Bayes over the config's categories (add-one smoothing),
 * on the stems the model has seen.  Fills p (summing to 1) and returns 1, or
 * 0 when the text has no stem the model knows.
 */
static int classify(const struct route_model *m, const struct config *cfg, const struct word *w,
                    size_t nw, double *p, struct sbuf *why)
{
    if (!m || !m->examples)
        return 0;
    struct sbuf stems = SBUF_INIT;
    words_stems(w, nw, &stems); /* the words the keywords were matched on: not split again */
    size_t nc = cfg->ncategories, known = 0;
    double *lp = xcalloc(nc + 1, sizeof *lp);
    int *mc = xcalloc(nc + 1, sizeof *mc);
    for (size_t c = 0; c < nc; c++) {
        mc[c] = model_category(m, cfg->categories[c].id);
        long docs = mc[c] >= 0 ? m->docs[mc[c]] : 0;
        lp[c] = log((docs + 1.0) / (double)(m->examples + (long)nc));
    }
    double vocab = (double)m->nfeatures + 1;
    for (size_t off = 0; off < stems.len; off += strlen(stems.buf + off) + 1) {
        const struct feature *f = lookup(m, stems.buf + off);
        if (!f || !f->stem)
            continue;
        known++;
        for (size_t c = 0; c < nc; c++) {
            double count = mc[c] >= 0 ? f->counts[mc[c]] : 0;
            double total = mc[c] >= 0 ? (double)m->words[mc[c]] : 0;
            lp[c] += log((count + 1) / (total + vocab));
        }
    }
    sbuf_release(&stems);
    if (known) {
        double top = lp[0], sum = 0;
        for (size_t c = 1; c < nc; c++)
            top = fmax(top, lp[c]);
        for (size_t c = 0; c < nc; c++)
            sum += p[c] = exp(lp[c] - top);
        for (size_t c = 0; c < nc; c++)
            p[c] /= sum;
        sbuf_addf(why, "  learned from %ld corrections, %zu known stems:", m->examples, known);
        for (size_t c = 0; c < nc; c++)
            if (p[c] >= 0.1)
                sbuf_addf(why, " %s %.2f", cfg->categories[c].id, p[c]);
        sbuf_addch(why, '\n');
    }
    free(lp);
    free(mc);
    return known > 0;
}

/* ---- picking ---- */

static const char *category_id(const struct config *cfg, size_t i)
{
    return cfg->categories[i].id;
}

static const char *district_id(const struct config *cfg, size_t i)
{
    return cfg->districts[i].id;
}

#define ROUTE_MIN_SHARE 0.35 /* of the combined evidence, for the winner */
#define ROUTE_MIN_LEAD 0.05  /* over the runner-up */

static void pick_category(const struct config *cfg, const struct route_query *q,
                          const struct word *w, size_t nw, int lang, struct route_pick *pick)
{
    size_t nc = cfg->ncategories;
    int *score = xcalloc(nc + 1, sizeof *score);
    double *p = xcalloc(nc + 1, sizeof *p), *r = xcalloc(nc + 1, sizeof *r);
    struct hits h = {0};
    for (size_t c = 0; c < nc; c++)
        find_hits(cfg->categories[c].keywords, cfg->categories[c].nkeywords, c, w, nw, lang, &h);
    claim(&h, w, nw, score, category_id, cfg, &pick->why);
    free(h.v);

    long total = 0;
    for (size_t c = 0; c < nc; c++)
        total += score[c];
    double say = 0;
    int learnt = classify(q->model, cfg, w, nw, p, &pick->why);
    if (learnt) {
        double n = (double)q->model->examples;
        say = n / (n + ROUTE_MODEL_HALF);
    }
    int best = -1, second = -1;
    for (size_t c = 0; c < nc; c++) {
        if (total) {
            r[c] = (1 - say) * score[c] / (double)total + say * p[c];
        } else if (learnt) {
            /* the keywords are silent: the classifier alone, trusted by its examples of c */
            int mc = model_category(q->model, cfg->categories[c].id);
            double nc_ = mc >= 0 ? (double)q->model->docs[mc] : 0;
            r[c] = p[c] * nc_ / (nc_ + ROUTE_MODEL_ALONE);
        }
        if (best < 0 || r[c] > r[best])
            second = best, best = (int)c;
        else if (second < 0 || r[c] > r[second])
            second = (int)c;
    }
    pick->category_score = best >= 0 ? score[best] : 0;
    if (best >= 0 && r[best] > 0) {
        double lead = r[best] - (second >= 0 ? r[second] : 0);
        if (r[best] >= ROUTE_MIN_SHARE && lead >= ROUTE_MIN_LEAD) {
            pick->category = &cfg->categories[best];
            if (learnt)
                sbuf_addf(&pick->why, "  %s %.2f (keywords %.2f, learned %.2f)\n",
                          cfg->categories[best].id, r[best],
                          total ? (1 - say) * score[best] / (double)total : 0, p[best]);
        } else {
            sbuf_addf(&pick->why,
                      "  categories %s %.2f and %s %.2f too close: the citizen "
                      "chooses\n",
                      cfg->categories[best].id, r[best],
                      second >= 0 ? cfg->categories[second].id : "-", second >= 0 ? r[second] : 0);
        }
    }
    free(score);
    free(p);
    free(r);
}

const struct district *router_district_at(const struct config *cfg, double lat, double lon)
{
    for (size_t i = 0; i < cfg->ndistricts; i++)
        if (geo_contains(cfg->districts[i].area, lat, lon))
            return &cfg->districts[i];
    return NULL;
}

static void pick_district(const struct config *cfg, const struct route_query *q,
                          const struct word *w, size_t nw, int lang, struct route_pick *pick)
{
    if (q->has_pin) {
        const struct district *d = router_district_at(cfg, q->lat, q->lon);
        if (d) {
            pick->district = d;
            sbuf_addf(&pick->why, "  pin %.5f, %.5f is in district %s\n", q->lat, q->lon, d->id);
            return;
        }
        sbuf_addf(&pick->why, "  pin %.5f, %.5f is in no district of the map\n", q->lat, q->lon);
    }
    size_t nd = cfg->ndistricts;
    int *score = xcalloc(nd + 1, sizeof *score);
    struct hits h = {0};
    for (size_t d = 0; d < nd; d++) {
        find_hits(cfg->districts[d].keywords, cfg->districts[d].nkeywords, d, w, nw, lang, &h);
        find_hits(cfg->districts[d].places, cfg->districts[d].nplaces, d, w, nw, lang, &h);
    }
    claim(&h, w, nw, score, district_id, cfg, &pick->why);
    free(h.v);
    int best = -1, tie = 0;
    for (size_t d = 0; d < nd; d++) {
        if (score[d] > 0 && (best < 0 || score[d] > score[best]))
            best = (int)d, tie = 0;
        else if (best >= 0 && score[d] == score[best])
            tie = 1;
    }
    pick->district_score = best >= 0 ? score[best] : 0;
    free(score);
    if (best >= 0 && !tie) {
        pick->district = &cfg->districts[best];
        return;
    }
    if (tie) {
        sbuf_addf(&pick->why, "  districts tie at %d: the citizen chooses\n", pick->district_score);
        return;
    }
    /* a street through several districts: the remembered one if it is among them, else ask */
    for (size_t s = 0; s < cfg->nstreets; s++) {
        const struct street *st = &cfg->streets[s];
        struct hits sh = {0};
        find_hits(st->names, st->nnames, s, w, nw, lang, &sh);
        size_t found = sh.n;
        free(sh.v);
        if (!found)
            continue;
        for (size_t k = 0; k < st->ndistricts; k++)
            if (st->districts[k] == q->remembered) {
                pick->district = q->remembered;
                sbuf_addf(&pick->why, "  street \"%s\" runs through the remembered district %s\n",
                          st->names[0].written, q->remembered->id);
                return;
            }
        sbuf_addf(&pick->why, "  street \"%s\" runs through %zu districts: the citizen chooses\n",
                  st->names[0].written, st->ndistricts);
        return;
    }
    if (q->remembered) {
        pick->district = q->remembered;
        sbuf_addf(&pick->why, "  district %s remembered from earlier appeals\n", q->remembered->id);
    }
}

void router_pick(const struct config *cfg, const struct route_query *q, struct route_pick *pick)
{
    struct stemmers *st = stemmers_new();
    struct word *w;
    size_t nw = words_split(st, q->text, q->len, &w);
    int lang = lang_detect(q->text, q->len);
    pick_category(cfg, q, w, nw, lang, pick);
    pick_district(cfg, q, w, nw, lang, pick);
    if (pick->category && pick->district)
        pick->body = config_route(cfg, pick->category, pick->district);
    words_free(w, nw);
    stemmers_free(st);
}
