/*
 * sessions_test.c - tests of src/store/sessions.c: user credentials, sessions (find, expiry,
 * touch, delete, purge), API tokens (find, list, revoke), disabling a user, ending a user's
 * credentials and checking one for a live stream, and the audit log
 * (insert, filters, newest-first cursor, recent counts for throttling).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"

struct fixture {
    char path[512];
    struct store *s;
};

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "sessions.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    assert_int_equal(
        sqlite3_exec(
            store_db(f.s),
            "INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'HQ', 'manufacturer');"
            "INSERT INTO teams (id, created_at, name, kind, unit_id)"
            " VALUES (2, 0, 'North', 'retention', 1);"
            "INSERT INTO users (id, created_at, email, name, role, unit_id, team_id,"
            " password_hash) VALUES (1, 0, 'Ann@Example.com', 'Ann', 'admin', 1, 2, 'h-ann');"
            "INSERT INTO users (id, created_at, email, name, role) VALUES"
            " (2, 0, 'bob@example.com', 'Bob', 'frontline');",
            NULL, NULL, NULL),
        SQLITE_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    test_rm_db(f->path);
    return 0;
}

static void users_are_found_by_email_without_case_and_by_id(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_user_auth u;
    assert_int_equal(store_user_find_by_email(f->s, "ann@example.COM", &u, &err), 0);
    assert_int_equal(u.id, 1);
    assert_string_equal(u.email, "Ann@Example.com");
    assert_string_equal(u.name, "Ann");
    assert_string_equal(u.role, "admin");
    assert_int_equal(u.unit_id, 1);
    assert_int_equal(u.team_id, 2);
    assert_string_equal(u.password_hash, "h-ann");
    assert_false(u.disabled);
    assert_int_equal(store_user_get(f->s, 2, &u, &err), 0);
    assert_int_equal(u.unit_id, 0);
    assert_string_equal(u.password_hash, "");
    assert_int_equal(store_user_find_by_email(f->s, "nobody@example.com", &u, &err),
                     KITH_ENOTFOUND);
    assert_int_equal(store_user_get(f->s, 99, &u, &err), KITH_ENOTFOUND);
}

static void sessions_live_until_they_expire_or_are_deleted(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_session sess;
    struct store_user_auth u;
    int64_t id, n;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 5000, &id, &err), 0);
    assert_int_equal(store_session_find(f->s, H1, 4999, &sess, &u, &err), 0);
    assert_int_equal(sess.id, id);
    assert_int_equal(sess.user_id, 1);
    assert_int_equal(sess.created_at, 1000);
    assert_int_equal(sess.last_seen_at, 1000);
    assert_int_equal(sess.expires_at, 5000);
    assert_string_equal(sess.csrf_hash, H2);
    assert_string_equal(u.email, "Ann@Example.com");
    /* expired at its expires_at, and unknown hashes are not found */
    assert_int_equal(store_session_find(f->s, H1, 5000, &sess, NULL, &err), KITH_ENOTFOUND);
    assert_int_equal(store_session_find(f->s, H3, 2000, &sess, NULL, &err), KITH_ENOTFOUND);
    /* touching moves last_seen_at and expires_at */
    assert_int_equal(store_session_touch(f->s, id, 4000, 9000, &err), 0);
    assert_int_equal(store_session_find(f->s, H1, 8000, &sess, NULL, &err), 0);
    assert_int_equal(sess.last_seen_at, 4000);
    assert_int_equal(store_count_open_sessions(f->s, 8000, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_session_get(f->s, id, &sess, &err), 0);
    assert_int_equal(store_session_delete(f->s, id, &err), 0);
    assert_int_equal(store_session_delete(f->s, id, &err), KITH_ENOTFOUND);
    assert_int_equal(store_session_get(f->s, id, &sess, &err), KITH_ENOTFOUND);
}

static void purge_removes_only_expired_sessions(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t id, purged = -1, n;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 2000, &id, &err), 0);
    assert_int_equal(store_session_create(f->s, 2, H3, H2, 1000, 9000, &id, &err), 0);
    assert_int_equal(store_sessions_purge(f->s, 2000, &purged, &err), 0);
    assert_int_equal(purged, 1);
    assert_int_equal(store_count(f->s, model_table("sessions"), &n, &err), 0);
    assert_int_equal(n, 1);
}

