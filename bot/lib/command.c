#include "bot/lib/command.h"

#include <string.h>

#include "bot/lib/utf8.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static const char *skip_space(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

void command_parse(const char *text, struct command *cmd)
{
    const char *p = skip_space(text ? text : "");
    sbuf_init(&cmd->name, 0);
    cmd->slash = *p == '/';
    if (cmd->slash)
        p++;
    while (*p && !is_space(*p) && *p != '@')
        utf8_put(&cmd->name, utf8_lower(utf8_next(&p)));
    while (*p && !is_space(*p)) /* "@tyndau_bot" in a group */
        p++;
    cmd->rest = skip_space(p);
}

void command_release(struct command *cmd)
{
    sbuf_release(&cmd->name);
}

size_t command_token(const char **p, char *out, size_t size)
{
    const char *start = skip_space(*p), *end = start;
    while (*end && !is_space(*end))
        end++;
    size_t len = (size_t)(end - start), keep = len < size ? len : size - 1;
    /* back off to a character boundary: never half a UTF-8 sequence */
    while (keep < len && keep > 0 && ((unsigned char)start[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(out, start, keep);
    out[keep] = 0;
    *p = skip_space(end);
    return len;
}
