/*
 * export_test.c - tests of src/io/export.c: the CSV and JSON-lines forms of every field type,
 * secret fields left out, formula injection neutralised in text cells only, shortest reals,
 * and that docs/import-export.md holds the generated column reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

static struct store_value text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static struct store_value num(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value real(double r)
{
    return (struct store_value){.kind = SV_REAL, .r = r};
}

static const struct store_value null = {.kind = SV_NULL};

static void insert(struct store *s, const char *tname, const struct store_value *vals)
{
    struct kith_error err = {0};
    if (store_insert(s, model_table(tname), vals, NULL, &err) != 0)
        fail_msg("insert into %s: %s", tname, err.msg);
}

static int setup(void **state)
{
    struct db_fixture *fx = db_fixture_open("export.db");
    const struct store_value unit[] = {
        num(1), num(1714564800123), text("U-1"), text("HQ"), text("manufacturer"), null, num(0)};
    insert(fx->s, "units", unit);
    const struct store_value user[] = {
        num(1), num(0),    text("ann@example.com"),  text("=Ann"), text("admin"), num(1),
        null,   num(-300), text("$argon2id$secret"), num(1),       null};
    insert(fx->s, "users", user);
    const struct store_value itype[] = {num(1),
                                        num(-1),
                                        text("call"),
                                        text("Call, \"cold\""),
                                        text("acquisition"),
                                        num(2),
                                        text("phone"),
                                        real(0.1),
                                        real(1.0 / 3.0),
                                        num(-5),
                                        num(1250),
                                        num(0),
                                        num(1),
                                        text("line one\nline two\t+tab")};
    insert(fx->s, "interaction_types", itype);
    const struct store_value account[] = {num(7),       num(1714564800000),
                                          null,         text("-Minus Corp"),
                                          text(""),     text("@territory"),
                                          num(123456),  text("+big"),
                                          text("EUR"),  text("\rsource"),
                                          num(1),       null,
                                          null,         text("{\"tier\": \"A\", \"n\": [1, 2.5]}"),
                                          null,         null,
                                          num(9876543), num(2026)};
    insert(fx->s, "accounts", account);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    db_fixture_close(*state);
    return 0;
}

static char *export(struct store *s, const char *tname, enum export_format f)
{
    return export_to_string(s, model_table(tname), f);
}

static void csv_writes_each_type_in_its_form(void **state)
{
    struct db_fixture *fx = *state;
    char *csv = export(fx->s, "units", EXPORT_CSV);
    assert_string_equal(csv, "id,created_at,external_id,name,kind,parent_id,shares_detail\n"
                             "1,2024-05-01T12:00:00.123Z,U-1,HQ,manufacturer,,false\n");
    free(csv);
    csv = export(fx->s, "interaction_types", EXPORT_CSV);
    assert_string_equal(csv, "id,created_at,code,name,phase,level,channel,touch,tech,rv,cost,"
                             "is_trigger,is_voc,description\n"
                             "1,1969-12-31T23:59:59.999Z,call,\"Call, \"\"cold\"\"\",acquisition,2,"
                             "phone,0.1,0.3333333333333333,-5,12.50,false,true,"
                             "\"line one\nline two\t+tab\"\n");
    free(csv);
}

static void csv_leaves_out_secrets(void **state)
{
    struct db_fixture *fx = *state;
    char *csv = export(fx->s, "users", EXPORT_CSV);
    assert_string_equal(csv, "id,created_at,email,name,role,unit_id,team_id,hourly_cost,disabled,"
                             "manager_id\n"
                             "1,1970-01-01T00:00:00.000Z,ann@example.com,'=Ann,admin,1,,-3.00,"
                             "true,\n");
    assert_null(strstr(csv, "argon2"));
    free(csv);
}

static void csv_neutralises_formulas_in_text_only(void **state)
{
    struct db_fixture *fx = *state;
    char *csv = export(fx->s, "accounts", EXPORT_CSV);
    /* Text starting with - + @ CR gets a quote; the money 1234.56 and the JSON do not; the
     * empty string is "" and NULL is nothing. */
    assert_string_equal(csv,
                        "id,created_at,external_id,name,industry,territory,annual_revenue,"
                        "revenue_band,currency,source,owner_id,unit_id,team_id,custom,parent_id,"
                        "employees,wallet,wallet_year\n"
                        "7,2024-05-01T12:00:00.000Z,,'-Minus Corp,\"\",'@territory,1234.56,"
                        "'+big,EUR,\"'\rsource\",1,,,\"{\"\"tier\"\": \"\"A\"\", \"\"n\"\":"
                        " [1, 2.5]}\",,,98765.43,2026\n");
    free(csv);
}

