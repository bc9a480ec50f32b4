#include "handlers/names.h"

#include <stdio.h>
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
