#include "bot/domain/conversation.h"

#include <string.h>

static const char *const names[CONV_STATES] = {
    [CONV_IDLE] = "idle",
    [CONV_ASK_DISTRICT] = "ask_district",
    [CONV_ASK_CATEGORY] = "ask_category",
    [CONV_CONFIRM] = "confirm",
    [CONV_ASK_TYPE] = "ask_type",
    [CONV_LANG] = "lang",
    [CONV_RATE] = "rate",
    [CONV_CONTEST] = "contest",
    [CONV_INCIDENT] = "incident",
};

void conversation_init(struct conversation *cv)
{
    memset(cv, 0, sizeof *cv);
    cv->state = CONV_IDLE;
    sbuf_init(&cv->choices, 0);
}

void conversation_release(struct conversation *cv)
{
    sbuf_release(&cv->choices);
}

const char *conv_state_name(enum conv_state s)
{
    return (unsigned)s < CONV_STATES ? names[s] : names[CONV_IDLE];
}

enum conv_state conv_state_parse(const char *name)
{
    for (int i = 0; i < CONV_STATES; i++)
        if (!strcmp(names[i], name))
            return (enum conv_state)i;
    return CONV_IDLE;
}
