/*
 * migrate_store.c - kith migrate-store: every table of a SQLite database copied into a
 * PostgreSQL database initialised at the same schema version (issue 17; docs/storage.md,
 * "PostgreSQL (in progress)").
 *
 * The tables are those of the SQLite file (sqlite_master, less SQLite's own), each column raw:
 * integers, reals, text and blobs as SQLite holds them, secrets included. They go in the order
 * of their foreign keys (a table after every table it references, found with Kahn's algorithm
 * over pragma_foreign_key_list), rows in rowid order; a reference of a row to a later row of its
 * own table (accounts.parent, interactions.voids_id) goes in as NULL and is set once the table
 * is in. Everything happens in one transaction on PostgreSQL: the yearly partitions of
 * interactions made for the years present, the user triggers set aside (the copied tables hold
 * what they computed: counters, change logs; interactions_keys, which the foreign keys to
 * interactions point at, is filled in one statement after interactions), the rows the migrations
 * wrote themselves (interaction types, deal stages, counters) replaced by the source's, the rows
 * inserted several hundred to a statement, the identities moved past the copied ids, the triggers
 * enabled again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db.h"
#include "store/store_int.h"
#include "util/alloc.h"
#include "util/buf.h"

#include "util/banned.h"

/* The most parameters one INSERT gets (PostgreSQL's limit is 65535) and rows it holds. */
#define COPY_PARAMS_MAX 30000
#define COPY_ROWS_MAX   500
/* Tables and columns of a table a copy handles. */
#define COPY_TABLES_MAX   512
#define COPY_COLS_MAX     256
#define NAME_MAX_LEN      63
#define COPY_TRIGGERS_MAX 4096
/* References to later rows of their own table set after a table is in (a few in practice). */
#define COPY_FIXUPS_MAX (1 << 24)
/* The longest INSERT or SELECT the copy writes. */
#define PG_INSERT_SQL_MAX (4u << 20)

struct fixup {
    int64_t id, value;
    int col;
};

struct ctable {
    char name[NAME_MAX_LEN + 1];
    int ncols;
    char (*cols)[NAME_MAX_LEN + 1];
    bool *self_ref; /* per column: a reference to this table's own id */
    int id_col;     /* the column named id, or -1 */
    size_t *deps;   /* the tables it references (indexes into the table array) */
    size_t ndeps;
    int64_t seeded; /* rows a freshly migrated database holds */
    bool placed;
};

struct copy {
    sqlite3 *src;
    struct db *dst;
    struct ctable *t;
    size_t nt;
    size_t *order;
    store_copy_progress_fn progress;
    void *ctx;
};

/* A name that can stand in SQL between double quotes as it is: [a-z0-9_], not too long. */
static bool plain_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static int lite_err(sqlite3 *db, const char *what, const char *table, struct kith_error *err)
{
    return kith_err(err, KITH_EDB, "%s%s%s: %s", what, table ? " " : "", table ? table : "",
                    sqlite3_errmsg(db));
}

