/*
 * store: SQLite, the source of truth.
 *
 * One struct store owns one connection; threads never share one.  The
 * database runs in WAL mode so readers (CLI, metrics) never block the
 * dispatcher.  Every statement is prepared once with bound parameters and
 * cached for the life of the connection.
 *
 * Transactions are explicit: the dispatcher opens one per batch of inbound
 * messages and a savepoint per message, so a failing message rolls back
 * alone.  Functions here join the caller's transaction; called outside one,
 * each statement commits by itself (SQLite's autocommit), which the
 * sender's claim relies on.  store_outbox_interrupted and
 * store_outbox_report open and commit their own.
 *
 * Invariants kept by the schema itself:
 *  - events are append-only (triggers refuse UPDATE and DELETE);
 *  - (channel, external_id) of an inbound message is unique;
 *  - a case number, once given, is unique.
 */
#ifndef TYNDAU_STORE_H
#define TYNDAU_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/case_state.h"
#include "bot/domain/conversation.h"
#include "bot/domain/lang.h"
#include "bot/lib/sbuf.h"

struct route_model;

struct store;
struct bell;

#define STORE_CHANNEL_MAX 16
#define STORE_ADDRESS_MAX 64
#define STORE_ID_MAX 32

struct citizen {
    int64_t id;
    char channel[STORE_CHANNEL_MAX];
    char address[STORE_ADDRESS_MAX];
    enum lang lang;
    int lang_chosen;   /* set by the citizen: detection no longer overrides it */
    int lang_detected; /* read from their own words, not the default */
    char district[STORE_ID_MAX];
    char phone[24];
    int unreachable; /* the channel refused delivery for good (bot blocked) */
    int stopped;     /* asked for no more messages (SMS STOP) */
};

struct case_rec {
    int64_t id;
    char number[24]; /* "" while a draft */
    int64_t citizen_id;
    char type[STORE_ID_MAX];
    char category[STORE_ID_MAX];
    char district[STORE_ID_MAX];
    char body[STORE_ID_MAX];
    enum case_status status; /* changed only by handlers/lifecycle.c */
    char assignee[STORE_ID_MAX];
    char outcome[16];
    enum lang lang;
    struct sbuf text;
    int64_t created_at;
    int64_t registered_at;
    int32_t received_day;
    int32_t due_day;
    int64_t closed_at;
    int has_location;
    double lat, lon;
    int rating;              /* the citizen's verdict 1-5, 0 if none */
    int64_t answered_at;     /* the latest answer */
    int64_t first_answer_at; /* the first answer, for time-to-answer statistics */
    int64_t incident_id;     /* the incident it belongs to, 0 if none */
    int apart;               /* its citizen filed it apart from the incident offered */
    struct sbuf words; /* its words as incident grouping reads them ('\n' after each), "" if not
                          read yet: kept from registration so grouping does not read it again */
    int published;     /* its citizen chose to publish its words (Open311's description) */
};

struct outbox_msg {
    int64_t id;
    char channel[STORE_CHANNEL_MAX];
    char address[STORE_ADDRESS_MAX];
    int64_t case_id;
    char kind[16];
    struct sbuf text;
    struct sbuf buttons; /* JSON array of {"label","payload"}, "" if none */
    int attempts;
    int64_t next_attempt_ms;
    char media[300]; /* "photo:FILE_ID" or "document:FILE_ID" to send instead of text, or "" */
    int64_t edit_of; /* the outbox id of a card this text rewrites in place (kind "edit"), or 0 */
    int suspect;     /* its last request was cut off by a stop: sent again alone */
    int64_t incident_id; /* an incident card (kind "icard", or its "edit"): the incident */
};

int store_open(struct store **out, const char *path, int synchronous_full, struct sbuf *err);
/*
 * At most kib KiB of the database's pages kept by this connection (SQLite's own default is
 * about 2 MB): a thread that reads little needs few, and each connection keeps its own.
 */
int store_cache_kib(struct store *s, int kib);
void store_close(struct store *s);
const char *store_errmsg(struct store *s);

/*
 * After each commit that wrote, rings b (as many bells as are added): how the sender, the
 * deadline worker and the file fetcher learn that there is new work without asking the
 * database.  Returns 0.
 */
int store_ring_on_commit(struct store *s, struct bell *b);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
int store_savepoint(struct store *s);
int store_release(struct store *s);
void store_rollback_to(struct store *s);

