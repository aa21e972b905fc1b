/*
 * sessions.c - the store's queries for sign-in: sessions, API tokens and user credentials.
 * Secrets arrive here already hashed; this file never sees a password or a raw token.
 */
#include "store/store_int.h"

#include "util/banned.h"

int store_count_open_sessions(struct store *s, int64_t now_ms, int64_t *n, struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sessions WHERE expires_at > ?", -1, &st,
                           NULL) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "counting sessions: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_int64(st, 1, now_ms);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = kith_err(err, KITH_EDB, "counting sessions: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(st);
    return rc;
}
