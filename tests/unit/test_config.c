/* Each kind of config error is reported as FILE:LINE: message, and the example is clean. */
#include "helpers.h"

#include "gateways/sms.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    temp_dir(dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    temp_dir_remove(dir);
    return 0;
}

/* A small valid config; `extra` is spliced in at line 10 (the line after the texts line). */
static void write_config(const char *path, const char *texts_dir, const char *bodies,
                         const char *extra)
{
    char cwd[512];
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_non_null(getcwd(cwd, sizeof cwd));
    fprintf(
        f,
        "# line 1\n"
        "storage = { path = \"x.db\"; };\n"
        "categories = ( { id = \"water\"; keywords = [\"су\"];\n"
        "  names = { kk = \"Су\"; ru = \"Вода\"; en = \"Water\"; }; } );\n"
        "districts = ( { id = \"almaly\"; code = \"alm\"; body = \"akimat\";\n"
        "  names = { kk = \"Алмалы\"; ru = \"Алмалы\"; en = \"Almaly\"; }; } );\n"
        "routes = ( { category = \"water\"; body = \"energy\"; } );\n"
        "staff = ( { id = \"boss\"; name = \"Boss\"; telegram = 5; role = \"supervisor\"; } );\n"
        "texts = { dir = \"%s\"; };\n"
        "%s\n"
        "bodies = (%s);\n",
        texts_dir ? texts_dir : strcat(cwd, "/config/texts"), extra ? extra : "",
        bodies ? bodies
               : "{ id = \"energy\"; chat = -100; names = { kk = \"a\"; ru = \"b\"; en = "
                 "\"c\"; }; },\n"
                 " { id = \"akimat\"; kind = \"district_akimat\"; chat = -200; names = { kk "
                 "= \"a\"; ru = \"b\"; en = \"c\"; }; }");
    fclose(f);
}

/*
 * Loads path as `tyndau check` reads it (the config, then the SMS texts'
 * budgets) and returns the diagnostics (caller frees); *rc: 0 or -1.
 */
static char *load(const char *path, int *rc)
{
    struct config loaded;
    struct diag d = DIAG_INIT;
    *rc = config_load(&loaded, path, &d);
    if (*rc == 0) {
        sms_check_catalog(&loaded, &d);
        *rc = d.errors ? -1 : 0;
        config_free(&loaded);
    }
    char *text = strdup(d.text.buf);
    diag_release(&d);
    return text;
}

static void expect_error(const char *extra, const char *bodies, const char *expected)
{
    char path[128];
    int rc;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, NULL, bodies, extra);
    char *out = load(path, &rc);
    if (!strstr(out, expected))
        fprintf(stderr, "expected \"%s\" in:\n%s", expected, out);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(out, expected));
    free(out);
}

static void test_example_is_clean(void **state)
{
    (void)state;
    int rc;
    char *out = load(EXAMPLE_CONFIG, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "");
    free(out);
}

/*
 * A district's body is its akimat, the office, not the akim, the person: "Акимат Алмалинского
 * района", "Алмалы ауданының әкімдігі", "Almaly District Akimat", for all eight.
 */
static void test_district_bodies_are_akimats(void **state)
{
    (void)state;
    struct config c;
    int n = 0;
    load_example_config(&c);
    for (size_t i = 0; i < c.nbodies; i++) {
        const struct body *b = &c.bodies[i];
        if (b->kind != BODY_DISTRICT_AKIMAT)
            continue;
        n++;
        if (strncmp(b->name[LANG_RU], "Акимат ", strlen("Акимат ")) ||
            !strstr(b->name[LANG_KK], "әкімдігі") || !strstr(b->name[LANG_EN], "Akimat"))
            fail_msg("body %s is named %s / %s / %s", b->id, b->name[LANG_KK], b->name[LANG_RU],
                     b->name[LANG_EN]);
    }
    assert_int_equal(n, 8);
    config_free(&c);
}

static void test_minimal_is_clean(void **state)
{
    (void)state;
    char path[128];
    int rc;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, NULL, NULL, NULL);
    char *out = load(path, &rc);
    assert_string_equal(out, "");
    assert_int_equal(rc, 0);
    free(out);
}

