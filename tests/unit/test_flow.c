/*
 * Citizen and staff conversations through the dispatcher, over a real
 * SQLite store: what a citizen types and what tyndau queues in reply.
 */
#include "helpers.h"

#include <time.h>

#include "bot/domain/casenum.h"
#include "bot/domain/channel.h"
#include "bot/lib/render.h"
#include "bot/lib/sms_text.h"
#include "handlers/handler.h"
#include "handlers/lifecycle.h"

static char dir[64];
static struct store *store;

static int fresh(void **state)
{
    (void)state;
    temp_dir(dir);
    store = open_temp_store(dir);
    return 0;
}

static int cleanup(void **state)
{
    (void)state;
    expect_outbox_heads_as_defined(dir); /* STOP, chat migrations, cards: the heads follow */
    store_close(store);
    temp_dir_remove(dir);
    return 0;
}

static enum dispatch_result say_full(const char *channel, const char *sender, const char *text,
                                     size_t len, const char *payload, int64_t now)
{
    return dispatch_text(store, &cfg, channel, sender, text, len, payload, now);
}

static enum dispatch_result say(const char *sender, const char *text, int64_t now)
{
    return say_full("console", sender, text, strlen(text), NULL, now);
}

static char *last_to(const char *channel, const char *address)
{
    return last_message_to(dir, channel, address);
}

static void expect_reply(const char *sender, const char *needle)
{
    char *t = last_to("console", sender);
    if (!strstr(t, needle))
        fprintf(stderr, "expected \"%s\" in reply:\n%s\n", needle, t);
    assert_non_null(strstr(t, needle));
    free(t);
}

/* Files a complaint as sender and returns its case number (caller frees). */
static char *file_complaint_on(const char *channel, const char *sender, const char *text,
                               int64_t now)
{
    assert_int_equal(say_full(channel, sender, text, strlen(text), NULL, now), DISPATCH_DONE);
    /* the route is right; a complaint */
    assert_int_equal(say_full(channel, sender, "1", 1, NULL, now + 10), DISPATCH_DONE);
    assert_int_equal(say_full(channel, sender, "1", 1, NULL, now + 20), DISPATCH_DONE);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT c.number FROM cases c JOIN citizens z ON z.id = c.citizen_id WHERE "
             "z.address = '%s' ORDER BY c.id DESC LIMIT 1",
             sender);
    char *number = db_text(dir, sql);
    assert_non_null(number);
    return number;
}

static char *file_complaint(const char *sender, const char *text, int64_t now)
{
    return file_complaint_on("console", sender, text, now);
}

static void test_kazakh_complaint(void **state)
{
    (void)state;
    const char *text = "Алмалы ауданында үш күннен бері су жоқ";
    int64_t now = almaty(&cfg, "2026-11-02", 10);
    assert_int_equal(say("citizen:a", text, now), DISPATCH_DONE);
    expect_reply("citizen:a", "Тексеріңіз");
    expect_reply("citizen:a", "Энергетика және сумен жабдықтау басқармасы");
    assert_int_equal(say("citizen:a", "1", now + 5), DISPATCH_DONE);
    expect_reply("citizen:a", "Өтініш түрін таңдаңыз");
    assert_int_equal(say("citizen:a", "1", now + 9), DISPATCH_DONE);
    expect_reply("citizen:a", "Өтінішіңіз №10008 тіркелді");
    expect_reply("citizen:a", "Жауап мерзімі: 23.11.2026");

    char *number = db_text(dir, "SELECT number FROM cases");
    assert_string_equal(number, "10008");
    assert_true(casenum_valid(number));
    free(number);
    char *row = db_text(dir, "SELECT type || '|' || category || '|' || district || '|' || body "
                             "|| '|' || status || '|' || lang FROM cases");
    assert_string_equal(row, "complaint|utilities|almaly|energy|registered|kk");
    free(row);
    char *stored = db_text(dir, "SELECT text FROM cases");
    assert_string_equal(stored, text);
    free(stored);
    int32_t due;
    calendar_parse_date("2026-11-23", &due);
    assert_int_equal(db_count(dir, "SELECT due_day FROM cases"), due);
    /* the department's group chat got the card */
    char *card = last_to("telegram", "-1001000000101");
    assert_non_null(strstr(card, "№10008"));
    assert_non_null(strstr(card, text));
    free(card);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM events WHERE kind = 'registered'"), 1);
}

/* A department whose group chat reads Russian gets its cards in Russian, whatever the citizen's. */
static void test_body_language(void **state)
{
    (void)state;
    struct body *energy = (struct body *)config_body(&cfg, "energy");
    energy->lang = LANG_RU;
    char *number = file_complaint("citizen:bl", "Алмалы ауданында үш күннен бері су жоқ",
                                  almaty(&cfg, "2026-11-02", 10));
    char *card = last_to("telegram", "-1001000000101");
    energy->lang = LANG_KK;
    assert_non_null(strstr(card, "Новое обращение №"));
    assert_non_null(strstr(card, "Жалоба"));
    assert_null(strstr(card, "Жаңа өтініш"));
    free(card);
    free(number);
}

static void test_russian_complaint_on_weekend(void **state)
{
    (void)state;
    /* Saturday 21 Nov: registered Monday 23, due 15 working days later */
    int64_t now = almaty(&cfg, "2026-11-21", 15);
    char *number = file_complaint("citizen:r", "Нет воды в Медеуском районе уже два дня", now);
    expect_reply("citizen:r", "зарегистрировано");
    expect_reply("citizen:r", "Срок ответа: 14.12.2026");
    expect_reply("citizen:r", "Управление энергетики и водоснабжения");
    char *lang = db_text(dir, "SELECT lang FROM citizens WHERE address = 'citizen:r'");
    assert_string_equal(lang, "ru");
    free(lang);
    free(number);
}

static void test_status_only_of_own_cases(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-02", 10);
    char *number = file_complaint("citizen:a", "Алмалы ауданында үш күннен бері су жоқ", now);
    char msg[64];
    snprintf(msg, sizeof msg, "СТАТУС %s", number);
    say("citizen:a", msg, now + 60);
    expect_reply("citizen:a", "тіркелді");
    say("citizen:b", "Нет света в Алмалинском районе", now + 70); /* b becomes Russian */
    say("citizen:b", "/cancel", now + 80);
    say("citizen:b", msg, now + 90);
    char expected[96];
    snprintf(expected, sizeof expected, "Среди ваших обращений нет №%s", number);
    expect_reply("citizen:b", expected);
    snprintf(msg, sizeof msg, "/status %s", number);
    say("citizen:b", msg, now + 100);
    expect_reply("citizen:b", expected);
    say("citizen:b", number, now + 110); /* just the number */
    expect_reply("citizen:b", expected);
    /* a typo is caught by the check digit */
    say("citizen:a", "статус 10018", now + 120);
    expect_reply("citizen:a", "қате бар");
    free(number);
}