/* 1: first time this (channel, external_id) is seen; 0: a duplicate; -1: error. */
int store_inbound_claim(struct store *s, const char *channel, const char *external_id, int64_t now);
int store_rejected_add(struct store *s, const char *channel, const char *external_id,
                       const char *sender, const char *reason, const void *raw, size_t len,
                       int64_t now);
int store_offset_get(struct store *s, const char *channel, int64_t *value);
int store_offset_set(struct store *s, const char *channel, int64_t value);

int store_citizen_get_or_create(struct store *s, const char *channel, const char *address,
                                enum lang lang, int64_t now, struct citizen *out);
int store_citizen_get(struct store *s, int64_t id, struct citizen *out);
int store_citizen_save(struct store *s, const struct citizen *c);

/* An absent conversation reads as state "idle". */
int store_conversation_get(struct store *s, int64_t citizen_id, struct conversation *cv);
int store_conversation_set(struct store *s, int64_t citizen_id, const struct conversation *cv,
                           int64_t now);

void case_init(struct case_rec *c);
void case_release(struct case_rec *c);
/* Inserts a new case (id set on return). */
int store_case_insert(struct store *s, struct case_rec *c);
int store_case_save(struct store *s, const struct case_rec *c);
/* 1 found, 0 not found, -1 error. */
int store_case_get(struct store *s, int64_t id, struct case_rec *c);
int store_case_by_number(struct store *s, const char *number, struct case_rec *c);
/* Next value of a named sequence (starting at start). */
int store_sequence_next(struct store *s, const char *name, int64_t start, int64_t *value);

typedef int (*store_case_fn)(void *ctx, const struct case_rec *c);
/* Registered cases of a citizen, newest first. */
int store_cases_of_citizen(struct store *s, int64_t citizen_id, int limit, store_case_fn fn,
                           void *ctx);
/* Open (registered, not closed) cases of a body ("" = all), oldest due first. */
int store_cases_open(struct store *s, const char *body, store_case_fn fn, void *ctx);
/* Overdue cases (case_state.h) of a body ("" = all) as of the local day today, oldest due first. */
int store_cases_overdue(struct store *s, int32_t today, const char *body, store_case_fn fn,
                        void *ctx);
/* All registered cases, by id. */
int store_cases_all(struct store *s, store_case_fn fn, void *ctx);

int store_event_add(struct store *s, int64_t case_id, int64_t at, const char *actor,
                    const char *kind, const char *detail);
typedef int (*store_event_fn)(void *ctx, int64_t at, const char *actor, const char *kind,
                              const char *detail);
int store_events_of_case(struct store *s, int64_t case_id, store_event_fn fn, void *ctx);
int store_message_add(struct store *s, int64_t case_id, int64_t at, const char *author,
                      const char *text, size_t len);
int store_attachment_add(struct store *s, int64_t case_id, const char *kind, const char *ref,
                         int64_t at);

void outbox_msg_init(struct outbox_msg *m);
void outbox_msg_release(struct outbox_msg *m);
int store_outbox_add(struct store *s, const struct outbox_msg *m, int64_t now_ms);
/*
 * Up to max pending messages of channel due by now_ms, oldest first, at
 * most one per address (the oldest pending one), so a chat gets its
 * messages in order.  Returns the count, or -1.
 */
int store_outbox_due(struct store *s, const char *channel, int64_t now_ms, struct outbox_msg *out,
                     int max);
/*
 * When the next message of channel falls due (the earliest of those store_outbox_due would
 * offer): 1 with *at_ms, 0 when none waits, -1 on error.
 */
int store_outbox_next_due(struct store *s, const char *channel, int64_t *at_ms);
/* Since when the oldest message of channel has been 'sending': 1 with *at_ms, 0 none, -1. */
int store_outbox_sending_since(struct store *s, const char *channel, int64_t *at_ms);
int store_outbox_sent(struct store *s, int64_t id, int64_t now_ms, const char *remote_id);
/*
 * Why a message goes back to pending, and the delivery row that says so:
 * RETRY_BACKOFF ("retry") counts an attempt against outbox.max_attempts;
 * RETRY_THROTTLED ("throttled", a 429) and RETRY_CHANNEL_DOWN ("down": the
 * channel could not be reached or refused its configuration, nothing is wrong
 * with the message) do not.
 */
enum outbox_retry { RETRY_BACKOFF, RETRY_THROTTLED, RETRY_CHANNEL_DOWN };
int store_outbox_retry(struct store *s, int64_t id, int64_t now_ms, int64_t next_ms,
                       enum outbox_retry why, const char *error);
