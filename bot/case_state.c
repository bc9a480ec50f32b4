#include "case_state.h"

#include <string.h>

int case_is_open(const char *status)
{
    return strcmp(status, "draft") != 0 && strcmp(status, "closed") != 0;
}

int case_clock_runs(const char *status)
{
    return case_is_open(status) && strcmp(status, "answered") != 0;
}

int case_is_overdue(const struct case_rec *c, int32_t today)
{
    return case_clock_runs(c->status) && c->due_day < today;
}
