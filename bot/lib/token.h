/*
 * token: secrets that name a sign-in link, a session or a form (64 hex digits
 * of the kernel's randomness), never guessable from one another.
 */
#ifndef TYNDAU_TOKEN_H
#define TYNDAU_TOKEN_H

#define TOKEN_LEN 64

/* Fills out (TOKEN_LEN + 1 bytes) with a new token: 0, or -1 when no randomness could be had. */
int token_new(char *out);
/* 1 when s looks like a token (so it may be looked up), else 0. */
int token_valid(const char *s);

#endif