static void jsonl_writes_objects_with_jansson(void **state)
{
    struct db_fixture *fx = *state;
    char *j = export(fx->s, "users", EXPORT_JSONL);
    assert_string_equal(j, "{\"id\":1,\"created_at\":\"1970-01-01T00:00:00.000Z\","
                           "\"email\":\"ann@example.com\",\"name\":\"=Ann\",\"role\":\"admin\","
                           "\"unit_id\":1,\"team_id\":null,\"hourly_cost\":\"-3.00\","
                           "\"disabled\":true,\"manager_id\":null}\n");
    free(j);
    j = export(fx->s, "interaction_types", EXPORT_JSONL);
    assert_string_equal(j,
                        "{\"id\":1,\"created_at\":\"1969-12-31T23:59:59.999Z\",\"code\":\"call\","
                        "\"name\":\"Call, \\\"cold\\\"\",\"phase\":\"acquisition\",\"level\":2,"
                        "\"channel\":\"phone\",\"touch\":0.1,\"tech\":0.3333333333333333,"
                        "\"rv\":-5,\"cost\":\"12.50\",\"is_trigger\":false,\"is_voc\":true,"
                        "\"description\":\"line one\\nline two\\t+tab\"}\n");
    free(j);
    j = export(fx->s, "accounts", EXPORT_JSONL);
    assert_non_null(strstr(j, ",\"custom\":{\"tier\":\"A\",\"n\":[1,2.5]},"
                              "\"parent_id\":null,\"employees\":null,\"wallet\":\"98765.43\","
                              "\"wallet_year\":2026}\n"));
    assert_non_null(strstr(j, "\"industry\":\"\",")); /* "" stays text, NULL is null */
    assert_non_null(strstr(j, "\"external_id\":null,"));
    free(j);
    j = export(fx->s, "teams", EXPORT_JSONL); /* no rows, no output */
    assert_string_equal(j, "");
    free(j);
}

static void refuses_what_cannot_be_exported(void **state)
{
    struct db_fixture *fx = *state;
    struct kith_error err = {0};
    assert_int_equal(export_table(fx->s, model_table("sessions"), EXPORT_CSV, stdout, NULL, &err),
                     KITH_EINVAL);
    assert_string_equal(err.msg, "sessions cannot be exported");
    enum export_format f;
    assert_int_equal(export_format_parse("jsonl", &f, &err), 0);
    assert_int_equal(f, EXPORT_JSONL);
    assert_int_equal(export_format_parse("xml", &f, &err), KITH_EINVAL);
    assert_string_equal(err.msg, "unknown format 'xml': expected csv or jsonl");
}

static void reals_are_shortest_round_trip(void **state)
{
    (void)state;
    const double samples[] = {
        0.1, 1.0 / 3.0,           1e-300,       5e-324, 1.7976931348623157e308, -0.0,
        100, 0.30000000000000004, 123456789.125};
    const char *const want[] = {"0.1",    "0.3333333333333333",      "1e-300",
                                "5e-324", "1.7976931348623157e+308", "-0",
                                "100",    "0.30000000000000004",     "123456789.125"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char buf[32];
        export_format_real(samples[i], buf, sizeof(buf));
        assert_string_equal(buf, want[i]);
        assert_true(strtod(buf, NULL) == samples[i]);
    }
}

static void docs_hold_the_generated_column_reference(void **state)
{
    (void)state;
    char *ref = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&ref, &size);
    assert_int_equal(export_write_columns(out, NULL, NULL), 0);
    fclose(out);
    char *doc = slurp_file(KITH_SOURCE_DIR "/docs/import-export.md");
    if (!strstr(doc, ref))
        fail_msg("docs/import-export.md is out of date: paste the output of"
                 " 'kith export --columns' into it");
    assert_non_null(strstr(ref, "| `contact_id` | id of a row of contacts | yes | or by"
                                " `contact_email`, `contact_external_id` |"));
    free(doc);
    free(ref);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(csv_writes_each_type_in_its_form),
        T(csv_leaves_out_secrets),
        T(csv_neutralises_formulas_in_text_only),
        T(jsonl_writes_objects_with_jansson),
        T(refuses_what_cannot_be_exported),
        cmocka_unit_test(reals_are_shortest_round_trip),
        cmocka_unit_test(docs_hold_the_generated_column_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
