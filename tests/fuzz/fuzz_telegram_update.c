/* A Telegram Update as the Bot API (or anyone posting to the webhook) sends it. */
#include "gateways/telegram_update.h"
#include "bot/lib/utf8.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *json = cJSON_ParseWithLength((const char *)data, size);
    struct tg_update u;
    enum tg_parse p = tg_update_parse(json, &u);
    if (p == TG_PARSE_OK) {
        /* what the dispatcher relies on */
        if (!u.in.channel || !u.in.external_id || !u.in.sender || !*u.in.sender)
            fuzz_fail("a parsed update without channel, id or sender");
        if (u.in.text && strlen(u.in.text) < u.in.text_len)
            fuzz_fail("text_len past the end of the text");
        if (u.update_id < 0)
            fuzz_fail("a parsed update with a negative id");
    } else if (!u.why) {
        fuzz_fail("a refused update without a reason");
    }
    cJSON_Delete(json);
    return 0;
}