static void test_bad_input(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-03", 11);
    /* invalid UTF-8: refused politely, kept raw */
    const char bad[] = "Су \xff\xfe жоқ";
    assert_int_equal(say_full("console", "citizen:x", bad, sizeof bad - 1, NULL, now),
                     DISPATCH_REJECTED);
    expect_reply("citizen:x", "оқу мүмкін болмады");
    assert_int_equal(db_count(dir, "SELECT length(raw) FROM rejected"), (long long)sizeof bad - 1);
    /* 100 KB */
    size_t big = 100 * 1024;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    assert_int_equal(say_full("console", "citizen:x", huge, big, NULL, now + 1), DISPATCH_REJECTED);
    expect_reply("citizen:x", "тым ұзын");
    free(huge);
    /* empty: the help text */
    assert_int_equal(say_full("console", "citizen:x", "", 0, NULL, now + 2), DISPATCH_DONE);
    expect_reply("citizen:x", "/cases");
    /* unknown command */
    say("citizen:x", "/frobnicate now", now + 3);
    expect_reply("citizen:x", "/frobnicate");
    /* control characters and SQL metacharacters are stored byte for byte */
    const char *hostile = "Алмалы ауданы: су жоқ'); DROP TABLE cases; --\x01\x1b[31m \"%s%n\"";
    assert_int_equal(say("citizen:x", hostile, now + 4), DISPATCH_DONE);
    char *stored = db_text(dir, "SELECT text FROM cases ORDER BY id DESC LIMIT 1");
    assert_string_equal(stored, hostile);
    free(stored);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases"), 1);
    /* no message was refused silently: each has exactly one reply */
    assert_int_equal(db_count(dir, "SELECT count(*) FROM inbound_seen"), 5);
}

static void test_short_text(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-03", 11);
    say("citizen:s", "Сәлем!", now); /* a greeting gets the welcome */
    expect_reply("citizen:s", "tyndau");
    say("citizen:s", "су жоқ", now + 1); /* a complaint begun gets asked for more */
    expect_reply("citizen:s", "толығырақ");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases"), 0);
}

static void test_duplicate_has_one_effect(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-03", 11);
    struct inbound in = {.channel = "telegram",
                         .external_id = "update-77",
                         .sender = "12345",
                         .text = "Нет воды в Ауэзовском районе",
                         .text_len = strlen("Нет воды в Ауэзовском районе")};
    enum dispatch_result r;
    assert_int_equal(dispatch_batch(store, &cfg, &in, 1, now * 1000, &r, NULL), 0);
    assert_int_equal(r, DISPATCH_DONE);
    long long out = db_count(dir, "SELECT count(*) FROM outbox");
    assert_int_equal(dispatch_batch(store, &cfg, &in, 1, now * 1000 + 5, &r, NULL), 0);
    assert_int_equal(r, DISPATCH_DUPLICATE);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox"), out);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases"), 1);
}

static void test_restart_resumes_the_flow(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-04", 9);
    say("citizen:k", "Жетісу ауданында жарық жоқ", now);
    say("citizen:k", "1", now + 5);
    expect_reply("citizen:k", "Өтініш түрін таңдаңыз");
    store_close(store); /* the daemon restarts */
    store = open_temp_store(dir);
    say("citizen:k", "2", now + 600);
    expect_reply("citizen:k", "тіркелді");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE type = 'application'"), 1);
    /* the appeal is "өтініш", its type "application" is "арыз": never both "өтініш" on a card */
    char *card = last_to("telegram", "-1001000000101");
    assert_non_null(strstr(card, "Жаңа өтініш №"));
    assert_non_null(strstr(card, "(Арыз)"));
    free(card);
}

static void test_choices_and_stale_buttons(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-04", 9);
    /* no district and no category named: both are asked */
    say("citizen:q", "Помогите, пожалуйста, разберитесь с ситуацией", now);
    expect_reply("citizen:q", "В каком районе?");
    say("citizen:q", "99", now + 1);
    expect_reply("citizen:q", "Отправьте один из номеров");
    say("citizen:q", "2", now + 2); /* Almaly */
    expect_reply("citizen:q", "О чём обращение");
    /* a forged payload that was never offered */
    say_full("console", "citizen:q", NULL, 0, "d:medeu", now + 3);
    expect_reply("citizen:q", "кнопка устарела");
    /* the citizen chose both district and topic: nothing is a guess, nothing to confirm */
    say_full("console", "citizen:q", NULL, 0, "c:housing", now + 4);
    expect_reply("citizen:q", "Выберите вид обращения");
    say("citizen:q", "/cancel", now + 6);
    expect_reply("citizen:q", "отменено");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE outcome = 'withdrawn'"), 1);
}

/*
 * Citizens teach the router: appeals about school uniforms name no topic, so
 * each citizen is asked and chooses education; after a few, the next one is
 * suggested education (and its department) without being asked.
 */
static void test_citizens_teach_the_router(void **state)
{
    (void)state;
    static const char *const said[] = {
        "Алмалинский район, требуют купить форму только в одном магазине",
        "Алмалинский район, форму заставляют покупать у одного поставщика",
        "Алмалинский район, форма дорогая а другую не разрешают покупать",
        "Алмалинский район, опять заставляют покупать форму",
        "Алмалинский район, за форму требуют 40 тысяч",
        "Алмалинский район, форму надо покупать в одном магазине",
    };
    const char *next = "Алмалинский район, требуют покупать форму в магазине у школы";
    int64_t now = almaty(&cfg, "2026-11-04", 9);
    long long examples = db_count(dir, "SELECT count(*) FROM route_examples");
    size_t asked = 0;
    char sender[32];
    for (size_t i = 0; i < sizeof said / sizeof *said; i++) {
        snprintf(sender, sizeof sender, "citizen:teach%zu", i);
        say(sender, said[i], now + 100 * (int64_t)i);
        char *reply = last_to("console", sender);
        int was_asked = strstr(reply, "О чём обращение") != NULL;
        free(reply);
        if (!was_asked)
            break; /* learnt: the router guessed before being told */
        asked++;
        say_full("console", sender, NULL, 0, "c:education", now + 100 * (int64_t)i + 1);
        expect_reply(sender, "Всё верно?");
        say(sender, "1", now + 100 * (int64_t)i + 2);
        expect_reply(sender, "Выберите вид обращения");
        say(sender, "1", now + 100 * (int64_t)i + 3);
        expect_reply(sender, "зарегистрировано");
    }
    /* asked at first, learnt within the corrections given */
    assert_true(asked >= 2);
    assert_true(asked < sizeof said / sizeof *said);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM route_examples"),
                     examples + (long long)asked);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM route_examples WHERE source = 'citizen' "
                                   "AND category = 'education' AND guessed = ''"),
                     (long long)asked);
    say("citizen:teach-next", next, now + 1000);
    expect_reply("citizen:teach-next", "Управление образования");
}

