/* The router on the example config: each language's grammar, places, pins, learning. */
#include "helpers.h"

#include "bot/domain/router.h"
#include "bot/domain/words.h"

static void pick_with(const char *text, const struct district *remembered, int pin, double lat,
                      double lon, const struct route_model *model, struct route_pick *p)
{
    struct route_query q = {text, strlen(text), remembered, pin, lat, lon, model};
    route_pick_init(p);
    router_pick(&cfg, &q, p);
}

static void expect_full(const char *text, const struct district *remembered,
                        const struct route_model *model, const char *category, const char *district,
                        const char *body)
{
    struct route_pick p;
    pick_with(text, remembered, 0, 0, 0, model, &p);
    if (category) {
        if (!p.category || strcmp(p.category->id, category) != 0)
            fail_msg("%s: category %s, want %s\n%s", text, p.category ? p.category->id : "-",
                     category, p.why.buf ? p.why.buf : "");
    } else if (p.category) {
        fail_msg("%s: category %s, want none\n%s", text, p.category->id, p.why.buf);
    }
    if (district) {
        if (!p.district || strcmp(p.district->id, district) != 0)
            fail_msg("%s: district %s, want %s\n%s", text, p.district ? p.district->id : "-",
                     district, p.why.buf ? p.why.buf : "");
    } else if (p.district) {
        fail_msg("%s: district %s, want none\n%s", text, p.district->id, p.why.buf);
    }
    if (body) {
        assert_non_null(p.body);
        assert_string_equal(p.body->id, body);
    }
    route_pick_release(&p);
}

static void expect(const char *text, const char *category, const char *district, const char *body)
{
    expect_full(text, NULL, NULL, category, district, body);
}

static void test_kazakh_inflections(void **state)
{
    (void)state;
    expect("Алмалы ауданында үш күннен бері су жоқ", "utilities", "almaly", "energy");
    expect("Үйдің суы ағып жатыр", "utilities", NULL, NULL);
    expect("Суды қашан қосасыздар?", "utilities", NULL, NULL);
    expect("Үш күннен бері сусыз отырмыз", "utilities", NULL, NULL);
    expect("ӘУЕЗОВ АУДАНЫНДА МЕКТЕП ЖӨНДЕЛМЕГЕН", "education", "auezov", "education");
    /* к -> г before a vowel: жарық, жарығы */
    expect("Көшенің жарығы жоқ, жарығын қосыңыздар", "utilities", NULL, NULL);
}

static void test_kazakh_on_a_russian_keyboard(void **state)
{
    (void)state;
    expect("жарык жок 2 кун болды", "utilities", NULL, NULL);
    expect("балабакшага орын бермейди", "education", NULL, NULL);
    expect("кангыбас иттер кобейип кетти", "veterinary", NULL, NULL);
}

static void test_russian_inflections(void **state)
{
    (void)state;
    expect("Нет воды в Медеуском районе", "utilities", "medeu", "energy");
    expect("Вода ржавая", "utilities", NULL, NULL);
    expect("Что с водой в Турксибском районе?", "utilities", "turksib", "energy");
    expect("Ёлки вырубили у дома", "ecology", NULL, NULL); /* ё reads as е */
    /* Snowball: "водитель" is not a form of "вода" */
    expect("Водитель автобуса грубит пассажирам", "roads", NULL, NULL);
}

/* Each of these matched a stem of the other language before. */
static void test_a_stem_stays_in_its_language(void **state)
{
    (void)state;
    /* ит (dog) is not "итальянский"; шум is noise: not the vet */
    expect("Итальянский ресторан на Абая шумит ночью", "other", NULL, NULL);
    /* мал (livestock) is not "мало", "маленькая" */
    expect("Мало места во дворе, маленькая площадка", "improvement", NULL, NULL);
    /* стро is not "строка", скор (ambulance) is not "скоро" */
    expect("строка в квитанции непонятная", "other", NULL, NULL);
    expect("скоро выборы а кандидатов никто не знает", "other", NULL, NULL);
    /* су (water) is not "сурет" (photo); жер (land) is not "жерде" (at the place) */
    expect("Суретті жібердім, осы жерде шам жанбайды", "improvement", NULL, NULL);
}

