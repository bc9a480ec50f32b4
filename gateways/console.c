#include "gateways/console.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bot/lib/clock.h"
#include "bot/domain/calendar.h"
#include "bot/pipeline/dispatch.h"
#include "bot/lib/log.h"
#include "bot/lib/render.h"
#include "bot/pipeline/sender.h"

struct console {
    const struct config *cfg;
    struct store *store;
    const struct console_opts *opts;
    char identity[STORE_ADDRESS_MAX]; /* "citizen:NAME" or "staff:ID" */
};

/* The console shows a reply's buttons as a numbered list, one to a line. */
static void console_show(const char *text, size_t len, const char *buttons, struct sbuf *out)
{
    sbuf_add_printable(out, text, len);
    render_numbered(buttons, out);
}

const struct channel_profile console_profile = {.name = "console", .show = console_show};

/* Who a message for (channel, address) is for, in words. */
static void recipient_label(const struct console *c, const struct outbox_msg *m, struct sbuf *out)
{
    const struct config *cfg = c->cfg;
    if (!strcmp(m->channel, "console")) {
        if (!strcmp(m->address, c->identity))
            sbuf_addstr(out, "you");
        else
            sbuf_addf(out, "%s", m->address);
        return;
    }
    char *end;
    long long id = strtoll(m->address, &end, 10);
    if (!strcmp(m->channel, "telegram") && !*end) {
        for (size_t i = 0; i < cfg->nbodies; i++)
            if (cfg->bodies[i].chat == id) {
                sbuf_addf(out, "%s, Telegram group %s", cfg->bodies[i].name[LANG_EN], m->address);
                return;
            }
        const struct staff *st = config_staff_by_telegram(cfg, id);
        if (st) {
            sbuf_addf(out, "%s (%s), Telegram", st->name, st->id);
            return;
        }
    }
    sbuf_addf(out, "%s %s", m->channel, m->address);
}

static void console_send(void *ctx, const struct outbox_msg *m, struct send_result *res)
{
    struct console *c = ctx;
    struct sbuf line = SBUF_INIT, label = SBUF_INIT;
    recipient_label(c, m, &label);
    channel_show(&console_profile, m->text.buf, m->text.len, m->buttons.buf, &line);
    fprintf(c->opts->out, "[to %s]\n%s\n\n", label.buf, line.buf);
    fflush(c->opts->out);
    snprintf(res->remote_id, sizeof res->remote_id, "console-%lld", (long long)m->id);
    res->status = SEND_OK;
    sbuf_release(&line);
    sbuf_release(&label);
}

static void show_help(struct console *c)
{
    fprintf(c->opts->out, "Type a message as the current person. Console commands:\n"
                          "  :as citizen NAME   be a citizen (NAME is any word)\n"
                          "  :as STAFF_ID       be a staff member from the config\n"
                          "  :staff             list the staff members\n"
                          "  :time YYYY-MM-DDTHH:MM   move the clock (Almaty time)\n"
                          "  :who               who you are now\n"
                          "  :quit              leave\n\n");
}

static void list_staff(struct console *c)
{
    for (size_t i = 0; i < c->cfg->nstaff; i++) {
        const struct staff *st = &c->cfg->staff[i];
        fprintf(c->opts->out, "  %-16s %-15s %s (%s)\n", st->id, config_role_name(st->role),
                st->name, st->body ? st->body->name[LANG_EN] : "all bodies");
    }
    fputc('\n', c->opts->out);
}

