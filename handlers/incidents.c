#include "handlers/incidents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/calendar.h"
#include "bot/domain/case_state.h"
#include "bot/domain/channel.h"
#include "bot/domain/incident.h"
#include "bot/domain/payload.h"
#include "bot/domain/words.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"
#include "handlers/handler.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/notify.h"
#include "handlers/reply.h"

/* the newest cases of an incident a new appeal is compared with */
#define INCIDENT_COMPARED 30
/* the cases an incident card lists; the rest are counted */
#define INCIDENT_CARD_LINES 12
/* the characters of a citizen's words a card line shows */
#define INCIDENT_LINE_CHARS 60
/* the open incidents of a category a new appeal is compared with */
#define INCIDENT_CANDIDATES 50

/* Cases read from the store, each a copy. */
struct cases {
    struct case_rec *v;
    size_t n, cap;
};

static int cases_add(void *ctx, const struct case_rec *c)
{
    struct cases *cs = ctx;
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? 2 * cs->cap : 16;
        cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
    }
    struct case_rec *d = &cs->v[cs->n++];
    case_init(d);
    struct sbuf text = d->text, words = d->words;
    *d = *c;
    d->text = text;
    d->words = words;
    sbuf_add(&d->text, c->text.buf, c->text.len);
    sbuf_add(&d->words, c->words.buf, c->words.len);
    return 0;
}

static void cases_free(struct cases *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        case_release(&cs->v[i]);
    free(cs->v);
    memset(cs, 0, sizeof *cs);
}

static void item_of(const struct config *cfg, struct stemmers *st, const struct case_rec *c,
                    int64_t at, struct incident_item *it)
{
    it->category = c->category;
    it->district = c->district;
    it->body = c->body;
    it->has_pin = c->has_location;
    it->lat = c->lat;
    it->lon = c->lon;
    it->at = at;
    if (!c->words.len) {
        incident_tokens(&cfg->incidents, st, c->text.buf, c->text.len, &it->tokens);
        return;
    }
    incident_item_words(it, c->words.buf, c->words.len); /* read at its registration */
}

/* Keeps c's words in c (saved with it) for grouping to read later without reading the text. */
static void keep_words(const struct config *cfg, struct stemmers *st, struct case_rec *c)
{
    struct sbuf tokens = SBUF_INIT;
    incident_tokens(&cfg->incidents, st, c->text.buf, c->text.len, &tokens);
    sbuf_reset(&c->words);
    for (size_t off = 0; off < tokens.len; off += strlen(tokens.buf + off) + 1) {
        sbuf_addstr(&c->words, tokens.buf + off);
        sbuf_addch(&c->words, '\n');
    }
    sbuf_release(&tokens);
}

int incidents_get(const struct handler_ctx *hx, int64_t id, struct incident_rec *r,
                  struct incident_view *v)
{
    int rc = store_incident_get(hx->store, id, r);
    if (rc == 1 && v && store_incident_view(hx->store, id, v) < 0)
        rc = -1;
    return rc;
}

struct ids {
    int64_t v[INCIDENT_CANDIDATES];
    size_t n;
};

static int id_add(void *ctx, const struct incident_rec *r)
{
    struct ids *ids = ctx;
    ids->v[ids->n++] = r->id;
    return ids->n == INCIDENT_CANDIDATES;
}

struct group_ctx {
    const struct config *cfg;
    struct stemmers *st;
    struct incident_group *g;
};

static int member_add(void *ctx, struct incident_item *it, const char *text, size_t len)
{
    struct group_ctx *gc = ctx;
    if (text) /* registered before its words were kept */
        incident_tokens(&gc->cfg->incidents, gc->st, text, len, &it->tokens);
    incident_group_add(gc->g, it);
    return 0;
}

/* The group of incident id as a new appeal meets it: its newest cases. */
static int group_of(const struct handler_ctx *hx, struct stemmers *st, int64_t id,
                    struct incident_group *g)
{
    struct group_ctx gc = {hx->cfg, st, g};
    return store_incident_newest(hx->store, id, INCIDENT_COMPARED, member_add, &gc);
}

