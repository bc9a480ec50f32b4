#include "bot/domain/payload.h"

#include <stdio.h>
#include <string.h>

static const char *const action_names[CARD_ACTIONS] = {"take", "answer", "transfer", "extend",
                                                       "close"};
static const char *const incident_action_names[INCIDENT_ACTIONS] = {"confirm", "split", "answer"};

/* The fixed payloads, and the prefix of those that carry an id. */
static const struct {
    enum payload_kind kind;
    const char *text;
} fixed[] = {{PAYLOAD_CHANGE_CATEGORY, "chg:c"},
             {PAYLOAD_CHANGE_DISTRICT, "chg:d"},
             {PAYLOAD_CONFIRM, "ok"},
             {PAYLOAD_CANCEL, "cancel"},
             {PAYLOAD_SEPARATE, "sep"}},
  with_id[] = {{PAYLOAD_DISTRICT, "d:"}, {PAYLOAD_CATEGORY, "c:"}, {PAYLOAD_TYPE, "t:"}};

const char *card_action_name(enum card_action a)
{
    return (unsigned)a < CARD_ACTIONS ? action_names[a] : "";
}

const char *incident_action_name(enum incident_action a)
{
    return (unsigned)a < INCIDENT_ACTIONS ? incident_action_names[a] : "";
}

void payload_format(const struct payload *p, char out[PAYLOAD_MAX])
{
    out[0] = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (fixed[i].kind == p->kind)
            snprintf(out, PAYLOAD_MAX, "%s", fixed[i].text);
    for (size_t i = 0; i < sizeof with_id / sizeof *with_id; i++)
        if (with_id[i].kind == p->kind)
            snprintf(out, PAYLOAD_MAX, "%s%s", with_id[i].text, p->id);
    if (p->kind == PAYLOAD_LANG)
        snprintf(out, PAYLOAD_MAX, "l:%s", lang_codes[p->lang]);
    else if (p->kind == PAYLOAD_RATE)
        snprintf(out, PAYLOAD_MAX, "r:%s:%d", p->number, p->score);
    else if (p->kind == PAYLOAD_CARD)
        snprintf(out, PAYLOAD_MAX, "s:%s:%s", card_action_name(p->action), p->number);
    else if (p->kind == PAYLOAD_INCIDENT)
        snprintf(out, PAYLOAD_MAX, "i:%s:%s", incident_action_name(p->incident_action), p->number);
    else if (p->kind == PAYLOAD_JOIN)
        snprintf(out, PAYLOAD_MAX, "j:%s", p->number);
}

/* digits only, 1 to 23 of them */
static int is_number(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && n < 24 && !s[n];
}

/* an id as the config allows one: letters, digits, '_' and '-', 1 to 31 */
static int is_id(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
    return n > 0 && n < 32 && !s[n];
}

/* "ACTION:NUMBER": the index of ACTION among the n names, the number into number; -1 if not. */
static int action_and_number(const char *s, const char *const *names, int n, char number[24])
{
    const char *colon = strchr(s, ':');
    if (!colon || !is_number(colon + 1))
        return -1;
    for (int a = 0; a < n; a++)
        if ((size_t)(colon - s) == strlen(names[a]) && !strncmp(s, names[a], strlen(names[a]))) {
            snprintf(number, 24, "%s", colon + 1);
            return a;
        }
    return -1;
}

int payload_parse(const char *s, struct payload *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        if (!strcmp(s, fixed[i].text)) {
            p->kind = fixed[i].kind;
            return 0;
        }
    for (size_t i = 0; i < sizeof with_id / sizeof *with_id; i++) {
        size_t n = strlen(with_id[i].text);
        if (!strncmp(s, with_id[i].text, n) && is_id(s + n)) {
            p->kind = with_id[i].kind;
            snprintf(p->id, sizeof p->id, "%s", s + n);
            return 0;
        }
    }
    if (!strncmp(s, "l:", 2)) {
        p->kind = PAYLOAD_LANG;
        return lang_parse(s + 2, &p->lang);
    }
    if (!strncmp(s, "r:", 2)) { /* r:NUMBER:SCORE */
        const char *colon = strchr(s + 2, ':');
        if (!colon || colon - (s + 2) >= (long)sizeof p->number)
            return -1;
        p->kind = PAYLOAD_RATE;
        snprintf(p->number, sizeof p->number, "%.*s", (int)(colon - (s + 2)), s + 2);
        const char *score = colon + 1;
        if (!is_number(p->number) || strlen(score) != 1 || score[0] < '1' || score[0] > '5')
            return -1;
        p->score = score[0] - '0';
        return 0;
    }
    if (!strncmp(s, "s:", 2)) { /* s:ACTION:NUMBER */
        int a = action_and_number(s + 2, action_names, CARD_ACTIONS, p->number);
        p->kind = PAYLOAD_CARD;
        p->action = (enum card_action)a;
        return a < 0 ? -1 : 0;
    }
    if (!strncmp(s, "i:", 2)) { /* i:ACTION:ID */
        int a = action_and_number(s + 2, incident_action_names, INCIDENT_ACTIONS, p->number);
        p->kind = PAYLOAD_INCIDENT;
        p->incident_action = (enum incident_action)a;
        return a < 0 ? -1 : 0;
    }
    if (!strncmp(s, "j:", 2) && is_number(s + 2)) {
        p->kind = PAYLOAD_JOIN;
        snprintf(p->number, sizeof p->number, "%s", s + 2);
        return 0;
    }
    return -1;
}
