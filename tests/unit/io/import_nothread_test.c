/*
 * import_nothread_test.c - src/io/import.c when no thread can be started: par_run then runs
 * the reader job only after the writer job, so the writer must take the reading over (after
 * its one-second wait) for the import to finish. This executable's pthread_create always
 * fails; it takes the place of the C library's for the code linked in here.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "io/import.h"
#include "util/buf.h"

int pthread_create(pthread_t *restrict thread, const pthread_attr_t *restrict attr,
                   void *(*fn)(void *), void *restrict arg)
{
    (void)thread;
    (void)attr;
    (void)fn;
    (void)arg;
    return EAGAIN;
}

/* A units file of n rows (more than the 4 batches of 256 the ring holds), row bad_at broken. */
static char *units_csv(const char *prefix, size_t n, size_t bad_at)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_add_str(&b, "name,kind\n"), 0);
    for (size_t i = 1; i <= n; i++)
        assert_int_equal(
            buf_addf(&b, "%s %zu,%s\n", prefix, i, i == bad_at ? "nonsense" : "dealer"), 0);
    return buf_detach(&b, NULL);
}

static int run(struct store *s, const char *csv, struct import_report *rep, struct kith_error *err)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    struct import_options opt = {.name = "in.csv"};
    int rc = import_csv(s, model_table("units"), in, &opt, rep, err);
    fclose(in);
    return rc;
}

static void imports_everything_on_one_thread(void **state)
{
    (void)state;
    struct db_fixture *fx = db_fixture_open("nothread.db");
    struct import_report *rep = malloc(sizeof(*rep));
    struct kith_error err = {0};
    char *csv = units_csv("Unit", 3000, 0);
    assert_int_equal(run(fx->s, csv, rep, &err), 0);
    assert_int_equal(rep->rows, 3000);
    int64_t n;
    assert_int_equal(store_count(fx->s, model_table("units"), &n, NULL), 0);
    assert_int_equal(n, 3000);
    free(csv);

    /* all or nothing still: a bad row near the end leaves the table as it was */
    csv = units_csv("Other", 3000, 2900);
    assert_int_equal(run(fx->s, csv, rep, &err), KITH_EINVAL);
    assert_int_equal(rep->nerrors, 1);
    assert_non_null(strstr(rep->shown[0], "in.csv:2901:2: kind"));
    assert_int_equal(store_count(fx->s, model_table("units"), &n, NULL), 0);
    assert_int_equal(n, 3000);
    free(csv);
    free(rep);
    db_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(imports_everything_on_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
