/*
 * router: guesses the category and district of an appeal from its words.
 *
 * Kazakh and Russian both inflect by suffix (су, суы, суды; вода, воды,
 * водой), so the config lists word stems and a stem matches every word that
 * begins with it.  Each matching stem adds its weight to its category or
 * district once, however often it appears.  The best score wins; a tie or no
 * match leaves the choice to the citizen, who confirms or changes every
 * guess anyway.  The body then comes from config_route().
 */
#ifndef TYNDAU_ROUTER_H
#define TYNDAU_ROUTER_H

#include <stddef.h>

#include "bot/domain/config.h"
#include "bot/lib/sbuf.h"

struct route_pick {
    const struct category *category;
    int category_score;
    const struct district *district;
    int district_score;
    const struct body *body; /* NULL unless both category and district are known */
    struct sbuf why;         /* "word <- stem (+weight) category", one per line */
};

void route_pick_init(struct route_pick *pick);
void route_pick_release(struct route_pick *pick);
/*
 * Fills pick for text (valid UTF-8).  When the text names no district,
 * fallback_district (the citizen's remembered one, may be NULL) is used.
 */
void router_pick(const struct config *cfg, const char *text, size_t len,
                 const struct district *fallback_district, struct route_pick *pick);

#endif
