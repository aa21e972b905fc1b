/*
 * validate_test.c - tests of src/model/validate.c: text read into each type, the rules that
 * model/tables.c declares (email, ISO 4217 currency, ranges, enumerations, required fields),
 * that typed values (the API's JSON numbers) get the same verdict and message as their text,
 * and that the declarations themselves make sense.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/validate.h"

static const struct field_def *field(const char *table, const char *name)
{
    const struct table_def *t = model_table(table);
    assert_non_null(t);
    const struct field_def *f = table_field(t, name, NULL);
    assert_non_null(f);
    return f;
}

/* Parses text into table.name expecting success; returns the value. */
static struct field_value ok(const char *table, const char *name, const char *text)
{
    struct field_value v;
    struct kith_error err = {0};
    if (field_parse(field(table, name), text, strlen(text), &v, &err) != 0)
        fail_msg("%s.%s '%s' refused: %s", table, name, text, err.msg);
    return v;
}

/* Parses text into table.name expecting KITH_EINVAL with exactly the message want. */
static void bad(const char *table, const char *name, const char *text, const char *want)
{
    struct field_value v = {.kind = FV_INT};
    struct kith_error err = {0};
    assert_int_equal(field_parse(field(table, name), text, strlen(text), &v, &err), KITH_EINVAL);
    assert_int_equal(err.code, KITH_EINVAL);
    assert_int_equal(v.kind, FV_NULL);
    assert_string_equal(err.msg, want);
}

/* Checks a typed value of table.name expecting the message want (NULL: accepted). */
static void check(const char *table, const char *name, struct field_value v, const char *want)
{
    struct kith_error err = {0};
    int rc = field_check(field(table, name), &v, &err);
    if (!want) {
        if (rc != 0)
            fail_msg("%s.%s refused: %s", table, name, err.msg);
        return;
    }
    assert_int_equal(rc, KITH_EINVAL);
    assert_string_equal(err.msg, want);
}

static struct field_value real(double r)
{
    return (struct field_value){.kind = FV_REAL, .r = r};
}

static struct field_value integer(int64_t i)
{
    return (struct field_value){.kind = FV_INT, .i = i};
}

static struct field_value text(const char *s)
{
    return (struct field_value){.kind = FV_TEXT, .s = s, .len = strlen(s)};
}

/* ----- email --------------------------------------------------------------------------------- */

static void test_email_addresses(void **state)
{
    (void)state;
    static const char *const good[] = {
        "ann@example.com",     "x@y.z",          "First.Last+tag@mail.example.co.uk",
        "o'neil@ex-ample.org", "jörg@müller.de", "a!#$%&'*+-/=?^_`{|}~@example.com",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const char *why = NULL;
        if (!email_is_valid(good[i], strlen(good[i]), &why))
            fail_msg("'%s' refused: %s", good[i], why);
    }
    static const char *const badly[][2] = {
        {"Ann Smith", "it has a space or a control character"},
        {"annexample.com", "it has no @"},
        {"a@b@example.com", "it has more than one @"},
        {"@example.com", "nothing before the @"},
        {"ann@", "nothing after the @"},
        {"ann@localhost", "the domain after the @ needs a dot, as in example.com"},
        {".ann@example.com", "a dot at the start or end of a part, or two dots in a row"},
        {"an..n@example.com", "a dot at the start or end of a part, or two dots in a row"},
        {"ann@example.com.", "a dot at the start or end of a part, or two dots in a row"},
        {"ann@-example.com", "a part of the domain starts or ends with a hyphen"},
        {"ann@example_co.com", "a character after the @ that domain names do not use"},
        {"a(n)n@example.com", "a character before the @ that addresses do not use"},
        {"ann\t@example.com", "it has a space or a control character"},
    };
    for (size_t i = 0; i < sizeof(badly) / sizeof(badly[0]); i++) {
        const char *why = NULL;
        if (email_is_valid(badly[i][0], strlen(badly[i][0]), &why))
            fail_msg("'%s' accepted", badly[i][0]);
        assert_string_equal(why, badly[i][1]);
    }
    char local[80];
    memset(local, 'a', 65);
    memcpy(local + 65, "@example.com", 13);
    assert_false(email_is_valid(local, strlen(local), NULL));
    assert_true(email_is_valid(local + 1, strlen(local + 1), NULL)); /* 64 is the most */

    /* As a field: the message names the value, the reason and an example. */
    bad("contacts", "email", "Ann Smith",
        "bad email address 'Ann Smith': it has a space or a control character; expected one"
        " like name@example.com");
    bad("users", "email", "nobody",
        "bad email address 'nobody': it has no @; expected one like"
        " name@example.com");
    assert_int_equal(ok("contacts", "email", "").len, 0); /* empty: "required" decides */
}

