#include "gateways/telegram_files.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bot/lib/log.h"

#define BATCH 8

int tg_files_init(struct tg_files *f, const struct config *cfg, struct store *store,
                  struct sbuf *err)
{
    memset(f, 0, sizeof *f);
    f->store = store;
    config_files_dir(cfg, f->dir, sizeof f->dir);
    if (mkdir(f->dir, 0750) < 0 && errno != EEXIST) {
        sbuf_addf(err, "cannot create %s: %s", f->dir, strerror(errno));
        return -1;
    }
    sbuf_init(&f->file_base, 0);
    sbuf_addf(&f->file_base, "%s/file/bot%s/", cfg->telegram.api_url, cfg->telegram.token);
    if (tg_api_init(&f->api, cfg->telegram.api_url, cfg->telegram.token) < 0 ||
        !(f->download = curl_easy_init())) {
        sbuf_addstr(err, "no curl handle for fetching files");
        return -1;
    }
    return 0;
}

void tg_files_free(struct tg_files *f)
{
    if (f->download)
        curl_easy_cleanup(f->download);
    tg_api_free(&f->api);
    sbuf_release(&f->file_base);
    f->download = NULL;
}

struct sink {
    FILE *out;
    size_t bytes;
};

static size_t write_file(char *p, size_t size, size_t n, void *ctx)
{
    struct sink *k = ctx;
    k->bytes += size * n;
    if (k->bytes >
        ATTACHMENT_MAX_BYTES) /* more than the API promised: stop, curl fails the transfer */
        return 0;
    return fwrite(p, size, n, k->out);
}

/* 1 copied, 0 try again later, -1 never. */
static int fetch_one(struct tg_files *f, const struct attachment *a)
{
    struct tg_result r;
    tg_result_init(&r);
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(params, "file_id", a->ref);
    enum tg_status st = tg_call(&f->api, "getFile", params, 30, &r);
    cJSON_Delete(params);
    const char *path =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r.result, "file_path"));
    int rc = 0;
    if (st != TG_OK || !path || !*path || strstr(path, "..")) {
        log_warn("telegram", "file %lld not fetched: %s", (long long)a->id,
                 st == TG_OK ? "no file_path" : r.description.buf);
        rc = st == TG_ERROR && r.error_code != 429 && r.error_code < 500 ? -1 : 0;
        tg_result_release(&r);
        return rc;
    }
    char tmp[4300], done[4200];
    snprintf(done, sizeof done, "%s/%lld", f->dir, (long long)a->id);
    snprintf(tmp, sizeof tmp, "%s.part", done);
    struct sink k = {fopen(tmp, "wb"), 0};
    if (!k.out) {
        log_error("telegram", "cannot write %s: %s", tmp, strerror(errno));
        tg_result_release(&r);
        return 0;
    }
    struct sbuf url = SBUF_INIT;
    sbuf_addf(&url, "%s%s", f->file_base.buf, path);
    CURL *c = f->download;
    curl_easy_setopt(c, CURLOPT_URL, url.buf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tyndau");
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    int closed = fclose(k.out);
    sbuf_release(&url);
    tg_result_release(&r);
    if (cc == CURLE_OK && closed == 0 && rename(tmp, done) == 0)
        return 1;
    unlink(tmp);
    /* the token is in the address: the error names the file, never the URL */
    log_warn("telegram", "file %lld not fetched: %s", (long long)a->id,
             k.bytes > ATTACHMENT_MAX_BYTES ? "larger than bots may fetch"
                                            : curl_easy_strerror(cc));
    return k.bytes > ATTACHMENT_MAX_BYTES || (status >= 400 && status < 500 && status != 429) ? -1
                                                                                              : 0;
}

struct due {
    struct attachment a[BATCH];
    char refs[BATCH][256];
    int n;
};

static int collect(void *ctx, const struct attachment *a)
{
    struct due *d = ctx;
    d->a[d->n] = *a;
    snprintf(d->refs[d->n], sizeof d->refs[0], "%s", a->ref ? a->ref : "");
    d->a[d->n].ref = d->refs[d->n];
    d->n++;
    return 0;
}

int tg_files_fetch(struct tg_files *f, int64_t now, int64_t *next_at)
{
    struct due d = {.n = 0};
    *next_at = 0;
    if (store_attachments_to_fetch(f->store, "telegram", now, BATCH, collect, &d) < 0)
        return -1;
    for (int i = 0; i < d.n; i++) {
        int got = fetch_one(f, &d.a[i]), tries = d.a[i].tries;
        if (got == 0 && tries + 1 >= TG_FILE_TRIES)
            got = -1;
        int64_t wait = 60LL << (tries < 6 ? tries : 6); /* a minute, doubling */
        if (store_attachment_fetched(f->store, d.a[i].id, got, now + wait) < 0)
            return -1;
    }
    int64_t at;
    int found = store_attachment_next_fetch(f->store, "telegram", &at);
    if (found < 0)
        return -1;
    *next_at = found ? at : 0;
    return d.n;
}
