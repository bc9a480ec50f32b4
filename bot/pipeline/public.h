/*
 * public: the accountability figures for everyone, without signing in and
 * without any personal data, as handlers/stats.c counts them for /stats.
 *
 *   GET /public/             a page (HTML, no script) for the city, each body
 *                            and each district, with a chart (SVG) of the share
 *                            answered in time per body
 *   GET /public/?body=ID, ?district=ID   a body's or a district's page: its
 *                            figures, then month by month for the last twelve
 *   GET /public/stats.json   the same for open-data portals
 *   GET /public/stats.csv    and for spreadsheets (UTF-8, CRLF)
 *   period=7d|30d|all|YYYY-MM (default 30d), lang=kk|ru|en (default the intake's)
 *
 * Served on the listener's thread through the health service's own store connection; the
 * figures of a period (or month) are counted at most once a minute, however often they are asked
 * for.
 */
#ifndef TYNDAU_PUBLIC_H
#define TYNDAU_PUBLIC_H

#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"

void public_route(struct health *h, struct http *http);

#endif
