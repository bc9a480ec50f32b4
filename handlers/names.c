#include "handlers/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/channel.h"
#include "handlers/handler.h"

const char *names_type_key(const char *type)
{
    static const char *const keys[][2] = {
        {"complaint", "type_complaint"},
        {"application", "type_application"},
        {"proposal", "type_proposal"},
        {"request", "type_request"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i][0], type))
            return keys[i][1];
    return NULL;
}

const char *names_body(const struct config *cfg, const char *id, enum lang lang)
{
    const struct body *b = config_body(cfg, id);
    return b ? b->name[lang] : id;
}

const char *names_category(const struct config *cfg, const char *id, enum lang lang)
{
    const struct category *c = config_category(cfg, id);
    return c ? c->name[lang] : id;
}

const char *names_district(const struct config *cfg, const char *id, enum lang lang)
{
    const struct district *d = config_district(cfg, id);
    return d ? d->name[lang] : id;
}

void names_case_summary(const struct handler_ctx *hx, const struct case_rec *c, enum lang lang,
                        const char *channel, struct sbuf *out)
{
    char due[11];
    struct sbuf status = SBUF_INIT;
    calendar_format_local(c->due_day, due);
    i18n_render(&hx->cfg->texts, lang, case_status_key(c->status), NULL, &status);
    struct i18n_var vars[] = {{"number", c->number},
                              {"status", status.buf},
                              {"body", names_body(hx->cfg, c->body, lang)},
                              {"due", due},
                              {NULL, NULL}};
    char buf[64];
    const char *key = channel_text_key(channel_profile(channel), &hx->cfg->texts, lang,
                                       "case_summary", buf, sizeof buf);
    i18n_render(&hx->cfg->texts, lang, key, vars, out);
    sbuf_release(&status);
}

void names_actor(const struct handler_ctx *hx, const char *actor, enum lang lang, struct sbuf *out)
{
    const struct i18n *t = &hx->cfg->texts;
    long long id;
    char tail;
    if (sscanf(actor, "citizen:%lld%c", &id, &tail) == 1) {
        struct citizen who;
        int found = store_citizen_get(hx->store, id, &who);
        struct i18n_var vars[] = {{"channel", found == 1 ? who.channel : "?"}, {NULL, NULL}};
        i18n_render(t, lang, "actor_citizen", vars, out);
        return;
    }
    if (!strcmp(actor, "system")) {
        i18n_render(t, lang, "actor_system", NULL, out);
        return;
    }
    const char *staff_id = !strncmp(actor, "staff:", 6) ? actor + 6 : actor;
    const struct staff *st = config_staff(hx->cfg, staff_id);
    sbuf_addstr(out, st ? st->name : actor);
}

/* The value of name=VALUE in a detail of space-separated pairs ("" if absent). */
static void pair(const char *detail, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    out[0] = 0;
    for (const char *p = detail; p && *p; p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL) {
        if (!strncmp(p, name, n) && p[n] == '=') {
            const char *end = strchr(p + n + 1, ' ');
            snprintf(out, size, "%.*s", (int)(end ? end - (p + n + 1) : (long)strlen(p + n + 1)),
                     p + n + 1);
            return;
        }
    }
}

void names_event(const struct handler_ctx *hx, const char *kind, const char *detail, enum lang lang,
                 struct sbuf *out)
{
    static const char *const keys[][2] = {
        {"drafted", "event_drafted"},
        {"registered", "event_registered"},
        {"withdrawn", "event_withdrawn"},
        {"taken", "event_taken"},
        {"answered", "event_answered"},
        {"rated", "event_rated"},
        {"closed", "event_closed"},
        {"reopened", "event_reopened"},
        {"forwarded", "event_forwarded"},
        {"forward_late", "event_forward_late"},
        {"transferred", "event_transferred"},
        {"extended", "event_extended"},
        {"reminded", "event_reminded"},
        {"due_today", "event_due_today"},
        {"breach", "event_breach"},
        {"stage_skipped", "event_stage_skipped"},
        {"follow_up", "event_follow_up"},
        {"contested", "event_contested"},
        {"file_sent", "event_file_sent"},
        {"incident_joined", "event_incident_joined"},
        {"incident_confirmed", "event_incident_confirmed"},
        {"incident_split", "event_incident_split"},
        {"incident_left", "event_incident_left"},
        {"incident_answered", "event_incident_answered"},
        {"published", "event_published"},
        {"unpublished", "event_unpublished"},
    };
    const struct config *cfg = hx->cfg;
    const char *key = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i][0], kind))
            key = keys[i][1];
    if (!key) {
        sbuf_addf(out, *detail ? "%s (%s)" : "%s", kind, detail);
        return;
    }
    /* what tyndau itself wrote in a detail is a code for a text, not words to show */
    if (!strcmp(kind, "closed") && !strcmp(detail, "rated by the citizen"))
        key = "event_closed_rated";
    else if (!strcmp(kind, "closed") && !strcmp(detail, "no rating in time"))
        key = "event_closed_unrated";
    char number[24], type[40], category[40], district[40], body[40], due[16], days[16] = "0";
    char from[40] = "", to[40] = "", incident[24];
    pair(detail, "number", number, sizeof number);
    pair(detail, "type", type, sizeof type);
    pair(detail, "category", category, sizeof category);
    pair(detail, "district", district, sizeof district);
    pair(detail, "body", body, sizeof body);
    pair(detail, "due", due, sizeof due);
    pair(detail, "incident", incident, sizeof incident);
    if (!strcmp(kind, "reminded") && !strncmp(detail, "remind", 6))
        snprintf(days, sizeof days, "%s", detail + 6);
    else if (!strcmp(kind, "forward_late"))
        snprintf(days, sizeof days, "%ld", strtol(detail, NULL, 10));
    const char *arrow = strstr(detail, " -> ");
    if (!strcmp(kind, "transferred") && arrow) {
        snprintf(from, sizeof from, "%.*s", (int)(arrow - detail), detail);
        snprintf(to, sizeof to, "%s", arrow + 4);
    }
    const char *type_key = names_type_key(type);
    struct i18n_var vars[] = {
        {"number", number},
        {"type", type_key ? i18n_get(&cfg->texts, lang, type_key) : type},
        {"category", names_category(cfg, category, lang)},
        {"district", names_district(cfg, district, lang)},
        {"body", names_body(cfg, body, lang)},
        {"due", due},
        {"days", days, "working_days_n"},
        {"rating", detail},
        {"from", names_body(cfg, from, lang)},
        {"to", names_body(cfg, to, lang)},
        {"detail", detail},
        {"incident", incident},
        {NULL, NULL},
    };
    i18n_render(&cfg->texts, lang, key, vars, out);
}

void names_local_time(const struct config *cfg, int64_t at, char out[17])
{
    char day[11];
    int32_t local = calendar_local_day(&cfg->calendar, at);
    int64_t secs = at + (int64_t)cfg->calendar.utc_offset_min * 60 - (int64_t)local * 86400;
    unsigned minutes = (unsigned)(secs / 60) % 1440u; /* a day's minutes: 0..1439 */
    calendar_format_local(local, day);
    snprintf(out, 17, "%.10s %02u:%02u", day, minutes / 60 % 24, minutes % 60);
}
