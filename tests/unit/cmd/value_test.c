/*
 * Tests for src/cmd/value.c through the real binary ($KITH_BIN, set by ctest): bad summary files
 * and options get file:line messages and a non-zero exit, a fit that does not converge prints no
 * parameters, and on a database holding the CDNOW transactions every subcommand's --json is
 * valid JSON with the expected model.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "store/store.h"
#include "support/testutil.h"

#ifndef KITH_SOURCE_DIR
#define KITH_SOURCE_DIR "."
#endif

static char out_path[512], err_path[512];

static const char *kith_bin(void)
{
    const char *b = getenv("KITH_BIN");
    if (!b || !*b)
        fail_msg("KITH_BIN is not set (run the tests through ctest)");
    return b;
}

static void cdnow_path(char *buf, size_t size, const char *file)
{
    const char *dir = getenv("KITH_SHARED_DATA");
    if (dir && *dir)
        snprintf(buf, size, "%s/cdnow/%s", dir, file);
    else
        snprintf(buf, size, "%s/../shared/data/cdnow/%s", KITH_SOURCE_DIR, file);
}

/* Reads a whole (small) file into a static buffer. */
static const char *slurp(const char *path)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    if (!f)
        return "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs "kith ARGS" with stdout and stderr to files; returns the exit status. */
static int run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s'", kith_bin(), args, out_path, err_path);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void expect_fail(const char *args, int code, const char *msg)
{
    int rc = run(args);
    const char *err = slurp(err_path);
    if (rc != code || !strstr(err, msg))
        fail_msg("kith %s: exit %d (want %d), stderr \"%s\" lacks \"%s\"", args, rc, code, err,
                 msg);
    assert_string_equal(slurp(out_path), ""); /* nothing printed as if it had worked */
}

static void bad_summary_files(void **state)
{
    (void)state;
    char f[512], args[1024];
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", ": the file is empty"},
        {"id,frequency,recency,T\n", ":1: no customer rows"},
        {"id,frequency,recency,T,monetary_value\n1,2,30,38,20\n2,1,-1,38,10\n",
         ":3: recency -1 is negative"},
        {"id,frequency,recency,T\n1,2,40,38\n", ":2: recency 40 is greater than T 38"},
        {"id,frequency,recency,T\n1,2.5,30,38\n", ":2: frequency 2.5 is not a whole number"},
        {"id,freq,recency,T\n1,2,3,4\n", ":1: the header has no column frequency"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        test_tmp_path(f, sizeof f, "summary.csv");
        write_file(f, cases[i].text);
        snprintf(args, sizeof args, "value fit --summary '%s'", f);
        char want[1024];
        snprintf(want, sizeof want, "%s%s", f, cases[i].msg);
        expect_fail(args, 1, want);
        snprintf(args, sizeof args, "value clv --summary '%s'", f);
        expect_fail(args, 1, want);
        unlink(f);
    }
    expect_fail("value fit --summary /nonexistent/summary.csv", 1, "cannot open");
}

static void no_convergence_prints_no_parameters(void **state)
{
    (void)state;
    char f[512], args[1024];
    cdnow_path(f, sizeof f, "cdnow_customers_summary.csv");
    snprintf(args, sizeof args, "value fit --summary '%s' --max-iter 2", f);
    expect_fail(args, 1, "did not converge");
    assert_null(strstr(slurp(err_path), "BG/NBD       r="));
    snprintf(args, sizeof args, "value fit --summary '%s' --max-iter 2 --json", f);
    expect_fail(args, 1, "did not converge");
    /* nobody bought twice: the model is not determined */
    char g[512];
    test_tmp_path(g, sizeof g, "once.csv");
    write_file(g, "id,frequency,recency,T\n1,0,0,10\n2,0,0,20\n3,0,0,30\n");
    snprintf(args, sizeof args, "value fit --summary '%s'", g);
    expect_fail(args, 1, "did not converge");
    unlink(g);
    /* and it converges with the defaults */
    snprintf(args, sizeof args, "value fit --summary '%s'", f);
    assert_int_equal(run(args), 0);
    assert_non_null(strstr(slurp(out_path), "r=0.2425929"));
}

static void bad_options(void **state)
{
    (void)state;
    expect_fail("value", 2, "usage: kith value");
    expect_fail("value nosuch", 2, "'nosuch' is not a value subcommand");
    expect_fail("value fit --bogus", 2, "unknown option");
    expect_fail("value rfm --horizon 3", 2, "option --horizon does not apply");
    expect_fail("value clv --margin 1.5", 2, "--margin '1.5' must be a number from 0 to 1");
    expect_fail("value dist --by region", 2, "--by 'region'");
    expect_fail("value clv --as-of yesterday", 2, "--as-of");
    expect_fail("value drivers nosection", 2, "'nosection' is not a section");
    expect_fail("value fit extra", 2, "unexpected argument 'extra'");
    const char *subs[] = {"fit", "clv", "dist", "drivers", "rfm", "reap", "xsell", "referrals"};
    for (size_t i = 0; i < 8; i++) {
        char args[64];
        snprintf(args, sizeof args, "value %s --help", subs[i]);
        assert_int_equal(run(args), 0);
        assert_non_null(strstr(slurp(out_path), "usage: kith value"));
    }
}

