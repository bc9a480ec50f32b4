/*
 * lifecycle: every change of a case's status, one function per transition.
 *
 *   draft      register            take                answer
 *   DRAFT ---------------> REGISTERED -----> IN_PROGRESS -------> ANSWERED
 *     |                     ^    |             ^     |             |    |
 *     | withdraw   transfer |    |        take |     | answer      |    | rate well, or
 *     |    (any open status;    |             |     v             |    | not rated in time
 *     |     back to REGISTERED) |          REOPENED <-------------+    |
 *     v                          v                     rate low         v
 *   CLOSED <------- close, forward (any open status) -------------- CLOSED
 *
 *   extend: any open status; the status stays, the due day moves on.
 *   An answered case is open (the citizen may contest) but its clock stops
 *   (bot/domain/case_state.h says what each status means).
 *
 * Each transition is called on a case the caller loaded and found in a
 * status it may leave; it changes the case, saves it (rewriting its cards
 * when what they show changed), appends the event naming the actor, moves
 * the deadline (the trigger on `cases` queues it for the Redis index) and
 * tells whoever must hear: the citizen in their language, the body's chat,
 * the supervisors.  What the actor is told back is the caller's reply.
 * Nothing else writes a status: lifecycle_save refuses to.
 * All return 0, or -1 when the store failed (the caller's transaction rolls back).
 */
#ifndef TYNDAU_LIFECYCLE_H
#define TYNDAU_LIFECYCLE_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"

struct handler_ctx;

/* -> DRAFT: a new case from a citizen's first words (id set); why: how the router guessed. */
int lifecycle_draft(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                    const char *why);
/*
 * A correction the router learns from (no transition): the case's text
 * belongs to category; source says who said so ("citizen", "transfer").
 */
int lifecycle_learn(const struct handler_ctx *hx, const struct case_rec *c, const char *source,
                    const char *category);
/*
 * DRAFT -> REGISTERED: a number, the legal term from the day it came, the card to its body
 * (none when it joins an incident: handlers/incidents.h).
 */
int lifecycle_register(const struct handler_ctx *hx, struct case_rec *c, const char *actor);
/* DRAFT -> CLOSED (withdrawn): the citizen cancelled before registering. */
int lifecycle_withdraw(const struct handler_ctx *hx, struct case_rec *c, const char *actor);
/* -> IN_PROGRESS, assigned to staff. */
int lifecycle_take(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                   const struct staff *staff);
/* -> ANSWERED: the answer to the citizen, who is asked to rate it. */
int lifecycle_answer(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                     const struct staff *staff, const char *answer);
/* ANSWERED -> CLOSED (score above deadlines.low_rating) or REOPENED with a new term: 1 reopened. */
int lifecycle_rate(const struct handler_ctx *hx, struct case_rec *c, const char *actor, int score);
/* ANSWERED -> CLOSED (resolved) when the citizen did not rate in deadlines.rating_days. */
int lifecycle_close_unrated(const struct handler_ctx *hx, struct case_rec *c);
/* -> CLOSED with outcome "resolved" or "rejected" and the reason the citizen reads. */
int lifecycle_close(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                    const char *outcome, const char *reason);
/*
 * -> CLOSED (forwarded) to a body outside tyndau.  *late_days gets the working days since
 * registration when that is more than deadlines.forward_days (an event says so), else 0.
 */
int lifecycle_forward(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                      const char *outside, int *late_days);
/* -> REGISTERED in another body, unassigned; the due day stays. */
int lifecycle_transfer(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                       const struct body *to);
/* The due day moves to new_due (the caller checked it is later and allowed), with a reason. */
int lifecycle_extend(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                     int32_t new_due, const char *reason);

/* Saves what is not a status (a draft's words, district, category): -1 if the status changed. */
int lifecycle_save(const struct handler_ctx *hx, const struct case_rec *c);
/* Appends an event of c (a stage fired, a follow-up, a file sent). */
int lifecycle_event(const struct handler_ctx *hx, const struct case_rec *c, const char *actor,
                    const char *kind, const char *detail);

#endif