static void test_web_links_need_an_address(void **state)
{
    (void)state;
    char path[128];
    int rc;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    /* listening on every address with no web.url: the links would be useless; said, not refused */
    write_config(path, NULL, NULL, "http = { listen = \"0.0.0.0:8080\"; };");
    char *out = load(path, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "warning: `url` in `web` is not set"));
    assert_non_null(strstr(out, "http://0.0.0.0:8080, which no browser opens"));
    free(out);
    write_config(path, NULL, NULL,
                 "http = { listen = \"0.0.0.0:8080\"; };\n"
                 "web = { url = \"https://tyndau.example.kz/\"; };");
    out = load(path, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "");
    free(out);
    expect_error("web = { url = \"ftp://tyndau.example.kz\"; };", NULL,
                 "`url` in `web` must start with http:// or https://");
    expect_error("web = { link_minutes = 0; };", NULL, "`link_minutes` must be between 1 and 1440");
}

static void test_unknown_key(void **state)
{
    (void)state;
    char want[160];
    snprintf(want, sizeof want, "%s/t.conf:10: unknown key `colour` in the top level", dir);
    expect_error("colour = \"blue\";", NULL, want);
    snprintf(want, sizeof want, "%s/t.conf:10: unknown key `hots` in redis", dir);
    expect_error("redis = { hots = \"x\"; };", NULL, want);
}

static void test_wrong_type(void **state)
{
    (void)state;
    char want[160];
    snprintf(want, sizeof want, "%s/t.conf:10: `port` must be an integer", dir);
    expect_error("redis = { port = \"6379\"; };", NULL, want);
    snprintf(want, sizeof want, "%s/t.conf:10: `mode` must be \"polling\" or \"webhook\"", dir);
    expect_error("telegram = { mode = \"push\"; };", NULL, want);
}

static void test_duplicate_id(void **state)
{
    (void)state;
    char want[160];
    snprintf(want, sizeof want, "%s/t.conf:12: duplicate body id `energy`", dir);
    expect_error(
        NULL,
        "{ id = \"energy\"; chat = -1; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; },\n"
        " { id = \"energy\"; chat = -2; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; },\n"
        " { id = \"akimat\"; chat = -3; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; }",
        want);
}

static void test_unknown_reference(void **state)
{
    (void)state;
    char want[160];
    /* the district's body "akimat" is not among the bodies */
    snprintf(want, sizeof want, "%s/t.conf:5: `body` refers to unknown body `akimat`", dir);
    expect_error(NULL,
                 "{ id = \"energy\"; chat = -1; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; }",
                 want);
}

static void test_unreachable_body(void **state)
{
    (void)state;
    char want[160];
    snprintf(want, sizeof want, "%s/t.conf:11: body `energy` has no way to reach it", dir);
    expect_error(
        NULL,
        "{ id = \"energy\"; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; },\n"
        " { id = \"akimat\"; chat = -3; names = { kk = \"a\"; ru = \"b\"; en = \"c\"; }; }",
        want);
}

static void test_syntax_error(void **state)
{
    (void)state;
    char want[160];
    snprintf(want, sizeof want, "%s/t.conf:10: syntax error", dir);
    expect_error("redis = { port = ; };", NULL, want);
}

static void copy_catalogs(const char *to)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp config/texts/*.conf %s/", to, to);
    assert_int_equal(system(cmd), 0);
}

static void test_text_missing_from_a_language(void **state)
{
    (void)state;
    char texts[128], path[128], cmd[512];
    int rc;
    snprintf(texts, sizeof texts, "%s/texts", dir);
    copy_catalogs(texts);
    /* drop `help` from the Russian catalog, add an extra text only in English */
    snprintf(cmd, sizeof cmd,
             "sed -i '/^  help = /d' %s/ru.conf && sed -i 's/^texts = {/texts = {\\n  only_en = "
             "\"x\";/' %s/en.conf",
             texts, texts);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, texts, NULL, NULL);
    char *out = load(path, &rc);
    assert_int_equal(rc, -1);
    char want[400];
    snprintf(want, sizeof want, "%s/ru.conf: text `help` is missing (it exists in kk)", texts);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof want, "%s/kk.conf: text `only_en` is missing", texts);
    assert_non_null(strstr(out, want));
    free(out);
}

