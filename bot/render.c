#include "render.h"

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
        if (!cJSON_IsString(label))
            continue;
        sbuf_addf(out, "\n%d. %s", ++n, label->valuestring);
    }
    cJSON_Delete(arr);
    return n;
}
