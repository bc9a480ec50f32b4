/*
 * conversation: where a citizen is in their talk with tyndau, kept in the
 * store so a restart mid-flow resumes it (handlers/citizen.c drives it).
 *
 *             text                  (only what the router could not guess)
 *   IDLE -----------> ASK_DISTRICT ---> ASK_CATEGORY ---> CONFIRM ---> ASK_TYPE ---> IDLE
 *     ^                    ^                 ^   |           |  "change"  ^  registered
 *     |                    +-----------------+---|-----------+            |
 *     |                                          +------------------------+
 *     |                     both chosen by the citizen: nothing to confirm
 *     |   a known incident fits the draft: INCIDENT (join it: registered;
 *     |     separately: on to the draft's next question)
 *     |   /lang: LANG (the draft kept; back to its question when chosen)
 *     |   an answer came: RATE (a digit rates it) ----> IDLE (rated well)
 *     +------------------------------------------------ CONTEST (rated low: why?) <-+
 *
 * /cancel returns to IDLE from anywhere; a draft (case_id) is kept in every
 * state but IDLE, RATE and CONTEST, where case_id is the case rated.
 */
#ifndef TYNDAU_CONVERSATION_H
#define TYNDAU_CONVERSATION_H

#include <stdint.h>

#include "bot/lib/sbuf.h"

enum conv_state {
    CONV_IDLE,
    CONV_ASK_DISTRICT,
    CONV_ASK_CATEGORY,
    CONV_CONFIRM,
    CONV_ASK_TYPE,
    CONV_LANG,
    CONV_RATE,
    CONV_CONTEST,
    CONV_INCIDENT,
    CONV_STATES
};

/* What the citizen chose themselves in the draft, not a guess of the router's. */
enum { PICKED_DISTRICT = 1, PICKED_CATEGORY = 2, PICKED_SEPARATE = 4 };

/* What a citizen is in the middle of; choices are the payloads last offered, '\n'-separated. */
struct conversation {
    enum conv_state state;
    int64_t case_id;
    struct sbuf choices;
    int picked; /* PICKED_* bits: a route the citizen chose whole needs no confirmation;
                   PICKED_SEPARATE: filed apart from the incident offered */
};

void conversation_init(struct conversation *cv);
void conversation_release(struct conversation *cv);
/* The state's name as stored ("idle", "ask_district"...). */
const char *conv_state_name(enum conv_state s);
/* A stored name back to its state; an unknown one (from an older version) reads as idle. */
enum conv_state conv_state_parse(const char *name);

#endif
