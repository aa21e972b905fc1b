/*
 * v2t2_settings_test.c - tests of the V2T2 settings of a unit: the model's list and check
 * (src/model/v2t2_settings.c), that the analyses' what-if parameters take the same ranges and
 * have no default of their own, how a change is read from "name=value" and from JSON and
 * described for the audit log, and the judging (src/analysis/v2t2_settings.c): which unit's
 * settings judge each customer of a snapshot (its account's unit, a contact without an account
 * its own), and where each threshold comes from (unit, default, override).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/v2t2.h"
#include "support/rvfixture.h"

static void model_list_and_check(void **state)
{
    (void)state;
    struct v2t2_settings st;
    v2t2_settings_defaults(&st, 7);
    assert_int_equal(st.unit_id, 7);
    const char *field = "x";
    assert_int_equal(v2t2_settings_check(&st, &field, NULL), 0);
    assert_null(field);
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        const struct v2t2_setting_def *d = &v2t2_setting_defs[i];
        assert_int_equal(v2t2_setting_find(d->name), i);
        assert_false(st.set[i]);
        assert_true(st.v[i] == d->def);
        assert_int_equal(v2t2_setting_check(i, d->lo, NULL), 0);
        assert_int_equal(v2t2_setting_check(i, d->hi, NULL), 0);
        assert_int_equal(v2t2_setting_check(i, d->hi * 1.5 + 1, NULL), KITH_EINVAL);
        assert_int_equal(v2t2_setting_check(i, d->lo - 0.001, NULL), KITH_EINVAL);
        assert_int_equal(v2t2_setting_check(i, NAN, NULL), KITH_EINVAL);
        assert_int_equal(v2t2_setting_check(i, INFINITY, NULL), KITH_EINVAL);
    }
    assert_int_equal(v2t2_setting_find("speed"), -1);
    assert_int_equal(v2t2_setting_check(V2T2_NSETTINGS, 0.5, NULL), KITH_EINVAL);
    /* a value set out of range is found, and named */
    st.set[V2T2_SET_TECH] = true;
    st.v[V2T2_SET_TECH] = 1.2;
    struct kith_error err = {0};
    assert_int_equal(v2t2_settings_check(&st, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "tech");
    assert_non_null(strstr(err.msg, "from 0 to 1"));
    /* the documented defaults (docs/v2t2.md, "Settings") */
    assert_true(v2t2_setting_defs[V2T2_SET_VALUE_CUSTOMER].def == 1);
    assert_true(v2t2_setting_defs[V2T2_SET_VALUE_REP].def == 0.5);
    assert_true(v2t2_setting_defs[V2T2_SET_PERIOD_DAYS].def == 30);
    assert_true(v2t2_setting_defs[V2T2_SET_TOUCH].def == 0.5);
    assert_string_equal(v2t2_source_name(V2T2_FROM_OVERRIDE), "override");
}

/* Each setting is a what-if parameter of the family with the model's range and no default. */
static void params_follow_the_model(void **state)
{
    (void)state;
    const uint64_t zones = v2t2_def(V2T2_ZONES)->group, discord = v2t2_def(V2T2_DISCORD)->group;
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        const struct v2t2_setting_def *d = &v2t2_setting_defs[i];
        const bool tone = i == V2T2_SET_TOUCH || i == V2T2_SET_TECH;
        const struct param_spec *p =
            param_find(&analysis_v2t2, tone ? discord : zones, d->name, false);
        assert_non_null(p);
        assert_true(p->lo == d->lo && p->hi == d->hi);
        assert_null(p->def);
    }
}

static void assign_and_json(void **state)
{
    (void)state;
    struct v2t2_settings st, before;
    v2t2_settings_defaults(&st, 3);
    before = st;
    const char *field;
    struct kith_error err = {0};
    assert_int_equal(v2t2_settings_assign(&st, "touch=0.7", &field, &err), 0);
    assert_true(st.set[V2T2_SET_TOUCH] && st.v[V2T2_SET_TOUCH] == 0.7);
    assert_int_equal(v2t2_settings_assign(&st, "volume=12", &field, &err), 0);
    assert_int_equal(v2t2_settings_assign(&st, "volume=default", &field, &err), 0);
    assert_false(st.set[V2T2_SET_VOLUME]);
    assert_true(st.v[V2T2_SET_VOLUME] == v2t2_setting_defs[V2T2_SET_VOLUME].def);
    assert_int_equal(v2t2_settings_assign(&st, "touch=2", &field, &err), KITH_ERANGE);
    assert_string_equal(field, "touch");
    assert_true(st.v[V2T2_SET_TOUCH] == 0.7); /* unchanged */
    assert_int_equal(v2t2_settings_assign(&st, "tech=lots", &field, &err), KITH_EINVAL);
    assert_int_equal(v2t2_settings_assign(&st, "speed=1", &field, &err), KITH_EINVAL);
    assert_null(field);
    assert_int_equal(v2t2_settings_assign(&st, "touch", &field, &err), KITH_EINVAL);
    char detail[256];
    v2t2_settings_change(&before, &st, "North", detail, sizeof(detail));
    assert_string_equal(detail, "V2T2 settings of North: touch default (0.5) -> 0.7");
    v2t2_settings_change(&st, &st, "North", detail, sizeof(detail));
    assert_string_equal(detail, "V2T2 settings of North: no change");
    /* JSON: a number sets, null goes back to the default, anything else names its key */
    json_t *body = json_pack("{s:f, s:n}", "value_rep", 0.8, "touch", NULL);
    assert_int_equal(v2t2_settings_apply_json(&st, body, &field, &err), 0);
    json_decref(body);
    assert_true(st.set[V2T2_SET_VALUE_REP] && st.v[V2T2_SET_VALUE_REP] == 0.8);
    assert_false(st.set[V2T2_SET_TOUCH]);
    body = json_pack("{s:s}", "tech", "high");
    assert_int_equal(v2t2_settings_apply_json(&st, body, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "tech");
    json_decref(body);
    body = json_pack("{s:f}", "period_days", 0.5);
    assert_int_equal(v2t2_settings_apply_json(&st, body, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "period_days");
    json_decref(body);
    body = json_object();
    assert_int_equal(v2t2_settings_apply_json(&st, body, &field, &err), KITH_EINVAL);
    assert_null(field);
    json_decref(body);
    json_t *o = v2t2_settings_json(&st, "North");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(o, "source"), "value_rep")), "unit");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "source"), "touch")),
                        "default");
    assert_true(json_real_value(json_object_get(json_object_get(o, "settings"), "value_rep")) ==
                0.8);
    json_decref(o);
}

