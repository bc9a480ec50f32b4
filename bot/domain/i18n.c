#include "bot/domain/i18n.h"
#include "bot/domain/texts.h"

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/log.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct i18n_entry *)a)->key, ((const struct i18n_entry *)b)->key);
}

static struct i18n_entry *find_entry(const struct i18n *cat, const char *key)
{
    struct i18n_entry probe = {.key = (char *)key};
    if (!cat->count)
        return NULL;
    return bsearch(&probe, cat->entries, cat->count, sizeof probe, entry_cmp);
}

/* Entries are added unsorted while loading, then sorted once. */
static struct i18n_entry *entry_get_or_add(struct i18n *cat, const char *key, size_t *alloc)
{
    for (size_t i = 0; i < cat->count; i++)
        if (strcmp(cat->entries[i].key, key) == 0)
            return &cat->entries[i];
    if (cat->count == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 128;
        cat->entries = xrealloc(cat->entries, *alloc * sizeof *cat->entries);
    }
    struct i18n_entry *e = &cat->entries[cat->count++];
    memset(e, 0, sizeof *e);
    e->key = xstrdup(key);
    return e;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Collects the "{name}" placeholders of s as a set: sorted, each once,
 * space-separated.  Languages order words differently (Kazakh puts the verb
 * last), so only which placeholders a text has must agree, not their order.
 */
static void placeholders(const char *s, struct sbuf *out)
{
    char *names[64];
    size_t n = 0;
    const char *p = s;
    while ((p = strchr(p, '{')) != NULL && n < sizeof names / sizeof *names) {
        const char *end = strchr(p, '}');
        if (!end)
            break;
        names[n] = xmalloc((size_t)(end - p) + 2);
        memcpy(names[n], p, (size_t)(end - p) + 1);
        names[n][end - p + 1] = 0;
        n++;
        p = end + 1;
    }
    qsort(names, n, sizeof *names, str_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(names[i], names[i - 1]))
            sbuf_addf(out, "%s ", names[i]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
}

static int load_one(struct i18n *cat, enum lang lang, const char *path, size_t *alloc,
                    struct diag *d)
{
    config_t cf;
    int rc = -1;
    config_init(&cf);
    if (!config_read_file(&cf, path)) {
        if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
            diag_error(d, path, 0, "cannot read the %s message catalog", lang_codes[lang]);
        else
            diag_error(d, config_error_file(&cf) ? config_error_file(&cf) : path,
                       config_error_line(&cf), "%s", config_error_text(&cf));
        goto out;
    }
    config_setting_t *root = config_root_setting(&cf);
    config_setting_t *texts = config_setting_get_member(root, "texts");
    if (!texts || !config_setting_is_group(texts)) {
        diag_error(d, path, 1, "expected a group `texts = { key = \"...\"; }`");
        goto out;
    }
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        if (strcmp(config_setting_name(s), "texts") != 0)
            diag_error(d, path, config_setting_source_line(s), "unknown key `%s`",
                       config_setting_name(s));
    }
    rc = 0;
    for (int i = 0; i < config_setting_length(texts); i++) {
        config_setting_t *s = config_setting_get_elem(texts, (unsigned)i);
        int line = config_setting_source_line(s);
        const char *forms[LANG_PLURAL_MAX + 1];
        int n = 0, list = config_setting_is_aggregate(s);
        if (list) {
            n = config_setting_length(s);
            for (int k = 0; k < n && k <= LANG_PLURAL_MAX; k++)
                forms[k] = config_setting_get_string_elem(s, (unsigned)k);
            if (n == 0 || n > LANG_PLURAL_MAX || config_setting_is_group(s)) {
                diag_error(d, path, line,
                           "text `%s` must be a string, or a list of 1 to %d plural forms",
                           config_setting_name(s), LANG_PLURAL_MAX);
                rc = -1;
                continue;
            }
        } else {
            forms[n++] = config_setting_get_string(s);
        }
        int bad = 0;
        for (int k = 0; k < n; k++) {
            if (!forms[k]) {
                diag_error(d, path, line, "text `%s` must be a string", config_setting_name(s));
                bad = 1;
            } else if (!utf8_valid(forms[k], strlen(forms[k]))) {
                diag_error(d, path, line, "text `%s` is not valid UTF-8", config_setting_name(s));
                bad = 1;
            }
            if (bad)
                break;
        }
        if (bad) {
            rc = -1;
            continue;
        }
        struct i18n_entry *e = entry_get_or_add(cat, config_setting_name(s), alloc);
        if (e->text[lang]) {
            diag_error(d, path, line, "text `%s` is given twice", e->key);
            rc = -1;
            continue;
        }
        e->text[lang] = xstrdup(forms[0]);
        e->line[lang] = line;
        for (int k = 0; list && k < n; k++)
            e->forms[lang][k] = xstrdup(forms[k]);
        e->nforms[lang] = list ? n : 0;
    }
out:
    config_destroy(&cf);
    return rc;
}

int i18n_load(struct i18n *cat, const char *dir, struct diag *d)
{
    size_t alloc = 0;
    int rc = 0;
    memset(cat, 0, sizeof *cat);
    for (int l = 0; l < LANG_COUNT; l++) {
        struct sbuf path = SBUF_INIT;
        sbuf_addf(&path, "%s/%s.conf", dir, lang_codes[l]);
        cat->files[l] = sbuf_detach(&path, NULL);
        if (load_one(cat, (enum lang)l, cat->files[l], &alloc, d) < 0)
            rc = -1;
    }
    if (cat->count)
        qsort(cat->entries, cat->count, sizeof *cat->entries, entry_cmp);
    for (size_t i = 0; i < cat->count; i++) {
        struct i18n_entry *e = &cat->entries[i];
        struct sbuf ref = SBUF_INIT;
        int ref_lang = -1;
        int plural = 0;
        for (int l = 0; l < LANG_COUNT; l++)
            plural |= e->nforms[l] > 0;
        for (int l = 0; l < LANG_COUNT; l++) {
            if (!e->text[l])
                continue;
            int n = e->nforms[l] ? e->nforms[l] : 1;
            for (int k = 0; k < n; k++) {
                struct sbuf ph = SBUF_INIT;
                placeholders(e->nforms[l] ? e->forms[l][k] : e->text[l], &ph);
                if (ref_lang < 0) {
                    sbuf_addstr(&ref, ph.buf);
                    ref_lang = l;
                } else if (strcmp(ref.buf, ph.buf) != 0) {
                    diag_error(d, cat->files[l], e->line[l],
                               "text `%s` has placeholders \"%s\" but the %s text has \"%s\"",
                               e->key, ph.buf, lang_codes[ref_lang], ref.buf);
                    rc = -1;
                }
                sbuf_release(&ph);
            }
            if (plural && n != lang_plural_forms(l)) {
                diag_error(d, cat->files[l], e->line[l],
                           "text `%s` is counted: it needs %d plural form(s) in %s, not %d", e->key,
                           lang_plural_forms(l), lang_codes[l], n);
                rc = -1;
            }
        }
        sbuf_release(&ref);
        for (int l = 0; l < LANG_COUNT; l++) {
            if (!e->text[l]) {
                diag_error(d, cat->files[l], 0, "text `%s` is missing (it exists in %s)", e->key,
                           lang_codes[ref_lang]);
                rc = -1;
            }
        }
    }
    for (const char *const *k = texts_required_keys; *k; k++) {
        if (!find_entry(cat, *k)) {
            for (int l = 0; l < LANG_COUNT; l++)
                diag_error(d, cat->files[l], 0, "text `%s` is missing", *k);
            rc = -1;
        }
    }
    return rc;
}

void i18n_free(struct i18n *cat)
{
    for (size_t i = 0; i < cat->count; i++) {
        free(cat->entries[i].key);
        for (int l = 0; l < LANG_COUNT; l++) {
            free(cat->entries[i].text[l]);
            for (int k = 0; k < cat->entries[i].nforms[l]; k++)
                free(cat->entries[i].forms[l][k]);
        }
    }
    free(cat->entries);
    for (int l = 0; l < LANG_COUNT; l++)
        free(cat->files[l]);
    memset(cat, 0, sizeof *cat);
}

const char *i18n_get(const struct i18n *cat, enum lang lang, const char *key)
{
    struct i18n_entry *e = find_entry(cat, key);
    return e ? e->text[lang] : NULL;
}

void i18n_render(const struct i18n *cat, enum lang lang, const char *key,
                 const struct i18n_var *vars, struct sbuf *out)
{
    const char *text = i18n_get(cat, lang, key);
    if (!text) {
        log_error("i18n", "text `%s` missing for %s", key, lang_codes[lang]);
        sbuf_addf(out, "[%s]", key);
        return;
    }
    const char *p = text;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            sbuf_addstr(out, p);
            break;
        }
        sbuf_add(out, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (!close) {
            sbuf_addstr(out, open);
            break;
        }
        size_t n = (size_t)(close - open - 1);
        const struct i18n_var *v = vars;
        for (; v && v->name; v++)
            if (strlen(v->name) == n && memcmp(v->name, open + 1, n) == 0)
                break;
        if (v && v->name && v->count)
            i18n_count(cat, lang, v->count, v->value ? strtol(v->value, NULL, 10) : 0, out);
        else if (v && v->name)
            sbuf_addstr(out, v->value ? v->value : "");
        else
            sbuf_add(out, open, (size_t)(close - open + 1));
        p = close + 1;
    }
}