static size_t find_table(const struct copy *c, const char *name)
{
    for (size_t i = 0; i < c->nt; i++)
        if (strcmp(c->t[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static void free_tables(struct copy *c)
{
    for (size_t i = 0; i < c->nt; i++) {
        free(c->t[i].cols);
        free(c->t[i].self_ref);
        free(c->t[i].deps);
    }
    free(c->t);
    free(c->order);
}

/* The tables of the source, their columns and foreign keys. */
static int read_tables(struct copy *c, struct kith_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->src,
                           "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return lite_err(c->src, "reading the tables of the source", NULL, err);
    if (!(c->t = alloc_array_zero(COPY_TABLES_MAX, sizeof(*c->t)))) {
        sqlite3_finalize(st);
        return kith_err(err, KITH_ENOMEM, "out of memory");
    }
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!plain_name(name)) {
            rc = kith_err(err, KITH_EINVAL,
                          "the source has a table named '%s', which is not one of kith's", name);
            break;
        }
        if (c->nt == COPY_TABLES_MAX) {
            rc = kith_err(err, KITH_ERANGE, "the source has more than %d tables", COPY_TABLES_MAX);
            break;
        }
        snprintf(c->t[c->nt++].name, NAME_MAX_LEN + 1, "%s", name);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = lite_err(c->src, "reading the tables of the source", NULL, err);
    sqlite3_finalize(st);
    if (rc < 0)
        return rc;

    sqlite3_stmt *cols = NULL, *fks = NULL;
    if (sqlite3_prepare_v2(c->src, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1, &cols,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->src,
                           "SELECT DISTINCT \"table\", \"from\" FROM pragma_foreign_key_list(?1)",
                           -1, &fks, NULL) != SQLITE_OK) {
        rc = lite_err(c->src, "reading the columns of the source", NULL, err);
        goto out;
    }
    for (size_t i = 0; i < c->nt && rc == 0; i++) {
        struct ctable *t = &c->t[i];
        t->id_col = -1;
        if (!(t->cols = calloc(COPY_COLS_MAX, sizeof(*t->cols))) ||
            !(t->self_ref = calloc(COPY_COLS_MAX, sizeof(*t->self_ref))) ||
            !(t->deps = calloc(c->nt, sizeof(*t->deps)))) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory");
            break;
        }
        sqlite3_bind_text(cols, 1, t->name, -1, SQLITE_STATIC);
        while ((step = sqlite3_step(cols)) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(cols, 0);
            if (!plain_name(name) || t->ncols == COPY_COLS_MAX) {
                rc = kith_err(err, KITH_EINVAL,
                              "the source's table %s has a column '%s' kith"
                              " cannot copy",
                              t->name, name);
                break;
            }
            if (strcmp(name, "id") == 0)
                t->id_col = t->ncols;
            snprintf(t->cols[t->ncols++], NAME_MAX_LEN + 1, "%s", name);
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = lite_err(c->src, "reading the columns of", t->name, err);
        sqlite3_reset(cols);
        sqlite3_bind_text(fks, 1, t->name, -1, SQLITE_STATIC);
        while (rc == 0 && (step = sqlite3_step(fks)) == SQLITE_ROW) {
            const char *ref = (const char *)sqlite3_column_text(fks, 0);
            const char *from = (const char *)sqlite3_column_text(fks, 1);
            if (strcmp(ref, t->name) == 0) {
                for (int k = 0; k < t->ncols; k++)
                    if (strcmp(t->cols[k], from) == 0)
                        t->self_ref[k] = true;
                continue;
            }
            size_t j = find_table(c, ref);
            bool seen = false;
            for (size_t k = 0; k < t->ndeps; k++)
                seen = seen || t->deps[k] == j;
            if (j != SIZE_MAX && !seen)
                t->deps[t->ndeps++] = j;
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = lite_err(c->src, "reading the foreign keys of", t->name, err);
        sqlite3_reset(fks);
    }
out:
    sqlite3_finalize(cols);
    sqlite3_finalize(fks);
    return rc;
}

/*
 * The copy order: each table after the tables it references, ties by name (Kahn's algorithm).
 * Self-references are handled row by row; a cycle between tables is refused.
 */
static int order_tables(struct copy *c, struct kith_error *err)
{
    if (!(c->order = calloc(c->nt ? c->nt : 1, sizeof(*c->order))))
        return kith_err(err, KITH_ENOMEM, "out of memory");
    for (size_t n = 0; n < c->nt; n++) {
        size_t pick = SIZE_MAX;
        for (size_t i = 0; i < c->nt && pick == SIZE_MAX; i++) {
            if (c->t[i].placed)
                continue;
            bool ready = true;
            for (size_t k = 0; k < c->t[i].ndeps; k++)
                ready = ready && c->t[c->t[i].deps[k]].placed;
            if (ready)
                pick = i;
        }
        if (pick == SIZE_MAX) {
            for (size_t i = 0; i < c->nt; i++)
                if (!c->t[i].placed)
                    return kith_err(err, KITH_EINVAL,
                                    "the foreign keys of the source form a cycle through table"
                                    " %s: kith cannot order the copy",
                                    c->t[i].name);
        }
        c->t[pick].placed = true;
        c->order[n] = pick;
    }
    return 0;
}

/* How many rows each table holds in a database only kith init wrote to: the migrations' own
 * rows (interaction types, deal stages, counters) and the consent signing key. */
static int count_seeded(struct copy *c, struct kith_error *err)
{
    sqlite3 *mem = NULL;
    int rc;
    if (sqlite3_open(":memory:", &mem) != SQLITE_OK) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = store_migrate(mem, STORE_SCHEMA_VERSION, err)) < 0) {
        kith_err_prefix(err, "making a fresh schema to compare with");
        goto out;
    }
    for (size_t i = 0; i < c->nt && rc == 0; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", c->t[i].name);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(mem, sql, -1, &st, NULL) != SQLITE_OK)
            continue; /* not made by the migrations: refused later by PostgreSQL */
        if (sqlite3_step(st) == SQLITE_ROW)
            c->t[i].seeded = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    /* kith init writes the key that signs consent receipts: the source's replaces it */
    size_t keys = find_table(c, "signing_keys");
    if (keys != SIZE_MAX)
        c->t[keys].seeded++;
out:
    sqlite3_close(mem);
    return rc;
}

static int pg_err(struct copy *c, int rc, const char *what, const char *table,
                  struct kith_error *err)
{
    return kith_err(err, rc, "%s%s%s: %s", what, table ? " " : "", table ? table : "",
                    db_errmsg(c->dst));
}

static int pg_count(struct copy *c, const char *table, int64_t *n, struct kith_error *err)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", table);
    struct db_stmt *st;
    int rc = db_prepare(c->dst, sql, &st);
    if (rc == 0 && (rc = db_step(st)) == DB_ROW) {
        *n = db_column_int64(st, 0);
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? pg_err(c, rc, "counting the rows of the destination's table", table, err) : 0;
}

/* The destination holds nothing but what its migrations wrote: those rows are deleted. */
static int empty_destination(struct copy *c, struct kith_error *err)
{
    int rc;
    for (size_t i = 0; i < c->nt; i++) {
        int64_t n = 0;
        if ((rc = pg_count(c, c->t[i].name, &n, err)) < 0)
            return rc;
        if (n > c->t[i].seeded)
            return kith_err(err, KITH_ECONFLICT,
                            "the destination is not empty: table %s has %" PRId64
                            " rows; migrate-store copies into a database that only 'kith init'"
                            " has written to",
                            c->t[i].name, n);
    }
    for (size_t n = c->nt; n-- > 0;) {
        const struct ctable *t = &c->t[c->order[n]];
        if (!t->seeded)
            continue;
        char sql[128];
        snprintf(sql, sizeof(sql), "DELETE FROM \"%s\"", t->name);
        if ((rc = db_pg_exec_native(c->dst, sql)) < 0)
            return pg_err(c, rc, "clearing the rows the migrations wrote in", t->name, err);
    }
    return 0;
}

/* The user triggers of the destination (ALTER TABLE ... ENABLE|DISABLE TRIGGER), all of them:
 * the one that keeps interactions_keys row by row too (keys_of_interactions() fills it at once). */
static int set_triggers(struct copy *c, bool enable, struct kith_error *err)
{
    struct db_stmt *st;
    int rc = db_prepare(c->dst,
                        "SELECT c.relname, t.tgname FROM pg_trigger t"
                        " JOIN pg_class c ON c.oid = t.tgrelid"
                        " JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE NOT t.tgisinternal AND t.tgparentid = 0"
                        " AND n.nspname = current_schema()"
                        " ORDER BY 1, 2",
                        &st);
    if (rc < 0)
        return pg_err(c, rc, "reading the triggers of the destination", NULL, err);
    struct trig {
        char rel[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
    } *trigs = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *rel = db_column_text(st, 0), *name = db_column_text(st, 1);
        if (!plain_name(rel) || !plain_name(name))
            continue; /* not one of kith's */
        if (n == COPY_TRIGGERS_MAX) {
            rc = KITH_ERANGE;
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            struct trig *grown = realloc(trigs, cap * sizeof(*trigs));
            if (!grown) {
                rc = KITH_ENOMEM;
                break;
            }
            trigs = grown;
        }
        snprintf(trigs[n].rel, sizeof(trigs[n].rel), "%s", rel);
        snprintf(trigs[n].name, sizeof(trigs[n].name), "%s", name);
        n++;
    }
    db_finalize(st);
    if (rc == KITH_ERANGE) {
        rc = kith_err(err, rc, "the destination has more than %d triggers", COPY_TRIGGERS_MAX);
    } else if (rc == KITH_ENOMEM) {
        rc = kith_err(err, rc, "out of memory");
    } else if (rc < 0) {
        rc = pg_err(c, rc, "reading the triggers of the destination", NULL, err);
    } else {
        rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            char sql[256];
            snprintf(sql, sizeof(sql), "ALTER TABLE \"%s\" %s TRIGGER \"%s\"", trigs[i].rel,
                     enable ? "ENABLE" : "DISABLE", trigs[i].name);
            if ((rc = db_pg_exec_native(c->dst, sql)) < 0)
                rc = pg_err(c, rc, enable ? "enabling a trigger on" : "disabling a trigger on",
                            trigs[i].rel, err);
        }
    }
    free(trigs);
    return rc;
}

/* The yearly partitions of interactions for every year the source's interactions fall in. */
static int make_partitions(struct copy *c, struct kith_error *err)
{
    if (find_table(c, "interactions") == SIZE_MAX)
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->src,
                           "SELECT min(occurred_at) FROM interactions"
                           " GROUP BY strftime('%Y', occurred_at / 1000, 'unixepoch')",
                           -1, &st, NULL) != SQLITE_OK)
        return lite_err(c->src, "reading the years of interactions", NULL, err);
    struct db_stmt *part;
    int rc = db_prepare(c->dst, "SELECT kith_interactions_partition(?1)", &part);
    if (rc < 0) {
        sqlite3_finalize(st);
        return pg_err(c, rc, "making the partitions of interactions", NULL, err);
    }
    int step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = db_bind_int64(part, 1, sqlite3_column_int64(st, 0))) == 0 &&
            (rc = db_step(part)) == DB_ROW)
            rc = 0;
        db_reset(part);
        if (rc < 0)
            rc = pg_err(c, rc, "making the partitions of interactions", NULL, err);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = lite_err(c->src, "reading the years of interactions", NULL, err);
    db_finalize(part);
    sqlite3_finalize(st);
    return rc;
}

