/*
 * html: text safely inside HTML (and SVG): every character that could end
 * the text or start markup is written as an entity.
 */
#ifndef TYNDAU_HTML_H
#define TYNDAU_HTML_H

#include "bot/lib/sbuf.h"

/* Appends s with & < > " ' escaped, fit for element text and quoted attributes. */
void html_escape(struct sbuf *out, const char *s);

#endif
