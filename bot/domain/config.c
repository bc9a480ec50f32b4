#include "bot/domain/config.h"

#include <libconfig.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/domain/geo.h"
#include "bot/domain/words.h"
#include "bot/lib/utf8.h"
#include "bot/lib/xalloc.h"

/* State of one load: where problems go and which file is being read. */
struct loader {
    struct config *cfg;
    struct diag *d;
    const char *file;
    struct stemmers *stemmers; /* keywords are read as appeals are */
};

static void free_keyword(struct keyword *k)
{
    for (size_t i = 0; i < k->nwords; i++) {
        free(k->words[i].text);
        for (int l = 0; l < LANG_COUNT; l++)
            free(k->words[i].form[l]);
    }
    free(k->words);
    free(k->written);
}

static const char *file_of(const struct loader *ld, const config_setting_t *s)
{
    const char *f = s ? config_setting_source_file(s) : NULL;
    return f ? f : ld->file;
}

static int line_of(const config_setting_t *s)
{
    return s ? config_setting_source_line(s) : 0;
}

#define ERR(ld, s, ...) diag_error((ld)->d, file_of(ld, s), line_of(s), __VA_ARGS__)

static void check_keys(struct loader *ld, const config_setting_t *group, const char *what,
                       const char *const allowed[])
{
    for (int i = 0; i < config_setting_length(group); i++) {
        config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (name && strcmp(name, *a) == 0)
                ok = 1;
        if (!ok)
            ERR(ld, s, "unknown key `%s` in %s", name ? name : "?", what);
    }
}

static config_setting_t *member(const config_setting_t *group, const char *name)
{
    return group ? config_setting_get_member(group, name) : NULL;
}

/*
 * "env:NAME" takes the value from the environment, so secrets stay out of the
 * file; "env:NAME:DEFAULT" takes DEFAULT when NAME is unset or empty (a
 * container's settings: "env:TYNDAU_LISTEN:0.0.0.0:8080").
 */
static char *resolve_env(const char *value)
{
    if (strncmp(value, "env:", 4) == 0) {
        const char *name = value + 4, *colon = strchr(name, ':');
        char var[128];
        snprintf(var, sizeof var, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
        const char *v = getenv(var);
        return xstrdup(v && *v ? v : colon ? colon + 1 : "");
    }
    return xstrdup(value);
}

static void get_str(struct loader *ld, const config_setting_t *group, const char *name,
                    const char *def, int required, char **out)
{
    config_setting_t *s = member(group, name);
    if (!s) {
        if (required)
            ERR(ld, group, "missing `%s`", name);
        *out = xstrdup(def);
        return;
    }
    const char *v = config_setting_get_string(s);
    if (!v) {
        ERR(ld, s, "`%s` must be a string", name);
        *out = xstrdup(def);
        return;
    }
    if (!utf8_valid(v, strlen(v)))
        ERR(ld, s, "`%s` is not valid UTF-8", name);
    *out = resolve_env(v);
}

/*
 * A setting that must have a value here (a secret, say) but is empty: an
 * error that names the environment variable when the value comes from one,
 * so a typo in a variable's name is found by `check`, not by an attacker.
 */
static void require_value(struct loader *ld, const config_setting_t *group, const char *name,
                          const char *value, const char *why)
{
    if (*value)
        return;
    config_setting_t *s = member(group, name);
    const char *raw = s ? config_setting_get_string(s) : NULL;
    if (raw && !strncmp(raw, "env:", 4))
        ERR(ld, s, "`%s` (%s) reads the environment variable %s, which is not set or empty", name,
            why, raw + 4);
    else
        ERR(ld, s ? s : group, "`%s` must not be empty: %s", name, why);
}

static void get_int(struct loader *ld, const config_setting_t *group, const char *name, int def,
                    int min, int max, int *out)
{
    config_setting_t *s = member(group, name);
    *out = def;
    if (!s)
        return;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        ERR(ld, s, "`%s` must be an integer", name);
        return;
    }
    long long v = config_setting_get_int64(s);
    if (v < min || v > max) {
        ERR(ld, s, "`%s` must be between %d and %d", name, min, max);
        return;
    }
    *out = (int)v;
}

static void get_bool(struct loader *ld, const config_setting_t *group, const char *name, int def,
                     int *out)
{
    config_setting_t *s = member(group, name);
    *out = def;
    if (!s)
        return;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        ERR(ld, s, "`%s` must be true or false", name);
        return;
    }
    *out = config_setting_get_bool(s);
}

static void get_int64(struct loader *ld, const config_setting_t *group, const char *name,
                      int64_t *out)
{
    config_setting_t *s = member(group, name);
    *out = 0;
    if (!s)
        return;
    int t = config_setting_type(s);
    if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
        ERR(ld, s, "`%s` must be an integer (write large ids with an L suffix)", name);
        return;
    }
    *out = config_setting_get_int64(s);
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CONFIG_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static void get_id(struct loader *ld, const config_setting_t *s, const char *name,
                   char out[CONFIG_ID_MAX])
{
    char *v;
    out[0] = 0;
    get_str(ld, s, name, "", 1, &v);
    if (*v && !valid_id(v))
        ERR(ld, member(s, name), "`%s` \"%s\" must be 1-31 characters of a-z, 0-9, '_' or '-'",
            name, v);
    else
        memcpy(out, v, strlen(v) + 1);
    free(v);
}

/*
 * short = { kk = "..."; ... }: the label where room is paid (an SMS menu).
 * Optional, each language on its own; the full name where it is left out.
 */
static void get_short_names(struct loader *ld, const config_setting_t *s,
                            char *const names[LANG_COUNT], char *shorts[LANG_COUNT])
{
    static const char *const keys[] = {"kk", "ru", "en", NULL};
    config_setting_t *g = member(s, "short");
    if (g && !config_setting_is_group(g))
        ERR(ld, g, "`short` must be a group { kk = \"...\"; ru = \"...\"; en = \"...\"; }");
    if (g && config_setting_is_group(g))
        check_keys(ld, g, "short", keys);
    for (int l = 0; l < LANG_COUNT; l++) {
        if (g && config_setting_is_group(g))
            get_str(ld, g, lang_codes[l], names[l], 0, &shorts[l]);
        else
            shorts[l] = xstrdup(names[l]);
        if (!*shorts[l]) {
            free(shorts[l]);
            shorts[l] = xstrdup(names[l]);
        }
    }
}

