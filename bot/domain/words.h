/*
 * words: the words of an appeal as each language's grammar sees them.
 *
 * A word of an appeal is read by the rules of the languages it can belong to:
 * a Latin word by English's; a Cyrillic word with a Kazakh-only letter
 * (ә ғ қ ң ө ұ ү һ і) by Kazakh's; any other Cyrillic word by Russian's and by
 * Kazakh's both, since Kazakh is often typed on a Russian keyboard ("жарык
 * жок" for "жарық жоқ").
 *
 *   Russian, English  Snowball stems (libstemmer): "воды", "водой" -> "вод",
 *                     but "водитель" -> "водител".
 *   Kazakh            a word is a stem followed by a chain of the grammar's
 *                     suffixes (су, суы, сусыз, суымыз, суды): "сурет" is not
 *                     су + a suffix, "жарығы" is жарық + ы (к -> г before a
 *                     vowel).  Matched on the folded word, the Kazakh letters
 *                     written as on a Russian keyboard (қ -> к, ұ -> у, і -> и).
 *   names             places and loanwords in any language: the name, or the
 *                     name without its last vowel, followed by a Kazakh suffix
 *                     chain or a Russian case ending (Орбита, Орбите,
 *                     Орбитадағы; Аксай, Аксае, Ақсайда).
 *
 * The stemmers are not shared between threads: each caller makes its own.
 */
#ifndef TYNDAU_WORDS_H
#define TYNDAU_WORDS_H

#include <stddef.h>

#include "bot/domain/lang.h"
#include "bot/lib/sbuf.h"

struct stemmers;
struct stemmers *stemmers_new(void);
void stemmers_free(struct stemmers *st);

/* One word of an appeal. */
struct word {
    char *text;             /* lower-case, ё as е */
    unsigned langs;         /* 1 << lang for each language whose rules read it */
    char *form[LANG_COUNT]; /* kk: folded; ru, en: Snowball stem; NULL where not read */
};

/* The words of text (valid UTF-8); *out is an array to words_free(). */
size_t words_split(struct stemmers *st, const char *text, size_t len, struct word **out);
void words_free(struct word *w, size_t n);

/*
 * The stems of the words, each once, NUL-separated into out, each tagged by
 * its language's letter: 'r' and 'e' Snowball stems, 'k' the shortest Kazakh
 * stem.  What the router's classifier and incident grouping compare.
 */
void words_stems(const struct word *w, size_t nw, struct sbuf *out);
/* The forms a keyword written as `written` (one word) is matched by, in every language. */
void words_forms(struct stemmers *st, const char *written, char *form[LANG_COUNT]);
/* Lower-case, ё as е: how words and keywords are compared. */
char *words_lower(const char *s);

/* 1 if rest (folded) is empty or a chain of Kazakh suffixes. */
int words_kk_suffixes(const char *rest);
/* 1 if the folded Kazakh word is stem (folded) and suffixes, allowing к/г and п/б at the seam. */
int words_kk_match(const char *word, const char *stem);
/* 1 if the word is the name in an inflected form of Kazakh or Russian (see above). */
int words_name_match(const char *word, const char *name);
/* The shortest stem of a folded Kazakh word (at least 2 letters), appended to out. */
void words_kk_stem(const char *word, struct sbuf *out);

#endif
