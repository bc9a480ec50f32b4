/*
 * sms_segments: the SMS cost of every catalog text, for `make bench`.
 * Texts are rendered with long sample values (a 7-digit number, the longest
 * body name); *_sms texts are the ones actually sent by SMS and have budgets.
 */
#include <stdio.h>

#include "bot/domain/config.h"
#include "bot/lib/log.h"
#include "gateways/sms.h"

struct totals {
    int texts, over;
};

static void print_one(void *ctx, const struct i18n_entry *e, enum lang l, struct sms_cost c)
{
    struct totals *t = ctx;
    int budget = sms_budget(e->key);
    printf("%-32s %s %-5s %4d units %d segment(s)%s\n", e->key, lang_codes[l],
           c.ucs2 ? "UCS-2" : "GSM-7", c.units, c.segments,
           budget ? (c.segments <= budget ? "  (SMS, within budget)" : "  (SMS, OVER BUDGET)")
                  : "");
    t->texts++;
    t->over += budget && c.segments > budget;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct diag d = DIAG_INIT;
    struct totals t = {0, 0};
    log_set_level(LOG_ERROR);
    if (config_load(&cfg, argc > 1 ? argv[1] : "config/tyndau.conf", &d) < 0) {
        fputs(d.text.buf, stderr);
        return 1;
    }
    sms_catalog_each(&cfg, print_one, &t);
    printf("%d texts; %d SMS texts over their budget\n", t.texts, t.over);
    config_free(&cfg);
    diag_release(&d);
    return 0;
}