static void get_names(struct loader *ld, const config_setting_t *s, char *names[LANG_COUNT])
{
    static const char *const keys[] = {"kk", "ru", "en", NULL};
    config_setting_t *g = member(s, "names");
    if (!g || !config_setting_is_group(g)) {
        ERR(ld, g ? g : s, "`names` must be a group { kk = \"...\"; ru = \"...\"; en = \"...\"; }");
        for (int l = 0; l < LANG_COUNT; l++)
            names[l] = xstrdup("");
        return;
    }
    check_keys(ld, g, "names", keys);
    for (int l = 0; l < LANG_COUNT; l++)
        get_str(ld, g, lang_codes[l], "", 1, &names[l]);
}

/*
 * One entry of a keyword list: "word", "prefix*", "=form", "two words", or
 * ("word", weight).  0 when it is one.
 */
static int parse_keyword(struct loader *ld, config_setting_t *e, int lang, struct keyword *kw)
{
    const char *text = config_setting_get_string(e);
    int weight = 1;
    memset(kw, 0, sizeof *kw);
    if (!text && config_setting_is_list(e) && config_setting_length(e) == 2) {
        text = config_setting_get_string_elem(e, 0);
        weight = config_setting_get_int_elem(e, 1);
    }
    if (!text || !*text || weight < 1 || weight > 100 || !utf8_valid(text, strlen(text))) {
        ERR(ld, e, "a keyword must be \"word\" or (\"word\", weight 1-100)");
        return -1;
    }
    size_t len = strlen(text);
    int exact = text[0] == '=', prefix = text[len - 1] == '*';
    char *body = xstrndup(text + exact, len - exact - prefix);
    char *save = NULL;
    kw->written = xstrdup(text);
    kw->lang = lang;
    kw->weight = weight;
    kw->match = lang == KW_ANY_LANG ? KW_NAME : exact ? KW_EXACT : prefix ? KW_PREFIX : KW_FORMS;
    for (char *w = strtok_r(body, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        kw->words = xrealloc(kw->words, (kw->nwords + 1) * sizeof *kw->words);
        struct kw_word *k = &kw->words[kw->nwords++];
        k->text = words_lower(w);
        words_forms(ld->stemmers, w, k->form);
    }
    free(body);
    if (!kw->nwords || (kw->nwords > 1 && (exact || prefix)) ||
        (lang == KW_ANY_LANG && (exact || prefix))) {
        ERR(ld, e, "keyword `%s`: = and * go on one word of a language's list", text);
        return -1;
    }
    return 0;
}

static void add_keywords(struct loader *ld, config_setting_t *list, int lang, struct keyword **out,
                         size_t *nout)
{
    int n = config_setting_length(list);
    *out = xrealloc(*out, (*nout + (size_t)n + 1) * sizeof **out);
    for (int i = 0; i < n; i++) {
        struct keyword *kw = &(*out)[*nout];
        if (parse_keyword(ld, config_setting_get_elem(list, (unsigned)i), lang, kw) == 0)
            (*nout)++;
        else
            free_keyword(kw);
    }
}

/*
 * keywords = { kk = ["су", "жарық"]; ru = ["вода", ("отопление", 2)]; en = [...]; }:
 * each word read by its language's grammar.  A plain list, and `places`, are
 * names, read in any language.
 */
static void get_keywords(struct loader *ld, const config_setting_t *s, const char *name,
                         struct keyword **out, size_t *nout)
{
    config_setting_t *k = member(s, name);
    *out = NULL;
    *nout = 0;
    if (!k)
        return;
    if (config_setting_is_array(k) || config_setting_is_list(k)) {
        add_keywords(ld, k, KW_ANY_LANG, out, nout);
        return;
    }
    if (!config_setting_is_group(k)) {
        ERR(ld, k, "`%s` must be { kk = [...]; ru = [...]; en = [...]; } or a list of names", name);
        return;
    }
    for (int i = 0; i < config_setting_length(k); i++) {
        config_setting_t *l = config_setting_get_elem(k, (unsigned)i);
        enum lang lang;
        if (lang_parse(config_setting_name(l), &lang) < 0 ||
            !(config_setting_is_array(l) || config_setting_is_list(l))) {
            ERR(ld, l, "`%s.%s`: want kk, ru or en = [ \"word\", ... ]", name,
                config_setting_name(l));
            continue;
        }
        add_keywords(ld, l, (int)lang, out, nout);
    }
}

static config_setting_t *get_list(struct loader *ld, const config_setting_t *root, const char *name,
                                  int required)
{
    config_setting_t *s = member(root, name);
    if (!s) {
        if (required)
            ERR(ld, root, "missing `%s = ( { ... }, ... );`", name);
        return NULL;
    }
    if (!config_setting_is_list(s)) {
        ERR(ld, s, "`%s` must be a list `( { ... }, ... )`", name);
        return NULL;
    }
    return s;
}

static config_setting_t *elem_group(struct loader *ld, config_setting_t *list, int i,
                                    const char *what)
{
    config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
    if (!config_setting_is_group(e)) {
        ERR(ld, e, "each entry of `%s` must be a group { ... }", what);
        return NULL;
    }
    return e;
}

static void load_scalars(struct loader *ld, const config_setting_t *root)
{
    struct config *c = ld->cfg;
    config_setting_t *g;
    char *tmp;

    static const char *const storage_keys[] = {"path", "synchronous", NULL};
    g = member(root, "storage");
    if (g)
        check_keys(ld, g, "storage", storage_keys);
    get_str(ld, g, "path", "var/tyndau.db", 0, &c->storage.path);
    get_str(ld, g, "synchronous", "full", 0, &tmp);
    if (strcmp(tmp, "full") && strcmp(tmp, "normal"))
        ERR(ld, member(g, "synchronous"), "`synchronous` must be \"full\" or \"normal\"");
    c->storage.synchronous_full = strcmp(tmp, "normal") != 0;
    free(tmp);

    static const char *const redis_keys[] = {"host", "port", "socket", "prefix", NULL};
    g = member(root, "redis");
    if (g)
        check_keys(ld, g, "redis", redis_keys);
    get_str(ld, g, "host", "127.0.0.1", 0, &c->redis.host);
    get_int(ld, g, "port", 6379, 0, 65535, &c->redis.port);
    /* "HOST:PORT" in host (from one environment variable) sets both */
    char *colon = strrchr(c->redis.host, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
        strchr(c->redis.host, ':') == colon) {
        long port = strtol(colon + 1, NULL, 10);
        if (port > 0 && port <= 65535) {
            c->redis.port = (int)port;
            *colon = 0;
        } else {
            ERR(ld, member(g, "host"), "`host` has a port out of range: %s", colon + 1);
        }
    }
    get_str(ld, g, "socket", "", 0, &c->redis.socket);
    get_str(ld, g, "prefix", "tyndau:", 0, &c->redis.prefix);

    static const char *const http_keys[] = {"listen", NULL};
    g = member(root, "http");
    if (g)
        check_keys(ld, g, "http", http_keys);
    get_str(ld, g, "listen", "127.0.0.1:8080", 0, &c->http.listen);

    static const char *const web_keys[] = {"url", "link_minutes", "session_hours", NULL};
    g = member(root, "web");
    if (g)
        check_keys(ld, g, "web", web_keys);
    get_str(ld, g, "url", "", 0, &c->web.url);
    if (!*c->web.url) { /* the listener as this machine reaches it */
        free(c->web.url);
        size_t n = strlen(c->http.listen) + sizeof "http://";
        c->web.url = xmalloc(n);
        snprintf(c->web.url, n, "http://%s", c->http.listen);
        if (!strncmp(c->http.listen, "0.0.0.0:", 8))
            diag_warn(ld->d, file_of(ld, g), line_of(g),
                      "`url` in `web` is not set and the listener is on every address: the /web "
                      "links would name %s, which no browser opens; set web.url to the address "
                      "staff reach",
                      c->web.url);
    } else if (strncmp(c->web.url, "http://", 7) && strncmp(c->web.url, "https://", 8)) {
        ERR(ld, member(g, "url"), "`url` in `web` must start with http:// or https://: %s",
            c->web.url);
    }
    for (size_t n = strlen(c->web.url); n && c->web.url[n - 1] == '/'; n--)
        c->web.url[n - 1] = 0;
    get_int(ld, g, "link_minutes", 15, 1, 24 * 60, &c->web.link_minutes);
    get_int(ld, g, "session_hours", 12, 1, 24 * 30, &c->web.session_hours);

    static const char *const tg_keys[] = {"token",       "api_url",        "mode",
                                          "webhook_url", "webhook_secret", NULL};
    g = member(root, "telegram");
    if (g)
        check_keys(ld, g, "telegram", tg_keys);
    get_str(ld, g, "token", "env:TELEGRAM_BOT_TOKEN", 0, &c->telegram.token);
    get_str(ld, g, "api_url", "https://api.telegram.org", 0, &c->telegram.api_url);
    get_str(ld, g, "mode", "polling", 0, &c->telegram.mode);
    if (strcmp(c->telegram.mode, "polling") && strcmp(c->telegram.mode, "webhook"))
        ERR(ld, member(g, "mode"), "`mode` must be \"polling\" or \"webhook\"");
    get_str(ld, g, "webhook_url", "", 0, &c->telegram.webhook_url);
    get_str(ld, g, "webhook_secret", "", 0, &c->telegram.webhook_secret);
    if (!strcmp(c->telegram.mode, "webhook"))
        require_value(ld, g, "webhook_secret", c->telegram.webhook_secret,
                      "webhook mode checks it on every request");

    static const char *const sms_keys[] = {"provider", "sendsms_url",    "username",    "password",
                                           "sender",   "inbound_secret", "dlr_url",     "max_parts",
                                           "rate",     "flood_per_hour", "dlr_retries", NULL};
    g = member(root, "sms");
    if (g)
        check_keys(ld, g, "sms", sms_keys);
    get_str(ld, g, "provider", "none", 0, &c->sms.provider);
    if (strcmp(c->sms.provider, "kannel") && strcmp(c->sms.provider, "none"))
        ERR(ld, member(g, "provider"), "`provider` must be \"kannel\" or \"none\"");
    get_str(ld, g, "sendsms_url", "http://127.0.0.1:13013/cgi-bin/sendsms", 0, &c->sms.sendsms_url);
    get_str(ld, g, "username", "", 0, &c->sms.username);
    get_str(ld, g, "password", "", 0, &c->sms.password);
    get_str(ld, g, "sender", "1414", 0, &c->sms.sender);
    get_str(ld, g, "inbound_secret", "", 0, &c->sms.inbound_secret);
    get_str(ld, g, "dlr_url", "http://127.0.0.1:8080/sms/dlr", 0, &c->sms.dlr_url);
    get_int(ld, g, "max_parts", 3, 1, 10, &c->sms.max_parts);
    get_int(ld, g, "rate", 10, 1, 1000, &c->sms.rate);
    get_int(ld, g, "flood_per_hour", 30, 1, 10000, &c->sms.flood_per_hour);
    get_int(ld, g, "dlr_retries", 1, 0, 10, &c->sms.dlr_retries);
    if (strcmp(c->sms.provider, "none") != 0) {
        /* an SMS gateway is a public endpoint: no secret would let anyone file appeals */
        require_value(ld, g, "inbound_secret", c->sms.inbound_secret,
                      "the SMS gateway must prove itself on /sms/inbound and /sms/dlr");
        require_value(ld, g, "password", c->sms.password, "sendsms needs it");
    }

    static const char *const log_keys[] = {"level", NULL};
    g = member(root, "log");
    if (g)
        check_keys(ld, g, "log", log_keys);
    get_str(ld, g, "level", "info", 0, &c->log.level);
    if (strcmp(c->log.level, "debug") && strcmp(c->log.level, "info") &&
        strcmp(c->log.level, "warn") && strcmp(c->log.level, "error"))
        ERR(ld, member(g, "level"), "`level` must be debug, info, warn or error");

    static const char *const intake_keys[] = {"default_language", "max_text_chars",
                                              "min_text_chars",   "max_draft_chars",
                                              "max_draft_parts",  NULL};
    g = member(root, "intake");
    if (g)
        check_keys(ld, g, "intake", intake_keys);
    get_str(ld, g, "default_language", "kk", 0, &tmp);
    if (lang_parse(tmp, &c->intake.default_lang) < 0)
        ERR(ld, member(g, "default_language"), "`default_language` must be kk, ru or en");
    free(tmp);
    int max_text;
    get_int(ld, g, "max_text_chars", 4000, 100, 100000, &max_text);
    c->intake.max_text_chars = (size_t)max_text;
    get_int(ld, g, "min_text_chars", 10, 1, 1000, &c->intake.min_text_chars);
    get_int(ld, g, "max_draft_chars", 8000, 100, 100000, &c->intake.max_draft_chars);
    get_int(ld, g, "max_draft_parts", 10, 1, 100, &c->intake.max_draft_parts);

    static const char *const dl_keys[] = {
        "working_days",       "extension_max_months", "forward_days",
        "remind_days_before", "notify_hour",          "digest_hour",
        "rating_days",        "low_rating",           NULL};
    g = member(root, "deadlines");
    if (g)
        check_keys(ld, g, "deadlines", dl_keys);
    get_int(ld, g, "working_days", 15, 1, 365, &c->deadlines.working_days);
    get_int(ld, g, "extension_max_months", 2, 0, 12, &c->deadlines.extension_max_months);
    get_int(ld, g, "notify_hour", 9, 0, 23, &c->deadlines.notify_hour);
    get_int(ld, g, "digest_hour", 9, -1, 23, &c->deadlines.digest_hour);
    get_int(ld, g, "rating_days", 5, 1, 60, &c->deadlines.rating_days);
    get_int(ld, g, "low_rating", 2, 1, 4, &c->deadlines.low_rating);
    get_int(ld, g, "forward_days", 3, 1, 60, &c->deadlines.forward_days);
    config_setting_t *r = member(g, "remind_days_before");
    c->deadlines.nremind = 0;
    if (r) {
        if (!config_setting_is_array(r) || config_setting_length(r) > CONFIG_MAX_REMINDERS)
            ERR(ld, r, "`remind_days_before` must be an array of at most %d integers",
                CONFIG_MAX_REMINDERS);
        else
            for (int i = 0; i < config_setting_length(r); i++) {
                int days = config_setting_get_int_elem(r, i);
                if (days < 1 || days > 30)
                    ERR(ld, r, "`remind_days_before`: %d is not 1-30 working days", days);
                else
                    c->deadlines.remind_days[c->deadlines.nremind++] = days;
            }
    } else {
        c->deadlines.remind_days[c->deadlines.nremind++] = 3;
    }

    static const char *const ob_keys[] = {"retry_base_ms", "retry_max_ms", "max_attempts", NULL};
    g = member(root, "outbox");
    if (g)
        check_keys(ld, g, "outbox", ob_keys);
    get_int(ld, g, "retry_base_ms", 1000, 1, 3600000, &c->outbox.retry_base_ms);
    get_int(ld, g, "retry_max_ms", 300000, 1, 86400000, &c->outbox.retry_max_ms);
    get_int(ld, g, "max_attempts", 20, 1, 1000, &c->outbox.max_attempts);
}

static void load_calendar(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"utc_offset_minutes", "holidays", "days_off", "working_days",
                                       NULL};
    static const char *const hkeys[] = {"date", "moves", "name", NULL};
    config_setting_t *g = member(root, "calendar");
    struct calendar_holiday *fixed = NULL;
    int32_t *off = NULL, *work = NULL;
    size_t nfixed = 0, noff = 0, nwork = 0;
    int offset;

    if (g)
        check_keys(ld, g, "calendar", keys);
    get_int(ld, g, "utc_offset_minutes", 300, -720, 840, &offset);
    config_setting_t *h = get_list(ld, g, "holidays", 0);
    if (h) {
        fixed = xcalloc((size_t)config_setting_length(h) + 1, sizeof *fixed);
        for (int i = 0; i < config_setting_length(h); i++) {
            config_setting_t *e = elem_group(ld, h, i, "holidays");
            if (!e)
                continue;
            check_keys(ld, e, "a holiday", hkeys);
            char *date;
            int moves, m, d;
            char tail;
            get_str(ld, e, "date", "", 1, &date);
            get_bool(ld, e, "moves", 1, &moves);
            if (sscanf(date, "%2d-%2d%c", &m, &d, &tail) != 2 || strlen(date) != 5 || m < 1 ||
                m > 12 || d < 1 || d > 31)
                ERR(ld, member(e, "date"), "holiday `date` must be \"MM-DD\"");
            else
                fixed[nfixed++] = (struct calendar_holiday){m, d, moves};
            free(date);
        }
    }
    const char *lists[2] = {"days_off", "working_days"};
    int32_t **arrays[2] = {&off, &work};
    size_t *counts[2] = {&noff, &nwork};
    for (int k = 0; k < 2; k++) {
        config_setting_t *a = member(g, lists[k]);
        if (!a)
            continue;
        if (!config_setting_is_array(a)) {
            ERR(ld, a, "`%s` must be an array of \"YYYY-MM-DD\" dates", lists[k]);
            continue;
        }
        *arrays[k] = xcalloc((size_t)config_setting_length(a) + 1, sizeof(int32_t));
        for (int i = 0; i < config_setting_length(a); i++) {
            const char *s = config_setting_get_string_elem(a, i);
            int32_t day;
            if (!s || calendar_parse_date(s, &day) < 0) {
                ERR(ld, a, "`%s`: entry %d is not a date \"YYYY-MM-DD\"", lists[k], i + 1);
                continue;
            }
            if (k == 1 && calendar_weekday(day) < 6)
                ERR(ld, a, "`working_days`: %s is a weekday already", s);
            (*arrays[k])[(*counts[k])++] = day;
        }
    }
    if (calendar_build(&ld->cfg->calendar, offset, 2000, 2100, fixed, nfixed, off, noff, work,
                       nwork) < 0)
        abort();
    free(fixed);
    free(off);
    free(work);
}

