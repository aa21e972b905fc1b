/*
 * db_sqlite.c - db.h's SQLite driver: a db over the store's own handle, and SQLite's result
 * codes as the store's error codes. The calls themselves are inline in db.h.
 */
#include "store/db.h"

#include <stdlib.h>

#include "util/banned.h"

int db_wrap_sqlite(sqlite3 *handle, struct db **out, struct kith_error *err)
{
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    (*out)->kind = DB_SQLITE;
    (*out)->lite = handle;
    return 0;
}

int db_sqlite_result(struct db *d, int rc)
{
    (void)d;
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_NOMEM:
        return KITH_ENOMEM;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return KITH_ECONFLICT;
        return KITH_EINVAL; /* a reference, a NOT NULL, a CHECK, a trigger's RAISE */
    default:
        return KITH_EDB;
    }
}
