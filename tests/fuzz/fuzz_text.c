/*
 * The text helpers every message passes: UTF-8 checks, SMS encoding and cost,
 * splitting, commands, phone numbers, numbered button lists.
 */
#include "bot/lib/command.h"
#include "bot/lib/phone.h"
#include "bot/lib/render.h"
#include "bot/lib/sms_text.h"
#include "bot/lib/split.h"
#include "bot/lib/utf8.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

struct parts {
    size_t max_chars, bytes;
};

static int check_part(void *ctx, const char *part, size_t len, int last)
{
    struct parts *p = ctx;
    (void)last;
    if (!utf8_valid(part, len))
        fuzz_fail("a split part is not valid UTF-8");
    char *copy = fuzz_string((const uint8_t *)part, len);
    if (utf8_length(copy) > p->max_chars)
        fuzz_fail("a split part of %zu characters (max %zu)", utf8_length(copy), p->max_chars);
    free(copy);
    p->bytes += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *z = fuzz_string(data, size), phone[13];
    struct sbuf a = SBUF_INIT, b = SBUF_INIT;

    utf8_has_controls(s, size);
    if (phone_normalize(z, phone) == 0 && (phone[0] != '+' || strlen(phone) != 12))
        fuzz_fail("phone %s", phone);
    const char *p = z;
    char token[64];
    while (command_token(&p, token, sizeof token) > 0)
        if (strlen(token) >= sizeof token)
            fuzz_fail("a token past its buffer");

    if (sms_utf16be_to_utf8(s, size, &a) == 0 && !utf8_valid(a.buf, a.len))
        fuzz_fail("UCS-2 decoded to invalid UTF-8");
    render_numbered(z, &b);

    if (utf8_valid(s, size) && !memchr(s, 0, size)) {
        /* what takes text the dispatcher has checked */
        struct command cmd;
        command_parse(z, &cmd);
        if (!cmd.rest || cmd.rest < z || cmd.rest > z + size)
            fuzz_fail("a command's rest outside its text");
        command_release(&cmd);
        struct sms_cost cost = sms_cost(s, size);
        if (size && cost.segments < 1)
            fuzz_fail("text of %zu bytes costs %d segments", size, cost.segments);
        for (int seg = 1; seg <= 3; seg++) {
            size_t fit = sms_fit(s, size, seg);
            if (fit > size || !utf8_valid(s, fit))
                fuzz_fail("sms_fit cut inside a character");
        }
        struct parts parts = {1 + (size % 50), 0};
        split_text(s, size, parts.max_chars, check_part, &parts);
    }
    sbuf_release(&a);
    sbuf_release(&b);
    free(z);
    return 0;
}