/* The open incident c fits best (as of at): its id, 0 if none, -1 error. */
static int64_t best_incident(const struct handler_ctx *hx, const struct case_rec *c, int64_t at)
{
    struct ids ids = {.n = 0};
    int64_t best = 0;
    double best_sim = -1, sim;
    if (!c->category[0] || !c->body[0])
        return 0;
    if (store_incidents_open(hx->store, c->category, c->body, id_add, &ids) < 0)
        return -1;
    if (!ids.n)
        return 0;
    struct stemmers *st = stemmers_new();
    struct incident_item it;
    incident_item_init(&it);
    item_of(hx->cfg, st, c, at, &it);
    for (size_t i = 0; i < ids.n; i++) {
        struct incident_group *g = incident_group_new();
        if (group_of(hx, st, ids.v[i], g) < 0)
            best = -1;
        else if (incident_fits(&hx->cfg->incidents, g, &it, &sim, NULL) && sim > best_sim) {
            best_sim = sim;
            best = ids.v[i];
        }
        incident_group_free(g);
        if (best < 0)
            break;
    }
    incident_item_release(&it);
    stemmers_free(st);
    return best;
}

int incidents_fit(const struct handler_ctx *hx, struct case_rec *c)
{
    struct stemmers *st = stemmers_new();
    keep_words(hx->cfg, st, c);
    stemmers_free(st);
    if (c->apart || c->incident_id)
        return 0;
    int64_t id = best_incident(hx, c, hx->now);
    if (id <= 0)
        return id < 0 ? -1 : 0;
    c->incident_id = id;
    return 1;
}

int incidents_match(const struct handler_ctx *hx, const struct case_rec *draft,
                    struct incident_rec *r, struct incident_view *v)
{
    if (!hx->cfg->incidents.offer)
        return 0;
    int64_t id = best_incident(hx, draft, hx->now);
    if (id <= 0)
        return id < 0 ? -1 : 0;
    return incidents_get(hx, id, r, v);
}

static int event_of(const struct handler_ctx *hx, const struct case_rec *c, const char *actor,
                    const char *kind, int64_t id, const char *how)
{
    char detail[64];
    snprintf(detail, sizeof detail, "incident=%lld%s%s", (long long)id, how ? " how=" : "",
             how ? how : "");
    return lifecycle_event(hx, c, actor, kind, detail);
}

static int touch(const struct handler_ctx *hx, int64_t id)
{
    struct incident_rec r;
    incident_rec_init(&r);
    int rc = store_incident_get(hx->store, id, &r);
    if (rc == 1) {
        r.updated_at = hx->now;
        rc = store_incident_save(hx->store, &r);
    }
    incident_rec_release(&r);
    return rc < 0 ? -1 : 0;
}

/* Posts the incident's card to every address of its body. */
struct card_to {
    const struct handler_ctx *hx;
    const struct incident_rec *r;
};

static int card_to(void *ctx, const char *address, enum lang lang)
{
    struct card_to *ct = ctx;
    return incidents_card(ct->hx, ct->r, address, lang);
}

static int post_cards(const struct handler_ctx *hx, const struct incident_rec *r)
{
    const struct body *body = config_body(hx->cfg, r->body);
    struct card_to ct = {hx, r};
    return body ? notify_body_addresses(hx->cfg, body, card_to, &ct) : 0;
}

/*
 * The cases that may be in one group with c: its body's, and, unless c has a pin, in its
 * district or pinned (a pin may join across a district line).  A group is its first case's
 * district and pins near its pins, so no other case can share one with c.
 */
struct near {
    struct cases cs;
    const struct case_rec *c;
};

static int add_near(void *ctx, const struct case_rec *other)
{
    struct near *n = ctx;
    if (strcmp(other->body, n->c->body) ||
        (!n->c->has_location && !other->has_location && strcmp(other->district, n->c->district)))
        return 0;
    return cases_add(&n->cs, other);
}