/* A location pin sent while the district is asked decides it: no question left about where. */
static void test_pin_decides_the_district(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-04", 9);
    say_full("telegram", "555000222", "Третий день нет воды в доме", 49, NULL, now);
    char *asked = last_to("telegram", "555000222");
    assert_non_null(strstr(asked, "В каком районе?"));
    free(asked);
    struct inbound pin = {.channel = "telegram",
                          .external_id = "pin-1",
                          .sender = "555000222",
                          .has_location = 1,
                          .lat = 43.2630, /* the Green Bazaar: Medeu district */
                          .lon = 76.9550};
    enum dispatch_result r;
    assert_int_equal(dispatch_batch(store, &cfg, &pin, 1, (now + 5) * 1000, &r, NULL), 0);
    char *confirm = last_to("telegram", "555000222");
    if (!strstr(confirm, "Медеуский район") || !strstr(confirm, "Всё верно?"))
        fail_msg("the pin did not decide the district: %s", confirm);
    free(confirm);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE district = 'medeu' AND "
                                   "lat IS NOT NULL AND body = 'energy'"),
                     1);
}

static void test_language_switch(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-04", 9);
    say("citizen:l", "/lang", now);
    expect_reply("citizen:l", "Тілді таңдаңыз");
    say("citizen:l", "3", now + 1);
    expect_reply("citizen:l", "Language: English");
    /* chosen by hand: Kazakh text no longer switches it */
    say("citizen:l", "Алмалы ауданында су жоқ, көмектесіңіз", now + 2);
    expect_reply("citizen:l", "Please check");
}

static void test_good_rating_and_unrated_close(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *one = file_complaint("citizen:g", "Алмалы ауданында үш күннен бері су жоқ", now);
    char *two = file_complaint("citizen:h", "Нет воды в Медеуском районе третий день", now + 50);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "/answer %s Су құбыры жөнделді, бүгіннен бастап су беріледі.", one);
    say("staff:aigerim", cmd, now + 100);
    snprintf(cmd, sizeof cmd, "/answer %s Водопровод отремонтирован, вода подаётся с 14:00.", two);
    say("staff:aigerim", cmd, now + 110);
    say("citizen:g", "5", now + 200); /* the digit is the score: excellent */
    expect_reply("citizen:g", "рахмет");
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT status || ':' || outcome || ':' || rating FROM cases WHERE number = '%s'",
             one);
    char *row = db_text(dir, sql);
    assert_string_equal(row, "closed:resolved:5");
    free(row);
    /* the other citizen never rates: closed after rating_days */
    struct handler_ctx hx = {store, &cfg, now + 4 * 86400, (now + 4 * 86400) * 1000};
    assert_int_equal(deadline_close_unrated(&hx), 0);
    hx.now = now + 6 * 86400, hx.now_ms = hx.now * 1000;
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(deadline_close_unrated(&hx), 1);
    assert_int_equal(store_commit(store), 0);
    expect_reply("citizen:h", "не оценён");
    snprintf(sql, sizeof sql, "SELECT status || ':' || rating FROM cases WHERE number = '%s'", two);
    row = db_text(dir, sql);
    assert_string_equal(row, "closed:0");
    free(row);
    /* the figures: per department and district, for a supervisor; an officer sees their own */
    say("staff:erlan", "/stats all", now + 7 * 86400);
    expect_reply("staff:erlan", "Статистика за всё время:"); /* the period in words */
    expect_reply("staff:erlan", "Управление энергетики и водоснабжения: 2, открыто 0, в срок 100%, "
                                "медиана 0.0, оценка 5.0");
    expect_reply("staff:erlan", "Медеуский район: 1, открыто 0");
    say("staff:dmitry", "/stats 30d", now + 7 * 86400);
    expect_reply("staff:dmitry", "обращений нет");
    say("staff:erlan", "/stats 7d", now + 7 * 86400);
    expect_reply("staff:erlan", "Статистика за 7 дней:");
    say("staff:erlan", "/stats 1d", now + 7 * 86400);
    expect_reply("staff:erlan", "Статистика за 1 день:");
    say("staff:erlan", "/stats 2026-11", now + 7 * 86400);
    expect_reply("staff:erlan", "Статистика за ноябрь 2026:");
    expect_reply("staff:erlan", "Управление энергетики и водоснабжения: 2,");
    /* a month is that month, not the last 2026 days */
    say("staff:erlan", "/stats 2026-10", now + 7 * 86400);
    expect_reply("staff:erlan", "обращений нет");
    say("staff:erlan", "/stats yesterday", now + 7 * 86400);
    expect_reply("staff:erlan", "/stats 7d");
    free(one);
    free(two);
}

static void test_staff_rights_and_answer(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *number = file_complaint("citizen:a", "Алмалы ауданында үш күннен бері су жоқ", now);
    char cmd[200];
    /* an officer of another department may not take it */
    snprintf(cmd, sizeof cmd, "/take %s", number);
    say("staff:dmitry", cmd, now + 100);
    expect_reply("staff:dmitry", "относится не к вашему органу");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE status = 'registered'"), 1);
    /* the energy officer takes it; the citizen hears */
    say("staff:aigerim", cmd, now + 200);
    expect_reply("staff:aigerim", "қолға алдыңыз");
    expect_reply("citizen:a", "өтінішіңіз қарауға алынды."); /* a sentence per status */
    /* a one-word answer is refused */
    snprintf(cmd, sizeof cmd, "/answer %s Жөнделді", number);
    say("staff:aigerim", cmd, now + 300);
    expect_reply("staff:aigerim", "тым қысқа");
    snprintf(cmd, sizeof cmd,
             "/answer %s Су құбыры жөнделді, 14:00-ден бастап су беріледі. Кешірім сұраймыз.",
             number);
    say("staff:aigerim", cmd, now + 400);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = 'citizen:a' AND "
                                   "text LIKE '%Су құбыры жөнделді%'"),
                     1);
    expect_reply("citizen:a", "бағалаңыз"); /* then the rating, 5 to 1 */
    /* a low rating reopens it to the council and the supervisors, with a new term */
    say("citizen:a", "1", now + 450); /* the digit is the score: very poor */
    expect_reply("citizen:a", "қайта ашылды");
    assert_int_equal(db_count(dir, "SELECT rating FROM cases"), 1);
    char *status = db_text(dir, "SELECT status FROM cases");
    assert_string_equal(status, "reopened");
    free(status);
    char *council = last_to("telegram", "-1001000000301");
    assert_non_null(strstr(council, "1/5"));
    free(council);
    say("citizen:a", "Су әлі жоқ, ештеңе жөнделмеген", now + 460);
    expect_reply("citizen:a", "Рахмет, пікіріңіз");
    char *dept = last_to("telegram", "-1001000000101");
    assert_non_null(strstr(dept, "Су әлі жоқ"));
    free(dept);
    /* the history names who did what, in the reader's language, people by name */
    snprintf(cmd, sizeof cmd, "/case %s", number);
    say("staff:erlan", cmd, now + 500); /* a supervisor sees every case */
    expect_reply("staff:erlan", "10:03 Айгерім Сейітова: взято в работу\n");
    expect_reply("staff:erlan", "Айгерім Сейітова: дан ответ");
    expect_reply("staff:erlan", "гражданин (console): зарегистрировано: №10008, Жалоба, "
                                "Коммунальные услуги");
    expect_reply("staff:erlan", "гражданин (console): открыто повторно из-за низкой оценки");
    /* closing needs an outcome; a rejection needs a reason */
    snprintf(cmd, sizeof cmd, "/close %s rejected", number);
    say("staff:aigerim", cmd, now + 600);
    expect_reply("staff:aigerim", "себебін жазыңыз");
    snprintf(cmd, sizeof cmd, "/close %s resolved", number);
    say("staff:aigerim", cmd, now + 700);
    expect_reply("citizen:a", "өтінішіңіз жабылды. Мәселе шешілді");
    say("staff:aigerim", cmd, now + 800);
    expect_reply("staff:aigerim", "жабылған");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE status = 'closed' AND "
                                   "outcome = 'resolved'"),
                     1);
    free(number);
}

