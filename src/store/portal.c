/*
 * portal.c - the store's queries for the customer portal's credentials: a contact's portal
 * access, its single-use tokens (invitations and sign-in links) and its portal sessions
 * (migration 12, docs/portal.md). Secrets arrive here already hashed. Every statement is
 * prepared from constant SQL and every value is bound.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

static struct store_value pv_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value pv_text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static struct store_value pv_id(int64_t i)
{
    return i ? pv_int(i) : (struct store_value){.kind = SV_NULL};
}

/* Prepares sql with vals[0..n) bound to ?1..?n; on failure *st is NULL and err is filled. */
static int prepare(struct store *s, const char *sql, const struct store_value *vals, int n,
                   sqlite3_stmt **st, const char *what, struct kith_error *err)
{
    if (store_stmt_get(s, sql, strlen(sql), st) != SQLITE_OK) {
        *st = NULL;
        return kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(store_db(s)));
    }
    for (int i = 0; i < n; i++)
        if (store_bind_value(*st, i + 1, &vals[i]) != SQLITE_OK) {
            kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(store_db(s)));
            store_stmt_done(s, *st);
            *st = NULL;
            return KITH_EDB;
        }
    return 0;
}

/* Runs a statement without rows; *changes (when non-NULL) gets the rows it touched. */
static int exec(struct store *s, const char *sql, const struct store_value *vals, int n,
                int *changes, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s, sql, vals, n, &st, what, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_DONE) {
        if (changes)
            *changes = sqlite3_changes(store_db(s));
    } else {
        rc = kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(store_db(s)));
    }
    store_stmt_done(s, st);
    return rc;
}

typedef void (*row_fn)(sqlite3_stmt *st, void *out);

/* Runs a query for at most one row, read with read; KITH_ENOTFOUND ("none") without a row. */
static int one(struct store *s, const char *sql, const struct store_value *vals, int n, row_fn read,
               void *out, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare(s, sql, vals, n, &st, what, err);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        read(st, out);
    else if (step == SQLITE_DONE)
        rc = kith_err(err, KITH_ENOTFOUND, "none");
    else
        rc = kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(store_db(s)));
    store_stmt_done(s, st);
    return rc;
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* ---- accounts ---- */

#define ACCOUNT_SELECT                                                                             \
    "SELECT p.contact_id, c.account_id, c.email, c.first_name, c.last_name, p.password_hash,"      \
    " p.created_at, p.revoked_at FROM portal_accounts p JOIN contacts c ON c.id = p.contact_id"

static void read_account(sqlite3_stmt *st, void *p)
{
    struct store_portal_account *a = p;
    char first[128], last[128];
    a->contact_id = sqlite3_column_int64(st, 0);
    a->account_id = sqlite3_column_int64(st, 1);
    copy_text(a->email, sizeof(a->email), st, 2);
    copy_text(first, sizeof(first), st, 3);
    copy_text(last, sizeof(last), st, 4);
    snprintf(a->name, sizeof(a->name), "%s%s%s", first, *first ? " " : "", last);
    copy_text(a->password_hash, sizeof(a->password_hash), st, 5);
    a->created_at = sqlite3_column_int64(st, 6);
    a->revoked_at = sqlite3_column_int64(st, 7);
}

int store_portal_account_get(struct store *s, int64_t contact_id, struct store_portal_account *out,
                             struct kith_error *err)
{
    struct store_value v = pv_int(contact_id);
    int rc = one(s, ACCOUNT_SELECT " WHERE p.contact_id = ?1", &v, 1, read_account, out,
                 "looking up a portal account", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, rc, "contact %lld has no portal access", (long long)contact_id);
    return rc;
}

int store_portal_account_find_by_email(struct store *s, const char *email,
                                       struct store_portal_account *out, struct kith_error *err)
{
    struct store_value v = pv_text(email);
    int rc = one(s, ACCOUNT_SELECT " WHERE c.email = ?1", &v, 1, read_account, out,
                 "looking up a portal account", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, rc, "no portal access for that email");
    return rc;
}

