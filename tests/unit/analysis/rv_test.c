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

/* A policy that leaves k and epsilon to the caller. */
static const struct store_privacy_policy open_policy = {.role = "admin",
                                                        .min_k = 1,
                                                        .max_epsilon = 1000,
                                                        .require_noise = false,
                                                        .daily_budget = STORE_PRIVACY_NO_LIMIT};

/* What each test works on: the snapshot, a door's source, parameters, the last report. */
struct world {
    struct rv_snapshot *s;
    struct rv_mask beta;
    struct rv_scope src;
    struct rv_params p;
    struct rv_report r;
    struct rv_error err;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    assert_non_null(w);
    w->s = two_teams();
    beta_mask(w->s, &w->beta);
    w->src = (struct rv_scope){.snap = w->s, .nthreads = 1};
    defaults(&w->p);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    rv_report_release(&w->r);
    rv_mask_release(&w->beta);
    rv_snapshot_free(w->s);
    free(w);
    return 0;
}

/* Runs analysis name over w (the previous report released first). */
static int run(struct world *w, const char *name)
{
    const struct analysis_def *def = analysis_find(&analysis_rv, name);
    assert_non_null(def);
    rv_report_release(&w->r);
    memset(&w->err, 0, sizeof(w->err));
    return rv_run(def, &w->src, &w->p, &w->r, &w->err);
}

/* Analysis name refuses w's parameters, naming param. */
static void refused(struct world *w, const char *name, const char *param)
{
    assert_int_equal(run(w, name), KITH_EINVAL);
    assert_non_null(w->err.param);
    assert_string_equal(w->err.param, param);
}

/* The report written as JSON and as text, both without a store. Returns the JSON. */
static json_t *written(const struct rv_report *r)
{
    json_t *j = rv_report_json(r);
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
    /* k and epsilon have no default of their own: the privacy policy gives them */
    assert_null(param_find(&analysis_rv, RV_UNITS, "k", false)->def);
    assert_null(param_find(&analysis_rv, RV_UNITS, "epsilon", false)->def);
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
    struct world *w = *state;
    set(&w->p, RV_NORM, "by", "industry");
    set(&w->p, RV_NORM, "where", "team=Alpha");
    set(&w->p, RV_NORM, "every", "2");
    assert_int_equal(run(w, "norm"), 0);
    const struct norm_result *norm = w->r.u.norm.norm;
    assert_int_equal(norm->ngroups, 1);
    assert_int_equal(norm->groups[0].members, 11);
    assert_int_equal(norm->spec.nfilters, 1);
    json_t *j = written(&w->r);
    assert_string_equal(json_string_value(json_object_get(j, "by")), "industry");
    json_t *rows = json_object_get(json_array_get(json_object_get(j, "groups"), 0), "rows");
    assert_int_equal(json_array_size(rows), 3); /* ages 0, 14, 28 of 0..28 */
    json_decref(j);

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
        defaults(&w->p);
        set(&w->p, RV_NORM, bad[i].name, bad[i].value);
        refused(w, "norm", bad[i].param);
    }
}

static void exceptions_are_the_callers(void **state)
{
    struct world *w = *state;
    assert_int_equal(run(w, "exceptions"), 0);
    assert_int_equal(w->r.u.exceptions.count, 2);
    assert_int_equal(w->r.u.exceptions.shown, 2);
    json_t *j = written(&w->r);
    json_t *e = json_array_get(json_object_get(j, "exceptions"), 0);
    assert_true(json_is_null(json_object_get(e, "contact_name"))); /* no store: no names */
    json_decref(j);

    set(&w->p, RV_EXCEPTIONS, "limit", "1");
    assert_int_equal(run(w, "exceptions"), 0);
    assert_int_equal(w->r.u.exceptions.count, 2);
    assert_int_equal(w->r.u.exceptions.shown, 1);

    /* a caller of team Beta: Alpha's contact 11 is neither in the norm nor named */
    w->src.mask = &w->beta;
    defaults(&w->p);
    set(&w->p, RV_EXCEPTIONS, "status", "ahead");
    assert_int_equal(run(w, "exceptions"), 0);
    assert_int_equal(w->r.u.exceptions.count, 0);
    defaults(&w->p);
    assert_int_equal(run(w, "exceptions"), 0);
    const struct rv_exceptions_report *x = &w->r.u.exceptions;
    assert_int_equal(x->count, 1);
    assert_int_equal(x->snap->cid[x->norm->positions[x->idx[0]].contact], 31);
}

