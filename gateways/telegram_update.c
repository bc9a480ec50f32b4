#include "gateways/telegram_update.h"

#include "gateways/telegram_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *obj(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsObject(v) ? v : NULL;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Telegram ids are integers up to 52 bits: exact in a double. */
static int id(const cJSON *o, const char *name, int64_t *out)
{
    return tg_json_int64(cJSON_GetObjectItemCaseSensitive(o, name), out);
}

static void set_text(struct tg_update *u, const char *text)
{
    u->in.text = text;
    u->in.text_len = text ? strlen(text) : 0;
}

/* A message (or an edited one): chat, author, text or caption, location, photo, document, contact.
 */
static enum tg_parse parse_message(const cJSON *m, struct tg_update *u)
{
    const cJSON *chat = obj(m, "chat"), *from = obj(m, "from");
    int64_t chat_id, user_id, date, migrate;
    if (!chat || id(chat, "id", &chat_id) < 0) {
        u->why = "message without chat.id";
        return TG_PARSE_MALFORMED;
    }
    snprintf(u->chat, sizeof u->chat, "%lld", (long long)chat_id);
    u->in.sender = u->chat;
    if (from && id(from, "id", &user_id) == 0) {
        snprintf(u->user, sizeof u->user, "%lld", (long long)user_id);
        u->in.user = u->user;
    }
    const char *type = str(chat, "type");
    u->in.in_group = type && (!strcmp(type, "group") || !strcmp(type, "supergroup"));
    if (id(m, "date", &date) == 0)
        u->in.received_at = date;
    if (id(m, "migrate_to_chat_id", &migrate) == 0) {
        u->in.kind = INBOUND_MIGRATED;
        u->in.migrate_to = migrate;
        return TG_PARSE_OK;
    }
    if (!u->in.user && !u->in.in_group) {
        u->why = "message without from.id";
        return TG_PARSE_MALFORMED;
    }
    const cJSON *replied = obj(m, "reply_to_message");
    int64_t replied_id;
    if (replied && id(replied, "message_id", &replied_id) == 0) {
        snprintf(u->reply_to, sizeof u->reply_to, "%lld", (long long)replied_id);
        u->in.reply_to = u->reply_to;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(m, "text");
    if (text && !cJSON_IsString(text)) {
        u->why = "message text is not a string";
        return TG_PARSE_MALFORMED;
    }
    set_text(u, text ? text->valuestring : str(m, "caption"));
    const cJSON *loc = obj(m, "location");
    if (loc) {
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(loc, "latitude");
        const cJSON *lon = cJSON_GetObjectItemCaseSensitive(loc, "longitude");
        if (cJSON_IsNumber(lat) && cJSON_IsNumber(lon)) {
            u->in.has_location = 1;
            u->in.lat = lat->valuedouble;
            u->in.lon = lon->valuedouble;
        }
    }
    /* photo: sizes from small to large; keep the largest file_id, never a URL */
    const cJSON *photo = cJSON_GetObjectItemCaseSensitive(m, "photo");
    if (cJSON_IsArray(photo) && cJSON_GetArraySize(photo) > 0) {
        const char *fid = str(cJSON_GetArrayItem(photo, cJSON_GetArraySize(photo) - 1), "file_id");
        if (fid) {
            snprintf(u->file_ref, sizeof u->file_ref, "%s", fid);
            u->in.attachment_kind = "photo";
        }
    }
    const cJSON *doc = obj(m, "document");
    if (doc && str(doc, "file_id")) {
        snprintf(u->file_ref, sizeof u->file_ref, "%s", str(doc, "file_id"));
        u->in.attachment_kind = "document";
    }
    if (u->in.attachment_kind)
        u->in.attachment_ref = u->file_ref;
    const cJSON *contact = obj(m, "contact");
    int64_t contact_user;
    if (contact && str(contact, "phone_number") && id(contact, "user_id", &contact_user) == 0 &&
        u->in.user && contact_user == strtoll(u->in.user, NULL, 10))
        u->in.contact_phone = str(contact, "phone_number"); /* their own number only */
    if (!u->in.text && !u->in.has_location && !u->in.attachment_kind && !u->in.contact_phone) {
        u->why = "a message with nothing tyndau reads (sticker, poll, service message...)";
        return TG_PARSE_IGNORED;
    }
    return TG_PARSE_OK;
}

static enum tg_parse parse_callback(const cJSON *q, struct tg_update *u)
{
    const cJSON *from = obj(q, "from"), *m = obj(q, "message");
    const char *qid = str(q, "id"), *data = str(q, "data");
    int64_t user_id, chat_id;
    if (!qid || !from || id(from, "id", &user_id) < 0) {
        u->why = "callback_query without id or from.id";
        return TG_PARSE_MALFORMED;
    }
    snprintf(u->callback_id, sizeof u->callback_id, "%s", qid);
    u->in.ack_id = u->callback_id;
    snprintf(u->user, sizeof u->user, "%lld", (long long)user_id);
    u->in.user = u->user;
    const cJSON *chat = obj(m, "chat");
    if (chat && id(chat, "id", &chat_id) == 0) {
        const char *type = str(chat, "type");
        u->in.in_group = type && strcmp(type, "private") != 0;
    } else {
        chat_id = user_id; /* an inline message: answer privately */
    }
    snprintf(u->chat, sizeof u->chat, "%lld", (long long)chat_id);
    u->in.sender = u->chat;
    if (!data || !*data || strlen(data) > 64) {
        u->why = "callback_query without usable data";
        return TG_PARSE_IGNORED; /* still answered, so the button stops spinning */
    }
    u->in.payload = data;
    return TG_PARSE_OK;
}

static enum tg_parse parse_member(const cJSON *c, struct tg_update *u)
{
    const cJSON *chat = obj(c, "chat"), *now = obj(c, "new_chat_member");
    int64_t chat_id;
    const char *status = str(now, "status"), *type = str(chat, "type");
    if (!chat || id(chat, "id", &chat_id) < 0 || !status) {
        u->why = "my_chat_member without chat or status";
        return TG_PARSE_MALFORMED;
    }
    snprintf(u->chat, sizeof u->chat, "%lld", (long long)chat_id);
    u->in.sender = u->chat;
    if (!type || strcmp(type, "private") != 0) {
        u->why = "the bot's membership of a group changed";
        return TG_PARSE_IGNORED;
    }
    if (!strcmp(status, "kicked"))
        u->in.kind = INBOUND_BLOCKED;
    else if (!strcmp(status, "member"))
        u->in.kind = INBOUND_UNBLOCKED;
    else {
        u->why = "my_chat_member status without meaning here";
        return TG_PARSE_IGNORED;
    }
    return TG_PARSE_OK;
}

enum tg_parse tg_update_parse(const cJSON *json, struct tg_update *u)
{
    memset(u, 0, sizeof *u);
    u->in.channel = "telegram";
    if (!cJSON_IsObject(json) || id(json, "update_id", &u->update_id) < 0 || u->update_id < 0) {
        u->update_id = -1;
        u->why = "update without a numeric update_id";
        return TG_PARSE_MALFORMED;
    }
    snprintf(u->external_id, sizeof u->external_id, "u%lld", (long long)u->update_id);
    u->in.external_id = u->external_id;
    const cJSON *v;
    if ((v = obj(json, "message")))
        return parse_message(v, u);
    if ((v = obj(json, "edited_message"))) {
        enum tg_parse p = parse_message(v, u);
        if (p == TG_PARSE_OK && u->in.kind == INBOUND_MESSAGE)
            u->in.kind = INBOUND_EDITED;
        return p;
    }
    if ((v = obj(json, "callback_query")))
        return parse_callback(v, u);
    if ((v = obj(json, "my_chat_member")))
        return parse_member(v, u);
    u->why = "an update kind tyndau does not handle";
    return TG_PARSE_IGNORED;
}
