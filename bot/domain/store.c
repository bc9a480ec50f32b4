#include "bot/domain/store.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/domain/case_state.h"
#include "bot/domain/incident.h"
#include "bot/domain/router.h"
#include "bot/domain/words.h"
#include "bot/lib/bell.h"
#include "bot/lib/log.h"
#include "bot/lib/xalloc.h"

/*
 * Migrations: each entry moves the schema from version i to i+1 and runs in
 * its own transaction.  PRAGMA user_version records how far a file has got.
 * Never edit a released entry: append a new one.
 */
/* The head of who's address recomputed (who: "new" or "old" in a trigger): see migration 9. */
#define OUTBOX_HEAD_SQL(who)                                                                       \
    "DELETE FROM outbox_heads WHERE channel = " who ".channel AND address = " who ".address;"      \
    "INSERT INTO outbox_heads(channel, address, head_id, ready_ms)"                                \
    "  SELECT channel, address, id, next_attempt_ms FROM outbox WHERE state = 'pending'"           \
    "  AND channel = " who ".channel AND address = " who ".address"                                \
    "  AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.state = 'sending'"                           \
    "    AND f.channel = " who ".channel AND f.address = " who ".address)"                         \
    "  ORDER BY id LIMIT 1;"

static const char *const migrations[] = {
    "CREATE TABLE citizens("
    "  id INTEGER PRIMARY KEY,"
    "  channel TEXT NOT NULL, address TEXT NOT NULL,"
    "  lang TEXT NOT NULL, lang_chosen INTEGER NOT NULL DEFAULT 0,"
    "  district TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',"
    "  unreachable INTEGER NOT NULL DEFAULT 0, stopped INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE(channel, address));"
    "CREATE TABLE conversations("
    "  citizen_id INTEGER PRIMARY KEY REFERENCES citizens(id),"
    "  state TEXT NOT NULL, case_id INTEGER NOT NULL DEFAULT 0,"
    "  choices TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL);"
    "CREATE TABLE cases("
    "  id INTEGER PRIMARY KEY, number TEXT UNIQUE,"
    "  citizen_id INTEGER NOT NULL REFERENCES citizens(id),"
    "  type TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '',"
    "  district TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL, assignee TEXT NOT NULL DEFAULT '',"
    "  outcome TEXT NOT NULL DEFAULT '', lang TEXT NOT NULL, text TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL, registered_at INTEGER NOT NULL DEFAULT 0,"
    "  received_day INTEGER NOT NULL DEFAULT 0, due_day INTEGER NOT NULL DEFAULT 0,"
    "  closed_at INTEGER NOT NULL DEFAULT 0, lat REAL, lon REAL);"
    "CREATE INDEX cases_citizen ON cases(citizen_id, id);"
    "CREATE INDEX cases_open ON cases(body, due_day) WHERE status NOT IN ('draft', 'closed');"
    "CREATE TABLE messages("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  at INTEGER NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX messages_case ON messages(case_id, id);"
    "CREATE TABLE attachments("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),"
    "  kind TEXT NOT NULL, ref TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE events("
    "  id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL, at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX events_case ON events(case_id, id);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TABLE outbox("
    "  id INTEGER PRIMARY KEY, channel TEXT NOT NULL, address TEXT NOT NULL,"
    "  case_id INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL DEFAULT 'reply',"
    "  text TEXT NOT NULL, buttons TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_ms INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
    "  sent_ms INTEGER NOT NULL DEFAULT 0, remote_id TEXT NOT NULL DEFAULT '',"
    "  last_error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX outbox_pending ON outbox(channel, address, id) WHERE state = 'pending';"
    "CREATE TABLE deliveries("
    "  id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL, at_ms INTEGER NOT NULL,"
    "  result TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE inbound_seen("
    "  channel TEXT NOT NULL, external_id TEXT NOT NULL, at INTEGER NOT NULL,"
    "  PRIMARY KEY(channel, external_id)) WITHOUT ROWID;"
    "CREATE TABLE rejected("
    "  id INTEGER PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL,"
    "  sender TEXT NOT NULL, reason TEXT NOT NULL, raw BLOB, at INTEGER NOT NULL);"
    "CREATE TABLE offsets(channel TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE sequences(name TEXT PRIMARY KEY, value INTEGER NOT NULL);",

    /* 2: deadline stages.  A stage fires once per due date; an extension gives new ones. */
    "CREATE TABLE stages_fired("
    "  case_id INTEGER NOT NULL, stage TEXT NOT NULL, due_day INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, PRIMARY KEY(case_id, stage, due_day)) WITHOUT ROWID;"
    /* cases whose deadline entry in Redis must be brought up to date */
    "CREATE TABLE index_queue(case_id INTEGER PRIMARY KEY);"
    "CREATE TRIGGER cases_index_insert AFTER INSERT ON cases"
    "  WHEN new.status NOT IN ('draft', 'closed', 'answered')"
    "  BEGIN INSERT OR IGNORE INTO index_queue(case_id) VALUES (new.id); END;"
    "CREATE TRIGGER cases_index_update AFTER UPDATE ON cases"
    "  WHEN old.status IS NOT new.status OR old.due_day IS NOT new.due_day"
    "  BEGIN INSERT OR IGNORE INTO index_queue(case_id) VALUES (new.id); END;",

    /* 3: media in the outbox; groups that became supergroups */
    "ALTER TABLE outbox ADD COLUMN media TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE chat_migrations(channel TEXT NOT NULL, old_address TEXT NOT NULL,"
    "  new_address TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(channel, old_address));"
    "CREATE INDEX citizens_phone ON citizens(phone) WHERE phone != '';",

    /* 4: the citizen's verdict, and when answers came, for statistics */
    "ALTER TABLE cases ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN answered_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN first_answer_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX cases_answered ON cases(answered_at) WHERE status = 'answered';",

    /*
     * 5: a phone that sent STOP gets nothing but the STOP confirmation (kind
     * 'stop'), whoever queues the message and whenever: what is pending when
     * STOP comes, what is queued or put back after it, is kept as 'suppressed'.
     */
    "CREATE TRIGGER outbox_insert_stopped AFTER INSERT ON outbox"
    "  WHEN new.kind != 'stop' AND EXISTS (SELECT 1 FROM citizens WHERE channel = new.channel"
    "    AND address = new.address AND stopped = 1)"
    "  BEGIN UPDATE outbox SET state = 'suppressed' WHERE id = new.id; END;"
    "CREATE TRIGGER outbox_resend_stopped AFTER UPDATE OF state ON outbox"
    "  WHEN new.state = 'pending' AND old.state != 'pending' AND new.kind != 'stop' AND EXISTS"
    "    (SELECT 1 FROM citizens WHERE channel = new.channel AND address = new.address"
    "    AND stopped = 1)"
    "  BEGIN UPDATE outbox SET state = 'suppressed' WHERE id = new.id; END;"
    "CREATE TRIGGER citizens_stop AFTER UPDATE OF stopped ON citizens"
    "  WHEN new.stopped = 1 AND old.stopped = 0"
    "  BEGIN UPDATE outbox SET state = 'suppressed' WHERE channel = new.channel"
    "    AND address = new.address AND state = 'pending' AND kind != 'stop'; END;"
    /* an SMS citizen's phone is their address: linking a Telegram contact finds their cases */
    "UPDATE citizens SET phone = address WHERE channel = 'sms' AND phone = '';"
    "CREATE TRIGGER citizens_sms_phone AFTER INSERT ON citizens"
    "  WHEN new.channel = 'sms' AND new.phone = ''"
    "  BEGIN UPDATE citizens SET phone = new.address WHERE id = new.id; END;"
    /* stages passed over (after downtime or a clock jump) are recorded, not fired */
    "ALTER TABLE stages_fired ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;",

    /*
     * 6: a message is 'sending' from just before its request until its outcome
     * is recorded; one left so by a crash is reconciled at the next drain.
     */
    "CREATE INDEX outbox_inflight ON outbox(channel, address, id) WHERE state = 'sending';",

    /* 7: a card's new text names the card it rewrites in a column of its own */
    "ALTER TABLE outbox ADD COLUMN edit_of INTEGER NOT NULL DEFAULT 0;"
    "UPDATE outbox SET edit_of = CAST(substr(media, 6) AS INTEGER), media = ''"
    "  WHERE media LIKE 'edit:%';",

    /* 8: what the citizen chose themselves in the draft (nothing left to confirm when both) */
    "ALTER TABLE conversations ADD COLUMN picked INTEGER NOT NULL DEFAULT 0;",

    /*
     * 9: the next message of each address, kept by triggers as the outbox
     * changes, so choosing what to send costs the messages ready, not all
     * that are pending.  An address has a head when it has a pending message
     * and none in flight; the head is its oldest pending one.
     */
    "CREATE TABLE outbox_heads(channel TEXT NOT NULL, address TEXT NOT NULL,"
    "  head_id INTEGER NOT NULL, ready_ms INTEGER NOT NULL, PRIMARY KEY(channel, address))"
    "  WITHOUT ROWID;"
    "CREATE INDEX outbox_heads_ready ON outbox_heads(channel, ready_ms);"
    "INSERT INTO outbox_heads(channel, address, head_id, ready_ms)"
    "  SELECT o.channel, o.address, o.id, o.next_attempt_ms FROM outbox o"
    "  WHERE o.state = 'pending' AND o.id = (SELECT min(p.id) FROM outbox p"
    "    WHERE p.state = 'pending' AND p.channel = o.channel AND p.address = o.address)"
    "  AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.state = 'sending'"
    "    AND f.channel = o.channel AND f.address = o.address);"
    /* clang-format off */
    "CREATE TRIGGER outbox_heads_insert AFTER INSERT ON outbox"
    "  BEGIN " OUTBOX_HEAD_SQL("new") " END;"
    "CREATE TRIGGER outbox_heads_update AFTER UPDATE OF state, next_attempt_ms, address ON outbox"
    "  BEGIN " OUTBOX_HEAD_SQL("new") " END;"
    /* a chat that migrated leaves its old address: that one's head goes too */
    "CREATE TRIGGER outbox_heads_moved AFTER UPDATE OF address ON outbox"
    "  WHEN old.address != new.address BEGIN " OUTBOX_HEAD_SQL("old") " END;",
    /* clang-format on */
    /* 10: the ready heads in the order they are offered (readiness, then age): read, not sorted */
    "DROP INDEX outbox_heads_ready;"
    "CREATE INDEX outbox_heads_ready"
    "  ON outbox_heads(channel, ready_ms, head_id);",
    /* 11: every lookup by an index, so what an appeal costs does not grow with those before it
       (a case's cards were found by reading the whole outbox) */
    "CREATE INDEX outbox_cards ON outbox(case_id) WHERE kind = 'card';"
    "CREATE INDEX outbox_remote ON outbox(channel, address, remote_id) WHERE remote_id != '';"
    "CREATE INDEX attachments_case ON attachments(case_id, id);"
    "CREATE INDEX deliveries_outbox ON deliveries(outbox_id);"
    "CREATE INDEX cases_registered ON cases(registered_at) WHERE number IS NOT NULL;",
    /* 12: what people corrected the router to: the labelled examples it learns from */
    "CREATE TABLE route_examples(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
    "  source TEXT NOT NULL, case_id INTEGER NOT NULL, category TEXT NOT NULL,"
    "  guessed TEXT NOT NULL, text TEXT NOT NULL);",
    /* 13: appeals about one problem, joined as an incident; an incident card is an outbox row */
    "CREATE TABLE incidents(id INTEGER PRIMARY KEY, category TEXT NOT NULL,"
    "  district TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    "  answer TEXT NOT NULL DEFAULT '', answered_at INTEGER NOT NULL DEFAULT 0,"
    "  open_cases INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX incidents_open ON incidents(category, body)"
    "  WHERE status != 'split' AND open_cases > 0;"
    "ALTER TABLE cases ADD COLUMN incident_id INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE cases ADD COLUMN apart INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX cases_incident ON cases(incident_id, registered_at) WHERE incident_id != 0;"
    "CREATE INDEX cases_unjoined ON cases(category, registered_at)"
    "  WHERE incident_id = 0 AND apart = 0 AND status NOT IN ('draft', 'closed');"
    "ALTER TABLE outbox ADD COLUMN incident_id INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX outbox_incident_cards ON outbox(incident_id) WHERE kind = 'icard';"
    /* how many of an incident's cases are open, kept by the cases themselves */
    "CREATE TRIGGER cases_incident_open AFTER UPDATE OF status, incident_id ON cases"
    "  WHEN old.incident_id != 0 OR new.incident_id != 0 BEGIN"
    "  UPDATE incidents SET open_cases = (SELECT count(*) FROM cases c WHERE"
    "    c.incident_id = incidents.id AND c.status NOT IN ('draft', 'closed'))"
    "  WHERE id IN (old.incident_id, new.incident_id); END;"
    /* a card rewritten again before its last rewrite went: only the newest text goes */
    "CREATE INDEX outbox_edits_pending ON outbox(edit_of) WHERE state = 'pending' AND edit_of != 0;"
    "CREATE TRIGGER outbox_edit_supersedes AFTER INSERT ON outbox WHEN new.edit_of != 0 BEGIN"
    "  UPDATE outbox SET state = 'superseded' WHERE edit_of = new.edit_of AND edit_of != 0"
    "    AND state = 'pending' AND address = new.address AND id != new.id; END;",
    /* 14: a case's words as incident grouping reads them, kept from its registration */
    "ALTER TABLE cases ADD COLUMN words TEXT NOT NULL DEFAULT '';"
    /* an incident's cases and open cases counted by each change, not by reading them all */
    "ALTER TABLE incidents ADD COLUMN cases INTEGER NOT NULL DEFAULT 0;"
    "UPDATE incidents SET cases = (SELECT count(*) FROM cases c WHERE c.incident_id = "
    "incidents.id);"
    "DROP TRIGGER cases_incident_open;"
    "CREATE TRIGGER cases_incident_open AFTER UPDATE OF status, incident_id ON cases"
    "  WHEN old.incident_id != 0 OR new.incident_id != 0 BEGIN"
    "  UPDATE incidents SET open_cases = open_cases - (old.status NOT IN ('draft', 'closed')),"
    "    cases = cases - 1 WHERE id = old.incident_id;"
    "  UPDATE incidents SET open_cases = open_cases + (new.status NOT IN ('draft', 'closed')),"
    "    cases = cases + 1 WHERE id = new.incident_id; END;",
    /* 15: the staff's web sign-in links and sessions; a citizen's choice to publish their words */
    "CREATE TABLE web_links(token TEXT PRIMARY KEY, staff_id TEXT NOT NULL,"
    "  expires_at INTEGER NOT NULL, used_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE web_sessions(token TEXT PRIMARY KEY, staff_id TEXT NOT NULL,"
    "  csrf TEXT NOT NULL, lang TEXT NOT NULL, created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL, flash TEXT NOT NULL DEFAULT '');"
    "ALTER TABLE cases ADD COLUMN public INTEGER NOT NULL DEFAULT 0;"
    /* a file a citizen sent, copied from the channel for the dashboard (store_attachment_*) */
    "ALTER TABLE attachments ADD COLUMN fetched INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE attachments ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE attachments ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX attachments_to_fetch ON attachments(retry_at) WHERE fetched = 0;",
    /*
     * 16: the cases no incident holds, with incident_id a column of the index and not its WHERE:
     * SQLite checked that WHERE's "incident_id = 0" against each "incident_id = ?1" and so
     * compiled every statement about one incident again on each use
     */
    "DROP INDEX cases_unjoined;"
    "CREATE INDEX cases_unjoined ON cases(category, incident_id, registered_at)"
    "  WHERE apart = 0 AND status NOT IN ('draft', 'closed');",
    /*
     * 17: the triggers every appeal fires, without a temporary table on each firing.
     * A message added where nothing is pending or in flight is its address's head; one added
     * behind a head leaves it as it is (the head is older): the address's pending rows are not
     * read again.  The row is read back, not taken from "new", as a trigger on the same insert
     * may have suppressed it already; VALUES, not a SELECT, as an INSERT whose SELECT follows a
     * read of its own table first copies its rows aside.  A list of three statuses is checked
     * one by one: SQLite builds a table for a list of more than two on each use.
     */
    /* clang-format off */
    "DROP TRIGGER outbox_heads_insert;"
    "CREATE TRIGGER outbox_heads_insert AFTER INSERT ON outbox"
    "  WHEN (SELECT state FROM outbox WHERE id = new.id) = 'pending'"
    "  AND NOT EXISTS (SELECT 1 FROM outbox_heads h"
    "    WHERE h.channel = new.channel AND h.address = new.address)"
    "  AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.state = 'sending'"
    "    AND f.channel = new.channel AND f.address = new.address)"
    "  BEGIN INSERT INTO outbox_heads(channel, address, head_id, ready_ms)"
    "    VALUES (new.channel, new.address, new.id, new.next_attempt_ms); END;"
    "DROP TRIGGER cases_index_insert;"
    "CREATE TRIGGER cases_index_insert AFTER INSERT ON cases"
    "  WHEN new.status != 'draft' AND new.status != 'closed' AND new.status != 'answered'"
    "  BEGIN INSERT OR IGNORE INTO index_queue(case_id) VALUES (new.id); END;",
    /* clang-format on */
};

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_INBOUND_CLAIM,
    ST_REJECTED_ADD,
    ST_OFFSET_GET,
    ST_OFFSET_SET,
    ST_CITIZEN_FIND,
    ST_CITIZEN_INSERT,
    ST_CITIZEN_GET,
    ST_CITIZEN_SAVE,
    ST_CONV_GET,
    ST_CONV_SET,
    ST_CASE_INSERT,
    ST_CASE_SAVE,
    ST_CASE_GET,
    ST_CASE_BY_NUMBER,
    ST_CASES_OF_CITIZEN,
    ST_SAME_PERSON,
    ST_ATTACHMENTS_OF_CASE,
    ST_ATTACHMENTS_TO_FETCH,
    ST_ATTACHMENT_NEXT_FETCH,
    ST_ATTACHMENT_FETCHED,
    ST_CARDS_OF_CASE,
    ST_OUTBOX_REMOTE,
    ST_OUTBOX_SENT_ON,
    ST_OUTBOX_DLR_FAILS,
    ST_MESSAGES_OF_CASE,
    ST_CASES_UNRATED,
    ST_CASES_SINCE,
    ST_CASE_BY_REMOTE,
    ST_OUTBOX_SET_STATE,
    ST_CASES_OPEN,
    ST_CASES_OPEN_BODY,
    ST_CASES_OVERDUE,
    ST_CASES_ALL,
    ST_SEQ_NEXT,
    ST_SEQ_VALUE,
    ST_EVENT_ADD,
    ST_EVENTS_OF_CASE,
    ST_MESSAGE_ADD,
    ST_ATTACHMENT_ADD,
    ST_OUTBOX_ADD,
    ST_OUTBOX_DUE,
    ST_OUTBOX_NEXT,
    ST_ANSWERED_OLDEST,
    ST_OUTBOX_SENDING_SINCE,
    ST_OUTBOX_SENT,
    ST_OUTBOX_RETRY,
    ST_OUTBOX_FAILED,
    ST_OUTBOX_CLAIM,
    ST_OUTBOX_UNCLAIM,
    ST_OUTBOX_PACE,
    ST_OUTBOX_INTERRUPTED_LOG,
    ST_OUTBOX_INTERRUPTED,
    ST_OUTBOX_REPORTED_SENT,
    ST_WRITE_PROBE,
    ST_DELIVERY_ADD,
    ST_STAGE_FIRE,
    ST_INDEX_QUEUED,
    ST_INDEX_OPEN,
    ST_INDEX_CLEAR,
    ST_INDEX_DEQUEUE_UPTO,
    ST_METRICS,
    ST_CITIZEN_REACHABLE,
    ST_CHAT_MIGRATE,
    ST_CHAT_MIGRATE_OUTBOX,
    ST_CHAT_CURRENT,
    ST_EXAMPLE_ADD,
    ST_EXAMPLES_AFTER,
    ST_INCIDENT_INSERT,
    ST_INCIDENT_SAVE,
    ST_INCIDENT_GET,
    ST_INCIDENTS_OPEN,
    ST_CASES_FIND,
    ST_WEB_LINK_ADD,
    ST_WEB_LINK_PRUNE,
    ST_WEB_LINK_USE,
    ST_WEB_SESSION_ADD,
    ST_WEB_SESSION_PRUNE,
    ST_WEB_SESSION_GET,
    ST_WEB_SESSION_SET,
    ST_WEB_SESSION_END,
    ST_CASES_OF_INCIDENT,
    ST_INCIDENT_NEWEST,
    ST_INCIDENT_VIEW,
    ST_CASES_UNJOINED,
    ST_INCIDENT_CARDS,
    ST_INCIDENT_BY_REMOTE,
    ST_COUNT
};

