/*
 * store_int.h - internals of the SQLite backend, shared by sqlite.c, migrations.c and the
 * store's unit tests. Nothing outside src/store/ and tests/unit/store/ includes it.
 */
#ifndef KITH_STORE_STORE_INT_H
#define KITH_STORE_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

#define SQL_MAX 4096

struct table_stmts {
    sqlite3_stmt *insert;
    sqlite3_stmt *scan;
    sqlite3_stmt *exists;
    sqlite3_stmt *count;
    sqlite3_stmt *find[TABLE_MAX_NATURAL_KEYS];
};

struct store {
    sqlite3 *db;
    int version;
    struct table_stmts *stmts; /* one per model_tables[] entry */
};

/* store_migrations[i] takes version i to i + 1. */
extern const char *const store_migrations[];
extern const int store_nmigrations;

/*
 * Brings db from its user_version to target (<= store_nmigrations) in one transaction.
 * Refuses a database newer than this binary with KITH_EVERSION naming both versions.
 */
int store_migrate(sqlite3 *db, int target, struct kith_error *err);

/* The raw handle, for tests. */
sqlite3 *store_db(struct store *s);

#endif