void i18n_count(const struct i18n *cat, enum lang lang, const char *key, long n, struct sbuf *out)
{
    struct i18n_entry *e = find_entry(cat, key);
    char num[24];
    snprintf(num, sizeof num, "%ld", n);
    if (!e || !e->text[lang]) {
        log_error("i18n", "text `%s` missing for %s", key, lang_codes[lang]);
        sbuf_addf(out, "%s [%s]", num, key);
        return;
    }
    int k = lang_plural_index(lang, n);
    const char *form = e->nforms[lang] > k ? e->forms[lang][k] : e->text[lang];
    for (const char *p = form; *p;) {
        const char *at = strstr(p, "{n}");
        if (!at) {
            sbuf_addstr(out, p);
            break;
        }
        sbuf_add(out, p, (size_t)(at - p));
        sbuf_addstr(out, num);
        p = at + 3;
    }
}

int i18n_items(const struct i18n *cat, enum lang lang, const char *key, i18n_item_fn fn, void *ctx)
{
    const char *p = i18n_get(cat, lang, key);
    for (int index = 0; p && *p; index++) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ','), *last = end ? end : p + strlen(p);
        while (last > p && last[-1] == ' ')
            last--;
        int rc = fn(ctx, p, (size_t)(last - p), index);
        if (rc)
            return rc;
        p = end ? end + 1 : NULL;
    }
    return 0;
}
