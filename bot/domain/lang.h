/*
 * lang: the three languages every user-facing text exists in.
 * Kazakh comes first: it is the state language and the default.
 */
#ifndef TYNDAU_LANG_H
#define TYNDAU_LANG_H

#include <stddef.h>

enum lang { LANG_KK, LANG_RU, LANG_EN, LANG_COUNT };

extern const char *const lang_codes[LANG_COUNT];

/* Returns 0 and sets *out for "kk", "ru", "en" (also "kz"); -1 otherwise. */
int lang_parse(const char *code, enum lang *out);
/*
 * Guesses the language of a text: Kazakh-only letters mean Kazakh; otherwise
 * mostly Cyrillic means Russian, mostly Latin English.  Returns -1 when the
 * text has no letters to go by.
 */
int lang_detect(const char *text, size_t len);

/*
 * Plural forms (CLDR's rules for whole numbers): how many forms a counted
 * noun has in the language (Kazakh 1: "4 жұмыс күні"; English 2: one, other;
 * Russian 3: one "1, 21 день", few "2-4, 22 дня", many "5-20, 25 дней") and
 * which of them n takes.
 */
#define LANG_PLURAL_MAX 3
int lang_plural_forms(enum lang lang);
int lang_plural_index(enum lang lang, long n);

#endif
