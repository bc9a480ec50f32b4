/*
 * http: the one HTTP listener (libmicrohttpd, its own thread) that serves
 * /healthz, /metrics and the channels' callbacks (Telegram's webhook,
 * Kannel's inbound SMS and delivery reports).
 *
 * Each path has one handler; a guarded path is authorized from its headers
 * before any body is read (401), a declared or streamed body over the route's
 * limit is refused at once (413), and the listener bounds connections in all,
 * per client address and in time, so slow or greedy clients cannot starve
 * /healthz or the channels.  Handlers run on
 * the listener's thread, so anything they touch must be theirs or
 * thread-safe: a handler that writes gets its own store connection.
 */
#ifndef TYNDAU_HTTP_H
#define TYNDAU_HTTP_H

#include <stddef.h>

#include "bot/domain/lang.h"
#include "bot/lib/sbuf.h"

struct MHD_Connection;

struct http_request {
    const char *method;
    const char *path;
    const char *query; /* the raw query string (after '?'), "" if none */
    const char *body;
    size_t body_len;
    struct MHD_Connection *conn;
};

#define HTTP_MAX_HEADERS 8

struct http_response {
    int status;
    const char *content_type;
    struct sbuf body;
    struct {
        char name[32];
        char value[640];
    } headers[HTTP_MAX_HEADERS]; /* more than Content-Type (http_add_header) */
    int nheaders;
};

/* Adds a header to the response (one too many, or too long, is dropped and logged). */
void http_add_header(struct http_response *res, const char *name, const char *value);
/* A cookie the request carries, or NULL. */
const char *http_cookie(const struct http_request *req, const char *name);

/* A request header, or NULL. */
const char *http_header(const struct http_request *req, const char *name);
/* A query-string argument or form-body field, decoded binary-safely; 1 found, 0 not, -1 malformed.
 */
int http_arg(const struct http_request *req, const char *name, struct sbuf *out);

/* An integer argument within [min, max], *out = def when absent: 0, or -1 when malformed. */
int http_int_arg(const struct http_request *req, const char *name, int def, int min, int max,
                 int *out);

/* The language a request asks for (?lang=kk|ru|en), or def. */
enum lang http_lang(const struct http_request *req, enum lang def);

/* 1 if given equals expected, in time that does not depend on where they differ. */
int http_secret_equal(const char *given, const char *expected);

typedef void (*http_handler)(void *ctx, const struct http_request *req, struct http_response *res);
/*
 * Decides from the path, query and headers alone (the body is not read yet)
 * whether a request may go on: 1 yes; 0 refuses it with 401 before a byte of
 * its body is taken, so an unauthenticated sender cannot make us read or hold it.
 */
typedef int (*http_guard)(void *ctx, const struct http_request *req);

#define HTTP_MAX_ROUTES 32

struct http_route {
    const char *path;
    http_handler fn;
    http_guard guard; /* NULL: open to all (health, metrics) */
    void *ctx;
    size_t max_body;
};

struct http {
    struct MHD_Daemon *daemon;
    struct http_route routes[HTTP_MAX_ROUTES];
    int nroutes;
    unsigned short port; /* the port bound (useful with port 0) */
};

void http_init(struct http *h);
/* path is matched whole, or, ending in '/', as the prefix of longer paths (exact ones first). */
int http_route(struct http *h, const char *path, http_handler fn, void *ctx, size_t max_body);
/* A route whose requests pass guard before their body is read. */
int http_route_guarded(struct http *h, const char *path, http_handler fn, http_guard guard,
                       void *ctx, size_t max_body);
/* Listens on "HOST:PORT" (port 0: any free port).  Returns 0, or -1 with the reason in err. */
int http_start(struct http *h, const char *listen, struct sbuf *err);
void http_stop(struct http *h);

#endif