/* With the open cases it fits with, c (alone) makes a proposed incident: 1, 0 not, -1 error. */
static int propose(const struct handler_ctx *hx, struct case_rec *c)
{
    const struct incident_settings *set = &hx->cfg->incidents;
    struct near near = {{0}, c};
    struct cases cs;
    int rc = 0;
    int read = store_cases_unjoined(hx->store, c->category,
                                    c->registered_at - set->window_hours * 3600LL, add_near, &near);
    cs = near.cs;
    if (read < 0) {
        cases_free(&cs);
        return -1;
    }
    struct incident_item *items = xcalloc(cs.n + 1, sizeof *items);
    size_t *group = xcalloc(cs.n + 1, sizeof *group), mine = cs.n, members = 0;
    struct stemmers *st = stemmers_new();
    for (size_t i = 0; i < cs.n; i++) {
        incident_item_init(&items[i]);
        item_of(hx->cfg, st, &cs.v[i], cs.v[i].registered_at, &items[i]);
        if (cs.v[i].id == c->id)
            mine = i;
    }
    incident_cluster(set, items, cs.n, group);
    for (size_t i = 0; mine < cs.n && i < cs.n; i++)
        members += group[i] == group[mine];
    if (mine < cs.n && members >= (size_t)set->min_appeals) {
        const struct case_rec *seed = &cs.v[group[mine]];
        struct incident_rec r;
        incident_rec_init(&r);
        snprintf(r.category, sizeof r.category, "%s", seed->category);
        snprintf(r.district, sizeof r.district, "%s", seed->district);
        snprintf(r.body, sizeof r.body, "%s", seed->body);
        snprintf(r.status, sizeof r.status, "proposed");
        r.created_at = r.updated_at = hx->now;
        rc = store_incident_insert(hx->store, &r);
        for (size_t i = 0; rc == 0 && i < cs.n; i++) {
            if (group[i] != group[mine])
                continue;
            cs.v[i].incident_id = r.id;
            if (lifecycle_save(hx, &cs.v[i]) < 0 ||
                event_of(hx, &cs.v[i], "system", "incident_joined", r.id, "detected") < 0)
                rc = -1;
        }
        if (rc == 0) {
            c->incident_id = r.id; /* the caller's copy says so too */
            rc = post_cards(hx, &r) < 0 ? -1 : 1;
        }
        incident_rec_release(&r);
    }
    for (size_t i = 0; i < cs.n; i++)
        incident_item_release(&items[i]);
    free(items);
    free(group);
    stemmers_free(st);
    cases_free(&cs);
    return rc;
}

int incidents_registered(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                         const char *how)
{
    if (c->incident_id)
        return event_of(hx, c, actor, "incident_joined", c->incident_id, how) < 0 ||
                       touch(hx, c->incident_id) < 0
                   ? -1
                   : incidents_cards_rewrite(hx, c->incident_id);
    if (c->apart)
        return 0;
    return propose(hx, c) < 0 ? -1 : 0;
}

static int save_status(const struct handler_ctx *hx, struct incident_rec *r, const char *status)
{
    snprintf(r->status, sizeof r->status, "%s", status);
    r->updated_at = hx->now;
    return store_incident_save(hx->store, r);
}

int incidents_confirm(const struct handler_ctx *hx, struct incident_rec *r, const char *actor)
{
    struct cases cs = {0};
    int rc = save_status(hx, r, "confirmed");
    if (rc == 0)
        rc = store_cases_of_incident(hx->store, r->id, -1, cases_add, &cs);
    for (size_t i = 0; rc == 0 && i < cs.n; i++)
        rc = event_of(hx, &cs.v[i], actor, "incident_confirmed", r->id, NULL);
    cases_free(&cs);
    return rc < 0 ? -1 : incidents_cards_rewrite(hx, r->id);
}

static int count_card(void *ctx, int64_t card_id, const char *address)
{
    (void)card_id, (void)address;
    ++*(int *)ctx;
    return 0;
}

/* c stands alone: out of the incident, with the case card it had not had. */
static int leave(const struct handler_ctx *hx, struct case_rec *c, const char *actor,
                 const char *kind)
{
    int64_t id = c->incident_id;
    int cards = 0;
    c->incident_id = 0;
    if (lifecycle_save(hx, c) < 0 || event_of(hx, c, actor, kind, id, NULL) < 0 ||
        store_cards_of_case(hx->store, c->id, count_card, &cards) < 0)
        return -1;
    const struct body *body = config_body(hx->cfg, c->body);
    return !cards && body && case_is_open(c->status) ? notify_card(hx, body, c) : 0;
}

