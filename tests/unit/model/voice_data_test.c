/*
 * Tests for src/model/voice_data.c: interning the values answers are grouped by (text values by
 * their text, the others by their id, each once, in the order met, across the hash table's
 * growth) and releasing the data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/voice_data.h"

static void test_text_values_once_each(void **state)
{
    (void)state;
    struct voice_data d = {0};
    struct voice_names *v = &d.names[VOICE_DIM_CHANNEL];
    assert_int_equal(voice_names_intern(v, 0, "phone", 5), 0);
    assert_int_equal(voice_names_intern(v, 0, "web", 3), 1);
    /* len bytes of the text count, all of them: a prefix is another value */
    assert_int_equal(voice_names_intern(v, 0, "phone!", 5), 0);
    assert_int_equal(voice_names_intern(v, 0, "phon", 4), 2);
    assert_int_equal(voice_names_intern(v, 0, "web", 3), 1);
    assert_string_equal(v->name[2], "phon");
    assert_int_equal(voice_names_intern(v, 0, NULL, 0), -1); /* none */
    assert_int_equal(v->n, 3);
    voice_data_release(&d);
    assert_int_equal(d.names[VOICE_DIM_CHANNEL].n, 0);
}

static void test_ids_across_growth(void **state)
{
    (void)state;
    struct voice_data d = {0};
    struct voice_names *v = &d.names[VOICE_DIM_UNIT];
    char name[32];
    /* far more than the first table's 64 slots: every value keeps its index */
    for (int64_t id = 1; id <= 5000; id++) {
        snprintf(name, sizeof(name), "Unit %lld", (long long)id);
        assert_int_equal(voice_names_intern(v, id * 7, name, strlen(name)), (int32_t)(id - 1));
    }
    for (int64_t id = 5000; id >= 1; id--) /* by id: the name is not looked at */
        assert_int_equal(voice_names_intern(v, id * 7, "other", 5), (int32_t)(id - 1));
    assert_int_equal(v->n, 5000);
    assert_int_equal(v->id[41], 42 * 7);
    assert_string_equal(v->name[41], "Unit 42");
    assert_int_equal(voice_names_intern(v, 9, NULL, 0), 5000); /* an id without a name */
    assert_null(v->name[5000]);
    assert_int_equal(voice_names_intern(v, 0, NULL, 0), -1);
    voice_data_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_values_once_each),
        cmocka_unit_test(test_ids_across_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
