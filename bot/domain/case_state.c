#include "bot/domain/case_state.h"

#include <string.h>

int case_is_open(const char *status)
{
    return strcmp(status, "draft") != 0 && strcmp(status, "closed") != 0;
}

int case_clock_runs(const char *status)
{
    return case_is_open(status) && strcmp(status, "answered") != 0;
}

int case_is_overdue(const char *status, int32_t due_day, int32_t today)
{
    return case_clock_runs(status) && due_day < today;
}
