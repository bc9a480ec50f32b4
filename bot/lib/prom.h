/*
 * prom: counters and gauges, written in the Prometheus text format (0.0.4).
 *
 * One process-wide registry.  A family is declared once, at start, with its
 * type and help (bot/pipeline/metrics.c declares tyndau's), and may declare
 * the series that exist from the start with value 0, so that a rate() or an
 * alert sees them before the first event.  Any thread may then add to a
 * counter or set a gauge; a series is named by its label text, for example
 * `channel="sms",outcome="sent"` (label values are escaped by prom_label()).
 * Adding to a family that was never declared is a programming error: it is
 * logged once and dropped, so that /metrics stays valid.
 */
#ifndef TYNDAU_PROM_H
#define TYNDAU_PROM_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

enum prom_type { PROM_COUNTER, PROM_GAUGE };

/* Declares a family (again: its help and type stay as first declared). */
void prom_declare(const char *name, enum prom_type type, const char *help);
/* Adds to a series, creating it at 0 first. */
void prom_add(const char *name, const char *labels, double by);
/* Sets a series. */
void prom_set(const char *name, const char *labels, double value);
/* Makes a series exist (at 0) without changing it. */
void prom_touch(const char *name, const char *labels);
/* The value of a series (0 when it does not exist). */
double prom_get(const char *name, const char *labels);
/* Removes every series of a family (a gauge rebuilt from scratch at each scrape). */
void prom_clear(const char *name);
/* Appends every family with its HELP and TYPE lines and its series. */
void prom_render(struct sbuf *out);
/* Writes name="value" with the value escaped as the format wants into buf. */
void prom_label(char *buf, size_t size, const char *name, const char *value);
/* Forgets everything (for tests and a clean exit). */
void prom_reset(void);

#endif
