/*
 * buf_test.c - tests of src/util/buf.c: appending bytes and formatted text, the size cap
 * (KITH_ERANGE, contents kept), reset, detach and release.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/error.h"

static void empty_buffer(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 100);
    assert_string_equal(buf_str(&b), "");
    assert_int_equal(b.len, 0);
    assert_null(b.data);
    buf_release(&b);
    size_t len = 99;
    char *s = buf_detach(&b, &len);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
}

static void appends_bytes_and_text(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_add(&b, "ab", 2), 0);
    assert_int_equal(buf_add_str(&b, "cd"), 0);
    assert_int_equal(buf_add(&b, NULL, 0), 0);
    assert_int_equal(buf_addf(&b, "-%d-%s", 42, "x"), 0);
    assert_string_equal(buf_str(&b), "abcd-42-x");
    assert_int_equal(b.len, 9);
    buf_truncate(&b, 4);
    assert_string_equal(buf_str(&b), "abcd");
    assert_int_equal(buf_addf(&b, "-%d-%s", 42, "x"), 0);
    assert_string_equal(buf_str(&b), "abcd-42-x");
    /* embedded NUL bytes are data */
    assert_int_equal(buf_add(&b, "\0z", 2), 0);
    assert_int_equal(b.len, 11);
    assert_memory_equal(b.data + 9, "\0z", 3);
    /* grows past its first block, in bytes and in formatted text */
    buf_reset(&b);
    assert_string_equal(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_addf(&b, "%04d,", i), 0);
    assert_int_equal(b.len, 5000);
    assert_memory_equal(b.data + 4995, "0999,", 6);
    char big[3000];
    memset(big, 'q', sizeof(big));
    assert_int_equal(buf_add(&b, big, sizeof(big)), 0);
    assert_int_equal(b.len, 8000);
    assert_int_equal(b.data[8000], '\0');
    size_t len;
    char *s = buf_detach(&b, &len);
    assert_int_equal(len, 8000);
    assert_int_equal(strlen(s), 8000);
    free(s);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void cap_refuses_and_keeps(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_add_str(&b, "12345678"), 0);
    assert_int_equal(buf_add_str(&b, "abc"), KITH_ERANGE);
    assert_string_equal(buf_str(&b), "12345678");
    assert_int_equal(buf_addf(&b, "%s", "abc"), KITH_ERANGE);
    assert_string_equal(buf_str(&b), "12345678");
    assert_int_equal(b.len, 8);
    assert_int_equal(buf_addf(&b, "%d", 90), 0);
    assert_string_equal(buf_str(&b), "1234567890");
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_int_equal(buf_add(&b, "x", 1), KITH_ERANGE);
    assert_true(b.cap <= 11);
    /* a formatted append that fits the memory already held but not the cap */
    buf_reset(&b);
    assert_int_equal(buf_add_str(&b, "1234567"), 0);
    assert_int_equal(buf_addf(&b, "%s", "abcd"), KITH_ERANGE);
    assert_string_equal(buf_str(&b), "1234567");
    buf_release(&b);
    assert_int_equal(b.max, 10);
    /* a huge append fails on the cap, not on arithmetic */
    buf_init(&b, SIZE_MAX);
    assert_int_equal(buf_add_str(&b, "a"), 0);
    assert_int_equal(buf_add(&b, "", SIZE_MAX), KITH_ERANGE);
    assert_string_equal(buf_str(&b), "a");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_buffer),
        cmocka_unit_test(appends_bytes_and_text),
        cmocka_unit_test(cap_refuses_and_keeps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