/* ---- tokens ---- */

int store_portal_token_create(struct store *s, int64_t contact_id, const char *kind,
                              const char *token_hash, int64_t now_ms, int64_t expires_at,
                              int64_t created_by, int64_t *id_out, struct kith_error *err)
{
    struct store_value vals[] = {pv_int(contact_id),  pv_int(now_ms),     pv_text(kind),
                                 pv_text(token_hash), pv_int(expires_at), pv_id(created_by)};
    int rc, changes = 0;
    if (strcmp(kind, STORE_PORTAL_INVITATION) == 0) {
        /* a contact that exists gets access, or has it revived */
        rc = exec(s,
                  "INSERT INTO portal_accounts (contact_id, created_at)"
                  " SELECT id, ?2 FROM contacts WHERE id = ?1"
                  " ON CONFLICT(contact_id) DO UPDATE SET revoked_at = NULL,"
                  " password_hash = CASE WHEN revoked_at IS NULL THEN password_hash ELSE '' END,"
                  " password_set_at = CASE WHEN revoked_at IS NULL THEN password_set_at END",
                  vals, 2, &changes, "giving portal access", err);
    } else {
        rc = exec(s,
                  "UPDATE portal_accounts SET contact_id = contact_id"
                  " WHERE contact_id = ?1 AND revoked_at IS NULL",
                  vals, 1, &changes, "checking portal access", err);
    }
    if (rc < 0)
        return rc;
    if (changes == 0)
        return kith_err(err, KITH_ENOTFOUND, "no contact %lld with portal access",
                        (long long)contact_id);
    rc = exec(s,
              "INSERT INTO portal_tokens (contact_id, created_at, kind, token_hash, expires_at,"
              " created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
              vals, 6, NULL, "storing a portal link", err);
    if (rc == 0 && id_out)
        *id_out = sqlite3_last_insert_rowid(store_db(s));
    return rc;
}

static void read_id_pair(sqlite3_stmt *st, void *p)
{
    int64_t *out = p;
    out[0] = sqlite3_column_int64(st, 0);
    out[1] = sqlite3_column_int64(st, 1);
}

int store_portal_token_use(struct store *s, const char *kind, const char *token_hash,
                           int64_t now_ms, int64_t *contact_id, struct kith_error *err)
{
    struct store_value vals[] = {pv_text(token_hash), pv_text(kind), pv_int(now_ms)};
    int64_t row[2] = {0, 0};
    int rc = one(s,
                 "SELECT t.id, t.contact_id FROM portal_tokens t"
                 " JOIN portal_accounts p ON p.contact_id = t.contact_id"
                 " WHERE t.token_hash = ?1 AND t.kind = ?2 AND t.used_at IS NULL"
                 " AND t.expires_at > ?3 AND p.revoked_at IS NULL",
                 vals, 3, read_id_pair, row, "looking up a portal link", err);
    if (rc == KITH_ENOTFOUND)
        return kith_err(err, rc, "the link is not valid (unknown, used, expired or revoked)");
    if (rc < 0)
        return rc;
    struct store_value upd[] = {pv_int(row[0]), pv_int(now_ms)};
    int changes = 0;
    if ((rc = exec(s, "UPDATE portal_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
                   upd, 2, &changes, "spending a portal link", err)) < 0)
        return rc;
    if (changes != 1)
        return kith_err(err, KITH_ENOTFOUND, "the link was used already");
    *contact_id = row[1];
    return 0;
}

/* ---- sessions ---- */

int store_portal_sessions_end(struct store *s, int64_t contact_id, int64_t keep_session,
                              int64_t now_ms, int64_t *ended, struct kith_error *err)
{
    struct store_value vals[] = {pv_int(contact_id), pv_int(keep_session), pv_int(now_ms)};
    int changes = 0;
    int rc = exec(s, "DELETE FROM portal_sessions WHERE contact_id = ?1 AND id <> ?2", vals, 2,
                  &changes, "ending portal sessions", err);
    if (rc == 0)
        rc = exec(s, "DELETE FROM portal_sessions WHERE expires_at <= ?3", vals, 3, NULL,
                  "removing expired portal sessions", err);
    if (ended)
        *ended = changes;
    return rc;
}

