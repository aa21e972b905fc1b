/*
 * pg_open.c - opening and closing the store on PostgreSQL (issue 17, docs/storage.md): one
 * libpq connection per struct store, as SQLite has one handle per struct store (the server's
 * worker threads each open theirs), and the schema brought to STORE_SCHEMA_VERSION by the
 * translated migrations (migrations_pg.c). Only the store code on db.h runs on it so far.
 */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store_int.h"
#include "util/alloc.h"

#include "util/banned.h"

bool store_path_is_pg(const char *path)
{
    return db_url_is_pg(path);
}

bool store_is_pg(const struct store *s)
{
    return s->pg;
}

int store_open_pg(const char *url, int flags, struct store **out, struct kith_error *err)
{
    *out = NULL;
    if (!(flags & STORE_PG_READY))
        return kith_err(err, KITH_EINVAL,
                        "not yet available on PostgreSQL: this part of kith still works on SQLite"
                        " only (docs/storage.md)");
    struct store *s = calloc(1, sizeof(*s));
    if (!s || !(s->url = strdup(url)) ||
        !(s->stmts = alloc_array_zero(model_ntables, sizeof(*s->stmts)))) {
        store_close(s);
        return kith_err(err, KITH_ENOMEM, "out of memory opening a PostgreSQL database");
    }
    s->pg = true;
    int rc = db_open_pg(url, &s->conn, err);
    if (rc < 0)
        goto out_close;
    if ((rc = store_pg_schema_version(s->conn, &s->version, err)) < 0)
        goto out_close;
    if (s->version > store_nmigrations) {
        rc = kith_err(err, KITH_EVERSION,
                      "the PostgreSQL database has schema version %d but this kith knows"
                      " versions up to %d; use a newer kith",
                      s->version, store_nmigrations);
        goto out_close;
    }
    if (s->version < STORE_SCHEMA_VERSION) {
        if (flags & STORE_READONLY) {
            rc = kith_err(err, KITH_EVERSION,
                          "the PostgreSQL database has schema version %d; open it for writing"
                          " once (kith init) to upgrade it to version %d",
                          s->version, STORE_SCHEMA_VERSION);
            goto out_close;
        }
        if ((rc = store_pg_migrate(s->conn, STORE_SCHEMA_VERSION, err)) < 0)
            goto out_close;
        s->version = STORE_SCHEMA_VERSION;
    }
    *out = s;
    return 0;

out_close:
    store_close(s);
    return rc;
}

void store_close_pg(struct store *s)
{
    if (s->conn && s->writing)
        db_rollback(s->conn);
    db_close(s->conn);
    free(s->stmts);
    free(s->url);
    free(s);
}