static void load_bodies(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"id", "kind", "names", "chat", "language", NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "bodies", 1);
    if (!l)
        return;
    c->bodies = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->bodies);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "bodies");
        if (!e)
            continue;
        struct body *b = &c->bodies[c->nbodies++];
        check_keys(ld, e, "a body", keys);
        get_id(ld, e, "id", b->id);
        char *kind;
        get_str(ld, e, "kind", "department", 0, &kind);
        if (!strcmp(kind, "department"))
            b->kind = BODY_DEPARTMENT;
        else if (!strcmp(kind, "district_akimat"))
            b->kind = BODY_DISTRICT_AKIMAT;
        else if (!strcmp(kind, "council"))
            b->kind = BODY_COUNCIL;
        else
            ERR(ld, member(e, "kind"), "`kind` must be department, district_akimat or council");
        free(kind);
        get_names(ld, e, b->name);
        get_int64(ld, e, "chat", &b->chat);
        char *lang;
        get_str(ld, e, "language", lang_codes[c->intake.default_lang], 0, &lang);
        if (lang_parse(lang, &b->lang) < 0)
            ERR(ld, member(e, "language"), "`language` must be kk, ru or en");
        free(lang);
        for (size_t j = 0; j + 1 < c->nbodies; j++)
            if (*b->id && !strcmp(c->bodies[j].id, b->id))
                ERR(ld, e, "duplicate body id `%s`", b->id);
    }
}

