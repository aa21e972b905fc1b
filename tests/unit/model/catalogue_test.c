/*
 * catalogue_test.c - the invariants of the default interaction catalogue (src/model/catalogue.c):
 * unique well-formed codes, about 100 major and 30 voice-of-the-customer types, levels 1..8 in
 * phase order, a trigger the demo can draw at every level, touch and tech in [0, 1].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/catalogue.h"
#include "model/table.h"

static void test_levels_in_phase_order(void **state)
{
    (void)state;
    size_t n = 0;
    const struct catalogue_level *l = catalogue_levels(&n);
    assert_int_equal(n, CATALOGUE_NLEVELS);
    assert_int_equal(n, 8);
    assert_int_equal(l[0].phase, PHASE_ACQUISITION);
    assert_int_equal(l[n - 1].phase, PHASE_RETENTION);
    bool seen[CATALOGUE_NPHASES] = {false};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(l[i].level, (int)i + 1);
        assert_ptr_equal(catalogue_level(l[i].level), &l[i]);
        assert_int_equal(catalogue_level_phase(l[i].level), l[i].phase);
        assert_non_null(l[i].code);
        assert_non_null(l[i].name);
        assert_non_null(l[i].description);
        if (i > 0)
            assert_true(l[i].phase >= l[i - 1].phase);
        seen[l[i].phase] = true;
    }
    for (int p = 0; p < CATALOGUE_NPHASES; p++)
        assert_true(seen[p]);
    assert_null(catalogue_level(0));
    assert_null(catalogue_level(CATALOGUE_NLEVELS + 1));
    /* The phase names are the stage values of the data model. */
    const struct table_def *contacts = model_table("contacts");
    const struct field_def *stage = table_field(contacts, "stage", NULL);
    for (int p = 0; p < CATALOGUE_NPHASES; p++)
        assert_true(field_enum_ok(stage, catalogue_phase_name((enum catalogue_phase)p)));
}

static bool code_ok(const char *code)
{
    size_t len = strlen(code);
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

static void test_types_well_formed(void **state)
{
    (void)state;
    size_t n = 0;
    const struct catalogue_type *t = catalogue_types(&n);
    size_t major = 0, voc = 0, negative = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(code_ok(t[i].code));
        assert_true(strlen(t[i].name) > 0 && strlen(t[i].name) <= 200);
        assert_true(strlen(t[i].channel) > 0 && strlen(t[i].channel) <= 50);
        assert_true(strlen(t[i].description) <= 2000);
        assert_true(t[i].level >= 1 && t[i].level <= CATALOGUE_NLEVELS);
        assert_true(t[i].touch >= 0.0 && t[i].touch <= 1.0);
        assert_true(t[i].tech >= 0.0 && t[i].tech <= 1.0);
        assert_true(t[i].cost >= 0);
        assert_true(t[i].freq >= 0.0);
        assert_false(t[i].is_trigger && t[i].rv <= 0);
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(t[i].code, t[k].code);
        size_t at = SIZE_MAX;
        assert_ptr_equal(catalogue_find(t[i].code, &at), &t[i]);
        assert_int_equal(at, i);
        if (t[i].is_voc)
            voc++;
        else
            major++;
        negative += t[i].rv < 0;
    }
    assert_null(catalogue_find("no_such_type", NULL));
    /* Seed 001: "~100 major Interactions and some 30 associated Voice of the Customer". */
    assert_in_range(major, 90, 110);
    assert_in_range(voc, 25, 35);
    /* Complaints, missed meetings, late deliveries: RV can move backwards. */
    assert_true(negative >= 10);
}

static void test_every_level_has_a_trigger(void **state)
{
    (void)state;
    size_t n = 0;
    const struct catalogue_type *t = catalogue_types(&n);
    for (int level = 1; level <= CATALOGUE_NLEVELS; level++) {
        int triggers = 0, drawn = 0, setbacks = 0, types = 0;
        for (size_t i = 0; i < n; i++) {
            if (t[i].level != level)
                continue;
            types++;
            if (t[i].is_trigger) {
                triggers++;
                drawn += t[i].freq > 0.0;
            }
            setbacks += t[i].rv < 0 && t[i].freq > 0.0;
        }
        assert_true(types >= 10);
        assert_true(triggers >= 1);
        assert_true(drawn >= 1); /* the demo can advance at every level */
        assert_true(setbacks >= 1);
    }
}

static void test_fits_interaction_types_table(void **state)
{
    (void)state;
    const struct table_def *it = model_table("interaction_types");
    assert_non_null(it);
    const struct field_def *phase = table_field(it, "phase", NULL);
    const struct field_def *code = table_field(it, "code", NULL);
    size_t n = 0;
    const struct catalogue_type *t = catalogue_types(&n);
    for (size_t i = 0; i < n; i++) {
        assert_true(field_enum_ok(phase, catalogue_phase_name(catalogue_type_phase(&t[i]))));
        assert_true((int)strlen(t[i].code) <= field_max_len(code));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_in_phase_order),
        cmocka_unit_test(test_types_well_formed),
        cmocka_unit_test(test_every_level_has_a_trigger),
        cmocka_unit_test(test_fits_interaction_types_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
