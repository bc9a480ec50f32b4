/*
 * names: how a case and what it refers to are named to people, in their
 * language: the appeal type, a day, a body, a category, a district, and the
 * one-line summary of a case (/status, /inbox, /cases).
 */
#ifndef TYNDAU_NAMES_H
#define TYNDAU_NAMES_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/lib/sbuf.h"

struct handler_ctx;

/* The catalog key of an appeal type ("type_complaint"), or NULL for no type of ours. */
const char *names_type_key(const char *type);
const char *names_body(const struct config *cfg, const char *body_id, enum lang lang);
const char *names_category(const struct config *cfg, const char *id, enum lang lang);
const char *names_district(const struct config *cfg, const char *id, enum lang lang);
/*
 * Appends who did something to a case, in lang: a citizen as "citizen (sms)", staff by
 * name, tyndau itself as "system"; events store "citizen:ID", "staff:ID" or "system".
 */
void names_actor(const struct handler_ctx *hx, const char *actor, enum lang lang, struct sbuf *out);
/*
 * Appends what an event of the case history was, in lang (/case N): its kind's text with
 * its stored detail read into names, dates and counts.  An event of an unknown kind shows
 * as it was stored.
 */
void names_event(const struct handler_ctx *hx, const char *kind, const char *detail, enum lang lang,
                 struct sbuf *out);
/* The local time of at, "DD.MM.YYYY HH:MM". */
void names_local_time(const struct config *cfg, int64_t at, char out[17]);
/* Appends "No. N: status, body, due DATE" in lang, in the channel's variant (shorter on SMS). */
void names_case_summary(const struct handler_ctx *hx, const struct case_rec *c, enum lang lang,
                        const char *channel, struct sbuf *out);

#endif