static void a_taken_hash_or_an_unknown_user_is_refused(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t id;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 2000, &id, &err), 0);
    assert_true(store_session_create(f->s, 2, H1, H2, 1000, 2000, &id, &err) < 0);
    /* an unknown user is refused by the foreign key */
    assert_true(store_session_create(f->s, 42, H3, H2, 1000, 2000, &id, &err) < 0);
}

struct names {
    char text[256];
    int n;
};

static int collect_token(void *ctx, const struct store_token *t)
{
    struct names *names = ctx;
    size_t len = strlen(names->text);
    snprintf(names->text + len, sizeof(names->text) - len, "%s%s%s", len ? "," : "", t->name,
             t->revoked_at ? "(revoked)" : "");
    names->n++;
    return 0;
}

static void tokens_are_found_listed_touched_and_revoked(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_token t;
    struct store_user_auth u;
    int64_t a, b, c, n;
    assert_int_equal(store_token_create(f->s, 1, "ci", H1, 100, &a, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "backup", H2, 200, &b, &err), 0);
    assert_int_equal(store_token_create(f->s, 2, "bob's", H3, 300, &c, &err), 0);
    assert_int_equal(store_token_find(f->s, H1, &t, &u, &err), 0);
    assert_int_equal(t.id, a);
    assert_string_equal(t.name, "ci");
    assert_int_equal(t.last_used_at, 0);
    assert_int_equal(u.id, 1);
    assert_int_equal(store_token_touch(f->s, a, 150, &err), 0);
    assert_int_equal(store_token_get(f->s, a, &t, &err), 0);
    assert_int_equal(t.last_used_at, 150);

    assert_int_equal(store_token_count_active(f->s, 1, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_token_revoke(f->s, b, 400, &err), 0);
    assert_int_equal(store_token_revoke(f->s, b, 500, &err), KITH_ENOTFOUND);
    assert_int_equal(store_token_find(f->s, H2, &t, NULL, &err), KITH_ENOTFOUND);
    assert_int_equal(store_token_get(f->s, b, &t, &err), 0);
    assert_int_equal(t.revoked_at, 400);
    assert_int_equal(store_token_count_active(f->s, 1, &n, &err), 0);
    assert_int_equal(n, 1);

    struct names names = {.n = 0};
    assert_int_equal(store_token_list(f->s, 1, collect_token, &names, &err), 0);
    assert_string_equal(names.text, "ci,backup(revoked)");
    assert_int_equal(store_token_get(f->s, 99, &t, &err), KITH_ENOTFOUND);
}

/* The way the command line ends credentials: all of them, recorded for nobody from "cli". */
static struct store_credential_end ending(int64_t user_id, const char *why)
{
    return (struct store_credential_end){.user_id = user_id, .why = why, .client_addr = "cli"};
}

static int64_t count(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void disabling_ends_sessions_and_revokes_tokens(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_session sess;
    struct store_token t;
    struct store_user_auth u;
    struct store_credential_end end = ending(1, "user_disable");
    int64_t sid, tid, other;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 9000, &sid, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "ci", H2, 1000, &tid, &err), 0);
    assert_int_equal(store_token_create(f->s, 2, "bob", H3, 1000, &other, &err), 0);
    assert_int_equal(store_user_set_disabled(f->s, &end, true, 2000, &err), 0);
    assert_int_equal(store_user_get(f->s, 1, &u, &err), 0);
    assert_true(u.disabled);
    assert_int_equal(store_session_get(f->s, sid, &sess, &err), KITH_ENOTFOUND);
    assert_int_equal(store_token_get(f->s, tid, &t, &err), 0);
    assert_int_equal(t.revoked_at, 2000);
    assert_int_equal(store_token_get(f->s, other, &t, &err), 0);
    assert_int_equal(t.revoked_at, 0); /* someone else's token is untouched */
    assert_int_equal(count(f->s, "SELECT count(*) FROM audit_log WHERE action = 'credentials_end'"
                                 " AND record_id = 1 AND user_id IS NULL AND client_addr = 'cli'"
                                 " AND detail = 'user_disable: 1 session ended, 1 API token"
                                 " revoked'"),
                     1);

    /* a session or token of a disabled user is never found, even if one slipped through */
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 9000, &sid, &err), 0);
    assert_int_equal(store_session_find(f->s, H1, 2000, &sess, NULL, &err), KITH_ENOTFOUND);

    /* enabling revives nothing */
    assert_int_equal(store_user_set_disabled(f->s, &end, false, 3000, &err), 0);
    assert_int_equal(store_user_get(f->s, 1, &u, &err), 0);
    assert_false(u.disabled);
    assert_int_equal(store_token_get(f->s, tid, &t, &err), 0);
    assert_int_equal(t.revoked_at, 2000);
    end.user_id = 99;
    assert_int_equal(store_user_set_disabled(f->s, &end, true, 3000, &err), KITH_ENOTFOUND);
}

