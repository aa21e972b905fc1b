/*
 * num_test.c - tests of src/util/num.c and src/util/alloc.c: strict numbers with ranges, the
 * messages for refused text, and array sizes that overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/alloc.h"
#include "util/num.h"

static void whole_numbers(void **state)
{
    (void)state;
    struct kith_error err = {0};
    int64_t v = 7;
    assert_int_equal(num_int64("42", 0, 100, &v, "--limit", &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(num_int64("-5", -10, 10, &v, "x", &err), 0);
    assert_int_equal(v, -5);
    assert_int_equal(num_int64("+9", 0, 10, &v, "x", &err), 0);
    assert_int_equal(v, 9);
    assert_int_equal(num_int64("9223372036854775807", INT64_MIN, INT64_MAX, &v, "x", &err), 0);
    assert_int_equal(v, INT64_MAX);
    /* a length-bounded field: only the first two characters count */
    assert_int_equal(num_parse_int64("12,34", 2, 0, 100, &v, "x", &err), 0);
    assert_int_equal(v, 12);
}

static void whole_numbers_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"", " 1", "1 ", "1.5", "0x10", "1e3", "abc", "--1", "1-"};
    struct kith_error err = {0};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t v = 7;
        assert_int_equal(num_int64(bad[i], 0, 100, &v, "--limit", &err), KITH_EINVAL);
        assert_int_equal(v, 7);
        assert_non_null(strstr(err.msg, "--limit"));
        assert_non_null(strstr(err.msg, "from 0 to 100"));
    }
    int64_t v = 7;
    assert_int_equal(num_int64("101", 0, 100, &v, "limit", &err), KITH_ERANGE);
    assert_int_equal(num_int64("-1", 0, 100, &v, "limit", &err), KITH_ERANGE);
    assert_int_equal(num_int64("99999999999999999999", INT64_MIN, INT64_MAX, &v, "x", &err),
                     KITH_ERANGE);
    assert_int_equal(v, 7);
}

static void decimal_numbers(void **state)
{
    (void)state;
    struct kith_error err = {0};
    double d = 0;
    assert_int_equal(num_double("0.10", 0, 10, &d, "--discount", &err), 0);
    assert_true(d == 0.10);
    assert_int_equal(num_double("-1.5e2", -1000, 0, &d, "x", &err), 0);
    assert_true(d == -150);
    assert_int_equal(num_double("3", 0, 10, &d, "x", &err), 0);
    assert_true(d == 3);
    static const char *const bad[] = {"", "nan", "inf", "-inf", "0x1p3", " 1", "1,5", "e"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d = 9;
        assert_int_equal(num_double(bad[i], -1e9, 1e9, &d, "--discount", &err), KITH_EINVAL);
        assert_true(d == 9);
        assert_non_null(strstr(err.msg, "--discount"));
    }
    assert_int_equal(num_double("10.01", 0, 10, &d, "x", &err), KITH_ERANGE);
    assert_int_equal(num_double("1e999", -1e300, 1e300, &d, "x", &err), KITH_ERANGE);
    assert_true(d == 9);
}

static void unsigned_numbers(void **state)
{
    (void)state;
    struct kith_error err = {0};
    uint64_t v = 7;
    assert_int_equal(num_uint64("18446744073709551615", 0, UINT64_MAX, &v, "--seed", &err), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(num_uint64("-1", 0, UINT64_MAX, &v, "--seed", &err), KITH_EINVAL);
    assert_int_equal(num_uint64("18446744073709551616", 0, UINT64_MAX, &v, "--seed", &err),
                     KITH_ERANGE);
    assert_int_equal(num_uint64("9", 10, 100, &v, "--contacts", &err), KITH_ERANGE);
    assert_true(v == UINT64_MAX);
    assert_non_null(strstr(err.msg, "--contacts '9' must be a whole number from 10 to 100"));
}

static void arrays(void **state)
{
    (void)state;
    int64_t *p = alloc_array(0, sizeof(int64_t)); /* empty, but not a failure */
    assert_non_null(p);
    p[0] = 1; /* room for one element, as the idiom it replaced gave (ASan checks the write) */
    free(p);
    assert_null(alloc_array(SIZE_MAX / 2, 4));
    assert_null(alloc_array_zero(SIZE_MAX, 2));
    int *z = alloc_array_zero(16, sizeof(int));
    assert_non_null(z);
    for (int i = 0; i < 16; i++)
        assert_int_equal(z[i], 0);
    int *g = alloc_array_grow(z, 32, sizeof(int));
    assert_non_null(g);
    assert_null(alloc_array_grow(g, SIZE_MAX / 3, 8)); /* g is still valid */
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_numbers),   cmocka_unit_test(whole_numbers_refused),
        cmocka_unit_test(decimal_numbers), cmocka_unit_test(unsigned_numbers),
        cmocka_unit_test(arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
