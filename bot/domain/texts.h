/*
 * texts: the catalog keys the code renders.  `tyndau check` (through
 * i18n_load) fails when one is missing from any language, so a deployment
 * never shows a blank text.
 */
#ifndef TYNDAU_TEXTS_H
#define TYNDAU_TEXTS_H

/* NULL-terminated. */
extern const char *const texts_required_keys[];

#endif