/* INSERT INTO t (cols) VALUES (?1, ...), ... for nrows rows. */
static int prepare_insert(struct copy *c, const struct ctable *t, int nrows, struct db_stmt **st,
                          struct kith_error *err)
{
    struct buf b;
    buf_init(&b, PG_INSERT_SQL_MAX);
    int rc = buf_addf(&b, "INSERT INTO \"%s\" (", t->name);
    for (int k = 0; k < t->ncols && rc == 0; k++)
        rc = buf_addf(&b, "%s\"%s\"", k ? ", " : "", t->cols[k]);
    rc = rc ? rc : buf_addf(&b, ") VALUES ");
    for (int r = 0; r < nrows && rc == 0; r++)
        for (int k = 0; k < t->ncols && rc == 0; k++)
            rc = buf_addf(&b, "%s?%d%s",
                          k   ? ", "
                          : r ? ", ("
                              : "(",
                          r * t->ncols + k + 1, k == t->ncols - 1 ? ")" : "");
    char *sql = rc == 0 ? buf_detach(&b, NULL) : NULL;
    buf_release(&b);
    if (!sql)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    rc = db_prepare(c->dst, sql, st);
    free(sql);
    return rc < 0 ? pg_err(c, rc, "preparing the insert into", t->name, err) : 0;
}

