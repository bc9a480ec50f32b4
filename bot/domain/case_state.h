/*
 * case_state: what a case's status means, in one place.
 *
 *   draft -> registered -> assigned -> in_progress -> answered -> closed
 *                                                      answered -> reopened
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
 */
#ifndef TYNDAU_CASE_STATE_H
#define TYNDAU_CASE_STATE_H

#include <stdint.h>

#define CASE_OPEN_SQL "status NOT IN ('draft', 'closed')"
#define CASE_CLOCK_RUNS_SQL "status NOT IN ('draft', 'closed', 'answered')"
/* today: the SQL parameter that holds today's local day, as "?1" */
#define CASE_OVERDUE_SQL(today) CASE_CLOCK_RUNS_SQL " AND due_day < " today

int case_is_open(const char *status);
int case_clock_runs(const char *status);
int case_is_overdue(const char *status, int32_t due_day, int32_t today);

#endif
