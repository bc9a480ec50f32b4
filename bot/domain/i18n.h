/*
 * i18n: the message catalogs, one libconfig file per language
 * (texts/kk.conf, texts/ru.conf, texts/en.conf), each a group `texts` of
 * key = "text with {placeholders}".  Operators edit them without recompiling;
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
    char *text[LANG_COUNT];
    int line[LANG_COUNT];
};

struct i18n {
    struct i18n_entry *entries; /* sorted by key */
    size_t count;
    char *files[LANG_COUNT];
};

struct i18n_var {
    const char *name;
    const char *value;
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

#endif
