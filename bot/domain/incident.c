#include "bot/domain/incident.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/words.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

void incident_item_init(struct incident_item *it)
{
    memset(it, 0, sizeof *it);
    sbuf_init(&it->tokens, 0);
}

void incident_item_release(struct incident_item *it)
{
    sbuf_release(&it->tokens);
}

void incident_item_words(struct incident_item *it, const char *words, size_t len)
{
    sbuf_reset(&it->tokens);
    sbuf_add(&it->tokens, words, len);
    for (size_t i = 0; i < it->tokens.len; i++)
        if (it->tokens.buf[i] == '\n')
            it->tokens.buf[i] = 0;
}

static int word_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct incident_word *)elem)->token);
}

static int has_token(const struct sbuf *set, const char *token)
{
    for (size_t off = 0; off < set->len; off += strlen(set->buf + off) + 1)
        if (!strcmp(set->buf + off, token))
            return 1;
    return 0;
}

/* The incidents.same group (or -1, ignored) a word is in: 1 found, 0 not. */
static int word_group(const struct incident_settings *set, const struct word *w,
                      const struct sbuf *stems, int *group)
{
    for (size_t off = 0; off < stems->len; off += strlen(stems->buf + off) + 1) {
        if (stems->buf[off] == 'k')
            continue;
        const struct incident_word *iw =
            bsearch(stems->buf + off, set->words, set->nwords, sizeof *set->words, word_cmp);
        if (iw) {
            *group = iw->group;
            return 1;
        }
    }
    for (size_t i = 0; w->form[LANG_KK] && i < set->nkk_words; i++)
        if (words_kk_match(w->form[LANG_KK], set->kk_words[i].token)) {
            *group = set->kk_words[i].group;
            return 1;
        }
    return 0;
}

void incident_tokens(const struct incident_settings *set, struct stemmers *st, const char *text,
                     size_t len, struct sbuf *out)
{
    struct word *w;
    size_t nw = words_split(st, text, len, &w);
    struct sbuf stems = SBUF_INIT;
    char named[16];
    sbuf_reset(out);
    for (size_t i = 0; i < nw; i++) {
        int group;
        const char *token;
        sbuf_reset(&stems);
        words_stems(&w[i], 1, &stems);
        if (word_group(set, &w[i], &stems, &group)) {
            if (group < 0)
                continue; /* ignored: says nothing of the problem */
            snprintf(named, sizeof named, "#%d", group);
            token = named;
        } else if (utf8_length(w[i].text) < INCIDENT_MIN_LETTERS || !stems.len) {
            continue; /* short words ("в", "на") say little */
        } else {
            token = stems.buf; /* its first stem: Russian before Kazakh where both read it */
        }
        if (has_token(out, token))
            continue;
        sbuf_addstr(out, token);
        sbuf_addch(out, 0);
    }
    sbuf_release(&stems);
    words_free(w, nw);
}

struct group_token {
    char *token;
    int count;
};

struct incident_group {
    char *category, *district, *body;
    size_t n;
    struct group_token *tokens;
    size_t ntokens, cap;
    double *pins; /* lat, lon pairs of the members that have one */
    size_t npins;
    int64_t first_at, last_at;
};

struct incident_group *incident_group_new(void)
{
    return xcalloc(1, sizeof(struct incident_group));
}

void incident_group_free(struct incident_group *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->ntokens; i++)
        free(g->tokens[i].token);
    free(g->tokens);
    free(g->pins);
    free(g->category);
    free(g->district);
    free(g->body);
    free(g);
}

size_t incident_group_size(const struct incident_group *g)
{
    return g->n;
}

static struct group_token *group_token(const struct incident_group *g, const char *token)
{
    for (size_t i = 0; i < g->ntokens; i++)
        if (!strcmp(g->tokens[i].token, token))
            return &g->tokens[i];
    return NULL;
}