/* Parses "YYYY-MM-DDTHH:MM" in local time. */
static int parse_local_time(const struct config *cfg, const char *s, int64_t *unix_s)
{
    char date[11];
    int hh = 0, mm = 0;
    int32_t day;
    if (strlen(s) < 10)
        return -1;
    memcpy(date, s, 10);
    date[10] = 0;
    if (calendar_parse_date(date, &day) < 0)
        return -1;
    if (s[10] && (sscanf(s + 10, "T%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59))
        return -1;
    *unix_s = calendar_day_start(&cfg->calendar, day) + hh * 3600 + mm * 60;
    return 0;
}

static void console_command(struct console *c, const char *line)
{
    char arg1[40] = "", arg2[40] = "";
    sscanf(line, ":%*s %39s %39s", arg1, arg2);
    if (!strncmp(line, ":as", 3)) {
        if (!strcmp(arg1, "citizen") && *arg2) {
            snprintf(c->identity, sizeof c->identity, "citizen:%s", arg2);
        } else if (config_staff(c->cfg, arg1)) {
            snprintf(c->identity, sizeof c->identity, "staff:%s", arg1);
        } else {
            fprintf(c->opts->out, "No such staff member `%s` (see :staff).\n\n", arg1);
            return;
        }
        fprintf(c->opts->out, "You are now %s.\n\n", c->identity);
    } else if (!strcmp(line, ":who")) {
        fprintf(c->opts->out, "You are %s.\n\n", c->identity);
    } else if (!strcmp(line, ":staff")) {
        list_staff(c);
    } else if (!strncmp(line, ":time", 5)) {
        int64_t t;
        if (parse_local_time(c->cfg, arg1, &t) < 0) {
            fprintf(c->opts->out, "Write the time as YYYY-MM-DDTHH:MM.\n\n");
            return;
        }
        clock_set_now(t); /* for the dashboard it serves too (bot/main.c) */
        fprintf(c->opts->out, "The clock now reads %s.\n\n", arg1);
    } else {
        show_help(c);
    }
}

/* Deadline stages that came due, then everything queued for sending. */
static int drain(struct console *c, struct sender *s)
{
    int n, fired;
    if (c->opts->deadlines &&
        deadlines_tick(c->opts->deadlines, c->store, clock_now_ms(), 500, &fired) < 0)
        return -1;
    while ((n = sender_drain(s, clock_now_ms())) > 0)
        ;
    return n;
}

/*
 * The next line of input into line (without the newline); waits at most a
 * second so deadlines are ticked while nobody types.  Returns 1 with a line,
 * 0 on timeout, -1 at end of input.
 */
static int read_line(int fd, struct sbuf *pending, struct sbuf *line, int *eof)
{
    for (;;) {
        char *nl = memchr(pending->buf, '\n', pending->len);
        if (nl || (*eof && pending->len)) {
            size_t n = nl ? (size_t)(nl - pending->buf) : pending->len;
            sbuf_reset(line);
            sbuf_add(line, pending->buf, n);
            size_t rest = pending->len - n - (nl ? 1 : 0);
            memmove(pending->buf, pending->buf + pending->len - rest, rest);
            sbuf_setlen(pending, rest);
            return 1;
        }
        if (*eof)
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int ready = poll(&p, 1, 1000);
        if (ready == 0)
            return 0;
        if (ready < 0 && errno != EINTR)
            return -1;
        char buf[4096];
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            *eof = 1;
        else
            sbuf_add(pending, buf, (size_t)got);
    }
}

int console_run(const struct config *cfg, struct store *store, const struct console_opts *opts)
{
    struct console c = {cfg, store, opts, "citizen:1"};
    struct sender sender;
    /* everything the gateway would send anywhere is shown here */
    struct transport transports[] = {
        {"console", &c, console_send, NULL, 0},
        {"telegram", &c, console_send, NULL, 0},
        {"sms", &c, console_send, NULL, 0},
    };
    struct sbuf pending = SBUF_INIT, buf = SBUF_INIT;
    int eof = 0, got;
    uint64_t seq = 0;
    char session[48], external_id[80];
    int rc = 0;

    /* ids unique across sessions, so the dedup table never drops a new line */
    snprintf(session, sizeof session, "%lld-%d", (long long)time(NULL), (int)getpid());
    sender_init(&sender, store, cfg);
    for (size_t i = 0; i < sizeof transports / sizeof *transports; i++)
        sender_add_transport(&sender, &transports[i]);

    if (opts->interactive) {
        fprintf(opts->out, "tyndau console. You are a citizen; type your appeal, or :help.\n\n");
    }
    if (drain(&c, &sender) < 0) {
        sender_free(&sender);
        return -1;
    }
    int prompt = 1;
    for (;;) {
        if (opts->interactive && prompt) {
            fprintf(opts->out, "%s> ", c.identity);
            fflush(opts->out);
        }
        got = read_line(fileno(opts->in), &pending, &buf, &eof);
        if (got < 0)
            break;
        prompt = got > 0;
        if (got == 0) { /* nobody typed for a second: deadlines may have come */
            if (drain(&c, &sender) < 0) {
                rc = -1;
                break;
            }
            continue;
        }
        char *line = buf.buf;
        size_t len = buf.len;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0 && !opts->interactive)
            continue;
        if (line[0] == ':') {
            if (!strcmp(line, ":quit"))
                break;
            console_command(&c, line);
            continue;
        }
        snprintf(external_id, sizeof external_id, "%s-%llu", session, (unsigned long long)++seq);
        struct inbound in = {
            .channel = "console",
            .external_id = external_id,
            .sender = c.identity,
            .text = line,
            .text_len = len,
        };
        if (dispatch_batch(store, cfg, &in, 1, clock_now_ms(), NULL, NULL) < 0) {
            fprintf(opts->out, "(not saved: the store failed; see the log)\n\n");
            rc = -1;
            break;
        }
        if (drain(&c, &sender) < 0) {
            rc = -1;
            break;
        }
    }
    sbuf_release(&pending);
    sbuf_release(&buf);
    sender_free(&sender);
    return rc;
}