struct metric_find {
    const char *name;
    int64_t value;
};

/* Sums a family's series: tyndau_overdue_cases is per body. */
static void metric_pick(void *ctx, const struct store_metric *m)
{
    struct metric_find *mf = ctx;
    if (!strcmp(m->family, mf->name))
        mf->value = (mf->value < 0 ? 0 : mf->value) + m->n;
}

static int count_row(void *ctx, const struct case_rec *c)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

/* The command line's `cases --overdue --csv` over this test's database, into out. */
static void cli_overdue(int64_t now, struct sbuf *out)
{
    char conf[128], cmd[1024], line[512];
    snprintf(conf, sizeof conf, "%s/cli.conf", dir);
    snprintf(cmd, sizeof cmd,
             "sed -e 's|var/tyndau.db|%s/tyndau.db|' -e 's|dir = \"texts\"|dir = \"%s/config/"
             "texts\"|' -e 's|district_map = \"|district_map = \"%s/config/|' " EXAMPLE_CONFIG
             " > %s",
             dir, getenv("PWD"), getenv("PWD"), conf);
    assert_int_equal(system(cmd), 0);
    time_t t = (time_t)now + 5 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(cmd, sizeof cmd,
             "build/tyndau -c %s --now %04d-%02d-%02dT%02d:%02d cases --overdue --csv", conf,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    while (fgets(line, sizeof line, p))
        sbuf_addstr(out, line);
    assert_int_equal(pclose(p), 0);
}

/*
 * "Overdue" is one thing: the CLI, /overdue, the digest, /stats and /metrics
 * agree on one database.  An answered case past its due day is not overdue;
 * an open case past it is, and it counts as late in "in time".
 */
static void test_overdue_means_one_thing(void **state)
{
    (void)state;
    int64_t filed = almaty(&cfg, "2026-11-02", 10);
    char *late = file_complaint("citizen:v1", "Алмалы ауданында үш күннен бері су жоқ", filed);
    char *answered = file_complaint("citizen:v2", "Нет воды в Медеуском районе третий день", filed);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "/answer %s Водопровод отремонтирован, вода подаётся с 14:00.",
             answered);
    say("staff:aigerim", cmd, almaty(&cfg, "2026-11-10", 11));
    char *fresh_case = file_complaint("citizen:v3", "В Бостандыкском районе огромная яма на дороге",
                                      almaty(&cfg, "2026-11-20", 10));
    int64_t now = almaty(&cfg, "2026-12-01", 10);
    int32_t today = calendar_local_day(&cfg.calendar, now);

    int n = 0; /* what the store calls overdue */
    assert_int_equal(store_cases_overdue(store, today, "", count_row, &n), 0);
    assert_int_equal(n, 1);
    struct metric_find mf = {"tyndau_overdue_cases", -1};
    assert_int_equal(store_metrics(store, today, metric_pick, &mf), 0);
    assert_int_equal(mf.value, 1);

    struct sbuf cli = SBUF_INIT;
    cli_overdue(now, &cli);
    assert_non_null(strstr(cli.buf, late));
    if (strstr(cli.buf, answered))
        fail_msg("the CLI lists the answered case %s as overdue:\n%s", answered, cli.buf);
    sbuf_release(&cli);

    say("staff:erlan", "/overdue", now);
    char *over = last_to("console", "staff:erlan");
    assert_non_null(strstr(over, late));
    assert_null(strstr(over, answered));
    assert_null(strstr(over, fresh_case));
    free(over);

    struct handler_ctx hx = {store, &cfg, now, now * 1000};
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(deadline_digest(&hx), 0);
    assert_int_equal(store_commit(store), 0);
    char *digest = last_to("telegram", "700000005");
    assert_non_null(strstr(digest, "просрочено 1,"));
    free(digest);

    /* one answered in time, one two weeks late: half in time, not 100% */
    say("staff:erlan", "/stats all", now);
    expect_reply("staff:erlan", "Управление энергетики и водоснабжения: 2, открыто 2, в срок 50%");
    /* nothing answered and nothing late yet: no share at all */
    expect_reply("staff:erlan", "Управление мобильности: 1, открыто 1, в срок –,");
    free(late);
    free(answered);
    free(fresh_case);
}

/* A Telegram citizen who shares their own phone sees the cases they filed by SMS. */
static void test_linked_phone_shows_sms_cases(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *number =
        file_complaint_on("sms", "+77012345678", "Алмалы ауданында үш күннен бері су жоқ", now);
    struct inbound contact = {.channel = "telegram",
                              .external_id = "contact-1",
                              .sender = "555000111",
                              .contact_phone = "87012345678"};
    enum dispatch_result r;
    assert_int_equal(dispatch_batch(store, &cfg, &contact, 1, (now + 30) * 1000, &r, NULL), 0);
    char *linked = last_to("telegram", "555000111");
    assert_non_null(strstr(linked, "SMS"));
    free(linked);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "/status %s", number);
    say_full("telegram", "555000111", cmd, strlen(cmd), NULL, now + 40);
    char *status = last_to("telegram", "555000111");
    if (!strstr(status, number) || strstr(status, "жоқ"))
        fail_msg("the SMS case is not shown after linking the phone: %s", status);
    free(status);
    say_full("telegram", "555000111", "/cases", 6, NULL, now + 50);
    char *cases = last_to("telegram", "555000111");
    assert_non_null(strstr(cases, number));
    free(cases);
    free(number);
}

