#include "bot/lib/render.h"

#include <cjson/cJSON.h>

/* Each button as "KEY" sep0 "label", items after "\n" and then between: sep. */
static int render_list(const char *buttons_json, const char *key_sep, const char *sep,
                       struct sbuf *out)
{
    if (!buttons_json || !*buttons_json)
        return 0;
    cJSON *arr = cJSON_Parse(buttons_json);
    int n = 0, out_n = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, arr)
    {
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(b, "label");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(b, "key");
        if (!cJSON_IsString(label))
            continue;
        n++;
        if (!*label->valuestring)
            continue; /* a choice the text itself explains: its key still picks it */
        sbuf_addstr(out, out_n++ ? sep : "\n");
        /* the key is what picks the button; older messages have none: the position */
        if (cJSON_IsString(key))
            sbuf_addf(out, "%s%s%s", key->valuestring, key_sep, label->valuestring);
        else
            sbuf_addf(out, "%d%s%s", n, key_sep, label->valuestring);
    }
    cJSON_Delete(arr);
    return n;
}

int render_numbered(const char *buttons_json, struct sbuf *out)
{
    return render_list(buttons_json, ". ", "\n", out);
}

int render_inline(const char *buttons_json, struct sbuf *out)
{
    return render_list(buttons_json, ".", " ", out);
}