/* Binds column k of the source's row as parameter i. */
static int bind_value(struct db_stmt *st, int i, sqlite3_stmt *row, int k)
{
    switch (sqlite3_column_type(row, k)) {
    case SQLITE_INTEGER:
        return db_bind_int64(st, i, sqlite3_column_int64(row, k));
    case SQLITE_FLOAT:
        return db_bind_double(st, i, sqlite3_column_double(row, k));
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_column_text(row, k);
        return db_bind_text(st, i, s, (size_t)sqlite3_column_bytes(row, k));
    }
    case SQLITE_BLOB: {
        const void *p = sqlite3_column_blob(row, k);
        return db_bind_blob(st, i, p ? p : "", (size_t)sqlite3_column_bytes(row, k));
    }
    default:
        return db_bind_null(st, i);
    }
}

/* Whether column k of the source's row refers to a row of its own table not copied yet. */
static bool later_row(const struct ctable *t, sqlite3_stmt *row, int k)
{
    return t->self_ref[k] && t->id_col >= 0 && sqlite3_column_type(row, k) == SQLITE_INTEGER &&
           sqlite3_column_int64(row, k) >= sqlite3_column_int64(row, t->id_col);
}

static int add_fixup(struct fixup **fix, size_t *n, size_t *cap, struct fixup f)
{
    if (*n == COPY_FIXUPS_MAX)
        return KITH_ERANGE;
    if (*n == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 256;
        struct fixup *grown = realloc(*fix, grown_cap * sizeof(**fix));
        if (!grown)
            return KITH_ENOMEM;
        *fix = grown;
        *cap = grown_cap;
    }
    (*fix)[(*n)++] = f;
    return 0;
}