#define CASE_COLUMNS                                                                               \
    "id, coalesce(number, ''), citizen_id, type, category, district, body, status, assignee, "     \
    "outcome, lang, text, created_at, registered_at, received_day, due_day, closed_at, lat, lon, " \
    "rating, answered_at, first_answer_at, incident_id, apart, words, public"

#define INCIDENT_COLUMNS                                                                           \
    "id, category, district, body, status, created_at, updated_at, answer, answered_at"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT msg",
    [ST_RELEASE] = "RELEASE msg",
    [ST_ROLLBACK_TO] = "ROLLBACK TO msg",
    [ST_INBOUND_CLAIM] =
        "INSERT OR IGNORE INTO inbound_seen(channel, external_id, at) VALUES (?1, ?2, ?3)",
    [ST_REJECTED_ADD] = "INSERT INTO rejected(channel, external_id, sender, reason, raw, at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_OFFSET_GET] = "SELECT value FROM offsets WHERE channel = ?1",
    [ST_OFFSET_SET] = "INSERT INTO offsets(channel, value) VALUES (?1, ?2) "
                      "ON CONFLICT(channel) DO UPDATE SET value = excluded.value",
    [ST_CITIZEN_FIND] = "SELECT id FROM citizens WHERE channel = ?1 AND address = ?2",
    [ST_CITIZEN_INSERT] = "INSERT INTO citizens(channel, address, lang, created_at) "
                          "VALUES (?1, ?2, ?3, ?4)",
    [ST_CITIZEN_GET] = "SELECT id, channel, address, lang, lang_chosen, district, phone, "
                       "unreachable, stopped FROM citizens WHERE id = ?1",
    [ST_CITIZEN_SAVE] = "UPDATE citizens SET lang = ?2, lang_chosen = ?3, district = ?4, "
                        "phone = ?5, unreachable = ?6, stopped = ?7 WHERE id = ?1",
    [ST_CONV_GET] = "SELECT state, case_id, choices, picked FROM conversations "
                    "WHERE citizen_id = ?1",
    [ST_CONV_SET] = "INSERT INTO conversations(citizen_id, state, case_id, choices, updated_at, "
                    "picked) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(citizen_id) DO UPDATE "
                    "SET state = excluded.state, case_id = excluded.case_id, "
                    "choices = excluded.choices, updated_at = excluded.updated_at, "
                    "picked = excluded.picked",
    [ST_CASE_INSERT] =
        "INSERT INTO cases(number, citizen_id, type, category, district, body, "
        "status, assignee, outcome, lang, text, created_at, registered_at, "
        "received_day, due_day, closed_at, lat, lon, rating, answered_at, "
        "first_answer_at, incident_id, apart, words, public) VALUES (nullif(?1, ''), "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
    [ST_CASE_SAVE] =
        "UPDATE cases SET number = nullif(?1, ''), citizen_id = ?2, type = ?3, "
        "category = ?4, district = ?5, body = ?6, status = ?7, assignee = ?8, "
        "outcome = ?9, lang = ?10, text = ?11, created_at = ?12, "
        "registered_at = ?13, received_day = ?14, due_day = ?15, closed_at = ?16, "
        "lat = ?17, lon = ?18, rating = ?20, answered_at = ?21, "
        "first_answer_at = ?22, incident_id = ?23, apart = ?24, words = ?25, public = ?26 "
        "WHERE id = ?19",
    [ST_CASE_GET] = "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1",
    [ST_CASE_BY_NUMBER] = "SELECT " CASE_COLUMNS " FROM cases WHERE number = ?1",
    [ST_CASES_OF_CITIZEN] = "SELECT " CASE_COLUMNS " FROM cases WHERE citizen_id IN ("
                            "SELECT ?1 UNION SELECT id FROM citizens WHERE phone != '' AND "
                            "phone = (SELECT phone FROM citizens WHERE id = ?1)) AND "
                            "number IS NOT NULL ORDER BY id DESC LIMIT ?2",
    [ST_SAME_PERSON] = "SELECT ?1 = ?2 OR EXISTS (SELECT 1 FROM citizens a JOIN citizens b ON "
                       "a.phone = b.phone WHERE a.id = ?1 AND b.id = ?2 AND a.phone != '')",
    [ST_CASES_OPEN] =
        "SELECT " CASE_COLUMNS " FROM cases WHERE " CASE_OPEN_SQL " ORDER BY due_day, id",
    [ST_CASES_OPEN_BODY] = "SELECT " CASE_COLUMNS " FROM cases WHERE body = ?1 AND " CASE_OPEN_SQL
                           " ORDER BY due_day, id",
    [ST_CASES_OVERDUE] = "SELECT " CASE_COLUMNS " FROM cases WHERE " CASE_OVERDUE_SQL(
        "?1") " AND (?2 = '' OR body = ?2) ORDER BY due_day, id",
    [ST_CASES_ALL] = "SELECT " CASE_COLUMNS " FROM cases WHERE number IS NOT NULL ORDER BY id",
    /* no RETURNING: SQLite would keep its rows in a temporary table opened on every use */
    [ST_SEQ_NEXT] = "INSERT INTO sequences(name, value) VALUES (?1, ?2) ON CONFLICT(name) DO "
                    "UPDATE SET value = value + 1",
    [ST_SEQ_VALUE] = "SELECT value FROM sequences WHERE name = ?1",
    [ST_EVENT_ADD] = "INSERT INTO events(case_id, at, actor, kind, detail) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_EVENTS_OF_CASE] = "SELECT at, actor, kind, detail FROM events WHERE case_id = ?1 "
                          "ORDER BY id",
    [ST_MESSAGE_ADD] = "INSERT INTO messages(case_id, at, author, text) VALUES (?1, ?2, ?3, ?4)",
    [ST_CARDS_OF_CASE] = "SELECT max(id), address FROM outbox WHERE case_id = ?1 AND channel = "
                         "'telegram' AND kind = 'card' GROUP BY address ORDER BY 1",
    [ST_CASE_BY_REMOTE] =
        "SELECT case_id FROM outbox WHERE channel = ?1 AND address = ?2 AND "
        "remote_id = ?3 AND remote_id != '' AND case_id != 0 ORDER BY id DESC LIMIT 1",
    [ST_INCIDENT_INSERT] =
        "INSERT INTO incidents(category, district, body, status, created_at, "
        "updated_at, answer, answered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_INCIDENT_SAVE] = "UPDATE incidents SET category = ?1, district = ?2, body = ?3, "
                         "status = ?4, created_at = ?5, updated_at = ?6, answer = ?7, "
                         "answered_at = ?8 WHERE id = ?9",
    [ST_INCIDENT_GET] = "SELECT " INCIDENT_COLUMNS " FROM incidents WHERE id = ?1",
    /* with an open appeal in it, of a category and a body ("" = any) */
    [ST_INCIDENTS_OPEN] = "SELECT " INCIDENT_COLUMNS " FROM incidents INDEXED BY incidents_open "
                          "WHERE status != 'split' "
                          "AND open_cases > 0 AND (?1 = '' OR category = ?1) AND "
                          "(?2 = '' OR body = ?2) ORDER BY id",
    [ST_CASES_OF_INCIDENT] = "SELECT " CASE_COLUMNS " FROM cases WHERE incident_id = ?1 AND "
                             "incident_id != 0 ORDER BY registered_at, id LIMIT ?2",
    [ST_CASES_FIND] =
        "SELECT " CASE_COLUMNS " FROM cases WHERE number IS NOT NULL AND "
        "registered_at >= ?3 AND registered_at < ?4 AND (?1 = '' OR category = ?1) AND "
        "(?2 < 0 OR (status = 'closed') = ?2) AND (?5 = '' OR body = ?5) AND "
        "(?6 = '' OR district = ?6) AND (?7 = '' OR status = ?7) AND "
        "(?8 = '' OR instr(fold(text), fold(?8)) > 0) AND (?11 = 0 OR due_day < ?11) "
        "ORDER BY registered_at DESC, id DESC LIMIT ?9 OFFSET ?10",
    [ST_WEB_LINK_ADD] = "INSERT INTO web_links(token, staff_id, expires_at) VALUES (?1, ?2, ?3)",
    [ST_WEB_LINK_PRUNE] = "DELETE FROM web_links WHERE expires_at < ?1",
    [ST_WEB_LINK_USE] = "UPDATE web_links SET used_at = ?2 WHERE token = ?1 AND used_at = 0 AND "
                        "expires_at > ?2 RETURNING staff_id",
    [ST_WEB_SESSION_ADD] = "INSERT INTO web_sessions(token, staff_id, csrf, lang, created_at, "
                           "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_WEB_SESSION_PRUNE] = "DELETE FROM web_sessions WHERE expires_at < ?1",
    [ST_WEB_SESSION_GET] = "SELECT staff_id, csrf, lang, expires_at, flash FROM web_sessions "
                           "WHERE token = ?1 AND expires_at > ?2",
    [ST_WEB_SESSION_SET] = "UPDATE web_sessions SET lang = ?2, flash = ?3 WHERE token = ?1",
    [ST_WEB_SESSION_END] = "DELETE FROM web_sessions WHERE token = ?1",
    [ST_INCIDENT_NEWEST] = "SELECT category, district, body, lat, lon, registered_at, words, "
                           "CASE WHEN words = '' THEN text ELSE '' END FROM cases WHERE "
                           "incident_id = ?1 AND incident_id != 0 ORDER BY registered_at DESC, "
                           "id DESC LIMIT ?2",
    [ST_INCIDENT_VIEW] = "SELECT i.cases, i.open_cases, coalesce(c.registered_at, 0), "
                         "coalesce(c.type, '') FROM incidents i LEFT JOIN cases c ON c.id = "
                         "(SELECT id FROM cases WHERE incident_id = ?1 AND incident_id != 0 "
                         "ORDER BY registered_at, id LIMIT 1) WHERE i.id = ?1",
    [ST_CASES_UNJOINED] = "SELECT " CASE_COLUMNS " FROM cases WHERE category = ?1 AND "
                          "registered_at >= ?2 AND incident_id = 0 AND apart = 0 AND "
                          "status NOT IN ('draft', 'closed') ORDER BY registered_at, id",
    [ST_INCIDENT_CARDS] = "SELECT max(id), address FROM outbox WHERE incident_id = ?1 AND "
                          "channel = 'telegram' AND kind = 'icard' GROUP BY address ORDER BY 1",
    [ST_INCIDENT_BY_REMOTE] =
        "SELECT incident_id FROM outbox WHERE channel = ?1 AND address = ?2 AND remote_id = ?3 "
        "AND remote_id != '' AND kind = 'icard' ORDER BY id DESC LIMIT 1",
    [ST_CASES_SINCE] = "SELECT " CASE_COLUMNS " FROM cases WHERE number IS NOT NULL AND "
                       "registered_at >= ?1 AND registered_at < ?2 ORDER BY id",
    [ST_CASES_UNRATED] = "SELECT " CASE_COLUMNS " FROM cases WHERE status = 'answered' AND "
                         "answered_at < ?1 ORDER BY answered_at LIMIT 500",
    [ST_ANSWERED_OLDEST] = "SELECT min(answered_at) FROM cases WHERE status = 'answered'",
    [ST_MESSAGES_OF_CASE] = "SELECT at, author, text FROM messages WHERE case_id = ?1 ORDER BY id",
    [ST_OUTBOX_DLR_FAILS] = "SELECT count(*) FROM deliveries WHERE outbox_id = ?1 AND "
                            "result = 'dlr_failed'",
    [ST_OUTBOX_SET_STATE] = "UPDATE outbox SET state = ?2, next_attempt_ms = ?3, last_error = "
                            "CASE WHEN ?4 = '' THEN last_error ELSE ?4 END WHERE id = ?1 AND "
                            "state IN ('sending', 'sent', 'delivered')",
    [ST_OUTBOX_REMOTE] = "SELECT state, remote_id FROM outbox WHERE id = ?1",
    [ST_OUTBOX_SENT_ON] = "SELECT 1 FROM outbox WHERE id = ?1 AND channel = ?2 AND state IN "
                          "('sending', 'sent', 'delivered')",
    [ST_ATTACHMENTS_OF_CASE] =
        "SELECT id, kind, ref, fetched, tries FROM attachments WHERE case_id = ?1 ORDER BY id",
    /* from the files still to fetch (CROSS JOIN keeps that order), not every citizen of a channel
     */
    [ST_ATTACHMENTS_TO_FETCH] =
        "SELECT a.id, a.kind, a.ref, a.fetched, a.tries FROM attachments a "
        "CROSS JOIN cases c ON c.id = a.case_id CROSS JOIN citizens z ON z.id = c.citizen_id "
        "WHERE a.fetched = 0 AND a.retry_at <= ?1 AND z.channel = ?3 "
        "ORDER BY a.retry_at, a.id LIMIT ?2",
    [ST_ATTACHMENT_NEXT_FETCH] =
        "SELECT min(a.retry_at) FROM attachments a "
        "CROSS JOIN cases c ON c.id = a.case_id CROSS JOIN citizens z ON z.id = c.citizen_id "
        "WHERE a.fetched = 0 AND z.channel = ?1",
    [ST_ATTACHMENT_FETCHED] = "UPDATE attachments SET fetched = ?2, tries = tries + (?2 = 0), "
                              "retry_at = ?3 WHERE id = ?1",
    [ST_ATTACHMENT_ADD] = "INSERT INTO attachments(case_id, kind, ref, at) "
                          "VALUES (?1, ?2, ?3, ?4)",
    [ST_OUTBOX_ADD] =
        "INSERT INTO outbox(channel, address, case_id, kind, text, buttons, "
        "next_attempt_ms, created_ms, media, edit_of, incident_id) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?7, ?8, ?9, ?10)",
    /* the heads that are ready, longest ready first: read in the order of outbox_heads_ready, so
       a batch costs its own rows, not every ready address's */
    [ST_OUTBOX_DUE] = "SELECT o.id, o.address, o.case_id, o.kind, o.text, o.buttons, o.attempts, "
                      "o.next_attempt_ms, o.media, o.edit_of, o.last_error LIKE 'interrupted:%' "
                      "FROM outbox_heads h "
                      "JOIN outbox o ON "
                      "o.id = h.head_id WHERE h.channel = ?1 AND h.ready_ms <= ?2 ORDER BY "
                      "h.ready_ms, h.head_id LIMIT ?3",
    /* the heads of the addresses, as ST_OUTBOX_DUE offers them: a later message waits anyway */
    [ST_OUTBOX_NEXT] = "SELECT min(ready_ms) FROM outbox_heads WHERE channel = ?1",
    [ST_OUTBOX_SENDING_SINCE] = "SELECT min(next_attempt_ms) FROM outbox WHERE "
                                "state = 'sending' AND channel = ?1",
    /* a delivery report may have come first and moved it on: it stays where the report put it */
    [ST_OUTBOX_SENT] = "UPDATE outbox SET state = CASE state WHEN 'sending' THEN 'sent' ELSE state "
                       "END, attempts = attempts + 1, sent_ms = ?2, remote_id = ?3, "
                       "last_error = '' WHERE id = ?1",
    [ST_OUTBOX_RETRY] = "UPDATE outbox SET state = CASE state WHEN 'sending' THEN 'pending' ELSE "
                        "state END, attempts = attempts + ?3, next_attempt_ms = ?2, "
                        "last_error = ?4 WHERE id = ?1",
    [ST_OUTBOX_FAILED] = "UPDATE outbox SET state = 'failed', attempts = attempts + 1, "
                         "last_error = ?2 WHERE id = ?1",
    [ST_OUTBOX_PACE] = "UPDATE outbox SET next_attempt_ms = ?3 WHERE id = (SELECT min(id) FROM "
                       "outbox WHERE channel = ?1 AND address = ?2 AND state = 'pending') AND "
                       "next_attempt_ms < ?3",
    [ST_OUTBOX_CLAIM] = "UPDATE outbox SET state = 'sending', next_attempt_ms = ?2 WHERE id = ?1 "
                        "AND state = 'pending'",
    [ST_OUTBOX_UNCLAIM] = "UPDATE outbox SET state = 'pending' WHERE id = ?1 AND state = 'sending'",
    [ST_OUTBOX_INTERRUPTED_LOG] = "INSERT INTO deliveries(outbox_id, at_ms, result, detail) "
                                  "SELECT id, ?3, 'interrupted', ?4 FROM outbox WHERE "
                                  "state = 'sending' AND channel = ?1 AND next_attempt_ms <= ?2",
    /* an attempt that never got its answer counts when it was sent again alone (a suspect, see
       store.h): a message that kills the daemon ends, the ones claimed beside it do not */
    [ST_OUTBOX_INTERRUPTED] =
        "UPDATE outbox SET attempts = attempts + (last_error LIKE 'interrupted:%'), "
        "last_error = ?4, state = CASE WHEN attempts + (last_error LIKE 'interrupted:%') >= ?5 "
        "THEN 'failed' ELSE 'pending' END, next_attempt_ms = ?3 WHERE state = 'sending' AND "
        "channel = ?1 AND next_attempt_ms <= ?2",
    [ST_WRITE_PROBE] = "INSERT OR REPLACE INTO offsets(channel, value) VALUES ('write_probe', ?1)",
    [ST_OUTBOX_REPORTED_SENT] = "UPDATE outbox SET state = 'sent', sent_ms = ?2 WHERE id = ?1 "
                                "AND state = 'sending'",
    [ST_STAGE_FIRE] = "INSERT OR IGNORE INTO stages_fired(case_id, stage, due_day, at, skipped) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_INDEX_QUEUED] = "SELECT c.id, " CASE_CLOCK_RUNS_SQL ", "
                        "c.due_day, (SELECT group_concat(f.stage, ' ') FROM stages_fired f "
                        "WHERE f.case_id = c.id AND f.due_day = c.due_day) FROM index_queue q "
                        "JOIN cases c ON c.id = q.case_id ORDER BY q.case_id LIMIT ?1",
    [ST_INDEX_OPEN] = "SELECT c.id, 1, c.due_day, (SELECT group_concat(f.stage, ' ') FROM "
                      "stages_fired f WHERE f.case_id = c.id AND f.due_day = c.due_day) FROM "
                      "cases c WHERE " CASE_OPEN_SQL " AND " CASE_CLOCK_RUNS_SQL,
    [ST_INDEX_CLEAR] = "DELETE FROM index_queue",
    [ST_INDEX_DEQUEUE_UPTO] = "DELETE FROM index_queue WHERE case_id <= ?1",
    [ST_CITIZEN_REACHABLE] = "UPDATE citizens SET unreachable = ?3 WHERE channel = ?1 AND "
                             "address = ?2",
    [ST_CHAT_MIGRATE] = "INSERT OR REPLACE INTO chat_migrations(channel, old_address, "
                        "new_address, at) VALUES (?1, ?2, ?3, ?4)",
    [ST_CHAT_MIGRATE_OUTBOX] = "UPDATE outbox SET address = ?3 WHERE channel = ?1 AND "
                               "address = ?2 AND state = 'pending'",
    [ST_CHAT_CURRENT] = "SELECT new_address FROM chat_migrations WHERE channel = ?1 AND "
                        "old_address = ?2",
    [ST_EXAMPLE_ADD] = "INSERT INTO route_examples(at, source, case_id, category, guessed, text) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    /* the newest ROUTE_EXAMPLES_KEPT at first, then each new one */
    [ST_EXAMPLES_AFTER] = "SELECT id, category, text FROM route_examples WHERE id > max(?1, "
                          "(SELECT coalesce(max(id), 0) FROM route_examples) - ?2) ORDER BY id",
    [ST_METRICS] =
        "SELECT 'tyndau_cases', 'status', status, NULL, NULL, count(*) FROM cases GROUP BY status "
        "UNION ALL SELECT 'tyndau_overdue_cases', 'body', body, NULL, NULL, count(*) FROM cases "
        "WHERE " CASE_OVERDUE_SQL(
            "?1") " GROUP BY body "
                  "UNION ALL SELECT 'tyndau_outbox_messages', 'channel', channel, 'state', state, "
                  "count(*) "
                  "FROM outbox GROUP BY channel, state "
                  "UNION ALL SELECT 'oldest_unsent', 'channel', channel, NULL, NULL, "
                  "min(created_ms) "
                  "FROM outbox WHERE state IN ('pending', 'sending') GROUP BY channel "
                  "UNION ALL SELECT 'tyndau_inbound_messages_total', 'channel', channel, NULL, "
                  "NULL, "
                  "count(*) FROM inbound_seen GROUP BY channel "
                  "UNION ALL SELECT 'tyndau_inbound_refused_total', 'channel', channel, 'reason', "
                  "reason, "
                  "count(*) FROM rejected GROUP BY channel, reason "
                  "UNION ALL SELECT 'tyndau_deadline_stages_fired_total', 'stage', stage, NULL, "
                  "NULL, "
                  "count(*) FROM stages_fired GROUP BY stage "
                  "UNION ALL SELECT 'tyndau_citizens', 'state', 'unreachable', NULL, NULL, "
                  "count(*) FROM "
                  "citizens WHERE unreachable "
                  "UNION ALL SELECT 'tyndau_citizens', 'state', 'stopped', NULL, NULL, count(*) "
                  "FROM "
                  "citizens WHERE stopped "
                  "UNION ALL SELECT 'tyndau_deadline_index_backlog', NULL, NULL, NULL, NULL, "
                  "count(*) "
                  "FROM index_queue "
                  "UNION ALL SELECT 'tyndau_database_size_bytes', NULL, NULL, NULL, NULL, "
                  "page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    [ST_DELIVERY_ADD] = "INSERT INTO deliveries(outbox_id, at_ms, result, detail) "
                        "VALUES (?1, ?2, ?3, ?4)",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[ST_COUNT];
    int64_t changes_at_begin;
    char errstr[256];    /* the latest failure, for store_errmsg() */
    struct bell **bells; /* rung after a commit that wrote */
    int nbells;
    struct route_model *model; /* the router's, learnt from route_examples up to model_last */
    int64_t model_last;
};