/* After STOP nothing but the confirmation may go to the phone, whoever queues it. */
static void test_stop_holds_for_every_message(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    const char *phone = "+77017654321";
    const char *text = "Алмалы ауданында үш күннен бері су жоқ";
    say_full("sms", phone, text, strlen(text), NULL, now);
    say_full("sms", phone, "1", 1, NULL, now + 10);
    char *number = db_text(dir, "SELECT number FROM cases");
    assert_null(number); /* the type question is pending at the phone */
    say_full("sms", phone, "СТОП", strlen("СТОП"), NULL, now + 20);
    const char *live = "SELECT count(*) FROM outbox WHERE address = '+77017654321' AND state = "
                       "'pending' AND kind != 'stop'";
    assert_int_equal(db_count(dir, live), 0); /* what was waiting is held back too */
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = '+77017654321' "
                                   "AND state = 'pending' AND kind = 'stop'"),
                     1);
    /* a blank SMS (a button phone's " ") and an unreadable one get nothing back */
    say_full("sms", phone, " ", 1, NULL, now + 30);
    assert_int_equal(say_full("sms", phone, "\xff\xfe", 2, NULL, now + 40), DISPATCH_REJECTED);
    assert_int_equal(db_count(dir, live), 0);
    assert_int_equal(db_count(dir, "SELECT stopped FROM citizens WHERE address = '+77017654321'"),
                     1);
    /* real words again: messages resume */
    say_full("sms", phone, "1", 1, NULL, now + 50);
    assert_int_equal(db_count(dir, "SELECT stopped FROM citizens WHERE address = '+77017654321'"),
                     0);
    number = db_text(dir, "SELECT number FROM cases");
    assert_non_null(number);
    assert_true(db_count(dir, live) > 0);
    free(number);
}

/* On SMS the rating prompt gives the scale in one segment, and the digit typed is the score. */
static void test_sms_rating_digit_is_the_score(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    const char *phone = "+77015550001";
    char *number =
        file_complaint_on("sms", phone, "Нет воды в Алмалинском районе третий день", now);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "/answer %s Водопровод отремонтирован, вода подаётся с 14:00.",
             number);
    say("staff:aigerim", cmd, now + 100);
    /* as the phone shows it: one SMS whose text gives the scale, no list after it */
    char *text = db_text(dir, "SELECT text FROM outbox WHERE address = '+77015550001' "
                              "ORDER BY id DESC LIMIT 1");
    char *buttons = db_text(dir, "SELECT buttons FROM outbox WHERE address = '+77015550001' "
                                 "ORDER BY id DESC LIMIT 1");
    struct sbuf shown = SBUF_INIT;
    channel_show(channel_profile("sms"), text, strlen(text), buttons, &shown);
    assert_string_equal(shown.buf, "Оцените ответ №10008: 5 — отлично, 1 — очень плохо.");
    assert_int_equal(sms_cost(shown.buf, shown.len).segments, 1);
    sbuf_release(&shown);
    free(text);
    free(buttons);
    say_full("sms", phone, "5", 1, NULL, now + 200);
    assert_int_equal(db_count(dir, "SELECT rating FROM cases"), 5);
    char *status = db_text(dir, "SELECT status FROM cases");
    assert_string_equal(status, "closed");
    free(status);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM events WHERE kind = 'reopened'"), 0);
    free(number);
}

/* Staff commands written with @botname, tabs and newlines: one reading, the whole answer. */
static void test_staff_command_forms(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *number = file_complaint("citizen:f", "Алмалы ауданында үш күннен бері су жоқ", now);
    const char *answer =
        "Су құбыры жөнделді, бүгін 14:00-ден бастап су беріледі. Кешірім сұраймыз.";
    /* as Telegram delivers it from a group: the bot's name glued on, a tab, a newline */
    const char *forms[] = {"/answer@tyndau_bot\t%s\n%s", "/Answer@tyndau_bot\n%s %s",
                           "/answer@tyndau_bot %s\t%s"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, forms[i], number, answer);
        say_full("telegram", "700000001", cmd, strlen(cmd), NULL, now + 100 + (int64_t)i);
        char sql[400];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM outbox WHERE address = 'citizen:f' AND "
                 "instr(text, '%s') > 0",
                 answer);
        if (db_count(dir, sql) != (long long)i + 1)
            fail_msg("form %zu (%s): the citizen did not get the whole answer", i, forms[i]);
    }
    char sql[300];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM messages WHERE author = 'staff:aigerim' AND "
             "text = '%s'",
             answer);
    assert_int_equal(db_count(dir, sql), 3);
    /* a command that ends right after the bot's name, or after the number */
    const char *bare[] = {"/answer@tyndau_bot", "/answer@", "/take@tyndau_bot\t", "/", "/\t\n"};
    for (size_t i = 0; i < sizeof bare / sizeof *bare; i++)
        assert_int_equal(say_full("telegram", "700000001", bare[i], strlen(bare[i]), NULL,
                                  now + 200 + (int64_t)i),
                         DISPATCH_DONE);
    char *help = last_to("telegram", "700000001");
    assert_non_null(strstr(help, "/inbox"));
    free(help);
    /* no space anywhere: the number is the last thing in the text */
    char take[64];
    snprintf(take, sizeof take, "/close@tyndau_bot\t%s", number);
    assert_int_equal(say_full("telegram", "700000001", take, strlen(take), NULL, now + 300),
                     DISPATCH_DONE);
    help = last_to("telegram", "700000001");
    assert_non_null(strstr(help, "resolved"));
    free(help);
    free(number);
}

/* HELP and STOP from a new phone are answered in the language of the word. */
static void test_keyword_language_is_the_citizens(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    say_full("sms", "+77010000001", "ПОМОЩЬ", strlen("ПОМОЩЬ"), NULL, now);
    char *t = last_to("sms", "+77010000001");
    assert_non_null(strstr(t, "Опишите проблему"));
    free(t);
    say_full("sms", "+77010000002", "HELP", 4, NULL, now);
    t = last_to("sms", "+77010000002");
    assert_non_null(strstr(t, "Describe"));
    free(t);
    say_full("sms", "+77010000003", "СТОП", strlen("СТОП"), NULL, now);
    t = last_to("sms", "+77010000003");
    assert_non_null(strstr(t, "SMS больше не придут"));
    free(t);
    say_full("sms", "+77010000004", "Көмек", strlen("Көмек"), NULL, now);
    t = last_to("sms", "+77010000004");
    assert_non_null(strstr(t, "СТАТУС"));
    free(t);
    char *lang = db_text(dir, "SELECT group_concat(lang, ',') FROM (SELECT lang FROM citizens "
                              "ORDER BY id)");
    assert_string_equal(lang, "ru,en,ru,kk");
    free(lang);
}

/* The newest message of a kind to an address: "text|buttons|media"; the caller frees it. */
static char *last_of_kind(const char *address, const char *kind)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT text || '|' || buttons || '|' || media FROM outbox WHERE address = '%s' AND "
             "kind = '%s' ORDER BY id DESC LIMIT 1",
             address, kind);
    char *t = db_text(dir, sql);
    assert_non_null(t);
    return t;
}

