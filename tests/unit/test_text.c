/* UTF-8 checks, case folding, language detection and case numbers. */
#include "helpers.h"

#include "bot/lib/csv.h"

#include <cjson/cJSON.h>

#include "gateways/telegram_api.h"
#include "gateways/telegram_update.h"

#include "bot/domain/casenum.h"
#include "bot/domain/lang.h"
#include "bot/domain/payload.h"
#include "bot/lib/phone.h"
#include "bot/lib/split.h"
#include "bot/lib/utf8.h"

static void test_utf8_valid(void **state)
{
    (void)state;
    const char *good[] = {"", "abc", "Сәлем", "ӘҒҚҢӨҰҮҺІ", "😀"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(utf8_valid(good[i], strlen(good[i])));
    const char *bad[] = {"\xff",
                         "\xc3",
                         "\xc0\xaf" /* overlong */,
                         "\xed\xa0\x80" /* surrogate */,
                         "\xf4\x90\x80\x80" /* > U+10FFFF */,
                         "ab\xe2\x82"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(utf8_valid(bad[i], strlen(bad[i])));
}

static void test_lower(void **state)
{
    (void)state;
    assert_int_equal(utf8_lower(0x4d8), 0x4d9); /* Ә -> ә */
    assert_int_equal(utf8_lower(0x406), 0x456); /* І -> і */
    assert_int_equal(utf8_lower(0x4ae), 0x4af); /* Ү -> ү */
    assert_int_equal(utf8_lower(0x410), 0x430); /* А -> а */
    assert_int_equal(utf8_lower(0x401), 0x451); /* Ё -> ё */
    assert_int_equal(utf8_lower('Q'), 'q');
}

static void test_lang_detect(void **state)
{
    (void)state;
    const char *kk = "Су жоқ, көмектесіңіздер";
    const char *ru = "Нет воды третий день";
    const char *en = "No water for three days";
    assert_int_equal(lang_detect(kk, strlen(kk)), LANG_KK);
    assert_int_equal(lang_detect(ru, strlen(ru)), LANG_RU);
    assert_int_equal(lang_detect(en, strlen(en)), LANG_EN);
    assert_int_equal(lang_detect("12345", 5), -1);
}

static void test_casenum(void **state)
{
    (void)state;
    char n[24];
    casenum_make(1000, n);
    assert_string_equal(n, "10008");
    assert_true(casenum_valid(n));
    /* every single-digit typo and adjacent swap of the first 5000 numbers is caught */
    for (int64_t seq = 1000; seq < 6000; seq++) {
        casenum_make(seq, n);
        assert_true(casenum_valid(n));
        size_t len = strlen(n);
        for (size_t i = 0; i < len; i++) {
            char typo[24];
            memcpy(typo, n, len + 1);
            typo[i] = (char)('0' + (typo[i] - '0' + 1) % 10);
            assert_false(casenum_valid(typo));
            if (i + 1 < len && n[i] != n[i + 1]) {
                memcpy(typo, n, len + 1);
                typo[i] = n[i + 1];
                typo[i + 1] = n[i];
                assert_false(casenum_valid(typo));
            }
        }
    }
    assert_false(casenum_valid("12a45"));
    assert_false(casenum_valid(""));
    assert_true(casenum_looks_like("№ 10008"));
    assert_false(casenum_looks_like("су жоқ"));
}

struct parts {
    char text[8][16384];
    int n, last_seen;
};

static int collect_part(void *ctx, const char *part, size_t len, int last)
{
    struct parts *p = ctx;
    assert_true(p->n < 8 && len < 16384);
    memcpy(p->text[p->n], part, len);
    p->text[p->n][len] = 0;
    p->n++;
    p->last_seen = last;
    return 0;
}

static void test_split(void **state)
{
    (void)state;
    struct parts p = {0};
    /* short: one part */
    assert_int_equal(split_text("су жоқ", strlen("су жоқ"), 4096, collect_part, &p), 0);
    assert_int_equal(p.n, 1);
    assert_true(p.last_seen);
    /* two paragraphs of 3000 Cyrillic letters: cut at the blank line, nothing lost */
    struct sbuf text = SBUF_INIT;
    for (int i = 0; i < 3000; i++)
        sbuf_addstr(&text, "ж");
    sbuf_addstr(&text, "\n\n");
    for (int i = 0; i < 3000; i++)
        sbuf_addstr(&text, "ы");
    memset(&p, 0, sizeof p);
    split_text(text.buf, text.len, 4096, collect_part, &p);
    assert_int_equal(p.n, 2);
    assert_int_equal(utf8_length(p.text[0]), 3000);
    assert_int_equal(utf8_length(p.text[1]), 3000);
    /* one word longer than a part: cut on a character boundary */
    sbuf_reset(&text);
    for (int i = 0; i < 5000; i++)
        sbuf_addstr(&text, "ә");
    memset(&p, 0, sizeof p);
    split_text(text.buf, text.len, 4096, collect_part, &p);
    assert_int_equal(p.n, 2);
    assert_int_equal(utf8_length(p.text[0]), 4096);
    assert_true(utf8_valid(p.text[0], strlen(p.text[0])) &&
                utf8_valid(p.text[1], strlen(p.text[1])));
    /* words: no part over the limit, cut at a space */
    sbuf_reset(&text);
    for (int i = 0; i < 1500; i++)
        sbuf_addstr(&text, "су жоқ ");
    memset(&p, 0, sizeof p);
    split_text(text.buf, text.len, 4096, collect_part, &p);
    assert_int_equal(p.n, 3);
    for (int i = 0; i < p.n; i++) {
        assert_true(utf8_length(p.text[i]) <= 4096);
        if (i + 1 < p.n) /* cut at a space, which is not sent */
            assert_true(p.text[i][strlen(p.text[i]) - 1] != ' ' && p.text[i + 1][0] != ' ');
    }
    sbuf_release(&text);
}

static void test_phone(void **state)
{
    (void)state;
    char out[13];
    const char *same[] = {"87012345678", "+7 701 234 56 78", "77012345678", "8 (701) 234-56-78",
                          "7012345678"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        assert_int_equal(phone_normalize(same[i], out), 0);
        assert_string_equal(out, "+77012345678");
    }
    assert_int_equal(phone_normalize("+79161234567", out), -1); /* Russia */
    assert_int_equal(phone_normalize("12345", out), -1);
    assert_int_equal(phone_normalize("8701234567x", out), -1);
    assert_int_equal(phone_normalize("", out), -1);
}

/* Numbers where Telegram sends integer ids: refused, never converted out of range. */
/* Every payload reads back as written; what is not one of ours is refused, whatever its shape. */
static void test_payloads(void **state)
{
    (void)state;
    static const char *const ours[] = {"l:kk",        "l:en",
                                       "d:almaly",    "c:water_supply",
                                       "t:complaint", "chg:c",
                                       "chg:d",       "ok",
                                       "cancel",      "r:100001:5",
                                       "r:123456:1",  "s:take:100001",
                                       "s:answer:7",  "s:transfer:100002",
                                       "s:extend:9",  "s:close:1"};
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++) {
        struct payload p;
        char back[PAYLOAD_MAX];
        assert_int_equal(payload_parse(ours[i], &p), 0);
        payload_format(&p, back);
        assert_string_equal(back, ours[i]);
    }
    struct payload p;
    assert_int_equal(payload_parse("r:100001:4", &p), 0);
    assert_int_equal(p.kind, PAYLOAD_RATE);
    assert_int_equal(p.score, 4);
    assert_string_equal(p.number, "100001");
    assert_int_equal(payload_parse("s:take:100001", &p), 0);
    assert_int_equal(p.action, CARD_TAKE);
    static const char *const forged[] = {"",
                                         "r",
                                         "s",
                                         "l",
                                         "l:",
                                         "l:de",
                                         "d:",
                                         "d:a b",
                                         "c:x;drop",
                                         "t:",
                                         "r:1:9",
                                         "r:1:0",
                                         "r::5",
                                         "r:12a:5",
                                         "r:1:55",
                                         "r:1",
                                         "s:fly:100001",
                                         "s:take:",
                                         "s:take:12x",
                                         "s::1",
                                         "s:take",
                                         "chg:x",
                                         "okay",
                                         "r:123456789012345678901234:5",
                                         "x:1"};
    for (size_t i = 0; i < sizeof forged / sizeof *forged; i++)
        assert_int_equal(payload_parse(forged[i], &p), -1);
}

static void test_update_ids(void **state)
{
    (void)state;
    const char *bad[] = {"1e300", "-1e300", "1.5", "9007199254740993e3", "\"77\"", "true"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"update_id\": %s, \"message\": {\"message_id\": 1, \"date\": 1, \"chat\": "
                 "{\"id\": 5, \"type\": \"private\"}, \"from\": {\"id\": 5}, \"text\": \"hi\"}}",
                 bad[i]);
        cJSON *u = cJSON_Parse(json);
        struct tg_update out;
        assert_int_not_equal(tg_update_parse(u, &out), TG_PARSE_OK);
        cJSON_Delete(u);
        snprintf(json, sizeof json,
                 "{\"update_id\": 7, \"message\": {\"message_id\": 1, \"date\": 1, \"chat\": "
                 "{\"id\": %s, \"type\": \"private\"}, \"from\": {\"id\": 5}, \"text\": \"hi\"}}",
                 bad[i]);
        u = cJSON_Parse(json);
        assert_int_not_equal(tg_update_parse(u, &out), TG_PARSE_OK);
        cJSON_Delete(u);
    }
    int64_t v;
    cJSON *n = cJSON_CreateNumber(4503599627370495.0); /* 52 bits */
    assert_int_equal(tg_json_int64(n, &v), 0);
    assert_true(v == 4503599627370495LL);
    cJSON_Delete(n);
}

