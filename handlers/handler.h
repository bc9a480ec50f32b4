/*
 * handler: what the pipeline calls, and what every handler receives.
 *
 * Handlers are plain functions over the store and the outbox: they change
 * cases (only through handlers/lifecycle.h), append events and queue replies
 * (handlers/reply.h) inside the transaction the dispatcher or the deadline
 * worker opened, and never touch the network or the clock; `now` comes in
 * the context, so tests can move time.  Nor do they name a channel: what
 * differs between channels is in the channel's profile (bot/domain/channel.h).
 *
 *   citizen.c    a citizen's conversation      staff.c      staff commands and card buttons
 *   deadlines.c  deadline stages, the digest   stats.c      /stats
 *   lifecycle.c  case transitions              notify.c     telling people, case cards
 *   reply.c      building a reply              names.c      naming things to people
 */
#ifndef TYNDAU_HANDLER_H
#define TYNDAU_HANDLER_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/inbound.h"
#include "bot/domain/store.h"
#include "bot/lib/sbuf.h"

struct handler_ctx {
    struct store *store;
    const struct config *cfg;
    int64_t now;    /* unix seconds */
    int64_t now_ms; /* the same instant in milliseconds */
    /*
     * The incidents whose cards a batch of messages rewrites once, when it ends
     * (incidents_cards_flush), and not at each case that joins; NULL: at once.
     */
    struct incident_ids *stale_cards;
};

int citizen_handle(const struct handler_ctx *hx, struct citizen *citizen, const struct inbound *in);
int staff_handle(const struct handler_ctx *hx, const struct staff *staff, const struct inbound *in);
/*
 * A staff member's action from the dashboard: command is the chat's ("/take N", "/answer N
 * TEXT", "/close N OUTCOME REASON", "/extend N DATE REASON", "/transfer N BODY",
 * "/forward N NAME"), done with the same rights, rules and events; what
 * the chat would tell them is appended to told in their language.  0 done or refused (told
 * says which), 1 not an action, -1 the store failed (roll back).
 */
int staff_act(const struct handler_ctx *hx, const struct staff *staff, const char *command,
              struct sbuf *told);
/* May st act on what belongs to body (a case, an incident)?  The chat's and the dashboard's rule.
 */
int staff_may_act_on(const struct staff *st, const char *body);

/*
 * Fires every stage of the case's deadline that is due by hx->now and has not
 * fired; *next_at gets the time of the next stage, 0 when none is left (the
 * case is closed, answered, or past its last stage).
 */
int deadline_fire_case(const struct handler_ctx *hx, int64_t case_id, int64_t *next_at);
/* Queues the daily digest (overdue and due today, per body) to the supervisors; nothing when none.
 */
int deadline_digest(const struct handler_ctx *hx);
/* Closes answered cases not rated within deadlines.rating_days; returns how many, or -1. */
int deadline_close_unrated(const struct handler_ctx *hx);

/*
 * Appends the statistics for a period ("7d", "30d", "all", "YYYY-MM"; "" = 30d) per body and
 * district, only of one body when only_body is set.  Returns 0, 1 for a period not understood,
 * -1 on a store failure.
 */
int stats_render(const struct handler_ctx *hx, enum lang lang, const char *period,
                 const char *only_body, struct sbuf *out);

/* The period in words, in lang ("за 30 дней", "November 2026"); "" = 30d. */
void stats_period_words(const struct config *cfg, enum lang lang, const char *period,
                        struct sbuf *out);

/* The figures of a group of cases: the city, a body or a district. */
struct stats_figures {
    int total, open, answered, rated;
    int judged, in_time;             /* answered or overdue; of them answered by the due day */
    double in_time_share;            /* in_time / judged, -1 when nothing is judged yet */
    double median_days;              /* to the first answer, -1 when nothing is answered */
    double rating;                   /* the citizens' average, -1 when nothing is rated */
    int joined, incidents, problems; /* cases in incidents, those incidents, problems in all */
};
/* scope: "city" (id ""), "body" or "district"; each group with cases, in the config's order. */
typedef void (*stats_fn)(void *ctx, const char *scope, const char *id,
                         const struct stats_figures *f);
/* The figures for period as stats_render counts them: 0, 1 for a period not understood, -1. */
int stats_each(const struct handler_ctx *hx, const char *period, stats_fn fn, void *ctx);

#endif
