/*
 * config: the one libconfig file that describes a deployment.
 *
 * Loading is also validation: every problem is reported as FILE:LINE through
 * a diag, and a config with errors is never used.  Unknown keys are errors
 * (a misspelt key silently ignored is a misrouted appeal later), as are
 * wrong types, duplicate ids, references to unknown ids and bodies nobody
 * can be reached at.  After loading, all references are resolved to pointers,
 * so the rest of the program never looks an id up by string twice.
 *
 * The struct owns every string in it; config_free() releases all of it.
 */
#ifndef TYNDAU_CONFIG_H
#define TYNDAU_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "bot/domain/calendar.h"
#include "bot/lib/diag.h"
#include "bot/domain/i18n.h"
#include "bot/domain/lang.h"

#define CONFIG_ID_MAX 32
#define CONFIG_MAX_REMINDERS 4

/*
 * A keyword of a category or a district: a word or a phrase of words, read by
 * the grammar of its language (bot/domain/words.h).  "вода" matches the
 * word's inflected forms (воды, водой; not водитель), "электр*" every word
 * that starts so, "=скорую" that form only; in a phrase every word matches in
 * turn ("жер телімі").  A name (a place, a loanword) is read in any language.
 */
enum kw_match { KW_FORMS, KW_PREFIX, KW_EXACT, KW_NAME };
#define KW_ANY_LANG LANG_COUNT /* the `lang` of a name */

struct kw_word {
    char *text;             /* lower-case, ё as е */
    char *form[LANG_COUNT]; /* kk: folded; ru, en: Snowball stem */
};

struct keyword {
    char *written; /* as in the config, for `tyndau route` */
    int lang;      /* enum lang, or KW_ANY_LANG */
    enum kw_match match;
    int weight;
    size_t nwords;
    struct kw_word *words;
};

struct geo_area;

struct body;

struct category {
    char id[CONFIG_ID_MAX];
    char *name[LANG_COUNT];
    char *short_name[LANG_COUNT]; /* a menu's label where room is paid (SMS); else the name */
    struct keyword *keywords;
    size_t nkeywords;
    /* the topic a citizen picks when theirs is not offered (an SMS menu has room for a few) */
    int catch_all;
};

struct district {
    char id[CONFIG_ID_MAX];
    char code[CONFIG_ID_MAX]; /* printed on posters: /start CODE, typed by SMS */
    char *name[LANG_COUNT];
    char *short_name[LANG_COUNT]; /* a menu's label where room is paid (SMS); else the name */
    struct keyword *keywords;
    size_t nkeywords;
    struct keyword *places; /* microdistricts, landmarks, streets only here: names */
    size_t nplaces;
    struct geo_area *area; /* from the district map; NULL without one */
    const struct body *default_body;
};

/* A street (or any name) that runs through several districts: naming it asks which. */
struct street {
    struct keyword *names;
    size_t nnames;
    const struct district **districts;
    size_t ndistricts;
};

/*
 * Staff and bodies are reached where the configuration gives their ids
 * (`telegram` of a staff member, `chat` of a body): on this channel.
 */
#define STAFF_CHANNEL "telegram"

enum body_kind { BODY_DEPARTMENT, BODY_DISTRICT_AKIMAT, BODY_COUNCIL };

struct body {
    char id[CONFIG_ID_MAX];
    enum body_kind kind;
    char *name[LANG_COUNT];
    int64_t chat;   /* Telegram group chat of the body, 0 if none */
    enum lang lang; /* what its group chat reads (cards, reminders); intake's default if unset */
};

enum staff_role { ROLE_OFFICER, ROLE_COUNCIL_MEMBER, ROLE_SUPERVISOR };

struct staff {
    char id[CONFIG_ID_MAX];
    char *name;
    int64_t telegram; /* Telegram user id, 0 if none */
    enum staff_role role;
    const struct body *body; /* NULL for a supervisor of everything */
    enum lang lang;
};

struct route {
    const struct category *category;
    const struct district *district; /* NULL: any district */
    const struct body *body;
};

/* Words shorter than this say little to incident grouping unless incidents.same names them. */
#define INCIDENT_MIN_LETTERS 3

/* A word incident grouping counts as another or leaves out (bot/domain/incident.h). */
struct incident_word {
    char *token; /* a tagged stem, as words_stems() writes it */
    int group;   /* the incidents.same group it counts as; -1: left out (incidents.ignore) */
};

struct incident_settings {
    int window_hours;            /* an appeal joins a group whose newest is at most this old */
    int radius_m;                /* pins this close are one place across a district line */
    int min_appeals;             /* a group this large is proposed as an incident */
    int similarity;              /* the least cosine of words, in percent */
    int offer;                   /* a citizen filing is told of a matching incident */
    struct incident_word *words; /* Russian and English stems, sorted by token */
    size_t nwords;
    struct incident_word *kk_words; /* Kazakh words, folded, matched with their suffixes */
    size_t nkk_words;
    char **group_names; /* the first word of each incidents.same group */
    size_t ngroups;
};

