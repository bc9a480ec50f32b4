/*
 * web: the staff's dashboard, for people who work at a desk with a browser
 * and Excel.  Served by the listener (bot/pipeline/http.h) under /web/.
 *
 * Signing in takes no password: a staff member sends /web to the bot in a
 * private chat and gets a link that works once, for web.link_minutes.
 * Opening it shows a button (a link preview or a mail scanner that fetches
 * the page does not spend it); pressing it spends the link and opens a
 * session of web.session_hours: an HttpOnly, SameSite=Lax cookie, Secure when
 * web.url is https, ended by "sign out".  Every form carries the session's
 * CSRF token.  Everyone else gets 401 and a page saying how to sign in: no
 * case, no staff member, no body's queue leaks to them.
 *
 *   GET  /web/                 overdue and due soon, per body (the morning page)
 *   GET  /web/queue?body=ID    a body's open cases
 *   GET  /web/search?q=&district=&status=&body=&from=&to=   by number, words, ...
 *   GET  /web/case?n=NUMBER    a case: the citizen's words, correspondence, history,
 *                              files, place; forms to take, answer, transfer,
 *                              extend, close, forward
 *   POST /web/act              one of those actions (handlers: staff_act)
 *   GET  /web/charts           pictures drawn on the server (SVG, no script)
 *   any list: &format=csv or &format=xlsx downloads it whole
 *   any page: ?lang=kk|ru|en  the reader's language, kept in their session
 *
 * Rights are the chat's (staff_may_act_on): an officer sees and acts on their
 * body's cases, a council member on their council's, a supervisor on all.
 * Actions are the chat's commands, done with the same rules and events.
 * Requests run on the listener's thread through its own store connection.
 */
#ifndef TYNDAU_WEB_H
#define TYNDAU_WEB_H

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/pipeline/http.h"

/* A form's largest body: an answer of intake.max_text_chars, percent-encoded. */
#define WEB_MAX_BODY (64 * 1024)
/* Rows of a list shown on one page, and the most a download holds. */
#define WEB_PAGE_ROWS 100
#define WEB_EXPORT_ROWS 100000

struct web {
    const struct config *started; /* the live configuration is held per request */
    struct store *store;          /* the listener's own connection: it writes */
};

void web_route(struct web *w, const struct config *started, struct store *store, struct http *http);

#endif
