/*
 * case_state: a case's status and what it means, in one place.  The
 * transitions between statuses live in handlers/lifecycle.h, the only code
 * that changes a status; this file answers what a status is.
 *
 * Three questions are asked of a status everywhere (CLI, /inbox, /overdue,
 * the digest, /stats, /metrics, the deadline index); each has exactly one
 * answer here, in C for rows in memory and in SQL for queries, side by side
 * so the two cannot drift apart:
 *  - open: registered and not closed (an answered case is still open: the
 *    citizen may contest it);
 *  - the legal clock runs: open and not answered; reminders and breaches
 *    apply only then;
 *  - overdue: the clock runs and the due day has passed.
 * The names are what the store keeps and /metrics and the CLI show.
 */
#ifndef TYNDAU_CASE_STATE_H
#define TYNDAU_CASE_STATE_H

#include <stdint.h>

enum case_status {
    CASE_DRAFT,       /* "draft": the citizen is still answering questions */
    CASE_REGISTERED,  /* "registered": numbered, due, with a body, nobody took it yet */
    CASE_IN_PROGRESS, /* "in_progress": an officer took it */
    CASE_ANSWERED,    /* "answered": answered, waiting for the citizen's rating */
    CASE_REOPENED,    /* "reopened": the citizen rated the answer low; a new term runs */
    CASE_CLOSED,      /* "closed": resolved, rejected, forwarded or withdrawn (outcome) */
    CASE_STATUSES
};

#define CASE_OPEN_SQL "status NOT IN ('draft', 'closed')"
#define CASE_CLOCK_RUNS_SQL "status NOT IN ('draft', 'closed', 'answered')"
/* today: the SQL parameter that holds today's local day, as "?1" */
/* open as well, in its words: so SQLite reads it from the index of open cases, not the table */
#define CASE_OVERDUE_SQL(today) CASE_OPEN_SQL " AND " CASE_CLOCK_RUNS_SQL " AND due_day < " today

const char *case_status_name(enum case_status s);
/* A stored name back to its status: 0, or -1 for a name that is none. */
int case_status_parse(const char *name, enum case_status *out);
/* The catalog text that names the status to people ("status_answered"). */
const char *case_status_key(enum case_status s);

int case_is_open(enum case_status s);
int case_clock_runs(enum case_status s);
int case_is_overdue(enum case_status s, int32_t due_day, int32_t today);

#endif