/*
 * Every failure passes here: it keeps SQLite's words (which the next call
 * would overwrite) for store_errmsg() and returns -1.  The store logs
 * nothing itself; the caller knows what failed and says so.
 */
static int fail(struct store *s)
{
    snprintf(s->errstr, sizeof s->errstr, "%s", sqlite3_errmsg(s->db));
    return -1;
}

/* The cached statement, reset and unbound, ready to bind. */
static sqlite3_stmt *stmt(struct store *s, enum stmt_id id)
{
    sqlite3_stmt *st = s->stmts[id];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            snprintf(s->errstr, sizeof s->errstr, "cannot prepare a statement: %s (%.120s)",
                     sqlite3_errmsg(s->db), stmt_sql[id]);
            return NULL;
        }
        s->stmts[id] = st;
    }
    return st;
}

/*
 * Whether the database file takes writes, for every connection of the process:
 * a write that fails for the file's sake (disk full, I/O error, read-only)
 * sets the fault, the next write that lands clears it.
 */
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static char fault_why[200];

static int is_file_fault(int rc)
{
    int primary = rc & 0xff;
    return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY ||
           primary == SQLITE_CANTOPEN || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

/* Said once when the file stops taking writes and once when it takes them again. */
static void note_write(struct store *s, sqlite3_stmt *st, int rc)
{
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
        /* only a write that reached the file proves it: a commit, or an autocommit change */
        if (!sqlite3_get_autocommit(s->db) ||
            (st && (sqlite3_stmt_readonly(st) || sqlite3_changes64(s->db) == 0)))
            return;
        pthread_mutex_lock(&fault_lock);
        if (fault_why[0])
            log_info("store", "the database takes writes again");
        fault_why[0] = 0;
        pthread_mutex_unlock(&fault_lock);
    } else if (is_file_fault(rc)) {
        pthread_mutex_lock(&fault_lock);
        if (!fault_why[0])
            log_error("store", "the database cannot be written: %s", sqlite3_errmsg(s->db));
        snprintf(fault_why, sizeof fault_why, "%s", sqlite3_errmsg(s->db));
        pthread_mutex_unlock(&fault_lock);
    }
}

