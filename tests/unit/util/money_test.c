/*
 * money_test.c - tests of src/util/money.c: decimal text to minor units and back, limits and
 * the messages for amounts that are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/money.h"

static int64_t parse_ok(const char *s)
{
    int64_t v = 0;
    struct kith_error err = {0};
    if (money_parse(s, strlen(s), MONEY_DECIMALS, &v, &err) != 0)
        fail_msg("'%s': %s", s, err.msg);
    return v;
}

static int parse_err(const char *s, struct kith_error *err)
{
    int64_t v;
    return money_parse(s, strlen(s), MONEY_DECIMALS, &v, err);
}

static void parses_decimal_amounts(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1234.56"), 123456);
    assert_int_equal(parse_ok("-3"), -300);
    assert_int_equal(parse_ok("+0.5"), 50);
    assert_int_equal(parse_ok(".25"), 25);
    assert_int_equal(parse_ok("7."), 700);
    assert_int_equal(parse_ok("-0.01"), -1);
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("1.230"), 123); /* extra zeros lose nothing */
    assert_int_equal(parse_ok("92233720368547758.07"), INT64_MAX);
    assert_int_equal(parse_ok("-92233720368547758.08"), INT64_MIN);
    int64_t v;
    assert_int_equal(money_parse("12.345", 6, 3, &v, NULL), 0);
    assert_int_equal(v, 12345);
    assert_int_equal(money_parse("12", 2, 0, &v, NULL), 0);
    assert_int_equal(v, 12);
}

static void refuses_what_is_not_an_amount(void **state)
{
    (void)state;
    struct kith_error err;
    assert_int_equal(parse_err("1.234", &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "at most 2 decimals"));
    assert_non_null(strstr(err.msg, "'1.234'"));
    assert_int_equal(parse_err("1,234.56", &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "thousands separators"));
    assert_int_equal(parse_err("$12", &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "expected a decimal amount"));
    assert_int_equal(parse_err("", &err), KITH_EINVAL);
    assert_int_equal(parse_err("-", &err), KITH_EINVAL);
    assert_int_equal(parse_err(".", &err), KITH_EINVAL);
    assert_int_equal(parse_err("1e3", &err), KITH_EINVAL);
    assert_int_equal(parse_err(" 12", &err), KITH_EINVAL);
    assert_int_equal(parse_err("1.2.3", &err), KITH_EINVAL);
    assert_int_equal(parse_err("92233720368547758.08", &err), KITH_ERANGE);
    assert_int_equal(parse_err("-92233720368547758.09", &err), KITH_ERANGE);
    assert_int_equal(parse_err("99999999999999999999999", &err), KITH_ERANGE);
    assert_non_null(strstr(err.msg, "too large"));
}

static void formats_with_fixed_decimals(void **state)
{
    (void)state;
    char buf[MONEY_SIZE];
    assert_int_equal(money_format(-300, 2, buf), 5);
    assert_string_equal(buf, "-3.00");
    money_format(123456, 2, buf);
    assert_string_equal(buf, "1234.56");
    money_format(5, 2, buf);
    assert_string_equal(buf, "0.05");
    money_format(-5, 2, buf);
    assert_string_equal(buf, "-0.05");
    money_format(0, 2, buf);
    assert_string_equal(buf, "0.00");
    money_format(12, 0, buf);
    assert_string_equal(buf, "12");
    money_format(INT64_MIN, 2, buf);
    assert_string_equal(buf, "-92233720368547758.08");
    money_format(INT64_MAX, 6, buf);
    assert_string_equal(buf, "9223372036854.775807");
}

static void format_and_parse_agree(void **state)
{
    (void)state;
    const int64_t samples[] = {0, 1, -1, 99, -100, 123456789, INT64_MAX, INT64_MIN, 1000000007};
    char buf[MONEY_SIZE];
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        size_t n = money_format(samples[i], MONEY_DECIMALS, buf);
        int64_t back;
        assert_int_equal(money_parse(buf, n, MONEY_DECIMALS, &back, NULL), 0);
        assert_int_equal(back, samples[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_decimal_amounts),
        cmocka_unit_test(refuses_what_is_not_an_amount),
        cmocka_unit_test(formats_with_fixed_decimals),
        cmocka_unit_test(format_and_parse_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
