#include "bot/domain/channel.h"

#include <stdio.h>
#include <string.h>

#define CHANNELS_MAX 8

static const struct channel_profile *profiles[CHANNELS_MAX];
static const struct channel_profile plain = {.name = ""};

void channel_register(const struct channel_profile *p)
{
    for (int i = 0; i < CHANNELS_MAX; i++)
        if (!profiles[i] || !strcmp(profiles[i]->name, p->name)) {
            profiles[i] = p;
            return;
        }
}

const struct channel_profile *channel_profile(const char *name)
{
    for (int i = 0; i < CHANNELS_MAX && profiles[i]; i++)
        if (!strcmp(profiles[i]->name, name))
            return profiles[i];
    return &plain;
}

void channel_show(const struct channel_profile *p, const char *text, size_t len,
                  const char *buttons, struct sbuf *out)
{
    if (p->show)
        p->show(text, len, buttons ? buttons : "", out);
    else
        sbuf_add(out, text, len);
}

const char *channel_text_key(const struct channel_profile *p, const struct i18n *texts,
                             enum lang lang, const char *key, char *buf, size_t size)
{
    if (!p->text_variant)
        return key;
    snprintf(buf, size, "%s%s", key, p->text_variant);
    return i18n_get(texts, lang, buf) ? buf : key;
}
