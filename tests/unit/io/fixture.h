/*
 * fixture.h - what the io tests share: a fresh database per test and a table exported into a
 * string. Header-only, like support/testutil.h, so each test stays one executable.
 */
#ifndef KITH_TESTS_IO_FIXTURE_H
#define KITH_TESTS_IO_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "io/export.h"
#include "support/testutil.h"

struct db_fixture {
    char path[512];
    struct store *s;
};

/* A new empty database in a temporary file; db_fixture_close() removes it. */
static inline struct db_fixture *db_fixture_open(const char *name)
{
    struct db_fixture *fx = calloc(1, sizeof(*fx));
    struct kith_error err = {0};
    assert_non_null(fx);
    test_tmp_path(fx->path, sizeof(fx->path), name);
    if (store_open(fx->path, STORE_CREATE, &fx->s, &err) != 0)
        fail_msg("store_open %s: %s", fx->path, err.msg);
    return fx;
}

static inline void db_fixture_close(struct db_fixture *fx)
{
    store_close(fx->s);
    test_rm_db(fx->path);
    free(fx);
}

/* The whole file at path as a string ("" when it cannot be read); the caller frees it. */
static inline char *slurp_file(const char *path)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    FILE *f = fopen(path, "rb");
    assert_non_null(mem);
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            fwrite(chunk, 1, n, mem);
        fclose(f);
    }
    fclose(mem);
    return buf;
}

/* Every row of t in format f as one string; the caller frees it. */
static inline char *export_to_string(struct store *s, const struct table_def *t,
                                     enum export_format f)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    struct kith_error err = {0};
    assert_non_null(out);
    if (export_table(s, t, f, out, NULL, &err) != 0)
        fail_msg("export %s: %s", t->name, err.msg);
    fclose(out);
    return buf;
}

#endif
