/*
 * casenum: case numbers a citizen can type on a button phone.
 *
 * Digits only: a sequence number followed by a Damm check digit, which
 * catches every single-digit typo and every swap of adjacent digits, so
 * "10041" mistyped as "10014" is answered with "check the number" instead of
 * someone else's case.
 */
#ifndef TYNDAU_CASENUM_H
#define TYNDAU_CASENUM_H

#include <stdint.h>

#define CASENUM_FIRST 1000 /* the first number is 10009: five digits from the start */

void casenum_make(int64_t sequence, char out[24]);
/* 1 if s is all digits (4-19 of them) with a correct check digit. */
int casenum_valid(const char *s);
/* 1 if s looks like an attempt at a case number: 4-19 digits, maybe spaced. */
int casenum_looks_like(const char *s);

#endif
