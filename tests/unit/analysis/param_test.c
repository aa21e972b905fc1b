/*
 * param_test.c - tests of src/analysis/param.c on a small family: defaults from the table,
 * the CLI's argv and the API's name=value ending in the same values, refusals with messages
 * that name the parameter, required parameters, help text and the OpenAPI list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/param.h"

enum { A_ONE = 1 << 0, A_TWO = 1 << 1 };

struct toy {
    struct param_head head;
    int64_t horizon;
    double discount;
    int64_t as_of;
    int sort;
    bool low;
    const char *team;
    struct param_list where;
    bool json;
};

static const char *const sorts[] = {"lifetime", "current", NULL};

#define OFF(m) offsetof(struct toy, m)
static const struct param_spec specs[] = {
    {.name = "horizon",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 1200,
     .def = "36",
     .offset = OFF(horizon),
     .groups = A_ONE | A_TWO,
     .metavar = "MONTHS",
     .help = "prediction horizon in months"},
    {.name = "discount",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 10,
     .def = "0.10",
     .offset = OFF(discount),
     .groups = A_ONE,
     .help = "annual discount rate"},
    {.name = "as_of",
     .type = PARAM_TIME,
     .offset = OFF(as_of),
     .groups = A_TWO,
     .required = true,
     .help = "the as-of day"},
    {.name = "sort",
     .type = PARAM_CHOICE,
     .choices = sorts,
     .def = "current",
     .offset = OFF(sort),
     .groups = A_ONE,
     .help = "order of the list"},
    {.name = "low_value",
     .type = PARAM_FLAG,
     .offset = OFF(low),
     .groups = A_ONE,
     .help = "only the low-value customers"},
    {.name = "team",
     .type = PARAM_TEXT,
     .hi = 8,
     .offset = OFF(team),
     .groups = A_ONE,
     .help = "a team"},
    {.name = "where",
     .type = PARAM_LIST,
     .hi = 2,
     .offset = OFF(where),
     .groups = A_ONE,
     .help = "a filter"},
    {.name = "json",
     .type = PARAM_FLAG,
     .offset = OFF(json),
     .groups = A_ONE | A_TWO,
     .cli_only = true,
     .help = "JSON instead of tables"},
};
static const struct analysis_def defs[] = {
    {.name = "one", .group = A_ONE, .route = "/api/v1/toy/one", .summary = "the first"},
    {.name = "two", .group = A_TWO, .route = NULL, .args = "<id>", .summary = "the second"},
};
static const struct analysis_family toy = {"toy", specs, sizeof(specs) / sizeof(specs[0]), defs,
                                           sizeof(defs) / sizeof(defs[0])};

static void defaults_come_from_the_table(void **state)
{
    (void)state;
    struct toy t;
    memset(&t, 0x5a, sizeof(t));
    param_defaults(&toy, &t);
    assert_int_equal(t.horizon, 36);
    assert_true(t.discount == 0.10);
    assert_int_equal(t.sort, 1);
    assert_false(t.low);
    assert_null(t.team);
    assert_int_equal(t.where.n, 0);
    assert_int_equal(t.head.given, 0);
    assert_false(param_given(&toy, &t, "horizon"));
}

static void argv_and_query_agree(void **state)
{
    (void)state;
    char *argv[] = {"one",    "--horizon", "12",      "--discount=0.2", "--low-value",
                    "--sort", "lifetime",  "--where", "team=a",         "--where",
                    "unit=b", "extra",     "--json"};
    struct toy c, a;
    const char *pos[2];
    size_t npos = 0;
    struct kith_error err = {0};
    param_defaults(&toy, &c);
    assert_int_equal(param_parse_argv(&toy, A_ONE, 13, argv, 1, &c, pos, 2, &npos, &err), 0);
    assert_int_equal(npos, 1);
    assert_string_equal(pos[0], "extra");
    assert_true(c.json);

    param_defaults(&toy, &a);
    const char *q[][2] = {{"horizon", "12"},    {"discount", "0.2"}, {"low_value", "true"},
                          {"sort", "lifetime"}, {"where", "team=a"}, {"where", "unit=b"}};
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        const struct param_spec *s = param_find(&toy, A_ONE, q[i][0], false);
        assert_non_null(s);
        assert_int_equal(param_set(&toy, s, &a, q[i][1], q[i][0], &err), 0);
    }
    assert_int_equal(c.horizon, a.horizon);
    assert_int_equal(a.horizon, 12);
    assert_true(c.discount == a.discount && a.discount == 0.2);
    assert_true(c.low && a.low);
    assert_int_equal(c.sort, 0);
    assert_int_equal(a.sort, 0);
    assert_int_equal(a.where.n, 2);
    assert_string_equal(c.where.v[1], "unit=b");
    assert_true(param_given(&toy, &a, "horizon"));
    assert_false(param_given(&toy, &a, "team"));
}

static void refusals_name_the_parameter(void **state)
{
    (void)state;
    struct toy t;
    const char *pos[1];
    size_t npos;
    struct kith_error err = {0};
    struct {
        int argc;
        char *argv[4];
        const char *want;
    } cases[] = {
        {3, {"one", "--horizon", "0"}, "--horizon '0' must be a whole number from 1 to 1200"},
        {3, {"one", "--horizon", "12x"}, "--horizon"},
        {2, {"one", "--horizon"}, "--horizon needs a value"},
        {4, {"one", "--horizon=1", "--horizon", "2"}, "--horizon is given twice"},
        {3, {"one", "--sort", "best"}, "--sort 'best' must be one of: lifetime, current"},
        {2, {"one", "--low-value=1"}, "--low-value takes no value"},
        {3, {"one", "--as-of", "2024-01-01"}, "unknown option '--as-of'"},
        {2, {"one", "-x"}, "unknown option '-x'"},
        {3, {"one", "--team", "a-very-long-team"}, "--team is longer than 8 bytes"},
        {3, {"one", "a", "b"}, "unexpected argument 'b'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        param_defaults(&toy, &t);
        int rc =
            param_parse_argv(&toy, A_ONE, cases[i].argc, cases[i].argv, 1, &t, pos, 1, &npos, &err);
        if (rc == 0)
            fail_msg("case %zu was accepted", i);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.msg, cases[i].want);
    }
    param_defaults(&toy, &t);
    const struct param_spec *w = param_find(&toy, A_ONE, "where", false);
    assert_int_equal(param_set(&toy, w, &t, "a=1", "where", &err), 0);
    assert_int_equal(param_set(&toy, w, &t, "b=2", "where", &err), 0);
    assert_int_equal(param_set(&toy, w, &t, "c=3", "where", &err), KITH_ERANGE);
    assert_non_null(strstr(err.msg, "at most 2"));
}

static void required_parameters(void **state)
{
    (void)state;
    struct toy t;
    struct kith_error err = {0};
    const struct param_spec *missing = NULL;
    param_defaults(&toy, &t);
    assert_int_equal(param_check_required(&toy, A_TWO, &t, true, &missing, &err), KITH_EINVAL);
    assert_string_equal(missing->name, "as_of");
    assert_string_equal(err.msg, "--as-of is required");
    assert_int_equal(param_check_required(&toy, A_ONE, &t, false, NULL, &err), 0);
    const struct param_spec *s = param_find(&toy, A_TWO, "as_of", false);
    assert_int_equal(param_set(&toy, s, &t, "2024-05-01", "as_of", &err), 0);
    assert_int_equal(t.as_of, 1714521600000LL);
    assert_int_equal(param_check_required(&toy, A_TWO, &t, false, NULL, &err), 0);
    assert_int_equal(param_set(&toy, s, &t, "yesterday", "as_of", &err), KITH_EINVAL);
}

static void help_and_openapi_from_the_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    param_print_help(&toy, A_ONE, f);
    fclose(f);
    assert_non_null(strstr(text, "--horizon MONTHS"));
    assert_non_null(strstr(text, "[default 36]"));
    assert_non_null(strstr(text, "(lifetime|current)"));
    assert_non_null(strstr(text, "--low-value "));
    assert_null(strstr(text, "--as-of"));
    free(text);

    json_t *p = param_openapi(&toy, A_ONE);
    assert_non_null(p);
    assert_int_equal(json_array_size(p), 6); /* json is the CLI's alone */
    json_t *h = json_array_get(p, 0);
    assert_string_equal(json_string_value(json_object_get(h, "name")), "horizon");
    json_t *sch = json_object_get(h, "schema");
    assert_int_equal(json_integer_value(json_object_get(sch, "minimum")), 1);
    assert_int_equal(json_integer_value(json_object_get(sch, "maximum")), 1200);
    assert_int_equal(json_integer_value(json_object_get(sch, "default")), 36);
    json_t *sort = json_array_get(p, 2);
    assert_int_equal(json_array_size(json_object_get(json_object_get(sort, "schema"), "enum")), 2);
    json_decref(p);
    json_t *two = param_openapi(&toy, A_TWO);
    assert_true(json_is_true(json_object_get(json_array_get(two, 1), "required")));
    json_decref(two);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_come_from_the_table),    cmocka_unit_test(argv_and_query_agree),
        cmocka_unit_test(refusals_name_the_parameter),     cmocka_unit_test(required_parameters),
        cmocka_unit_test(help_and_openapi_from_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
