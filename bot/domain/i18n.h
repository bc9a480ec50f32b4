/*
 * i18n: the message catalogs, one libconfig file per language
 * (texts/kk.conf, texts/ru.conf, texts/en.conf), each a group `texts` of
 * key = "text with {placeholders}", or for a counted noun a list of its
 * plural forms, key = ["{n} рабочий день", "{n} рабочих дня", "{n} рабочих
 * дней"], as many as the language has (bot/domain/lang.h: Kazakh 1, English
 * 2, Russian 3).  Operators edit them without recompiling;
 * loading checks that every key exists in every language and that the
 * placeholders of a key agree across languages, so a missing translation is
 * a `tyndau check` error and not a blank message to a citizen.
 */
#ifndef TYNDAU_I18N_H
#define TYNDAU_I18N_H

#include <stddef.h>

#include "bot/lib/diag.h"
#include "bot/domain/lang.h"
#include "bot/lib/sbuf.h"

struct i18n_entry {
    char *key;
    char *text[LANG_COUNT]; /* a plural text: its first form */
    int line[LANG_COUNT];
    /* a plural text (a list in the file): its forms in the language's order, else 0 forms */
    char *forms[LANG_COUNT][LANG_PLURAL_MAX];
    int nforms[LANG_COUNT];
};

struct i18n {
    struct i18n_entry *entries; /* sorted by key */
    size_t count;
    char *files[LANG_COUNT];
};

struct i18n_var {
    const char *name;
    const char *value;
    /*
     * A count: value is a number and count the key of its counted noun
     * ("working_days_n"), rendered in the reader's language and plural form.
     */
    const char *count;
};

/* Loads dir/kk.conf, dir/ru.conf, dir/en.conf.  Problems go to d; returns -1 on any error. */
int i18n_load(struct i18n *cat, const char *dir, struct diag *d);
void i18n_free(struct i18n *cat);
/* The raw text, or NULL if the key is unknown. */
const char *i18n_get(const struct i18n *cat, enum lang lang, const char *key);
/*
 * Appends the text for key with {name} replaced by the matching var
 * (vars ends with a NULL name; may be NULL).  An unknown key renders as
 * "[key]" and is logged, so a missing text is visible, never silent.
 */
void i18n_render(const struct i18n *cat, enum lang lang, const char *key,
                 const struct i18n_var *vars, struct sbuf *out);
/*
 * Calls fn for each item of a comma-separated text (the words citizens may type,
 * the months, a CSV header), trimmed of spaces, with its index from 0; stops
 * when fn returns non-zero and returns that, else 0.  A missing key has no items.
 */
typedef int (*i18n_item_fn)(void *ctx, const char *item, size_t len, int index);
int i18n_items(const struct i18n *cat, enum lang lang, const char *key, i18n_item_fn fn, void *ctx);
/*
 * Appends the plural form of key that n takes in lang, with {n} replaced by n:
 * "4 рабочих дня".  Every count a person reads is written through this.
 */
void i18n_count(const struct i18n *cat, enum lang lang, const char *key, long n, struct sbuf *out);

#endif
