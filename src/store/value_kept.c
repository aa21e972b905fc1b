/*
 * value_kept.c - the kept customer value figures (store.h, "kept customer value figures";
 * migration 24; docs/internals/value.md, "Kept figures"): the version of the value inputs, and
 * generations of per-customer rows written in batches and read back.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define VK_BATCH 20000 /* rows per write transaction: the writer lock is held for milliseconds */

int store_value_version(struct store *s, int64_t *version, struct kith_error *err)
{
    return store_query_int64(s->db,
                             "SELECT (SELECT changes FROM value_inputs WHERE id = 1)"
                             " + (SELECT coalesce(max(id), 0) FROM interactions)",
                             version, "reading the version of the value inputs", err);
}

int store_value_changes(struct store *s, int64_t *version, struct kith_error *err)
{
    return store_query_int64(s->db, "SELECT changes FROM value_inputs WHERE id = 1", version,
                             "reading the version of the value inputs", err);
}

/* ---- reading --------------------------------------------------------------------------------- */

static int head_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct store_vk_head *h = ctx;
    h->gen = sqlite3_column_int64(st, 0);
    h->layout = sqlite3_column_int64(st, 1);
    h->data_version = sqlite3_column_int64(st, 2);
    h->computed_at = sqlite3_column_int64(st, 3);
    const int len = sqlite3_column_bytes(st, 4);
    const void *blob = sqlite3_column_blob(st, 4);
    h->headlen = (size_t)len;
    h->head = malloc(len > 0 ? (size_t)len : 1);
    if (!h->head)
        return kith_err(err, KITH_ENOMEM, "out of memory reading the kept value figures");
    if (len > 0)
        memcpy(h->head, blob, (size_t)len);
    return 1; /* one row */
}

int store_vk_latest(struct store *s, const char *key, struct store_vk_head *h, bool *found,
                    struct kith_error *err)
{
    memset(h, 0, sizeof(*h));
    *found = false;
    if (strlen(key) >= sizeof(h->key))
        return kith_err(err, KITH_EINVAL, "kept value figures: key too long");
    snprintf(h->key, sizeof(h->key), "%s", key);
    const struct store_value bind = {.kind = SV_TEXT, .s = key, .len = strlen(key)};
    const struct store_rows q = {
        .sql = "SELECT gen, layout, data_version, computed_at, head FROM value_kept"
               " WHERE key = ?1 AND complete = 1 ORDER BY gen DESC LIMIT 1",
        .binds = &bind,
        .nbinds = 1,
        .what = "reading the kept value figures"};
    size_t nrows = 0;
    int rc = store_each_row(s, &q, head_row, h, &nrows, err);
    if (rc == 1)
        rc = 0;
    if (rc < 0) {
        free(h->head);
        h->head = NULL;
        return rc;
    }
    *found = h->head != NULL;
    return 0;
}

#define VK_COLUMNS                                                                                 \
    "first_day, last_day, orders, returns, x, t_x, t, zbar, first_spend, amount_to_date,"          \
    " amount_current, wallet, share_of_wallet, to_date, current, returned, cost_to_date,"          \
    " cost_current, p_alive, expected_orders, predicted, lifetime, basis, proxy_reason"

struct rows_ctx {
    store_vk_row_fn fn;
    void *ctx;
};

static int kept_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct rows_ctx *c = ctx;
    struct store_vk_row row;
    row.account_id = sqlite3_column_int64(st, 0);
    for (int k = 0; k < STORE_VK_NCOLS; k++)
        row.v[k] =
            sqlite3_column_type(st, k + 1) == SQLITE_NULL ? NAN : sqlite3_column_double(st, k + 1);
    return c->fn(c->ctx, &row, err);
}

int store_vk_rows(struct store *s, int64_t gen, store_vk_row_fn fn, void *ctx,
                  struct kith_error *err)
{
    const struct store_value bind = {.kind = SV_INT, .i = gen};
    const struct store_rows q = {.sql = "SELECT account_id, " VK_COLUMNS
                                        " FROM value_kept_customers WHERE gen = ?1"
                                        " ORDER BY account_id",
                                 .binds = &bind,
                                 .nbinds = 1,
                                 .what = "reading the kept customer values"};
    struct rows_ctx c = {.fn = fn, .ctx = ctx};
    return store_each_row(s, &q, kept_row, &c, NULL, err);
}

/* ---- writing --------------------------------------------------------------------------------- */