/* Sets the references to later rows the copy left NULL. */
static int apply_fixups(struct copy *c, const struct ctable *t, const struct fixup *fix,
                        size_t nfix, struct kith_error *err)
{
    for (size_t i = 0; i < nfix; i++) {
        char sql[192];
        snprintf(sql, sizeof(sql), "UPDATE \"%s\" SET \"%s\" = ?1 WHERE \"id\" = ?2", t->name,
                 t->cols[fix[i].col]);
        struct db_stmt *up;
        int rc = db_prepare(c->dst, sql, &up);
        if (rc == 0 && (rc = db_bind_int64(up, 1, fix[i].value)) == 0 &&
            (rc = db_bind_int64(up, 2, fix[i].id)) == 0 && (rc = db_step(up)) == DB_DONE)
            rc = 0;
        db_finalize(up);
        if (rc < 0)
            return pg_err(c, rc, "setting the references within", t->name, err);
    }
    return 0;
}

static int copy_table(struct copy *c, const struct ctable *t, int64_t *copied,
                      struct kith_error *err)
{
    struct buf b;
    buf_init(&b, PG_INSERT_SQL_MAX);
    int rc = buf_addf(&b, "SELECT ");
    for (int k = 0; k < t->ncols && rc == 0; k++)
        rc = buf_addf(&b, "%s\"%s\"", k ? ", " : "", t->cols[k]);
    rc = rc ? rc : buf_addf(&b, " FROM \"%s\"", t->name);
    size_t unordered = b.len;
    rc = rc ? rc : buf_addf(&b, " ORDER BY rowid");
    if (rc < 0) {
        buf_release(&b);
        return kith_err(err, KITH_ENOMEM, "out of memory");
    }
    sqlite3_stmt *rows = NULL;
    if (sqlite3_prepare_v2(c->src, b.data, (int)b.len, &rows, NULL) != SQLITE_OK &&
        /* a table WITHOUT ROWID: in its key's order */
        sqlite3_prepare_v2(c->src, b.data, (int)unordered, &rows, NULL) != SQLITE_OK) {
        buf_release(&b);
        return lite_err(c->src, "reading", t->name, err);
    }
    buf_release(&b);
    char sql[128];
    int64_t total = 0;
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", t->name);
    if ((rc = store_query_int64(c->src, sql, &total, "counting the source's rows", err)) < 0) {
        sqlite3_finalize(rows);
        return rc;
    }

