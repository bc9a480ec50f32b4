/*
 * web_page: one request to the staff's dashboard (bot/pipeline/web.h), signed
 * in, and the frame every page of it is drawn in: the title, the menu, the
 * languages, who is signed in, sign-out, and what the last action said.
 */
#ifndef TYNDAU_WEB_PAGE_H
#define TYNDAU_WEB_PAGE_H

#include "bot/domain/config.h"
#include "bot/domain/store.h"
#include "bot/pipeline/http.h"
#include "handlers/handler.h"

struct web_page {
    struct store *store; /* the listener's own connection */
    const struct config *cfg;
    const struct http_request *req;
    struct http_response *res;
    struct handler_ctx hx;
    struct web_session session;
    struct staff me;   /* the staff member, reading in the session's language */
    const char *scope; /* the bodies they may see: their body's id, or "" for all */
    int32_t today;
};

/* The reader's text for key. */
const char *web_text(const struct web_page *pg, const char *key);
/* Starts and ends a page of the dashboard with its title, menu and the last action's words. */
void web_begin(struct web_page *pg, const char *title);
void web_end(struct web_page *pg);
/* The dashboard's style sheet (inline: the pages load nothing else). */
extern const char *const WEB_STYLE;

#endif
