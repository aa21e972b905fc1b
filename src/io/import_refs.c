/*
 * import_refs.c - a reference given by a key: resolved through the cache, then the store, by any
 * text field of the referenced table the user names (a user by email or by name); a key that
 * names several rows is an error listing them, never a silent choice; a key that names none
 * suggests the nearest existing values, creates the row (--create-missing) or sets the row aside
 * (--rejects).
 */
#include "io/import_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define MAX_CANDIDATES     5
#define MAX_SUGGESTED      50     /* "did you mean" lookups per column; later misses go without */
#define MAX_DISTINCT       200000 /* values of a key read for them */
#define MAX_CREATED_FIELDS 64

/* ----- did you mean ------------------------------------------------------------------------- */

struct nearest {
    const char *key;
    size_t len, max;
    size_t n;
    size_t dist[3];
    char text[3][UTF8_EXCERPT_SIZE];
};

static int consider(void *ctx, const char *text, size_t len)
{
    struct nearest *nr = ctx;
    size_t d = import_edit_distance(nr->key, nr->len, text, len, nr->max);
    if (d > nr->max || d == 0)
        return 0;
    size_t at = nr->n < 3 ? nr->n : 3;
    while (at > 0 && nr->dist[at - 1] > d)
        at--;
    if (at == 3)
        return 0;
    size_t keep = nr->n < 3 ? nr->n : 2;
    memmove(&nr->dist[at + 1], &nr->dist[at], (keep - at) * sizeof(nr->dist[0]));
    memmove(nr->text[at + 1], nr->text[at], (keep - at) * sizeof(nr->text[0]));
    nr->dist[at] = d;
    utf8_excerpt(nr->text[at], text, len);
    nr->n = keep + 1;
    return 0;
}

/* "; did you mean 'GTX Pro'?" into out (empty when nothing is near). */
static void suggest(struct importer *imp, struct column *col, const char *key, size_t len,
                    char *out, size_t cap)
{
    out[0] = '\0';
    if (col->nsuggested >= MAX_SUGGESTED)
        return;
    col->nsuggested++;
    struct nearest nr = {.key = key, .len = len, .max = len < 6 ? 1 : len < 12 ? 2 : 3};
    struct kith_error e;
    if (store_distinct_text(imp->s, col->ref, col->key, MAX_DISTINCT, consider, &nr, &e) < 0 ||
        nr.n == 0)
        return;
    /* Only the nearest: the values at the smallest distance found. */
    while (nr.n > 1 && nr.dist[nr.n - 1] > nr.dist[0])
        nr.n--;
    size_t o = (size_t)snprintf(out, cap, "; did you mean ");
    for (size_t i = 0; i < nr.n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s'%s'",
                              i == 0          ? ""
                              : i + 1 == nr.n ? " or "
                                              : ", ",
                              nr.text[i]);
    if (o < cap)
        snprintf(out + o, cap - o, "?");
}

/* ----- --create-missing --------------------------------------------------------------------- */

static struct store_value value_of(const struct field_value *v)
{
    switch (v->kind) {
    case FV_INT:
        return (struct store_value){.kind = SV_INT, .i = v->i};
    case FV_REAL:
        return (struct store_value){.kind = SV_REAL, .r = v->r};
    case FV_TEXT:
        return (struct store_value){.kind = SV_TEXT, .s = v->s, .len = v->len};
    case FV_NULL:
        break;
    }
    return (struct store_value){.kind = SV_NULL};
}

/*
 * Creates the row of column c's table that key names: the key, and the fields the TABLE.field
 * maps give from the row being resolved (row_refs). 1 with *id, 0 after reporting, or fatal.
 */
