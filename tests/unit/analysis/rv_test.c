/*
 * rv_test.c - tests of the RV family (src/analysis/rv*.c) on a hand-made snapshot: the table's
 * defaults are the engine's, the CLI's old spellings set the API's parameters, each run function
 * turns parameters into a report (filters, masks, the own unit, the noise, the indicator's
 * population), errors name the parameter at fault, and the JSON and text writers need nothing
 * but the report.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/rv.h"
#include "io/rv_json.h"
#include "support/rvfixture.h"

/*
 * Team Alpha (unit North): contacts 1..10 with a visit on day 0 (RV 2), contact 11 with a
 * contract (RV 20): ahead of its team. Team Beta (unit South): contacts 21..30 with a contract,
 * contact 31 with a visit: behind. Contact 99 has no team or unit.
 */
static struct rv_snapshot *two_teams(void)
{
    struct rv_builder *b = fx_builder();
    for (int c = 1; c <= 11; c++)
        fx_contact(b, c, 0, 10, 1, 100, "Food");
    for (int c = 21; c <= 31; c++)
        fx_contact(b, c, 0, 20, 2, 200, "Steel");
    fx_contact(b, 99, 0, 0, 0, 0, NULL);
    fx_begin(b);
    int64_t id = 1;
    for (int c = 1; c <= 11; c++) {
        struct rv_interaction_in r = fx_row(id++, c, c == 11 ? 4 : 1, 0);
        r.user_id = 100;
        fx_add(b, r);
    }
    for (int c = 21; c <= 31; c++) {
        struct rv_interaction_in r = fx_row(id++, c, c == 31 ? 1 : 4, 0);
        r.user_id = 200;
        fx_add(b, r);
    }
    fx_add(b, fx_row(id++, 99, 1, 0));
    return fx_finish(b);
}

/* The contacts of team Beta. */
static void beta_mask(const struct rv_snapshot *s, struct rv_mask *m)
{
    m->n = s->nc;
    m->bits = calloc(s->nc, 1);
    assert_non_null(m->bits);
    for (int64_t id = 21; id <= 31; id++)
        m->bits[rv_snapshot_contact(s, id)] = 1;
}

static void defaults(struct rv_params *p)
{
    memset(p, 0x5a, sizeof(*p));
    param_defaults(&analysis_rv, p);
    p->as_of = fx_ms(30);
    p->head.given |=
        (uint64_t)1 << param_index(&analysis_rv, param_find(&analysis_rv, RV_NORM, "as_of", false));
}

/* Sets the API parameter name of analysis group to value (as the API's door does). */
static void set(struct rv_params *p, uint64_t group, const char *name, const char *value)
{
    struct kith_error err = {0};
    const struct param_spec *s = param_find(&analysis_rv, group, name, false);
    assert_non_null(s);
    if (param_set(&analysis_rv, s, p, value, name, &err) < 0)
        fail_msg("%s=%s: %s", name, value, err.msg);
}

static int run(const char *name, const struct rv_source *src, const struct rv_params *p,
               struct rv_report *r, struct rv_error *err)
{
    const struct analysis_def *def = analysis_find(&analysis_rv, name);
    assert_non_null(def);
    memset(err, 0, sizeof(*err));
    return rv_run(def, src, p, r, err);
}

/* The report written as JSON and as text, both without a store. Returns the JSON. */
static json_t *written(const struct rv_report *r)
{
    json_t *j = rvjson_report(r);
    assert_non_null(j);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct kith_error err = {0};
    assert_int_equal(rv_report_print(r, out, &err), 0);
    fclose(out);
    assert_true(len > 0);
    free(text);
    return j;
}

