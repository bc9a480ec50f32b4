/*
 * incident: which appeals are about one problem.
 *
 * When the water goes off in a district, dozens of citizens write within the
 * hour.  Appeals are one incident when they are
 *   - of the same category, answered by the same body,
 *   - in the same place: the same district, or pins within incidents.radius_m,
 *   - close in time: each within incidents.window_hours of the group's newest,
 *   - alike in words: the cosine of the appeal's words against the group's
 *     (each word weighed by the share of the group's appeals that have it, a
 *     word of incidents.same INCIDENT_SAME_WEIGHT times more) is at least
 *     incidents.similarity percent,
 *   - naming no other problem: a word of incidents.same that fewer than
 *     INCIDENT_OTHER_SHARE of the group's appeals have ("квитанция за воду"
 *     beside "нет воды") keeps an appeal out.
 * The words are the stems of bot/domain/words.h (words shorter than
 * INCIDENT_MIN_LETTERS letters left out), each of incidents.same's groups
 * counted as one word whatever its language ("су", "вода", "water"), and
 * incidents.ignore's words left out ("здравствуйте", "нет", "жоқ").
 *
 * Grouping is one pass in time order: each appeal joins the group it fits
 * best, or starts one; a group of incidents.min_appeals is an incident to
 * propose.  Then an appeal left in a smaller group joins an incident it fits
 * as the incident stands at the end (the first appeals came before their
 * group showed what it is about).  Nothing here reads the store: handlers/incidents.c feeds it the
 * store's cases, tyndau incidents --eval a labelled file.
 */
#ifndef TYNDAU_INCIDENT_H
#define TYNDAU_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/lib/sbuf.h"

/* how much more a word of incidents.same weighs than another: it names the problem */
#define INCIDENT_SAME_WEIGHT 2.0
/* a word of incidents.same in fewer of a group's appeals than this names another problem */
#define INCIDENT_OTHER_SHARE 0.25

struct stemmers;

/* One appeal as grouping sees it. */
struct incident_item {
    const char *category, *district, *body; /* ids */
    int has_pin;
    double lat, lon;
    int64_t at;         /* registered, unix seconds */
    struct sbuf tokens; /* its words, each once, NUL-separated (incident_tokens) */
};

void incident_item_init(struct incident_item *it);
void incident_item_release(struct incident_item *it);
/* Its tokens from the words a case keeps (cases.words: each followed by '\n'). */
void incident_item_words(struct incident_item *it, const char *words, size_t len);

/* The words of text as grouping compares them, into out (reset first). */
void incident_tokens(const struct incident_settings *set, struct stemmers *st, const char *text,
                     size_t len, struct sbuf *out);

/* A group of appeals: what a new one is compared with. */
struct incident_group;
struct incident_group *incident_group_new(void);
void incident_group_free(struct incident_group *g);
/* Adds an appeal to the group (the first sets its category, district and body). */
void incident_group_add(struct incident_group *g, const struct incident_item *it);
size_t incident_group_size(const struct incident_group *g);

/*
 * Does it belong to g?  1 yes, 0 no; *similarity gets the cosine of the words
 * (0..1) when category, place and time agree, -1 otherwise; why (may be NULL)
 * gets the reason in a line: the shared words, the distance, the gap.
 */
int incident_fits(const struct incident_settings *set, const struct incident_group *g,
                  const struct incident_item *it, double *similarity, struct sbuf *why);

/*
 * Groups items (in time order): group[i] gets the index of the first item of
 * the group item i is in.
 */
void incident_cluster(const struct incident_settings *set, const struct incident_item *items,
                      size_t n, size_t *group);

/* Metres between two points (haversine). */
double incident_distance_m(double lat1, double lon1, double lat2, double lon2);

#endif
