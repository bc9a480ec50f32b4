#include "bot/pipeline/web_page.h"

#include <stdio.h>
#include <string.h>

#include "bot/lib/html.h"
#include "bot/lib/log.h"

const char *const WEB_STYLE =
    "body{font-family:sans-serif;margin:0;color:#222}header{background:#0b4f6c;color:#fff;"
    "padding:.5em 1em;display:flex;flex-wrap:wrap;gap:1em;align-items:center}header a{color:#fff}"
    "header form{margin:0}main{padding:0 1em 2em;max-width:80em}table{border-collapse:collapse;"
    "margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;"
    "vertical-align:top}th{background:#f2f2f2}.late{color:#b00020;font-weight:bold}"
    ".flash{background:#fff8d6;border:1px solid #e0c200;padding:.5em}.words{white-space:"
    "pre-wrap;background:#f7f7f7;padding:.5em;border-left:3px solid #0b4f6c}form.act{margin:"
    ".5em 0;padding:.5em;border:1px solid #ddd}textarea{width:100%;min-height:6em}"
    "label{margin-right:.5em}";

const char *web_text(const struct web_page *pg, const char *key)
{
    const char *t = i18n_get(&pg->cfg->texts, pg->session.lang, key);
    return t ? t : key;
}

void web_begin(struct web_page *pg, const char *title)
{
    struct sbuf *out = &pg->res->body;
    pg->res->content_type = "text/html; charset=utf-8";
    sbuf_addf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
              lang_codes[pg->session.lang]);
    sbuf_addstr(out, "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    html_escape(out, title);
    sbuf_addf(out,
              " · tyndau</title><style>%s</style></head><body>\n<header><strong>tyndau</strong>",
              WEB_STYLE);
    static const char *const links[] = {"/web/", "/web/queue", "/web/search", "/web/charts"};
    struct sbuf nav = SBUF_INIT;
    sbuf_addstr(&nav, web_text(pg, "web_menu"));
    int i = 0;
    for (char *item = strtok(nav.buf, ","); item && i < 4; item = strtok(NULL, ","), i++) {
        sbuf_addf(out, "<a href=\"%s\">", links[i]);
        html_escape(out, item + strspn(item, " "));
        sbuf_addstr(out, "</a>");
    }
    sbuf_release(&nav);
    sbuf_addstr(out, "<span>");
    for (int k = 0; k < LANG_COUNT; k++)
        sbuf_addf(out, "<a href=\"?lang=%s\">%s</a> ", lang_codes[k], lang_codes[k]);
    sbuf_addstr(out, "</span><span>");
    html_escape(out, pg->me.name);
    sbuf_addstr(out, "</span><form method=\"post\" action=\"/web/signout\">"
                     "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_escape(out, pg->session.csrf);
    sbuf_addstr(out, "\"><button>");
    html_escape(out, web_text(pg, "web_signout"));
    sbuf_addstr(out, "</button></form></header>\n<main>\n");
    if (pg->session.flash[0]) {
        sbuf_addstr(out, "<p class=\"flash\" role=\"status\">");
        html_escape(out, pg->session.flash);
        sbuf_addstr(out, "</p>\n");
        pg->session.flash[0] = 0; /* said once */
        if (store_web_session_set(pg->store, &pg->session) < 0)
            log_warn("web", "a session's message not cleared: %s", store_errmsg(pg->store));
    }
    sbuf_addstr(out, "<h1>");
    html_escape(out, title);
    sbuf_addstr(out, "</h1>\n");
}

void web_end(struct web_page *pg)
{
    sbuf_addstr(&pg->res->body, "</main></body></html>\n");
}