/* Every transition rewrites the card; a card whose case left the body loses its buttons. */
static void test_cards_follow_every_transition(void **state)
{
    (void)state;
    const char *energy = "-1001000000101", *mobility = "-1001000000102";
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *one = file_complaint("citizen:c1", "Алмалы ауданында үш күннен бері су жоқ", now);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "/take %s", one);
    say("staff:aigerim", cmd, now + 50);
    char *card = last_of_kind(energy, "edit");
    assert_null(strstr(card, "Жаңа өтініш")); /* no longer new */
    assert_non_null(strstr(card, "s:answer:"));
    free(card);
    snprintf(cmd, sizeof cmd, "/answer %s Су құбыры жөнделді, бүгіннен бастап су беріледі.", one);
    say("staff:aigerim", cmd, now + 100);
    long long edits = db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'edit'");
    say("citizen:c1", "5", now + 200); /* a good rating closes it */
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'edit'"), edits + 1);
    card = last_of_kind(energy, "edit");
    assert_non_null(strstr(card, "жабылды"));
    if (strstr(card, "s:take:") || strstr(card, "s:answer:"))
        fail_msg("a closed case's card keeps its buttons: %s", card);
    free(card);

    /* transferred: the old body's card loses its buttons, the new body gets a card */
    char *two = file_complaint("citizen:c2", "Нет воды в Медеуском районе третий день", now + 300);
    snprintf(cmd, sizeof cmd, "/transfer %s mobility", two);
    say("staff:aigerim", cmd, now + 400);
    card = last_of_kind(energy, "edit");
    assert_non_null(strstr(card, two));
    assert_non_null(strstr(card, "басқа органға берілді"));
    assert_null(strstr(card, "s:"));
    free(card);
    card = last_of_kind(mobility, "card");
    assert_non_null(strstr(card, two));
    assert_non_null(strstr(card, "s:take:"));
    free(card);
    /* the officer said what the case is about: its category follows, and the router learns */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT category FROM cases WHERE number = '%s'", two);
    char *category = db_text(dir, sql);
    assert_string_equal(category, "roads");
    free(category);
    char *example = db_text(dir, "SELECT source || '|' || category || '|' || guessed || '|' || "
                                 "text FROM route_examples ORDER BY id DESC LIMIT 1");
    assert_string_equal(example,
                        "transfer|roads|utilities|Нет воды в Медеуском районе третий день");
    free(example);
    free(one);
    free(two);
}

/* A draft is bounded in messages and characters; its card stays one Telegram message. */
static void test_draft_is_bounded(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    say("citizen:d", "Алмалы ауданында үш күннен бері су жоқ", now);
    for (int i = 1; i < cfg.intake.max_draft_parts; i++)
        say("citizen:d", "Тағы бір жайт: су құбыры ағып жатыр", now + i);
    expect_reply("citizen:d", "Дұрыс па?");
    say("citizen:d", "Тағы бір жайт: су құбыры ағып жатыр", now + 100);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = 'citizen:d' AND "
                                   "text LIKE '%шегіне жетті%'"),
                     1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM messages"), cfg.intake.max_draft_parts);
    say("citizen:d", "/cancel", now + 101);

    /* long messages: the characters run out first */
    const char *sentence = "Алмалы ауданында су жоқ, құбыр ағып жатыр. "; /* 43 characters */
    struct sbuf long_text = SBUF_INIT;
    for (int i = 0; i < 90; i++)
        sbuf_addstr(&long_text, sentence);
    const char *words = long_text.buf;
    /* 3870 characters each: the third would pass 8000 */
    say("citizen:e", words, now + 200);
    say("citizen:e", words, now + 201);
    say("citizen:e", words, now + 202);
    expect_reply("citizen:e", "Дұрыс па?");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE address = 'citizen:e' AND "
                                   "text LIKE '%шегіне жетті%'"),
                     1);
    /* registered: the card is one message, the whole text is in /case N */
    say("citizen:e", "1", now + 203);
    say("citizen:e", "1", now + 204);
    say("citizen:e", "1", now + 205);
    long long longest = db_count(dir, "SELECT max(length(text)) FROM outbox WHERE kind = 'card'");
    assert_true(longest > 3000 && longest <= 4096);
    char *card = last_to("telegram", "-1001000000101");
    assert_non_null(strstr(card, "/case"));
    free(card);
    sbuf_release(&long_text);
}

/* The legal receipt time is tyndau's clock: a phone's clock at 2000 changes nothing. */
static void test_receipt_time_is_our_clock(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-02", 10);
    const char *text = "Алмалы ауданында үш күннен бері су жоқ";
    struct inbound in = {.channel = "sms",
                         .external_id = "smsc-1",
                         .sender = "+77012340000",
                         .text = text,
                         .text_len = strlen(text),
                         .sent_at = 946684800};
    enum dispatch_result r;
    assert_int_equal(dispatch_batch(store, &cfg, &in, 1, now * 1000, &r, NULL), 0);
    /* a channel server's stamp from the future or older than a day is not believed either */
    struct inbound tg = {.channel = "telegram",
                         .external_id = "u-1",
                         .sender = "777",
                         .text = text,
                         .text_len = strlen(text),
                         .received_at = now + 86400 * 30};
    assert_int_equal(dispatch_batch(store, &cfg, &tg, 1, now * 1000, &r, NULL), 0);
    tg.external_id = "u-2", tg.sender = "778", tg.received_at = now - 86400 * 400;
    assert_int_equal(dispatch_batch(store, &cfg, &tg, 1, now * 1000, &r, NULL), 0);
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE created_at = %lld", (long long)now);
    assert_int_equal(db_count(dir, sql), 3);
    char *why =
        db_text(dir, "SELECT detail FROM events WHERE kind = 'drafted' ORDER BY id LIMIT 1");
    assert_non_null(strstr(why, "sender's clock 946684800"));
    free(why);
}

/* A delivery report must name an SMS of tyndau's own: not a Telegram message, not an unsent one. */
static void test_sms_report_names_an_sms(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-02", 10);
    say_full("telegram", "4242", "/help", 5, NULL, now);
    say_full("sms", "+77012349999", "HELP", 4, NULL, now);
    long long tg = db_count(dir, "SELECT id FROM outbox WHERE channel = 'telegram'");
    long long sms = db_count(dir, "SELECT id FROM outbox WHERE channel = 'sms'");
    assert_int_equal(store_outbox_report(store, "sms", sms, now * 1000, "dlr_failed", "", 1, 0), 0);
    assert_int_equal(store_outbox_claim(store, tg, now * 1000), 1);
    assert_int_equal(store_outbox_claim(store, sms, now * 1000), 1);
    assert_int_equal(store_begin(store), 0);
    assert_int_equal(store_outbox_sent(store, tg, now * 1000, "77"), 0);
    assert_int_equal(store_outbox_sent(store, sms, now * 1000, "78"), 0);
    assert_int_equal(store_commit(store), 0);
    assert_int_equal(store_outbox_report(store, "sms", tg, now * 1000, "dlr_failed", "", 1, 0), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 0);
    assert_int_equal(store_outbox_report(store, "sms", sms, now * 1000, "dlr_failed", "", 1, 0), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE state = 'pending'"), 1);
}

/* A status changes only through a transition: a plain save that would change it is refused. */
static long long case_incident(const char *number)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT incident_id FROM cases WHERE number = '%s'", number);
    return db_count(dir, sql);
}

