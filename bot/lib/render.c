#include "bot/lib/render.h"

#include <cjson/cJSON.h>

int render_numbered(const char *buttons_json, struct sbuf *out)
{
    if (!buttons_json || !*buttons_json)
        return 0;
    cJSON *arr = cJSON_Parse(buttons_json);
    int n = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, arr)
    {
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(b, "label");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(b, "key");
        if (!cJSON_IsString(label))
            continue;
        n++;
        /* the key is what picks the button; older messages have none: the position */
        if (cJSON_IsString(key))
            sbuf_addf(out, "\n%s. %s", key->valuestring, label->valuestring);
        else
            sbuf_addf(out, "\n%d. %s", n, label->valuestring);
    }
    cJSON_Delete(arr);
    return n;
}
