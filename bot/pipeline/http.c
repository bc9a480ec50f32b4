#include "bot/pipeline/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/log.h"
#include "bot/lib/prom.h"
#include "bot/pipeline/metric_names.h"
#include "bot/lib/urlform.h"
#include "bot/lib/xalloc.h"

#define HTTP_IDLE_SECONDS 10
#define HTTP_PER_ADDRESS 32
#define HTTP_CONNECTIONS 2000

/* Per request: the raw URI, the route and the body collected so far. */
struct pending {
    const struct http_route *route;
    struct sbuf uri;
    struct sbuf body;
};

void http_init(struct http *h)
{
    memset(h, 0, sizeof *h);
}

int http_route_guarded(struct http *h, const char *path, http_handler fn, http_guard guard,
                       void *ctx, size_t max_body)
{
    if (h->nroutes == HTTP_MAX_ROUTES)
        return -1;
    h->routes[h->nroutes++] = (struct http_route){path, fn, guard, ctx, max_body};
    return 0;
}

int http_route(struct http *h, const char *path, http_handler fn, void *ctx, size_t max_body)
{
    return http_route_guarded(h, path, fn, NULL, ctx, max_body);
}

const char *http_header(const struct http_request *req, const char *name)
{
    /* a request made up outside the listener (a fuzzer, a test) has no headers */
    return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

int http_int_arg(const struct http_request *req, const char *name, int def, int min, int max,
                 int *out)
{
    struct sbuf v = SBUF_INIT;
    char *end;
    int rc = http_arg(req, name, &v);
    *out = def;
    if (rc == 1) {
        long n = strtol(v.buf, &end, 10);
        rc = *v.buf && !*end && n >= min && n <= max ? 0 : -1;
        if (rc == 0)
            *out = (int)n;
    }
    sbuf_release(&v);
    return rc < 0 ? -1 : 0;
}

enum lang http_lang(const struct http_request *req, enum lang def)
{
    struct sbuf v = SBUF_INIT;
    enum lang l = def;
    if (http_arg(req, "lang", &v) == 1 && lang_parse(v.buf, &l) < 0)
        l = def;
    sbuf_release(&v);
    return l;
}

int http_arg(const struct http_request *req, const char *name, struct sbuf *out)
{
    /* libmicrohttpd's own values stop at a zero byte; UCS-2 text is full of them */
    int rc = urlform_get(req->query, strlen(req->query), name, out);
    if (rc != 0)
        return rc;
    const char *type = http_header(req, "Content-Type");
    if (type && !strncmp(type, "application/x-www-form-urlencoded", 33))
        return urlform_get(req->body, req->body_len, name, out);
    return 0;
}

int http_secret_equal(const char *given, const char *expected)
{
    size_t n = strlen(expected), m = given ? strlen(given) : 0;
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(expected[i] ^ (i < m ? given[i] : 0));
    return given && n > 0 && diff == 0; /* no secret configured: nothing matches */
}

/* Called before the headers are read: keeps the URI as sent, query string and all. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls, (void)conn;
    struct pending *p = xcalloc(1, sizeof *p);
    sbuf_init(&p->uri, 0);
    sbuf_init(&p->body, 0);
    sbuf_addstr(&p->uri, uri);
    return p;
}

/* Every answer is counted for /metrics by its route (unknown paths together) and status. */
void http_add_header(struct http_response *res, const char *name, const char *value)
{
    if (res->nheaders >= HTTP_MAX_HEADERS || strlen(name) >= sizeof res->headers[0].name ||
        strlen(value) >= sizeof res->headers[0].value) {
        log_error("http", "header %s not added: too many or too long", name);
        return;
    }
    snprintf(res->headers[res->nheaders].name, sizeof res->headers[0].name, "%s", name);
    snprintf(res->headers[res->nheaders].value, sizeof res->headers[0].value, "%s", value);
    res->nheaders++;
}

const char *http_cookie(const struct http_request *req, const char *name)
{
    return req->conn ? MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name) : NULL;
}