int incidents_split(const struct handler_ctx *hx, struct incident_rec *r, const char *actor)
{
    struct cases cs = {0};
    /* the cards say so while the cases are still listed on them */
    int rc = save_status(hx, r, "split");
    if (rc == 0)
        rc = incidents_cards_rewrite(hx, r->id);
    if (rc == 0)
        rc = store_cases_of_incident(hx->store, r->id, -1, cases_add, &cs);
    for (size_t i = 0; rc == 0 && i < cs.n; i++)
        rc = leave(hx, &cs.v[i], actor, "incident_split");
    cases_free(&cs);
    return rc < 0 ? -1 : 0;
}

int incidents_remove(const struct handler_ctx *hx, struct case_rec *c, const char *actor)
{
    int64_t id = c->incident_id;
    if (!id)
        return 0;
    if (leave(hx, c, actor, "incident_left") < 0 || touch(hx, id) < 0)
        return -1;
    return incidents_cards_rewrite(hx, id);
}

int incidents_add(const struct handler_ctx *hx, struct case_rec *c, struct incident_rec *r,
                  const char *actor)
{
    c->incident_id = r->id;
    c->apart = 0;
    if (lifecycle_save(hx, c) < 0 ||
        event_of(hx, c, actor, "incident_joined", r->id, "officer") < 0)
        return -1;
    r->updated_at = hx->now;
    if (store_incident_save(hx->store, r) < 0)
        return -1;
    return incidents_cards_rewrite(hx, r->id);
}

int incidents_answer(const struct handler_ctx *hx, struct incident_rec *r, const char *actor,
                     const struct staff *staff, const char *answer, int *answered)
{
    struct cases cs = {0};
    int rc = 0;
    *answered = 0;
    if (!strcmp(r->status, "proposed"))
        rc = incidents_confirm(hx, r, actor);
    if (rc == 0)
        rc = store_cases_of_incident(hx->store, r->id, -1, cases_add, &cs);
    for (size_t i = 0; rc == 0 && i < cs.n; i++) {
        struct case_rec *c = &cs.v[i];
        /* an answer waiting for its rating is not answered again; a reopened case is */
        if (!case_is_open(c->status) || c->status == CASE_ANSWERED)
            continue;
        if (event_of(hx, c, actor, "incident_answered", r->id, NULL) < 0 ||
            lifecycle_answer(hx, c, actor, staff, answer) < 0)
            rc = -1;
        else
            ++*answered;
    }
    cases_free(&cs);
    if (rc < 0)
        return -1;
    if (*answered) {
        sbuf_reset(&r->answer);
        sbuf_addstr(&r->answer, answer);
        r->answered_at = r->updated_at = hx->now;
        if (store_incident_save(hx->store, r) < 0)
            return -1;
    }
    return incidents_cards_rewrite(hx, r->id);
}

/* The first characters of text on one line. */
static void excerpt(const char *text, size_t chars, struct sbuf *out)
{
    const char *p = text;
    size_t n = 0;
    while (*p && n < chars) {
        const char *at = p;
        utf8_next(&p);
        if (*at == '\n' || *at == '\r' || *at == '\t')
            sbuf_addch(out, ' ');
        else
            sbuf_add(out, at, (size_t)(p - at));
        n++;
    }
    if (*p)
        sbuf_addstr(out, "…");
}

