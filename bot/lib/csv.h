/*
 * csv: spreadsheet files that Excel and LibreOffice open as they are meant.
 *
 * RFC 4180 (every cell quoted, quotes doubled, CRLF rows), UTF-8 with a byte
 * order mark (without it Excel reads Cyrillic as Windows-1251), and a cell a
 * spreadsheet would run as a formula (one starting with =, +, -, @, a tab or
 * a carriage return: "=HYPERLINK(...)" typed by a citizen) starts with a
 * single quote instead, so it shows as the text it is.
 */
#ifndef TYNDAU_CSV_H
#define TYNDAU_CSV_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

#define CSV_BOM "\xEF\xBB\xBF"

/* Appends one cell, after a comma unless it is the row's first. */
void csv_cell(struct sbuf *out, const char *s, size_t len, int first);
/* Ends the row. */
void csv_row_end(struct sbuf *out);
/* Appends a row of n NUL-terminated cells. */
void csv_row(struct sbuf *out, const char *const *cells, size_t n);

#endif