/*
 * A page of messages in which four citizens join an incident rewrites its card once, as it is at
 * the end: not once per case, each rewrite replacing the one before in the group chat's queue.
 */
static void test_incident_card_rewritten_once_a_batch(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 9);
    free(file_complaint("citizen:w1", "Алмалы ауданында таңертеңнен бері су жоқ", now));
    free(file_complaint("citizen:w2", "Алмалинский район, нет воды с утра", now + 300));
    free(file_complaint("citizen:w3", "Алмалы ауданында су жоқ, Төле би", now + 600));
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'icard'"), 1);
    static const char *const who[] = {"citizen:w6", "citizen:w7", "citizen:w8", "citizen:w9"};
    struct inbound in[8];
    char ids[8][24];
    for (int i = 0; i < 8; i++) {
        const char *text = i % 2 ? "1" : "Алмалы ауданында су жоқ, көмектесіңіздер";
        snprintf(ids[i], sizeof ids[i], "batch%d", i);
        in[i] = (struct inbound){.channel = "console",
                                 .external_id = ids[i],
                                 .sender = who[i / 2],
                                 .text = text,
                                 .text_len = strlen(text)};
    }
    enum dispatch_result r[8];
    assert_int_equal(dispatch_batch(store, &cfg, in, 8, (now + 900) * 1000, r, NULL), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE incident_id = 1"), 7);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'edit'"), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'edit' AND edit_of = "
                                   "(SELECT id FROM outbox WHERE kind = 'icard') AND state = "
                                   "'pending' AND text LIKE '%№1 оқиға: 7 өтініш%'"),
                     1);
}

/*
 * Appeals about one problem: proposed as an incident, a citizen told and joining, another filing
 * apart, the officer moving cases in and out, one answer reaching each case once, /overdue
 * showing the incident as one line, a split leaving every case whole with its card.
 */
static void test_incident_from_first_appeal_to_split(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 9);
    char cmd[300];
    char *a = file_complaint("citizen:w1", "Алмалы ауданында таңертеңнен бері су жоқ", now);
    char *b = file_complaint("citizen:w2", "Алмалинский район, нет воды с утра", now + 300);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM incidents"), 0);
    char *c = file_complaint("citizen:w3", "Алмалы ауданында су жоқ, Төле би", now + 600);
    /* the third makes it an incident, proposed to the department on one card */
    assert_int_equal(db_count(dir, "SELECT count(*) FROM incidents WHERE status = 'proposed'"), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE incident_id = 1"), 3);
    assert_int_equal(db_count(dir,
                              "SELECT count(*) FROM outbox WHERE kind = 'icard' AND "
                              "address = '-1001000000101' AND text LIKE '%№1 оқиға: 3 өтініш%'"),
                     1);
    /* the fourth citizen is told it is known and joins with one digit: a number, no card */
    assert_int_equal(say("citizen:w4", "Алмалы ауданында су жоқ, көмектесіңіздер", now + 900),
                     DISPATCH_DONE);
    expect_reply("citizen:w4", "Бұл мәселе туралы хабарланған: 3 өтініш");
    say("citizen:w4", "1", now + 910);
    expect_reply("citizen:w4", "тіркелді");
    char *d = db_text(dir, "SELECT number FROM cases ORDER BY id DESC LIMIT 1");
    assert_int_equal(case_incident(d), 1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'card' AND case_id = "
                                   "(SELECT max(id) FROM cases)"),
                     0);
    /* the fifth files apart and stays apart */
    say("citizen:w5", "Алмалы ауданында су жоқ, бізде де", now + 1000);
    expect_reply("citizen:w5", "Қосыласыз ба?");
    say("citizen:w5", "2", now + 1010);
    expect_reply("citizen:w5", "Дұрыс па?");
    say("citizen:w5", "1", now + 1020);
    say("citizen:w5", "1", now + 1030);
    expect_reply("citizen:w5", "тіркелді");
    char *e = db_text(dir, "SELECT number FROM cases ORDER BY id DESC LIMIT 1");
    assert_int_equal(case_incident(e), 0);
    assert_int_equal(db_count(dir, "SELECT apart FROM cases ORDER BY id DESC LIMIT 1"), 1);
    /* another department's officer may not touch it */
    say("staff:dmitry", "/incident 1 confirm", now + 1100);
    expect_reply("staff:dmitry", "не к вашему органу");
    /* the officer takes one out and puts the one filed apart in */
    snprintf(cmd, sizeof cmd, "/incident 1 remove %s", b);
    say("staff:aigerim", cmd, now + 1200);
    expect_reply("staff:aigerim", "шығарылды");
    snprintf(cmd, sizeof cmd, "/incident 1 add %s", e);
    say("staff:aigerim", cmd, now + 1300);
    assert_int_equal(case_incident(b), 0);
    assert_int_equal(case_incident(e), 1);
    /* thirty days on, nothing answered: the supervisor sees the incident as one line */
    int64_t later = now + 30 * 86400;
    say("staff:erlan", "/overdue", later);
    expect_reply("staff:erlan", "Просрочено в инциденте №1: 4 обращения");
    /* one answer: each case in it answered once, the one taken out not */
    say("staff:aigerim",
        "/incident 1 answer Су құбырындағы апат жойылды, су кешке беріледі. Кешірім сұраймыз.",
        later + 100);
    expect_reply("staff:aigerim", "4 өтініш");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE status = 'answered' AND "
                                   "incident_id = 1"),
                     4);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE text LIKE "
                                   "'%Су құбырындағы апат жойылды%' AND address LIKE 'citizen:%'"),
                     4);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE text LIKE "
                                   "'%Су құбырындағы апат жойылды%' AND address = 'citizen:w2'"),
                     0);
    assert_int_equal(db_count(dir, "SELECT status = 'confirmed' FROM incidents"), 1);
    /* split: every case on its own again, the one that joined gets the card it never had */
    say("staff:aigerim", "/incident 1 split", later + 200);
    expect_reply("staff:aigerim", "бөлінді");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE incident_id != 0"), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE kind = 'card' AND case_id = "
                                   "(SELECT id FROM cases WHERE number = (SELECT number FROM cases "
                                   "ORDER BY id DESC LIMIT 1 OFFSET 1))"),
                     1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM events WHERE kind = 'incident_split'"), 4);
    say("staff:aigerim", "/incident 1 confirm", later + 300);
    expect_reply("staff:aigerim", "бөлінген немесе");
    free(a), free(b), free(c), free(d), free(e);
}