int store_write_fault(char *why, size_t size)
{
    pthread_mutex_lock(&fault_lock);
    int fault = fault_why[0] != 0;
    if (why && size)
        snprintf(why, size, "%s", fault_why);
    pthread_mutex_unlock(&fault_lock);
    return fault;
}

/* Runs a statement that returns no rows; resets it. */
static int step_done(struct store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int err = rc == SQLITE_DONE || rc == SQLITE_ROW ? rc : sqlite3_extended_errcode(s->db);
    note_write(s, st, err);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc != SQLITE_DONE && rc != SQLITE_ROW ? fail(s) : 0;
}

int store_write_probe(struct store *s, int64_t now_ms)
{
    sqlite3_stmt *st = stmt(s, ST_WRITE_PROBE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now_ms);
    return step_done(s, st);
}

static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static int exec_simple(struct store *s, enum stmt_id id)
{
    sqlite3_stmt *st = stmt(s, id);
    return st ? step_done(s, st) : -1;
}

static void copy_col(sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = 0;
}

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

/* fold(x): x in lower case as the router reads words (Cyrillic too, which SQL's lower() is not). */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *v = sqlite3_value_text(argv[0]);
    char *folded = words_lower(v ? (const char *)v : "");
    sqlite3_result_text(ctx, folded, -1, free);
}