int store_outbox_failed(struct store *s, int64_t id, int64_t now_ms, const char *error);
/*
 * Marks a pending message 'sending' (committed at once) just before its
 * request: 1 claimed, 0 no longer pending (STOP suppressed it), -1 error.
 * sent/retry/failed then record the outcome.
 */
int store_outbox_claim(struct store *s, int64_t id, int64_t now_ms);
/* A claimed message whose request never started is pending again, no attempt counted. */
int store_outbox_unclaim(struct store *s, int64_t id);
/*
 * The next message to an address may not go before at_ms (its channel's pace
 * for that address): its head is not offered as due until then.
 */
int store_outbox_pace(struct store *s, const char *channel, const char *address, int64_t at_ms);
/*
 * Messages of channel left 'sending' since before claimed_before_ms (the
 * daemon stopped during their request, or before it) go back to pending with
 * an 'interrupted' delivery row, suspects: the sender sends a suspect alone.
 * One that was a suspect already (the daemon stopped again while it went
 * alone) has the attempt counted, so a message that kills the daemon ends
 * (failed past max_attempts) and the ones claimed beside it lose nothing.
 * Returns how many, or -1.
 */
int store_outbox_interrupted(struct store *s, const char *channel, int64_t claimed_before_ms,
                             int64_t now_ms, int max_attempts);
/* 1 when the latest write to the database file failed (disk full, I/O error), with why. */
int store_write_fault(char *why, size_t size);
/* A write of one row, to learn whether the file takes writes again: 0 it does, -1 not. */
int store_write_probe(struct store *s, int64_t now_ms);
int64_t store_count(struct store *s, const char *table_where);
/* Each step of the plan SQLite makes for each of the store's statements (for the tests). */
typedef void (*store_plan_fn)(void *ctx, const char *sql, const char *step);
int store_query_plans(struct store *s, store_plan_fn fn, void *ctx);
/*
 * Each statement SQLite compiles again whenever a value is bound to it (a partial index whose
 * WHERE it must check against the value), for the tests: that costs a parse per use.
 */
int store_query_recompiled(struct store *s, store_plan_fn fn, void *ctx);
/*
 * Each temporary table a statement, or a trigger it fires, opens on every use (for the tests):
 * RETURNING keeps its rows in one, and an INSERT whose SELECT reads its own table copies the
 * rows aside into one first.
 */
int store_query_temp_tables(struct store *s, store_plan_fn fn, void *ctx);

/*
 * Records that `stage` of the case fired (or, skipped, was passed over) for due_day: 1 the
 * first time, 0 if it had, -1 error.
 */
int store_stage_fire(struct store *s, int64_t case_id, const char *stage, int32_t due_day,
                     int64_t now, int skipped);
typedef int (*store_index_fn)(void *ctx, int64_t case_id, int open, int32_t due_day,
                              const char *fired);
/*
 * The deadline state of cases, for the Redis index: those queued by a change
 * (queued_only, at most limit, by case id) or all open ones.  fired lists the stages
 * fired for the current due day, space-separated.
 */
int store_index_rows(struct store *s, int queued_only, int limit, store_index_fn fn, void *ctx);
/* Takes the queued changes of cases up to last_case_id off the queue: exactly those carried. */
int store_index_dequeue_upto(struct store *s, int64_t last_case_id);
int store_index_clear(struct store *s);

/* One /metrics series: its family, up to two labels (NULL when absent) and its value. */
struct store_metric {
    const char *family;
    const char *label[2], *value[2];
    int64_t n;
};
typedef void (*store_metric_fn)(void *ctx, const struct store_metric *m);
/*
 * What /metrics reads from SQLite (the families are bot/pipeline/metrics.c's):
 * cases by status, open cases overdue as of `today` in all and per body,
 * the outbox by channel and state, the creation time (ms) of the oldest
 * unsent message per channel, inbound and refused messages, deadline stages
 * fired, unreachable and stopped citizens, the database's size in bytes.
 */
int store_metrics(struct store *s, int32_t today, store_metric_fn fn, void *ctx);

/* Marks the citizen at (channel, address) reachable there or not (the channel refused for good). */
int store_citizen_set_reachable(struct store *s, const char *channel, const char *address,
                                int reachable);
/* 1 if citizens a and b are one person (the same id, or the same linked phone), 0 if not. */
int store_same_person(struct store *s, int64_t a, int64_t b);
/* A group chat got a new id: later messages and pending ones go to the new one. */
int store_chat_migrate(struct store *s, const char *channel, const char *old_address,
                       const char *new_address, int64_t now);
