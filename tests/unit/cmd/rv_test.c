/*
 * Black-box tests of src/cmd/rv.c through the real binary ($KITH_BIN): every `kith rv` command
 * on a small `kith demo` database, as a table and as JSON (parsed back with jansson), the
 * options each one takes, and the usage errors (exit 2) and runtime errors (exit 1).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "support/testutil.h"

static char db[512], out_path[512], err_path[512];

struct run {
    int status;
    char *out, *err;
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void kith(struct run *r, const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "KITH_DB='%s' '%s' %s >'%s' 2>'%s' </dev/null", db,
             getenv("KITH_BIN"), args, out_path, err_path);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    r->status = WEXITSTATUS(st);
    r->out = slurp(out_path);
    r->err = slurp(err_path);
}

static void done(struct run *r)
{
    free(r->out);
    free(r->err);
}

/* Runs args, expects exit 0 and one JSON object on stdout; returns it (caller decrefs). */
static json_t *kith_json(const char *args)
{
    struct run r;
    kith(&r, args);
    if (r.status != 0)
        fail_msg("kith %s: exit %d: %s", args, r.status, r.err);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    if (!j)
        fail_msg("kith %s: not JSON (%s): %.200s", args, je.text, r.out);
    done(&r);
    return j;
}

static int setup(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        return 0;
    test_tmp_path(db, sizeof(db), "rvcli.db");
    test_tmp_path(out_path, sizeof(out_path), "rvcli.out");
    test_tmp_path(err_path, sizeof(err_path), "rvcli.err");
    struct run r;
    kith(&r, "demo --contacts 300 --seed 5");
    assert_int_equal(r.status, 0);
    done(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (getenv("KITH_BIN")) {
        test_rm_db(db);
        unlink(out_path);
        unlink(err_path);
    }
    return 0;
}

#define NEED_BIN()                                                                                 \
    do {                                                                                           \
        if (!getenv("KITH_BIN"))                                                                   \
            skip();                                                                                \
    } while (0)

static void test_contact(void **state)
{
    (void)state;
    NEED_BIN();
    json_t *j = kith_json("rv contact 1 --as-of 2026-06-30 --json");
    assert_int_equal(json_integer_value(json_object_get(j, "contact_id")), 1);
    assert_true(json_is_integer(json_object_get(j, "rv")));
    assert_true(json_is_array(json_object_get(j, "pattern")));
    assert_true(json_array_size(json_object_get(j, "positions")) <= 1);
    assert_string_equal(json_string_value(json_object_get(j, "as_of")), "2026-06-30T00:00:00.000Z");
    json_decref(j);
    struct run r;
    kith(&r, "rv contact 1 --as-of 2026-06-30 --by unit --half-life 30");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Pattern: cumulative RV by age"));
    assert_non_null(strstr(r.out, "30-day half-life"));
    done(&r);
    kith(&r, "rv contact 999999");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no contact 999999"));
    done(&r);
    kith(&r, "rv contact nobody@example.com");
    assert_int_equal(r.status, 1);
    done(&r);
    kith(&r, "rv contact");
    assert_int_equal(r.status, 2);
    done(&r);
}

static void test_norm_and_exceptions(void **state)
{
    (void)state;
    NEED_BIN();
    json_t *j = kith_json("rv norm --by unit --bucket-days 30 --as-of 2026-06-30 --json");
    assert_string_equal(json_string_value(json_object_get(j, "by")), "unit");
    assert_int_equal(json_integer_value(json_object_get(j, "bucket_days")), 30);
    json_t *groups = json_object_get(j, "groups");
    assert_true(json_array_size(groups) >= 2);
    json_t *row0 = json_array_get(json_object_get(json_array_get(groups, 0), "rows"), 0);
    assert_true(json_integer_value(json_object_get(row0, "n")) > 0);
    json_decref(j);
    j = kith_json("rv norm --by stage --where event=none --as-of 2026-06-30 --json");
    assert_int_equal(json_array_size(json_object_get(j, "filters")), 1);
    json_decref(j);
    j = kith_json("rv exceptions --status behind --limit 3 --as-of 2026-06-30 --json");
    json_t *ex = json_object_get(j, "exceptions");
    assert_true(json_array_size(ex) <= 3);
    for (size_t i = 0; i < json_array_size(ex); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(ex, i), "status")),
                            "behind");
    json_decref(j);
    struct run r;
    kith(&r, "rv norm --by profit --every 13 --as-of 2026-06-30");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "type 7"));
    done(&r);
    kith(&r, "rv norm --by colour");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "cannot group by 'colour'"));
    done(&r);
    kith(&r, "rv norm --where team");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv norm --where team=Nowhere");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no team 'Nowhere'"));
    done(&r);
    kith(&r, "rv exceptions --status sideways");
    assert_int_equal(r.status, 2);
    done(&r);
}