/* ----- currency ------------------------------------------------------------------------------ */

static void test_currency_codes(void **state)
{
    (void)state;
    static const char *const known[] = {"AED", "CHF", "EUR", "GBP", "JPY", "MXN",
                                        "SLE", "USD", "XXX", "ZWG", "ZWL"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        assert_true(currency_is_iso4217(known[i], 3));
    assert_false(currency_is_iso4217("EUX", 3));
    assert_false(currency_is_iso4217("eur", 3));
    assert_false(currency_is_iso4217("EURO", 4));
    assert_false(currency_is_iso4217("EU", 2));
    assert_false(currency_is_iso4217("", 0));

    for (const char *t = "accounts"; t; t = strcmp(t, "accounts") == 0 ? "products" : NULL)
        assert_int_equal(ok(t, "currency", "EUR").len, 3);
    ok("orders", "currency", "JPY");
    bad("accounts", "currency", "eur",
        "bad currency 'eur': ISO 4217 codes are written in capitals (EUR)");
    bad("orders", "currency", "Usd",
        "bad currency 'Usd': ISO 4217 codes are written in capitals (USD)");
    bad("products", "currency", "ABC",
        "bad currency 'ABC': expected an ISO 4217 currency code like EUR, USD or JPY");
    bad("accounts", "currency", "€",
        "bad currency '€': expected an ISO 4217 currency code like EUR, USD or JPY");
    bad("accounts", "currency", "EURO", "too long: 4 bytes, at most 3");
}

/* ----- numbers and ranges -------------------------------------------------------------------- */

static void test_touch_and_tech_from_0_to_1(void **state)
{
    (void)state;
    assert_true(ok("interaction_types", "touch", "0").r == 0.0);
    assert_true(ok("interaction_types", "touch", "1").r == 1.0);
    assert_true(ok("interaction_types", "tech", " 0.25\t").r == 0.25);
    assert_true(ok("interaction_types", "tech", "1e-300").r == 1e-300);
    bad("interaction_types", "touch", "1.5", "bad number '1.5': expected a number from 0 to 1");
    bad("interaction_types", "tech", "-0.1", "bad number '-0.1': expected a number from 0 to 1");
    bad("interaction_types", "touch", "nan",
        "bad number 'nan': expected a decimal number like 0.25 or 1e-3");
    bad("interaction_types", "touch", "inf",
        "bad number 'inf': expected a decimal number like 0.25 or 1e-3");
    bad("interaction_types", "touch", "0x1p-2",
        "bad number '0x1p-2': expected a decimal number like 0.25 or 1e-3");
    bad("interaction_types", "touch", "0.5 0.5",
        "bad number '0.5 0.5': expected a decimal number like 0.25 or 1e-3");

    /* A JSON number gets the same verdict and message as its text. */
    check("interaction_types", "touch", real(0.8), NULL);
    check("interaction_types", "touch", real(1.5),
          "bad number '1.5': expected a number from 0 to 1");
    check("interaction_types", "tech", real(-0.1),
          "bad number '-0.1': expected a number from 0 to 1");
    check("interaction_types", "tech", real(1.0000000000000002),
          "bad number '1.0000000000000002': expected a number from 0 to 1");
    check("interaction_types", "tech", real(NAN), "bad number: expected a finite number");
}

static void test_integers_and_ids(void **state)
{
    (void)state;
    assert_int_equal(ok("contacts", "level", "+3").i, 3);
    assert_int_equal(ok("contacts", "level", "-1").i, -1); /* contacts.level has no range */
    assert_int_equal(ok("contacts", "level", "-9223372036854775808").i, INT64_MIN);
    /* rv: what the RV engine holds (model/table.h), the same through every door */
    check("interactions", "rv", integer(-32767), NULL);
    check("interaction_types", "rv", integer(32767), NULL);
    check("interactions", "rv", integer(32768),
          "bad number '32768': expected a whole number from -32767 to 32767");
    bad("interaction_types", "rv", "-32768",
        "bad number '-32768': expected a whole number from -32767 to 32767");
    bad("interactions", "rv", "9223372036854775808",
        "bad number '9223372036854775808': expected a whole number like 42 or -7");
    bad("interactions", "rv", "1.0", "bad number '1.0': expected a whole number like 42 or -7");
    bad("interactions", "rv", "ten", "bad number 'ten': expected a whole number like 42 or -7");
    assert_int_equal(ok("interaction_types", "level", "8").i, 8);
    bad("interaction_types", "level", "0", "bad number '0': expected a whole number from 1 to 8");
    check("interaction_types", "level", integer(9),
          "bad number '9': expected a whole number from 1 to 8");
    check("ratings", "stars", integer(6), "bad number '6': expected a whole number from 1 to 5");
    check("survey_responses", "nps", integer(10), NULL);

    assert_int_equal(ok("interactions", "contact_id", "12").i, 12);
    bad("interactions", "contact_id", "0", "bad id '0': expected a positive whole number");
    bad("interactions", "contact_id", "-4", "bad id '-4': expected a positive whole number");
    bad("units", "parent_id", "HQ", "bad id 'HQ': expected a positive whole number");
    check("interactions", "contact_id", integer(-1),
          "bad id '-1': expected a positive whole number");
}

static void test_money(void **state)
{
    (void)state;
    assert_int_equal(ok("orders", "amount", "-25.00").i, -2500); /* refunds are orders too */
    assert_int_equal(ok("products", "price", " 19.99 ").i, 1999);
    assert_int_equal(ok("products", "price", "0").i, 0);
    bad("orders", "amount", "1.999", "bad amount '1.999': at most 2 decimals after the point");
    bad("orders", "amount", "12,50",
        "bad amount '12,50': no thousands separators; use a point for decimals, like 1234.56");
    bad("products", "price", "-1", "bad amount '-1.00': expected 0.00 or more");
    check("products", "price", integer(-100), "bad amount '-1.00': expected 0.00 or more");
    check("products", "price", integer(INT64_MAX), NULL);
}

/* ----- other types --------------------------------------------------------------------------- */

static void test_enumerations(void **state)
{
    (void)state;
    const struct field_def *dir = field("interactions", "direction");
    struct field_value v = ok("interactions", "direction", " inbound ");
    assert_int_equal(v.kind, FV_TEXT);
    assert_ptr_equal(v.s, dir->enum_values[0]); /* the static spelling, not the input */
    bad("interactions", "direction", "incoming",
        "bad value 'incoming': expected one of inbound, outbound");
    bad("contacts", "buying_role", "boss",
        "bad value 'boss': expected one of decision_maker, influencer, user");
    bad("contacts", "stage", "Closing",
        "bad value 'Closing': expected one of acquisition, closing, retention");
    check("contacts", "buying_role", text("user"), NULL);
    check("contacts", "buying_role", text("users"),
          "bad value 'users': expected one of decision_maker, influencer, user");
    assert_int_equal(ok("contacts", "stage", "").kind, FV_NULL);
}

static void test_times_booleans_text_and_json(void **state)
{
    (void)state;
    assert_int_equal(ok("interactions", "occurred_at", " 2024-05-01 ").i, 1714521600000);
    assert_int_equal(ok("interactions", "occurred_at", "1714521600").i, 1714521600000);
    assert_int_equal(ok("interactions", "occurred_at", "").kind, FV_NULL);
    bad("interactions", "occurred_at", "2024-02-30",
        "bad time '2024-02-30': no such day in that month");

    assert_int_equal(ok("users", "disabled", "Yes").i, 1);
    assert_int_equal(ok("users", "disabled", "FALSE").i, 0);
    bad("users", "disabled", "maybe", "bad boolean 'maybe': expected true/false, 1/0 or yes/no");

    struct field_value v = ok("contacts", "last_name", "  Smith ");
    assert_int_equal(v.len, 8); /* text is kept as it is */
    bad("contacts", "last_name", "J\xC3\x28rg", "not valid UTF-8 (byte 2 of the field)");
    char long_name[102];
    memset(long_name, 'x', 101);
    long_name[101] = '\0';
    bad("contacts", "last_name", long_name, "too long: 101 bytes, at most 100");

    assert_int_equal(ok("accounts", "custom", "{\"tier\": \"A\"}").len, 13);
    bad("accounts", "custom", "[1,2]", "expected a JSON object ({...}), got '[1,2]'");
    bad("accounts", "custom", "{\"a\": 1, \"a\": 2}",
        "bad JSON at character 12: duplicate object key near '\"a\"'");
}

static void test_required_fields(void **state)
{
    (void)state;
    const struct table_def *t = model_table("interaction_types");
    bool given[32];
    for (size_t i = 0; i < t->nfields; i++)
        given[i] = true;
    size_t at = 0;
    struct kith_error err = {0};
    assert_int_equal(table_check_required(t, given, &at, &err), 0);
    assert_int_equal(at, t->nfields);

    size_t code, touch, desc;
    table_field(t, "code", &code);
    table_field(t, "touch", &touch);
    table_field(t, "description", &desc);
    given[code] = given[touch] = given[desc] = false;
    size_t seen[4], n = 0;
    for (at = 0; table_check_required(t, given, &at, &err) < 0; at++) {
        assert_true(n < 4);
        seen[n++] = at;
    }
    assert_int_equal(n, 2); /* description is optional */
    assert_int_equal(seen[0], code);
    assert_int_equal(seen[1], touch);
    assert_string_equal(err.msg, "missing required value (number)");

    assert_int_equal(field_check_required(field("contacts", "last_name"), false, &err),
                     KITH_EINVAL);
    assert_string_equal(err.msg, "missing required value (text)");
    assert_int_equal(field_check_required(field("contacts", "first_name"), false, &err), 0);
}

/* Filter bounds: the type only, no range or format. */
static void test_parse_type_only(void **state)
{
    (void)state;
    struct field_value v;
    struct kith_error err = {0};
    assert_int_equal(field_parse_type(field("products", "price"), "-5", 2, &v, &err), 0);
    assert_int_equal(v.i, -500);
    assert_int_equal(field_parse_type(field("interaction_types", "touch"), "1.5", 3, &v, &err), 0);
    assert_int_equal(field_parse_type(field("interaction_types", "touch"), "x", 1, &v, &err),
                     KITH_EINVAL);
    assert_int_equal(field_parse_type(field("contacts", "stage"), "won", 3, &v, &err), KITH_EINVAL);
}

/* ----- the declarations ---------------------------------------------------------------------- */

static void test_declarations_make_sense(void **state)
{
    (void)state;
    size_t formats = 0, ranges = 0;
    for (size_t t = 0; t < model_ntables; t++) {
        const struct table_def *td = model_tables[t];
        for (size_t i = 0; i < td->nfields; i++) {
            const struct field_def *f = &td->fields[i];
            if (f->format != FF_NONE) {
                assert_int_equal(f->type, FT_TEXT);
                formats++;
            }
            if (f->ranged) {
                assert_true(f->type == FT_INT || f->type == FT_REAL || f->type == FT_MONEY);
                assert_true(f->lo <= f->hi);
                ranges++;
            } else {
                assert_true(f->lo == 0 && f->hi == 0);
            }
            if (strcmp(f->name, "email") == 0)
                assert_int_equal(f->format, FF_EMAIL);
            if (strcmp(f->name, "currency") == 0)
                assert_int_equal(f->format, FF_CURRENCY);
        }
    }
    assert_int_equal(formats, 7); /* 2 emails, 5 currencies */
    assert_true(ranges >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_addresses),
        cmocka_unit_test(test_currency_codes),
        cmocka_unit_test(test_touch_and_tech_from_0_to_1),
        cmocka_unit_test(test_integers_and_ids),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_enumerations),
        cmocka_unit_test(test_times_booleans_text_and_json),
        cmocka_unit_test(test_required_fields),
        cmocka_unit_test(test_parse_type_only),
        cmocka_unit_test(test_declarations_make_sense),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
