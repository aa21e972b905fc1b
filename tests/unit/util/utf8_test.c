/*
 * utf8_test.c - tests of src/util/utf8.c: what well-formed UTF-8 is, where the first bad byte
 * is reported, and the printable excerpts used in error messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/utf8.h"

static bool valid(const char *s)
{
    return utf8_is_valid(s, strlen(s), NULL);
}

static void accepts_well_formed_text(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ASCII, long enough for the 8-byte path"));
    assert_true(valid("Zoë Müller, Köln"));                            /* 2-byte */
    assert_true(valid("\xE2\x82\xAC 5 and \xE4\xB8\xAD\xE6\x96\x87")); /* 3-byte */
    assert_true(valid("\xF0\x9F\x98\x80 emoji"));                      /* 4-byte */
    assert_true(valid("\xF4\x8F\xBF\xBF"));                            /* U+10FFFF */
    assert_true(valid("\xED\x9F\xBF"));                                /* U+D7FF */
}

static void refuses_malformed_text_and_says_where(void **state)
{
    (void)state;
    size_t at = 99;
    assert_false(utf8_is_valid("abc\xFF", 4, &at));
    assert_int_equal(at, 3);
    assert_false(utf8_is_valid("\xC0\xAF", 2, &at)); /* overlong '/' */
    assert_int_equal(at, 0);
    assert_false(utf8_is_valid("ab\xE0\x80\xAF", 5, &at)); /* overlong 3-byte */
    assert_int_equal(at, 2);
    assert_false(utf8_is_valid("\xED\xA0\x80", 3, &at));     /* surrogate U+D800 */
    assert_false(utf8_is_valid("\xF4\x90\x80\x80", 4, &at)); /* above U+10FFFF */
    assert_false(utf8_is_valid("\xF5\x80\x80\x80", 4, &at));
    assert_false(utf8_is_valid("0123456789\xC3", 11, &at)); /* truncated at the end */
    assert_int_equal(at, 10);
    assert_false(utf8_is_valid("\xE2\x82", 2, &at));
    assert_false(utf8_is_valid("\x80", 1, &at)); /* lone continuation */
    assert_false(utf8_is_valid("a\0b", 3, &at)); /* NUL is never text */
    assert_int_equal(at, 1);
    assert_false(utf8_is_valid("12345678\0abcdefg", 16, &at)); /* NUL inside the 8-byte path */
    assert_int_equal(at, 8);
}

static void excerpts_are_short_and_printable(void **state)
{
    (void)state;
    char out[UTF8_EXCERPT_SIZE];
    assert_string_equal(utf8_excerpt(out, "Zoë", 4), "Zoë");
    assert_string_equal(utf8_excerpt(out, "a\nb\xFF", 4), "a\\x0ab\\xff");
    char long_text[200];
    memset(long_text, 'x', sizeof(long_text));
    utf8_excerpt(out, long_text, sizeof(long_text));
    assert_true(strlen(out) < UTF8_EXCERPT_SIZE);
    assert_string_equal(out + strlen(out) - 3, "...");
    /* Worst case: every byte escaped. */
    memset(long_text, 1, sizeof(long_text));
    utf8_excerpt(out, long_text, sizeof(long_text));
    assert_true(strlen(out) < UTF8_EXCERPT_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_well_formed_text),
        cmocka_unit_test(refuses_malformed_text_and_says_where),
        cmocka_unit_test(excerpts_are_short_and_printable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
