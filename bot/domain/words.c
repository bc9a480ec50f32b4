#include "bot/domain/words.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

struct stemmers {
    struct sb_stemmer *ru, *en;
};

struct stemmers *stemmers_new(void)
{
    struct stemmers *st = xcalloc(1, sizeof *st);
    st->ru = sb_stemmer_new("russian", NULL);
    st->en = sb_stemmer_new("english", NULL);
    if (!st->ru || !st->en)
        xalloc_die();
    return st;
}

void stemmers_free(struct stemmers *st)
{
    if (!st)
        return;
    sb_stemmer_delete(st->ru);
    sb_stemmer_delete(st->en);
    free(st);
}

static char *stem(struct sb_stemmer *sb, const char *w)
{
    const sb_symbol *s = sb_stemmer_stem(sb, (const sb_symbol *)w, (int)strlen(w));
    if (!s)
        xalloc_die();
    return xstrndup((const char *)s, (size_t)sb_stemmer_length(sb));
}

/* Kazakh letters as typed on a Russian keyboard. */
static uint32_t fold(uint32_t cp)
{
    switch (cp) {
    case 0x4d9:
        return 0x430; /* ә а */
    case 0x493:
        return 0x433; /* ғ г */
    case 0x49b:
        return 0x43a; /* қ к */
    case 0x4a3:
        return 0x43d; /* ң н */
    case 0x4e9:
        return 0x43e; /* ө о */
    case 0x4b1:
        return 0x443; /* ұ у */
    case 0x4af:
        return 0x443; /* ү у */
    case 0x4bb:
        return 0x445; /* һ х */
    case 0x456:
        return 0x438; /* і и */
    default:
        return cp;
    }
}

static char *folded(const char *s)
{
    struct sbuf sb = SBUF_INIT;
    while (*s)
        utf8_put(&sb, fold(utf8_next(&s)));
    return sbuf_detach(&sb, NULL);
}

char *words_lower(const char *s)
{
    struct sbuf sb = SBUF_INIT;
    while (*s) {
        uint32_t cp = utf8_lower(utf8_next(&s));
        utf8_put(&sb, cp == 0x451 ? 0x435 : cp); /* ё is written е just as often */
    }
    return sbuf_detach(&sb, NULL);
}

static unsigned langs_of(const char *w)
{
    int kk = 0, cyr = 0, lat = 0;
    while (*w) {
        uint32_t cp = utf8_next(&w);
        kk |= utf8_is_kazakh_letter(cp);
        cyr |= utf8_is_cyrillic(cp);
        lat |= (cp >= 'a' && cp <= 'z');
    }
    if (kk)
        return 1u << LANG_KK;
    if (cyr)
        return 1u << LANG_KK | 1u << LANG_RU;
    if (lat)
        return 1u << LANG_EN;
    return 0; /* digits: a house number, read by no grammar */
}

static void fill_forms(struct stemmers *st, const char *w, unsigned langs, char *form[LANG_COUNT])
{
    form[LANG_KK] = langs & 1u << LANG_KK ? folded(w) : NULL;
    form[LANG_RU] = langs & 1u << LANG_RU ? stem(st->ru, w) : NULL;
    form[LANG_EN] = langs & 1u << LANG_EN ? stem(st->en, w) : NULL;
}

void words_forms(struct stemmers *st, const char *written, char *form[LANG_COUNT])
{
    char *w = words_lower(written);
    form[LANG_KK] = folded(w);
    form[LANG_RU] = stem(st->ru, w);
    form[LANG_EN] = stem(st->en, w);
    free(w);
}

size_t words_split(struct stemmers *st, const char *text, size_t len, struct word **out)
{
    const char *p = text, *end = text + len;
    size_t n = 0, cap = 0;
    struct word *v = NULL;
    struct sbuf cur = SBUF_INIT;
    while (p <= end) {
        uint32_t cp = p < end && *p ? utf8_next(&p) : 0;
        int letter = cp && (utf8_is_letter(cp) || (cp >= '0' && cp <= '9'));
        if (letter) {
            cp = utf8_lower(cp);
            utf8_put(&cur, cp == 0x451 ? 0x435 : cp);
            continue;
        }
        if (cur.len) {
            if (n == cap)
                v = xrealloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            v[n].text = xstrndup(cur.buf, cur.len);
            v[n].langs = langs_of(v[n].text);
            fill_forms(st, v[n].text, v[n].langs, v[n].form);
            n++;
            sbuf_reset(&cur);
        }
        if (!cp)
            break;
    }
    sbuf_release(&cur);
    *out = v;
    return n;
}

void words_free(struct word *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i].text);
        for (int l = 0; l < LANG_COUNT; l++)
            free(w[i].form[l]);
    }
    free(w);
}

/*
 * Kazakh's inflectional suffixes, folded, every variant of vowel harmony and
 * of the consonant before: plural, possessive, the seven cases, predicative
 * person, "with"/"without", the attributive -ғы and -лық.  A word is a stem
 * and a chain of these (үйлеріміздегі = үй + лер + іміз + де + гі).
 */
