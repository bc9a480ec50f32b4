/*
 * command: the one reading of a typed command, for every entry point.
 *
 * "/answer@tyndau_bot\t10008 Жауап..." and "СТАТУС 10008" are read the same
 * way by the citizen and the staff handlers: a name (lower-cased, without
 * the '/' and an "@botname"), then tokens separated by any whitespace
 * (space, tab, newline).  The rest of the text is never copied or cut: it
 * is a pointer into the original, so an answer arrives whole, and no read
 * goes past the end of the text.
 */
#ifndef TYNDAU_COMMAND_H
#define TYNDAU_COMMAND_H

#include <stddef.h>

#include "bot/lib/sbuf.h"

struct command {
    int slash;        /* the text began with '/' */
    struct sbuf name; /* lower-cased first word, without '/' and "@botname" */
    const char *rest; /* what follows the name and the whitespace after it */
};

/* Reads text (NUL-terminated); cmd->rest points into text.  Release with command_release(). */
void command_parse(const char *text, struct command *cmd);
void command_release(struct command *cmd);

/*
 * Copies the next token at *p into out (NUL-terminated, at most size - 1 bytes,
 * never half a UTF-8 character) and moves *p past it and the whitespace after.
 * Returns the token's whole length in bytes: more than size - 1 means it was cut.
 */
size_t command_token(const char **p, char *out, size_t size);

#endif
