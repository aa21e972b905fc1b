/*
 * dsr_test.c - the rules of data-subject requests (src/model/dsr.c): due dates in calendar
 * months (the expected dates are written out by hand from a calendar), one extension of one or
 * two months with a reason, and the status machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/dsr.h"
#include "util/timefmt.h"

static int64_t at(const char *iso)
{
    int64_t ms;
    struct kith_error err = {0};
    assert_int_equal(timefmt_parse(iso, strlen(iso), &ms, &err), 0);
    return ms;
}

static void due_is(const char *received, int months, const char *want)
{
    int64_t due;
    struct kith_error err = {0};
    assert_int_equal(dsr_due_at(at(received), months, &due, &err), 0);
    char got[TIMEFMT_SIZE];
    timefmt_format(due, got);
    if (strcmp(got, want) != 0)
        fail_msg("%s + %d months: %s, expected %s", received, months, got, want);
}

static void test_due_dates(void **state)
{
    (void)state;
    due_is("2026-03-10T09:00:00Z", 1, "2026-04-10T23:59:59.999Z");
    due_is("2026-01-31T10:00:00Z", 1, "2026-02-28T23:59:59.999Z"); /* no 31 February */
    due_is("2028-01-31T10:00:00Z", 1, "2028-02-29T23:59:59.999Z"); /* leap year */
    due_is("2026-03-31T00:00:00Z", 1, "2026-04-30T23:59:59.999Z");
    due_is("2026-12-15T23:30:00Z", 1, "2027-01-15T23:59:59.999Z"); /* over the year */
    due_is("2026-01-31T10:00:00Z", 3, "2026-04-30T23:59:59.999Z"); /* extended by two */
    due_is("2026-11-30T08:00:00Z", 3, "2027-02-28T23:59:59.999Z");
    due_is("2026-02-28T08:00:00Z", 1, "2026-03-28T23:59:59.999Z"); /* not the month's end */
    int64_t due;
    struct kith_error err = {0};
    assert_int_equal(dsr_due_at(0, 0, &due, &err), KITH_EINVAL);
    assert_int_equal(dsr_due_at(-1, 1, &due, &err), KITH_EINVAL);
}

static void test_extension(void **state)
{
    (void)state;
    struct kith_error err = {0};
    int64_t r = at("2026-01-31T10:00:00Z"), due;
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 2, "complex", &due, &err), 0);
    assert_int_equal(due, at("2026-04-30T23:59:59.999Z"));
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 1, "complex", &due, &err), 0);
    assert_int_equal(due, at("2026-03-31T23:59:59.999Z"));
    /* more than two months, none, without a reason, twice, when closed */
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 3, "x", &due, &err),
                     KITH_EINVAL);
    assert_non_null(strstr(err.msg, "months"));
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 0, "x", &due, &err),
                     KITH_EINVAL);
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 2, " \t", &due, &err),
                     KITH_EINVAL);
    assert_non_null(strstr(err.msg, "reason"));
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, 0, r, 2, NULL, &due, &err),
                     KITH_EINVAL);
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_EXTENDED, r, r, 1, "x", &due, &err),
                     KITH_EINVAL);
    assert_non_null(strstr(err.msg, "once"));
    /* extended once, then its status written otherwise: still extended */
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_OPEN, r, r, 1, "x", &due, &err),
                     KITH_EINVAL);
    assert_int_equal(dsr_extension_check(DSR_ERASURE, DSR_COMPLETED, 0, r, 1, "x", &due, &err),
                     KITH_EINVAL);
}

static void test_status_machine(void **state)
{
    (void)state;
    struct kith_error err = {0};
    for (int s = 0; s < DSR_NSTATUSES; s++) {
        bool open = s == DSR_OPEN || s == DSR_EXTENDED;
        assert_int_equal(dsr_status_is_open((enum dsr_status)s), open);
        for (int v = DSR_COMPLETE; v <= DSR_REJECT; v++)
            assert_int_equal(
                dsr_transition_check(DSR_OBJECTION, (enum dsr_status)s, (enum dsr_verb)v, &err),
                open ? 0 : KITH_EINVAL);
        assert_int_equal(dsr_transition_check(DSR_RESTRICTION, (enum dsr_status)s, DSR_LIFT, &err),
                         s == DSR_COMPLETED ? 0 : KITH_EINVAL);
        assert_int_equal(dsr_transition_check(DSR_ERASURE, (enum dsr_status)s, DSR_LIFT, &err),
                         KITH_EINVAL);
        /* a restriction holds from receipt until rejected or lifted */
        assert_int_equal(dsr_restricts(DSR_RESTRICTION, (enum dsr_status)s),
                         s != DSR_REJECTED && s != DSR_LIFTED);
        assert_false(dsr_restricts(DSR_OBJECTION, (enum dsr_status)s));
    }
    for (int k = 0; k < DSR_NKINDS; k++)
        assert_int_equal(dsr_kind_parse(dsr_kind_name((enum dsr_kind)k)), k);
    assert_int_equal(dsr_kind_parse("deletion"), -1);
    assert_int_equal(dsr_status_parse("done"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_dates),
        cmocka_unit_test(test_extension),
        cmocka_unit_test(test_status_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
