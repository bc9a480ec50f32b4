#include "bot/domain/case_state.h"

#include <string.h>

static const char *const names[CASE_STATUSES][2] = {
    [CASE_DRAFT] = {"draft", "status_draft"},
    [CASE_REGISTERED] = {"registered", "status_registered"},
    [CASE_IN_PROGRESS] = {"in_progress", "status_in_progress"},
    [CASE_ANSWERED] = {"answered", "status_answered"},
    [CASE_REOPENED] = {"reopened", "status_reopened"},
    [CASE_CLOSED] = {"closed", "status_closed"},
};

const char *case_status_name(enum case_status s)
{
    return (unsigned)s < CASE_STATUSES ? names[s][0] : "?";
}

const char *case_status_key(enum case_status s)
{
    return (unsigned)s < CASE_STATUSES ? names[s][1] : "status_registered";
}

int case_status_parse(const char *name, enum case_status *out)
{
    for (int i = 0; i < CASE_STATUSES; i++)
        if (!strcmp(names[i][0], name)) {
            *out = (enum case_status)i;
            return 0;
        }
    return -1;
}

int case_is_open(enum case_status s)
{
    return s != CASE_DRAFT && s != CASE_CLOSED;
}

int case_clock_runs(enum case_status s)
{
    return case_is_open(s) && s != CASE_ANSWERED;
}

int case_is_overdue(enum case_status s, int32_t due_day, int32_t today)
{
    return case_clock_runs(s) && due_day < today;
}
