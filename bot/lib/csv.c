#include "bot/lib/csv.h"

#include <string.h>

void csv_cell(struct sbuf *out, const char *s, size_t len, int first)
{
    sbuf_addstr(out, first ? "\"" : ",\"");
    if (len && s[0] && strchr("=+-@\t\r", s[0]))
        sbuf_addstr(out, "'");
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            sbuf_addstr(out, "\"");
        sbuf_add(out, &s[i], 1);
    }
    sbuf_addstr(out, "\"");
}

void csv_row_end(struct sbuf *out)
{
    sbuf_addstr(out, "\r\n");
}

void csv_row(struct sbuf *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_cell(out, cells[i], strlen(cells[i]), i == 0);
    csv_row_end(out);
}