struct config {
    char *file; /* path of the config file as given */
    char *dir;  /* its directory: relative paths in it are resolved against this */

    struct {
        char *path;
        int synchronous_full;
    } storage;
    struct {
        char *host;
        int port;
        char *socket; /* a unix socket, used instead of host:port when set */
        char *prefix;
    } redis;
    struct {
        char *listen;
    } http;
    struct {
        char *url;         /* where staff open the dashboard: its sign-in links start with it */
        int link_minutes;  /* a sign-in link works once, for this long */
        int session_hours; /* a session lasts this long after signing in */
    } web;
    struct {
        char *token;
        char *api_url;
        char *mode;
        char *webhook_url;
        char *webhook_secret;
    } telegram;
    struct {
        char *provider;
        char *sendsms_url;
        char *username;
        char *password;
        char *sender;
        char *inbound_secret;
        char *dlr_url;      /* where the gateway reports deliveries: .../sms/dlr */
        int max_parts;      /* an officer's answer is cut to this many SMS */
        int rate;           /* messages a second to the gateway */
        int flood_per_hour; /* inbound messages a phone may send in an hour */
        int dlr_retries;    /* resends after a "failed" delivery report */
    } sms;
    struct {
        char *level;
    } log;
    struct {
        enum lang default_lang;
        size_t max_text_chars;
        int min_text_chars;
        int max_draft_chars; /* an appeal before it is confirmed, all its messages together */
        int max_draft_parts; /* and how many messages it may be made of */
    } intake;
    struct {
        int working_days;
        int extension_max_months;
        int forward_days;
        int notify_hour;
        int digest_hour; /* local hour of the daily digest to supervisors; -1 = none */
        int rating_days; /* an answer not rated in this many days closes the case */
        int low_rating;  /* a rating at or below this reopens the case */
        int remind_days[CONFIG_MAX_REMINDERS];
        int nremind;
    } deadlines;
    struct {
        int retry_base_ms;
        int retry_max_ms;
        int max_attempts;
    } outbox;
    struct incident_settings incidents;

    struct calendar calendar;
    struct i18n texts;

    struct category *categories;
    size_t ncategories;
    struct district *districts;
    size_t ndistricts;
    struct body *bodies;
    size_t nbodies;
    struct staff *staff;
    size_t nstaff;
    struct route *routes;
    size_t nroutes;
    struct street *streets;
    size_t nstreets;
    char *district_map; /* the GeoJSON file the districts' areas came from, or NULL */
};

/* Loads and validates path.  Returns 0, or -1 with the reasons in d (cfg is then freed). */
int config_load(struct config *cfg, const char *path, struct diag *d);
void config_free(struct config *cfg);

/*
 * Reloading (SIGHUP).  Texts, routing, staff, the calendar, intake and
 * deadline rules can change while the daemon runs; what it holds open
 * (storage, Redis, the listener, the channels' endpoints and secrets, the
 * outbox's retry rules) only at a restart.
 *
 * The daemon publishes the configuration it started with (config_live_start)
 * and each reload's (config_live_publish, which takes ownership).  A unit of
 * work (a dispatch batch, a deadline tick) holds the live one for its
 * duration: config_hold() returns it (or `started` when nothing was
 * published, as in the console and tests), config_drop() lets it go; a
 * retired configuration is freed when its last holder drops it.
 */
/* The name of the first restart-only setting that differs between a and b, or NULL. */
const char *config_restart_setting_changed(const struct config *a, const struct config *b);
int config_live_start(const struct config *started);
int config_live_publish(struct config *next);
const struct config *config_hold(const struct config *started);
void config_drop(const struct config *cfg);
/* Frees what reloads published; every holder must have stopped. */
void config_live_end(void);

/*
 * Where copies of the files citizens send are kept: "files" beside the database
 * (var/files for var/tyndau.db), each named by its attachment's id.
 */
void config_files_dir(const struct config *cfg, char *out, size_t size);
const struct category *config_category(const struct config *cfg, const char *id);
const struct district *config_district(const struct config *cfg, const char *id);
const struct district *config_district_by_code(const struct config *cfg, const char *code);
const struct body *config_body(const struct config *cfg, const char *id);
const struct staff *config_staff(const struct config *cfg, const char *id);
const struct staff *config_staff_by_telegram(const struct config *cfg, int64_t user_id);
/* The body for category x district: exact rule, then category rule, then the district's default. */
const struct body *config_route(const struct config *cfg, const struct category *cat,
                                const struct district *dist);
const char *config_role_name(enum staff_role role);

#endif
