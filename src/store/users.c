/*
 * users.c - the store's first code on db.h, so on SQLite and PostgreSQL alike (issue 17,
 * docs/storage.md): creating and listing users (kith user add / list), the audit log's append,
 * and the lookup of a row by a natural key on PostgreSQL. The SQL is SQLite's spelling, written
 * once; db_pg.c translates it.
 */
#include "store/db.h"
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Binds 0 as NULL (the structs' "none") and other ids as integers. */
static int bind_id(struct db_stmt *st, int i, int64_t id)
{
    return id ? db_bind_int64(st, i, id) : db_bind_null(st, i);
}

static int bind_opt_text(struct db_stmt *st, int i, const char *s)
{
    return s ? db_bind_text(st, i, s, strlen(s)) : db_bind_null(st, i);
}

int store_find_id_db(struct store *s, const struct table_def *t, const char *column,
                     const char *key, int64_t *id_out, struct kith_error *err)
{
    char sql[SQL_MAX];
    /* t->name and column are a table description's constants (checked by store_find_id) */
    snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ? ORDER BY id LIMIT 1", t->name,
             column);
    struct db_stmt *st;
    int rc = db_prepare(s->conn, sql, &st);
    if (rc < 0)
        return db_err(s->conn, rc, "looking up a key", err);
    if ((rc = db_bind_text(st, 1, key, strlen(key))) == 0)
        rc = db_step(st);
    if (rc == DB_ROW) {
        *id_out = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no %s with %s '%s'", t->singular, column, key);
    } else {
        rc = db_err(s->conn, rc, "looking up a key", err);
    }
    db_finalize(st);
    return rc;
}

int store_user_add(struct store *s, const struct store_user_new *u, int64_t *id_out,
                   struct kith_error *err)
{
    struct db_stmt *st;
    int rc = db_prepare(s->conn,
                        "INSERT INTO users (created_at, email, name, role, unit_id, team_id,"
                        " password_hash, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)"
                        " RETURNING id",
                        &st);
    if (rc < 0)
        return db_err(s->conn, rc, "adding a user", err);
    if ((rc = db_bind_int64(st, 1, u->created_at ? u->created_at : store_now_ms())) < 0 ||
        (rc = db_bind_text(st, 2, u->email, strlen(u->email))) < 0 ||
        (rc = db_bind_text(st, 3, u->name, strlen(u->name))) < 0 ||
        (rc = db_bind_text(st, 4, u->role, strlen(u->role))) < 0 ||
        (rc = bind_id(st, 5, u->unit_id)) < 0 || (rc = bind_id(st, 6, u->team_id)) < 0 ||
        (rc = bind_opt_text(st, 7, u->password_hash)) < 0)
        goto out_finalize;
    if ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_column_int64(st, 0);
        if ((rc = db_step(st)) == DB_DONE && id_out)
            *id_out = id;
    }
    if (rc == DB_DONE)
        rc = 0;
out_finalize:
    if (rc == KITH_ECONFLICT)
        kith_err(err, rc, "a user with email '%s' exists already", u->email);
    else if (rc < 0)
        db_err(s->conn, rc, "adding a user", err);
    db_finalize(st);
    return rc;
}

int store_user_list(struct store *s, store_user_list_fn fn, void *ctx, struct kith_error *err)
{
    struct db_stmt *st;
    int rc = db_prepare(s->conn,
                        "SELECT u.id, u.email, u.name, u.role, coalesce(n.name, ''),"
                        " coalesce(t.name, ''), u.disabled FROM users u"
                        " LEFT JOIN units n ON n.id = u.unit_id"
                        " LEFT JOIN teams t ON t.id = u.team_id ORDER BY u.id",
                        &st);
    if (rc < 0)
        return db_err(s->conn, rc, "listing users", err);
    bool stopped = false;
    while ((rc = db_step(st)) == DB_ROW) {
        struct store_user_listed u = {.id = db_column_int64(st, 0),
                                      .disabled = db_column_int64(st, 6) != 0};
        snprintf(u.email, sizeof(u.email), "%s", db_column_text(st, 1));
        snprintf(u.name, sizeof(u.name), "%s", db_column_text(st, 2));
        snprintf(u.role, sizeof(u.role), "%s", db_column_text(st, 3));
        snprintf(u.unit, sizeof(u.unit), "%s", db_column_text(st, 4));
        snprintf(u.team, sizeof(u.team), "%s", db_column_text(st, 5));
        if ((rc = fn(ctx, &u)) != 0) {
            stopped = true;
            break;
        }
    }
    if (!stopped && rc < 0)
        db_err(s->conn, rc, "listing users", err);
    db_finalize(st);
    return rc == DB_DONE ? 0 : rc;
}

/* ---- audit log ---- */

int store_audit_insert(struct store *s, const struct store_audit_entry *e, int64_t *id_out,
                       struct kith_error *err)
{
    if (!e->action || !*e->action)
        BUG("an audit entry needs an action");
    /* RETURNING only when the id is wanted: the common append costs what it did before */
    struct db_stmt *st;
    int rc = db_prepare(s->conn,
                        id_out ? "INSERT INTO audit_log (created_at, user_id, action, table_name,"
                                 " record_id, client_addr, detail)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id"
                               : "INSERT INTO audit_log (created_at, user_id, action, table_name,"
                                 " record_id, client_addr, detail)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        &st);
    if (rc < 0)
        return db_err(s->conn, KITH_EDB, "writing the audit log", err);
    int64_t id = 0;
    if ((rc = db_bind_int64(st, 1, e->created_at ? e->created_at : store_now_ms())) < 0 ||
        (rc = bind_id(st, 2, e->user_id)) < 0 ||
        (rc = db_bind_text(st, 3, e->action, strlen(e->action))) < 0 ||
        (rc = bind_opt_text(st, 4, e->table_name)) < 0 || (rc = bind_id(st, 5, e->record_id)) < 0 ||
        (rc = bind_opt_text(st, 6, e->client_addr)) < 0 ||
        (rc = bind_opt_text(st, 7, e->detail)) < 0)
        goto out_finalize;
    if ((rc = db_step(st)) == DB_ROW) {
        id = db_column_int64(st, 0);
        rc = db_step(st);
    }
    if (rc == DB_DONE) {
        rc = 0;
        if (id_out)
            *id_out = id;
    }
out_finalize:
    if (rc < 0) /* KITH_EDB whatever the cause, as ever for this append */
        rc = db_err(s->conn, KITH_EDB, "writing the audit log", err);
    db_finalize(st);
    return rc;
}