static int create_row(struct importer *imp, size_t c, const char *key, size_t len,
                      const struct ref_cell *row_refs, int64_t *id, struct kith_error *err)
{
    struct column *col = &imp->cols[c];
    const struct table_def *ref = col->ref;
    char ex[UTF8_EXCERPT_SIZE];
    utf8_excerpt(ex, key, len);
    if (ref->nfields > MAX_CREATED_FIELDS)
        BUG("%s has more than %d fields", ref->name, MAX_CREATED_FIELDS);
    struct store_value vals[MAX_CREATED_FIELDS];
    bool given[MAX_CREATED_FIELDS];
    for (size_t i = 0; i < ref->nfields; i++) {
        vals[i] = (struct store_value){.kind = SV_NULL};
        given[i] = false;
    }
    struct field_value got;
    struct kith_error e;
    size_t kf;
    if (!table_field(ref, col->key, &kf) || field_parse(col->key_field, key, len, &got, &e) < 0)
        BUG("key %s of %s", col->key, ref->name);
    vals[kf] = value_of(&got);
    given[kf] = true;
    for (size_t d = 0; d < imp->ncols; d++) {
        const struct column *cd = &imp->cols[d];
        if (cd->kind != COL_CREATED || cd->created != ref)
            continue;
        const struct ref_cell *cell = &row_refs[cd->slot];
        if (cell->kind != REF_KEY || cell->len == 0)
            continue;
        const struct field_def *f = &ref->fields[cd->field];
        if (field_parse(f, cell->key, cell->len, &got, &e) < 0) {
            import_cell_error(imp, c, "cannot create %s '%s': %s: %s", ref->singular, ex, cd->name,
                              e.msg);
            return 0;
        }
        vals[cd->field] = value_of(&got);
        given[cd->field] = vals[cd->field].kind != SV_NULL;
    }
    for (size_t i = 0; i < ref->nfields; i++)
        if (ref->fields[i].type == FT_BOOL && vals[i].kind == SV_NULL)
            vals[i] = (struct store_value){.kind = SV_INT, .i = 0};
    size_t k = 0;
    if (table_check_required(ref, given, &k, &e) < 0) {
        import_cell_error(imp, c,
                          "cannot create %s '%s' (--create-missing %s): its %s has no value; give"
                          " it with --map 'SRC=%s.%s' or --set '%s.%s=VALUE'",
                          ref->singular, ex, ref->name, ref->fields[k].name, ref->name,
                          ref->fields[k].name, ref->name, ref->fields[k].name);
        return 0;
    }
    int rc;
    size_t id_field;
    if (ref == imp->t) {
        /* The file's earlier rows go in first, and the new row takes the next of its ids. */
        if ((rc = import_flush_rows(imp, err)) < 0)
            return rc;
        if (table_field(ref, "id", &id_field))
            vals[id_field] = (struct store_value){.kind = SV_INT, .i = imp->next_id++};
    }
    rc = store_insert(imp->s, ref, vals, id, &e);
    if (rc == KITH_ECONFLICT || rc == KITH_EINVAL) {
        import_cell_error(imp, c, "cannot create %s '%s': %s", ref->singular, ex, e.msg);
        return 0;
    }
    if (rc < 0) {
        *err = e;
        return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->line);
    }
    imp->rep->created++;
    if ((rc = keymap_put(col->keys, key, len, *id, err)) < 0 ||
        (rc = idset_add(&col->cache->ids, *id, err)) < 0)
        return rc;
    if (ref == imp->t && (rc = idset_add(&imp->created_ids, *id, err)) < 0)
        return rc;
    return 1;
}

/* ----- resolving ---------------------------------------------------------------------------- */

/* Sets the row being resolved aside for --rejects with reason (the first one counts). */
static void reject(struct importer *imp, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reject(struct importer *imp, size_t c, const char *fmt, ...)
{
    if (imp->row_reject)
        return;
    imp->row_reject = true;
    int n = snprintf(imp->reject_reason, sizeof(imp->reject_reason), "%s: ", imp->cols[c].src_name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(imp->reject_reason + n, sizeof(imp->reject_reason) - (size_t)n, fmt, ap);
    va_end(ap);
}

int import_resolve_key(struct importer *imp, size_t c, const struct ref_cell *cell,
                       const struct ref_cell *row_refs, int64_t *id, struct kith_error *err)
{
    struct column *col = &imp->cols[c];
    char ex[UTF8_EXCERPT_SIZE];
    if (keymap_get(col->keys, cell->key, cell->len, id))
        return 1;
    if (imp->row_reject)
        return 0; /* set aside already: nothing is created nor suggested for it */
    /* A row of this table earlier in the file counts: insert the queued ones first. */
    int rc;
    if (col->ref == imp->t && (rc = import_flush_rows(imp, err)) < 0)
        return rc;
    struct kith_error e;
    int64_t ids[MAX_CANDIDATES];
    size_t n = 0;
    if (strlen(cell->key) == cell->len) {
        struct store_value kv = {.kind = SV_TEXT, .s = cell->key, .len = cell->len};
        if (store_find_ids(imp->s, col->ref, col->key, &kv, ids, MAX_CANDIDATES, &n, &e) < 0) {
            *err = e;
            return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->line);
        }
    }
    utf8_excerpt(ex, cell->key, cell->len);
    if (n > 1) {
        char list[200];
        size_t o = 0;
        for (size_t i = 0; i < n && i < MAX_CANDIDATES && o < sizeof(list); i++)
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%" PRId64, i ? ", " : "", ids[i]);
        import_cell_error(imp, c,
                          "%s%zu %s have %s '%s' (ids %s%s): name the row by its id or by"
                          " another key",
                          n > MAX_CANDIDATES ? "more than " : "",
                          n > MAX_CANDIDATES ? (size_t)MAX_CANDIDATES : n, col->ref->name, col->key,
                          ex, list, n > MAX_CANDIDATES ? ", ..." : "");
        return 0;
    }
    if (n == 0) {
        if (col->create)
            return create_row(imp, c, cell->key, cell->len, row_refs, id, err);
        char near[4 * UTF8_EXCERPT_SIZE + 200];
        suggest(imp, col, cell->key, cell->len, near, sizeof(near));
        if (col->ref == imp->t && !near[0])
            snprintf(near, sizeof(near),
                     " (a row later in the file does not count yet: --create-missing %s creates"
                     " it, and that row then fills it)",
                     col->ref->name);
        if (imp->opt->rejects)
            reject(imp, c, "no %s with %s '%s'%s", col->ref->singular, col->key, ex, near);
        else
            import_cell_error(imp, c, "no %s with %s '%s'%s", col->ref->singular, col->key, ex,
                              near);
        return 0;
    }
    *id = ids[0];
    if (keymap_put(col->keys, cell->key, cell->len, *id, &e) < 0 ||
        idset_add(&col->cache->ids, *id, &e) < 0) {
        import_cell_error(imp, c, "%s", e.msg);
        return 0;
    }
    return 1;
}
