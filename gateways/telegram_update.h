/*
 * telegram_update: one Telegram Update (JSON) into an inbound value.
 *
 * Every field is checked for its JSON type before use; an update without a
 * usable update_id cannot be deduplicated and is reported malformed; kinds
 * tyndau does not handle (channel posts, polls...) and unknown fields are
 * ignored with a reason for the log.  Strings point into the parsed JSON,
 * which must outlive the inbound.
 */
#ifndef TYNDAU_TELEGRAM_UPDATE_H
#define TYNDAU_TELEGRAM_UPDATE_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "bot/domain/inbound.h"

enum tg_parse { TG_PARSE_OK, TG_PARSE_IGNORED, TG_PARSE_MALFORMED };

struct tg_update {
    int64_t update_id;
    struct inbound in;
    char external_id[32];
    char chat[24];
    char user[24];
    char callback_id[96]; /* a callback_query to answer (in.ack_id), "" if none */
    char file_ref[256];
    char reply_to[24];
    const char *why; /* for IGNORED and MALFORMED */
};

/* Parses u; update_id is set whenever it could be read (even if the rest is bad). */
enum tg_parse tg_update_parse(const cJSON *u, struct tg_update *out);

#endif
