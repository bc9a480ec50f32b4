/*
 * stages: when the deadline of an open case calls for action.
 *
 * For a case due on day D (deadlines in config):
 *   remindN   at notify_hour on the N-th working day before D, for each N of
 *             remind_days_before (the department is reminded)
 *   dueday    at notify_hour on D (the department is told it is due today)
 *   overdue   at local midnight starting D+1 (supervisors are alerted and the
 *             breach is recorded)
 * Pure functions: the worker keeps, per case, the time of the first stage
 * that has not fired yet; which stages fired lives in SQLite.
 */
#ifndef TYNDAU_STAGES_H
#define TYNDAU_STAGES_H

#include <stdint.h>

#include "bot/domain/config.h"

#define STAGES_MAX (CONFIG_MAX_REMINDERS + 2)

struct stage {
    char name[16];
    int64_t fire_at; /* unix seconds */
};

/* The stages of a case due on due_day, in time order.  Returns how many. */
int stages_of_due_day(const struct config *cfg, int32_t due_day, struct stage out[STAGES_MAX]);
/*
 * The first stage not named in `fired` (space-separated names), or NULL.
 * `all` and `n` come from stages_of_due_day().
 */
const struct stage *stages_next(const struct stage *all, int n, const char *fired);

#endif
