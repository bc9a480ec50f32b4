#include "bot/lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static enum log_level current_level = LOG_INFO;
static int offset_min; /* the local time of the log: the calendar's */
static const char *level_names[] = {"debug", "info", "warn", "error", "quiet"};
static const int syslog_priority[] = {7, 6, 4, 3, 3}; /* debug, info, warning, err */
static int journal; /* stderr is journald's stream: lines carry <N> */

int log_detect_journal(void)
{
    unsigned long long dev, ino;
    struct stat st;
    const char *stream = getenv("JOURNAL_STREAM");
    journal = stream && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
              (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
    return journal;
}

void log_set_level(enum log_level level)
{
    current_level = level;
}

void log_set_utc_offset(int minutes)
{
    offset_min = minutes;
}

enum log_level log_get_level(void)
{
    return current_level;
}

int log_level_parse(const char *name, enum log_level *out)
{
    for (int i = 0; i <= LOG_QUIET; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_msg(enum log_level level, const char *module, const char *fmt, ...)
{
    if (level < current_level)
        return;
    char stamp[40], zone[8];
    time_t now = time(NULL) + (time_t)offset_min * 60;
    struct tm tm;
    gmtime_r(&now, &tm);
    int off = offset_min < 0 ? -offset_min : offset_min;
    snprintf(zone, sizeof zone, "%c%02d:%02d", offset_min < 0 ? '-' : '+', off / 60 % 100,
             off % 60);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    strcat(stamp, zone);
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* what a sender wrote (a citizen's text, a provider's answer) cannot start a forged line */
    for (char *c = line; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    char prefix[8] = "";
    if (journal)
        snprintf(prefix, sizeof prefix, "<%d>", syslog_priority[level]);
    /* one write per line so concurrent threads do not interleave */
    fprintf(stderr, "%s%s %s %s: %s\n", prefix, stamp, level_names[level], module, line);
}
