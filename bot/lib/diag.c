#include "bot/lib/diag.h"

#include <stdarg.h>

static void diag_add(struct diag *d, const char *file, int line, const char *kind, const char *fmt,
                     va_list ap)
{
    if (line > 0)
        sbuf_addf(&d->text, "%s:%d: %s", file ? file : "-", line, kind);
    else
        sbuf_addf(&d->text, "%s: %s", file ? file : "-", kind);
    sbuf_vaddf(&d->text, fmt, ap);
    sbuf_addch(&d->text, '\n');
}

void diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, file, line, "", fmt, ap);
    va_end(ap);
    d->errors++;
}

void diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, file, line, "warning: ", fmt, ap);
    va_end(ap);
    d->warnings++;
}

void diag_release(struct diag *d)
{
    sbuf_release(&d->text);
    d->errors = d->warnings = 0;
}
