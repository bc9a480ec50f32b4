/*
 * log: one line per event on stderr, "2026-11-23T10:00:00+05:00 LEVEL module: text".
 * The level and the local time (the calendar's UTC offset; UTC until set) are process-wide
 * and set once at start from the config or -v.  The stamp is the real time, not --now.
 * Under systemd (JOURNAL_STREAM names stderr) each line starts with its syslog priority,
 * "<3>" error, "<4>" warn, "<6>" info, "<7>" debug, so `journalctl -p warning` filters it.
 * A line never spans lines: newlines in what is logged become spaces.
 */
#ifndef TYNDAU_LOG_H
#define TYNDAU_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_QUIET };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_utc_offset(int minutes);
/* Turns the <N> prefixes on when stderr is the journal's stream; 1 if it is. */
int log_detect_journal(void);
int log_level_parse(const char *name, enum log_level *out);
void log_msg(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

#endif