void incident_group_add(struct incident_group *g, const struct incident_item *it)
{
    if (!g->n) {
        g->category = xstrdup(it->category ? it->category : "");
        g->district = xstrdup(it->district ? it->district : "");
        g->body = xstrdup(it->body ? it->body : "");
        g->first_at = g->last_at = it->at;
    }
    g->n++;
    if (it->at < g->first_at)
        g->first_at = it->at;
    if (it->at > g->last_at)
        g->last_at = it->at;
    for (size_t off = 0; off < it->tokens.len; off += strlen(it->tokens.buf + off) + 1) {
        const char *token = it->tokens.buf + off;
        struct group_token *t = group_token(g, token);
        if (t) {
            t->count++;
            continue;
        }
        if (g->ntokens == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 16;
            g->tokens = xrealloc(g->tokens, g->cap * sizeof *g->tokens);
        }
        g->tokens[g->ntokens++] = (struct group_token){xstrdup(token), 1};
    }
    if (it->has_pin) {
        g->pins = xrealloc(g->pins, (g->npins + 1) * 2 * sizeof *g->pins);
        g->pins[2 * g->npins] = it->lat;
        g->pins[2 * g->npins + 1] = it->lon;
        g->npins++;
    }
}

double incident_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371000.0, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

/* The nearest member's pin: metres, or -1 when either has none. */
static double nearest_pin(const struct incident_group *g, const struct incident_item *it)
{
    double best = -1;
    if (!it->has_pin)
        return -1;
    for (size_t i = 0; i < g->npins; i++) {
        double d = incident_distance_m(g->pins[2 * i], g->pins[2 * i + 1], it->lat, it->lon);
        if (best < 0 || d < best)
            best = d;
    }
    return best;
}

/* A word of incidents.same names the problem: it weighs more than any other. */
static double weight(const char *token)
{
    return token[0] == '#' ? INCIDENT_SAME_WEIGHT : 1.0;
}

static void token_name(const struct incident_settings *set, const char *token, struct sbuf *out)
{
    if (token[0] == '#') {
        size_t i = (size_t)atoi(token + 1);
        sbuf_addstr(out, i < set->ngroups ? set->group_names[i] : token);
    } else {
        sbuf_addstr(out, token + 1); /* past the language's letter */
    }
}

int incident_fits(const struct incident_settings *set, const struct incident_group *g,
                  const struct incident_item *it, double *similarity, struct sbuf *why)
{
    int64_t window = (int64_t)set->window_hours * 3600;
    *similarity = -1;
    if (!g->n || strcmp(g->category, it->category ? it->category : "") ||
        strcmp(g->body, it->body ? it->body : ""))
        return 0;
    double metres = nearest_pin(g, it);
    int same_district = it->district && *it->district && !strcmp(g->district, it->district);
    if (!same_district && !(metres >= 0 && metres <= set->radius_m))
        return 0;
    if (it->at > g->last_at + window || it->at < g->first_at - window)
        return 0;
    double dot = 0, norm = 0, a = 0;
    size_t shared = 0;
    for (size_t i = 0; i < g->ntokens; i++) {
        double w = weight(g->tokens[i].token) * (double)g->tokens[i].count / (double)g->n;
        norm += w * w;
    }
    for (size_t off = 0; off < it->tokens.len; off += strlen(it->tokens.buf + off) + 1) {
        const char *token = it->tokens.buf + off;
        const struct group_token *t = group_token(g, token);
        a += weight(token) * weight(token);
        if (t) {
            dot += weight(token) * weight(token) * (double)t->count / (double)g->n;
            shared++;
        }
    }
    *similarity = a > 0 && norm > 0 ? dot / (sqrt(a) * sqrt(norm)) : 0;
    /* a problem the group does not speak of ("квитанция" beside "вода") is another problem */
    const char *other = NULL;
    for (size_t off = 0; off < it->tokens.len && !other; off += strlen(it->tokens.buf + off) + 1) {
        const char *token = it->tokens.buf + off;
        const struct group_token *t = group_token(g, token);
        if (token[0] == '#' && (!t || (double)t->count / (double)g->n < INCIDENT_OTHER_SHARE))
            other = token;
    }
    int fits = !other && *similarity * 100.0 >= set->similarity;
    if (why) {
        sbuf_addf(why, "words %.0f%%", *similarity * 100.0);
        if (shared) {
            sbuf_addstr(why, " (");
            size_t listed = 0;
            for (size_t off = 0; off < it->tokens.len; off += strlen(it->tokens.buf + off) + 1)
                if (group_token(g, it->tokens.buf + off) && listed++ < 6) {
                    if (listed > 1)
                        sbuf_addstr(why, ", ");
                    token_name(set, it->tokens.buf + off, why);
                }
            sbuf_addstr(why, ")");
        }
        if (other) {
            sbuf_addstr(why, "; names another problem: ");
            token_name(set, other, why);
        }
        if (same_district)
            sbuf_addstr(why, "; same district");
        if (metres >= 0)
            sbuf_addf(why, "; %.0f m from the nearest pin", metres);
        int64_t gap = it->at - g->last_at;
        sbuf_addf(why, "; %lld min %s the newest", (long long)(llabs(gap) / 60),
                  gap >= 0 ? "after" : "before");
    }
    return fits;
}