static void test_status_only_by_transition(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-02", 10);
    char *number = file_complaint("citizen:t", "Алмалы ауданында үш күннен бері су жоқ", now);
    struct handler_ctx hx = {store, &cfg, now + 60, (now + 60) * 1000};
    struct case_rec c;
    case_init(&c);
    assert_int_equal(store_case_by_number(store, number, &c), 1);
    assert_int_equal(c.status, CASE_REGISTERED);
    c.status = CASE_CLOSED;
    assert_int_equal(lifecycle_save(&hx, &c), -1);
    c.status = CASE_REGISTERED;
    sbuf_addstr(&c.text, " (and more)");
    assert_int_equal(lifecycle_save(&hx, &c), 0); /* what is not a status saves */
    const struct staff *officer = config_staff_by_telegram(&cfg, cfg.staff[0].telegram);
    assert_int_equal(lifecycle_take(&hx, &c, "staff:test", officer), 0);
    case_release(&c);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT status FROM cases WHERE number = '%s'", number);
    char *status = db_text(dir, sql);
    assert_string_equal(status, "in_progress");
    free(status);
    free(number);
}

static int count_case(void *ctx, const struct case_rec *c)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

/* The dashboard's way in and its actions: the chat's rules, said to the page, not queued. */
static void test_dashboard_link_and_actions(void **state)
{
    (void)state;
    int64_t now = almaty(&cfg, "2026-11-05", 10);
    char *number = file_complaint("citizen:w", "Алмалы ауданында үш күннен бері су жоқ", now);
    struct handler_ctx hx = {store, &cfg, now + 60, (now + 60) * 1000};
    /* /web in a private chat: a link that works once, within web.link_minutes */
    say("staff:erlan", "/web", now + 60);
    expect_reply("staff:erlan", "/web/signin?t=");
    char *token = db_text(dir, "SELECT token FROM web_links");
    char who[32] = "";
    assert_int_equal(store_web_link_use(store, token, now + 61, who, sizeof who), 1);
    assert_string_equal(who, "erlan");
    assert_int_equal(store_web_link_use(store, token, now + 62, who, sizeof who), 0);
    free(token);
    say("staff:erlan", "/web", now + 100);
    token = db_text(dir, "SELECT token FROM web_links WHERE used_at = 0");
    assert_int_equal(store_web_link_use(store, token, now + 100 + 15 * 60, who, sizeof who), 0);
    free(token);
    /* another body's officer is refused, and nothing is queued to anyone for it */
    const struct staff *dmitry = config_staff(&cfg, "dmitry"),
                       *aigerim = config_staff(&cfg, "aigerim");
    struct sbuf told = SBUF_INIT, cmd = SBUF_INIT;
    long long queued = db_count(dir, "SELECT count(*) FROM outbox");
    sbuf_addf(&cmd, "/take %s", number);
    assert_int_equal(staff_act(&hx, dmitry, cmd.buf, &told), 0);
    assert_non_null(strstr(told.buf, "не к вашему органу"));
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox"), queued);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM cases WHERE status = 'registered'"), 1);
    /* the body's officer answers: the citizen hears, the event names her */
    sbuf_reset(&told);
    sbuf_reset(&cmd);
    sbuf_addf(&cmd, "/answer %s Су құбыры жөнделді, 14:00-ден бастап су беріледі.", number);
    assert_int_equal(staff_act(&hx, aigerim, cmd.buf, &told), 0);
    assert_non_null(strstr(told.buf, number));
    expect_reply("citizen:w", "бағалаңыз");
    assert_int_equal(db_count(dir, "SELECT count(*) FROM events WHERE kind = 'answered' AND "
                                   "actor = 'staff:aigerim'"),
                     1);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM outbox WHERE channel = 'web'"), 0);
    /* what is not an action is not done from the page */
    assert_int_equal(staff_act(&hx, aigerim, "/stats all", &told), 1);
    assert_int_equal(staff_act(&hx, aigerim, "/web", &told), 1);
    /* search folds Cyrillic case: "СУ ЖОҚ" finds "су жоқ" */
    int found = 0;
    struct case_query q = {.closed = -1, .text = "СУ ЖОҚ", .limit = 10};
    assert_int_equal(store_cases_find(store, &q, count_case, &found), 0);
    assert_int_equal(found, 1);
    q.status = "closed";
    found = 0;
    assert_int_equal(store_cases_find(store, &q, count_case, &found), 0);
    assert_int_equal(found, 0);
    /* the citizen's words are published only when they say so, and only for their own case */
    sbuf_reset(&cmd);
    sbuf_addf(&cmd, "АШЫҚ %s", number);
    say("citizen:other", cmd.buf, now + 200);
    expect_reply("citizen:other", "жоқ");
    assert_int_equal(db_count(dir, "SELECT public FROM cases"), 0);
    say("citizen:w", cmd.buf, now + 210);
    expect_reply("citizen:w", "ашық порталда");
    assert_int_equal(db_count(dir, "SELECT public FROM cases"), 1);
    sbuf_reset(&cmd);
    sbuf_addf(&cmd, "/private %s", number);
    say("citizen:w", cmd.buf, now + 220);
    assert_int_equal(db_count(dir, "SELECT public FROM cases"), 0);
    assert_int_equal(db_count(dir, "SELECT count(*) FROM events WHERE kind LIKE '%published'"), 2);
    sbuf_release(&told);
    sbuf_release(&cmd);
    free(number);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kazakh_complaint, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_status_only_by_transition, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_dashboard_link_and_actions, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_body_language, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_russian_complaint_on_weekend, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_status_only_of_own_cases, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_bad_input, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_short_text, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_duplicate_has_one_effect, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_restart_resumes_the_flow, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_choices_and_stale_buttons, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_language_switch, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_citizens_teach_the_router, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_pin_decides_the_district, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_staff_rights_and_answer, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_good_rating_and_unrated_close, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_overdue_means_one_thing, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_linked_phone_shows_sms_cases, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_stop_holds_for_every_message, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_sms_rating_digit_is_the_score, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_staff_command_forms, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_keyword_language_is_the_citizens, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_cards_follow_every_transition, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_draft_is_bounded, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_receipt_time_is_our_clock, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_sms_report_names_an_sms, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_incident_card_rewritten_once_a_batch, fresh, cleanup),
        cmocka_unit_test_setup_teardown(test_incident_from_first_appeal_to_split, fresh, cleanup),
    };
    return cmocka_run_group_tests_name("flow", tests, example_config_setup,
                                       example_config_teardown);
}
