/*
 * urlform: values out of application/x-www-form-urlencoded text (a query
 * string or a form body), binary-safe: "%00" is a zero byte and "+" is a
 * space, as Kannel sends UCS-2 text.  Never trust a decoded value to be
 * text: it is bytes with a length.
 */
#ifndef TYNDAU_URLFORM_H
#define TYNDAU_URLFORM_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

/* Decodes the first value of `name` into out.  Returns 1 if present, 0 if not, -1 if malformed. */
int urlform_get(const char *form, size_t len, const char *name, struct sbuf *out);
/* Appends s form-encoded (unreserved bytes as they are, the rest %XX). */
void urlform_encode(struct sbuf *out, const char *s, size_t len);

#endif