/*
 * Loads the example config with its catalogs copied to dir/SUBDIR and one sed
 * expression applied to LANG.conf; returns the diagnostics (free them), rc in *rc.
 */
static char *load_edited_catalog(const char *subdir, const char *lang, const char *sed, int *rc)
{
    char texts[128], path[128], cmd[1024];
    snprintf(texts, sizeof texts, "%s/%s", dir, subdir);
    copy_catalogs(texts);
    snprintf(cmd, sizeof cmd, "sed -i '%s' %s/%s.conf", sed, texts, lang);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, texts, NULL, NULL);
    return load(path, rc);
}

/* An SMS text over its budget is refused, not warned about: it would cost every citizen. */
static void test_sms_text_over_budget(void **state)
{
    (void)state;
    int rc;
    char *out = load_edited_catalog(
        "texts_sms", "ru",
        "s/^  registered_sms = .*/  registered_sms = \"Ваше обращение №{number} "
        "зарегистрировано. Срок ответа: {due}. Узнать состояние: СТАТУС {number}\";/",
        &rc);
    if (!strstr(out, "registered_sms"))
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(out, "ru.conf:"));
    assert_non_null(strstr(out, "text `registered_sms` takes 2 SMS"));
    assert_non_null(strstr(out, "over its budget of 1"));
    free(out);
}

static void test_placeholder_mismatch(void **state)
{
    (void)state;
    int rc;
    char *out = load_edited_catalog("texts2", "kk", "s/№{number} тіркелді/№{nomer} тіркелді/", &rc);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(out, "text `registered` has placeholders"));
    free(out);
}

/* Translators reorder words: the same placeholders in another order (and twice) are fine. */
static void test_placeholders_in_any_order(void **state)
{
    (void)state;
    int rc;
    char *out = load_edited_catalog("texts3", "kk",
                                    "s/^  staff_not_yours = .*/  staff_not_yours = \"«{body}» "
                                    "органына жатады: №{number} өтініш (№{number}).\";/",
                                    &rc);
    if (rc != 0)
        fail_msg("reordered placeholders refused:\n%s", out);
    free(out);
}

/* A counted noun needs as many plural forms as its language has: Russian three. */
static void test_plural_forms_counted(void **state)
{
    (void)state;
    int rc;
    char *out = load_edited_catalog("texts4", "ru",
                                    "s/^  working_days_n = .*/  working_days_n = [\"{n} рабочий "
                                    "день\", \"{n} рабочих дней\"];/",
                                    &rc);
    assert_int_equal(rc, -1);
    assert_non_null(
        strstr(out, "text `working_days_n` is counted: it needs 3 plural form(s) in ru, not 2"));
    free(out);
}

static void test_secret_from_environment(void **state)
{
    (void)state;
    char path[128];
    struct config loaded;
    struct diag d = DIAG_INIT;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, NULL, NULL, "telegram = { token = \"env:TYNDAU_TEST_TOKEN\"; };");
    setenv("TYNDAU_TEST_TOKEN", "123:abc", 1);
    assert_int_equal(config_load(&loaded, path, &d), 0);
    assert_string_equal(loaded.telegram.token, "123:abc");
    config_free(&loaded);
    unsetenv("TYNDAU_TEST_TOKEN");
    assert_int_equal(config_load(&loaded, path, &d), 0);
    assert_string_equal(loaded.telegram.token, "");
    config_free(&loaded);
    diag_release(&d);
}

