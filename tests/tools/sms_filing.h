/*
 * sms_filing: what filing one appeal by SMS costs the citizen, measured on the
 * real flow.  A citizen on a button phone writes an appeal and answers every
 * question tyndau asks (the district by name where that is what is asked, the
 * first topic offered, "yes", the first kind) until it is registered; every SMS
 * tyndau queued to them is then shown as the phone shows it (text and menu,
 * through the SMS channel's profile) and counted in segments.
 *
 * Shared by the unit test that holds the goal (tests/unit/test_sms_cost.c)
 * and the benchmark that prints it (tests/tools/sms_segments.c).
 */
#ifndef TYNDAU_SMS_FILING_H
#define TYNDAU_SMS_FILING_H

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "bot/domain/channel.h"
#include "bot/domain/config.h"
#include "bot/domain/conversation.h"
#include "bot/domain/payload.h"
#include "bot/domain/store.h"
#include "bot/lib/sms_text.h"
#include "bot/pipeline/dispatch.h"

/* Which of district and topic the router finds in the words: the rest the citizen picks. */
enum filing_route { FILING_SURE, FILING_PICK_TOPIC, FILING_PICK_DISTRICT, FILING_PICK_BOTH };

static const char *const filing_route_names[] = {"router sure", "topic picked", "district picked",
                                                 "both picked"};
/* The goal: 3 segments when the router is sure, 4 when the citizen must choose. */
static const int filing_goal[] = {3, 4, 4, 4};

/* The appeal, per route and language (kk, ru, en); the district is Almaly, the topic water. */
static const char *const filing_texts[4][LANG_COUNT] = {
    {"Алмалы ауданында үш күннен бері су жоқ", "Нет воды в Алмалинском районе третий день",
     "No water in Almaly district for three days"},
    {"Алмалы ауданында көмектесіңіздерші, өтінемін", "Помогите разобраться, Алмалинский район",
     "Please help me sort this out, Almaly district"},
    {"Үш күннен бері су жоқ, көмектесіңіздер", "Третий день нет воды, помогите",
     "No water for three days, please help"},
    {"Көмектесіңіздерші, өтінемін, тез арада", "Помогите, пожалуйста, разберитесь с ситуацией",
     "Please help me sort this out quickly"}};

struct filing_cost {
    int messages;     /* SMS messages sent to the citizen */
    int segments;     /* what they cost, in segments */
    int max_segments; /* the dearest one */
    int registered;   /* 1 if the appeal got its number */
    char transcript[4096];
};

/* Adds every SMS queued to phone after outbox row `after` to cost; returns the last row id. */
static inline long long filing_count_sent(const char *db_path, const char *phone, long long after,
                                          struct filing_cost *cost)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long last = after;
    if (sqlite3_open(db_path, &db) != SQLITE_OK)
        return after;
    sqlite3_prepare_v2(db,
                       "SELECT id, text, buttons FROM outbox WHERE channel = 'sms' AND "
                       "address = ?1 AND id > ?2 ORDER BY id",
                       -1, &st, NULL);
    sqlite3_bind_text(st, 1, phone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    while (sqlite3_step(st) == SQLITE_ROW) {
        struct sbuf shown = SBUF_INIT;
        last = sqlite3_column_int64(st, 0);
        channel_show(channel_profile("sms"), (const char *)sqlite3_column_text(st, 1),
                     (size_t)sqlite3_column_bytes(st, 1), (const char *)sqlite3_column_text(st, 2),
                     &shown);
        int seg = sms_cost(shown.buf, shown.len).segments;
        cost->messages++;
        cost->segments += seg;
        if (seg > cost->max_segments)
            cost->max_segments = seg;
        size_t used = strlen(cost->transcript);
        snprintf(cost->transcript + used, sizeof cost->transcript - used, "  <- [%d] %s\n", seg,
                 shown.buf);
        sbuf_release(&shown);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return last;
}

/* What the citizen types to answer the question they are asked (cv), into out. */
static inline void filing_answer(const struct config *conf, enum lang lang,
                                 const struct conversation *cv, char *out, size_t size)
{
    const struct district *d = config_district(conf, "almaly");
    snprintf(out, size, "1"); /* a topic: the first offered; yes; the kind: a complaint */
    if (cv->state != CONV_ASK_DISTRICT || !d)
        return;
    if (!cv->choices.len) { /* the list did not fit: the name, written */
        snprintf(out, size, "%s", d->short_name[lang]);
        return;
    }
    /* the key of the choice that sends Almaly ("KEY\tPAYLOAD" lines) */
    struct payload p = {.kind = PAYLOAD_DISTRICT};
    char payload[PAYLOAD_MAX], needle[PAYLOAD_MAX + 1];
    snprintf(p.id, sizeof p.id, "%s", d->id);
    payload_format(&p, payload);
    snprintf(needle, sizeof needle, "\t%s", payload);
    const char *at = strstr(cv->choices.buf, needle), *start = at;
    while (start && start > cv->choices.buf && start[-1] != '\n')
        start--;
    if (at)
        snprintf(out, size, "%.*s", (int)(at - start), start);
}

/*
 * Files one appeal as phone in lang by route, in a store at db_path (opened
 * here), and measures it.  now: a working-day time.  Returns 0, or -1 when the
 * store cannot be used.
 */
static inline int filing_run(const struct config *conf, const char *db_path, const char *phone,
                             enum lang lang, enum filing_route route, int64_t now,
                             struct filing_cost *cost)
{
    struct store *store;
    struct sbuf err = SBUF_INIT;
    memset(cost, 0, sizeof *cost);
    if (store_open(&store, db_path, 0, &err) < 0) {
        fprintf(stderr, "%s\n", err.buf);
        sbuf_release(&err);
        return -1;
    }
    sbuf_release(&err);
    char said[256];
    snprintf(said, sizeof said, "%s", filing_texts[route][lang]);
    long long seen = 0; /* phone is new to the store */
    for (int turn = 0; turn < 8; turn++) {
        static long long seq;
        char id[32];
        enum dispatch_result r;
        snprintf(id, sizeof id, "filing%lld", ++seq);
        struct inbound in = {.channel = "sms",
                             .external_id = id,
                             .sender = phone,
                             .text = said,
                             .text_len = strlen(said)};
        size_t used = strlen(cost->transcript);
        snprintf(cost->transcript + used, sizeof cost->transcript - used, "  -> %s\n", said);
        if (dispatch_batch(store, conf, &in, 1, (now + turn * 30) * 1000, &r, NULL) < 0)
            break;
        seen = filing_count_sent(db_path, phone, seen, cost);
        struct citizen who;
        struct conversation cv;
        conversation_init(&cv);
        if (store_citizen_get_or_create(store, "sms", phone, lang, now, &who) < 0 ||
            store_conversation_get(store, who.id, &cv) < 0) {
            conversation_release(&cv);
            break;
        }
        int done = cv.state == CONV_IDLE;
        if (!done)
            filing_answer(conf, lang, &cv, said, sizeof said);
        conversation_release(&cv);
        if (done)
            break;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(db_path, &db) == SQLITE_OK) {
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM cases c JOIN citizens z ON z.id = c.citizen_id "
                           "WHERE z.address = ?1 AND c.status = 'registered'",
                           -1, &st, NULL);
        sqlite3_bind_text(st, 1, phone, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            cost->registered = sqlite3_column_int(st, 0) > 0;
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    store_close(store);
    return 0;
}

#endif
