/* Incident grouping on the example config: words, place, time, other problems. */
#include "helpers.h"

#include "bot/domain/incident.h"
#include "bot/domain/words.h"

static struct stemmers *st;

static int setup(void **state)
{
    st = stemmers_new();
    return example_config_setup(state);
}

static int teardown(void **state)
{
    stemmers_free(st);
    return example_config_teardown(state);
}

static void item(struct incident_item *it, const char *category, const char *district, int64_t at,
                 const char *text)
{
    incident_item_init(it);
    it->category = category;
    it->district = district;
    it->body = "energy";
    it->at = at;
    incident_tokens(&cfg.incidents, st, text, strlen(text), &it->tokens);
}

/* The index of the incidents.same group a word names, as grouping writes it. */
static const char *group_of(const char *word)
{
    static char token[16];
    struct incident_item it;
    item(&it, "utilities", "almaly", 0, word);
    snprintf(token, sizeof token, "%s", it.tokens.len ? it.tokens.buf : "");
    incident_item_release(&it);
    return token;
}

static void test_words_name_one_problem_in_every_language(void **state)
{
    (void)state;
    const char *water = strdup(group_of("вода"));
    assert_true(water[0] == '#');
    /* forms and languages of one problem are one word */
    const char *same[] = {"воды", "водой", "су", "суы", "сусыз", "Суды", "water", "водоснабжение"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (strcmp(group_of(same[i]), water))
            fail_msg("%s is %s, not water %s", same[i], group_of(same[i]), water);
    /* and nothing else is: a street, a preposition, a sum */
    const char *other[] = {"Төле", "во", "сумма", "сурет", "водитель"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        if (!strcmp(group_of(other[i]), water))
            fail_msg("%s is taken for water", other[i]);
    assert_string_equal(group_of("жарык"), group_of("свет")); /* on a Russian keyboard too */
    assert_string_equal(group_of("жоқ"), "");                 /* ignored: says nothing */
    assert_string_equal(group_of("на"), "");                  /* short: says little */
    free((void *)water);
}

/* A group of n copies of an appeal. */
static struct incident_group *group_of_n(const char *district, int64_t at, const char *text, int n)
{
    struct incident_group *g = incident_group_new();
    for (int i = 0; i < n; i++) {
        struct incident_item it;
        item(&it, "utilities", district, at + i * 60, text);
        incident_group_add(g, &it);
        incident_item_release(&it);
    }
    return g;
}

static int fits(const struct incident_group *g, const struct incident_item *it, struct sbuf *why)
{
    double sim;
    return incident_fits(&cfg.incidents, g, it, &sim, why);
}

static void test_category_place_time_and_words(void **state)
{
    (void)state;
    struct incident_group *g = group_of_n("almaly", 1000000, "Нет воды с утра", 5);
    struct incident_item it;
    struct sbuf why = SBUF_INIT;
    item(&it, "utilities", "almaly", 1000000 + 3600, "Су жоқ, балалар жуына алмайды");
    assert_true(fits(g, &it, &why));
    assert_non_null(strstr(why.buf, "same district"));
    incident_item_release(&it);
    /* another district, another topic, past the window: not the same problem */
    item(&it, "utilities", "auezov", 1000000 + 3600, "Су жоқ");
    assert_false(fits(g, &it, NULL));
    incident_item_release(&it);
    item(&it, "roads", "almaly", 1000000 + 3600, "Су жоқ");
    assert_false(fits(g, &it, NULL));
    incident_item_release(&it);
    item(&it, "utilities", "almaly", 1000000 + 4 * 60 + cfg.incidents.window_hours * 3600 + 1,
         "Су жоқ");
    assert_false(fits(g, &it, NULL));
    incident_item_release(&it);
    /* the same place and hour, another problem: the light */
    item(&it, "utilities", "almaly", 1000000 + 3600, "Жарық жоқ");
    assert_false(fits(g, &it, NULL));
    incident_item_release(&it);
    /* water, but a bill: another problem named beside it */
    sbuf_reset(&why);
    item(&it, "utilities", "almaly", 1000000 + 3600, "Квитанция за воду завышена");
    assert_false(fits(g, &it, &why));
    assert_non_null(strstr(why.buf, "names another problem: квитанция"));
    incident_item_release(&it);
    sbuf_release(&why);
    incident_group_free(g);
}

static void test_pins_join_across_a_district_line(void **state)
{
    (void)state;
    struct incident_group *g = incident_group_new();
    struct incident_item it;
    item(&it, "utilities", "almaly", 0, "Нет воды");
    it.has_pin = 1, it.lat = 43.2500, it.lon = 76.9000;
    incident_group_add(g, &it);
    incident_item_release(&it);
    /* 800 m away, over the line into Bostandyk */
    item(&it, "utilities", "bostandyk", 600, "Воды нет");
    it.has_pin = 1, it.lat = 43.2428, it.lon = 76.9000;
    assert_in_range(incident_distance_m(43.25, 76.9, it.lat, it.lon), 790, 810);
    assert_true(fits(g, &it, NULL));
    it.lat = 43.20; /* 5.6 km */
    assert_false(fits(g, &it, NULL));
    incident_item_release(&it);
    incident_group_free(g);
}

static void test_one_pass_then_strays_join(void **state)
{
    (void)state;
    /* the first appeal came before its group showed what it is about */
    const char *texts[] = {"Здравствуйте, с утра на Толе би нет воды, дети не могут помыться",
                           "Су жоқ",
                           "Воды нет",
                           "Нет воды",
                           "Суы жоқ",
                           "Квитанция за воду завышена",
                           "Water is off"};
    struct incident_item items[7];
    size_t group[7];
    for (int i = 0; i < 7; i++)
        item(&items[i], "utilities", "almaly", 1000000 + i * 300, texts[i]);
    incident_cluster(&cfg.incidents, items, 7, group);
    for (int i = 0; i < 7; i++) {
        if (i == 5)
            assert_int_not_equal(group[i], group[1]); /* the bill stays apart */
        else
            assert_int_equal(group[i], group[1] < group[0] ? group[1] : group[0]);
        incident_item_release(&items[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_name_one_problem_in_every_language),
        cmocka_unit_test(test_category_place_time_and_words),
        cmocka_unit_test(test_pins_join_across_a_district_line),
        cmocka_unit_test(test_one_pass_then_strays_join),
    };
    return cmocka_run_group_tests_name("incident", tests, setup, teardown);
}