static int step_done(struct store *s, sqlite3_stmt *st, const char *what, struct kith_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_err(err, s->db, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Deletes the rows of gen in batches, then its header. */
static int delete_gen(struct store *s, int64_t gen, struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *what = "deleting old kept value figures";
    if (sqlite3_prepare_v2(s->db,
                           "DELETE FROM value_kept_customers WHERE gen = ?1 AND account_id IN"
                           " (SELECT account_id FROM value_kept_customers WHERE gen = ?1"
                           " ORDER BY account_id LIMIT ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, what);
    int rc = 0;
    for (;;) {
        if ((rc = store_begin(s, err)) < 0)
            break;
        sqlite3_bind_int64(st, 1, gen);
        sqlite3_bind_int64(st, 2, VK_BATCH);
        rc = step_done(s, st, what, err);
        const int changed = sqlite3_changes(s->db);
        if (rc == 0)
            rc = store_commit(s, err);
        else
            store_rollback(s);
        if (rc < 0 || changed == 0)
            break;
    }
    sqlite3_finalize(st);
    if (rc == 0 && (rc = store_begin(s, err)) == 0) {
        char sql[96];
        snprintf(sql, sizeof(sql), "DELETE FROM value_kept WHERE gen = %lld", (long long)gen);
        rc = store_exec(s->db, sql, err);
        if (rc == 0)
            rc = store_commit(s, err);
        else
            store_rollback(s);
    }
    return rc;
}

static int bind_row(sqlite3_stmt *st, int64_t gen, const struct store_vk_row *row)
{
    int rc = sqlite3_bind_int64(st, 1, gen);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 2, row->account_id);
    for (int k = 0; rc == SQLITE_OK && k < STORE_VK_NCOLS; k++)
        rc = isfinite(row->v[k]) ? sqlite3_bind_double(st, k + 3, row->v[k])
                                 : sqlite3_bind_null(st, k + 3);
    return rc;
}

static int write_rows(struct store *s, int64_t gen, size_t n, store_vk_fill_fn fill, void *ctx,
                      struct kith_error *err)
{
    const char *what = "writing the kept customer values";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO value_kept_customers (gen, account_id, " VK_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                           " ?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, what);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        if ((rc = store_begin(s, err)) < 0)
            break;
        const size_t end = n - i > VK_BATCH ? i + VK_BATCH : n;
        for (; rc == 0 && i < end; i++) {
            struct store_vk_row row;
            fill(ctx, i, &row);
            rc = bind_row(st, gen, &row) == SQLITE_OK ? step_done(s, st, what, err)
                                                      : store_db_err(err, s->db, what);
        }
        if (rc == 0)
            rc = store_commit(s, err);
        else
            store_rollback(s);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The generations of key older than gen, ascending; malloc'd into *gens. */
struct gens_ctx {
    int64_t *g;
    size_t n, cap;
};

static int gen_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct gens_ctx *c = ctx;
    int rc = store_grow((void **)&c->g, &c->cap, c->n + 1, sizeof(*c->g), 1u << 20,
                        "kept generations", err);
    if (rc == 0)
        c->g[c->n++] = sqlite3_column_int64(st, 0);
    return rc;
}

int store_vk_save(struct store *s, struct store_vk_head *h, size_t n, store_vk_fill_fn fill,
                  void *ctx, struct kith_error *err)
{
    if (h->headlen > INT32_MAX)
        return kith_err(err, KITH_ERANGE, "kept value figures: head too large");
    const char *what = "writing the kept value figures";
    int rc = store_begin(s, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO value_kept (key, layout, data_version, computed_at,"
                           " complete, head) VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = store_db_err(err, s->db, what);
        store_rollback(s);
        return rc;
    }
    sqlite3_bind_text(st, 1, h->key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, h->layout);
    sqlite3_bind_int64(st, 3, h->data_version);
    sqlite3_bind_int64(st, 4, h->computed_at);
    sqlite3_bind_blob(st, 5, h->head, (int)h->headlen, SQLITE_TRANSIENT);
    rc = step_done(s, st, what, err);
    sqlite3_finalize(st);
    h->gen = sqlite3_last_insert_rowid(s->db);
    if (rc == 0)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc < 0)
        return rc;
    rc = write_rows(s, h->gen, n, fill, ctx, err);
    if (rc == 0 && (rc = store_begin(s, err)) == 0) {
        char sql[96];
        snprintf(sql, sizeof(sql), "UPDATE value_kept SET complete = 1 WHERE gen = %lld",
                 (long long)h->gen);
        rc = store_exec(s->db, sql, err);
        if (rc == 0 && sqlite3_changes(s->db) != 1)
            rc = kith_err(err, KITH_ECONFLICT,
                          "the kept value figures were replaced while being written");
        if (rc == 0)
            rc = store_commit(s, err);
        else
            store_rollback(s);
    }
    if (rc < 0) {
        struct kith_error ignored = {0};
        delete_gen(s, h->gen, &ignored);
        return rc;
    }
    /* the older generations of the key: nobody will read them again */
    struct gens_ctx g = {0};
    const struct store_value binds[2] = {{.kind = SV_TEXT, .s = h->key, .len = strlen(h->key)},
                                         {.kind = SV_INT, .i = h->gen}};
    const struct store_rows q = {.sql = "SELECT gen FROM value_kept WHERE key = ?1 AND gen < ?2"
                                        " ORDER BY gen",
                                 .binds = binds,
                                 .nbinds = 2,
                                 .what = "listing old kept value figures"};
    rc = store_each_row(s, &q, gen_row, &g, NULL, err);
    for (size_t k = 0; rc == 0 && k < g.n; k++)
        rc = delete_gen(s, g.g[k], err);
    free(g.g);
    return rc;
}