/* Spreadsheet cells: quoted, quotes doubled, CRLF rows, a would-be formula shown as text. */
static void test_csv(void **state)
{
    (void)state;
    struct sbuf out = SBUF_INIT;
    const char *row[] = {"=1+1", "+7 701", "-2", "@SUM(A1)", "\tx", "say \"hi\"", "", "10008"};
    csv_row(&out, row, sizeof row / sizeof *row);
    assert_string_equal(out.buf, "\"'=1+1\",\"'+7 701\",\"'-2\",\"'@SUM(A1)\",\"'\tx\","
                                 "\"say \"\"hi\"\"\",\"\",\"10008\"\r\n");
    sbuf_reset(&out);
    csv_cell(&out, "a\nb", 3, 1); /* a line break stays inside its quoted cell */
    csv_row_end(&out);
    assert_string_equal(out.buf, "\"a\nb\"\r\n");
    sbuf_release(&out);
}

/* Plural forms by CLDR's rules for whole numbers, and counts rendered in them. */
static void test_plurals(void **state)
{
    (void)state;
    static const struct {
        long n;
        int ru, en;
    } cases[] = {{0, 2, 1},   {1, 0, 0},   {2, 1, 1},    {4, 1, 1},  {5, 2, 1},  {11, 2, 1},
                 {12, 2, 1},  {14, 2, 1},  {21, 0, 1},   {22, 1, 1}, {25, 2, 1}, {101, 0, 1},
                 {111, 2, 1}, {112, 2, 1}, {1001, 0, 1}, {-1, 0, 0}, {-22, 1, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (lang_plural_index(LANG_RU, cases[i].n) != cases[i].ru ||
            lang_plural_index(LANG_EN, cases[i].n) != cases[i].en ||
            lang_plural_index(LANG_KK, cases[i].n) != 0)
            fail_msg("plural of %ld", cases[i].n);
    }
    struct config c;
    load_example_config(&c);
    static const struct {
        enum lang lang;
        long n;
        const char *want;
    } counts[] = {{LANG_RU, 1, "1 рабочий день"},   {LANG_RU, 4, "4 рабочих дня"},
                  {LANG_RU, 11, "11 рабочих дней"}, {LANG_RU, 21, "21 рабочий день"},
                  {LANG_EN, 1, "1 working day"},    {LANG_EN, 4, "4 working days"},
                  {LANG_KK, 4, "4 жұмыс күні"}};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        struct sbuf out = SBUF_INIT;
        i18n_count(&c.texts, counts[i].lang, "working_days_n", counts[i].n, &out);
        assert_string_equal(out.buf, counts[i].want);
        sbuf_release(&out);
    }
    /* a count inside a text is rendered in the reader's language */
    struct sbuf out = SBUF_INIT;
    struct i18n_var vars[] = {{"number", "10008"}, {"days", "3", "working_days_n"}, {NULL, NULL}};
    i18n_render(&c.texts, LANG_RU, "staff_forward_late", vars, &out);
    assert_non_null(strstr(out.buf, "через 3 рабочих дня после регистрации"));
    sbuf_reset(&out);
    struct i18n_var max[] = {{"max", "4001", "chars_upto_n"}, {NULL, NULL}};
    i18n_render(&c.texts, LANG_RU, "message_too_long", max, &out);
    assert_non_null(strstr(out.buf, "до 4001 символа"));
    sbuf_release(&out);
    config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid),  cmocka_unit_test(test_lower),
        cmocka_unit_test(test_lang_detect), cmocka_unit_test(test_casenum),
        cmocka_unit_test(test_split),       cmocka_unit_test(test_phone),
        cmocka_unit_test(test_update_ids),  cmocka_unit_test(test_payloads),
        cmocka_unit_test(test_csv),         cmocka_unit_test(test_plurals),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