static void setting_a_password_ends_sessions_and_tokens(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_session sess;
    struct store_token t;
    struct store_user_auth u;
    struct store_credential_end end = ending(1, "password_change");
    int64_t sid, tid;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 9000, &sid, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "ci", H3, 1000, &tid, &err), 0);
    assert_int_equal(store_user_set_password(f->s, &end, "h-new", 2000, &err), 0);
    assert_int_equal(store_user_get(f->s, 1, &u, &err), 0);
    assert_string_equal(u.password_hash, "h-new");
    assert_int_equal(store_session_get(f->s, sid, &sess, &err), KITH_ENOTFOUND);
    assert_int_equal(store_token_get(f->s, tid, &t, &err), 0);
    assert_int_equal(t.revoked_at, 2000);
    end.user_id = 99;
    assert_int_equal(store_user_set_password(f->s, &end, "h", 2000, &err), KITH_ENOTFOUND);
}

static void ending_credentials_keeps_the_callers_own_and_audits_only_real_ends(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_session sess;
    struct store_token t;
    int64_t keep, gone, tok, kept_tok, ended = -1;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 9000, &keep, &err), 0);
    assert_int_equal(store_session_create(f->s, 1, H2, H2, 1000, 9000, &gone, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "ci", H3, 1000, &tok, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "kept", H1, 1000, &kept_tok, &err), 0);
    struct store_credential_end e = {.user_id = 1,
                                     .why = "password_change",
                                     .keep_session = keep,
                                     .keep_token = kept_tok,
                                     .actor_id = 1,
                                     .client_addr = "127.0.0.1"};
    assert_int_equal(store_user_end_credentials(f->s, &e, 2000, &ended, &err), 0);
    assert_int_equal(ended, 2);
    assert_int_equal(store_session_get(f->s, keep, &sess, &err), 0);
    assert_int_equal(store_session_get(f->s, gone, &sess, &err), KITH_ENOTFOUND);
    assert_int_equal(store_token_get(f->s, tok, &t, &err), 0);
    assert_int_equal(t.revoked_at, 2000);
    assert_int_equal(store_token_get(f->s, kept_tok, &t, &err), 0);
    assert_int_equal(t.revoked_at, 0);
    assert_int_equal(count(f->s, "SELECT count(*) FROM audit_log WHERE action = 'credentials_end'"
                                 " AND user_id = 1 AND client_addr = '127.0.0.1' AND detail ="
                                 " 'password_change: 1 session ended, 1 API token revoked'"),
                     1);
    /* nothing left to end: no second entry */
    assert_int_equal(store_user_end_credentials(f->s, &e, 3000, &ended, &err), 0);
    assert_int_equal(ended, 0);
    assert_int_equal(count(f->s, "SELECT count(*) FROM audit_log"), 1);
}

