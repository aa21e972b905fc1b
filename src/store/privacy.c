/*
 * privacy.c - the store's side of the privacy of the comparison of units: the policy per role,
 * the server's key of the noise and the ledger of each user's daily budget of epsilon. The rule
 * that uses them is the analysis's (analysis/rv_privacy.c); docs/internals/rv.md, "Privacy
 * policy".
 */
#include <math.h>
#include <sodium.h>
#include <string.h>

#include "store/store_int.h"

#include "util/banned.h"

static const char policy_cols[] =
    "SELECT role, min_k, max_epsilon, require_noise, daily_budget, updated_at,"
    " coalesce(updated_by, 0) FROM privacy_policy";

static void policy_from_row(sqlite3_stmt *st, struct store_privacy_policy *p)
{
    memset(p, 0, sizeof(*p));
    const char *role = (const char *)sqlite3_column_text(st, 0);
    snprintf(p->role, sizeof(p->role), "%s", role ? role : "");
    p->min_k = sqlite3_column_int64(st, 1);
    p->max_epsilon = sqlite3_column_double(st, 2);
    p->require_noise = sqlite3_column_int(st, 3) != 0;
    p->daily_budget = sqlite3_column_type(st, 4) == SQLITE_NULL ? STORE_PRIVACY_NO_LIMIT
                                                                : sqlite3_column_double(st, 4);
    p->updated_at = sqlite3_column_int64(st, 5);
    p->updated_by = sqlite3_column_int64(st, 6);
}

struct policy_list {
    struct store_privacy_policy *out;
    size_t max, n;
};

static int policy_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct policy_list *l = ctx;
    if (l->n < l->max)
        policy_from_row(st, &l->out[l->n++]);
    return 0;
}

int store_privacy_policy_get(struct store *s, const char *role, struct store_privacy_policy *out,
                             struct kith_error *err)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "%s WHERE role = ?1", policy_cols);
    struct store_value v = {.kind = SV_TEXT, .s = role, .len = strlen(role)};
    struct policy_list l = {.out = out, .max = 1};
    struct store_rows q = {
        .sql = sql, .binds = &v, .nbinds = 1, .what = "reading the privacy policy"};
    int rc = store_each_row(s, &q, policy_row, &l, NULL, err);
    if (rc < 0)
        return rc;
    if (l.n == 0)
        return kith_err(err, KITH_ENOTFOUND, "no privacy policy for the role '%.32s'", role);
    return 0;
}

int store_privacy_policy_list(struct store *s, struct store_privacy_policy *out, size_t max,
                              size_t *n, struct kith_error *err)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "%s ORDER BY role", policy_cols);
    struct policy_list l = {.out = out, .max = max};
    struct store_rows q = {.sql = sql, .what = "reading the privacy policy"};
    int rc = store_each_row(s, &q, policy_row, &l, NULL, err);
    *n = l.n;
    return rc;
}

