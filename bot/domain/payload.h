/*
 * payload: what a button says when pressed, in one encoder and one parser.
 *
 * A payload travels in a Telegram button (callback_data, at most 64 bytes)
 * and in a citizen's conversation (the choices a typed digit picks), so the
 * text form is part of what is stored and must not change:
 *
 *   l:LANG        a language (kk, ru, en)
 *   d:ID c:ID     a district, a category
 *   t:TYPE        the appeal type
 *   chg:c chg:d   change the category, the district
 *   ok  cancel    confirm the route, drop the draft
 *   r:NUMBER:N    rate the answer to case NUMBER with N (1-5)
 *   s:ACTION:NUMBER  a case card's button: take, answer, transfer, extend, close
 *   i:ACTION:ID   an incident card's button: confirm, split, answer
 *   j:ID  sep     join incident ID, file separately (a citizen told of an incident)
 *
 * The parser checks the shape only (an id is a config id, a number is
 * digits); whether the district exists or the case is the sender's is the
 * handler's question.
 */
#ifndef TYNDAU_PAYLOAD_H
#define TYNDAU_PAYLOAD_H

#include <stddef.h>

#include "bot/domain/lang.h"

enum payload_kind {
    PAYLOAD_LANG,
    PAYLOAD_DISTRICT,
    PAYLOAD_CATEGORY,
    PAYLOAD_TYPE,
    PAYLOAD_CHANGE_CATEGORY,
    PAYLOAD_CHANGE_DISTRICT,
    PAYLOAD_CONFIRM,
    PAYLOAD_CANCEL,
    PAYLOAD_RATE,
    PAYLOAD_CARD,
    PAYLOAD_INCIDENT,
    PAYLOAD_JOIN,
    PAYLOAD_SEPARATE,
};

enum card_action { CARD_TAKE, CARD_ANSWER, CARD_TRANSFER, CARD_EXTEND, CARD_CLOSE, CARD_ACTIONS };
enum incident_action { INCIDENT_CONFIRM, INCIDENT_SPLIT, INCIDENT_ANSWER, INCIDENT_ACTIONS };

#define PAYLOAD_MAX 64 /* Telegram's limit for callback_data, in bytes */

struct payload {
    enum payload_kind kind;
    enum lang lang;          /* PAYLOAD_LANG */
    char id[32];             /* PAYLOAD_DISTRICT, _CATEGORY, _TYPE */
    char number[24];         /* PAYLOAD_RATE, _CARD; the incident's id: _INCIDENT, _JOIN */
    int score;               /* PAYLOAD_RATE, 1-5 */
    enum card_action action; /* PAYLOAD_CARD */
    enum incident_action incident_action; /* PAYLOAD_INCIDENT */
};

/* Its text form into out (PAYLOAD_MAX bytes). */
void payload_format(const struct payload *p, char out[PAYLOAD_MAX]);
/* 0 and *p, or -1 when s is no payload of ours (forged, from an older version). */
int payload_parse(const char *s, struct payload *p);
/* "take", "answer"...: the name in the payload. */
const char *card_action_name(enum card_action a);
/* "confirm", "split", "answer". */
const char *incident_action_name(enum incident_action a);

#endif
