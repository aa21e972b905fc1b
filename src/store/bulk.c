/*
 * bulk.c - bulk loading (store_bulk_begin/defer_indexes/finish/end in store.h): the page cache,
 * the journal and the secondary indexes set aside while many rows go into one table in one
 * transaction (kith import, kith demo), and put back after. docs/internals/import.md.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define BULK_CACHE_KIB 32768 /* page cache while rows go in */
#define BULK_SORT_KIB  2048  /* page cache while indexes are built: see store_bulk_finish */

struct store_bulk {
    struct store *s;
    const struct table_def *t;
    int64_t old_cache_size;
    bool journal_switched;
    char **index_sql; /* CREATE INDEX statements of the dropped indexes */
    size_t nindexes;
    const struct table_def *also[4]; /* store_bulk_also: tables whose indexes go with t's */
    size_t nalso;
    char *trigger_sql; /* store_bulk_defer_triggers: the trigger set aside, or NULL */
    int64_t trigger_after;
    char **counter_sql; /* the change counters' triggers set aside (CREATE statements) */
    size_t ncounters;
    bool bump[2]; /* the counters of counter_tables to move once at the end */
};

/*
 * The change counters of migration 24 (value_inputs, deal_inputs): a trigger per row of every
 * table they watch moves them, which a load of a million rows would do a million times. A bulk
 * load sets the triggers of its tables aside and moves each counter once before the commit.
 */
static const char *const counter_tables[2] = {"value_inputs", "deal_inputs"};
static const char *const counter_bumps[2] = {
    "UPDATE value_inputs SET changes = changes + 1",
    "UPDATE deal_inputs SET changes = changes + 1",
};

int store_bulk_begin(struct store *s, const struct table_def *t, struct store_bulk **out,
                     struct kith_error *err)
{
    *out = NULL;
    if (!sqlite3_get_autocommit(s->db))
        return kith_err(err, KITH_EINVAL, "a bulk load cannot start inside a transaction");
    struct store_bulk *b = calloc(1, sizeof(*b));
    if (!b)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    b->s = s;
    b->t = t;
    int rc = store_exec(s->db, "PRAGMA foreign_keys=OFF", err);
    if (rc < 0) {
        free(b);
        return rc;
    }
    if (store_query_int64(s->db, "PRAGMA cache_size", &b->old_cache_size, "", NULL) == 0) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", BULK_CACHE_KIB);
        store_exec(s->db, sql, NULL);
    } else {
        b->old_cache_size = 0;
    }
    /* Leaving WAL needs the only connection; when another is open, the load stays in WAL. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=DELETE", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *mode = (const char *)sqlite3_column_text(st, 0);
            b->journal_switched = mode && strcmp(mode, "delete") == 0;
        }
        sqlite3_finalize(st);
    }
    *out = b;
    return 0;
}

int store_bulk_also(struct store_bulk *b, const struct table_def *t)
{
    if (b->nindexes || b->nalso == sizeof(b->also) / sizeof(b->also[0]))
        return KITH_EINVAL;
    b->also[b->nalso++] = t;
    return 0;
}

/*
 * Whether the new rows of the load enter index (of table, first column col) at one place, so that
 * keeping it row by row costs less than building it again: t's indexes on a field every new row
 * leaves empty (NULL, then ascending ids), and an also-table's indexes on its reference to t (the
 * new rows of t get ids above all others).
 */
static bool enters_at_one_end(const struct store_bulk *b, const char *table, const char *col,
                              const bool *empty)
{
    size_t i;
    if (!col)
        return false; /* an expression */
    if (strcmp(table, b->t->name) == 0)
        return empty && table_field(b->t, col, &i) && empty[i];
    const struct table_def *also = model_table(table);
    const struct field_def *f = also ? table_field(also, col, NULL) : NULL;
    return f && f->type == FT_REF && f->ref_table && strcmp(f->ref_table, b->t->name) == 0;
}

