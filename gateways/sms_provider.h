/*
 * sms_provider: what an SMS provider is to the SMS channel (gateways/sms.c).
 *
 * A provider reads its own callbacks (an inbound SMS, a delivery report)
 * from the request and takes a message to send; everything else (secrets,
 * phone numbers, the flood limit, the outbox) is the channel's.  Kannel is
 * gateways/kannel.c; another HTTP provider is one more such file and one
 * more line in sms_start().
 */
#ifndef TYNDAU_SMS_PROVIDER_H
#define TYNDAU_SMS_PROVIDER_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/lib/sbuf.h"
#include "bot/pipeline/http.h"
#include "bot/pipeline/sender.h"

struct sms_inbound {
    struct sbuf from;
    struct sbuf text; /* UTF-8 */
    struct sbuf id;   /* the provider's message id: the dedup key */
    int64_t time;     /* unix seconds, 0 if not given */
};

enum sms_dlr { SMS_DLR_DELIVERED, SMS_DLR_FAILED, SMS_DLR_PENDING };

struct sms_provider {
    const char *name;
    /* Reads an inbound SMS; -1 with the reason (answered 400). */
    int (*parse_inbound)(const struct http_request *req, struct sms_inbound *in, struct sbuf *why);
    /* Reads a delivery report: the outbox id it is about and what happened. */
    int (*parse_dlr)(const struct http_request *req, int64_t *outbox_id, enum sms_dlr *state,
                     struct sbuf *detail, struct sbuf *why);
    /*
     * Sends one message (text, any length: the provider concatenates) with the
     * sender thread's keep-alive curl handle.
     */
    void (*send)(const struct config *cfg, void *curl, const struct outbox_msg *m,
                 struct send_result *res);
};

extern const struct sms_provider sms_kannel;

#endif