static int migrate(struct store *s, struct sbuf *err)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int target = (int)(sizeof migrations / sizeof *migrations);
    if (version > target) {
        sbuf_addf(err, "database schema version %d is newer than this tyndau (%d)", version,
                  target);
        return -1;
    }
    for (int v = version; v < target; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
        if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            sbuf_addf(err, "migration %d failed: %s", v + 1, sqlite3_errmsg(s->db));
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            goto fail;
        log_debug("store", "schema migrated to version %d", v + 1);
    }
    return 0;
fail:
    sbuf_addf(err, "%s", sqlite3_errmsg(s->db));
    return -1;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused once SQLite runs: then it counts */
}

int store_open(struct store **out, const char *path, int synchronous_full, struct sbuf *err)
{
    struct store *s = xcalloc(1, sizeof *s);
    /*
     * Citizens' phone numbers and words: a new database is readable by its owner
     * only, and SQLite gives the -wal and -shm files the database's mode.
     */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    /* each connection is one thread's (the store's contract): SQLite need not lock it, nor count
       its memory under a lock shared by all */
    pthread_once(&sqlite_once, sqlite_setup);
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        sbuf_addf(err, "cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_create_function(s->db, "fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold,
                            NULL, NULL);
    const char *pragmas = synchronous_full
                              ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                                "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
                              : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;";
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        sbuf_addf(err, "%s: %s", path, sqlite3_errmsg(s->db));
        goto fail;
    }
    if (migrate(s, err) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

int store_cache_kib(struct store *s, int kib)
{
    char pragma[48];
    snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%d", kib);
    return sqlite3_exec(s->db, pragma, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(s);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    route_model_free(s->model);
    sqlite3_close(s->db);
    free(s->bells);
    free(s);
}

const char *store_errmsg(struct store *s)
{
    return s->errstr[0] ? s->errstr : sqlite3_errmsg(s->db);
}

int store_begin(struct store *s)
{
    s->changes_at_begin = sqlite3_total_changes64(s->db);
    return exec_simple(s, ST_BEGIN);
}

int store_commit(struct store *s)
{
    if (exec_simple(s, ST_COMMIT) < 0)
        return -1;
    if (sqlite3_total_changes64(s->db) != s->changes_at_begin) {
        note_write(s, NULL, SQLITE_DONE); /* the transaction wrote: the file takes writes */
        for (int i = 0; i < s->nbells; i++)
            bell_ring(s->bells[i]);
    }
    return 0;
}

int store_ring_on_commit(struct store *s, struct bell *b)
{
    s->bells = xrealloc(s->bells, (size_t)(s->nbells + 1) * sizeof *s->bells);
    s->bells[s->nbells++] = b;
    return 0;
}

/* A rolled-back example may be in the model: it learns again from what is committed. */
static void forget_model(struct store *s)
{
    route_model_free(s->model);
    s->model = NULL;
    s->model_last = 0;
}

void store_rollback(struct store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        exec_simple(s, ST_ROLLBACK);
    forget_model(s);
}

int store_savepoint(struct store *s)
{
    return exec_simple(s, ST_SAVEPOINT);
}

int store_release(struct store *s)
{
    return exec_simple(s, ST_RELEASE);
}

void store_rollback_to(struct store *s)
{
    /* ROLLBACK TO keeps the savepoint open; release it so the batch can go on. */
    exec_simple(s, ST_ROLLBACK_TO);
    exec_simple(s, ST_RELEASE);
    forget_model(s);
}

int store_inbound_claim(struct store *s, const char *channel, const char *external_id, int64_t now)
{
    sqlite3_stmt *st = stmt(s, ST_INBOUND_CLAIM);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, external_id);
    sqlite3_bind_int64(st, 3, now);
    if (step_done(s, st) < 0)
        return -1;
    return sqlite3_changes(s->db) == 1;
}

int store_rejected_add(struct store *s, const char *channel, const char *external_id,
                       const char *sender, const char *reason, const void *raw, size_t len,
                       int64_t now)
{
    sqlite3_stmt *st = stmt(s, ST_REJECTED_ADD);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, external_id);
    bind_str(st, 3, sender);
    bind_str(st, 4, reason);
    sqlite3_bind_blob(st, 5, raw ? raw : "", (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, now);
    return step_done(s, st);
}

int store_offset_get(struct store *s, const char *channel, int64_t *value)
{
    sqlite3_stmt *st = stmt(s, ST_OFFSET_GET);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    int rc = sqlite3_step(st);
    *value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_offset_set(struct store *s, const char *channel, int64_t value)
{
    sqlite3_stmt *st = stmt(s, ST_OFFSET_SET);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    sqlite3_bind_int64(st, 2, value);
    return step_done(s, st);
}

int store_citizen_get(struct store *s, int64_t id, struct citizen *c)
{
    sqlite3_stmt *st = stmt(s, ST_CITIZEN_GET);
    char lang[8];
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(st, 0);
        copy_col(st, 1, c->channel, sizeof c->channel);
        copy_col(st, 2, c->address, sizeof c->address);
        copy_col(st, 3, lang, sizeof lang);
        if (lang_parse(lang, &c->lang) < 0)
            c->lang = LANG_KK;
        /* lang_chosen: 0 the default, 1 chosen by the citizen, 2 read from their words */
        c->lang_chosen = sqlite3_column_int(st, 4) == 1;
        c->lang_detected = sqlite3_column_int(st, 4) == 2;
        copy_col(st, 5, c->district, sizeof c->district);
        copy_col(st, 6, c->phone, sizeof c->phone);
        c->unreachable = sqlite3_column_int(st, 7);
        c->stopped = sqlite3_column_int(st, 8);
    }
    finish(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : fail(s);
}

int store_citizen_get_or_create(struct store *s, const char *channel, const char *address,
                                enum lang lang, int64_t now, struct citizen *out)
{
    sqlite3_stmt *st = stmt(s, ST_CITIZEN_FIND);
    int64_t id = 0;
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, address);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    finish(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return -1;
    if (!id) {
        st = stmt(s, ST_CITIZEN_INSERT);
        if (!st)
            return -1;
        bind_str(st, 1, channel);
        bind_str(st, 2, address);
        bind_str(st, 3, lang_codes[lang]);
        sqlite3_bind_int64(st, 4, now);
        if (step_done(s, st) < 0)
            return -1;
        id = sqlite3_last_insert_rowid(s->db);
    }
    return store_citizen_get(s, id, out) == 1 ? 0 : -1;
}

int store_citizen_save(struct store *s, const struct citizen *c)
{
    sqlite3_stmt *st = stmt(s, ST_CITIZEN_SAVE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, c->id);
    bind_str(st, 2, lang_codes[c->lang]);
    sqlite3_bind_int(st, 3, c->lang_chosen ? 1 : c->lang_detected ? 2 : 0);
    bind_str(st, 4, c->district);
    bind_str(st, 5, c->phone);
    sqlite3_bind_int(st, 6, c->unreachable);
    sqlite3_bind_int(st, 7, c->stopped);
    return step_done(s, st);
}

int store_conversation_get(struct store *s, int64_t citizen_id, struct conversation *cv)
{
    sqlite3_stmt *st = stmt(s, ST_CONV_GET);
    if (!st)
        return -1;
    cv->state = CONV_IDLE;
    cv->case_id = 0;
    cv->picked = 0;
    sbuf_reset(&cv->choices);
    sqlite3_bind_int64(st, 1, citizen_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char state[32];
        copy_col(st, 0, state, sizeof state);
        cv->state = conv_state_parse(state);
        cv->case_id = sqlite3_column_int64(st, 1);
        sbuf_add(&cv->choices, sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2));
        cv->picked = sqlite3_column_int(st, 3);
    }
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_conversation_set(struct store *s, int64_t citizen_id, const struct conversation *cv,
                           int64_t now)
{
    sqlite3_stmt *st = stmt(s, ST_CONV_SET);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, citizen_id);
    bind_str(st, 2, conv_state_name(cv->state));
    sqlite3_bind_int64(st, 3, cv->case_id);
    sqlite3_bind_text(st, 4, cv->choices.buf, (int)cv->choices.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int(st, 6, cv->picked);
    return step_done(s, st);
}

void case_init(struct case_rec *c)
{
    memset(c, 0, sizeof *c);
    sbuf_init(&c->text, 0);
    sbuf_init(&c->words, 0);
}

void case_release(struct case_rec *c)
{
    sbuf_release(&c->text);
    sbuf_release(&c->words);
}

static void bind_case(sqlite3_stmt *st, const struct case_rec *c)
{
    bind_str(st, 1, c->number);
    sqlite3_bind_int64(st, 2, c->citizen_id);
    bind_str(st, 3, c->type);
    bind_str(st, 4, c->category);
    bind_str(st, 5, c->district);
    bind_str(st, 6, c->body);
    bind_str(st, 7, case_status_name(c->status));
    bind_str(st, 8, c->assignee);
    bind_str(st, 9, c->outcome);
    bind_str(st, 10, lang_codes[c->lang]);
    sqlite3_bind_text(st, 11, c->text.buf, (int)c->text.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, c->created_at);
    sqlite3_bind_int64(st, 13, c->registered_at);
    sqlite3_bind_int(st, 14, c->received_day);
    sqlite3_bind_int(st, 15, c->due_day);
    sqlite3_bind_int64(st, 16, c->closed_at);
    if (c->has_location) {
        sqlite3_bind_double(st, 17, c->lat);
        sqlite3_bind_double(st, 18, c->lon);
    } else {
        sqlite3_bind_null(st, 17);
        sqlite3_bind_null(st, 18);
    }
    sqlite3_bind_int(st, 20, c->rating);
    sqlite3_bind_int64(st, 21, c->answered_at);
    sqlite3_bind_int64(st, 22, c->first_answer_at);
    sqlite3_bind_int64(st, 23, c->incident_id);
    sqlite3_bind_int(st, 24, c->apart);
    sqlite3_bind_text(st, 25, c->words.buf, (int)c->words.len, SQLITE_STATIC);
    sqlite3_bind_int(st, 26, c->published);
}

static void read_case(sqlite3_stmt *st, struct case_rec *c)
{
    char lang[8];
    c->id = sqlite3_column_int64(st, 0);
    copy_col(st, 1, c->number, sizeof c->number);
    c->citizen_id = sqlite3_column_int64(st, 2);
    copy_col(st, 3, c->type, sizeof c->type);
    copy_col(st, 4, c->category, sizeof c->category);
    copy_col(st, 5, c->district, sizeof c->district);
    copy_col(st, 6, c->body, sizeof c->body);
    char status[16];
    copy_col(st, 7, status, sizeof status);
    if (case_status_parse(status, &c->status) < 0)
        c->status = CASE_REGISTERED; /* no other name is ever written */
    copy_col(st, 8, c->assignee, sizeof c->assignee);
    copy_col(st, 9, c->outcome, sizeof c->outcome);
    copy_col(st, 10, lang, sizeof lang);
    if (lang_parse(lang, &c->lang) < 0)
        c->lang = LANG_KK;
    sbuf_reset(&c->text);
    sbuf_add(&c->text, sqlite3_column_text(st, 11), (size_t)sqlite3_column_bytes(st, 11));
    c->created_at = sqlite3_column_int64(st, 12);
    c->registered_at = sqlite3_column_int64(st, 13);
    c->received_day = sqlite3_column_int(st, 14);
    c->due_day = sqlite3_column_int(st, 15);
    c->closed_at = sqlite3_column_int64(st, 16);
    c->has_location = sqlite3_column_type(st, 17) != SQLITE_NULL;
    c->lat = sqlite3_column_double(st, 17);
    c->lon = sqlite3_column_double(st, 18);
    c->rating = sqlite3_column_int(st, 19);
    c->answered_at = sqlite3_column_int64(st, 20);
    c->first_answer_at = sqlite3_column_int64(st, 21);
    c->incident_id = sqlite3_column_int64(st, 22);
    c->apart = sqlite3_column_int(st, 23);
    sbuf_reset(&c->words);
    sbuf_add(&c->words, sqlite3_column_text(st, 24), (size_t)sqlite3_column_bytes(st, 24));
    c->published = sqlite3_column_int(st, 25);
}

int store_case_insert(struct store *s, struct case_rec *c)
{
    sqlite3_stmt *st = stmt(s, ST_CASE_INSERT);
    if (!st)
        return -1;
    bind_case(st, c);
    if (step_done(s, st) < 0)
        return -1;
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_case_save(struct store *s, const struct case_rec *c)
{
    sqlite3_stmt *st = stmt(s, ST_CASE_SAVE);
    if (!st)
        return -1;
    bind_case(st, c);
    sqlite3_bind_int64(st, 19, c->id);
    return step_done(s, st);
}

static int case_one(struct store *s, sqlite3_stmt *st, struct case_rec *c)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_case(st, c);
    finish(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return fail(s);
}

int store_case_get(struct store *s, int64_t id, struct case_rec *c)
{
    sqlite3_stmt *st = stmt(s, ST_CASE_GET);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return case_one(s, st, c);
}

int store_case_by_number(struct store *s, const char *number, struct case_rec *c)
{
    sqlite3_stmt *st = stmt(s, ST_CASE_BY_NUMBER);
    if (!st)
        return -1;
    bind_str(st, 1, number);
    return case_one(s, st, c);
}

int store_sequence_next(struct store *s, const char *name, int64_t start, int64_t *value)
{
    sqlite3_stmt *st = stmt(s, ST_SEQ_NEXT);
    if (!st)
        return -1;
    bind_str(st, 1, name);
    sqlite3_bind_int64(st, 2, start);
    if (step_done(s, st) != 0 || !(st = stmt(s, ST_SEQ_VALUE)))
        return -1;
    bind_str(st, 1, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(st, 0);
    finish(st);
    return rc == SQLITE_ROW ? 0 : fail(s);
}

static int case_each(struct store *s, sqlite3_stmt *st, store_case_fn fn, void *ctx)
{
    struct case_rec c;
    int rc, result = 0;
    case_init(&c);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_case(st, &c);
        if (fn(ctx, &c) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        result = fail(s);
    }
    finish(st);
    case_release(&c);
    return result;
}

int store_cases_of_citizen(struct store *s, int64_t citizen_id, int limit, store_case_fn fn,
                           void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_OF_CITIZEN);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, citizen_id);
    sqlite3_bind_int(st, 2, limit);
    return case_each(s, st, fn, ctx);
}

int store_cases_open(struct store *s, const char *body, store_case_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, body && *body ? ST_CASES_OPEN_BODY : ST_CASES_OPEN);
    if (!st)
        return -1;
    if (body && *body)
        bind_str(st, 1, body);
    return case_each(s, st, fn, ctx);
}

int store_cases_overdue(struct store *s, int32_t today, const char *body, store_case_fn fn,
                        void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_OVERDUE);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, today);
    bind_str(st, 2, body);
    return case_each(s, st, fn, ctx);
}