static void a_credential_holds_until_anything_about_it_changes(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t sid, tid;
    assert_int_equal(store_session_create(f->s, 1, H1, H2, 1000, 9000, &sid, &err), 0);
    assert_int_equal(store_token_create(f->s, 1, "ci", H3, 1000, &tid, &err), 0);
    struct store_credential by_session = {
        .user_id = 1, .role = "admin", .unit_id = 1, .team_id = 2, .session_id = sid};
    struct store_credential by_token = by_session;
    by_token.session_id = 0;
    by_token.token_id = tid;
    assert_true(store_credential_holds(f->s, &by_session, 2000));
    assert_true(store_credential_holds(f->s, &by_token, 2000));
    assert_false(store_credential_holds(f->s, &by_session, 9000)); /* expired */

    struct store_credential other = by_session;
    snprintf(other.role, sizeof(other.role), "manager");
    assert_false(store_credential_holds(f->s, &other, 2000)); /* the role changed */
    other = by_session;
    other.unit_id = 0;
    assert_false(store_credential_holds(f->s, &other, 2000)); /* the unit changed */
    other = by_session;
    other.team_id = 3;
    assert_false(store_credential_holds(f->s, &other, 2000)); /* the team changed */
    other = by_session;
    other.user_id = 2;
    assert_false(store_credential_holds(f->s, &other, 2000)); /* someone else's session */

    /* bob has no unit and no team: NULL in the store, 0 here */
    int64_t bob;
    assert_int_equal(store_session_create(f->s, 2, H2, H2, 1000, 9000, &bob, &err), 0);
    struct store_credential b = {.user_id = 2, .role = "frontline", .session_id = bob};
    assert_true(store_credential_holds(f->s, &b, 2000));

    assert_int_equal(store_token_revoke(f->s, tid, 2500, &err), 0);
    assert_false(store_credential_holds(f->s, &by_token, 3000));
    assert_true(store_credential_holds(f->s, &by_session, 3000));
    assert_int_equal(sqlite3_exec(store_db(f->s), "UPDATE users SET disabled = 1 WHERE id = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_false(store_credential_holds(f->s, &by_session, 3000));
}

static void user_changes_join_an_open_transaction(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_user_auth u;
    struct store_credential_end end = ending(1, "password_change");
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_user_set_password(f->s, &end, "h-rolled-back", 1000, &err), 0);
    store_rollback(f->s);
    assert_int_equal(store_user_get(f->s, 1, &u, &err), 0);
    assert_string_equal(u.password_hash, "h-ann");
}

struct ids {
    int64_t id[16];
    int n;
};

static int collect_id(void *ctx, const struct store_audit_entry *e)
{
    struct ids *ids = ctx;
    assert_true(ids->n < 16);
    ids->id[ids->n++] = e->id;
    return 0;
}

static void audit(struct store *s, int64_t at, int64_t user, const char *action, const char *table,
                  int64_t record, const char *addr, const char *detail)
{
    struct kith_error err = {0};
    struct store_audit_entry e = {.created_at = at,
                                  .user_id = user,
                                  .action = action,
                                  .table_name = table,
                                  .record_id = record,
                                  .client_addr = addr,
                                  .detail = detail};
    assert_int_equal(store_audit_insert(s, &e, NULL, &err), 0);
}

static struct ids query(struct store *s, struct store_audit_filter f)
{
    struct kith_error err = {0};
    struct ids ids = {.n = 0};
    if (!f.limit)
        f.limit = 100;
    assert_int_equal(store_audit_query(s, &f, collect_id, &ids, &err), 0);
    return ids;
}

static void audit_log_filters_newest_first_with_a_cursor(void **state)
{
    struct fixture *f = *state;
    audit(f->s, 1000, 1, "sign_in", "sessions", 1, "10.0.0.1", NULL);   /* id 1 */
    audit(f->s, 2000, 1, "create", "contacts", 7, "10.0.0.1", NULL);    /* id 2 */
    audit(f->s, 3000, 2, "update", "contacts", 7, "10.0.0.2", NULL);    /* id 3 */
    audit(f->s, 4000, 0, "create", "users", 2, "cli", "kith user add"); /* id 4 */
    audit(f->s, 5000, 2, "delete", "accounts", 3, "10.0.0.2", NULL);    /* id 5 */

    struct ids all = query(f->s, (struct store_audit_filter){0});
    assert_int_equal(all.n, 5);
    assert_int_equal(all.id[0], 5);
    assert_int_equal(all.id[4], 1);

    struct ids r = query(f->s, (struct store_audit_filter){.user_id = 1});
    assert_int_equal(r.n, 2);
    r = query(f->s, (struct store_audit_filter){.action = "create"});
    assert_int_equal(r.n, 2);
    assert_int_equal(r.id[0], 4);
    r = query(f->s, (struct store_audit_filter){.table_name = "contacts", .record_id = 7});
    assert_int_equal(r.n, 2);
    r = query(f->s, (struct store_audit_filter){.since_ms = 2000, .until_ms = 4000});
    assert_int_equal(r.n, 3);
    assert_int_equal(r.id[0], 4);
    assert_int_equal(r.id[2], 2);

    /* pages of two: 5 4 | 3 2 | 1 */
    r = query(f->s, (struct store_audit_filter){.limit = 2});
    assert_int_equal(r.n, 2);
    assert_int_equal(r.id[1], 4);
    r = query(f->s, (struct store_audit_filter){.limit = 2, .before_id = 4});
    assert_int_equal(r.n, 2);
    assert_int_equal(r.id[0], 3);
    r = query(f->s, (struct store_audit_filter){.limit = 2, .before_id = 2});
    assert_int_equal(r.n, 1);
    assert_int_equal(r.id[0], 1);
}

static void audit_entries_keep_nulls_and_text(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_audit_entry e = {.action = "sign_in_failed", .detail = "x@example.com"};
    int64_t id = 0;
    int64_t before = store_now_ms();
    assert_int_equal(store_audit_insert(f->s, &e, &id, &err), 0);
    assert_true(id > 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(f->s),
                                        "SELECT created_at, user_id IS NULL, table_name IS NULL,"
                                        " record_id IS NULL, client_addr IS NULL, detail"
                                        " FROM audit_log WHERE id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sqlite3_column_int64(st, 0) >= before);
    for (int c = 1; c <= 4; c++)
        assert_int_equal(sqlite3_column_int(st, c), 1);
    assert_string_equal((const char *)sqlite3_column_text(st, 5), "x@example.com");
    sqlite3_finalize(st);
}

static void recent_counts_count_by_detail_and_by_address_in_the_window(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t by_detail = -1, by_addr = -1;
    audit(f->s, 1000, 0, "sign_in_failed", "users", 1, "10.0.0.1", "ann@example.com");
    audit(f->s, 2000, 0, "sign_in_failed", "users", 1, "10.0.0.2", "ann@example.com");
    audit(f->s, 3000, 0, "sign_in_failed", "users", 2, "10.0.0.1", "bob@example.com");
    audit(f->s, 3000, 0, "sign_in_throttled", "users", 0, "10.0.0.1", "ann@example.com");
    audit(f->s, 3000, 1, "sign_in", "sessions", 1, "10.0.0.1", NULL);
    assert_int_equal(store_audit_recent_counts(f->s, "sign_in_failed", 0, "ann@example.com",
                                               "10.0.0.1", &by_detail, &by_addr, &err),
                     0);
    assert_int_equal(by_detail, 2);
    assert_int_equal(by_addr, 2);
    /* the window is "after since": the entry at 1000 has left it */
    assert_int_equal(store_audit_recent_counts(f->s, "sign_in_failed", 1000, "ann@example.com",
                                               "10.0.0.1", &by_detail, &by_addr, &err),
                     0);
    assert_int_equal(by_detail, 1);
    assert_int_equal(by_addr, 1);
    assert_int_equal(store_audit_recent_counts(f->s, "sign_in_failed", 5000, "ann@example.com",
                                               "10.0.0.1", &by_detail, &by_addr, &err),
                     0);
    assert_int_equal(by_detail, 0);
    assert_int_equal(by_addr, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(users_are_found_by_email_without_case_and_by_id, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sessions_live_until_they_expire_or_are_deleted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(purge_removes_only_expired_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(a_taken_hash_or_an_unknown_user_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(tokens_are_found_listed_touched_and_revoked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(disabling_ends_sessions_and_revokes_tokens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(setting_a_password_ends_sessions_and_tokens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            ending_credentials_keeps_the_callers_own_and_audits_only_real_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(a_credential_holds_until_anything_about_it_changes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(user_changes_join_an_open_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(audit_log_filters_newest_first_with_a_cursor, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(audit_entries_keep_nulls_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(recent_counts_count_by_detail_and_by_address_in_the_window,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