/* Names the droppable indexes of table into b (CREATE statements) and drops (DROP statements). */
static int list_indexes(struct store_bulk *b, const char *table, const bool *empty, char ***drops,
                        size_t *n, struct kith_error *err)
{
    sqlite3 *db = b->s->db;
    sqlite3_stmt *st;
    int rc = 0;
    /*
     * Names first, drops after: an index cannot be dropped while the listing is running.
     * Partial indexes stay: few rows touch them, and rebuilding one costs a whole table scan.
     */
    if (sqlite3_prepare_v2(db,
                           "SELECT s.sql, s.name, x.name FROM sqlite_schema s"
                           " JOIN pragma_index_list(s.tbl_name) l ON l.name = s.name"
                           " JOIN pragma_index_xinfo(s.name) x ON x.seqno = 0"
                           " WHERE s.type = 'index' AND s.tbl_name = ? AND s.sql IS NOT NULL"
                           " AND NOT l.partial AND NOT l.\"unique\"",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, db, "listing indexes");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        if (enters_at_one_end(b, table, (const char *)sqlite3_column_text(st, 2), empty))
            continue;
        char **list = alloc_array_grow(b->index_sql, *n + 1, sizeof(*list));
        char **dlist = list ? alloc_array_grow(*drops, *n + 1, sizeof(*dlist)) : NULL;
        if (list)
            b->index_sql = list;
        if (dlist)
            *drops = dlist;
        char *create = dlist ? strdup((const char *)sqlite3_column_text(st, 0)) : NULL;
        char *drop =
            create ? sqlite3_mprintf("DROP INDEX \"%w\"", sqlite3_column_text(st, 1)) : NULL;
        if (!drop) {
            free(create);
            rc = kith_err(err, KITH_ENOMEM, "out of memory");
            break;
        }
        b->index_sql[*n] = create;
        (*drops)[(*n)++] = drop;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Sets aside the change counters' triggers on table (see counter_tables). */
static int defer_counters(struct store_bulk *b, const char *table, struct kith_error *err)
{
    sqlite3 *db = b->s->db;
    sqlite3_stmt *st;
    char **drops = NULL;
    size_t n = 0;
    int rc = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
                           " AND tbl_name = ? AND (name GLOB 'value_inputs_*'"
                           " OR name GLOB 'deal_inputs_*')",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, db, "listing triggers");
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        char **list = alloc_array_grow(b->counter_sql, b->ncounters + 1, sizeof(*list));
        char **dlist = list ? alloc_array_grow(drops, n + 1, sizeof(*dlist)) : NULL;
        if (list)
            b->counter_sql = list;
        if (dlist)
            drops = dlist;
        char *create = dlist ? strdup((const char *)sqlite3_column_text(st, 1)) : NULL;
        char *drop = create ? sqlite3_mprintf("DROP TRIGGER \"%w\"", name) : NULL;
        if (!drop) {
            free(create);
            rc = kith_err(err, KITH_ENOMEM, "out of memory");
            break;
        }
        b->bump[strncmp(name, "deal_", 5) == 0] = true;
        b->counter_sql[b->ncounters++] = create;
        drops[n++] = drop;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = store_exec(db, drops[i], err);
        sqlite3_free(drops[i]);
    }
    free(drops);
    return rc;
}

/* Moves the counters whose triggers were set aside, and puts the triggers back. */
static int finish_counters(struct store_bulk *b, struct kith_error *err)
{
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < 2; k++)
        if (b->bump[k]) {
            if ((rc = store_exec(b->s->db, counter_bumps[k], err)) < 0)
                kith_err_prefix(err, "moving %s", counter_tables[k]);
            b->bump[k] = false;
        }
    for (size_t i = 0; rc == 0 && i < b->ncounters; i++) {
        rc = store_exec(b->s->db, b->counter_sql[i], err);
        free(b->counter_sql[i]);
        b->counter_sql[i] = NULL;
    }
    if (rc == 0)
        b->ncounters = 0;
    return rc;
}

int store_bulk_defer_indexes(struct store_bulk *b, const bool *empty, struct kith_error *err)
{
    sqlite3 *db = b->s->db;
    int rc = 0;
    if (b->nindexes)
        return 0;
    char **drops = NULL;
    size_t n = 0;
    rc = defer_counters(b, b->t->name, err);
    for (size_t i = 0; rc == 0 && i < b->nalso; i++)
        rc = defer_counters(b, b->also[i]->name, err);
    if (rc == 0)
        rc = list_indexes(b, b->t->name, empty, &drops, &n, err);
    for (size_t i = 0; rc == 0 && i < b->nalso; i++)
        rc = list_indexes(b, b->also[i]->name, NULL, &drops, &n, err);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = store_exec(db, drops[i], err);
        sqlite3_free(drops[i]);
    }
    free(drops);
    /* Only what was dropped is rebuilt; after a failure the rollback restores the rest. */
    b->nindexes = rc == 0 ? n : 0;
    if (rc < 0)
        for (size_t i = 0; i < n; i++)
            free(b->index_sql[i]);
    return rc;
}

