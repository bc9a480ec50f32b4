/*
 * telegram_files: copies of the photos and documents citizens send over
 * Telegram, fetched from the Bot API (getFile, then the file) into the files
 * directory (config_files_dir), so the dashboard shows them without the bot's
 * token ever reaching a browser and without the listener waiting on Telegram.
 *
 * Its own thread and curl handle: a slow or failing Bot API holds no one else.
 * A failure is tried again later (a minute, doubling, 8 tries); a file
 * Telegram refuses (too big for bots, gone) or over ATTACHMENT_MAX_BYTES is given up.
 */
#ifndef TYNDAU_TELEGRAM_FILES_H
#define TYNDAU_TELEGRAM_FILES_H

#include <stdint.h>

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "gateways/telegram_api.h"

#define TG_FILE_TRIES 8

struct tg_files {
    struct store *store; /* the thread's own connection */
    struct tg_api api;
    struct sbuf file_base; /* api_url + "/file/bot" + token + "/" */
    void *download;        /* CURL * */
    char dir[4096];
};

/* Makes the files directory; 0, or -1 with why in err. */
int tg_files_init(struct tg_files *f, const struct config *cfg, struct store *store,
                  struct sbuf *err);
void tg_files_free(struct tg_files *f);
/*
 * Fetches the files due by now (at most a few): returns how many were tried, -1 when the store
 * failed.  *next_at gets when the next try is due (0: none waits).
 */
int tg_files_fetch(struct tg_files *f, int64_t now, int64_t *next_at);

#endif