static const char *const kk_suffixes[] = {
    /* plural */
    "лар", "лер", "дар", "дер", "тар", "тер",
    /* possessive */
    "ым", "им", "м", "ын", "ин", "н", "ы", "и", "сы", "си", "мыз", "миз", "ымыз", "имиз", "ныз",
    "низ", "ыныз", "иниз",
    /* genitive, dative, accusative */
    "нын", "нин", "дын", "дин", "тын", "тин", "га", "ге", "ка", "ке", "а", "е", "на", "не", "ны",
    "ни", "ды", "ди", "ты", "ти",
    /* locative, ablative, instrumental */
    "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен",
    "пен", "менен",
    /* attributive, with, without, -ness, agent */
    "гы", "ги", "кы", "ки", "лы", "ли", "сыз", "сиз", "лык", "лик", "дык", "дик", "тык", "тик",
    "шы", "ши",
    /* predicative person: мүгедекпін, "I am disabled" */
    "мын", "мин", "пын", "пин", "бын", "бин", "сын", "син", "быз", "биз", "пыз", "пиз", NULL};

int words_kk_suffixes(const char *rest)
{
    if (!*rest)
        return 1;
    for (const char *const *s = kk_suffixes; *s; s++) {
        size_t n = strlen(*s);
        if (strncmp(rest, *s, n) == 0 && words_kk_suffixes(rest + n))
            return 1;
    }
    return 0;
}

/* The last letter of s (UTF-8), its offset in *at. */
static uint32_t last_letter(const char *s, size_t *at)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i > 0)
        i--;
    *at = i;
    const char *p = s + i;
    return n ? utf8_next(&p) : 0;
}

int words_kk_match(const char *word, const char *stem_)
{
    /* most pairs differ in the first letter; only a stem of one letter can change it (к -> г) */
    size_t first = utf8_letter_bytes(stem_);
    if (!stem_[0] || (strncmp(word, stem_, first) != 0 && strnlen(stem_, first + 1) > first))
        return 0;
    size_t n = strlen(stem_);
    if (strncmp(word, stem_, n) == 0 && words_kk_suffixes(word + n))
        return 1;
    /* к -> г and п -> б before a vowel: жарық, жарығы; кітап, кітабы */
    size_t at;
    uint32_t last = last_letter(stem_, &at);
    uint32_t voiced = last == 0x43a ? 0x433 : last == 0x43f ? 0x431 : 0;
    if (!voiced || strncmp(word, stem_, at) != 0)
        return 0;
    const char *p = word + at;
    if (!*p || utf8_next(&p) != voiced)
        return 0;
    return *p && words_kk_suffixes(p);
}

/* Russian noun endings of the cases, both numbers. */
static const char *const ru_endings[] = {"а",   "я",   "у",  "ю",  "е",  "и",  "ы",  "о",
                                         "ом",  "ем",  "ой", "ей", "ою", "ею", "ам", "ям",
                                         "ами", "ями", "ах", "ях", "ов", "ев", "ь",  NULL};

static int ru_ending(const char *rest)
{
    if (!*rest)
        return 1;
    for (const char *const *e = ru_endings; *e; e++)
        if (strcmp(rest, *e) == 0)
            return 1;
    return 0;
}

static int is_vowel_or_soft(uint32_t cp)
{
    return (cp == 0x430 || cp == 0x435 || cp == 0x438 || cp == 0x43e || cp == 0x443 ||
            cp == 0x44b || cp == 0x44d || cp == 0x44e || cp == 0x44f || cp == 0x439 || cp == 0x44c);
}

int words_name_match(const char *word, const char *name)
{
    size_t n = strlen(name);
    if (!n)
        return 0;
    if (strncmp(word, name, n) == 0 && (ru_ending(word + n) || words_kk_suffixes(word + n)))
        return 1;
    size_t at;
    uint32_t last = last_letter(name, &at);
    /* Орбита -> Орбите, Аксай -> Аксае: the last vowel gives way to the ending */
    return at >= 4 && is_vowel_or_soft(last) && strncmp(word, name, at) == 0 && word[at] &&
           ru_ending(word + at);
}

void words_kk_stem(const char *word, struct sbuf *out)
{
    const char *p = word;
    size_t letters = 0;
    while (*p) {
        utf8_next(&p);
        if (++letters >= 2 && words_kk_suffixes(p)) {
            sbuf_add(out, word, (size_t)(p - word));
            return;
        }
    }
    sbuf_addstr(out, word);
}

static void add_stem(struct sbuf *out, char tag, const char *stem)
{
    /* each stem once: a word repeated is not more evidence */
    for (size_t off = 0; off < out->len; off += strlen(out->buf + off) + 1)
        if (out->buf[off] == tag && !strcmp(out->buf + off + 1, stem))
            return;
    sbuf_addch(out, tag);
    sbuf_addstr(out, stem);
    sbuf_addch(out, 0);
}

void words_stems(const struct word *w, size_t nw, struct sbuf *out)
{
    struct sbuf kk = SBUF_INIT;
    for (size_t i = 0; i < nw; i++) {
        if (w[i].form[LANG_RU])
            add_stem(out, 'r', w[i].form[LANG_RU]);
        if (w[i].form[LANG_EN])
            add_stem(out, 'e', w[i].form[LANG_EN]);
        if (w[i].form[LANG_KK]) {
            sbuf_reset(&kk);
            words_kk_stem(w[i].form[LANG_KK], &kk);
            add_stem(out, 'k', kk.buf);
        }
    }
    sbuf_release(&kk);
}
