/*
 * daemon: `tyndau run` with a real channel: Telegram (a token) and/or SMS
 * (sms.provider).
 *
 * Threads, each with its own SQLite connection:
 *   main      receives from Telegram (long polling), or waits (webhook, SMS only)
 *   sender    drains the outbox through the channels' transports
 *   deadlines carries case changes to Redis and fires deadline stages
 *   http      the listener's: /healthz, /metrics, /telegram/webhook, /sms/inbound,
 *             /sms/dlr, /open311/, /public/ and the staff's dashboard /web/
 * An idle sender or deadline thread sleeps on a bell (bot/lib/bell.h) until
 * the time of its next known work, or until a commit or a signal rings it;
 * neither polls the database.
 * SIGINT or SIGTERM stops them all; what was committed stays committed, and
 * what was not was never confirmed to the channel.  SIGHUP reloads the
 * configuration file and its texts (config_hold in config.h says what can
 * change): the deadline thread loads it, runs the checks of `tyndau check`,
 * and publishes it only when there is no error and no restart-only setting
 * changed; otherwise it logs why and the running configuration stays.
 */
#ifndef TYNDAU_DAEMON_H
#define TYNDAU_DAEMON_H

#include <stdatomic.h>

#include "bot/domain/config.h"

/*
 * The database pages each thread's connection keeps, in KiB (store_cache_kib). The receiving
 * thread writes every appeal: 1 MB holds the upper levels of every table and index it writes
 * (it took appeals no slower than with SQLite's 2 MB). The others each read a few rows at a time
 * (the due replies, the next deadlines, a page, a file): what the whole index of open cases
 * fills at a rebuild, they need not keep.
 */
enum {
    DAEMON_PAGES_RECEIVE_KIB = 1024,
    DAEMON_PAGES_SEND_KIB = 512,
    DAEMON_PAGES_DEADLINES_KIB = 256,
    DAEMON_PAGES_HTTP_KIB = 512,
    DAEMON_PAGES_FILES_KIB = 128,
};

/*
 * Runs until *stop becomes non-zero; reloads the configuration whenever
 * *reload is set (and clears it).  Returns 0, or 1 after printing why it could not start.
 */
int daemon_run(const struct config *cfg, atomic_int *stop, atomic_int *reload);
/* Wakes the running daemon's threads to look at *stop and *reload; async-signal-safe. */
void daemon_wake(void);

#endif