int store_privacy_policy_set(struct store *s, const struct store_privacy_policy *p,
                             struct kith_error *err)
{
    if (p->min_k < 1)
        return kith_err(err, KITH_EINVAL, "min_k must be at least 1");
    if (!(p->max_epsilon > 0) || !isfinite(p->max_epsilon))
        return kith_err(err, KITH_EINVAL, "max_epsilon must be a positive number");
    if (p->daily_budget != STORE_PRIVACY_NO_LIMIT &&
        (!(p->daily_budget >= 0) || !isfinite(p->daily_budget)))
        return kith_err(err, KITH_EINVAL, "daily_budget must be a number >= 0 (or no limit)");
    static const char sql[] =
        "INSERT INTO privacy_policy (role, created_at, min_k, max_epsilon, require_noise,"
        " daily_budget, updated_at, updated_by) VALUES (?1, ?6, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT (role) DO UPDATE SET min_k = ?2, max_epsilon = ?3, require_noise = ?4,"
        " daily_budget = ?5, updated_at = ?6, updated_by = ?7";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "writing the privacy policy: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_text(st, 1, p->role, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->min_k);
    sqlite3_bind_double(st, 3, p->max_epsilon);
    sqlite3_bind_int(st, 4, p->require_noise ? 1 : 0);
    if (p->daily_budget == STORE_PRIVACY_NO_LIMIT)
        sqlite3_bind_null(st, 5);
    else
        sqlite3_bind_double(st, 5, p->daily_budget);
    sqlite3_bind_int64(st, 6, store_now_ms());
    if (p->updated_by > 0)
        sqlite3_bind_int64(st, 7, p->updated_by);
    else
        sqlite3_bind_null(st, 7);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = kith_err(err, KITH_EDB, "writing the privacy policy: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return rc;
}

/* The stored key into key; *found false when there is none yet. */
static int read_key(struct store *s, uint8_t key[STORE_PRIVACY_KEY_BYTES], bool *found,
                    struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    *found = false;
    if (sqlite3_prepare_v2(s->db, "SELECT key FROM privacy_secret WHERE id = 1", -1, &st, NULL) !=
        SQLITE_OK)
        return kith_err(err, KITH_EDB, "reading the noise key: %s", sqlite3_errmsg(s->db));
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != STORE_PRIVACY_KEY_BYTES)
            rc = kith_err(err, KITH_EDB, "the stored noise key has the wrong size");
        else {
            memcpy(key, sqlite3_column_blob(st, 0), STORE_PRIVACY_KEY_BYTES);
            *found = true;
        }
    } else if (step != SQLITE_DONE) {
        rc = kith_err(err, KITH_EDB, "reading the noise key: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(st);
    return rc;
}

int store_privacy_key(struct store *s, uint8_t key[STORE_PRIVACY_KEY_BYTES], struct kith_error *err)
{
    bool found;
    int rc = read_key(s, key, &found, err);
    if (rc < 0 || found)
        return rc;
    if (sodium_init() < 0)
        return kith_err(err, KITH_EIO, "libsodium cannot start: no random source for the key");
    uint8_t fresh[STORE_PRIVACY_KEY_BYTES];
    randombytes_buf(fresh, sizeof(fresh));
    sqlite3_stmt *st = NULL;
    /* OR IGNORE: a process that wrote first wins, and both then read its key */
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR IGNORE INTO privacy_secret (id, created_at, key)"
                           " VALUES (1, ?1, ?2)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "storing the noise key: %s", sqlite3_errmsg(s->db));
        goto out_wipe;
    }
    sqlite3_bind_int64(st, 1, store_now_ms());
    sqlite3_bind_blob(st, 2, fresh, sizeof(fresh), SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = kith_err(err, KITH_EDB, "storing the noise key: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (rc == 0 && (rc = read_key(s, key, &found, err)) == 0 && !found)
        rc = kith_err(err, KITH_EDB, "the noise key was not stored");
out_wipe:
    sodium_memzero(fresh, sizeof(fresh));
    return rc;
}

/* One double from a query of one row and one column (0 when the value is NULL). */
static int query_double(struct store *s, const char *sql, int64_t a, int64_t b, const uint8_t *blob,
                        int nblob, double *out, bool *found, struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    *found = false;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return kith_err(err, KITH_EDB, "reading the privacy budget: %s", sqlite3_errmsg(s->db));
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    if (blob)
        sqlite3_bind_blob(st, 3, blob, nblob, SQLITE_STATIC);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *found = true;
        *out = sqlite3_column_double(st, 0);
    } else if (step != SQLITE_DONE) {
        rc = kith_err(err, KITH_EDB, "reading the privacy budget: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_finalize(st);
    return rc;
}

int store_privacy_spend(struct store *s, int64_t user_id, int64_t day,
                        const uint8_t query[STORE_PRIVACY_QUERY_BYTES], double epsilon,
                        double budget, struct store_privacy_spent *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!(epsilon > 0) || !isfinite(epsilon))
        return kith_err(err, KITH_EINVAL, "a spend of the privacy budget must be positive");
    bool found;
    double seen;
    int rc = store_begin(s, err); /* IMMEDIATE: two requests of one user cannot both pass */
    if (rc < 0)
        return rc;
    if ((rc = query_double(s,
                           "SELECT coalesce(sum(epsilon), 0) FROM privacy_spend"
                           " WHERE user_id = ?1 AND day = ?2",
                           user_id, day, NULL, 0, &out->spent, &found, err)) < 0 ||
        (rc = query_double(s,
                           "SELECT epsilon FROM privacy_spend"
                           " WHERE user_id = ?1 AND day = ?2 AND query = ?3",
                           user_id, day, query, STORE_PRIVACY_QUERY_BYTES, &seen, &found, err)) < 0)
        goto out_rollback;
    if (found) { /* the same query today: the same noise, nothing more is learnt */
        store_rollback(s);
        return 0;
    }
    /* a small tolerance so that ten queries of 0.1 fit a budget of 1 */
    if (budget != STORE_PRIVACY_NO_LIMIT && out->spent + epsilon > budget * (1 + 1e-9)) {
        out->refused = true;
        store_rollback(s);
        return 0;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO privacy_spend (user_id, day, query, epsilon, created_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "spending the privacy budget: %s", sqlite3_errmsg(s->db));
        goto out_rollback;
    }
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, day);
    sqlite3_bind_blob(st, 3, query, STORE_PRIVACY_QUERY_BYTES, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, epsilon);
    sqlite3_bind_int64(st, 5, store_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = kith_err(err, KITH_EDB, "spending the privacy budget: %s", sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (rc < 0 || (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    out->spent += epsilon;
    out->charged = true;
    return 0;
out_rollback:
    store_rollback(s);
    return rc;
}