static void card_text(const struct handler_ctx *hx, const struct incident_rec *r,
                      const struct cases *cs, const struct incident_view *view, enum lang lang,
                      struct sbuf *out)
{
    const struct config *cfg = hx->cfg;
    struct incident_view v = *view;
    char id[24], size[16], open[16], since[17], more[24];
    struct sbuf title = SBUF_INIT, status = SBUF_INIT, list = SBUF_INIT, answer = SBUF_INIT;
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    snprintf(size, sizeof size, "%d", v.size);
    snprintf(open, sizeof open, "%d", v.open);
    names_local_time(cfg, v.since, since);
    struct i18n_var head[] = {{"id", id}, {"appeals", size, "appeals_n"}, {NULL, NULL}};
    const char *title_key = !strcmp(r->status, "split")      ? "incident_title_split"
                            : !strcmp(r->status, "proposed") ? "incident_title_proposed"
                                                             : "incident_title";
    i18n_render(&cfg->texts, lang, title_key, head, &title);
    char status_key[40];
    snprintf(status_key, sizeof status_key, "incident_status_%s", r->status);
    i18n_render(&cfg->texts, lang, status_key, NULL, &status);
    for (size_t i = 0; i < cs->n && i < INCIDENT_CARD_LINES; i++) {
        const struct case_rec *c = &cs->v[i];
        struct sbuf words = SBUF_INIT;
        excerpt(c->text.buf, INCIDENT_LINE_CHARS, &words);
        struct i18n_var line[] = {
            {"number", c->number},
            {"status", i18n_get(&cfg->texts, lang, case_status_key(c->status))},
            {"text", words.buf},
            {NULL, NULL}};
        sbuf_addch(&list, '\n');
        i18n_render(&cfg->texts, lang, "incident_card_line", line, &list);
        sbuf_release(&words);
    }
    if (v.size > INCIDENT_CARD_LINES) {
        snprintf(more, sizeof more, "%d", v.size - INCIDENT_CARD_LINES);
        struct i18n_var rest[] = {{"n", more}, {"id", id}, {NULL, NULL}};
        sbuf_addch(&list, '\n');
        i18n_render(&cfg->texts, lang, "incident_card_more", rest, &list);
    }
    if (r->answer.len) {
        char when[17];
        struct sbuf words = SBUF_INIT;
        names_local_time(cfg, r->answered_at, when);
        excerpt(r->answer.buf, 300, &words);
        struct i18n_var said[] = {{"at", when}, {"answer", words.buf}, {NULL, NULL}};
        sbuf_addch(&answer, '\n');
        i18n_render(&cfg->texts, lang, "incident_card_answer", said, &answer);
        sbuf_release(&words);
    }
    struct i18n_var card[] = {{"title", title.buf},
                              {"category", names_category(cfg, r->category, lang)},
                              {"district", names_district(cfg, r->district, lang)},
                              {"body", names_body(cfg, r->body, lang)},
                              {"since", since},
                              {"open", open},
                              {"status", status.buf},
                              {"answer", answer.buf},
                              {"list", list.buf},
                              {"id", id},
                              {NULL, NULL}};
    i18n_render(&cfg->texts, lang, "incident_card", card, out);
    sbuf_release(&title);
    sbuf_release(&status);
    sbuf_release(&list);
    sbuf_release(&answer);
}

/* Queues r's card to address: new, or (edit_of) the new text of a card sent before. */
static int queue_card(const struct handler_ctx *hx, const struct incident_rec *r,
                      const struct cases *cs, const struct incident_view *v, const char *address,
                      enum lang lang, int64_t edit_of)
{
    struct reply rp;
    reply_begin(&rp, hx, STAFF_CHANNEL, address, lang, 0);
    card_text(hx, r, cs, v, lang, &rp.msg.text);
    snprintf(rp.msg.kind, sizeof rp.msg.kind, "%s", edit_of ? "edit" : "icard");
    rp.msg.edit_of = edit_of;
    rp.msg.incident_id = r->id;
    if (v->open && strcmp(r->status, "split")) {
        for (int a = 0; a < INCIDENT_ACTIONS; a++) {
            if (a == INCIDENT_CONFIRM && strcmp(r->status, "proposed"))
                continue;
            struct payload p = {.kind = PAYLOAD_INCIDENT, .incident_action = a};
            char payload[PAYLOAD_MAX], label[40];
            snprintf(p.number, sizeof p.number, "%lld", (long long)r->id);
            payload_format(&p, payload);
            snprintf(label, sizeof label, "incident_%s", incident_action_name(p.incident_action));
            reply_button(&rp, label, payload);
        }
    }
    return reply_queue(&rp);
}

int incidents_card(const struct handler_ctx *hx, const struct incident_rec *r, const char *address,
                   enum lang lang)
{
    struct cases cs = {0};
    struct incident_view v;
    int rc = store_cases_of_incident(hx->store, r->id, INCIDENT_CARD_LINES, cases_add, &cs);
    if (rc == 0)
        rc = store_incident_view(hx->store, r->id, &v);
    if (rc == 0)
        rc = queue_card(hx, r, &cs, &v, address, lang, 0);
    cases_free(&cs);
    return rc;
}

