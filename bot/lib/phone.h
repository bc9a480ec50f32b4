/*
 * phone: Kazakhstan phone numbers in one form, +7XXXXXXXXXX, whatever way
 * people and gateways write them (8 701 234 56 78, +7 (701) 234-56-78,
 * 77012345678, 7012345678).
 */
#ifndef TYNDAU_PHONE_H
#define TYNDAU_PHONE_H

/* Writes "+7XXXXXXXXXX" to out (13 bytes with NUL); returns 0, or -1 if s is not such a number. */
int phone_normalize(const char *s, char out[13]);

#endif