/*
 * The trigger deals_first_stage of migration 7, for many rows at once: what it does for each new
 * deal, done here for the deals above an id (keep both in step).
 */
static const char deals_first_stage_rows[] =
    "INSERT INTO deal_stage_changes"
    " (created_at, deal_id, from_stage_id, to_stage_id, user_id, changed_at)"
    " SELECT created_at, id, NULL, stage_id, NULL, coalesce(closed_at, engaged_at, created_at)"
    " FROM deals WHERE id > ?1 ORDER BY id";
static const char deals_outcome_rows[] =
    "UPDATE deals SET outcome = (SELECT kind FROM deal_stages WHERE id = deals.stage_id)"
    " WHERE id > ?1 AND outcome IS NULL";

int store_bulk_defer_triggers(struct store_bulk *b, int64_t after_id, struct kith_error *err)
{
    if (strcmp(b->t->name, "deals") != 0 || b->trigger_sql)
        return 0;
    sqlite3 *db = b->s->db;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT sql FROM sqlite_schema WHERE type = 'trigger'"
                           " AND name = 'deals_first_stage'",
                           -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, db, "reading a trigger");
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        b->trigger_sql = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!b->trigger_sql)
        return 0; /* no such trigger: nothing to set aside */
    int rc = store_exec(db, "DROP TRIGGER deals_first_stage", err);
    if (rc < 0) {
        free(b->trigger_sql);
        b->trigger_sql = NULL;
        return rc;
    }
    b->trigger_after = after_id;
    return 0;
}

/* Does what the deferred trigger would have done for the new rows, and puts it back. */
static int finish_triggers(struct store_bulk *b, struct kith_error *err)
{
    sqlite3 *db = b->s->db;
    const char *const steps[] = {deals_first_stage_rows, deals_outcome_rows};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, steps[i], -1, &st, NULL) != SQLITE_OK)
            return store_db_err(err, db, "recording the deals' first stages");
        sqlite3_bind_int64(st, 1, b->trigger_after);
        int step = sqlite3_step(st);
        sqlite3_finalize(st);
        if (step != SQLITE_DONE)
            return store_db_err(err, db, "recording the deals' first stages");
    }
    int rc = store_exec(db, b->trigger_sql, err);
    if (rc < 0)
        return rc;
    free(b->trigger_sql);
    b->trigger_sql = NULL;
    return 0;
}

int store_bulk_finish(struct store_bulk *b, struct kith_error *err)
{
    if (b->trigger_sql) {
        int rc = finish_triggers(b, err);
        if (rc < 0)
            return rc;
    }
    if (b->ncounters || b->bump[0] || b->bump[1]) {
        int rc = finish_counters(b, err);
        if (rc < 0)
            return rc;
    }
    /*
     * CREATE INDEX sorts with as much memory as the page cache; a small one makes it sort in
     * runs that fit the CPU caches and merge them, about twice as fast on a million rows as
     * one big in-memory sort.
     */
    if (b->nindexes) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", BULK_SORT_KIB);
        store_exec(b->s->db, sql, NULL);
    }
    for (size_t i = 0; i < b->nindexes; i++) {
        int rc = store_exec(b->s->db, b->index_sql[i], err);
        if (rc < 0)
            return kith_err_prefix(err, "rebuilding an index of %s", b->t->name);
        free(b->index_sql[i]);
        b->index_sql[i] = NULL;
    }
    b->nindexes = 0;
    return 0;
}

void store_bulk_end(struct store_bulk *b)
{
    if (!b)
        return;
    sqlite3 *db = b->s->db;
    if (b->journal_switched)
        store_exec(db, "PRAGMA journal_mode=WAL", NULL);
    if (b->old_cache_size) {
        char sql[64];
        snprintf(sql, sizeof(sql), "PRAGMA cache_size=%lld", (long long)b->old_cache_size);
        store_exec(db, sql, NULL);
    }
    store_exec(db, "PRAGMA foreign_keys=ON", NULL);
    for (size_t i = 0; i < b->nindexes; i++)
        free(b->index_sql[i]);
    free(b->index_sql);
    for (size_t i = 0; i < b->ncounters; i++)
        free(b->counter_sql[i]);
    free(b->counter_sql);
    free(b->trigger_sql);
    free(b);
}