static void empty_database_says_so(void **state)
{
    (void)state;
    char db[512], args[1024];
    test_tmp_path(db, sizeof db, "empty.db");
    snprintf(args, sizeof args, "init --db '%s'", db);
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "value clv --db '%s'", db);
    expect_fail(args, 1, "no orders on or before the as-of day");
    test_rm_db(db);
}

/* The CDNOW transactions as orders of 2,357 accounts. */
static void cdnow_database(const char *db)
{
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(db, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *acc, *ord;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "INSERT OR IGNORE INTO accounts (id, created_at, name,"
                                        " industry, source) VALUES (?1, 0, 'c' || ?1, ?2, ?3)",
                                        -1, &acc, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "INSERT INTO orders (created_at, account_id, ordered_at,"
                                        " amount) VALUES (0, ?1, ?2, ?3)",
                                        -1, &ord, NULL),
                     SQLITE_OK);
    char path[1024], line[256];
    cdnow_path(path, sizeof path, "cdnowElog.csv");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        long master, sample, date, cds;
        double sales;
        if (sscanf(line, "%ld,%ld,%ld,%ld,%lf", &master, &sample, &date, &cds, &sales) != 5)
            continue;
        char iso[80];
        snprintf(iso, sizeof iso, "%04ld-%02ld-%02ld", date / 10000, date / 100 % 100, date % 100);
        sqlite3_bind_int64(acc, 1, sample);
        sqlite3_bind_text(acc, 2, sample % 2 ? "Music" : "Books", -1, SQLITE_STATIC);
        sqlite3_bind_text(acc, 3, sample % 3 ? "Web" : "Mail", -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(acc), SQLITE_DONE);
        sqlite3_reset(acc);
        sqlite3_stmt *day;
        assert_int_equal(
            sqlite3_prepare_v2(h, "SELECT CAST(unixepoch(?1) AS INTEGER) * 1000", -1, &day, NULL),
            SQLITE_OK);
        sqlite3_bind_text(day, 1, iso, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(day), SQLITE_ROW);
        sqlite3_bind_int64(ord, 1, sample);
        sqlite3_bind_int64(ord, 2, sqlite3_column_int64(day, 0));
        sqlite3_bind_int64(ord, 3, llround(sales * 100));
        sqlite3_finalize(day);
        assert_int_equal(sqlite3_step(ord), SQLITE_DONE);
        sqlite3_reset(ord);
    }
    fclose(f);
    sqlite3_finalize(acc);
    sqlite3_finalize(ord);
    assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static json_t *run_json(const char *db, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "value %s --json --db '%s' --as-of 1997-09-30", args, db);
    int rc = run(cmd);
    if (rc != 0)
        fail_msg("kith %s: exit %d: %s", cmd, rc, slurp(err_path));
    json_error_t e;
    json_t *j = json_loads(slurp(out_path), 0, &e);
    if (!j)
        fail_msg("kith %s: not JSON (%s at %d)", cmd, e.text, e.position);
    return j;
}

static void json_of_every_subcommand(void **state)
{
    (void)state;
    char db[512];
    test_tmp_path(db, sizeof db, "cdnow.db");
    cdnow_database(db);

    json_t *j = run_json(db, "fit");
    json_t *bg = json_object_get(json_object_get(j, "model"), "bgnbd");
    assert_true(fabs(json_real_value(json_object_get(bg, "r")) - 0.2425945) < 2e-6);
    assert_true(json_is_true(json_object_get(json_object_get(j, "model"), "fitted")));
    json_decref(j);

    j = run_json(db, "clv --limit 3");
    assert_int_equal(json_integer_value(json_object_get(j, "customers_total")), 2357);
    assert_int_equal(json_array_size(json_object_get(j, "customers")), 3);
    json_t *c0 = json_array_get(json_object_get(j, "customers"), 0);
    assert_true(json_is_number(json_object_get(c0, "value_lifetime")));
    assert_true(json_is_boolean(json_object_get(c0, "proxy")));
    json_decref(j);

    j = run_json(db, "clv --account 1");
    assert_int_equal(json_integer_value(json_object_get(j, "account_id")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "first_order")), "1997-01-01");
    json_decref(j);

    j = run_json(db, "dist --measure to_date");
    json_t *all = json_object_get(j, "overall");
    assert_int_equal(json_integer_value(json_object_get(all, "customers")), 2357);
    assert_int_equal(json_array_size(json_object_get(all, "deciles")), 10);
    assert_int_equal(json_array_size(json_object_get(all, "lorenz")), 21);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "by"), "source")), 2);
    json_decref(j);

    const char *rest[] = {"dist",      "drivers --period month",   "rfm", "reap", "xsell",
                          "referrals", "drivers cohorts migration"};
    for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
        json_decref(run_json(db, rest[i]));
    test_rm_db(db);
}

static int setup(void **state)
{
    (void)state;
    test_tmp_path(out_path, sizeof out_path, "out.txt");
    test_tmp_path(err_path, sizeof err_path, "err.txt");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(out_path);
    unlink(err_path);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_summary_files),
        cmocka_unit_test(no_convergence_prints_no_parameters),
        cmocka_unit_test(bad_options),
        cmocka_unit_test(empty_database_says_so),
        cmocka_unit_test(json_of_every_subcommand),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
