/*
 * sms: the SMS channel, for people on any phone.
 *
 * What every SMS provider shares lives here: the inbound and delivery-report
 * endpoints (/sms/inbound, /sms/dlr) with the shared secret, phone numbers
 * normalised to +7XXXXXXXXXX, a flood limit per phone, and the transport
 * that sends the outbox at the configured rate.  What a provider does
 * differently (the parameters of its callbacks, how it takes a message to
 * send) is a struct sms_provider in a file of its own: Kannel is
 * gateways/kannel.c, and another HTTP provider is one more such file.
 *
 * Delivery reports: "delivered" is recorded; "failed" puts the message back
 * in the outbox for up to sms.dlr_retries resends, then records the failure.
 */
#ifndef TYNDAU_SMS_H
#define TYNDAU_SMS_H

#include <pthread.h>
#include <stdint.h>

#include "bot/domain/channel.h"
#include "bot/domain/config.h"
#include "bot/lib/diag.h"
#include "bot/pipeline/http.h"
#include "bot/lib/pacer.h"
#include "bot/pipeline/sender.h"
#include "bot/domain/store.h"

#include "gateways/sms_provider.h"

struct sms_channel {
    const struct config *cfg;
    const struct sms_provider *provider;
    struct store *store;      /* the HTTP thread's: inbound and reports */
    struct store *send_store; /* the sender thread's */
    void *curl;               /* the sender thread's keep-alive handle */
    struct pacer rate;        /* sends a second, in all */
    struct pacer flood;       /* inbound per phone an hour (HTTP thread) */
    struct transport transport;
};

/* Sets the channel up for the configured provider; -1 with the reason in err. */
int sms_start(struct sms_channel *ch, const struct config *cfg, struct store *store,
              struct store *send_store, struct sbuf *err);
void sms_stop(struct sms_channel *ch);
int sms_routes(struct sms_channel *ch, struct http *http);
/*
 * Refuses (FILE:LINE: text `key` ...) catalog texts over their SMS budget, in
 * each language: every *_sms text one segment, the state of an appeal two.
 */
void sms_check_catalog(const struct config *cfg, struct diag *d);

#include "bot/lib/sms_text.h"
typedef void (*sms_catalog_fn)(void *ctx, const struct i18n_entry *e, enum lang lang,
                               struct sms_cost cost);
/* Every catalog text in every language, rendered with long sample values, and its SMS cost. */
void sms_catalog_each(const struct config *cfg, sms_catalog_fn fn, void *ctx);
/* The segments a text may take: 2 for the state of an appeal, 1 for other *_sms texts, 0 = none. */
int sms_budget(const char *key);

/* SMS: paid per segment, shorter "_sms" texts, answers cut to sms.max_parts, numbered menus. */
extern const struct channel_profile sms_profile;

#endif