static void test_reps_units_indicator(void **state)
{
    (void)state;
    NEED_BIN();
    json_t *j = kith_json("rv reps --json");
    json_t *reps = json_object_get(j, "reps");
    assert_true(json_array_size(reps) > 0);
    json_t *rep = json_array_get(reps, 0);
    assert_true(json_is_string(json_object_get(rep, "cost"))); /* money is a decimal string */
    assert_true(json_is_integer(json_object_get(rep, "rv")));
    json_decref(j);
    /* the admin role's policy: k at least 10 (k 5 is raised), exact figures allowed */
    j = kith_json("rv units --k 5 --as-of 2026-06-30 --json");
    assert_int_equal(json_integer_value(json_object_get(j, "k")), 10);
    assert_true(json_is_true(json_object_get(json_object_get(j, "privacy"), "k_raised")));
    assert_true(json_real_value(json_object_get(j, "epsilon")) == 0);
    json_decref(j);
    j = kith_json(
        "rv units --epsilon 2 --unit 'Summit Channel Partners' --as-of 2026-06-30 --json");
    json_t *cells = json_object_get(j, "cells");
    size_t own = 0;
    for (size_t i = 0; i < json_array_size(cells); i++) {
        json_t *c = json_array_get(cells, i);
        if (json_is_true(json_object_get(c, "own"))) {
            own++;
            assert_true(json_is_false(json_object_get(c, "noised")));
        }
    }
    assert_int_equal(own, 4); /* all stages and three stages */
    json_decref(j);
    j = kith_json("rv indicator --cutoff 2025-07-01 --window 365 --horizon 364 --outcome churn"
                  " --resamples 200 --json");
    assert_string_equal(json_string_value(json_object_get(j, "population")), "customers");
    assert_int_equal(json_array_size(json_object_get(j, "deciles")), 10);
    assert_true(json_is_array(json_object_get(j, "rho_ci95")));
    json_decref(j);
    struct run r;
    kith(&r, "rv indicator --cutoff 2025-07-01 --window 365 --horizon 364 --outcome margin"
             " --resamples 100");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Spearman rho"));
    assert_non_null(strstr(r.out, "Deciles by RV gained"));
    done(&r);
    kith(&r, "rv indicator --cutoff 2025-07-01 --window 365");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv indicator --cutoff yesterday --window 3 --horizon 3 --outcome margin");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv units --epsilon -1");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv reps --team Nowhere");
    assert_int_equal(r.status, 2);
    done(&r);
}

static void test_help_and_usage(void **state)
{
    (void)state;
    NEED_BIN();
    struct run r;
    kith(&r, "rv --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "exceptions"));
    done(&r);
    const char *cmds[] = {"contact", "norm", "exceptions", "reps", "units", "indicator"};
    for (size_t i = 0; i < 6; i++) {
        char args[64];
        snprintf(args, sizeof(args), "rv %s --help", cmds[i]);
        kith(&r, args);
        assert_int_equal(r.status, 0);
        assert_non_null(strstr(r.out, "usage: kith rv"));
        done(&r);
    }
    kith(&r, "rv");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv frobnicate");
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv reps --k 3"); /* an option of another command */
    assert_int_equal(r.status, 2);
    done(&r);
    kith(&r, "rv reps --threads 0");
    assert_int_equal(r.status, 2);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contact),
        cmocka_unit_test(test_norm_and_exceptions),
        cmocka_unit_test(test_reps_units_indicator),
        cmocka_unit_test(test_help_and_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