static void defaults_are_the_engines(void **state)
{
    (void)state;
    struct rv_params p;
    defaults(&p);
    assert_string_equal(p.by, "team");
    assert_int_equal(p.bucket_days, NORM_BUCKET_DEFAULT);
    assert_int_equal(p.min_n, NORM_MIN_N_DEFAULT);
    assert_int_equal(p.max_age_days, 0);
    assert_int_equal(p.k, COMPARE_K_DEFAULT);
    assert_true(p.epsilon == 0);
    assert_true(p.clip_lo == COMPARE_CLIP_LO_DEFAULT);
    assert_true(p.clip_hi == COMPARE_CLIP_HI_DEFAULT);
    assert_int_equal(p.resamples, INDICATOR_RESAMPLES_DEFAULT);
    assert_int_equal(p.seed, INDICATOR_SEED_DEFAULT);
    assert_int_equal(p.per, INDICATOR_PER_ACCOUNT);
    assert_int_equal(p.status, RV_STATUS_BOTH);
    assert_int_equal(p.limit, 50);
    assert_true(p.half_life_days == 90);
    assert_int_equal(p.threads, 2);
    assert_false(p.json);
    assert_null(p.db);
    assert_null(p.unit);
    assert_null(p.clip);
}

static void old_cli_spellings_set_the_api_parameters(void **state)
{
    (void)state;
    static const struct {
        uint64_t group;
        const char *cli, *api, *value;
        size_t offset;
    } pairs[] = {
        {RV_NORM, "max-age", "max_age_days", "30", offsetof(struct rv_params, max_age_days)},
        {RV_INDICATOR, "window", "window_days", "365", offsetof(struct rv_params, window_days)},
        {RV_INDICATOR, "horizon", "horizon_days", "90", offsetof(struct rv_params, horizon_days)},
        {RV_NORM, "bucket-days", "bucket_days", "14", offsetof(struct rv_params, bucket_days)},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        struct rv_params c, a;
        struct kith_error err = {0};
        char opt[64];
        snprintf(opt, sizeof(opt), "--%s", pairs[i].cli);
        char *argv[] = {"x", opt, (char *)pairs[i].value};
        const char *pos[1];
        size_t npos;
        defaults(&c);
        defaults(&a);
        assert_int_equal(
            param_parse_argv(&analysis_rv, pairs[i].group, 3, argv, 1, &c, pos, 0, &npos, &err), 0);
        set(&a, pairs[i].group, pairs[i].api, pairs[i].value);
        assert_memory_equal((char *)&c + pairs[i].offset, (char *)&a + pairs[i].offset,
                            sizeof(int64_t));
        assert_null(param_find(&analysis_rv, pairs[i].group, pairs[i].cli, false));
    }
    struct rv_params c, a;
    char *argv[] = {"contact", "--half-life", "30"};
    const char *pos[1];
    size_t npos;
    defaults(&c);
    defaults(&a);
    assert_int_equal(
        param_parse_argv(&analysis_rv, RV_CONTACT, 3, argv, 1, &c, pos, 0, &npos, NULL), 0);
    set(&a, RV_CONTACT, "half_life_days", "30");
    assert_true(c.half_life_days == 30 && a.half_life_days == 30);
    /* the CLI's door options and the unit shown exactly are not query parameters */
    const char *cli_only[] = {"db", "json", "threads", "unit", "clip"};
    for (size_t i = 0; i < sizeof(cli_only) / sizeof(cli_only[0]); i++)
        assert_true(param_find(&analysis_rv, RV_UNITS, cli_only[i], false)->cli_only);
}

