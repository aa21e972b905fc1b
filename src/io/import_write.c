/*
 * import_write.c - the calling thread's work on each batch: the reference cells resolved through
 * the caches (refcache.h) and the store, rows queued and inserted several to a statement, one at
 * a time when a statement fails so that the failing row is reported, and duplicates explained.
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/voids.h"
#include "util/progress.h"

#include "util/banned.h"

/* ----- the calling thread: references and inserts ----------------------------------------- */

/* Remembers reference p (column, line and id filled in here) for the checks after the last row. */
static void add_pending(struct importer *imp, size_t c, int64_t id, struct pending_ref p)
{
    if (imp->npending == imp->pending_cap) {
        size_t cap = imp->pending_cap ? imp->pending_cap * 2 : 64;
        struct pending_ref *more = realloc(imp->pending, cap * sizeof(*more));
        if (!more) {
            import_cell_error(imp, c, "out of memory");
            return;
        }
        imp->pending = more;
        imp->pending_cap = cap;
    }
    p.id = id;
    p.line = imp->line;
    p.col = c;
    imp->pending[imp->npending++] = p;
}

/* Verifies that id exists in the table that column c references, through the cache. */
static void check_ref_id(struct importer *imp, size_t c, int64_t id)
{
    const struct table_def *ref = imp->cols[c].ref;
    struct ref_cache *rc = imp->cols[c].cache;
    if (idset_has(&rc->ids, id))
        return;
    if (ref == imp->t) {
        /*
         * The table itself: the row may be earlier in this file (perhaps still queued) or
         * later; either way it must exist once all rows are in, which is checked then.
         */
        add_pending(imp, c, id, (struct pending_ref){0});
        return;
    }
    if (store_row_exists(imp->s, ref, id)) {
        struct kith_error e;
        if (idset_add(&rc->ids, id, &e) < 0)
            import_cell_error(imp, c, "%s", e.msg);
        return;
    }
    import_cell_error(imp, c, "no %s with id %" PRId64, ref->singular, id);
}

/* The integer value of field fi of the row being resolved, 0 when it has none (or fi < 0). */
static int64_t row_int(const struct importer *imp, int fi)
{
    return fi >= 0 && imp->vals[fi].kind == SV_INT ? imp->vals[fi].i : 0;
}

/*
 * Checks the void that column c gives the row being resolved (interactions.voids_id) by
 * model/voids.h, as the API checks its voids: the queued rows are inserted first, so that the
 * store answers as for an import of one row at a time, in the API's order (a void of a row
 * earlier in the file is a void of a row that is in). A voided interaction not in yet may come
 * later in the file: it is checked after the last row (import_check_pending). Voids are few; each
 * costs a flush of the queue and one cached statement. A fatal code if the store fails.
 */
static int check_void(struct importer *imp, size_t c, struct kith_error *err)
{
    struct void_target target = {.id = row_int(imp, imp->void_field)};
    int64_t self = row_int(imp, imp->id_field), contact = row_int(imp, imp->contact_field);
    struct kith_error e;
    int rc;
    if (target.id != self) {
        if ((rc = import_flush_rows(imp, err)) < 0)
            return rc;
        if ((rc = store_void_target(imp->s, target.id, &target, err)) < 0)
            return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->line);
        if (!target.found) {
            add_pending(
                imp, c, target.id,
                (struct pending_ref){.is_void = true, .row_id = self, .contact_id = contact});
            return 0;
        }
    }
    if (interaction_void_check(&target, self, contact, &e) < 0)
        import_cell_error(imp, c, "%s", e.msg);
    return 0;
}

/*
 * Resolves the reference cells of row i of b in column order, as a one-row-at-a-time import
 * would, and queues the row for insertion when it has no error. A fatal code if the store fails.
 */
static int resolve_row(struct importer *imp, struct batch *b, size_t i, struct kith_error *err)
{
    const struct row_info *row = &b->rows[i];
    imp->vals = &b->vals[i * imp->nvals];
    imp->line = row->line;
    imp->record = b->first_record + i;
    imp->row_bad = row->bad;
    imp->row_reject = row->reject != NULL;
    imp->row_raw = row->raw;
    imp->row_rawlen = row->rawlen;
    if (row->reject)
        snprintf(imp->reject_reason, sizeof(imp->reject_reason), "%s", row->reject);
    if (row->skip)
        return 0;
    const struct ref_cell *refs = &b->refs[i * imp->nrefs];
    size_t void_col = SIZE_MAX; /* a column that gives the row a voided interaction */
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct column *col = &imp->cols[c];
        if (!col->ref)
            continue;
        const struct ref_cell *cell = &refs[col->slot];
        int64_t got;
        bool is_void = (int)col->field == imp->void_field && cell->kind != REF_NONE;
        if (is_void)
            void_col = c;
        if (cell->kind == REF_ID) {
            got = cell->id;
            if (!is_void) /* check_void looks a voided interaction up itself */
                check_ref_id(imp, c, got);
        } else if (cell->kind == REF_KEY) {
            int rc = import_resolve_key(imp, c, cell, refs, &got, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                continue;
        } else {
            continue;
        }
        /* Only a reference can be filled by two columns (X_id and X_key): they must agree. */
        struct store_value *v = &imp->vals[col->field];
        if (v->kind == SV_INT && v->i != got) {
            import_cell_error(imp, c, "names %s %" PRId64 " but another column names %s %" PRId64,
                              col->ref->singular, got, col->ref->singular, v->i);
            continue;
        }
        *v = (struct store_value){.kind = SV_INT, .i = got};
    }
    /* After the loop: the row's own contact may come in a later column. */
    if (void_col != SIZE_MAX && imp->vals[imp->void_field].kind == SV_INT) {
        int rc = check_void(imp, void_col, err);
        if (rc < 0)
            return rc;
    }
    if (imp->row_bad)
        return 0;
    return import_place_row(imp, err);
}