/* Every answer is counted for /metrics by its route (unknown paths together) and status. */
static enum MHD_Result respond(struct MHD_Connection *conn, const struct pending *p, int status,
                               const char *type, const char *body, size_t len,
                               const struct http_response *res)
{
    char labels[200];
    snprintf(labels, sizeof labels, "route=\"%s\",status=\"%d\"",
             p && p->route ? p->route->path : "other", status);
    prom_add(METRIC_HTTP, labels, 1);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    for (int i = 0; res && i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* 413 at once; libmicrohttpd closes the connection instead of reading the rest. */
static enum MHD_Result too_large(struct MHD_Connection *conn, const struct pending *p,
                                 const char *method, const char *url, size_t max)
{
    log_warn("http", "%s %s: body over %zu bytes refused", method, url, max);
    return respond(conn, p, 413, "text/plain", "request body too large\n", 23, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct http *h = cls;
    struct pending *p = *con_cls;
    (void)version;
    if (!p)
        return MHD_NO;
    if (!p->route) {
        for (int i = 0; i < h->nroutes; i++)
            if (!strcmp(h->routes[i].path, url))
                p->route = &h->routes[i];
        /* a path ending in '/' is a prefix: the rest of the path is the handler's to read */
        for (int i = 0; i < h->nroutes && !p->route; i++) {
            size_t n = strlen(h->routes[i].path);
            if (n && h->routes[i].path[n - 1] == '/' && !strncmp(h->routes[i].path, url, n) &&
                url[n])
                p->route = &h->routes[i];
        }
        if (!p->route)
            return respond(conn, p, 404, "text/plain", "not found\n", 10, NULL);
        /* the headers are in, the body is not: refuse what must not be read */
        const char *q = strchr(p->uri.buf, '?');
        struct http_request head = {method, url, q ? q + 1 : "", "", 0, conn};
        if (p->route->guard && !p->route->guard(p->route->ctx, &head))
            return respond(conn, p, 401, "text/plain", "unauthorized\n", 13, NULL);
        const char *declared =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (declared && strtoull(declared, NULL, 10) > p->route->max_body)
            return too_large(conn, p, method, url, p->route->max_body);
        return MHD_YES;
    }
    if (*upload_size) {
        /* a chunked body has no length to check up front: stop it where it passes the limit */
        if (p->body.len + *upload_size > p->route->max_body)
            return too_large(conn, p, method, url, p->route->max_body);
        sbuf_add(&p->body, upload_data, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    const char *q = strchr(p->uri.buf, '?');
    struct http_request req = {method, url, q ? q + 1 : "", p->body.buf, p->body.len, conn};
    struct http_response res = {200, "text/plain; charset=utf-8", SBUF_INIT};
    p->route->fn(p->route->ctx, &req, &res);
    enum MHD_Result ret =
        respond(conn, p, res.status, res.content_type, res.body.buf, res.body.len, &res);
    sbuf_release(&res.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)conn, (void)code;
    struct pending *p = *con_cls;
    if (p) {
        sbuf_release(&p->uri);
        sbuf_release(&p->body);
        free(p);
    }
    *con_cls = NULL;
}

int http_start(struct http *h, const char *listen, struct sbuf *err)
{
    char host[64];
    int port;
    const char *colon = strrchr(listen, ':');
    struct sockaddr_in addr = {0};
    if (!colon || (size_t)(colon - listen) >= sizeof host || sscanf(colon + 1, "%d", &port) != 1 ||
        port < 0 || port > 65535) {
        sbuf_addf(err, "http.listen \"%s\" is not HOST:PORT", listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        sbuf_addf(err, "http.listen: \"%s\" is not an IPv4 address", host);
        return -1;
    }
    /*
     * epoll, not select: a thousand open connections must not hit FD_SETSIZE.
     * A connection idle for HTTP_IDLE_SECONDS is closed; one client address
     * may hold HTTP_PER_ADDRESS of them, all together HTTP_CONNECTIONS, so a
     * slowloris from one address leaves room for the health checker and the
     * channels' servers.
     */
    h->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
        MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, h, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)HTTP_IDLE_SECONDS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_PER_ADDRESS,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONNECTIONS, MHD_OPTION_END);
    if (!h->daemon) {
        sbuf_addf(err, "cannot listen on %s (in use?)", listen);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : (unsigned short)port;
    log_info("http", "listening on %s:%u", host, h->port);
    return 0;
}

void http_stop(struct http *h)
{
    if (h->daemon)
        MHD_stop_daemon(h->daemon);
    h->daemon = NULL;
}