/*
 * A labelled example for the router: the appeal's text and the category
 * people corrected it to (source "citizen": changed in the draft; "transfer":
 * an officer sent the case to another category's body); guessed is what the
 * router had said ("" for nothing).
 */
int store_route_example_add(struct store *s, int64_t case_id, const char *source,
                            const char *category, const char *guessed, const char *text,
                            int64_t now);
/* The newest examples a model learns from at first; later ones are all added. */
#define ROUTE_EXAMPLES_KEPT 20000
/*
 * The router's classifier, learnt from the examples; this connection's, kept
 * up to date at each call (a read of the examples added since).
 */
const struct route_model *store_route_model(struct store *s);
/* The address a chat has now (after migrations), into out. */
int store_chat_current(struct store *s, const char *channel, const char *address, char *out,
                       size_t size);

/*
 * A file a citizen sent with their appeal: the channel's reference to it, and whether a copy was
 * fetched into the files directory for the dashboard (gateways/telegram.h), as FILES_DIR/ID.
 */
struct attachment {
    int64_t id;
    char kind[16];   /* "photo" or "document" */
    const char *ref; /* the channel's file id */
    int fetched;     /* 1 copied, 0 not yet, -1 it could not be had */
    int tries;       /* fetches that failed so far */
};
/* The largest copy kept: what the Bot API gives bots (20 MB). */
#define ATTACHMENT_MAX_BYTES (20 * 1024 * 1024)
typedef int (*store_attachment_fn)(void *ctx, const struct attachment *a);
/* The attachments of a case in the order received; stops (returning -1) when fn fails. */
int store_attachments_of_case(struct store *s, int64_t case_id, store_attachment_fn fn, void *ctx);
/* At most limit attachments from channel's citizens not fetched yet, whose try is due by now. */
int store_attachments_to_fetch(struct store *s, const char *channel, int64_t now, int limit,
                               store_attachment_fn fn, void *ctx);
/* When the next try of a fetch from channel is due: 1 with *at, 0 none is waiting, -1. */
int store_attachment_next_fetch(struct store *s, const char *channel, int64_t *at);
/* Records a fetch: fetched 1 done, -1 given up; 0 failed, tried again at retry_at. */
int store_attachment_fetched(struct store *s, int64_t id, int fetched, int64_t retry_at);

typedef int (*store_card_fn)(void *ctx, int64_t card_id, const char *address);
/* The newest case card (outbox kind "card") of a case at each Telegram address it went to. */
int store_cards_of_case(struct store *s, int64_t case_id, store_card_fn fn, void *ctx);
/* The channel's id of a sent outbox message: 1 found, 0 not (yet) sent, -1 error. */
int store_outbox_remote_id(struct store *s, int64_t id, char *out, size_t size);

/*
 * A delivery report about a message sent on channel (a report naming a
 * message of another channel, or one never sent, is not ours): records it; "delivered" marks the
 * message delivered; "dlr_failed" (with retries >= 0) puts it back in the
 * outbox at retry_at_ms until it has failed retries + 1 times, then fails it.
 * Returns 1, 0 for an unknown message, -1 on error.
 */
int store_outbox_report(struct store *s, const char *channel, int64_t id, int64_t now_ms,
                        const char *result, const char *detail, int retries, int64_t retry_at_ms);

typedef int (*store_message_fn)(void *ctx, int64_t at, const char *author, const char *text,
                                size_t len);
/* The messages of a case (the citizen's words, the answers), oldest first. */
int store_messages_of_case(struct store *s, int64_t case_id, store_message_fn fn, void *ctx);

/* Answered cases whose answer came before answered_before and were not rated (at most 500). */
int store_cases_unrated(struct store *s, int64_t answered_before, store_case_fn fn, void *ctx);

/* When the oldest answer still waiting for a rating came: 1 with *answered_at, 0 none, -1. */
int store_answered_oldest(struct store *s, int64_t *answered_at);

/*
 * Which registered cases to list, newest first: every field that is 0 or "" does not narrow.
 * Open311 reads it for publication, the staff's dashboard for its lists and search.
 */