struct rewrite_ctx {
    const struct handler_ctx *hx;
    const struct incident_rec *r;
    const struct cases *cs;
    const struct incident_view *v;
};

static int rewrite_one(void *ctx, int64_t card_id, const char *address)
{
    struct rewrite_ctx *rc = ctx;
    /* where a sent card cannot be rewritten, it stays as it was: /incident ID shows it now */
    if (!channel_profile(STAFF_CHANNEL)->edits)
        return 0;
    return queue_card(rc->hx, rc->r, rc->cs, rc->v, address,
                      notify_address_lang(rc->hx->cfg, address), card_id);
}

static int rewrite_now(const struct handler_ctx *hx, int64_t id)
{
    struct incident_rec r;
    struct incident_view v;
    struct cases cs = {0};
    incident_rec_init(&r);
    int rc = store_incident_get(hx->store, id, &r);
    if (rc == 1)
        rc = store_cases_of_incident(hx->store, id, INCIDENT_CARD_LINES, cases_add, &cs);
    if (rc == 0)
        rc = store_incident_view(hx->store, id, &v);
    if (rc == 0) {
        struct rewrite_ctx ctx = {hx, &r, &cs, &v};
        rc = store_incident_cards(hx->store, id, rewrite_one, &ctx);
    }
    cases_free(&cs);
    incident_rec_release(&r);
    return rc < 0 ? -1 : 0;
}

int incidents_cards_rewrite(const struct handler_ctx *hx, int64_t id)
{
    struct incident_ids *ids = hx->stale_cards;
    if (!ids)
        return rewrite_now(hx, id);
    for (size_t i = 0; i < ids->n; i++)
        if (ids->v[i] == id)
            return 0;
    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? 2 * ids->cap : 8;
        ids->v = xrealloc(ids->v, ids->cap * sizeof *ids->v);
    }
    ids->v[ids->n++] = id;
    return 0;
}

int incidents_cards_flush(const struct handler_ctx *hx)
{
    struct incident_ids *ids = hx->stale_cards;
    int rc = 0;
    for (size_t i = 0; ids && rc == 0 && i < ids->n; i++)
        rc = rewrite_now(hx, ids->v[i]);
    if (ids)
        ids->n = 0;
    return rc;
}

void incident_ids_release(struct incident_ids *ids)
{
    free(ids->v);
    ids->v = NULL;
    ids->n = ids->cap = 0;
}

struct explain_ctx {
    const struct handler_ctx *hx;
    struct sbuf *out;
    struct stemmers *st;
    int failed;
};

/* An incident and, for each of its cases, why it fits the rest. */
static int explain_incident(void *ctx, const struct incident_rec *r)
{
    struct explain_ctx *ec = ctx;
    const struct handler_ctx *hx = ec->hx;
    struct cases cs = {0};
    struct incident_view v;
    char since[17];
    if (store_cases_of_incident(hx->store, r->id, -1, cases_add, &cs) < 0 ||
        store_incident_view(hx->store, r->id, &v) < 0) {
        cases_free(&cs);
        ec->failed = 1;
        return 1;
    }
    names_local_time(hx->cfg, v.since, since);
    sbuf_addf(ec->out, "incident %lld (%s): %d cases, %d open; %s, %s, %s; since %s\n",
              (long long)r->id, r->status, v.size, v.open, r->category, r->district, r->body,
              since);
    for (size_t i = 0; i < cs.n; i++) {
        struct incident_group *g = incident_group_new();
        struct incident_item it;
        double sim;
        for (size_t k = 0; k < cs.n; k++) {
            if (k == i)
                continue;
            struct incident_item other;
            incident_item_init(&other);
            item_of(hx->cfg, ec->st, &cs.v[k], cs.v[k].registered_at, &other);
            incident_group_add(g, &other);
            incident_item_release(&other);
        }
        incident_item_init(&it);
        item_of(hx->cfg, ec->st, &cs.v[i], cs.v[i].registered_at, &it);
        sbuf_addf(ec->out, "  %s: ", cs.v[i].number);
        if (cs.n > 1)
            incident_fits(&hx->cfg->incidents, g, &it, &sim, ec->out);
        sbuf_addch(ec->out, '\n');
        incident_item_release(&it);
        incident_group_free(g);
    }
    cases_free(&cs);
    return 0;
}