static const struct body *ref_body(struct loader *ld, config_setting_t *e, const char *key,
                                   int required)
{
    char *id;
    get_str(ld, e, key, "", required, &id);
    const struct body *b = NULL;
    if (*id && !(b = config_body(ld->cfg, id)))
        ERR(ld, member(e, key), "`%s` refers to unknown body `%s`", key, id);
    free(id);
    return b;
}

static void load_categories(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"id", "names", "short", "keywords", "catch_all", NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "categories", 1);
    if (!l)
        return;
    c->categories = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->categories);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "categories");
        if (!e)
            continue;
        struct category *cat = &c->categories[c->ncategories++];
        check_keys(ld, e, "a category", keys);
        get_id(ld, e, "id", cat->id);
        get_names(ld, e, cat->name);
        get_short_names(ld, e, cat->name, cat->short_name);
        get_keywords(ld, e, "keywords", &cat->keywords, &cat->nkeywords);
        get_bool(ld, e, "catch_all", 0, &cat->catch_all);
        for (size_t j = 0; j + 1 < c->ncategories; j++) {
            if (*cat->id && !strcmp(c->categories[j].id, cat->id))
                ERR(ld, e, "duplicate category id `%s`", cat->id);
            if (cat->catch_all && c->categories[j].catch_all)
                ERR(ld, member(e, "catch_all"), "a second catch_all category `%s` (`%s` is one)",
                    cat->id, c->categories[j].id);
        }
    }
}