struct case_query {
    const char *category, *body, *district;
    const char *status; /* a status's name (bot/domain/case_state.h) */
    int closed;         /* 0 open only, 1 closed only, -1 both */
    int64_t from, to;   /* registered in [from, to) */
    const char *text;   /* words the appeal contains, whatever their case */
    int32_t due_before; /* due before this local day (overdue when it is today) */
    int limit, offset;
};
int store_cases_find(struct store *s, const struct case_query *q, store_case_fn fn, void *ctx);
/* Cases registered in [from, to), by id. */
int store_cases_registered(struct store *s, int64_t from, int64_t to, store_case_fn fn, void *ctx);

/* The case a message tyndau sent (known by the channel's id for it) was about; 0 if none. */
int64_t store_case_of_sent(struct store *s, const char *channel, const char *address,
                           const char *remote_id);

/*
 * An incident: appeals about one problem (bot/domain/incident.h), joined by
 * cases.incident_id.  status: "proposed" (found, not yet looked at),
 * "confirmed" (an officer agreed), "split" (taken apart; its cases stand alone).
 */
struct incident_rec {
    int64_t id;
    char category[STORE_ID_MAX], district[STORE_ID_MAX], body[STORE_ID_MAX];
    char status[16];
    int64_t created_at, updated_at;
    struct sbuf answer; /* what the body last answered to all, "" if nothing */
    int64_t answered_at;
};
void incident_rec_init(struct incident_rec *r);
void incident_rec_release(struct incident_rec *r);
int store_incident_insert(struct store *s, struct incident_rec *r);
int store_incident_save(struct store *s, const struct incident_rec *r);
/* 1 found, 0 not, -1 error. */
int store_incident_get(struct store *s, int64_t id, struct incident_rec *r);
typedef int (*store_incident_fn)(void *ctx, const struct incident_rec *r);
/* Incidents not split with an open case in them, of category and body (NULL or "" = any), by id. */
int store_incidents_open(struct store *s, const char *category, const char *body,
                         store_incident_fn fn, void *ctx);
/* The first limit cases of an incident (-1: all) in the order they were registered. */
int store_cases_of_incident(struct store *s, int64_t incident_id, int limit, store_case_fn fn,
                            void *ctx);
/*
 * The newest limit cases of an incident, newest first, as grouping compares them: only what an
 * incident_item holds, its tokens the words kept at registration.  A case from before words were
 * kept has none; then text is the case's text (else NULL) for the caller to read them from.
 */
struct incident_item;
typedef int (*store_item_fn)(void *ctx, struct incident_item *it, const char *text, size_t len);
int store_incident_newest(struct store *s, int64_t incident_id, int limit, store_item_fn fn,
                          void *ctx);
/* An incident's cases in figures. */
struct incident_view {
    int size, open;
    int64_t since;           /* the first case's registration */
    char type[STORE_ID_MAX]; /* the first case's appeal type */
};
int store_incident_view(struct store *s, int64_t incident_id, struct incident_view *v);
/* Open cases of category registered since, in no incident and not filed apart, oldest first. */
int store_cases_unjoined(struct store *s, const char *category, int64_t since, store_case_fn fn,
                         void *ctx);
/* The newest card of an incident at each Telegram address it went to. */
int store_incident_cards(struct store *s, int64_t incident_id, store_card_fn fn, void *ctx);
/* The incident whose card tyndau sent as remote_id to address; 0 if none, -1 error. */
int64_t store_incident_of_sent(struct store *s, const char *channel, const char *address,
                               const char *remote_id);

/*
 * The staff's web sign-in (bot/pipeline/web.h): a one-time link a staff member asked for in
 * chat, and the session it opened.  Tokens are random (bot/lib/token.h).
 */
int store_web_link_add(struct store *s, const char *token, const char *staff_id, int64_t now,
                       int64_t expires_at);
/* Uses a link: 1 with its staff id (it is spent), 0 when unknown, spent or expired, -1. */
int store_web_link_use(struct store *s, const char *token, int64_t now, char *staff_id,
                       size_t size);
struct web_session {
    char token[72], staff_id[STORE_ID_MAX], csrf[72];
    enum lang lang;
    int64_t expires_at;
    char flash[600]; /* what the last action said, shown once on the next page */
};
/* Adds w (and forgets expired sessions). */
int store_web_session_add(struct store *s, const struct web_session *w, int64_t now);
/* 1 a live session, 0 none (or expired), -1. */
int store_web_session_get(struct store *s, const char *token, int64_t now, struct web_session *w);
/* Saves the session's language and flash. */
int store_web_session_set(struct store *s, const struct web_session *w);
int store_web_session_end(struct store *s, const char *token);

#endif