int store_portal_set_password(struct store *s, int64_t contact_id, const char *password_hash,
                              int64_t now_ms, int64_t keep_session, int64_t *ended,
                              struct kith_error *err)
{
    struct store_value vals[] = {pv_int(contact_id), pv_text(password_hash), pv_int(now_ms)};
    int changes = 0;
    int rc = exec(s,
                  "UPDATE portal_accounts SET password_hash = ?2, password_set_at = ?3"
                  " WHERE contact_id = ?1 AND revoked_at IS NULL",
                  vals, 3, &changes, "setting a portal password", err);
    if (rc < 0)
        return rc;
    if (changes == 0)
        return kith_err(err, KITH_ENOTFOUND, "contact %lld has no portal access",
                        (long long)contact_id);
    return store_portal_sessions_end(s, contact_id, keep_session, now_ms, ended, err);
}

int store_portal_revoke(struct store *s, int64_t contact_id, int64_t now_ms, int64_t *ended,
                        struct kith_error *err)
{
    struct store_value vals[] = {pv_int(contact_id), pv_int(now_ms)};
    int changes = 0;
    int rc = exec(s,
                  "UPDATE portal_accounts SET revoked_at = ?2, password_hash = '',"
                  " password_set_at = NULL WHERE contact_id = ?1 AND revoked_at IS NULL",
                  vals, 2, &changes, "revoking portal access", err);
    if (rc < 0)
        return rc;
    if (changes == 0)
        return kith_err(err, KITH_ENOTFOUND, "contact %lld holds no portal access",
                        (long long)contact_id);
    if ((rc = exec(
             s, "UPDATE portal_tokens SET used_at = ?2 WHERE contact_id = ?1 AND used_at IS NULL",
             vals, 2, NULL, "spending portal links", err)) < 0)
        return rc;
    return store_portal_sessions_end(s, contact_id, 0, now_ms, ended, err);
}

int store_portal_session_create(struct store *s, int64_t contact_id, const char *token_hash,
                                const char *csrf_hash, int64_t now_ms, int64_t expires_at,
                                int64_t *id_out, struct kith_error *err)
{
    struct store_value vals[] = {pv_int(now_ms), pv_int(contact_id), pv_text(token_hash),
                                 pv_text(csrf_hash), pv_int(expires_at)};
    int rc = exec(s,
                  "INSERT INTO portal_sessions (created_at, contact_id, token_hash, csrf_hash,"
                  " expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?1)",
                  vals, 5, NULL, "creating a portal session", err);
    if (rc == 0 && id_out)
        *id_out = sqlite3_last_insert_rowid(store_db(s));
    return rc;
}

#define SESSION_COLUMNS                                                                            \
    "ps.id, ps.contact_id, ps.created_at, ps.expires_at, ps.last_seen_at, ps.csrf_hash"

static void read_session(sqlite3_stmt *st, void *p)
{
    struct store_portal_session *out = p;
    out->id = sqlite3_column_int64(st, 0);
    out->contact_id = sqlite3_column_int64(st, 1);
    out->created_at = sqlite3_column_int64(st, 2);
    out->expires_at = sqlite3_column_int64(st, 3);
    out->last_seen_at = sqlite3_column_int64(st, 4);
    copy_text(out->csrf_hash, sizeof(out->csrf_hash), st, 5);
}

