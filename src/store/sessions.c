/*
 * sessions.c - the store's queries for sign-in: user credentials, sessions, API tokens and the
 * audit log. Secrets arrive here already hashed; this file never sees a password or a raw
 * token. Every statement is prepared from constant SQL and every value is bound.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/*
 * Prepares sql and binds vals[0..n) to ?1..?n (values beyond the statement's highest parameter
 * are not bound, so related statements can share one array). On failure *st is NULL and err is
 * filled.
 */
static int prepare_bound(struct store *s, const char *sql, const struct store_value *vals, int n,
                         sqlite3_stmt **st, const char *what, struct kith_error *err)
{
    if (store_stmt_get(s, sql, strlen(sql), st) != SQLITE_OK) {
        *st = NULL;
        return kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(s->db));
    }
    int nparams = sqlite3_bind_parameter_count(*st);
    for (int i = 0; i < n && i < nparams; i++) {
        const struct store_value *v = &vals[i];
        int rc = SQLITE_OK;
        if (v->kind == SV_INT)
            rc = sqlite3_bind_int64(*st, i + 1, v->i);
        else if (v->kind == SV_TEXT)
            rc = sqlite3_bind_text64(*st, i + 1, v->s, v->len, SQLITE_TRANSIENT, SQLITE_UTF8);
        else if (v->kind == SV_REAL)
            rc = sqlite3_bind_double(*st, i + 1, v->r);
        if (rc != SQLITE_OK) {
            kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(s->db));
            store_stmt_done(s, *st);
            *st = NULL;
            return KITH_EDB;
        }
    }
    return 0;
}

/* Runs a statement that returns no rows; *changes (when non-NULL) gets the rows it touched. */
static int exec_bound(struct store *s, const char *sql, const struct store_value *vals, int n,
                      int *changes, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_bound(s, sql, vals, n, &st, what, err);
    if (rc < 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_DONE) {
        if (changes)
            *changes = sqlite3_changes(s->db);
        rc = 0;
    } else {
        rc = kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(s->db));
    }
    store_stmt_done(s, st);
    return rc;
}

/* exec_bound() for an INSERT; *id_out (when non-NULL) gets the new row's id. */
static int insert_bound(struct store *s, const char *sql, const struct store_value *vals, int n,
                        int64_t *id_out, const char *what, struct kith_error *err)
{
    int rc = exec_bound(s, sql, vals, n, NULL, what, err);
    if (rc == 0 && id_out)
        *id_out = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* Copies the current row of st into the caller's structs a and b. */
typedef void (*row_reader)(sqlite3_stmt *st, void *a, void *b);

/*
 * Runs a query for at most one row and reads it with read. KITH_ENOTFOUND (with "none" as the
 * message; callers say what was missing) when there is no row.
 */
static int one_row(struct store *s, const char *sql, const struct store_value *vals, int n,
                   row_reader read, void *a, void *b, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st;
    int rc = prepare_bound(s, sql, vals, n, &st, what, err);
    if (rc < 0)
        return rc;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read(st, a, b);
        rc = 0;
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "none");
    } else {
        rc = kith_err(err, KITH_EDB, "%s: %s", what, sqlite3_errmsg(s->db));
    }
    store_stmt_done(s, st);
    return rc;
}

/* Reads integer columns 0 (into a) and 1 (into b, when non-NULL). */
static void read_counts(sqlite3_stmt *st, void *a, void *b)
{
    *(int64_t *)a = sqlite3_column_int64(st, 0);
    if (b)
        *(int64_t *)b = sqlite3_column_int64(st, 1);
}

static struct store_value sv_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

/* 0 stands for "none" in the structs of store.h, NULL in the database. */
static struct store_value sv_id(int64_t i)
{
    return i ? sv_int(i) : (struct store_value){.kind = SV_NULL};
}

