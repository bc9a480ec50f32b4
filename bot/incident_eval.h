/*
 * incident_eval: `tyndau incidents --eval FILE`, incident grouping scored on
 * labelled appeals.
 *
 * FILE has one appeal a line, in the order they came:
 *   label <TAB> category <TAB> district <TAB> minutes <TAB> text
 * label names the problem the appeal is about ("-" for one about nothing
 * else in the file), minutes is when it came (from any start).  Blank lines
 * and lines starting with # are skipped.  The appeals are grouped as the
 * gateway groups them at registration (bot/domain/incident.h); a group of
 * incidents.min_appeals or more is an incident.  Printed: each incident
 * found with its labels, then pairwise precision and recall (two appeals
 * put in one incident that are about one problem, out of all pairs put
 * together / all pairs about one problem) and the unrelated appeals joined.
 */
#ifndef TYNDAU_INCIDENT_EVAL_H
#define TYNDAU_INCIDENT_EVAL_H

#include <stdio.h>

#include "bot/domain/config.h"

/* Returns 0 when scored, 1 when FILE cannot be read or has a bad line (said on err). */
int incident_eval(const struct config *cfg, const char *path, FILE *out, FILE *err);

#endif
