#include "bot/domain/stages.h"

#include <stdio.h>
#include <string.h>

#include "bot/domain/calendar.h"

int stages_of_due_day(const struct config *cfg, int32_t due_day, struct stage out[STAGES_MAX])
{
    const struct calendar *cal = &cfg->calendar;
    int64_t hour = (int64_t)cfg->deadlines.notify_hour * 3600;
    int n = 0;
    /* reminders furthest first, so the list is in time order */
    int order[CONFIG_MAX_REMINDERS], k = cfg->deadlines.nremind;
    for (int i = 0; i < k; i++)
        order[i] = cfg->deadlines.remind_days[i];
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0 && order[j] > order[j - 1]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (int i = 0; i < k; i++) {
        int32_t day = due_day;
        for (int left = order[i]; left > 0;) {
            day--;
            if (calendar_is_working(cal, day))
                left--;
        }
        snprintf(out[n].name, sizeof out[n].name, "remind%d", order[i]);
        out[n++].fire_at = calendar_day_start(cal, day) + hour;
    }
    snprintf(out[n].name, sizeof out[n].name, "dueday");
    out[n++].fire_at = calendar_day_start(cal, due_day) + hour;
    snprintf(out[n].name, sizeof out[n].name, "overdue");
    out[n++].fire_at = calendar_day_start(cal, due_day + 1);
    return n;
}

static int named_in(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, name, n))
            return 1;
        p = end;
    }
    return 0;
}

const struct stage *stages_next(const struct stage *all, int n, const char *fired)
{
    for (int i = 0; i < n; i++)
        if (!named_in(fired, all[i].name))
            return &all[i];
    return NULL;
}
