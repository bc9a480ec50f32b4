#include "bot/lib/csv.h"

#include <string.h>

void csv_cell(struct sbuf *out, const char *s, size_t len, int last)
{
    sbuf_addstr(out, "\"");
    if (len && s[0] && strchr("=+-@\t\r", s[0]))
        sbuf_addstr(out, "'");
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            sbuf_addstr(out, "\"");
        sbuf_add(out, &s[i], 1);
    }
    sbuf_addstr(out, last ? "\"\r\n" : "\",");
}

void csv_row(struct sbuf *out, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_cell(out, cells[i], strlen(cells[i]), i + 1 == n);
}