static void load_districts(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"id",       "code",   "names", "short",
                                       "keywords", "places", "body",  NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "districts", 1);
    if (!l)
        return;
    c->districts = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->districts);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "districts");
        if (!e)
            continue;
        struct district *dist = &c->districts[c->ndistricts++];
        check_keys(ld, e, "a district", keys);
        get_id(ld, e, "id", dist->id);
        get_id(ld, e, "code", dist->code);
        get_names(ld, e, dist->name);
        get_short_names(ld, e, dist->name, dist->short_name);
        get_keywords(ld, e, "keywords", &dist->keywords, &dist->nkeywords);
        if (member(e, "places") && config_setting_is_group(member(e, "places")))
            ERR(ld, member(e, "places"), "`places` is a list of names: [ \"Аксай\", ... ]");
        else
            get_keywords(ld, e, "places", &dist->places, &dist->nplaces);
        dist->default_body = ref_body(ld, e, "body", 1);
        for (size_t j = 0; j + 1 < c->ndistricts; j++) {
            if (*dist->id && !strcmp(c->districts[j].id, dist->id))
                ERR(ld, e, "duplicate district id `%s`", dist->id);
            if (*dist->code && !strcmp(c->districts[j].code, dist->code))
                ERR(ld, member(e, "code"), "duplicate district code `%s`", dist->code);
        }
    }
}

/* A path the config names: as given when absolute, else relative to the config file. */
static char *beside_config(const struct config *c, const char *path)
{
    struct sbuf full = SBUF_INIT;
    if (path[0] == '/')
        sbuf_addstr(&full, path);
    else
        sbuf_addf(&full, "%s/%s", c->dir, path);
    return sbuf_detach(&full, NULL);
}

/* streets = ( { names = ["Абая", "Абай"]; districts = ["almaly", "bostandyk"]; }, ... ) */
static void load_streets(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"names", "districts", NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "streets", 0);
    if (!l)
        return;
    c->streets = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->streets);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "streets");
        if (!e)
            continue;
        struct street *st = &c->streets[c->nstreets++];
        check_keys(ld, e, "a street", keys);
        get_keywords(ld, e, "names", &st->names, &st->nnames);
        config_setting_t *ds = member(e, "districts");
        if (!st->nnames || !ds || !config_setting_is_array(ds) || config_setting_length(ds) < 2) {
            ERR(ld, e,
                "a street wants `names = [...]` and `districts = [...]` (two or more; "
                "a street in one district is one of its `places`)");
            continue;
        }
        st->districts = xcalloc((size_t)config_setting_length(ds), sizeof *st->districts);
        for (int k = 0; k < config_setting_length(ds); k++) {
            const char *id = config_setting_get_string_elem(ds, k);
            const struct district *d = id ? config_district(c, id) : NULL;
            if (!d)
                ERR(ld, ds, "`districts` refers to unknown district `%s`", id ? id : "?");
            else
                st->districts[st->ndistricts++] = d;
        }
    }
}

static int incident_word_order(const void *a, const void *b)
{
    const struct incident_word *x = a, *y = b;
    int c = strcmp(x->token, y->token);
    return c ? c : (x->group > y->group) - (x->group < y->group);
}

/* The stems of one written word, each counted as group (-1: left out). */
static void add_incident_word(struct loader *ld, const config_setting_t *s, const char *written,
                              int group)
{
    struct incident_settings *set = &ld->cfg->incidents;
    struct word *w;
    struct sbuf stems = SBUF_INIT;
    size_t nw = words_split(ld->stemmers, written, strlen(written), &w);
    if (nw != 1) {
        ERR(ld, s, "`%s` in `incidents` must be one word", written);
        words_free(w, nw);
        return;
    }
    /*
     * Russian and English by their Snowball stems; Kazakh by the whole word, which a text's
     * word matches followed by real suffixes ("су": суы, сусыз, not сумма; "төлем" is not
     * "Төле").  A stem cut shorter would catch every text's short words.
     */
    if (w[0].form[LANG_KK]) {
        set->kk_words = xrealloc(set->kk_words, (set->nkk_words + 1) * sizeof *set->kk_words);
        set->kk_words[set->nkk_words++] =
            (struct incident_word){xstrdup(w[0].form[LANG_KK]), group};
    }
    words_stems(w, nw, &stems);
    for (size_t off = 0; off < stems.len; off += strlen(stems.buf + off) + 1) {
        if (stems.buf[off] == 'k')
            continue;
        set->words = xrealloc(set->words, (set->nwords + 1) * sizeof *set->words);
        set->words[set->nwords++] = (struct incident_word){xstrdup(stems.buf + off), group};
    }
    sbuf_release(&stems);
    words_free(w, nw);
}

/* An array of words, each one word in a language's letters. */
static void incident_words(struct loader *ld, const config_setting_t *a, const char *name,
                           int group)
{
    if (!config_setting_is_array(a) && !config_setting_is_list(a)) {
        ERR(ld, a, "`%s` must be an array of words", name);
        return;
    }
    for (int i = 0; i < config_setting_length(a); i++) {
        const char *v = config_setting_get_string_elem(a, i);
        if (!v || !utf8_valid(v, strlen(v)))
            ERR(ld, a, "`%s` must hold words (valid UTF-8 strings)", name);
        else
            add_incident_word(ld, a, v, group);
    }
}

