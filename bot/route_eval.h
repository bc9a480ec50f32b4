/*
 * route_eval: `tyndau route --eval FILE`, the router scored on labelled appeals.
 *
 * FILE has one appeal a line: category <TAB> district <TAB> text, where
 * district is "-" when the text names none (the router must then not guess
 * one).  Blank lines and lines starting with # are skipped.  Each guess is
 * right, asked (left to the citizen) or wrong; the figures are printed per
 * language and in all, then every miss with its line, so an operator can
 * measure a change of keywords or places before deploying it.
 */
#ifndef TYNDAU_ROUTE_EVAL_H
#define TYNDAU_ROUTE_EVAL_H

#include <stdio.h>

#include "bot/domain/config.h"
#include "bot/domain/router.h"

/* Returns 0 when scored, 1 when FILE cannot be read or has a bad line (said on err). */
int route_eval(const struct config *cfg, const struct route_model *model, const char *path,
               FILE *out, FILE *err);

#endif