/* A container's settings: "env:NAME:DEFAULT", and Redis's "HOST:PORT" from one variable. */
static void test_environment_with_defaults(void **state)
{
    (void)state;
    char path[128];
    struct config loaded;
    struct diag d = DIAG_INIT;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, NULL, NULL,
                 "http = { listen = \"env:TYNDAU_TEST_LISTEN:0.0.0.0:8080\"; };\n"
                 "redis = { host = \"env:TYNDAU_TEST_REDIS:127.0.0.1\"; };");
    unsetenv("TYNDAU_TEST_LISTEN");
    unsetenv("TYNDAU_TEST_REDIS");
    assert_int_equal(config_load(&loaded, path, &d), 0);
    assert_string_equal(loaded.http.listen, "0.0.0.0:8080");
    assert_string_equal(loaded.redis.host, "127.0.0.1");
    assert_int_equal(loaded.redis.port, 6379);
    config_free(&loaded);
    setenv("TYNDAU_TEST_LISTEN", "10.0.0.5:9090", 1);
    setenv("TYNDAU_TEST_REDIS", "redis.internal:6380", 1);
    assert_int_equal(config_load(&loaded, path, &d), 0);
    assert_string_equal(loaded.http.listen, "10.0.0.5:9090");
    assert_string_equal(loaded.redis.host, "redis.internal");
    assert_int_equal(loaded.redis.port, 6380);
    config_free(&loaded);
    setenv("TYNDAU_TEST_REDIS", "redis.internal:99999", 1);
    assert_int_equal(config_load(&loaded, path, &d), -1);
    assert_non_null(strstr(d.text.buf, "port out of range"));
    config_free(&loaded);
    unsetenv("TYNDAU_TEST_LISTEN");
    unsetenv("TYNDAU_TEST_REDIS");
    diag_release(&d);
}

/* Keywords, streets and district maps that cannot be read: each an error with its place. */
static void test_bad_keywords_places_and_maps(void **state)
{
    (void)state;
    char path[128], map[160], cmd[512];
    int rc;
    snprintf(path, sizeof path, "%s/t.conf", dir);
    write_config(path, NULL, NULL, NULL);
    /* a number, a weight of 0, a mark on a phrase, a language that is not one: none crashes */
    snprintf(cmd, sizeof cmd,
             "sed -i 's|keywords = \\[\"су\"\\]|keywords = { ru = ( 5, (\"вода\", 0), "
             "\"=две слова\" ); xx = [\"a\"]; }|' %s",
             path);
    assert_int_equal(system(cmd), 0);
    char *out = load(path, &rc);
    assert_int_equal(rc, -1);
    assert_non_null(
        strstr(out, "t.conf:3: a keyword must be \"word\" or (\"word\", weight 1-100)"));
    assert_non_null(strstr(out, "keyword `=две слова`: = and * go on one word"));
    assert_non_null(strstr(out, "`keywords.xx`: want kk, ru or en"));
    free(out);

    expect_error("streets = ( { names = [\"Абая\"]; districts = [\"almaly\"]; } );", NULL,
                 "a street wants `names = [...]` and `districts = [...]` (two or more");
    expect_error("district_map = \"nowhere.geojson\";", NULL,
                 "nowhere.geojson: cannot read the district map");
    snprintf(map, sizeof map, "%s/map.geojson", dir);
    FILE *f = fopen(map, "w");
    assert_non_null(f);
    fputs("{\"type\": \"FeatureCollection\", \"features\": ["
          "{\"type\": \"Feature\", \"properties\": {\"id\": \"atlantis\"}, \"geometry\": "
          "{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[1,1],[0,0]]]}},"
          "{\"type\": \"Feature\", \"properties\": {\"id\": \"almaly\"}, \"geometry\": "
          "{\"type\": \"Polygon\", \"coordinates\": [[[0,0],[1,0],[1,1]]]}}]}",
          f);
    fclose(f);
    expect_error("district_map = \"map.geojson\";", NULL, "unknown district `atlantis`");
    expect_error("district_map = \"map.geojson\";", NULL,
                 "feature 2: want properties.id (a district id) and a Polygon or MultiPolygon "
                 "of closed rings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_is_clean),
        cmocka_unit_test(test_district_bodies_are_akimats),
        cmocka_unit_test(test_minimal_is_clean),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_web_links_need_an_address),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_duplicate_id),
        cmocka_unit_test(test_unknown_reference),
        cmocka_unit_test(test_unreachable_body),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_text_missing_from_a_language),
        cmocka_unit_test(test_placeholder_mismatch),
        cmocka_unit_test(test_placeholders_in_any_order),
        cmocka_unit_test(test_plural_forms_counted),
        cmocka_unit_test(test_sms_text_over_budget),
        cmocka_unit_test(test_secret_from_environment),
        cmocka_unit_test(test_bad_keywords_places_and_maps),
        cmocka_unit_test(test_environment_with_defaults),
    };
    return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