static void test_everyday_words(void **state)
{
    (void)state;
    expect("мусор не вывозят две недели", "ecology", NULL, NULL);
    expect("ржавая вода из крана", "utilities", NULL, NULL);
    expect("лифт не работает месяц", "housing", NULL, NULL);
    expect("прививки детям не делают, вакцины нет", "health", NULL, NULL);
    expect("саябақта орындықтар сынған", "improvement", NULL, NULL);
    expect("балабақшада орын жоқ", "education", NULL, NULL);
    /* a phrase claims its words first: a school bus is the school's */
    expect("школьный автобус не возит детей", "education", NULL, NULL);
    /* the "other" topic is guessed too */
    expect("хочу поблагодарить акимат за новый парк", "other", NULL, NULL);
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
    /* one utilities word and one roads word: the citizen chooses */
    expect("вода на дороге", NULL, NULL, NULL);
}

static void test_places(void **state)
{
    (void)state;
    expect("Аксай 4 дом 12 батареи холодные", "utilities", "auezov", "energy");
    expect("в Аксае нет воды", "utilities", "auezov", NULL);
    expect("ақсайда су жоқ", "utilities", "auezov", NULL);
    expect("Орбита 3, нет отопления", "utilities", "bostandyk", NULL);
    expect("в больнице на Орбите нет мест", "health", "bostandyk", NULL);
    expect("шаңырақта жол жоқ", "roads", "alatau", NULL);
    expect("парк у Самала, скамейки сломаны", "improvement", "medeu", NULL);
    expect("Калкаман улицы без асфальта", "roads", "nauryzbay", NULL);
    expect("Жулдыз 2 нужен пешеходный переход", "roads", "turksib", NULL);
    expect("Кулагер напор воды слабый", "utilities", "zhetysu", NULL);
    /* the microdistrict Жетысу-2 is in Auezov district, not in Zhetysu district */
    expect("мкр Жетысу-2 нет горячей воды", "utilities", "auezov", NULL);
}

static void test_a_street_through_several_districts_asks(void **state)
{
    (void)state;
    const struct district *bostandyk = config_district(&cfg, "bostandyk");
    const struct district *turksib = config_district(&cfg, "turksib");
    expect("на Абая нет света", "utilities", NULL, NULL);
    /* the citizen's remembered district is on the street: that one */
    expect_full("на Абая нет света", bostandyk, NULL, "utilities", "bostandyk", NULL);
    /* it is not: ask */
    expect_full("на Абая нет света", turksib, NULL, "utilities", NULL, NULL);
    /* a named district beats the street */
    expect("Медеуский район, на Абая нет света", "utilities", "medeu", NULL);
}

static void test_remembered_district(void **state)
{
    (void)state;
    struct route_pick p;
    pick_with("Нет света третий день", config_district(&cfg, "nauryzbay"), 0, 0, 0, NULL, &p);
    assert_non_null(p.district);
    assert_string_equal(p.district->id, "nauryzbay");
    assert_non_null(strstr(p.why.buf, "remembered"));
    route_pick_release(&p);
}

static void test_pin_decides_the_district(void **state)
{
    (void)state;
    struct route_pick p;
    /* Green Bazaar (Medeu), Aksay (Auezov), Orbita (Bostandyk), the airport (Turksib) */
    static const struct {
        double lat, lon;
        const char *district;
    } pins[] = {{43.2630, 76.9550, "medeu"},     {43.2300, 76.8350, "auezov"},
                {43.1950, 76.8850, "bostandyk"}, {43.3520, 77.0400, "turksib"},
                {43.2500, 76.9000, "almaly"},    {43.3100, 76.9300, "zhetysu"},
                {43.3000, 76.8200, "alatau"},    {43.2250, 76.7700, "nauryzbay"}};
    for (size_t i = 0; i < sizeof pins / sizeof *pins; i++) {
        /* the pin wins over the remembered district and over a place in the text */
        pick_with("Аксай: нет воды", config_district(&cfg, "turksib"), 1, pins[i].lat, pins[i].lon,
                  NULL, &p);
        assert_non_null(p.district);
        assert_string_equal(p.district->id, pins[i].district);
        assert_non_null(strstr(p.why.buf, "pin"));
        route_pick_release(&p);
    }
    /* a pin outside the map (Astana) decides nothing: the text does */
    pick_with("Аксай: нет воды", NULL, 1, 51.1280, 71.4300, NULL, &p);
    assert_non_null(p.district);
    assert_string_equal(p.district->id, "auezov");
    route_pick_release(&p);
}