void import_queue_row(struct importer *imp)
{
    const struct store_value *id = &imp->vals[imp->id_field];
    if (id->kind == SV_INT && id->i == INT64_MAX)
        imp->exact_ids = true; /* SQLite picks later ids at random: see import_flush_rows */
    imp->queue[imp->nqueued] = imp->vals;
    imp->queue_line[imp->nqueued] = imp->line;
    imp->queue_record[imp->nqueued++] = imp->record;
}

/* The text value of field index fi in vals, if it has one. */
static bool row_text(const struct store_value *vals, size_t fi, char *out, size_t cap)
{
    const struct store_value *v = &vals[fi];
    if (v->kind != SV_TEXT || v->len >= cap)
        return false;
    memcpy(out, v->s, v->len);
    out[v->len] = '\0';
    return true;
}

static bool added_by_this_import(const struct importer *imp, int64_t id)
{
    return id > imp->max_id_before || idset_has(&imp->low_ids, id);
}

/* Explains a unique-key conflict of queued row q: which column, and whether the other row is old or
 * new. */
static void duplicate_error(struct importer *imp, size_t q, const struct kith_error *store_err)
{
    const struct table_def *t = imp->t;
    const struct store_value *vals = imp->queue[q];
    uint64_t line = imp->queue_line[q];
    struct err_key key = key_of(imp->queue_record[q], PHASE_INSERT, 0);
    const struct store_value *id = &vals[imp->id_field];
    if (id->kind == SV_INT && store_row_exists(imp->s, t, id->i)) {
        import_add_error(
            imp, key, line, imp->first_col[imp->id_field] + 1, "id",
            "duplicate id %" PRId64 ": %s already has a row with it (%s)", id->i, t->name,
            added_by_this_import(imp, id->i) ? "added earlier from this file" : "in the database");
        return;
    }
    for (size_t k = 0; t->natural_keys[k]; k++) {
        const char *name = t->natural_keys[k];
        char text[FIELD_TEXT_DEFAULT_MAX + 1];
        int64_t other;
        size_t fi;
        if (!table_field(t, name, &fi) || !row_text(vals, fi, text, sizeof(text)) ||
            store_find_id(imp->s, t, name, text, &other, NULL) < 0)
            continue;
        char ex[UTF8_EXCERPT_SIZE];
        import_add_error(imp, key, line, imp->first_col[fi] + 1, name,
                         "duplicate '%s': %s %" PRId64 " already has it (%s)",
                         utf8_excerpt(ex, text, strlen(text)), t->singular, other,
                         added_by_this_import(imp, other)
                             ? "added earlier from this file"
                             : "in the database; --upsert updates it instead");
        return;
    }
    /*
     * A second void of an interaction later in the file (check_void refuses those of rows that
     * are in). That interaction may not be in yet: the rule at stake is one void per interaction.
     */
    struct void_target target;
    struct kith_error e;
    int64_t self = id->kind == SV_INT ? id->i : 0;
    if (imp->void_field >= 0 && vals[imp->void_field].kind == SV_INT &&
        store_void_target(imp->s, vals[imp->void_field].i, &target, NULL) == 0 &&
        target.voided_by > 0) {
        target.found = true;
        if (interaction_void_check(&target, self, 0, &e) < 0) {
            size_t c = imp->first_col[imp->void_field];
            import_add_error(imp, key, line, c + 1, imp->cols[c].name, "%s", e.msg);
            return;
        }
    }
    import_add_error(imp, key, line, 0, NULL, "%s", store_err->msg);
}

