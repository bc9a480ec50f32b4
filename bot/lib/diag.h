/*
 * diag: problems found while loading configuration, in the form operators and
 * editors understand: "FILE:LINE: message".  Errors make `tyndau check` fail;
 * warnings (an SMS text over its segment budget, say) are printed only.
 */
#ifndef TYNDAU_DIAG_H
#define TYNDAU_DIAG_H

#include "bot/lib/sbuf.h"

struct diag {
    struct sbuf text;
    int errors;
    int warnings;
};

#define DIAG_INIT                                                                                  \
    {                                                                                              \
        SBUF_INIT, 0, 0                                                                            \
    }

void diag_error(struct diag *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_release(struct diag *d);

#endif