    int per = COPY_PARAMS_MAX / t->ncols;
    per = per > COPY_ROWS_MAX ? COPY_ROWS_MAX : per < 1 ? 1 : per;
    struct db_stmt *full = NULL, *last = NULL, *cur = NULL;
    struct fixup *fix = NULL;
    size_t nfix = 0, capfix = 0;
    int in_batch = 0, batch = 0, step;
    *copied = 0;
    while ((step = sqlite3_step(rows)) == SQLITE_ROW) {
        if (in_batch == 0) {
            /* full batches, then one of the rows left (the read transaction fixes total) */
            int64_t left = total - *copied;
            batch = left >= per ? per : left > 0 ? (int)left : 1;
            struct db_stmt **st = batch == per ? &full : &last;
            if (!*st && (rc = prepare_insert(c, t, batch, st, err)) < 0)
                goto out;
            cur = *st;
        }
        for (int k = 0; k < t->ncols && rc == 0; k++) {
            int param = in_batch * t->ncols + k + 1;
            if (later_row(t, rows, k)) {
                struct fixup f = {sqlite3_column_int64(rows, t->id_col),
                                  sqlite3_column_int64(rows, k), k};
                if ((rc = add_fixup(&fix, &nfix, &capfix, f)) < 0) {
                    rc = rc == KITH_ERANGE
                             ? kith_err(err, rc,
                                        "%s has more than %d references to later rows of itself",
                                        t->name, COPY_FIXUPS_MAX)
                             : kith_err(err, rc, "out of memory");
                    goto out;
                }
                rc = db_bind_null(cur, param);
            } else {
                rc = bind_value(cur, param, rows, k);
            }
        }
        if (rc < 0) {
            rc = pg_err(c, rc, "binding a value of", t->name, err);
            goto out;
        }
        if (++in_batch == batch) {
            if ((rc = db_step(cur)) < 0) {
                rc = pg_err(c, rc, "copying rows of", t->name, err);
                goto out;
            }
            db_reset(cur);
            *copied += in_batch;
            in_batch = 0;
        }
    }
    if (step != SQLITE_DONE) {
        rc = lite_err(c->src, "reading", t->name, err);
        goto out;
    }
    if (in_batch != 0 || *copied != total) {
        rc = kith_err(err, KITH_EDB, "the source's table %s changed during the copy", t->name);
        goto out;
    }
    rc = apply_fixups(c, t, fix, nfix, err);
out:
    db_finalize(full);
    db_finalize(last);
    sqlite3_finalize(rows);
    free(fix);
    return rc;
}

/*
 * interactions_keys (migrations_pg.c: the unique keys of the partitioned interactions, and what
 * the foreign keys to interactions point at), filled in one statement once interactions is in:
 * its trigger, set aside for the copy, would have made them a row at a time, several times
 * slower.
 */
static int keys_of_interactions(struct copy *c, struct kith_error *err)
{
    int rc = db_pg_exec_native(c->dst, "INSERT INTO interactions_keys (id, external_id, voids_id)"
                                       " SELECT id, external_id, voids_id FROM interactions");
    return rc < 0 ? pg_err(c, rc, "filling", "interactions_keys", err) : 0;
}

