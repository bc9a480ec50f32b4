/*
 * incidents: many appeals about one problem, worked as one.
 *
 * Found at registration (bot/domain/incident.h says when appeals are alike):
 * a new case joins the open incident it fits best, or, with the open cases of
 * its category from the last incidents.window_hours that it fits with,
 * becomes a proposed incident once they are incidents.min_appeals.  The body
 * gets one incident card listing them (a case that joins an incident gets no
 * card of its own); an officer confirms the grouping, splits it, takes a case
 * out or adds one, and answers all at once: every citizen gets the answer on
 * their channel, in their language, and rates it for their own case, which
 * keeps its own number, legal term, rating and reopening.  A citizen filing
 * an appeal that fits an open incident is told it is known and may join it or
 * file apart.  Every step is an event of each case it touches.
 *
 * The staff commands that drive these are handlers/staff.c's.
 */
#ifndef TYNDAU_INCIDENTS_H
#define TYNDAU_INCIDENTS_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/lib/sbuf.h"

struct handler_ctx;

/* 1 with *r and *v, 0 no such incident, -1 error. */
int incidents_get(const struct handler_ctx *hx, int64_t id, struct incident_rec *r,
                  struct incident_view *v);

/*
 * Before draft c is registered: keeps its words in c->words (saved with it),
 * and, unless it is in one already or c->apart, sets c->incident_id to the
 * open incident it fits best.  1 set, 0 none, -1 error.
 */
int incidents_fit(const struct handler_ctx *hx, struct case_rec *c);
/*
 * After c was registered: in an incident (how it got there: "detected",
 * "citizen"), its events and the incident's cards; alone, the proposal of an
 * incident with the recent cases it fits with.  0, -1 error.
 */
int incidents_registered(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                         const char *how);
/*
 * The open incident a draft (category, district, body and words known) fits
 * best, when incidents.offer: 1 with *r and *v, 0 none, -1 error.
 */
int incidents_match(const struct handler_ctx *hx, const struct case_rec *draft,
                    struct incident_rec *r, struct incident_view *v);

/* An officer agrees with the grouping. */
int incidents_confirm(const struct handler_ctx *hx, struct incident_rec *r, const char *actor);
/* The grouping was wrong: every case stands alone again (with its own card). */
int incidents_split(const struct handler_ctx *hx, struct incident_rec *r, const char *actor);
/* Takes c out of its incident. */
int incidents_remove(const struct handler_ctx *hx, struct case_rec *c, const char *actor);
/* An officer puts registered case c into incident r. */
int incidents_add(const struct handler_ctx *hx, struct case_rec *c, struct incident_rec *r,
                  const char *actor);
/*
 * The answer to all: every open case of r not waiting for its rating is
 * answered (lifecycle_answer); *answered gets how many.  Confirms a proposed
 * incident.
 */
int incidents_answer(const struct handler_ctx *hx, struct incident_rec *r, const char *actor,
                     const struct staff *staff, const char *answer, int *answered);
/* Posts the incident's card (with its buttons while open) to one address. */
int incidents_card(const struct handler_ctx *hx, const struct incident_rec *r, const char *address,
                   enum lang lang);
/*
 * Rewrites every card of incident id as it is now, or, in a batch (hx->stale_cards), when
 * incidents_cards_flush ends it: a card rewritten again before it went is replaced anyway.
 */
int incidents_cards_rewrite(const struct handler_ctx *hx, int64_t id);
struct incident_ids {
    int64_t *v;
    size_t n, cap;
};
/* Rewrites the cards of each incident in hx->stale_cards and empties it. */
int incidents_cards_flush(const struct handler_ctx *hx);
void incident_ids_release(struct incident_ids *ids);

/*
 * Late cases of incidents counted per incident, so that a list of overdue
 * cases (/overdue, the digest) shows one line per incident with its size.
 */
struct incident_tally {
    struct incident_count {
        int64_t id;
        int n;
        int32_t due; /* the earliest */
    } * v;
    size_t n;
};
/* Counts c when it is in an incident: 1 counted, 0 not in one. */
int incident_tally_add(struct incident_tally *t, const struct case_rec *c);
/* Appends a line per incident counted ("\n" first), of body, in lang. */
void incident_tally_flush(const struct handler_ctx *hx, struct incident_tally *t, const char *body,
                          enum lang lang, struct sbuf *out);
void incident_tally_free(struct incident_tally *t);

/* Explains the grouping of the open cases (tyndau incidents): the incidents, then candidates. */
int incidents_explain(const struct handler_ctx *hx, struct sbuf *out);

#endif
