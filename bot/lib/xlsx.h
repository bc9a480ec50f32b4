/*
 * xlsx: a table as an Excel workbook (libxlsxwriter), for people who work in
 * Excel: one sheet, the first row bold and frozen, cells that are whole
 * numbers written as numbers, the rest as text (never a formula).
 */
#ifndef TYNDAU_XLSX_H
#define TYNDAU_XLSX_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

/*
 * Appends the workbook of rows x cols cells (row-major, the first row the header) to out.
 * Returns 0, or -1 when it could not be written (a temporary file is needed: TMPDIR or /tmp).
 */
int xlsx_table(const char *sheet, const char *const *cells, size_t rows, size_t cols,
               struct sbuf *out);

#endif
