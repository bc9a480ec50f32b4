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

#include "../bot/config.h"
#include "../bot/diag.h"
#include "../bot/http.h"
#include "../bot/pacer.h"
#include "../bot/sender.h"
#include "../bot/store.h"

struct sms_inbound {
    struct sbuf from;
    struct sbuf text; /* UTF-8 */
    struct sbuf id;   /* the provider's message id: the dedup key */
    int64_t time;     /* unix seconds, 0 if not given */
};

enum sms_dlr { SMS_DLR_DELIVERED, SMS_DLR_FAILED, SMS_DLR_PENDING };

struct sms_channel;

struct sms_provider {
    const char *name;
    /* Reads an inbound SMS; -1 with the reason (answered 400). */
    int (*parse_inbound)(const struct http_request *req, struct sms_inbound *in, struct sbuf *why);
    /* Reads a delivery report: the outbox id it is about and what happened. */
    int (*parse_dlr)(const struct http_request *req, int64_t *outbox_id, enum sms_dlr *state,
                     struct sbuf *detail, struct sbuf *why);
    /* Sends one message (text, any length: the provider concatenates). */
    void (*send)(struct sms_channel *ch, const struct outbox_msg *m, struct send_result *res);
};

extern const struct sms_provider sms_kannel;

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
 * Warns (FILE: text `key` ...) about catalog texts over their SMS budget: the
 * acknowledgement one segment, every other *_sms text two, in each language.
 */
void sms_check_catalog(const struct config *cfg, struct diag *d);

#include "../bot/sms_text.h"
typedef void (*sms_catalog_fn)(void *ctx, const struct i18n_entry *e, enum lang lang,
                               struct sms_cost cost);
/* Every catalog text in every language, rendered with long sample values, and its SMS cost. */
void sms_catalog_each(const struct config *cfg, sms_catalog_fn fn, void *ctx);
/* The segments a text may take: 1 for the acknowledgement, 2 for other *_sms texts, 0 = none. */
int sms_budget(const char *key);

#endif
