/*
 * The dispatcher and the handlers behind it, on a real SQLite store with
 * the shipped configuration: each input is a batch of messages, one per
 * line.  A line's first byte picks the channel and who writes (a citizen on
 * Telegram or SMS, a staff member, a group), and whether the rest is text or
 * a pressed button's payload.  Whatever comes, the batch commits or rolls
 * back whole, and the store stays consistent.
 */
#include <unistd.h>

#include "gateways/channels.h"
#include "bot/pipeline/dispatch.h"
#include "bot/lib/log.h"
#include "fuzz.h"

static struct config cfg;
static struct store *store;
static int64_t now_ms = 1793000000000; /* Almaty, November 2026 */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    static char dir[64], path[96];
    struct diag d = DIAG_INIT;
    struct sbuf err = SBUF_INIT;
    log_set_level(LOG_QUIET);
    channels_register();
    if (config_load(&cfg, FUZZ_CONFIG, &d) < 0)
        fuzz_fail("%s", d.text.buf);
    diag_release(&d);
    snprintf(dir, sizeof dir, "/tmp/tyndau-fuzz-dispatch-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    if (store_open(&store, path, 0, &err) < 0)
        fuzz_fail("%s", err.buf);
    return 0;
}

static const char *const citizens[] = {"424242", "+77011112233", "+77019998877", "515151"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAX_BATCH = 8 };
    struct inbound in[MAX_BATCH];
    char ids[MAX_BATCH][32], users[MAX_BATCH][24];
    char *all = fuzz_string(data, size), *line = all;
    static unsigned long long seq;
    size_t n = 0;
    while (line && n < MAX_BATCH && line < all + size) {
        char *nl = memchr(line, '\n', (size_t)(all + size - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(all + size - line);
        if (nl)
            *nl = 0;
        unsigned char pick = len ? (unsigned char)line[0] : 0;
        const char *text = len ? line + 1 : line;
        size_t text_len = len ? len - 1 : 0;
        struct inbound *m = &in[n];
        memset(m, 0, sizeof *m);
        snprintf(ids[n], sizeof ids[n], "f%llu", ++seq);
        m->external_id = ids[n];
        switch (pick % 4) {
        case 0: /* a citizen on Telegram */
            m->channel = "telegram";
            m->sender = citizens[(pick >> 2) % 4 == 1 ? 0 : 3];
            break;
        case 1: /* a citizen by SMS */
            m->channel = "sms";
            m->sender = citizens[1 + (pick >> 2) % 2];
            break;
        case 2: /* a staff member, in private or in their body's group */
            m->channel = "telegram";
            snprintf(users[n], sizeof users[n], "%lld",
                     (long long)cfg.staff[(pick >> 2) % cfg.nstaff].telegram);
            m->sender = users[n];
            m->user = users[n];
            break;
        default: /* someone in a group who is not staff */
            m->channel = "telegram";
            m->sender = "-1001000000101";
            m->user = "99999";
            m->in_group = 1;
            break;
        }
        if (pick & 0x40) { /* a pressed button: the payload is the text */
            m->payload = text;
            m->ack_id = ids[n];
        } else {
            m->text = text;
            m->text_len = text_len;
        }
        n++;
        line = nl ? nl + 1 : NULL;
    }
    now_ms += 3600 * 1000; /* an hour between batches: deadlines and ratings come due */
    if (dispatch_batch(store, &cfg, in, n, now_ms, NULL, NULL) < 0)
        fuzz_fail("a batch failed in the store: %s", store_errmsg(store));
    free(all);
    return 0;
}
