/*
 * Tests for src/io/value_summary.c: both namings of the columns, optional id and monetary value,
 * the published CDNOW summary, and every kind of bad row with its file:line message.
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

#include "io/value_summary.h"

#ifndef KITH_SOURCE_DIR
#define KITH_SOURCE_DIR "."
#endif

static int read_text(const char *text, struct value_summary_file *out, struct kith_error *err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (!f && strlen(text) == 0)
        f = fopen("/dev/null", "r"); /* fmemopen refuses an empty buffer on some libcs */
    assert_non_null(f);
    int rc = value_summary_read(f, "s.csv", out, err);
    fclose(f);
    return rc;
}

static void both_namings(void **state)
{
    (void)state;
    struct value_summary_file s;
    struct kith_error err = {0};
    assert_int_equal(read_text("ID,frequency,recency,T,monetary_value\r\n"
                               "a,2,30.43,38.86,22.35\r\nb,0,0,38.86,0\r\n",
                               &s, &err),
                     0);
    assert_int_equal(s.n, 2);
    assert_true(s.has_monetary);
    assert_string_equal(s.ids[0], "a");
    assert_true(s.cust[0].x == 2 && s.cust[0].t_x == 30.43 && s.cust[0].T == 38.86);
    assert_true(s.cust[0].zbar == 22.35);
    value_summary_file_release(&s);
    /* the paper's names, another order, no id, an extra column */
    assert_int_equal(read_text("T,note,zbar,x,t_x\n38.86,hi,22.35,2,30.43\n", &s, &err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.ids[0], "line 2");
    assert_true(s.cust[0].x == 2 && s.cust[0].zbar == 22.35);
    value_summary_file_release(&s);
    /* no monetary column */
    assert_int_equal(read_text("frequency,recency,T\n1,2,3\n", &s, &err), 0);
    assert_false(s.has_monetary);
    value_summary_file_release(&s);
    value_summary_file_release(&s); /* twice is fine */
}

static void cdnow_summary(void **state)
{
    (void)state;
    char path[1024];
    const char *dir = getenv("KITH_SHARED_DATA");
    if (dir && *dir)
        snprintf(path, sizeof path, "%s/cdnow/cdnow_customers_summary_with_transactions.csv", dir);
    else
        snprintf(path, sizeof path,
                 "%s/../shared/data/cdnow/cdnow_customers_summary_with_transactions.csv",
                 KITH_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (set KITH_SHARED_DATA)", path);
    struct value_summary_file s;
    struct kith_error err = {0};
    assert_int_equal(value_summary_read(f, path, &s, &err), 0);
    fclose(f);
    assert_int_equal(s.n, 2357);
    size_t repeat = 0;
    for (size_t i = 0; i < s.n; i++)
        repeat += s.cust[i].x > 0;
    assert_int_equal(repeat, 946);
    value_summary_file_release(&s);
}

static void expect_error(const char *text, const char *msg)
{
    struct value_summary_file s;
    struct kith_error err = {0};
    assert_int_equal(read_text(text, &s, &err), KITH_EINVAL);
    if (!strstr(err.msg, msg))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
    assert_int_equal(s.n, 0);
    assert_null(s.ids);
}

/* Repeat buyers without positive repeat spend are read: the rule of engine/clv.h treats them. */
static void non_positive_spend_is_read(void **state)
{
    (void)state;
    struct value_summary_file s;
    struct kith_error err = {0};
    assert_int_equal(read_text("x,t_x,T,zbar\n2,3,4,0\n1,1,4,-5\n0,0,4,-1\n", &s, &err), 0);
    assert_int_equal(s.n, 3);
    assert_true(gg_without_repeat_spend(&s.cust[0]) && gg_without_repeat_spend(&s.cust[1]));
    assert_false(gg_without_repeat_spend(&s.cust[2]));
    value_summary_file_release(&s);
}

static void bad_files(void **state)
{
    (void)state;
    expect_error("", "s.csv: the file is empty");
    expect_error("id,frequency,recency,T\n", "s.csv:1: no customer rows");
    expect_error("id,freq,recency,T\n1,2,3,4\n", "s.csv:1: the header has no column frequency");
    expect_error("id,frequency,recency\n1,2,3\n", "no column T");
    expect_error("x,frequency,recency,T\n1,1,2,3\n", "two columns name frequency");
    expect_error("id,frequency,recency,T\n1,2,30,38\n2,1,-1,38\n",
                 "s.csv:3: recency -1 is negative");
    expect_error("id,frequency,recency,T\n1,2,40,38\n", "s.csv:2: recency 40 is greater than T 38");
    expect_error("id,frequency,recency,T\n1,2.5,30,38\n", "s.csv:2: frequency 2.5 is not a whole");
    expect_error("id,frequency,recency,T\n1,-1,0,38\n", "frequency -1 is negative");
    expect_error("id,frequency,recency,T\n1,0,3,38\n", "recency 3 without repeat purchases");
    expect_error("id,frequency,recency,T\n1,1,0,-2\n", "T -2 is negative");
    expect_error("id,frequency,recency,T\n1,two,0,38\n",
                 "s.csv:2: frequency 'two' is not a number");
    expect_error("id,frequency,recency,T\n1,nan,0,38\n", "is not a number");
    expect_error("id,frequency,recency,T\n1,,0,38\n", "s.csv:2: frequency is empty");
    expect_error("id,frequency,recency,T\n1,1,0\n", "s.csv:2: 3 fields, but the header has 4");
    expect_error("id,x,t_x,T\n\"\",1,1,2\n", "s.csv:2: the id must be 1 to");
    expect_error("id,x,t_x,T\n1,1,1,\"2\n", "unterminated");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_namings),
        cmocka_unit_test(cdnow_summary),
        cmocka_unit_test(non_positive_spend_is_read),
        cmocka_unit_test(bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