int store_portal_session_find(struct store *s, const char *token_hash, int64_t now_ms,
                              struct store_portal_session *out, struct kith_error *err)
{
    struct store_value vals[] = {pv_text(token_hash), pv_int(now_ms)};
    int rc = one(s,
                 "SELECT " SESSION_COLUMNS " FROM portal_sessions ps"
                 " JOIN portal_accounts p ON p.contact_id = ps.contact_id"
                 " WHERE ps.token_hash = ?1 AND ps.expires_at > ?2 AND p.revoked_at IS NULL",
                 vals, 2, read_session, out, "looking up a portal session", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, rc, "no such portal session");
    return rc;
}

int store_portal_session_get(struct store *s, int64_t id, struct store_portal_session *out,
                             struct kith_error *err)
{
    struct store_value v = pv_int(id);
    int rc = one(s, "SELECT " SESSION_COLUMNS " FROM portal_sessions ps WHERE ps.id = ?1", &v, 1,
                 read_session, out, "looking up a portal session", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, rc, "no portal session %lld", (long long)id);
    return rc;
}

int store_portal_session_touch(struct store *s, int64_t id, int64_t now_ms, int64_t expires_at,
                               struct kith_error *err)
{
    struct store_value vals[] = {pv_int(id), pv_int(now_ms), pv_int(expires_at)};
    return exec(s, "UPDATE portal_sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1",
                vals, 3, NULL, "refreshing a portal session", err);
}

int store_portal_session_delete(struct store *s, int64_t id, struct kith_error *err)
{
    struct store_value v = pv_int(id);
    int changes = 0;
    int rc = exec(s, "DELETE FROM portal_sessions WHERE id = ?1", &v, 1, &changes,
                  "ending a portal session", err);
    if (rc == 0 && changes == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no portal session %lld", (long long)id);
    return rc;
}

/* ---- who holds the contact's data (GET /portal/api/me/access-log) ---- */

int store_portal_holders(struct store *s, int64_t contact_id, store_holder_fn fn, void *ctx,
                         struct kith_error *err)
{
    /* why: the STORE_HOLDS_* bits; UNION keeps each (unit, bit) once, so SUM is their OR */
    static const char sql[] =
        "SELECT u.id, u.name, u.kind, SUM(h.why) FROM ("
        " SELECT unit_id AS uid, 1 AS why FROM contacts WHERE id = ?1 AND unit_id IS NOT NULL"
        " UNION SELECT a.unit_id, 2 FROM contacts c JOIN accounts a ON a.id = c.account_id"
        "  WHERE c.id = ?1 AND a.unit_id IS NOT NULL"
        " UNION SELECT DISTINCT us.unit_id, 4 FROM interactions i JOIN users us"
        "  ON us.id = i.user_id WHERE i.contact_id = ?1 AND us.unit_id IS NOT NULL"
        " UNION SELECT DISTINCT unit_id, 8 FROM deals WHERE contact_id = ?1"
        "  AND unit_id IS NOT NULL"
        " UNION SELECT DISTINCT us.unit_id, 16 FROM orders o JOIN users us ON us.id = o.user_id"
        "  WHERE (o.contact_id = ?1 OR o.account_id = (SELECT account_id FROM contacts"
        "  WHERE id = ?1)) AND us.unit_id IS NOT NULL"
        ") h JOIN units u ON u.id = h.uid GROUP BY u.id ORDER BY u.id";
    struct store_value v = pv_int(contact_id);
    sqlite3_stmt *st;
    int rc = prepare(s, sql, &v, 1, &st, "reading who holds the contact's data", err);
    if (rc < 0)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == 0) {
        struct store_holder h = {
            .unit_id = sqlite3_column_int64(st, 0),
            .name = (const char *)sqlite3_column_text(st, 1),
            .kind = (const char *)sqlite3_column_text(st, 2),
            .why = (unsigned)sqlite3_column_int(st, 3),
        };
        if (!h.name)
            h.name = "";
        if (!h.kind)
            h.kind = "";
        rc = fn(ctx, &h);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = kith_err(err, KITH_EDB, "reading who holds the contact's data: %s",
                      sqlite3_errmsg(store_db(s)));
    store_stmt_done(s, st);
    return rc;
}
