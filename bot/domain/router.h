/*
 * router: guesses the category and district of an appeal.
 *
 * Category: the keywords of each category (config, read by each language's
 * grammar: bot/domain/words.h) score its weight once per keyword; a word is
 * claimed by one keyword, a phrase before a single word and the message's own
 * language before another's.  What people corrected (a citizen changing the
 * suggested topic, an officer transferring a case) trains a naive Bayes
 * classifier over the words' stems (struct route_model); its say grows with
 * the number of corrections, n / (n + ROUTE_MODEL_HALF), and where no
 * keyword speaks it guesses alone, trusted by the corrections to the
 * category it guesses, n_c / (n_c + ROUTE_MODEL_ALONE).  A clear winner is
 * suggested; a tie or a weak lead is left to the citizen, who confirms or
 * changes every guess anyway.
 *
 * District: a location pin inside a district's area (district_map) decides
 * it; otherwise the district's names and places named in the text; a street
 * that runs through several districts asks (unless the citizen's remembered
 * district is one of them); with nothing, the remembered district.
 * The body then comes from config_route().
 */
#ifndef TYNDAU_ROUTER_H
#define TYNDAU_ROUTER_H

#include <stddef.h>

#include "bot/domain/config.h"
#include "bot/lib/sbuf.h"

/* the number of corrections at which the classifier has as much say as the keywords */
#define ROUTE_MODEL_HALF 40
/* where no keyword speaks: the corrections to a category at which the classifier's guess of
   it counts half */
#define ROUTE_MODEL_ALONE 4

struct route_model;

struct route_query {
    const char *text; /* valid UTF-8 */
    size_t len;
    const struct district *remembered; /* from the citizen's earlier appeals, may be NULL */
    int has_pin;
    double lat, lon;
    const struct route_model *model; /* may be NULL */
};

struct route_pick {
    const struct category *category;
    int category_score; /* of the keywords alone: > 0 when the text names a topic */
    const struct district *district;
    int district_score;
    const struct body *body; /* NULL unless both category and district are known */
    struct sbuf why;         /* one reason a line */
};

void route_pick_init(struct route_pick *pick);
void route_pick_release(struct route_pick *pick);
void router_pick(const struct config *cfg, const struct route_query *q, struct route_pick *pick);

/* The district whose area holds the pin, or NULL. */
const struct district *router_district_at(const struct config *cfg, double lat, double lon);

/* A classifier learning from corrections; one thread's. */
struct route_model *route_model_new(void);
void route_model_free(struct route_model *m);
/* One labelled example: the appeal's text and the category it belonged to. */
void route_model_learn(struct route_model *m, const char *category, const char *text, size_t len);
long route_model_examples(const struct route_model *m);

#endif
