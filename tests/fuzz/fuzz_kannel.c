/*
 * Kannel's callbacks: an inbound SMS (get-url or post-url) and a delivery
 * report.  The input is "QUERY\nBODY"; its first byte's low bit makes it a POST.
 */
#include "bot/lib/phone.h"
#include "bot/lib/utf8.h"
#include "gateways/sms.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *all = fuzz_string(data, size);
    char *nl = memchr(all, '\n', size);
    size_t qlen = nl ? (size_t)(nl - all) : size;
    char *query = fuzz_string(data, qlen);
    struct http_request req = {.method = size && (data[0] & 1) ? "POST" : "GET",
                               .path = "/sms/inbound",
                               .query = query,
                               .body = nl ? nl + 1 : "",
                               .body_len = nl ? size - qlen - 1 : 0};
    struct sms_inbound in = {SBUF_INIT, SBUF_INIT, SBUF_INIT, 0};
    struct sbuf why = SBUF_INIT, detail = SBUF_INIT;
    if (sms_kannel.parse_inbound(&req, &in, &why) == 0) {
        char phone[13];
        if (!in.id.len || !in.from.len)
            fuzz_fail("an inbound SMS without id or sender");
        if (phone_normalize(in.from.buf, phone) == 0 && (phone[0] != '+' || strlen(phone) != 12))
            fuzz_fail("a phone number normalised to %s", phone);
    } else if (!why.len) {
        fuzz_fail("an inbound SMS refused without a reason");
    }
    sbuf_reset(&why);
    int64_t id = 0;
    enum sms_dlr state;
    req.path = "/sms/dlr";
    if (sms_kannel.parse_dlr(&req, &id, &state, &detail, &why) == 0 && id <= 0)
        fuzz_fail("a delivery report about message %lld", (long long)id);
    sbuf_release(&in.from);
    sbuf_release(&in.text);
    sbuf_release(&in.id);
    sbuf_release(&why);
    sbuf_release(&detail);
    free(query);
    free(all);
    return 0;
}