/* The group of the items whose group[] is first, but for item skip. */
static struct incident_group *group_without(const struct incident_item *items, size_t n,
                                            const size_t *group, size_t first, size_t skip)
{
    struct incident_group *g = incident_group_new();
    for (size_t k = 0; k < n; k++)
        if (group[k] == first && k != skip)
            incident_group_add(g, &items[k]);
    return g;
}

void incident_cluster(const struct incident_settings *set, const struct incident_item *items,
                      size_t n, size_t *group)
{
    struct incident_group **groups = xcalloc(n ? n : 1, sizeof *groups);
    size_t *first = xcalloc(n ? n : 1, sizeof *first), ngroups = 0;
    for (size_t i = 0; i < n; i++) {
        double best = -1, sim;
        size_t at = ngroups;
        for (size_t g = 0; g < ngroups; g++)
            if (incident_fits(set, groups[g], &items[i], &sim, NULL) && sim > best) {
                best = sim;
                at = g;
            }
        if (at == ngroups) {
            groups[ngroups] = incident_group_new();
            first[ngroups++] = i;
        }
        incident_group_add(groups[at], &items[i]);
        group[i] = first[at];
    }
    /*
     * One pass has met the first appeals of a group before the group showed
     * what it is about: an appeal left in a group too small for an incident
     * joins an incident it fits as the incident stands at the end.
     */
    size_t *size = xcalloc(n ? n : 1, sizeof *size);
    for (size_t i = 0; i < n; i++)
        size[group[i]]++;
    for (size_t i = 0; i < n; i++) {
        if (size[group[i]] >= (size_t)set->min_appeals)
            continue;
        double best = -1, sim;
        size_t to = n;
        for (size_t g = 0; g < ngroups; g++) {
            if (size[first[g]] < (size_t)set->min_appeals)
                continue;
            struct incident_group *whole = group_without(items, n, group, first[g], i);
            if (incident_fits(set, whole, &items[i], &sim, NULL) && sim > best) {
                best = sim;
                to = first[g];
            }
            incident_group_free(whole);
        }
        if (to < n) {
            size[group[i]]--;
            size[to]++;
            group[i] = to;
        }
    }
    /* a group's index is its first item's: renumber those whose first item moved */
    for (size_t i = 0; i < n; i++) {
        size_t g = group[i];
        if (group[g] != g) {
            size_t lead = i; /* the earliest item still in group g */
            for (size_t k = 0; k < n; k++)
                if (group[k] == g) {
                    lead = k;
                    break;
                }
            for (size_t k = 0; k < n; k++)
                if (group[k] == g)
                    group[k] = lead;
        }
    }
    free(size);
    for (size_t g = 0; g < ngroups; g++)
        incident_group_free(groups[g]);
    free(groups);
    free(first);
}
