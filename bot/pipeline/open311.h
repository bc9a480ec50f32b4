/*
 * open311: the Open311 GeoReport v2 read API, for open-data portals and
 * anyone who wants the figures without asking (JSON only).
 *
 *   GET /open311/v2/discovery.json
 *   GET /open311/v2/services.json              the categories
 *   GET /open311/v2/requests.json              service_code, status (open|closed),
 *        start_date, end_date (ISO 8601; 90 days back by default), service_request_id
 *        (a comma-separated list: those only), page (from 1), page_size (100, at most 1000)
 *   GET /open311/v2/requests/NUMBER.json
 *   lang=kk|ru|en names categories, bodies, districts and statuses (default the intake's).
 *
 * A request is a registered case: its number, "open" until closed, its status
 * (and outcome) as status_notes, the category, the responsible body, when it
 * was registered, last moved and is due by law (the end of its due day), its
 * district as the address and its pin, to about 100 m, when the citizen shared one.  The
 * citizen's words (as description) only when they chose to make the appeal
 * public when filing; never who they are.
 *
 * Served on the listener's thread through the health service's own store connection.
 */
#ifndef TYNDAU_OPEN311_H
#define TYNDAU_OPEN311_H

#include "bot/pipeline/health.h"
#include "bot/pipeline/http.h"

/* The largest page of requests.json. */
#define OPEN311_MAX_PAGE 1000

void open311_route(struct health *h, struct http *http);

#endif