int store_cases_all(struct store *s, store_case_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_ALL);
    return st ? case_each(s, st, fn, ctx) : -1;
}

int store_event_add(struct store *s, int64_t case_id, int64_t at, const char *actor,
                    const char *kind, const char *detail)
{
    sqlite3_stmt *st = stmt(s, ST_EVENT_ADD);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, at);
    bind_str(st, 3, actor);
    bind_str(st, 4, kind);
    bind_str(st, 5, detail);
    return step_done(s, st);
}

int store_events_of_case(struct store *s, int64_t case_id, store_event_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_EVENTS_OF_CASE);
    int rc;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2),
               (const char *)sqlite3_column_text(st, 3)) != 0)
            break;
    }
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_message_add(struct store *s, int64_t case_id, int64_t at, const char *author,
                      const char *text, size_t len)
{
    sqlite3_stmt *st = stmt(s, ST_MESSAGE_ADD);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, at);
    bind_str(st, 3, author);
    sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
    return step_done(s, st);
}

int store_attachment_add(struct store *s, int64_t case_id, const char *kind, const char *ref,
                         int64_t at)
{
    sqlite3_stmt *st = stmt(s, ST_ATTACHMENT_ADD);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    bind_str(st, 2, kind);
    bind_str(st, 3, ref);
    sqlite3_bind_int64(st, 4, at);
    return step_done(s, st);
}

void outbox_msg_init(struct outbox_msg *m)
{
    memset(m, 0, sizeof *m);
    strcpy(m->kind, "reply");
    sbuf_init(&m->text, 0);
    sbuf_init(&m->buttons, 0);
}

void outbox_msg_release(struct outbox_msg *m)
{
    sbuf_release(&m->text);
    sbuf_release(&m->buttons);
}

int store_outbox_add(struct store *s, const struct outbox_msg *m, int64_t now_ms)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_ADD);
    if (!st)
        return -1;
    bind_str(st, 1, m->channel);
    bind_str(st, 2, m->address);
    sqlite3_bind_int64(st, 3, m->case_id);
    bind_str(st, 4, m->kind);
    sqlite3_bind_text(st, 5, m->text.buf, (int)m->text.len, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->buttons.buf, (int)m->buttons.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now_ms);
    bind_str(st, 8, m->media);
    sqlite3_bind_int64(st, 9, m->edit_of);
    sqlite3_bind_int64(st, 10, m->incident_id);
    return step_done(s, st);
}

int store_outbox_due(struct store *s, const char *channel, int64_t now_ms, struct outbox_msg *out,
                     int max)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_DUE);
    int n = 0, rc;
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    sqlite3_bind_int64(st, 2, now_ms);
    sqlite3_bind_int(st, 3, max);
    while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct outbox_msg *m = &out[n++];
        m->id = sqlite3_column_int64(st, 0);
        snprintf(m->channel, sizeof m->channel, "%s", channel);
        copy_col(st, 1, m->address, sizeof m->address);
        m->case_id = sqlite3_column_int64(st, 2);
        copy_col(st, 3, m->kind, sizeof m->kind);
        sbuf_reset(&m->text);
        sbuf_add(&m->text, sqlite3_column_text(st, 4), (size_t)sqlite3_column_bytes(st, 4));
        sbuf_reset(&m->buttons);
        sbuf_add(&m->buttons, sqlite3_column_text(st, 5), (size_t)sqlite3_column_bytes(st, 5));
        m->attempts = sqlite3_column_int(st, 6);
        m->next_attempt_ms = sqlite3_column_int64(st, 7);
        copy_col(st, 8, m->media, sizeof m->media);
        m->edit_of = sqlite3_column_int64(st, 9);
        m->suspect = sqlite3_column_int(st, 10);
    }
    finish(st);
    return n;
}

/*
 * The minimum of a one-column query (over channel, when given): 1 and *out, 0 when no row has
 * one, -1.
 */
static int min_of(struct store *s, enum stmt_id id, const char *channel, int64_t *out)
{
    sqlite3_stmt *st = stmt(s, id);
    if (!st)
        return -1;
    if (channel)
        bind_str(st, 1, channel);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *out = sqlite3_column_int64(st, 0);
        found = 1;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        found = fail(s);
    finish(st);
    return found;
}

int store_outbox_next_due(struct store *s, const char *channel, int64_t *at_ms)
{
    return min_of(s, ST_OUTBOX_NEXT, channel, at_ms);
}

int store_outbox_sending_since(struct store *s, const char *channel, int64_t *at_ms)
{
    return min_of(s, ST_OUTBOX_SENDING_SINCE, channel, at_ms);
}

static int delivery_add(struct store *s, int64_t id, int64_t now_ms, const char *result,
                        const char *detail)
{
    sqlite3_stmt *st = stmt(s, ST_DELIVERY_ADD);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    bind_str(st, 3, result);
    bind_str(st, 4, detail);
    return step_done(s, st);
}

int store_outbox_sent(struct store *s, int64_t id, int64_t now_ms, const char *remote_id)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_SENT);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    bind_str(st, 3, remote_id);
    if (step_done(s, st) < 0)
        return -1;
    return delivery_add(s, id, now_ms, "sent", remote_id);
}

int store_outbox_retry(struct store *s, int64_t id, int64_t now_ms, int64_t next_ms,
                       enum outbox_retry why, const char *error)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_RETRY);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, next_ms);
    sqlite3_bind_int(st, 3, why == RETRY_BACKOFF);
    bind_str(st, 4, error);
    if (step_done(s, st) < 0)
        return -1;
    static const char *const result[] = {"retry", "throttled", "down"};
    return delivery_add(s, id, now_ms, result[why], error);
}

int store_outbox_failed(struct store *s, int64_t id, int64_t now_ms, const char *error)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_FAILED);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    bind_str(st, 2, error);
    if (step_done(s, st) < 0)
        return -1;
    return delivery_add(s, id, now_ms, "failed", error);
}

int store_outbox_pace(struct store *s, const char *channel, const char *address, int64_t at_ms)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_PACE);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, at_ms);
    return step_done(s, st);
}

int store_outbox_claim(struct store *s, int64_t id, int64_t now_ms)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_CLAIM);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    if (step_done(s, st) < 0)
        return -1;
    return sqlite3_changes(s->db) == 1;
}

/*
 * Each statement's plan, step by step (EXPLAIN QUERY PLAN), or with opcodes set, each temporary
 * table its program opens (EXPLAIN: in the statement itself or in a trigger it fires), to fn.
 */