int incidents_explain(const struct handler_ctx *hx, struct sbuf *out)
{
    const struct config *cfg = hx->cfg;
    const struct incident_settings *set = &cfg->incidents;
    struct explain_ctx ec = {hx, out, stemmers_new(), 0};
    int rc = store_incidents_open(hx->store, "", "", explain_incident, &ec);
    if (rc == 0 && ec.failed)
        rc = -1;
    /* candidates: groups among the open cases in no incident, as registration would find them */
    for (size_t k = 0; rc == 0 && k < cfg->ncategories; k++) {
        struct cases cs = {0};
        if (store_cases_unjoined(hx->store, cfg->categories[k].id,
                                 hx->now - set->window_hours * 3600LL, cases_add, &cs) < 0) {
            rc = -1;
            break;
        }
        struct incident_item *items = xcalloc(cs.n + 1, sizeof *items);
        size_t *group = xcalloc(cs.n + 1, sizeof *group);
        for (size_t i = 0; i < cs.n; i++) {
            incident_item_init(&items[i]);
            item_of(cfg, ec.st, &cs.v[i], cs.v[i].registered_at, &items[i]);
        }
        incident_cluster(set, items, cs.n, group);
        for (size_t i = 0; i < cs.n; i++) {
            size_t members = 0;
            if (group[i] != i)
                continue;
            for (size_t j = i; j < cs.n; j++)
                members += group[j] == i;
            if (members < 2)
                continue;
            sbuf_addf(out, "candidate (%zu of %d to propose): %s, %s\n", members, set->min_appeals,
                      cs.v[i].category, cs.v[i].district);
            struct incident_group *g = incident_group_new();
            incident_group_add(g, &items[i]);
            sbuf_addf(out, "  %s: first\n", cs.v[i].number);
            for (size_t j = i + 1; j < cs.n; j++) {
                double sim;
                if (group[j] != i)
                    continue;
                sbuf_addf(out, "  %s: ", cs.v[j].number);
                incident_fits(set, g, &items[j], &sim, out);
                sbuf_addch(out, '\n');
                incident_group_add(g, &items[j]);
            }
            incident_group_free(g);
        }
        for (size_t i = 0; i < cs.n; i++)
            incident_item_release(&items[i]);
        free(items);
        free(group);
        cases_free(&cs);
    }
    stemmers_free(ec.st);
    return rc;
}

int incident_tally_add(struct incident_tally *t, const struct case_rec *c)
{
    size_t i = 0;
    if (!c->incident_id)
        return 0;
    while (i < t->n && t->v[i].id != c->incident_id)
        i++;
    if (i == t->n) {
        t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
        t->v[t->n++] = (struct incident_count){c->incident_id, 0, c->due_day};
    }
    t->v[i].n++;
    if (c->due_day < t->v[i].due)
        t->v[i].due = c->due_day;
    return 1;
}

void incident_tally_flush(const struct handler_ctx *hx, struct incident_tally *t, const char *body,
                          enum lang lang, struct sbuf *out)
{
    for (size_t i = 0; i < t->n; i++) {
        char id[24], n[16], due[11];
        snprintf(id, sizeof id, "%lld", (long long)t->v[i].id);
        snprintf(n, sizeof n, "%d", t->v[i].n);
        calendar_format_local(t->v[i].due, due);
        struct i18n_var vars[] = {{"id", id},
                                  {"appeals", n, "appeals_n"},
                                  {"body", names_body(hx->cfg, body, lang)},
                                  {"due", due},
                                  {NULL, NULL}};
        sbuf_addch(out, '\n');
        i18n_render(&hx->cfg->texts, lang, "digest_incident_line", vars, out);
    }
}

void incident_tally_free(struct incident_tally *t)
{
    free(t->v);
    memset(t, 0, sizeof *t);
}