static void test_kazakh_suffixes(void **state)
{
    (void)state;
    assert_true(words_kk_suffixes(""));
    assert_true(words_kk_suffixes("лар"));
    assert_true(words_kk_suffixes("леримиздеги")); /* -лер-іміз-де-гі, folded */
    assert_true(words_kk_suffixes("сыз"));
    assert_false(words_kk_suffixes("рет"));
    assert_false(words_kk_suffixes("о"));
    assert_true(words_kk_match("суымыз", "су"));
    assert_false(words_kk_match("сурет", "су"));
    assert_true(words_kk_match("жарыгы", "жарык"));
    assert_true(words_kk_match("китабы", "китап"));
    assert_false(words_kk_match("итальянский", "ит"));
    assert_true(words_name_match("орбите", "орбита"));
    assert_true(words_name_match("аксайда", "аксай"));
    assert_true(words_name_match("аксае", "аксай"));
    assert_false(words_name_match("аксакал", "аксай"));
}

/*
 * The router learns: an appeal about school uniforms names no topic's keyword,
 * so the citizen is asked; once citizens have said it is education a few
 * times, it is suggested.  A text like none learnt stays asked.
 */
static void test_corrections_fix_a_repeated_miss(void **state)
{
    (void)state;
    static const char *const said[] = {
        "требуют купить форму только в одном магазине",
        "форму заставляют покупать у одного поставщика",
        "мектеп формасын тек бір дүкеннен алуға мәжбүрлейді",
        "форма очень дорогая а другую не разрешают",
        "формаға ақша жинайды",
        "заставляют покупать форму и учебники",
        "форму меняют каждый год",
        "за форму требуют 40 тысяч",
    };
    const char *miss = "опять требуют купить форму в магазине";
    struct route_model *m = route_model_new();
    expect_full(miss, NULL, m, NULL, NULL, NULL);
    /* a few other corrections, so the model knows more than one topic */
    route_model_learn(m, "housing", "домофон сломан полгода", 40);
    route_model_learn(m, "other", "соседи шумят по ночам", 40);
    size_t n = sizeof said / sizeof *said, learnt = 0;
    struct route_pick p;
    for (; learnt < n; learnt++) {
        pick_with(miss, NULL, 0, 0, 0, m, &p);
        int right = p.category && !strcmp(p.category->id, "education");
        route_pick_release(&p);
        if (right)
            break;
        route_model_learn(m, "education", said[learnt], strlen(said[learnt]));
    }
    assert_true(learnt < n);  /* fixed within the corrections given */
    assert_true(learnt >= 2); /* and not by the first word of anyone */
    assert_int_equal(route_model_examples(m), (long)learnt + 2);
    pick_with(miss, NULL, 0, 0, 0, m, &p);
    assert_non_null(strstr(p.why.buf, "learned from"));
    route_pick_release(&p);
    /* what was not learnt is not guessed from it */
    expect_full("Здравствуйте, помогите пожалуйста", NULL, m, NULL, NULL, NULL);
    route_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kazakh_inflections),
        cmocka_unit_test(test_kazakh_on_a_russian_keyboard),
        cmocka_unit_test(test_russian_inflections),
        cmocka_unit_test(test_a_stem_stays_in_its_language),
        cmocka_unit_test(test_everyday_words),
        cmocka_unit_test(test_category_without_route_goes_to_district),
        cmocka_unit_test(test_no_match_and_tie),
        cmocka_unit_test(test_places),
        cmocka_unit_test(test_a_street_through_several_districts_asks),
        cmocka_unit_test(test_remembered_district),
        cmocka_unit_test(test_pin_decides_the_district),
        cmocka_unit_test(test_kazakh_suffixes),
        cmocka_unit_test(test_corrections_fix_a_repeated_miss),
    };
    return cmocka_run_group_tests_name("router", tests, example_config_setup,
                                       example_config_teardown);
}
