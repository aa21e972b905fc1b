/*
 * cli_test.c - black-box tests of `kith import` and `kith export` (src/cmd/import.c and
 * export.c) through the real binary ($KITH_BIN, set by ctest): exit codes, what goes to stdout
 * and stderr, the cap of 20 shown errors, --output and standard input, --map onto created_at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "io/fixture.h"

struct run {
    int status;
    char *out, *err;
};

static char dir_db[512], file_in[512], file_out[512], file_err[512], dir_csv[512], file_csv[600];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs "kith <args>" with the test database, stdin from file_in; fills r (caller frees). */
static void kith(struct run *r, const char *args)
{
    const char *bin = getenv("KITH_BIN");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "KITH_DB='%s' '%s' %s <'%s' >'%s' 2>'%s'", dir_db, bin, args,
             file_in, file_out, file_err);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    r->status = WEXITSTATUS(st);
    r->out = slurp_file(file_out);
    r->err = slurp_file(file_err);
}

static void done(struct run *r)
{
    free(r->out);
    free(r->err);
}

static int setup(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        return 0;
    test_tmp_path(dir_db, sizeof(dir_db), "cli.db");
    test_tmp_path(file_in, sizeof(file_in), "cli.in");
    test_tmp_path(file_out, sizeof(file_out), "cli.out");
    test_tmp_path(file_err, sizeof(file_err), "cli.err");
    test_tmp_path(dir_csv, sizeof(dir_csv), "csv");
    assert_int_equal(mkdir(dir_csv, 0700), 0);
    snprintf(file_csv, sizeof(file_csv), "%s/units.csv", dir_csv); /* the name says the table */
    write_file(file_in, "");
    struct run r;
    kith(&r, "init");
    assert_int_equal(r.status, 0);
    done(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rm_db(dir_db);
    unlink(file_in);
    unlink(file_out);
    unlink(file_err);
    unlink(file_csv);
    rmdir(dir_csv);
    return 0;
}

/* Runs kith with args and checks its exit status and a piece of its stdout and stderr. */
static void expect(const char *args, int status, const char *out_has, const char *err_has)
{
    struct run r;
    kith(&r, args);
    if (r.status != status)
        fail_msg("kith %s: exit %d, expected %d; stderr: %s", args, r.status, status, r.err);
    assert_non_null(strstr(r.out, out_has));
    assert_non_null(strstr(r.err, err_has));
    done(&r);
}

static void help_and_usage_errors(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        skip();
    expect("import --help", 0, "usage: kith import", "");
    expect("export --help", 0, "usage: kith export", "");
    expect("import", 2, "", "kith import: missing FILE");
    expect("import sessions x.csv", 2, "", "'sessions' is not a table that can be imported");
    expect("import --map nothing units x.csv", 2, "", "--map 'nothing': want SRC=FIELD");
    expect("export units --format xml", 2, "", "unknown format 'xml'");
    expect("import units /nonexistent/units.csv", 1, "", "cannot open /nonexistent/units.csv");
}

static void shows_twenty_errors_then_counts(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        skip();
    char csv[4096];
    size_t len = (size_t)snprintf(csv, sizeof(csv), "name,kind\n");
    for (int i = 0; i < 25; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "U%d,castle\n", i);
    write_file(file_csv, csv);
    struct run r;
    char args[1024];
    snprintf(args, sizeof(args), "import '%s'", file_csv); /* table from the file's name */
    kith(&r, args);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    int shown = 0;
    for (const char *p = r.err; (p = strstr(p, ":2: kind: bad value 'castle'")) != NULL; p++)
        shown++;
    assert_int_equal(shown, 20);
    assert_non_null(strstr(r.err, "units.csv:2:2: kind: bad value 'castle': expected one of"));
    assert_non_null(strstr(r.err, "\n... and 5 more errors\n"));
    assert_non_null(strstr(r.err, "units.csv: 25 errors; nothing was imported\n"));
    done(&r);
    kith(&r, "export units");
    assert_string_equal(r.out, "id,created_at,external_id,name,kind,parent_id,shares_detail\n");
    done(&r);
}

static void imports_from_stdin_and_exports_to_a_file(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        skip();
    write_file(file_in, "name,kind,created_at\nHQ,manufacturer,2024-05-01\n");
    struct run r;
    kith(&r, "import units - --dry-run");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "units: 1 rows checked, no errors (dry run: nothing written)\n");
    done(&r);
    kith(&r, "import units -");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "units: 1 rows imported in "));
    assert_string_equal(r.err, ""); /* no progress bar: stderr is not a terminal */
    done(&r);
    write_file(file_in, "");
    char args[1024];
    snprintf(args, sizeof(args), "export units --format jsonl --output '%s'", file_csv);
    kith(&r, args);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    done(&r);
    char *written = slurp_file(file_csv);
    assert_string_equal(written, "{\"id\":1,\"created_at\":\"2024-05-01T00:00:00.000Z\","
                                 "\"external_id\":null,\"name\":\"HQ\",\"kind\":\"manufacturer\","
                                 "\"parent_id\":null,\"shares_detail\":false}\n");
    free(written);
    kith(&r, "export --columns teams");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "### teams\n"));
    assert_non_null(strstr(r.out, "| `unit_id` | id of a row of units | yes |"));
    done(&r);
}

/*
 * An export's "customer since" column can be read as created_at with --map (the import time is
 * the default otherwise); a year-only value is refused, not read as Unix seconds in 1970.
 */
static void maps_a_column_to_created_at_and_refuses_a_bare_year(void **state)
{
    (void)state;
    if (!getenv("KITH_BIN"))
        skip();
    write_file(file_in, "name,Customer Since,Ref\nAcme,2011-03-04,A-1\n");
    struct run r;
    kith(&r, "import accounts - --map 'Customer Since=created_at' --map Ref=external_id");
    assert_int_equal(r.status, 0);
    done(&r);
    write_file(file_in, "");
    kith(&r, "export accounts");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\n1,2011-03-04T00:00:00.000Z,A-1,Acme,"));
    done(&r);
    write_file(file_in, "name,Customer Since\nBeta,2012\n");
    kith(&r, "import accounts - --map 'Customer Since=created_at'");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err,
                           "created_at: bad time '2012': a year alone is not a time; write a "
                           "date such as 2011-01-01"));
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(help_and_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(shows_twenty_errors_then_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(imports_from_stdin_and_exports_to_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(maps_a_column_to_created_at_and_refuses_a_bare_year, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
