#include "bot/lib/html.h"

void html_escape(struct sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            sbuf_addstr(out, "&amp;");
            break;
        case '<':
            sbuf_addstr(out, "&lt;");
            break;
        case '>':
            sbuf_addstr(out, "&gt;");
            break;
        case '"':
            sbuf_addstr(out, "&quot;");
            break;
        case '\'':
            sbuf_addstr(out, "&#39;");
            break;
        default:
            sbuf_addch(out, *s);
        }
    }
}
