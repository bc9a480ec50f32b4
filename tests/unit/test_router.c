/* The router on the example config: inflected Kazakh and Russian words. */
#include "helpers.h"

#include "bot/domain/router.h"

static void expect(const char *text, const char *category, const char *district, const char *body)
{
    struct route_pick p;
    route_pick_init(&p);
    router_pick(&cfg, text, strlen(text), NULL, &p);
    if (category)
        assert_non_null(p.category);
    else
        assert_null(p.category);
    if (category)
        assert_string_equal(p.category->id, category);
    if (district) {
        assert_non_null(p.district);
        assert_string_equal(p.district->id, district);
    } else {
        assert_null(p.district);
    }
    if (body) {
        assert_non_null(p.body);
        assert_string_equal(p.body->id, body);
    }
    route_pick_release(&p);
}

static void test_kazakh_inflections(void **state)
{
    (void)state;
    expect("Алмалы ауданында үш күннен бері су жоқ", "utilities", "almaly", "energy");
    expect("Үйдің суы ағып жатыр", "utilities", NULL, NULL);
    expect("Суды қашан қосасыздар?", "utilities", NULL, NULL);
    expect("ӘУЕЗОВ АУДАНЫНДА МЕКТЕП ЖӨНДЕЛМЕГЕН", "education", "auezov", "education");
}

static void test_russian_inflections(void **state)
{
    (void)state;
    expect("Нет воды в Медеуском районе", "utilities", "medeu", "energy");
    expect("Вода ржавая", "utilities", NULL, NULL);
    expect("Что с водой в Турксибском районе?", "utilities", "turksib", "energy");
    expect("Ёлки вырубили у дома", "ecology", NULL, NULL); /* ё reads as е */
}

static void test_longest_stem_wins(void **state)
{
    (void)state;
    /* "водитель" is a roads word, though it starts with the water stem "вод" */
    expect("Водитель автобуса грубит пассажирам", "roads", NULL, NULL);
}

static void test_category_without_route_goes_to_district(void **state)
{
    (void)state;
    expect("Во дворе сломана детская площадка, Жетысуский район", "improvement", "zhetysu",
           "akimat_zhetysu");
}

static void test_no_match_and_tie(void **state)
{
    (void)state;
    expect("Здравствуйте, помогите пожалуйста", NULL, NULL, NULL);
    /* one utilities stem and one roads stem: the citizen chooses */
    expect("вода на дороге", NULL, NULL, NULL);
}

static void test_remembered_district(void **state)
{
    (void)state;
    struct route_pick p;
    const char *text = "Нет света третий день";
    route_pick_init(&p);
    router_pick(&cfg, text, strlen(text), config_district(&cfg, "nauryzbay"), &p);
    assert_non_null(p.district);
    assert_string_equal(p.district->id, "nauryzbay");
    assert_non_null(strstr(p.why.buf, "remembered"));
    route_pick_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kazakh_inflections),
        cmocka_unit_test(test_russian_inflections),
        cmocka_unit_test(test_longest_stem_wins),
        cmocka_unit_test(test_category_without_route_goes_to_district),
        cmocka_unit_test(test_no_match_and_tie),
        cmocka_unit_test(test_remembered_district),
    };
    return cmocka_run_group_tests_name("router", tests, example_config_setup,
                                       example_config_teardown);
}