static int explain_each(struct store *s, int opcodes, store_plan_fn fn, void *ctx)
{
    for (int id = 0; id < ST_COUNT; id++) {
        struct sbuf q = SBUF_INIT;
        sqlite3_stmt *st = NULL;
        sbuf_addf(&q, "%s %s", opcodes ? "EXPLAIN" : "EXPLAIN QUERY PLAN", stmt_sql[id]);
        int rc = sqlite3_prepare_v2(s->db, q.buf, -1, &st, NULL);
        sbuf_release(&q);
        if (rc != SQLITE_OK)
            return fail(s);
        char where[160] = "the statement";
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!opcodes) {
                fn(ctx, stmt_sql[id], (const char *)sqlite3_column_text(st, 3));
                continue;
            }
            const char *op = (const char *)sqlite3_column_text(st, 1);
            const char *p4 = (const char *)sqlite3_column_text(st, 5);
            if (p4 && !strncmp(p4, "-- TRIGGER ", 11)) /* a trigger's program begins */
                snprintf(where, sizeof where, "trigger %s", p4 + 11);
            else if (op && !strcmp(op, "OpenEphemeral"))
                fn(ctx, stmt_sql[id], where);
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return fail(s);
    }
    return 0;
}

int store_query_plans(struct store *s, store_plan_fn fn, void *ctx)
{
    return explain_each(s, 0, fn, ctx);
}

int store_query_temp_tables(struct store *s, store_plan_fn fn, void *ctx)
{
    return explain_each(s, 1, fn, ctx);
}

int store_query_recompiled(struct store *s, store_plan_fn fn, void *ctx)
{
    if (store_begin(s) < 0)
        return -1;
    for (int id = 0; id < ST_COUNT; id++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            store_rollback(s);
            return fail(s);
        }
        int params = sqlite3_bind_parameter_count(st);
        for (int i = 1; i <= params; i++)
            sqlite3_bind_int(st, i, 1);
        /* whatever it does is rolled back; what counts is whether it compiled again (only a
           value bound makes it: the transaction's own statements, with none, are not run) */
        if (params)
            sqlite3_step(st);
        if (sqlite3_stmt_status(st, SQLITE_STMTSTATUS_REPREPARE, 0) > 0)
            fn(ctx, stmt_sql[id], "compiled again for the values bound");
        sqlite3_finalize(st);
    }
    store_rollback(s);
    return 0;
}

int store_outbox_unclaim(struct store *s, int64_t id)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_UNCLAIM);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return step_done(s, st);
}

int store_outbox_interrupted(struct store *s, const char *channel, int64_t claimed_before_ms,
                             int64_t now_ms, int max_attempts)
{
    static const char why[] = "interrupted: no answer was recorded; sent again";
    sqlite3_stmt *log_st = stmt(s, ST_OUTBOX_INTERRUPTED_LOG), *st;
    if (!log_st || store_begin(s) < 0)
        return -1;
    bind_str(log_st, 1, channel);
    sqlite3_bind_int64(log_st, 2, claimed_before_ms);
    sqlite3_bind_int64(log_st, 3, now_ms);
    bind_str(log_st, 4, why);
    if (step_done(s, log_st) < 0 || !(st = stmt(s, ST_OUTBOX_INTERRUPTED)))
        goto fail;
    bind_str(st, 1, channel);
    sqlite3_bind_int64(st, 2, claimed_before_ms);
    sqlite3_bind_int64(st, 3, now_ms);
    bind_str(st, 4, why);
    sqlite3_bind_int(st, 5, max_attempts);
    if (step_done(s, st) < 0)
        goto fail;
    int n = sqlite3_changes(s->db);
    if (store_commit(s) < 0)
        goto fail;
    return n;
fail:
    store_rollback(s);
    return -1;
}

int64_t store_count(struct store *s, const char *table_where)
{
    struct sbuf sql = SBUF_INIT;
    sqlite3_stmt *st;
    int64_t n = -1;
    sbuf_addf(&sql, "SELECT count(*) FROM %s", table_where);
    if (sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sbuf_release(&sql);
    return n;
}

int store_stage_fire(struct store *s, int64_t case_id, const char *stage, int32_t due_day,
                     int64_t now, int skipped)
{
    sqlite3_stmt *st = stmt(s, ST_STAGE_FIRE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    bind_str(st, 2, stage);
    sqlite3_bind_int(st, 3, due_day);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int(st, 5, skipped);
    if (step_done(s, st) < 0)
        return -1;
    return sqlite3_changes(s->db) == 1;
}

int store_index_rows(struct store *s, int queued_only, int limit, store_index_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, queued_only ? ST_INDEX_QUEUED : ST_INDEX_OPEN);
    int rc;
    if (!st)
        return -1;
    if (queued_only)
        sqlite3_bind_int(st, 1, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *fired = (const char *)sqlite3_column_text(st, 3);
        if (fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
               sqlite3_column_int(st, 2), fired ? fired : "") != 0)
            break;
    }
    finish(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        return fail(s);
    }
    return 0;
}

int store_index_dequeue_upto(struct store *s, int64_t last_case_id)
{
    sqlite3_stmt *st = stmt(s, ST_INDEX_DEQUEUE_UPTO);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, last_case_id);
    return step_done(s, st);
}

int store_index_clear(struct store *s)
{
    return exec_simple(s, ST_INDEX_CLEAR);
}

int store_metrics(struct store *s, int32_t today, store_metric_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_METRICS);
    int rc;
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, today);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_metric m = {
            (const char *)sqlite3_column_text(st, 0),
            {(const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 3)},
            {(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 4)},
            sqlite3_column_int64(st, 5)};
        fn(ctx, &m);
    }
    finish(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int store_citizen_set_reachable(struct store *s, const char *channel, const char *address,
                                int reachable)
{
    sqlite3_stmt *st = stmt(s, ST_CITIZEN_REACHABLE);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, address);
    sqlite3_bind_int(st, 3, !reachable);
    return step_done(s, st);
}

int store_same_person(struct store *s, int64_t a, int64_t b)
{
    sqlite3_stmt *st = stmt(s, ST_SAME_PERSON);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st), same = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    finish(st);
    return rc == SQLITE_ROW ? same : -1;
}

int store_chat_migrate(struct store *s, const char *channel, const char *old_address,
                       const char *new_address, int64_t now)
{
    sqlite3_stmt *st = stmt(s, ST_CHAT_MIGRATE);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, old_address);
    bind_str(st, 3, new_address);
    sqlite3_bind_int64(st, 4, now);
    if (step_done(s, st) < 0 || !(st = stmt(s, ST_CHAT_MIGRATE_OUTBOX)))
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, old_address);
    bind_str(st, 3, new_address);
    return step_done(s, st);
}

int store_route_example_add(struct store *s, int64_t case_id, const char *source,
                            const char *category, const char *guessed, const char *text,
                            int64_t now)
{
    sqlite3_stmt *st = stmt(s, ST_EXAMPLE_ADD);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    bind_str(st, 2, source);
    sqlite3_bind_int64(st, 3, case_id);
    bind_str(st, 4, category);
    bind_str(st, 5, guessed);
    bind_str(st, 6, text);
    return step_done(s, st);
}

const struct route_model *store_route_model(struct store *s)
{
    sqlite3_stmt *st = stmt(s, ST_EXAMPLES_AFTER);
    if (!st)
        return s->model; /* what was learnt so far still serves */
    if (!s->model)
        s->model = route_model_new();
    sqlite3_bind_int64(st, 1, s->model_last);
    sqlite3_bind_int64(st, 2, ROUTE_EXAMPLES_KEPT);
    while (sqlite3_step(st) == SQLITE_ROW) {
        s->model_last = sqlite3_column_int64(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        route_model_learn(s->model, (const char *)sqlite3_column_text(st, 1), text ? text : "",
                          (size_t)sqlite3_column_bytes(st, 2));
    }
    finish(st);
    return s->model;
}

int store_chat_current(struct store *s, const char *channel, const char *address, char *out,
                       size_t size)
{
    sqlite3_stmt *st = stmt(s, ST_CHAT_CURRENT);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, address);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        copy_col(st, 0, out, size);
    else
        snprintf(out, size, "%s", address);
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

static int attachments_each(struct store *s, sqlite3_stmt *st, store_attachment_fn fn, void *ctx)
{
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct attachment a = {sqlite3_column_int64(st, 0), "",
                               (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
                               sqlite3_column_int(st, 4)};
        copy_col(st, 1, a.kind, sizeof a.kind);
        if (fn(ctx, &a) != 0) {
            result = -1;
            break;
        }
    }
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? result : fail(s);
}

int store_attachments_of_case(struct store *s, int64_t case_id, store_attachment_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_ATTACHMENTS_OF_CASE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    return attachments_each(s, st, fn, ctx);
}

int store_attachments_to_fetch(struct store *s, const char *channel, int64_t now, int limit,
                               store_attachment_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_ATTACHMENTS_TO_FETCH);
    if (!st)
        return -1;
    bind_str(st, 3, channel);
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    return attachments_each(s, st, fn, ctx);
}

int store_attachment_next_fetch(struct store *s, const char *channel, int64_t *at)
{
    sqlite3_stmt *st = stmt(s, ST_ATTACHMENT_NEXT_FETCH);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    int rc = sqlite3_step(st),
        found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found)
        *at = sqlite3_column_int64(st, 0);
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : fail(s);
}

int store_attachment_fetched(struct store *s, int64_t id, int fetched, int64_t retry_at)
{
    sqlite3_stmt *st = stmt(s, ST_ATTACHMENT_FETCHED);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, fetched);
    sqlite3_bind_int64(st, 3, retry_at);
    return step_done(s, st);
}

/* The cards (outbox id, address) statement which lists for id. */
static int cards_each(struct store *s, enum stmt_id which, int64_t id, store_card_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, which);
    int rc = 0, step;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1));
    if (rc == 0 && step != SQLITE_DONE)
        rc = -1;
    sqlite3_reset(st);
    return rc < 0 ? -1 : 0;
}

int store_cards_of_case(struct store *s, int64_t case_id, store_card_fn fn, void *ctx)
{
    return cards_each(s, ST_CARDS_OF_CASE, case_id, fn, ctx);
}

int store_outbox_remote_id(struct store *s, int64_t id, char *out, size_t size)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_REMOTE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), found = 0;
    out[0] = 0;
    if (rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "sent")) {
        copy_col(st, 1, out, size);
        found = out[0] != 0;
    }
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

int store_outbox_report(struct store *s, const char *channel, int64_t id, int64_t now_ms,
                        const char *result, const char *detail, int retries, int64_t retry_at_ms)
{
    sqlite3_stmt *st = stmt(s, ST_OUTBOX_SENT_ON);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    bind_str(st, 2, channel);
    int rc = sqlite3_step(st);
    finish(st);
    if (rc == SQLITE_DONE)
        return 0; /* not a message of ours that went on this channel */
    if (rc != SQLITE_ROW || store_begin(s) < 0)
        return -1;
    /* a report about a message still in flight (or cut off by a crash) proves it went */
    if (!(st = stmt(s, ST_OUTBOX_REPORTED_SENT)))
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    if (step_done(s, st) < 0)
        goto fail;
    if (delivery_add(s, id, now_ms, result, detail) < 0 || !(st = stmt(s, ST_OUTBOX_DLR_FAILS)))
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    int fails = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    finish(st);
    int delivered = !strcmp(result, "delivered");
    int failed = !strcmp(result, "dlr_failed") && retries >= 0;
    if (delivered || failed) {
        /* delivered; or failed: resend until it has failed retries + 1 times, then give up */
        const char *state = delivered ? "delivered" : fails <= retries ? "pending" : "failed";
        if (!(st = stmt(s, ST_OUTBOX_SET_STATE)))
            goto fail;
        sqlite3_bind_int64(st, 1, id);
        bind_str(st, 2, state);
        sqlite3_bind_int64(st, 3, retry_at_ms);
        bind_str(st, 4, delivered ? "" : detail);
        if (step_done(s, st) < 0)
            goto fail;
    }
    if (store_commit(s) < 0)
        goto fail;
    return 1;
fail:
    store_rollback(s);
    return -1;
}