static void load_incidents(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"window_hours", "radius_m", "min_appeals", "similarity",
                                       "offer",        "same",     "ignore",      NULL};
    struct incident_settings *set = &ld->cfg->incidents;
    config_setting_t *g = member(root, "incidents");
    if (g)
        check_keys(ld, g, "incidents", keys);
    get_int(ld, g, "window_hours", 12, 1, 24 * 14, &set->window_hours);
    get_int(ld, g, "radius_m", 1500, 0, 100000, &set->radius_m);
    get_int(ld, g, "min_appeals", 3, 2, 1000, &set->min_appeals);
    get_int(ld, g, "similarity", 35, 1, 100, &set->similarity);
    get_bool(ld, g, "offer", 1, &set->offer);
    config_setting_t *same = member(g, "same");
    if (same && !config_setting_is_list(same))
        ERR(ld, same, "`same` must be a list of arrays of words: ( [\"су\", \"вода\"], ... )");
    else if (same) {
        set->group_names = xcalloc((size_t)config_setting_length(same) + 1, sizeof(char *));
        for (int i = 0; i < config_setting_length(same); i++) {
            config_setting_t *a = config_setting_get_elem(same, (unsigned)i);
            const char *first = config_setting_get_string_elem(a, 0);
            set->group_names[set->ngroups] = xstrdup(first ? first : "?");
            incident_words(ld, a, "same", (int)set->ngroups++);
        }
    }
    config_setting_t *ignore = member(g, "ignore");
    if (ignore)
        incident_words(ld, ignore, "ignore", -1);
    if (!set->nwords)
        return;
    /* a stem in two groups counts as the first (or is left out, if ignored anywhere) */
    qsort(set->words, set->nwords, sizeof *set->words, incident_word_order);
    size_t kept = 0;
    for (size_t i = 0; i < set->nwords; i++) {
        if (kept && !strcmp(set->words[kept - 1].token, set->words[i].token)) {
            free(set->words[i].token);
            continue;
        }
        set->words[kept++] = set->words[i];
    }
    set->nwords = kept;
}

static void found_area(void *ctx, const char *id, struct geo_area *area)
{
    struct loader *ld = ctx;
    struct district *d = (struct district *)config_district(ld->cfg, id);
    if (!d || d->area) {
        diag_error(ld->d, ld->cfg->district_map, 0, "%s district `%s` in the district map",
                   d ? "a second area for" : "unknown", id);
        geo_free(area);
        return;
    }
    d->area = area;
}

/* district_map = "almaty-districts.geojson": relative to the config file */
static void load_district_map(struct loader *ld, const config_setting_t *root)
{
    struct config *c = ld->cfg;
    char *file;
    get_str(ld, root, "district_map", "", 0, &file);
    if (!*file) {
        free(file);
        return;
    }
    c->district_map = beside_config(c, file);
    free(file);
    if (geo_read(c->district_map, ld->d, found_area, ld) < 0)
        return;
    for (size_t i = 0; i < c->ndistricts; i++)
        if (!c->districts[i].area)
            diag_warn(ld->d, c->district_map, 0,
                      "district `%s` has no area: a pin there will not decide it",
                      c->districts[i].id);
}

static void load_routes(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"category", "district", "body", NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "routes", 0);
    if (!l)
        return;
    c->routes = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->routes);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "routes");
        if (!e)
            continue;
        struct route *r = &c->routes[c->nroutes];
        check_keys(ld, e, "a route", keys);
        char *cat, *dist;
        get_str(ld, e, "category", "", 1, &cat);
        get_str(ld, e, "district", "*", 0, &dist);
        r->category = config_category(c, cat);
        if (*cat && !r->category)
            ERR(ld, member(e, "category"), "route refers to unknown category `%s`", cat);
        if (strcmp(dist, "*") != 0 && !(r->district = config_district(c, dist)))
            ERR(ld, member(e, "district"), "route refers to unknown district `%s`", dist);
        r->body = ref_body(ld, e, "body", 1);
        for (size_t j = 0; j < c->nroutes; j++)
            if (r->category && c->routes[j].category == r->category &&
                c->routes[j].district == r->district)
                ERR(ld, e, "a second route for category `%s` and district `%s`", cat, dist);
        if (r->category && r->body)
            c->nroutes++;
        free(cat);
        free(dist);
    }
}

static void load_staff(struct loader *ld, const config_setting_t *root)
{
    static const char *const keys[] = {"id", "name", "telegram", "role", "body", "language", NULL};
    struct config *c = ld->cfg;
    config_setting_t *l = get_list(ld, root, "staff", 0);
    if (!l)
        return;
    c->staff = xcalloc((size_t)config_setting_length(l) + 1, sizeof *c->staff);
    for (int i = 0; i < config_setting_length(l); i++) {
        config_setting_t *e = elem_group(ld, l, i, "staff");
        if (!e)
            continue;
        struct staff *st = &c->staff[c->nstaff++];
        char *role, *lang;
        check_keys(ld, e, "a staff member", keys);
        get_id(ld, e, "id", st->id);
        get_str(ld, e, "name", "", 1, &st->name);
        get_int64(ld, e, "telegram", &st->telegram);
        get_str(ld, e, "role", "officer", 0, &role);
        if (!strcmp(role, "officer"))
            st->role = ROLE_OFFICER;
        else if (!strcmp(role, "council_member"))
            st->role = ROLE_COUNCIL_MEMBER;
        else if (!strcmp(role, "supervisor"))
            st->role = ROLE_SUPERVISOR;
        else
            ERR(ld, member(e, "role"), "`role` must be officer, council_member or supervisor");
        free(role);
        get_str(ld, e, "language", lang_codes[c->intake.default_lang], 0, &lang);
        if (lang_parse(lang, &st->lang) < 0)
            ERR(ld, member(e, "language"), "`language` must be kk, ru or en");
        free(lang);
        st->body = ref_body(ld, e, "body", st->role != ROLE_SUPERVISOR);
        if (st->body && st->role == ROLE_COUNCIL_MEMBER && st->body->kind != BODY_COUNCIL)
            ERR(ld, member(e, "body"), "a council member's body must be a council");
        if (st->body && st->role == ROLE_OFFICER && st->body->kind == BODY_COUNCIL)
            ERR(ld, member(e, "body"), "an officer's body must be a department or akimat");
        for (size_t j = 0; j + 1 < c->nstaff; j++) {
            if (*st->id && !strcmp(c->staff[j].id, st->id))
                ERR(ld, e, "duplicate staff id `%s`", st->id);
            if (st->telegram && c->staff[j].telegram == st->telegram)
                ERR(ld, member(e, "telegram"), "Telegram id %lld is already staff `%s`",
                    (long long)st->telegram, c->staff[j].id);
        }
    }
}