static void contact_outside_the_mask_is_not_found(void **state)
{
    struct world *w = *state;
    w->p.contact_id = 11;
    assert_int_equal(run(w, "contact"), 0);
    const struct rv_contact_report *c = &w->r.u.contact;
    assert_int_equal(c->state.rv, 20);
    assert_int_equal(c->age_days, 30);
    assert_int_equal(c->npattern, 5);
    assert_int_equal(c->npositions, 1);
    assert_int_equal(c->positions[0].status, NORM_AHEAD);
    assert_null(c->name);
    json_t *j = written(&w->r);
    assert_int_equal(json_integer_value(json_object_get(j, "contact_id")), 11);
    assert_true(json_is_null(json_object_get(j, "contact_name")));
    assert_int_equal(json_array_size(json_object_get(j, "pattern")), 5);
    json_decref(j);

    w->src.mask = &w->beta;
    assert_int_equal(run(w, "contact"), KITH_ENOTFOUND);
    assert_null(w->err.param);
    w->p.contact_id = 12345;
    w->src.mask = NULL;
    assert_int_equal(run(w, "contact"), KITH_ENOTFOUND);
}

static void reps_name_their_bad_parameters(void **state)
{
    struct world *w = *state;
    set(&w->p, RV_REPS, "team", "Beta");
    assert_int_equal(run(w, "reps"), 0);
    assert_int_equal(w->r.u.reps.n, 1);
    assert_int_equal(w->r.u.reps.rows[0].interactions, 11);
    json_decref(written(&w->r));
    defaults(&w->p);
    set(&w->p, RV_REPS, "team", "Nowhere");
    refused(w, "reps", "team");
    defaults(&w->p);
    set(&w->p, RV_REPS, "from", "2024-02-01");
    set(&w->p, RV_REPS, "to", "2024-01-01");
    refused(w, "reps", "to");
}

