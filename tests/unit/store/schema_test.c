/*
 * schema_test.c - the model's table descriptions (src/model/tables.c) against the schema the
 * store's migrations create: every described table exists with every described column, a
 * reference is a foreign key to the table it names, a required field is NOT NULL, and every
 * column of a described table is described (so import and export see all of it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model/table.h"
#include "store/store.h"
#include "support/testutil.h"

struct column {
    char name[64];
    bool notnull;
};

/* The columns of table t in the database db (at most max). */
static size_t columns_of(sqlite3 *db, const char *t, struct column *out, size_t max)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name, \"notnull\" FROM pragma_table_info(?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < max) {
        snprintf(out[n].name, sizeof(out[n].name), "%s", (const char *)sqlite3_column_text(st, 0));
        out[n].notnull = sqlite3_column_int(st, 1) != 0;
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

/* True if column col of table t is a foreign key to table ref. */
static bool references(sqlite3 *db, const char *t, const char *col, const char *ref)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT 1 FROM pragma_foreign_key_list(?) WHERE \"from\" "
                                        "= ? AND \"table\" = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ref, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static void model_and_schema_agree(void **state)
{
    (void)state;
    char path[512];
    test_tmp_path(path, sizeof(path), "schema.db");
    struct store *s = NULL;
    struct kith_error err = {0};
    if (store_open(path, STORE_CREATE, &s, &err) < 0)
        fail_msg("store_open: %s", err.msg);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_true(model_ntables >= 10);
    for (size_t k = 0; k < model_ntables; k++) {
        const struct table_def *t = model_tables[k];
        struct column cols[128];
        size_t n = columns_of(db, t->name, cols, 128);
        if (n == 0)
            fail_msg("the schema has no table %s", t->name);
        for (size_t i = 0; i < t->nfields; i++) {
            const struct field_def *f = &t->fields[i];
            const struct column *c = NULL;
            for (size_t j = 0; j < n && !c; j++)
                c = strcmp(cols[j].name, f->name) == 0 ? &cols[j] : NULL;
            if (!c)
                fail_msg("%s.%s is described but not in the schema", t->name, f->name);
            if (f->type == FT_REF && !references(db, t->name, f->name, f->ref_table))
                fail_msg("%s.%s is no foreign key to %s", t->name, f->name, f->ref_table);
            if (f->required && f->type != FT_ID && !c->notnull)
                fail_msg("%s.%s is required but may be NULL in the schema", t->name, f->name);
        }
        for (size_t j = 0; j < n; j++)
            if (!table_field(t, cols[j].name, NULL))
                fail_msg("%s.%s is in the schema but not described in model/tables.c", t->name,
                         cols[j].name);
    }
    sqlite3_close(db);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(model_and_schema_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