int store_messages_of_case(struct store *s, int64_t case_id, store_message_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_MESSAGES_OF_CASE);
    int rc;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, case_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(ctx, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               (const char *)sqlite3_column_text(st, 2), (size_t)sqlite3_column_bytes(st, 2)) != 0)
            break;
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_cases_unrated(struct store *s, int64_t answered_before, store_case_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_UNRATED);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, answered_before);
    return case_each(s, st, fn, ctx);
}

int store_answered_oldest(struct store *s, int64_t *answered_at)
{
    return min_of(s, ST_ANSWERED_OLDEST, NULL, answered_at);
}

int store_cases_registered(struct store *s, int64_t from, int64_t to, store_case_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_SINCE);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    return case_each(s, st, fn, ctx);
}

/* What a sent message (the channel's id for it) was about, by statement which: an id, 0, -1. */
static int64_t of_sent(struct store *s, enum stmt_id which, const char *channel,
                       const char *address, const char *remote_id)
{
    sqlite3_stmt *st = stmt(s, which);
    if (!st)
        return -1;
    bind_str(st, 1, channel);
    bind_str(st, 2, address);
    bind_str(st, 3, remote_id);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : -1;
}

int64_t store_case_of_sent(struct store *s, const char *channel, const char *address,
                           const char *remote_id)
{
    return of_sent(s, ST_CASE_BY_REMOTE, channel, address, remote_id);
}

void incident_rec_init(struct incident_rec *r)
{
    memset(r, 0, sizeof *r);
    sbuf_init(&r->answer, 0);
}

void incident_rec_release(struct incident_rec *r)
{
    sbuf_release(&r->answer);
}

static void bind_incident(sqlite3_stmt *st, const struct incident_rec *r)
{
    bind_str(st, 1, r->category);
    bind_str(st, 2, r->district);
    bind_str(st, 3, r->body);
    bind_str(st, 4, r->status);
    sqlite3_bind_int64(st, 5, r->created_at);
    sqlite3_bind_int64(st, 6, r->updated_at);
    sqlite3_bind_text(st, 7, r->answer.buf, (int)r->answer.len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, r->answered_at);
}

static void read_incident(sqlite3_stmt *st, struct incident_rec *r)
{
    r->id = sqlite3_column_int64(st, 0);
    copy_col(st, 1, r->category, sizeof r->category);
    copy_col(st, 2, r->district, sizeof r->district);
    copy_col(st, 3, r->body, sizeof r->body);
    copy_col(st, 4, r->status, sizeof r->status);
    r->created_at = sqlite3_column_int64(st, 5);
    r->updated_at = sqlite3_column_int64(st, 6);
    sbuf_reset(&r->answer);
    sbuf_add(&r->answer, sqlite3_column_text(st, 7), (size_t)sqlite3_column_bytes(st, 7));
    r->answered_at = sqlite3_column_int64(st, 8);
}

int store_incident_insert(struct store *s, struct incident_rec *r)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENT_INSERT);
    if (!st)
        return -1;
    bind_incident(st, r);
    if (step_done(s, st) < 0)
        return -1;
    r->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int store_incident_save(struct store *s, const struct incident_rec *r)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENT_SAVE);
    if (!st)
        return -1;
    bind_incident(st, r);
    sqlite3_bind_int64(st, 9, r->id);
    return step_done(s, st);
}

int store_incident_get(struct store *s, int64_t id, struct incident_rec *r)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENT_GET);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_incident(st, r);
    finish(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail(s);
}

int store_incidents_open(struct store *s, const char *category, const char *body,
                         store_incident_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENTS_OPEN);
    struct incident_rec r;
    int rc, result = 0;
    if (!st)
        return -1;
    bind_str(st, 1, category ? category : "");
    bind_str(st, 2, body ? body : "");
    incident_rec_init(&r);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_incident(st, &r);
        if (fn(ctx, &r) != 0)
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = fail(s);
    finish(st);
    incident_rec_release(&r);
    return result;
}

int store_cases_find(struct store *s, const struct case_query *q, store_case_fn fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_FIND);
    if (!st)
        return -1;
    bind_str(st, 1, q->category);
    sqlite3_bind_int(st, 2, q->closed);
    sqlite3_bind_int64(st, 3, q->from);
    sqlite3_bind_int64(st, 4, q->to ? q->to : INT64_MAX);
    bind_str(st, 5, q->body);
    bind_str(st, 6, q->district);
    bind_str(st, 7, q->status);
    bind_str(st, 8, q->text);
    sqlite3_bind_int(st, 9, q->limit);
    sqlite3_bind_int(st, 10, q->offset);
    sqlite3_bind_int(st, 11, q->due_before);
    return case_each(s, st, fn, ctx);
}

int store_cases_of_incident(struct store *s, int64_t incident_id, int limit, store_case_fn fn,
                            void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_OF_INCIDENT);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, incident_id);
    sqlite3_bind_int(st, 2, limit);
    return case_each(s, st, fn, ctx);
}

int store_incident_newest(struct store *s, int64_t incident_id, int limit, store_item_fn fn,
                          void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENT_NEWEST);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, incident_id);
    sqlite3_bind_int(st, 2, limit);
    struct incident_item it;
    incident_item_init(&it);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        it.category = (const char *)sqlite3_column_text(st, 0);
        it.district = (const char *)sqlite3_column_text(st, 1);
        it.body = (const char *)sqlite3_column_text(st, 2);
        it.has_pin = sqlite3_column_type(st, 3) != SQLITE_NULL;
        it.lat = sqlite3_column_double(st, 3);
        it.lon = sqlite3_column_double(st, 4);
        it.at = sqlite3_column_int64(st, 5);
        incident_item_words(&it, (const char *)sqlite3_column_text(st, 6),
                            (size_t)sqlite3_column_bytes(st, 6));
        const char *text = (const char *)sqlite3_column_text(st, 7);
        size_t len = (size_t)sqlite3_column_bytes(st, 7);
        if (fn(ctx, &it, len ? text : NULL, len) != 0)
            break;
    }
    incident_item_release(&it);
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_incident_view(struct store *s, int64_t incident_id, struct incident_view *v)
{
    sqlite3_stmt *st = stmt(s, ST_INCIDENT_VIEW);
    if (!st)
        return -1;
    memset(v, 0, sizeof *v);
    sqlite3_bind_int64(st, 1, incident_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        v->size = sqlite3_column_int(st, 0);
        v->open = sqlite3_column_int(st, 1);
        v->since = sqlite3_column_int64(st, 2);
        copy_col(st, 3, v->type, sizeof v->type);
    }
    finish(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s);
}

int store_cases_unjoined(struct store *s, const char *category, int64_t since, store_case_fn fn,
                         void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CASES_UNJOINED);
    if (!st)
        return -1;
    bind_str(st, 1, category);
    sqlite3_bind_int64(st, 2, since);
    return case_each(s, st, fn, ctx);
}

int store_incident_cards(struct store *s, int64_t incident_id, store_card_fn fn, void *ctx)
{
    return cards_each(s, ST_INCIDENT_CARDS, incident_id, fn, ctx);
}

int64_t store_incident_of_sent(struct store *s, const char *channel, const char *address,
                               const char *remote_id)
{
    return of_sent(s, ST_INCIDENT_BY_REMOTE, channel, address, remote_id);
}

int store_web_link_add(struct store *s, const char *token, const char *staff_id, int64_t now,
                       int64_t expires_at)
{
    sqlite3_stmt *prune = stmt(s, ST_WEB_LINK_PRUNE), *st = stmt(s, ST_WEB_LINK_ADD);
    if (!prune || !st)
        return -1;
    sqlite3_bind_int64(prune, 1, now - 86400); /* a used or lapsed link is kept a day, then gone */
    if (step_done(s, prune) < 0)
        return -1;
    bind_str(st, 1, token);
    bind_str(st, 2, staff_id);
    sqlite3_bind_int64(st, 3, expires_at);
    return step_done(s, st);
}

int store_web_link_use(struct store *s, const char *token, int64_t now, char *staff_id, size_t size)
{
    sqlite3_stmt *st = stmt(s, ST_WEB_LINK_USE);
    if (!st)
        return -1;
    bind_str(st, 1, token);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW;
    if (found) {
        copy_col(st, 0, staff_id, size);
        rc = sqlite3_step(st); /* RETURNING: the row is written when the statement is done */
    }
    note_write(s, st, rc == SQLITE_DONE ? rc : sqlite3_extended_errcode(s->db));
    finish(st);
    return rc == SQLITE_DONE ? found : fail(s);
}

int store_web_session_add(struct store *s, const struct web_session *w, int64_t now)
{
    sqlite3_stmt *prune = stmt(s, ST_WEB_SESSION_PRUNE), *st = stmt(s, ST_WEB_SESSION_ADD);
    if (!prune || !st)
        return -1;
    sqlite3_bind_int64(prune, 1, now);
    if (step_done(s, prune) < 0)
        return -1;
    bind_str(st, 1, w->token);
    bind_str(st, 2, w->staff_id);
    bind_str(st, 3, w->csrf);
    bind_str(st, 4, lang_codes[w->lang]);
    sqlite3_bind_int64(st, 5, now);
    sqlite3_bind_int64(st, 6, w->expires_at);
    return step_done(s, st);
}

int store_web_session_get(struct store *s, const char *token, int64_t now, struct web_session *w)
{
    sqlite3_stmt *st = stmt(s, ST_WEB_SESSION_GET);
    if (!st)
        return -1;
    memset(w, 0, sizeof *w);
    bind_str(st, 1, token);
    sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char lang[8];
        snprintf(w->token, sizeof w->token, "%s", token);
        copy_col(st, 0, w->staff_id, sizeof w->staff_id);
        copy_col(st, 1, w->csrf, sizeof w->csrf);
        copy_col(st, 2, lang, sizeof lang);
        if (lang_parse(lang, &w->lang) < 0)
            w->lang = LANG_KK;
        w->expires_at = sqlite3_column_int64(st, 3);
        copy_col(st, 4, w->flash, sizeof w->flash);
    }
    finish(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail(s);
}

int store_web_session_set(struct store *s, const struct web_session *w)
{
    sqlite3_stmt *st = stmt(s, ST_WEB_SESSION_SET);
    if (!st)
        return -1;
    bind_str(st, 1, w->token);
    bind_str(st, 2, lang_codes[w->lang]);
    bind_str(st, 3, w->flash);
    return step_done(s, st);
}

int store_web_session_end(struct store *s, const char *token)
{
    sqlite3_stmt *st = stmt(s, ST_WEB_SESSION_END);
    if (!st)
        return -1;
    bind_str(st, 1, token);
    return step_done(s, st);
}