static void units_clip_own_unit_and_noise(void **state)
{
    struct world *w = *state;
    w->src.policy = &open_policy; /* k 3 is allowed */
    w->p.clip = "-5:50";          /* --clip, as the CLI sets it */
    set(&w->p, RV_UNITS, "k", "3");
    assert_int_equal(run(w, "units"), 0);
    const struct compare_result *cmp = w->r.u.units.cmp;
    assert_true(cmp->clip_lo == -5 && cmp->clip_hi == 50);
    assert_int_equal(cmp->k, 3);
    for (size_t i = 0; i < cmp->ncells; i++)
        assert_false(cmp->cells[i].own || cmp->cells[i].noised);
    json_decref(written(&w->r));

    /* the API's caller of unit South: its own cells exact, the others noised */
    w->src.policy = NULL; /* the strictest default */
    defaults(&w->p);
    set(&w->p, RV_UNITS, "epsilon", "1");
    w->src.own_unit_id = 2;
    assert_int_equal(run(w, "units"), 0);
    cmp = w->r.u.units.cmp;
    size_t own = 0, noised = 0;
    for (size_t i = 0; i < cmp->ncells; i++) {
        own += cmp->cells[i].own;
        noised += cmp->cells[i].noised;
        assert_false(cmp->cells[i].own && cmp->cells[i].noised);
    }
    assert_int_equal(own, 4); /* all stages, and three stages */
    assert_true(noised > 0);
    assert_true(cmp->epsilon == 1);
    json_decref(written(&w->r));
    w->src.own_unit_id = 0;

    static const struct {
        const char *clip, *lo, *hi, *unit, *param;
    } bad[] = {
        {"5", NULL, NULL, NULL, "clip"},      {"5:x", NULL, NULL, NULL, "clip"},
        {"-5:50", "0", NULL, NULL, "clip"},   {"50:-5", NULL, NULL, NULL, "clip"},
        {NULL, "100", "50", NULL, "clip_hi"}, {NULL, NULL, NULL, "Nowhere", "unit"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        defaults(&w->p);
        w->p.clip = bad[i].clip;
        w->p.unit = bad[i].unit;
        if (bad[i].lo)
            set(&w->p, RV_UNITS, "clip_lo", bad[i].lo);
        if (bad[i].hi)
            set(&w->p, RV_UNITS, "clip_hi", bad[i].hi);
        refused(w, "units", bad[i].param);
    }
}

/* The figures of every cell of the last units report, in order, for comparing two runs. */
static size_t cell_figures(const struct world *w, double *out, size_t max)
{
    const struct compare_result *cmp = w->r.u.units.cmp;
    size_t n = 0;
    for (size_t i = 0; i < cmp->ncells && n + 7 <= max; i++) {
        const struct compare_cell *c = &cmp->cells[i];
        const double v[7] = {c->n, c->mean, c->p10, c->p25, c->p50, c->p75, c->p90};
        for (int j = 0; j < 7; j++)
            out[n++] = isnan(v[j]) ? -1e300 : v[j];
    }
    return n;
}

/*
 * The policy bounds k and epsilon: a caller may ask for more privacy, never less. k below
 * min_k is raised, epsilon above max_epsilon lowered, epsilon 0 refused where noise is
 * required; not given, they are the policy's.
 */
static void units_follow_the_privacy_policy(void **state)
{
    struct world *w = *state;
    const struct store_privacy_policy partner = {.role = "partner",
                                                 .min_k = 10,
                                                 .max_epsilon = 1,
                                                 .require_noise = true,
                                                 .daily_budget = STORE_PRIVACY_NO_LIMIT};
    const struct store_privacy_policy admin = {.role = "admin",
                                               .min_k = 10,
                                               .max_epsilon = 1000,
                                               .require_noise = false,
                                               .daily_budget = STORE_PRIVACY_NO_LIMIT};
    w->src.policy = &partner;
    assert_int_equal(run(w, "units"), 0); /* nothing asked: the policy's k and epsilon */
    assert_int_equal(w->r.u.units.cmp->k, 10);
    assert_true(w->r.u.units.cmp->epsilon == 1);
    assert_false(w->r.u.units.privacy.k_raised || w->r.u.units.privacy.epsilon_lowered);

    set(&w->p, RV_UNITS, "k", "1");
    set(&w->p, RV_UNITS, "epsilon", "1000");
    assert_int_equal(run(w, "units"), 0);
    assert_int_equal(w->r.u.units.cmp->k, 10);
    assert_true(w->r.u.units.cmp->epsilon == 1);
    assert_true(w->r.u.units.privacy.k_raised && w->r.u.units.privacy.epsilon_lowered);
    assert_int_equal(w->r.u.units.privacy.k_requested, 1);
    json_t *j = written(&w->r), *pv = json_object_get(j, "privacy");
    assert_true(json_is_true(json_object_get(pv, "k_raised")));
    assert_true(json_real_value(json_object_get(pv, "epsilon_requested")) == 1000);
    assert_string_equal(json_string_value(json_object_get(json_object_get(pv, "policy"), "role")),
                        "partner");
    assert_true(json_is_null(json_object_get(pv, "budget"))); /* no user: no budget */
    json_decref(j);
    /* the contact alone in no unit never shows, whatever k is asked */
    for (size_t i = 0; i < w->r.u.units.cmp->ncells; i++)
        if (w->r.u.units.cmp->cells[i].unit < 0)
            assert_true(w->r.u.units.cmp->cells[i].suppressed);

    defaults(&w->p);
    set(&w->p, RV_UNITS, "epsilon", "0");
    refused(w, "units", "epsilon");
    assert_non_null(strstr(w->err.err.msg, "requires noise"));

    defaults(&w->p);
    set(&w->p, RV_UNITS, "epsilon", "0.5"); /* more privacy than the policy's: kept */
    set(&w->p, RV_UNITS, "k", "12");
    assert_int_equal(run(w, "units"), 0);
    assert_int_equal(w->r.u.units.cmp->k, 12);
    assert_true(w->r.u.units.cmp->epsilon == 0.5);

    w->src.policy = &admin; /* exact figures allowed: none by default, k still at least 10 */
    defaults(&w->p);
    set(&w->p, RV_UNITS, "k", "2");
    assert_int_equal(run(w, "units"), 0);
    assert_int_equal(w->r.u.units.cmp->k, 10);
    assert_true(w->r.u.units.cmp->epsilon == 0);
    defaults(&w->p);
    set(&w->p, RV_UNITS, "epsilon", "0");
    assert_int_equal(run(w, "units"), 0);
}

/* One query over one data version gets the same noise; another query gets other noise. */
static void units_noise_is_the_querys(void **state)
{
    struct world *w = *state;
    double a[512], b[512];
    set(&w->p, RV_UNITS, "epsilon", "100");
    set(&w->p, RV_UNITS, "k", "1");
    w->src.policy = &open_policy; /* a large epsilon, so that the small cells show */
    assert_int_equal(run(w, "units"), 0);
    size_t na = cell_figures(w, a, 512);
    size_t shown = 0;
    for (size_t i = 0; i < w->r.u.units.cmp->ncells; i++)
        shown += !w->r.u.units.cmp->cells[i].suppressed;
    assert_true(shown > 2);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(run(w, "units"), 0);
        assert_int_equal(cell_figures(w, b, 512), na);
        assert_memory_equal(a, b, na * sizeof(double));
    }
    /* as_of is not part of the query: the data it selects is (nothing happened since day 0) */
    w->p.as_of = fx_ms(40);
    assert_int_equal(run(w, "units"), 0);
    cell_figures(w, b, 512);
    assert_memory_equal(a, b, na * sizeof(double));
    static const char *const other[][2] = {{"k", "2"}, {"epsilon", "99"}, {"clip_hi", "9999"}};
    for (size_t q = 0; q < sizeof(other) / sizeof(other[0]); q++) {
        defaults(&w->p);
        if (strcmp(other[q][0], "epsilon") != 0)
            set(&w->p, RV_UNITS, "epsilon", "100");
        if (strcmp(other[q][0], "k") != 0)
            set(&w->p, RV_UNITS, "k", "1");
        set(&w->p, RV_UNITS, other[q][0], other[q][1]);
        assert_int_equal(run(w, "units"), 0);
        cell_figures(w, b, 512);
        if (memcmp(a, b, na * sizeof(double)) == 0)
            fail_msg("%s=%s drew the same noise", other[q][0], other[q][1]);
    }
    defaults(&w->p); /* another caller's unit */
    set(&w->p, RV_UNITS, "epsilon", "100");
    set(&w->p, RV_UNITS, "k", "1");
    w->src.own_unit_id = 2;
    assert_int_equal(run(w, "units"), 0);
    cell_figures(w, b, 512);
    assert_true(memcmp(a, b, na * sizeof(double)) != 0);
    w->src.own_unit_id = 0;
}