/* A body that gets cases but has no chat and no staff on Telegram would never hear of them. */
static void check_reachability(struct loader *ld, const config_setting_t *root)
{
    struct config *c = ld->cfg;
    config_setting_t *l = member(root, "bodies");
    for (size_t i = 0; i < c->nbodies; i++) {
        const struct body *b = &c->bodies[i];
        int reachable = b->chat != 0;
        for (size_t j = 0; j < c->nstaff && !reachable; j++)
            if (c->staff[j].body == b)
                reachable = 1;
        if (!reachable)
            ERR(ld, l ? config_setting_get_elem(l, (unsigned)i) : NULL,
                "body `%s` has no way to reach it: give it a `chat` or staff", b->id);
    }
    int supervisors = 0;
    for (size_t j = 0; j < c->nstaff; j++)
        supervisors += c->staff[j].role == ROLE_SUPERVISOR;
    if (!supervisors)
        diag_warn(ld->d, ld->file, 0, "no supervisor: nobody will see overdue cases");
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    char *d = strndup(path, (size_t)(slash - path));
    return d;
}

int config_load(struct config *cfg, const char *path, struct diag *d)
{
    static const char *const top[] = {
        "storage", "redis",     "http",    "telegram",     "sms",       "log",        "texts",
        "intake",  "deadlines", "outbox",  "calendar",     "bodies",    "categories", "districts",
        "routes",  "staff",     "streets", "district_map", "incidents", "web",        NULL};
    config_t cf;
    int errors_before = d->errors;
    memset(cfg, 0, sizeof *cfg);
    cfg->file = xstrdup(path);
    cfg->dir = dir_of(path);
    config_init(&cf);
    struct loader ld = {cfg, d, path, stemmers_new()};
    if (!config_read_file(&cf, path)) {
        if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
            diag_error(d, path, 0, "cannot read the config file: %s", strerror(errno));
        else
            diag_error(d, config_error_file(&cf) ? config_error_file(&cf) : path,
                       config_error_line(&cf), "%s", config_error_text(&cf));
        config_destroy(&cf);
        stemmers_free(ld.stemmers);
        config_free(cfg);
        return -1;
    }
    config_setting_t *root = config_root_setting(&cf);
    check_keys(&ld, root, "the top level", top);
    load_scalars(&ld, root);
    load_calendar(&ld, root);
    load_bodies(&ld, root);
    load_categories(&ld, root);
    load_districts(&ld, root);
    load_streets(&ld, root);
    load_district_map(&ld, root);
    load_routes(&ld, root);
    load_staff(&ld, root);
    load_incidents(&ld, root);
    check_reachability(&ld, root);

    static const char *const texts_keys[] = {"dir", NULL};
    config_setting_t *tg = member(root, "texts");
    char *tdir;
    if (tg)
        check_keys(&ld, tg, "texts", texts_keys);
    get_str(&ld, tg, "dir", "texts", 0, &tdir);
    char *full = beside_config(cfg, tdir);
    i18n_load(&cfg->texts, full, d);
    free(full);
    free(tdir);

    config_destroy(&cf);
    stemmers_free(ld.stemmers);
    if (d->errors > errors_before) {
        config_free(cfg);
        return -1;
    }
    return 0;
}

static void free_names(char *names[LANG_COUNT])
{
    for (int l = 0; l < LANG_COUNT; l++)
        free(names[l]);
}

static void free_keywords(struct keyword *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free_keyword(&k[i]);
    free(k);
}

void config_free(struct config *c)
{
    char **strings[] = {&c->file,
                        &c->dir,
                        &c->storage.path,
                        &c->redis.host,
                        &c->redis.prefix,
                        &c->redis.socket,
                        &c->http.listen,
                        &c->web.url,
                        &c->telegram.token,
                        &c->telegram.api_url,
                        &c->telegram.mode,
                        &c->telegram.webhook_url,
                        &c->telegram.webhook_secret,
                        &c->sms.provider,
                        &c->sms.sendsms_url,
                        &c->sms.username,
                        &c->sms.password,
                        &c->sms.sender,
                        &c->sms.inbound_secret,
                        &c->sms.dlr_url,
                        &c->log.level};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        free(*strings[i]);
    for (size_t i = 0; i < c->ncategories; i++) {
        free_names(c->categories[i].name);
        free_names(c->categories[i].short_name);
        free_keywords(c->categories[i].keywords, c->categories[i].nkeywords);
    }
    for (size_t i = 0; i < c->ndistricts; i++) {
        free_names(c->districts[i].name);
        free_names(c->districts[i].short_name);
        free_keywords(c->districts[i].keywords, c->districts[i].nkeywords);
        free_keywords(c->districts[i].places, c->districts[i].nplaces);
        geo_free(c->districts[i].area);
    }
    for (size_t i = 0; i < c->nstreets; i++) {
        free_keywords(c->streets[i].names, c->streets[i].nnames);
        free(c->streets[i].districts);
    }
    free(c->streets);
    free(c->district_map);
    for (size_t i = 0; i < c->incidents.nwords; i++)
        free(c->incidents.words[i].token);
    free(c->incidents.words);
    for (size_t i = 0; i < c->incidents.nkk_words; i++)
        free(c->incidents.kk_words[i].token);
    free(c->incidents.kk_words);
    for (size_t i = 0; i < c->incidents.ngroups; i++)
        free(c->incidents.group_names[i]);
    free(c->incidents.group_names);
    for (size_t i = 0; i < c->nbodies; i++)
        free_names(c->bodies[i].name);
    for (size_t i = 0; i < c->nstaff; i++)
        free(c->staff[i].name);
    free(c->categories);
    free(c->districts);
    free(c->bodies);
    free(c->staff);
    free(c->routes);
    calendar_free(&c->calendar);
    i18n_free(&c->texts);
    memset(c, 0, sizeof *c);
}

void config_files_dir(const struct config *cfg, char *out, size_t size)
{
    const char *slash = strrchr(cfg->storage.path, '/');
    int dir = slash ? (int)(slash - cfg->storage.path) : 0;
    if (slash)
        snprintf(out, size, "%.*s/files", dir ? dir : 1, dir ? cfg->storage.path : "/");
    else
        snprintf(out, size, "files");
}

const struct category *config_category(const struct config *c, const char *id)
{
    for (size_t i = 0; i < c->ncategories; i++)
        if (!strcmp(c->categories[i].id, id))
            return &c->categories[i];
    return NULL;
}