static struct store_value sv_text(const char *s)
{
    if (!s)
        return (struct store_value){.kind = SV_NULL};
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

/* Copies text column col into dst (size bytes), cut if longer; NULL becomes "". */
static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static int savepoint(struct store *s, const char *sql, struct kith_error *err)
{
    return exec_bound(s, sql, NULL, 0, NULL, "savepoint", err);
}

static void savepoint_rollback(struct store *s)
{
    sqlite3_exec(s->db, "ROLLBACK TO sign_in; RELEASE sign_in", NULL, NULL, NULL);
}

/* ---- users ---- */

#define USER_COLUMNS                                                                               \
    "u.id, u.email, u.name, u.role, u.unit_id, u.team_id, u.password_hash, u.disabled"

/* Reads USER_COLUMNS starting at column col into u. */
static void read_user_at(sqlite3_stmt *st, int col, struct store_user_auth *u)
{
    u->id = sqlite3_column_int64(st, col);
    copy_text(u->email, sizeof(u->email), st, col + 1);
    copy_text(u->name, sizeof(u->name), st, col + 2);
    copy_text(u->role, sizeof(u->role), st, col + 3);
    u->unit_id = sqlite3_column_int64(st, col + 4);
    u->team_id = sqlite3_column_int64(st, col + 5);
    copy_text(u->password_hash, sizeof(u->password_hash), st, col + 6);
    u->disabled = sqlite3_column_int64(st, col + 7) != 0;
}

static void read_user(sqlite3_stmt *st, void *user, void *unused)
{
    (void)unused;
    read_user_at(st, 0, user);
}

int store_user_find_by_email(struct store *s, const char *email, struct store_user_auth *out,
                             struct kith_error *err)
{
    struct store_value v = sv_text(email);
    int rc = one_row(s, "SELECT " USER_COLUMNS " FROM users u WHERE u.email = ?1", &v, 1, read_user,
                     out, NULL, "looking up a user", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, KITH_ENOTFOUND, "no user with email '%s'", email);
    return rc;
}

int store_user_get(struct store *s, int64_t id, struct store_user_auth *out, struct kith_error *err)
{
    struct store_value v = sv_int(id);
    int rc = one_row(s, "SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?1", &v, 1, read_user,
                     out, NULL, "looking up a user", err);
    if (rc == KITH_ENOTFOUND)
        rc = kith_err(err, KITH_ENOTFOUND, "no user with id %lld", (long long)id);
    return rc;
}

/* Ends the credentials of e->user_id (store.h); the caller holds a savepoint or transaction. */
static int end_credentials(struct store *s, const struct store_credential_end *e, int64_t now_ms,
                           int64_t *ended, struct kith_error *err)
{
    struct store_value vals[] = {sv_int(e->user_id), sv_int(e->keep_session), sv_int(e->keep_token),
                                 sv_int(now_ms)};
    int sessions = 0, tokens = 0, rc;
    if ((rc = exec_bound(s, "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2", vals, 2,
                         &sessions, "ending sessions", err)) < 0 ||
        (rc = exec_bound(s,
                         "UPDATE api_tokens SET revoked_at = ?4 WHERE user_id = ?1 AND id <> ?3"
                         " AND revoked_at IS NULL",
                         vals, 4, &tokens, "revoking API tokens", err)) < 0)
        return rc;
    if (ended)
        *ended = sessions + tokens;
    if (sessions + tokens == 0)
        return 0; /* an ordinary sign-out stays one entry */
    char detail[160];
    snprintf(detail, sizeof(detail), "%s: %d session%s ended, %d API token%s revoked",
             e->why ? e->why : "-", sessions, sessions == 1 ? "" : "s", tokens,
             tokens == 1 ? "" : "s");
    struct store_audit_entry a = {.created_at = now_ms,
                                  .user_id = e->actor_id,
                                  .action = "credentials_end",
                                  .table_name = "users",
                                  .record_id = e->user_id,
                                  .client_addr = e->client_addr,
                                  .detail = detail};
    return store_audit_insert(s, &a, NULL, err);
}

int store_user_end_credentials(struct store *s, const struct store_credential_end *e,
                               int64_t now_ms, int64_t *ended, struct kith_error *err)
{
    int rc;
    if ((rc = savepoint(s, "SAVEPOINT sign_in", err)) < 0)
        return rc;
    if ((rc = end_credentials(s, e, now_ms, ended, err)) < 0) {
        savepoint_rollback(s);
        return rc;
    }
    return savepoint(s, "RELEASE sign_in", err);
}

/*
 * Runs sql (binding ?1 = the user's id, ?2 = arg) on the user's row and then, when end_them, ends
 * their credentials, under one savepoint, so that both apply or neither, inside or outside a
 * caller's transaction. KITH_ENOTFOUND when sql changes no row.
 */
static int user_change(struct store *s, const char *sql, struct store_value arg,
                       const struct store_credential_end *e, bool end_them, int64_t now_ms,
                       const char *what, struct kith_error *err)
{
    struct store_value vals[] = {sv_int(e->user_id), arg};
    int rc, changes = 0;
    if ((rc = savepoint(s, "SAVEPOINT sign_in", err)) < 0)
        return rc;
    if ((rc = exec_bound(s, sql, vals, 2, &changes, what, err)) < 0)
        goto out_rollback;
    if (changes == 0) {
        rc = kith_err(err, KITH_ENOTFOUND, "no user with id %lld", (long long)e->user_id);
        goto out_rollback;
    }
    if (end_them && (rc = end_credentials(s, e, now_ms, NULL, err)) < 0)
        goto out_rollback;
    return savepoint(s, "RELEASE sign_in", err);

out_rollback:
    savepoint_rollback(s);
    return rc;
}

int store_user_set_password(struct store *s, const struct store_credential_end *e,
                            const char *password_hash, int64_t now_ms, struct kith_error *err)
{
    return user_change(s, "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                       sv_text(password_hash), e, true, now_ms, "setting a password", err);
}

int store_user_set_disabled(struct store *s, const struct store_credential_end *e, bool disabled,
                            int64_t now_ms, struct kith_error *err)
{
    return user_change(s, "UPDATE users SET disabled = ?2 WHERE id = ?1", sv_int(disabled), e,
                       disabled, now_ms, disabled ? "disabling a user" : "enabling a user", err);
}

static void read_found(sqlite3_stmt *st, void *found, void *unused)
{
    (void)st;
    (void)unused;
    *(bool *)found = true;
}

bool store_credential_holds(struct store *s, const struct store_credential *c, int64_t now_ms)
{
    struct kith_error err = {0};
    struct store_value vals[] = {sv_int(c->user_id), sv_text(c->role),      sv_id(c->unit_id),
                                 sv_id(c->team_id),  sv_int(c->session_id), sv_int(c->token_id),
                                 sv_int(now_ms)};
    bool found = false;
    if (!c->session_id == !c->token_id)
        BUG("a stream's credential is a session or a token");
    int rc = one_row(s,
                     "SELECT 1 FROM users u WHERE u.id = ?1 AND u.disabled = 0 AND u.role = ?2"
                     " AND u.unit_id IS ?3 AND u.team_id IS ?4"
                     " AND (?5 = 0 OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = ?5"
                     " AND s.user_id = u.id AND s.expires_at > ?7))"
                     " AND (?6 = 0 OR EXISTS (SELECT 1 FROM api_tokens t WHERE t.id = ?6"
                     " AND t.user_id = u.id AND t.revoked_at IS NULL))",
                     vals, 7, read_found, &found, NULL, "checking a credential", &err);
    if (rc < 0 && rc != KITH_ENOTFOUND)
        fprintf(stderr, "kith: %s\n", err.msg);
    return rc == 0 && found;
}

/* ---- sessions ---- */

int store_session_create(struct store *s, int64_t user_id, const char *token_hash,
                         const char *csrf_hash, int64_t now_ms, int64_t expires_at, int64_t *id_out,
                         struct kith_error *err)
{
    struct store_value vals[] = {sv_int(now_ms), sv_int(user_id), sv_text(token_hash),
                                 sv_text(csrf_hash), sv_int(expires_at)};
    return insert_bound(s,
                        "INSERT INTO sessions (created_at, user_id, token_hash, csrf_token,"
                        " expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?1)",
                        vals, 5, id_out, "creating a session", err);
}

#define SESSION_COLUMNS  "s.id, s.user_id, s.created_at, s.expires_at, s.last_seen_at, s.csrf_token"
#define SESSION_NCOLUMNS 6

/* Reads SESSION_COLUMNS into a session, then USER_COLUMNS into a user when one is given. */
static void read_session(sqlite3_stmt *st, void *session, void *user)
{
    struct store_session *out = session;
    out->id = sqlite3_column_int64(st, 0);
    out->user_id = sqlite3_column_int64(st, 1);
    out->created_at = sqlite3_column_int64(st, 2);
    out->expires_at = sqlite3_column_int64(st, 3);
    out->last_seen_at = sqlite3_column_int64(st, 4);
    copy_text(out->csrf_hash, sizeof(out->csrf_hash), st, 5);
    if (user)
        read_user_at(st, SESSION_NCOLUMNS, user);
}

static int session_not_found(int rc, struct kith_error *err)
{
    if (rc == KITH_ENOTFOUND)
        return kith_err(err, rc, "no such session (signed out or expired)");
    return rc;
}

int store_session_find(struct store *s, const char *token_hash, int64_t now_ms,
                       struct store_session *out, struct store_user_auth *user,
                       struct kith_error *err)
{
    struct store_value vals[] = {sv_text(token_hash), sv_int(now_ms)};
    return session_not_found(one_row(s,
                                     "SELECT " SESSION_COLUMNS ", " USER_COLUMNS
                                     " FROM sessions s JOIN users u ON u.id = s.user_id"
                                     " WHERE s.token_hash = ?1 AND s.expires_at > ?2"
                                     " AND u.disabled = 0",
                                     vals, 2, read_session, out, user, "looking up a session", err),
                             err);
}

int store_session_get(struct store *s, int64_t id, struct store_session *out,
                      struct kith_error *err)
{
    struct store_value v = sv_int(id);
    return session_not_found(one_row(s,
                                     "SELECT " SESSION_COLUMNS " FROM sessions s WHERE s.id = ?1",
                                     &v, 1, read_session, out, NULL, "looking up a session", err),
                             err);
}

int store_session_touch(struct store *s, int64_t id, int64_t now_ms, int64_t expires_at,
                        struct kith_error *err)
{
    struct store_value vals[] = {sv_int(id), sv_int(now_ms), sv_int(expires_at)};
    return exec_bound(s, "UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1",
                      vals, 3, NULL, "refreshing a session", err);
}

int store_session_delete(struct store *s, int64_t id, struct kith_error *err)
{
    struct store_value v = sv_int(id);
    int changes = 0;
    int rc = exec_bound(s, "DELETE FROM sessions WHERE id = ?1", &v, 1, &changes,
                        "ending a session", err);
    if (rc == 0 && changes == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no session %lld", (long long)id);
    return rc;
}

int store_sessions_purge(struct store *s, int64_t now_ms, int64_t *purged, struct kith_error *err)
{
    struct store_value v = sv_int(now_ms);
    int changes = 0;
    int rc = exec_bound(s, "DELETE FROM sessions WHERE expires_at <= ?1", &v, 1, &changes,
                        "removing expired sessions", err);
    if (purged)
        *purged = changes;
    return rc;
}

int store_count_open_sessions(struct store *s, int64_t now_ms, int64_t *n, struct kith_error *err)
{
    struct store_value v = sv_int(now_ms);
    return one_row(s, "SELECT count(*) FROM sessions WHERE expires_at > ?1", &v, 1, read_counts, n,
                   NULL, "counting sessions", err);
}

/* ---- API tokens ---- */

int store_token_create(struct store *s, int64_t user_id, const char *name, const char *token_hash,
                       int64_t now_ms, int64_t *id_out, struct kith_error *err)
{
    struct store_value vals[] = {sv_int(now_ms), sv_int(user_id), sv_text(name),
                                 sv_text(token_hash)};
    return insert_bound(s,
                        "INSERT INTO api_tokens (created_at, user_id, name, token_hash)"
                        " VALUES (?1, ?2, ?3, ?4)",
                        vals, 4, id_out, "creating an API token", err);
}

#define TOKEN_COLUMNS  "t.id, t.user_id, t.created_at, t.last_used_at, t.revoked_at, t.name"
#define TOKEN_NCOLUMNS 6

/* Reads TOKEN_COLUMNS into a token, then USER_COLUMNS into a user when one is given. */
static void read_token(sqlite3_stmt *st, void *token, void *user)
{
    struct store_token *out = token;
    out->id = sqlite3_column_int64(st, 0);
    out->user_id = sqlite3_column_int64(st, 1);
    out->created_at = sqlite3_column_int64(st, 2);
    out->last_used_at = sqlite3_column_int64(st, 3);
    out->revoked_at = sqlite3_column_int64(st, 4);
    copy_text(out->name, sizeof(out->name), st, 5);
    if (user)
        read_user_at(st, TOKEN_NCOLUMNS, user);
}

static int token_not_found(int rc, struct kith_error *err)
{
    if (rc == KITH_ENOTFOUND)
        return kith_err(err, rc, "no such API token");
    return rc;
}

int store_token_find(struct store *s, const char *token_hash, struct store_token *out,
                     struct store_user_auth *user, struct kith_error *err)
{
    struct store_value v = sv_text(token_hash);
    return token_not_found(one_row(s,
                                   "SELECT " TOKEN_COLUMNS ", " USER_COLUMNS
                                   " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                                   " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL"
                                   " AND u.disabled = 0",
                                   &v, 1, read_token, out, user, "looking up an API token", err),
                           err);
}

int store_token_get(struct store *s, int64_t id, struct store_token *out, struct kith_error *err)
{
    struct store_value v = sv_int(id);
    return token_not_found(one_row(s, "SELECT " TOKEN_COLUMNS " FROM api_tokens t WHERE t.id = ?1",
                                   &v, 1, read_token, out, NULL, "looking up an API token", err),
                           err);
}

int store_token_touch(struct store *s, int64_t id, int64_t now_ms, struct kith_error *err)
{
    struct store_value vals[] = {sv_int(id), sv_int(now_ms)};
    return exec_bound(s, "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1", vals, 2, NULL,
                      "recording an API token's use", err);
}

struct token_visit {
    store_token_fn fn;
    void *ctx;
};

static int visit_token(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct token_visit *v = ctx;
    struct store_token t;
    read_token(st, &t, NULL);
    return v->fn(v->ctx, &t);
}

int store_token_list(struct store *s, int64_t user_id, store_token_fn fn, void *ctx,
                     struct kith_error *err)
{
    struct store_value v = sv_int(user_id);
    struct token_visit visit = {fn, ctx};
    const struct store_rows q = {.sql = "SELECT " TOKEN_COLUMNS
                                        " FROM api_tokens t WHERE t.user_id = ?1 ORDER BY t.id",
                                 .binds = &v,
                                 .nbinds = 1,
                                 .what = "listing API tokens"};
    return store_each_row(s, &q, visit_token, &visit, NULL, err);
}

int store_token_count_active(struct store *s, int64_t user_id, int64_t *n, struct kith_error *err)
{
    struct store_value v = sv_int(user_id);
    return one_row(s, "SELECT count(*) FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL",
                   &v, 1, read_counts, n, NULL, "counting API tokens", err);
}

int store_token_revoke(struct store *s, int64_t id, int64_t now_ms, struct kith_error *err)
{
    struct store_value vals[] = {sv_int(id), sv_int(now_ms)};
    int changes = 0;
    int rc = exec_bound(s,
                        "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1"
                        " AND revoked_at IS NULL",
                        vals, 2, &changes, "revoking an API token", err);
    if (rc == 0 && changes == 0)
        rc = kith_err(err, KITH_ENOTFOUND, "no active API token %lld", (long long)id);
    return rc;
}

/* ---- audit log ---- */

/* store_audit_insert() is in users.c, on db.h. */

struct audit_visit {
    store_audit_fn fn;
    void *ctx;
};

static int visit_audit(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct audit_visit *v = ctx;
    struct store_audit_entry e = {
        .id = sqlite3_column_int64(st, 0),
        .created_at = sqlite3_column_int64(st, 1),
        .user_id = sqlite3_column_int64(st, 2),
        .action = (const char *)sqlite3_column_text(st, 3),
        .table_name = (const char *)sqlite3_column_text(st, 4),
        .record_id = sqlite3_column_int64(st, 5),
        .client_addr = (const char *)sqlite3_column_text(st, 6),
        .detail = (const char *)sqlite3_column_text(st, 7),
    };
    return v->fn(v->ctx, &e);
}

/*
 * The WHERE clause is assembled from constant pieces, one per filter that is set, so that
 * SQLite's planner sees only the real constraints (and picks audit_log_user or audit_log_time
 * when they help); the values are bound by number.
 */
int store_audit_query(struct store *s, const struct store_audit_filter *f, store_audit_fn fn,
                      void *ctx, struct kith_error *err)
{
    static const char *const clauses[] = {
        " AND user_id = ?1",   " AND action = ?2",      " AND table_name = ?3",
        " AND record_id = ?4", " AND created_at >= ?5", " AND created_at <= ?6",
    };
    bool set[] = {f->user_id != 0,   f->action != NULL, f->table_name != NULL,
                  f->record_id != 0, f->since_ms != 0,  f->until_ms != 0};
    char sql[1024];
    size_t pos = (size_t)snprintf(sql, sizeof(sql),
                                  "SELECT id, created_at, user_id, action, table_name, record_id,"
                                  " client_addr, detail FROM audit_log WHERE id < ?7");
    for (size_t i = 0; i < sizeof(clauses) / sizeof(clauses[0]); i++)
        if (set[i])
            pos += (size_t)snprintf(sql + pos, sizeof(sql) - pos, "%s", clauses[i]);
    snprintf(sql + pos, sizeof(sql) - pos, " ORDER BY id DESC LIMIT ?8");
    if (f->limit < 1 || f->limit > STORE_AUDIT_LIMIT_MAX)
        BUG("audit query limit %d out of range", f->limit);

    struct store_value vals[] = {
        sv_int(f->user_id),
        sv_text(f->action),
        sv_text(f->table_name),
        sv_int(f->record_id),
        sv_int(f->since_ms),
        sv_int(f->until_ms),
        sv_int(f->before_id > 0 ? f->before_id : INT64_MAX),
        sv_int(f->limit),
    };
    struct audit_visit visit = {fn, ctx};
    const struct store_rows q = {
        .sql = sql, .binds = vals, .nbinds = 8, .what = "reading the audit log"};
    return store_each_row(s, &q, visit_audit, &visit, NULL, err);
}

int store_audit_recent_counts(struct store *s, const char *action, int64_t since_ms,
                              const char *detail, const char *client_addr, int64_t *n_detail,
                              int64_t *n_addr, struct kith_error *err)
{
    struct store_value vals[] = {sv_text(action), sv_int(since_ms), sv_text(detail),
                                 sv_text(client_addr)};
    return one_row(s,
                   "SELECT coalesce(sum(detail = ?3), 0), coalesce(sum(client_addr = ?4), 0)"
                   " FROM audit_log WHERE created_at > ?2 AND action = ?1",
                   vals, 4, read_counts, n_detail, n_addr, "counting recent audit entries", err);
}