static void norm_reads_its_filters_once(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    set(&p, RV_NORM, "by", "industry");
    set(&p, RV_NORM, "where", "team=Alpha");
    set(&p, RV_NORM, "every", "2");
    assert_int_equal(run("norm", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.norm.norm->ngroups, 1);
    assert_int_equal(r.u.norm.norm->groups[0].members, 11);
    assert_int_equal(r.u.norm.norm->spec.nfilters, 1);
    json_t *j = written(&r);
    assert_string_equal(json_string_value(json_object_get(j, "by")), "industry");
    json_t *rows = json_object_get(json_array_get(json_object_get(j, "groups"), 0), "rows");
    assert_int_equal(json_array_size(rows), 3); /* ages 0, 14, 28 of 0..28 */
    json_decref(j);
    rv_report_release(&r);

    static const struct {
        const char *name, *value, *param;
    } bad[] = {
        {"by", "colour", "by"},
        {"where", "team", "where"},
        {"where", "colour=x", "where"},
        {"where", "all=x", "where"},
        {"where", "team=Nowhere", "where"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        defaults(&p);
        set(&p, RV_NORM, bad[i].name, bad[i].value);
        assert_int_equal(run("norm", &src, &p, &r, &err), KITH_EINVAL);
        assert_non_null(err.param);
        assert_string_equal(err.param, bad[i].param);
        rv_report_release(&r);
    }
    rv_snapshot_free(s);
}

static void exceptions_are_the_callers(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    assert_int_equal(run("exceptions", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.exceptions.count, 2);
    assert_int_equal(r.u.exceptions.shown, 2);
    json_t *j = written(&r);
    json_t *e = json_array_get(json_object_get(j, "exceptions"), 0);
    assert_true(json_is_null(json_object_get(e, "contact_name"))); /* no store: no names */
    json_decref(j);
    rv_report_release(&r);

    set(&p, RV_EXCEPTIONS, "limit", "1");
    assert_int_equal(run("exceptions", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.exceptions.count, 2);
    assert_int_equal(r.u.exceptions.shown, 1);
    rv_report_release(&r);

    struct rv_mask beta;
    beta_mask(s, &beta);
    src.mask = &beta;
    defaults(&p);
    set(&p, RV_EXCEPTIONS, "status", "ahead");
    assert_int_equal(run("exceptions", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.exceptions.count, 0); /* Alpha's contact 11 is not the caller's */
    rv_report_release(&r);
    defaults(&p);
    assert_int_equal(run("exceptions", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.exceptions.count, 1);
    assert_int_equal(
        r.u.exceptions.snap->cid[r.u.exceptions.norm->positions[r.u.exceptions.idx[0]].contact],
        31);
    rv_report_release(&r);
    rv_mask_release(&beta);
    rv_snapshot_free(s);
}

static void contact_outside_the_mask_is_not_found(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    p.contact_id = 11;
    assert_int_equal(run("contact", &src, &p, &r, &err), 0);
    const struct rv_contact_report *c = &r.u.contact;
    assert_int_equal(c->state.rv, 20);
    assert_int_equal(c->age_days, 30);
    assert_int_equal(c->npattern, 5);
    assert_int_equal(c->npositions, 1);
    assert_int_equal(c->positions[0].status, NORM_AHEAD);
    assert_null(c->name);
    json_t *j = written(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "contact_id")), 11);
    assert_true(json_is_null(json_object_get(j, "contact_name")));
    assert_int_equal(json_array_size(json_object_get(j, "pattern")), 5);
    json_decref(j);
    rv_report_release(&r);

    struct rv_mask beta;
    beta_mask(s, &beta);
    src.mask = &beta;
    assert_int_equal(run("contact", &src, &p, &r, &err), KITH_ENOTFOUND);
    assert_null(err.param);
    rv_report_release(&r);
    p.contact_id = 12345;
    src.mask = NULL;
    assert_int_equal(run("contact", &src, &p, &r, &err), KITH_ENOTFOUND);
    rv_report_release(&r);
    rv_mask_release(&beta);
    rv_snapshot_free(s);
}

static void reps_name_their_bad_parameters(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    set(&p, RV_REPS, "team", "Beta");
    assert_int_equal(run("reps", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.reps.n, 1);
    assert_int_equal(r.u.reps.rows[0].interactions, 11);
    json_decref(written(&r));
    rv_report_release(&r);
    defaults(&p);
    set(&p, RV_REPS, "team", "Nowhere");
    assert_int_equal(run("reps", &src, &p, &r, &err), KITH_EINVAL);
    assert_string_equal(err.param, "team");
    rv_report_release(&r);
    defaults(&p);
    set(&p, RV_REPS, "from", "2024-02-01");
    set(&p, RV_REPS, "to", "2024-01-01");
    assert_int_equal(run("reps", &src, &p, &r, &err), KITH_EINVAL);
    assert_string_equal(err.param, "to");
    rv_report_release(&r);
    rv_snapshot_free(s);
}

static void units_clip_own_unit_and_noise(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    p.clip = "-5:50"; /* --clip, as the CLI sets it */
    set(&p, RV_UNITS, "k", "3");
    assert_int_equal(run("units", &src, &p, &r, &err), 0);
    assert_true(r.u.units.cmp->clip_lo == -5 && r.u.units.cmp->clip_hi == 50);
    assert_int_equal(r.u.units.cmp->k, 3);
    for (size_t i = 0; i < r.u.units.cmp->ncells; i++)
        assert_false(r.u.units.cmp->cells[i].own || r.u.units.cmp->cells[i].noised);
    json_decref(written(&r));
    rv_report_release(&r);

    /* the API's caller of unit South: its own cells exact, the others noised */
    defaults(&p);
    set(&p, RV_UNITS, "epsilon", "1");
    src.own_unit_id = 2;
    assert_int_equal(run("units", &src, &p, &r, &err), 0);
    size_t own = 0, noised = 0;
    for (size_t i = 0; i < r.u.units.cmp->ncells; i++) {
        own += r.u.units.cmp->cells[i].own;
        noised += r.u.units.cmp->cells[i].noised;
        assert_false(r.u.units.cmp->cells[i].own && r.u.units.cmp->cells[i].noised);
    }
    assert_int_equal(own, 4); /* all stages, and three stages */
    assert_true(noised > 0);
    assert_true(r.u.units.cmp->epsilon == 1);
    json_decref(written(&r));
    rv_report_release(&r);
    src.own_unit_id = 0;

    static const struct {
        const char *clip, *name, *value, *param;
    } bad[] = {
        {"5", NULL, NULL, "clip"},           {"5:x", NULL, NULL, "clip"},
        {"-5:50", "clip_lo", "0", "clip"},   {"50:-5", NULL, NULL, "clip"},
        {NULL, "clip_lo", "100", "clip_hi"}, {NULL, "unit", "Nowhere", "unit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        defaults(&p);
        p.clip = bad[i].clip;
        if (bad[i].name && strcmp(bad[i].name, "unit") == 0)
            p.unit = bad[i].value;
        else if (bad[i].name)
            set(&p, RV_UNITS, bad[i].name, bad[i].value);
        if (bad[i].name && strcmp(bad[i].name, "clip_lo") == 0 && !bad[i].clip)
            set(&p, RV_UNITS, "clip_hi", "50");
        assert_int_equal(run("units", &src, &p, &r, &err), KITH_EINVAL);
        assert_non_null(err.param);
        assert_string_equal(err.param, bad[i].param);
        rv_report_release(&r);
    }
    rv_snapshot_free(s);
}

static void indicator_population_follows_the_outcome(void **state)
{
    (void)state;
    struct rv_snapshot *s = two_teams();
    struct rv_source src = {.snap = s, .nthreads = 1};
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
    defaults(&p);
    set(&p, RV_INDICATOR, "cutoff", "2024-01-15");
    set(&p, RV_INDICATOR, "window_days", "30");
    set(&p, RV_INDICATOR, "horizon_days", "30");
    set(&p, RV_INDICATOR, "outcome", "churn");
    set(&p, RV_INDICATOR, "resamples", "10");
    /* churn studies customers by default: there are none (no orders) */
    assert_int_equal(run("indicator", &src, &p, &r, &err), KITH_EINVAL);
    assert_null(err.param);
    rv_report_release(&r);
    set(&p, RV_INDICATOR, "population", "all");
    assert_int_equal(run("indicator", &src, &p, &r, &err), 0);
    assert_false(r.u.indicator.spec.customers_only);
    assert_null(r.u.indicator.spec.population);
    assert_int_equal(r.u.indicator.result.n, 23);
    assert_int_equal(r.u.indicator.spec.seed, INDICATOR_SEED_DEFAULT);
    json_t *j = written(&r);
    assert_string_equal(json_string_value(json_object_get(j, "population")), "all");
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "churn");
    json_decref(j);
    rv_report_release(&r);

    struct rv_mask beta;
    beta_mask(s, &beta);
    src.mask = &beta;
    assert_int_equal(run("indicator", &src, &p, &r, &err), 0);
    assert_int_equal(r.u.indicator.result.n, 11); /* the caller's contacts only */
    rv_report_release(&r);
    rv_mask_release(&beta);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_engines),
        cmocka_unit_test(old_cli_spellings_set_the_api_parameters),
        cmocka_unit_test(norm_reads_its_filters_once),
        cmocka_unit_test(exceptions_are_the_callers),
        cmocka_unit_test(contact_outside_the_mask_is_not_found),
        cmocka_unit_test(reps_name_their_bad_parameters),
        cmocka_unit_test(units_clip_own_unit_and_noise),
        cmocka_unit_test(indicator_population_follows_the_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
