/*
 * dispatch: the path of one inbound message into the store (DESIGN §5).
 *
 * A batch of inbound messages runs in one SQLite transaction, each message
 * under its own savepoint:
 *   1. claim (channel, external id); a message seen before is dropped;
 *   2. check the bytes (UTF-8, length); bad input is kept raw in `rejected`
 *      and the sender gets a polite reply;
 *   3. resolve who sent it (staff by id, otherwise a citizen) and run the
 *      handler for that role, which changes cases and queues replies;
 *   4. commit, together with the channel offset if the gateway has one.
 * Only after dispatch_batch() returns 0 may the gateway confirm the wire.
 * A handler that fails rolls back its own message only; the message is then
 * kept in `rejected` for an operator, so nothing behind it stalls.
 */
#ifndef TYNDAU_DISPATCH_H
#define TYNDAU_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/inbound.h"
#include "bot/domain/store.h"

enum dispatch_result { DISPATCH_DONE, DISPATCH_DUPLICATE, DISPATCH_REJECTED };

struct dispatch_offset {
    const char *channel;
    int64_t value;
};

/*
 * Dispatches in[0..n) at now_ms.  results (may be NULL) gets one result per
 * message; offset (may be NULL) is stored in the same transaction.
 * Returns 0 when everything is committed, -1 when nothing is.
 */
/*
 * Why text a person wrote cannot be taken: the catalog key of the refusal ("message_unreadable",
 * "message_too_long") with the reason for the log, or NULL.  The chat's rule, and the
 * dashboard's for what staff type into its forms.
 */
const char *dispatch_text_problem(const struct config *cfg, const char *text, size_t len,
                                  const char **reason);

int dispatch_batch(struct store *store, const struct config *cfg, const struct inbound *in,
                   size_t n, int64_t now_ms, enum dispatch_result *results,
                   const struct dispatch_offset *offset);

#endif
