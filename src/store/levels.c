/*
 * levels.c - the contacts' stored relationship level and lifecycle stage, which the RV engine
 * derives from their interactions (docs/internals/rv.md, "Level and stage"). The store only
 * keeps them: the rule lives in the engine, and whoever holds a snapshot writes them here.
 */
#include "store/store_int.h"

#include "util/banned.h"

/* Writes only when a value differs, so that a refresh of unchanged contacts costs no page. */
static const char update_sql[] =
    "UPDATE contacts SET level = ?1, stage = ?2 WHERE id = ?3 AND (level IS NOT ?1 OR stage IS "
    "NOT ?2)";

int store_contacts_set_levels(struct store *s, const struct store_contact_level *rows, size_t n,
                              size_t *changed, struct kith_error *err)
{
    size_t nchanged = 0;
    sqlite3_stmt *st = NULL;
    int rc = store_begin(s, err);
    if (rc < 0)
        return rc;
    if (sqlite3_prepare_v2(s->db, update_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "storing contact levels: %s", sqlite3_errmsg(s->db));
        goto out_rollback;
    }
    for (size_t i = 0; i < n; i++) {
        const struct store_contact_level *r = &rows[i];
        if (r->level > 0)
            sqlite3_bind_int(st, 1, r->level);
        else
            sqlite3_bind_null(st, 1);
        if (r->level > 0 && r->stage)
            sqlite3_bind_text(st, 2, r->stage, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_int64(st, 3, r->contact_id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = kith_err(err, KITH_EDB, "storing the level of contact %lld: %s",
                          (long long)r->contact_id, sqlite3_errmsg(s->db));
            goto out_rollback;
        }
        nchanged += (size_t)sqlite3_changes(s->db);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = store_commit(s, err)) < 0)
        goto out_rollback;
    if (changed)
        *changed = nchanged;
    return 0;
out_rollback:
    sqlite3_finalize(st);
    store_rollback(s);
    return rc;
}