static void indicator_population_follows_the_outcome(void **state)
{
    struct world *w = *state;
    set(&w->p, RV_INDICATOR, "cutoff", "2024-01-15");
    set(&w->p, RV_INDICATOR, "window_days", "30");
    set(&w->p, RV_INDICATOR, "horizon_days", "30");
    set(&w->p, RV_INDICATOR, "outcome", "churn");
    set(&w->p, RV_INDICATOR, "resamples", "10");
    /* churn studies customers by default: there are none (no orders) */
    assert_int_equal(run(w, "indicator"), KITH_EINVAL);
    assert_null(w->err.param);
    set(&w->p, RV_INDICATOR, "population", "all");
    assert_int_equal(run(w, "indicator"), 0);
    const struct rv_indicator_report *x = &w->r.u.indicator;
    assert_false(x->spec.customers_only);
    assert_null(x->spec.population);
    assert_int_equal(x->result.n, 23);
    assert_int_equal(x->spec.seed, INDICATOR_SEED_DEFAULT);
    json_t *j = written(&w->r);
    assert_string_equal(json_string_value(json_object_get(j, "population")), "all");
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "churn");
    json_decref(j);

    w->src.mask = &w->beta;
    assert_int_equal(run(w, "indicator"), 0);
    assert_int_equal(w->r.u.indicator.result.n, 11); /* the caller's contacts only */
}

#define WORLD_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_engines),
        cmocka_unit_test(old_cli_spellings_set_the_api_parameters),
        WORLD_TEST(norm_reads_its_filters_once),
        WORLD_TEST(exceptions_are_the_callers),
        WORLD_TEST(contact_outside_the_mask_is_not_found),
        WORLD_TEST(reps_name_their_bad_parameters),
        WORLD_TEST(units_clip_own_unit_and_noise),
        WORLD_TEST(units_follow_the_privacy_policy),
        WORLD_TEST(units_noise_is_the_querys),
        WORLD_TEST(indicator_population_follows_the_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