/*
 * Customers: account 1001 of unit 1 (with settings), account 1002 of unit 3 (none), and contact
 * 3 without an account in unit 2 (with settings). Contacts 1 and 2 are in unit 2 themselves: the
 * account's unit, not its contacts', judges an account's relationship.
 */
static void judging_by_the_relationships_unit(void **state)
{
    (void)state;
    struct rv_builder *b = fx_builder();
    fx_contact(b, 1, 1001, 20, 2, 200, NULL);
    fx_contact(b, 2, 1002, 20, 2, 200, NULL);
    fx_contact(b, 3, 0, 20, 2, 200, NULL);
    fx_begin(b);
    struct rv_snapshot *s = fx_finish(b);
    struct v2t2_account_rec accounts[] = {{1001, 1}, {1002, 3}};
    struct v2t2_settings settings[2];
    v2t2_settings_defaults(&settings[0], 1);
    settings[0].set[V2T2_SET_VALUE_CUSTOMER] = true;
    settings[0].v[V2T2_SET_VALUE_CUSTOMER] = 3;
    v2t2_settings_defaults(&settings[1], 2);
    settings[1].set[V2T2_SET_TOUCH] = true;
    settings[1].v[V2T2_SET_TOUCH] = 0.9;
    struct v2t2_data d = {
        .accounts = accounts, .naccounts = 2, .settings = settings, .nsettings = 2};
    struct v2t2_judging j;
    assert_int_equal(v2t2_judging_make(s, &d, NULL, &j, NULL), 0);
    assert_int_equal(j.n, 3);
    assert_non_null(j.of);
    assert_int_equal(s->nacct, 2);
    const struct v2t2_config cfg = v2t2_judging_config(&j);
    /* 1001: unit 1's value_customer, the default touch */
    assert_int_equal(j.judge[j.of[0]].unit_id, 1);
    assert_true(v2t2_config_of(&cfg, 0)->value[V2T2_POV_CUSTOMER] == 3);
    assert_true(v2t2_config_of(&cfg, 0)->tone.touch == 0.5);
    assert_int_equal(j.judge[j.of[0]].source[V2T2_SET_VALUE_CUSTOMER], V2T2_FROM_UNIT);
    assert_int_equal(j.judge[j.of[0]].source[V2T2_SET_TOUCH], V2T2_FROM_DEFAULT);
    /* 1002: unit 3 has no settings: the defaults */
    assert_int_equal(j.of[1], 0);
    assert_int_equal(j.judge[0].unit_id, 0);
    assert_true(v2t2_config_of(&cfg, 1)->value[V2T2_POV_CUSTOMER] == 1);
    /* contact 3, without an account: its own unit 2 */
    const int32_t c3 = rv_snapshot_contact(s, 3);
    assert_true(c3 >= 0);
    assert_int_equal(j.judge[j.of[s->nacct + (size_t)c3]].unit_id, 2);
    assert_true(v2t2_config_of(&cfg, s->nacct + (size_t)c3)->tone.touch == 0.9);
    v2t2_judging_release(&j);
    /* an override wins in every set and says so */
    struct v2t2_params p;
    memset(&p, 0, sizeof(p));
    param_defaults(&analysis_v2t2, &p);
    const struct param_spec *spec =
        param_find(&analysis_v2t2, v2t2_def(V2T2_DISCORD)->group, "value_customer", false);
    assert_int_equal(param_set(&analysis_v2t2, spec, &p, "2", "value_customer", NULL), 0);
    assert_int_equal(v2t2_judging_make(s, &d, &p, &j, NULL), 0);
    for (size_t i = 0; i < j.n; i++) {
        assert_true(j.set[i].value[V2T2_POV_CUSTOMER] == 2);
        assert_int_equal(j.judge[i].source[V2T2_SET_VALUE_CUSTOMER], V2T2_FROM_OVERRIDE);
    }
    assert_int_equal(j.judge[j.of[s->nacct + (size_t)c3]].source[V2T2_SET_TOUCH], V2T2_FROM_UNIT);
    v2t2_judging_release(&j);
    /* no settings anywhere: one set, the defaults, for every customer */
    d.nsettings = 0;
    assert_int_equal(v2t2_judging_make(s, &d, NULL, &j, NULL), 0);
    assert_int_equal(j.n, 1);
    assert_null(j.of);
    for (int i = 0; i < V2T2_NSETTINGS; i++)
        assert_int_equal(j.judge[0].source[i], V2T2_FROM_DEFAULT);
    v2t2_judging_release(&j);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_list_and_check),
        cmocka_unit_test(params_follow_the_model),
        cmocka_unit_test(assign_and_json),
        cmocka_unit_test(judging_by_the_relationships_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