/* Inserts queued row q alone; a row error is reported, a failing store is fatal (rc). */
static int insert_row(struct importer *imp, size_t q, struct kith_error *err)
{
    struct kith_error e;
    int64_t id;
    int rc = store_insert(imp->s, imp->t, imp->queue[q], &id, &e);
    if (rc == KITH_ECONFLICT) {
        duplicate_error(imp, q, &e);
        return 0;
    }
    if (rc == KITH_EINVAL) {
        import_add_error(imp, key_of(imp->queue_record[q], PHASE_INSERT, 0), imp->queue_line[q], 0,
                         NULL, "%s", e.msg);
        return 0;
    }
    if (rc < 0) {
        *err = e;
        return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->queue_line[q]);
    }
    if (id <= imp->max_id_before)
        return idset_add(&imp->low_ids, id, err);
    return 0;
}

/*
 * Inserts the queued rows, several to a statement. When a statement fails (a duplicate key),
 * its rows and the rest are inserted one at a time, which finds the row and reports it. The ids
 * of rows inserted together are not returned: a row without an id gets one above every id
 * before it, so above max_id_before, unless an id reached INT64_MAX (then SQLite picks at
 * random, and exact_ids makes every insert single).
 */
int import_flush_rows(struct importer *imp, struct kith_error *err)
{
    size_t done = 0;
    int rc = 0;
    struct kith_error e;
    if (!imp->nqueued)
        return import_flush_lines(imp, err);
    if (!imp->exact_ids)
        rc = store_insert_rows(imp->s, imp->t, imp->queue, imp->nqueued, &done, &e);
    for (size_t q = 0; q < done; q++) {
        const struct store_value *id = &imp->queue[q][imp->id_field];
        int arc;
        if (id->kind == SV_INT && id->i <= imp->max_id_before &&
            (arc = idset_add(&imp->low_ids, id->i, err)) < 0)
            return arc;
    }
    if (rc < 0 && rc != KITH_ECONFLICT && rc != KITH_EINVAL) {
        *err = e;
        return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->queue_line[done]);
    }
    for (size_t q = done; q < imp->nqueued; q++)
        if ((rc = insert_row(imp, q, err)) < 0)
            return rc;
    imp->nqueued = 0;
    return import_flush_lines(imp, err);
}

void import_check_pending(struct importer *imp)
{
    for (size_t i = 0; i < imp->npending; i++) {
        struct pending_ref *p = &imp->pending[i];
        if (p->is_void) {
            /*
             * Every row is in now, the void too: that it is the one that voids its target is
             * no conflict, and a second void of the same target met the unique index when it
             * went in (duplicate_error).
             */
            struct void_target target;
            struct kith_error e;
            if (store_void_target(imp->s, p->id, &target, &e) == 0) {
                target.voided_by = 0;
                if (interaction_void_check(&target, p->row_id, p->contact_id, &e) == 0)
                    continue;
            }
            import_add_error(imp, key_of(UINT64_MAX, PHASE_CELLS, i), p->line, p->col + 1,
                             imp->cols[p->col].name, "%s", e.msg);
            continue;
        }
        if (!store_row_exists(imp->s, imp->t, p->id))
            import_add_error(imp, key_of(UINT64_MAX, PHASE_CELLS, i), p->line, p->col + 1,
                             imp->cols[p->col].name,
                             "no %s with id %" PRId64 " in the database or this file",
                             imp->t->singular, p->id);
    }
}

/* Rows ahead of the one resolved whose keys are looked for in the caches (keymap_prefetch). */
#define PREFETCH_ROWS 8

static void prefetch_keys(const struct importer *imp, const struct batch *b, size_t i)
{
    const struct ref_cell *refs = &b->refs[i * imp->nrefs];
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct column *col = &imp->cols[c];
        if (col->ref && col->keys && refs[col->slot].kind == REF_KEY)
            keymap_prefetch(col->keys, refs[col->slot].key, refs[col->slot].len);
    }
}

/* Resolves and inserts the rows of b; a fatal code if the store or the reading failed. */
int import_consume_batch(struct importer *imp, struct batch *b, struct kith_error *err)
{
    int rc;
    for (size_t i = 0; i < b->nerrs; i++) {
        char *out = import_keep_error(imp, b->errs[i].key);
        if (out)
            memcpy(out, b->errs[i].msg, sizeof(b->errs[i].msg));
    }
    imp->rep->nerrors += b->nuntold;
    for (size_t i = 0; i < b->nrows; i++) {
        imp->rep->rows++;
        if (i + PREFETCH_ROWS < b->nrows)
            prefetch_keys(imp, b, i + PREFETCH_ROWS);
        if ((rc = resolve_row(imp, b, i, err)) < 0)
            return rc;
        if (imp->opt->progress)
            progress_update(imp->opt->progress, imp->rep->rows, b->bytes);
        if (imp->rep->rows == imp->next_bulk_check &&
            (rc = import_maybe_defer_indexes(imp, b->bytes, err)) < 0)
            return rc;
    }
    /* The batch is given back after this: its rows must be in. */
    if ((rc = import_flush_rows(imp, err)) < 0)
        return rc;
    if (b->rc < 0) {
        *err = b->err;
        return b->rc;
    }
    imp->malformed = b->malformed;
    return 0;
}
