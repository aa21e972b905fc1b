/*
 * timefmt_test.c - tests of src/util/timefmt.c: the ISO 8601 forms, offsets, Unix seconds
 * and milliseconds by magnitude, the messages for bad times, and formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/timefmt.h"

static int64_t parse_ok(const char *s)
{
    int64_t ms = 0;
    struct kith_error err = {0};
    int rc = timefmt_parse(s, strlen(s), &ms, &err);
    if (rc != 0)
        fail_msg("'%s': %s", s, err.msg);
    return ms;
}

static const char *parse_err(const char *s, struct kith_error *err)
{
    int64_t ms;
    assert_int_equal(timefmt_parse(s, strlen(s), &ms, err), KITH_EINVAL);
    return err->msg;
}

static void parses_iso_8601(void **state)
{
    (void)state;
    const int64_t may1 = 1714521600000; /* 2024-05-01T00:00:00Z */
    assert_int_equal(parse_ok("2024-05-01"), may1);
    assert_int_equal(parse_ok("2024-05-01T12:00:00Z"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01t12:00:00z"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01 12:00"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01T12:00:00.123Z"), may1 + 12 * 3600000 + 123);
    assert_int_equal(parse_ok("2024-05-01T12:00:00.5Z"), may1 + 12 * 3600000 + 500);
    assert_int_equal(parse_ok("2024-05-01T12:00:00,999999Z"), may1 + 12 * 3600000 + 999);
    assert_int_equal(parse_ok("2024-05-01T14:00:00+02:00"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01T14:00:00+0200"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01T14:00:00+02"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01T06:30:00-05:30"), may1 + 12 * 3600000);
    assert_int_equal(parse_ok("2024-05-01T12:00:00"), may1 + 12 * 3600000); /* no offset: UTC */
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(parse_ok("2024-02-29"), 1709164800000);
    assert_int_equal(parse_ok("0000-01-01"), TIMEFMT_MIN_MS);
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), TIMEFMT_MAX_MS);
}

static void parses_unix_time_by_magnitude(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1714564800"), 1714564800000);    /* seconds */
    assert_int_equal(parse_ok("1714564800000"), 1714564800000); /* milliseconds */
    assert_int_equal(parse_ok("99999999999"), 99999999999000);  /* last seconds value */
    assert_int_equal(parse_ok("100000000000"), 100000000000);   /* first milliseconds value */
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("-86400"), -86400000);
    assert_int_equal(parse_ok("1714564800.25"), 1714564800250);
    assert_int_equal(parse_ok("+5"), 5000);
    assert_int_equal(parse_ok("123"), 123000);     /* three digits: seconds */
    assert_int_equal(parse_ok("12345"), 12345000); /* five digits: seconds */
    assert_int_equal(parse_ok("+2011"), 2011000);  /* a sign says "Unix seconds" */
}

/* A year-only value ("2011" from a year column) is not 2011 seconds after 1970. */
static void refuses_a_bare_year(void **state)
{
    (void)state;
    struct kith_error err;
    const char *msg = parse_err("2011", &err);
    assert_non_null(strstr(msg, "'2011'"));
    assert_non_null(strstr(msg, "a year alone is not a time"));
    assert_non_null(strstr(msg, "2011-01-01"));
    assert_non_null(strstr(parse_err("0999", &err), "a year alone"));
    assert_int_equal(parse_ok("2011-01-01"), 1293840000000);
}

static void refuses_bad_times_with_a_reason(void **state)
{
    (void)state;
    struct kith_error err;
    assert_non_null(strstr(parse_err("2024-13-01", &err), "month out of range"));
    assert_non_null(strstr(parse_err("2024-02-30", &err), "no such day"));
    assert_non_null(strstr(parse_err("2023-02-29", &err), "no such day"));
    assert_non_null(strstr(parse_err("2024-05-01T24:00:00Z", &err), "out of range"));
    assert_non_null(strstr(parse_err("2024-05-01T12:60Z", &err), "out of range"));
    assert_non_null(strstr(parse_err("01/05/2024", &err), "expected ISO 8601"));
    assert_non_null(strstr(parse_err("yesterday", &err), "'yesterday'"));
    assert_non_null(strstr(parse_err("", &err), "expected ISO 8601"));
    assert_non_null(strstr(parse_err("2024-05-01T12:00:00+2", &err), "offset"));
    assert_non_null(strstr(parse_err("2024-05-01T12:00:00+02:", &err), "offset"));
    assert_non_null(strstr(parse_err("2024-05-01T12:00:00+25:00", &err), "offset"));
    assert_non_null(strstr(parse_err("2024-05-01T12:00:00Zjunk", &err), "expected"));
    assert_non_null(strstr(parse_err("2024-05-01T12:00:00.Z", &err), "fraction"));
    assert_non_null(strstr(parse_err("1714564800.1234", &err), "fraction"));
    assert_non_null(strstr(parse_err("1714564800000.5", &err), "fraction"));
    assert_non_null(strstr(parse_err("9999999999999999", &err), "0000 to 9999"));
    assert_non_null(strstr(parse_err("99999999999999999999999", &err), "out of range"));
    assert_non_null(strstr(parse_err("12ab", &err), "expected"));
    assert_non_null(strstr(parse_err("-", &err), "expected"));
    assert_non_null(strstr(parse_err("0000-01-01T00:00:00+01:00", &err), "0000 to 9999"));
}

static void formats_utc_with_milliseconds(void **state)
{
    (void)state;
    char buf[TIMEFMT_SIZE];
    assert_int_equal(timefmt_format(1714564800000, buf), 24);
    assert_string_equal(buf, "2024-05-01T12:00:00.000Z");
    timefmt_format(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    timefmt_format(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    timefmt_format(TIMEFMT_MIN_MS, buf);
    assert_string_equal(buf, "0000-01-01T00:00:00.000Z");
    timefmt_format(TIMEFMT_MAX_MS, buf);
    assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
    timefmt_format(TIMEFMT_MAX_MS + 1, buf);
    assert_string_equal(buf, "+010000-01-01T00:00:00.000Z");
    timefmt_format(INT64_MIN, buf); /* any value formats */
    assert_true(strlen(buf) < TIMEFMT_SIZE);
    timefmt_format(INT64_MAX, buf);
    assert_true(strlen(buf) < TIMEFMT_SIZE);
}

static void format_and_parse_agree_across_the_calendar(void **state)
{
    (void)state;
    char buf[TIMEFMT_SIZE];
    /* Every day boundary of 0000..9999 would be slow; a prime stride covers all months. */
    for (int64_t ms = TIMEFMT_MIN_MS; ms <= TIMEFMT_MAX_MS; ms += 86400000LL * 97 + 3601001) {
        size_t n = timefmt_format(ms, buf);
        int64_t back;
        assert_int_equal(timefmt_parse(buf, n, &back, NULL), 0);
        assert_int_equal(back, ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_iso_8601),
        cmocka_unit_test(parses_unix_time_by_magnitude),
        cmocka_unit_test(refuses_bad_times_with_a_reason),
        cmocka_unit_test(refuses_a_bare_year),
        cmocka_unit_test(formats_utc_with_milliseconds),
        cmocka_unit_test(format_and_parse_agree_across_the_calendar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