const struct district *config_district(const struct config *c, const char *id)
{
    for (size_t i = 0; i < c->ndistricts; i++)
        if (!strcmp(c->districts[i].id, id))
            return &c->districts[i];
    return NULL;
}

const struct district *config_district_by_code(const struct config *c, const char *code)
{
    for (size_t i = 0; i < c->ndistricts; i++)
        if (!strcasecmp(c->districts[i].code, code))
            return &c->districts[i];
    return NULL;
}

const struct body *config_body(const struct config *c, const char *id)
{
    for (size_t i = 0; i < c->nbodies; i++)
        if (!strcmp(c->bodies[i].id, id))
            return &c->bodies[i];
    return NULL;
}

const struct staff *config_staff(const struct config *c, const char *id)
{
    for (size_t i = 0; i < c->nstaff; i++)
        if (!strcmp(c->staff[i].id, id))
            return &c->staff[i];
    return NULL;
}

const struct staff *config_staff_by_telegram(const struct config *c, int64_t user_id)
{
    for (size_t i = 0; i < c->nstaff; i++)
        if (user_id && c->staff[i].telegram == user_id)
            return &c->staff[i];
    return NULL;
}

const struct body *config_route(const struct config *c, const struct category *cat,
                                const struct district *dist)
{
    const struct body *any = NULL;
    for (size_t i = 0; i < c->nroutes; i++) {
        if (c->routes[i].category != cat)
            continue;
        if (dist && c->routes[i].district == dist)
            return c->routes[i].body;
        if (!c->routes[i].district)
            any = c->routes[i].body;
    }
    if (any)
        return any;
    return dist ? dist->default_body : NULL;
}

const char *config_role_name(enum staff_role role)
{
    static const char *const names[] = {"officer", "council_member", "supervisor"};
    return names[role];
}

/* ------------------------------------------------------------------ reload */

/* What only a restart can change: the connections the daemon holds open. */
#define STR_SETTING(field)                                                                         \
    {                                                                                              \
#field, offsetof(struct config, field), 1                                                  \
    }
#define INT_SETTING(field)                                                                         \
    {                                                                                              \
#field, offsetof(struct config, field), 0                                                  \
    }
static const struct {
    const char *name;
    size_t offset;
    int is_string;
} restart_settings[] = {
    STR_SETTING(storage.path),         INT_SETTING(storage.synchronous_full),
    STR_SETTING(redis.host),           INT_SETTING(redis.port),
    STR_SETTING(redis.socket),         STR_SETTING(redis.prefix),
    STR_SETTING(http.listen),          STR_SETTING(telegram.token),
    STR_SETTING(telegram.api_url),     STR_SETTING(telegram.mode),
    STR_SETTING(telegram.webhook_url), STR_SETTING(telegram.webhook_secret),
    STR_SETTING(sms.provider),         STR_SETTING(sms.sendsms_url),
    STR_SETTING(sms.username),         STR_SETTING(sms.password),
    STR_SETTING(sms.sender),           STR_SETTING(sms.inbound_secret),
    STR_SETTING(sms.dlr_url),          INT_SETTING(sms.rate),
    INT_SETTING(sms.flood_per_hour),   INT_SETTING(outbox.retry_base_ms),
    INT_SETTING(outbox.retry_max_ms),  INT_SETTING(outbox.max_attempts),
};

const char *config_restart_setting_changed(const struct config *a, const struct config *b)
{
    for (size_t i = 0; i < sizeof restart_settings / sizeof *restart_settings; i++) {
        const char *pa = (const char *)a + restart_settings[i].offset;
        const char *pb = (const char *)b + restart_settings[i].offset;
        int same = restart_settings[i].is_string
                       ? !strcmp(*(char *const *)(const void *)pa, *(char *const *)(const void *)pb)
                       : *(const int *)(const void *)pa == *(const int *)(const void *)pb;
        if (!same)
            return restart_settings[i].name;
    }
    return NULL;
}

/*
 * The live configuration.  Each unit of work holds the one that was live when
 * it began; a reload publishes a new one and retires the old, which is freed
 * when its last holder drops it.  The configuration the daemon started with
 * belongs to its caller and is never freed here.
 */
struct live {
    struct config *cfg;
    int holders;
    int owned;         /* published by a reload: freed here */
    struct live *next; /* retired ones, still held */
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live *live_now;
static struct live *live_retired;

static void live_free(struct live *l)
{
    if (l->owned) {
        config_free(l->cfg);
        free(l->cfg);
    }
    free(l);
}

/* Frees retired configurations nobody holds any more.  Called with the lock. */
static void live_sweep(void)
{
    for (struct live **p = &live_retired; *p;) {
        struct live *l = *p;
        if (l->holders == 0) {
            *p = l->next;
            live_free(l);
        } else {
            p = &l->next;
        }
    }
}

const struct config *config_hold(const struct config *started)
{
    pthread_mutex_lock(&live_lock);
    const struct config *cfg = started;
    if (live_now) {
        live_now->holders++;
        cfg = live_now->cfg;
    }
    pthread_mutex_unlock(&live_lock);
    return cfg;
}

void config_drop(const struct config *cfg)
{
    pthread_mutex_lock(&live_lock);
    if (live_now && live_now->cfg == cfg) {
        live_now->holders--;
    } else {
        for (struct live *l = live_retired; l; l = l->next)
            if (l->cfg == cfg) {
                l->holders--;
                break;
            }
        live_sweep();
    }
    pthread_mutex_unlock(&live_lock);
}

static int live_publish(struct config *cfg, int owned)
{
    struct live *l = xcalloc(1, sizeof *l);
    l->cfg = cfg;
    l->owned = owned;
    pthread_mutex_lock(&live_lock);
    if (live_now) {
        live_now->next = live_retired;
        live_retired = live_now;
    }
    live_now = l;
    live_sweep();
    pthread_mutex_unlock(&live_lock);
    return 0;
}

int config_live_start(const struct config *started)
{
    return live_publish((struct config *)started, 0); /* owned == 0: never written or freed */
}

int config_live_publish(struct config *next)
{
    return live_publish(next, 1);
}

void config_live_end(void)
{
    pthread_mutex_lock(&live_lock);
    if (live_now) {
        live_now->next = live_retired;
        live_retired = live_now;
        live_now = NULL;
    }
    while (live_retired) { /* every thread has stopped: nobody holds any */
        struct live *l = live_retired;
        live_retired = l->next;
        live_free(l);
    }
    pthread_mutex_unlock(&live_lock);
}
