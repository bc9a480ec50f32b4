/*
 * sms_segments: what SMS costs, for `make bench`.
 *   - every SMS text of the catalog (*_sms), rendered with long sample values
 *     (a 7-digit number, the longest body name), against its budget;
 *   - a whole filing by SMS, per language and route, on the real flow
 *     (tests/tools/sms_filing.h), against its goal.
 * With -v the filings' transcripts are printed too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/domain/calendar.h"
#include "bot/domain/config.h"
#include "bot/lib/log.h"
#include "gateways/channels.h"
#include "gateways/sms.h"
#include "tests/tools/sms_filing.h"

struct totals {
    int texts, over;
};

static void print_one(void *ctx, const struct i18n_entry *e, enum lang l, struct sms_cost c)
{
    struct totals *t = ctx;
    int budget = sms_budget(e->key);
    if (!budget)
        return; /* not sent by SMS as it is */
    printf("%-32s %s %-5s %4d units %d segment(s)%s\n", e->key, lang_codes[l],
           c.ucs2 ? "UCS-2" : "GSM-7", c.units, c.segments,
           budget ? (c.segments <= budget ? "  (SMS, within budget)" : "  (SMS, OVER BUDGET)")
                  : "");
    t->texts++;
    t->over += budget && c.segments > budget;
}

/* Files one appeal per language and route in a scratch store; prints segments against the goal. */
static int print_filings(const struct config *cfg, int verbose)
{
    char dir[] = "/tmp/tyndau-sms-filing-XXXXXX", db[64], cmd[96];
    if (!mkdtemp(dir))
        return -1;
    snprintf(db, sizeof db, "%s/tyndau.db", dir);
    int32_t day;
    calendar_parse_date("2026-11-04", &day);
    int64_t now = calendar_day_start(&cfg->calendar, day) + 10 * 3600;
    int over = 0, n = 0;
    printf("%-4s %-16s %4s %9s %5s\n", "lang", "route", "SMS", "segments", "goal");
    for (int route = FILING_SURE; route <= FILING_PICK_BOTH; route++)
        for (int l = 0; l < LANG_COUNT; l++) {
            struct filing_cost c;
            char phone[24];
            snprintf(phone, sizeof phone, "+7701900%04d", ++n);
            if (filing_run(cfg, db, phone, (enum lang)l, (enum filing_route)route, now, &c) < 0)
                return -1;
            int ok = c.registered && c.segments <= filing_goal[route];
            over += !ok;
            printf("%-4s %-16s %4d %9d %5d%s\n", lang_codes[l], filing_route_names[route],
                   c.messages, c.segments, filing_goal[route],
                   ok ? "" : (c.registered ? "  OVER THE GOAL" : "  NOT REGISTERED"));
            if (verbose)
                fputs(c.transcript, stdout);
        }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    printf("%d filings over their goal\n", over);
    return over;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct diag d = DIAG_INIT;
    struct totals t = {0, 0};
    int verbose = argc > 1 && !strcmp(argv[1], "-v");
    const char *path = argc > 1 + verbose ? argv[1 + verbose] : "config/tyndau.conf";
    log_set_level(LOG_ERROR);
    channels_register();
    if (config_load(&cfg, path, &d) < 0) {
        fputs(d.text.buf, stderr);
        return 1;
    }
    sms_catalog_each(&cfg, print_one, &t);
    printf("%d SMS texts; %d over their budget\n\n", t.texts, t.over);
    int rc = print_filings(&cfg, verbose);
    config_free(&cfg);
    diag_release(&d);
    return rc < 0 ? 1 : 0;
}
