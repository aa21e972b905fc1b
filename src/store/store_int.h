/*
 * store_int.h - internals of the SQLite backend, shared by sqlite.c, migrations.c and the
 * store's unit tests. Nothing outside src/store/ and tests/unit/store/ includes it.
 */
#ifndef KITH_STORE_STORE_INT_H
#define KITH_STORE_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

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