static int open_source(const char *path, sqlite3 **src, struct kith_error *err)
{
    struct stat sb;
    *src = NULL;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return kith_err(err, KITH_ENOTFOUND, "no SQLite database at %s", path);
    if (sqlite3_open_v2(path, src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = kith_err(err, KITH_EDB, "cannot open %s: %s", path,
                          *src ? sqlite3_errmsg(*src) : "out of memory");
        sqlite3_close(*src);
        *src = NULL;
        return rc;
    }
    sqlite3_busy_timeout(*src, STORE_BUSY_TIMEOUT_MS);
    int64_t version = 0;
    int rc = store_query_int64(*src, "PRAGMA user_version", &version, "reading the source", err);
    if (rc == 0 && version != STORE_SCHEMA_VERSION)
        rc = kith_err(err, KITH_EVERSION,
                      "%s has schema version %" PRId64 " but migrate-store copies version %d"
                      " only (this kith's): %s",
                      path, version, STORE_SCHEMA_VERSION,
                      version < STORE_SCHEMA_VERSION ? "upgrade it first with 'kith init --db FILE'"
                                                     : "use the kith that wrote it");
    /* one read transaction: the copy is the database as it was when it began */
    if (rc == 0)
        rc = store_exec(*src, "BEGIN; SELECT count(*) FROM sqlite_master", err);
    if (rc < 0) {
        sqlite3_close(*src);
        *src = NULL;
    }
    return rc;
}

static int open_destination(const char *url, struct db **dst, struct kith_error *err)
{
    int rc = db_open_pg(url, dst, err);
    int version = 0;
    if (rc == 0 && (rc = store_pg_schema_version(*dst, &version, err)) == 0 &&
        version != STORE_SCHEMA_VERSION)
        rc = version == 0
                 ? kith_err(err, KITH_EINVAL,
                            "the destination has no kith schema: run 'kith init --db URL' on it"
                            " first")
                 : kith_err(err, KITH_EVERSION,
                            "the destination has schema version %d but the copy needs version %d:"
                            " %s",
                            version, STORE_SCHEMA_VERSION,
                            version < STORE_SCHEMA_VERSION ? "run 'kith init --db URL' on it"
                                                           : "use a newer kith");
    if (rc < 0) {
        db_close(*dst);
        *dst = NULL;
    }
    return rc;
}

int store_migrate_store(const char *src_path, const char *dst_url, store_copy_progress_fn progress,
                        void *ctx, struct kith_error *err)
{
    if (store_path_is_pg(src_path))
        return kith_err(err, KITH_EINVAL,
                        "the source must be a SQLite database (sqlite:FILE or a path)");
    if (!store_path_is_pg(dst_url))
        return kith_err(err, KITH_EINVAL,
                        "the destination must be a PostgreSQL URL (postgresql://...); to copy a"
                        " SQLite database to a file, use 'kith backup'");
    struct copy c = {.progress = progress, .ctx = ctx};
    int rc;
    if ((rc = open_source(src_path, &c.src, err)) < 0)
        return rc;
    if ((rc = read_tables(&c, err)) < 0 || (rc = order_tables(&c, err)) < 0 ||
        (rc = count_seeded(&c, err)) < 0 || (rc = open_destination(dst_url, &c.dst, err)) < 0)
        goto out;
    if ((rc = db_begin(c.dst)) < 0) {
        rc = pg_err(&c, rc, "starting the transaction on the destination", NULL, err);
        goto out;
    }
    if ((rc = empty_destination(&c, err)) < 0 || (rc = make_partitions(&c, err)) < 0 ||
        (rc = set_triggers(&c, false, err)) < 0)
        goto out_rollback;
    for (size_t n = 0; n < c.nt; n++) {
        const struct ctable *t = &c.t[c.order[n]];
        int64_t copied = 0;
        if ((rc = copy_table(&c, t, &copied, err)) < 0 ||
            (strcmp(t->name, "interactions") == 0 && (rc = keys_of_interactions(&c, err)) < 0))
            goto out_rollback;
        if (progress)
            progress(ctx, t->name, copied);
    }
    if ((rc = set_triggers(&c, true, err)) < 0)
        goto out_rollback;
    if ((rc = store_pg_resync_identities(c.dst)) < 0) {
        rc = pg_err(&c, rc, "moving the identities past the copied ids", NULL, err);
        goto out_rollback;
    }
    if ((rc = db_commit(c.dst)) < 0) {
        rc = pg_err(&c, rc, "committing the copy", NULL, err);
        goto out_rollback;
    }
    goto out;

out_rollback:
    db_rollback(c.dst);
out:
    db_close(c.dst);
    if (c.src) {
        sqlite3_exec(c.src, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(c.src);
    }
    free_tables(&c);
    return rc;
}
