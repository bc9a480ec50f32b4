/* URL forms (query strings, form bodies): decoding anything, and encode-then-decode giving back the
 * bytes. */
#include "bot/lib/urlform.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"text", "from", "id", "secret", "", "a"};
    struct sbuf out = SBUF_INIT, form = SBUF_INIT;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        sbuf_reset(&out);
        int rc = urlform_get((const char *)data, size, names[i], &out);
        if (rc < -1 || rc > 1)
            fuzz_fail("urlform_get returned %d", rc);
    }
    /* the input as a value: encoded into a form and read back, byte for byte */
    sbuf_addstr(&form, "x=1&text=");
    urlform_encode(&form, (const char *)data, size);
    sbuf_addstr(&form, "&y=2");
    sbuf_reset(&out);
    if (urlform_get(form.buf, form.len, "text", &out) != 1 || out.len != size ||
        (size && memcmp(out.buf, data, size) != 0))
        fuzz_fail("a value did not survive encoding and decoding");
    sbuf_release(&out);
    sbuf_release(&form);
    return 0;
}
