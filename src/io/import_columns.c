/*
 * import_columns.c - the header of an import: each column mapped (after --map) to a field of the
 * table or to a natural key of a table a reference field points to (contact_email for
 * contact_id), secret, unknown, doubled and missing columns reported, and a cell per reference.
 */
#include "io/import_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

/* ----- column names ---------------------------------------------------------------------- */

int import_ref_column(const struct field_def *f, const char *key, char *out, size_t cap)
{
    size_t n = strlen(f->name);
    if (n > 3 && strcmp(f->name + n - 3, "_id") == 0)
        n -= 3;
    int w = snprintf(out, cap, "%.*s_%s", (int)n, f->name, key);
    return w < 0 || (size_t)w >= cap ? KITH_ERANGE : 0;
}

static size_t table_index(const struct table_def *t)
{
    for (size_t i = 0; i < model_ntables; i++)
        if (model_tables[i] == t)
            return i;
    BUG("table %s is not in model_tables", t->name);
}

/* Finds which column name is: a field, or a natural-key column of a reference field. */
static bool match_column(struct importer *imp, const char *name, struct column *col)
{
    const struct table_def *t = imp->t;
    size_t fi;
    const struct field_def *f = table_field(t, name, &fi);
    if (f) {
        col->kind = COL_FIELD;
        col->field = fi;
        if (f->type == FT_REF) {
            col->ref = model_table(f->ref_table);
            if (!col->ref)
                BUG("%s.%s references unknown table %s", t->name, f->name, f->ref_table);
            col->cache = &imp->caches[table_index(col->ref)];
        }
        return true;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *rf = &t->fields[i];
        if (rf->type != FT_REF)
            continue;
        const struct table_def *ref = model_table(rf->ref_table);
        if (!ref)
            BUG("%s.%s references unknown table %s", t->name, rf->name, rf->ref_table);
        for (size_t k = 0; ref->natural_keys[k]; k++) {
            char alt[128];
            if (import_ref_column(rf, ref->natural_keys[k], alt, sizeof(alt)) < 0 ||
                strcmp(alt, name) != 0)
                continue;
            const struct field_def *kf = table_field(ref, ref->natural_keys[k], NULL);
            if (!kf)
                BUG("natural key %s is not a field of %s", ref->natural_keys[k], ref->name);
            col->kind = COL_REF_KEY;
            col->field = i;
            col->ref = ref;
            col->key = ref->natural_keys[k];
            col->key_field = kf;
            col->cache = &imp->caches[table_index(ref)];
            col->keys = &col->cache->keys[k];
            return true;
        }
    }
    return false;
}

/* "contact_id, contact_email or contact_external_id": every column that fills field f. */
static void columns_for_field(const struct field_def *f, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "%s", f->name);
    const struct table_def *ref = f->type == FT_REF ? model_table(f->ref_table) : NULL;
    for (size_t k = 0; ref && ref->natural_keys[k] && o < cap; k++) {
        char alt[128];
        if (import_ref_column(f, ref->natural_keys[k], alt, sizeof(alt)) < 0)
            continue;
        bool last = !ref->natural_keys[k + 1];
        o += (size_t)snprintf(out + o, cap - o, "%s%s", last ? " or " : ", ", alt);
    }
}

/* Reads the header record and plans the columns. Header errors are all reported, then fatal. */
int import_plan_columns(struct importer *imp, const struct csv_record *h)
{
    const struct table_def *t = imp->t;
    uint64_t before = imp->rep->nerrors;
    imp->ncols = h->nfields;
    imp->cols = calloc(h->nfields, sizeof(*imp->cols));
    if (!imp->cols)
        return KITH_ENOMEM;
    bool *map_used = calloc(imp->opt->nmaps + 1, sizeof(*map_used));
    if (!map_used)
        return KITH_ENOMEM;
    for (size_t c = 0; c < h->nfields; c++) {
        struct column *col = &imp->cols[c];
        const struct csv_cell *cell = &h->cells[c];
        const char *name = cell->s;
        for (size_t m = 0; m < imp->opt->nmaps; m++) {
            if (strcmp(imp->opt->maps[m].from, cell->s) == 0) {
                name = imp->opt->maps[m].to;
                map_used[m] = true;
                break;
            }
        }
        utf8_excerpt(col->name, name, strlen(name));
        col->kind = COL_IGNORED;
        const struct field_def *f = table_field(t, name, NULL);
        if (f && f->secret) {
            header_error(imp, h->line, c + 1, NULL,
                         "column '%s' is secret and cannot be imported (remove it or"
                         " --ignore-unknown)",
                         col->name);
        } else if (!match_column(imp, name, col)) {
            if (imp->opt->ignore_unknown)
                continue;
            if (!*name)
                header_error(imp, h->line, c + 1, NULL,
                             "column without a name (a comma too many in the header?);"
                             " --ignore-unknown skips it");
            else
                header_error(imp, h->line, c + 1, NULL,
                             "unknown column '%s': not a column of %s (see 'kith export --columns"
                             " %s'; --map '%s=FIELD' renames it, --ignore-unknown skips it)",
                             col->name, t->name, t->name, col->name);
            continue;
        }
        if (col->kind == COL_IGNORED)
            continue;
        for (size_t d = 0; d < c; d++) {
            if (imp->cols[d].kind != COL_IGNORED && strcmp(imp->cols[d].name, col->name) == 0) {
                header_error(imp, h->line, c + 1, NULL,
                             "column '%s' appears twice (also column %zu)", col->name, d + 1);
                col->kind = COL_IGNORED;
                break;
            }
        }
        if (col->kind != COL_IGNORED && imp->first_col[col->field] == SIZE_MAX)
            imp->first_col[col->field] = c;
    }
    for (size_t m = 0; m < imp->opt->nmaps; m++) {
        if (!map_used[m]) {
            char ex[UTF8_EXCERPT_SIZE];
            const char *from = imp->opt->maps[m].from;
            header_error(imp, h->line, 0, NULL, "--map %s=...: the header has no column '%s'",
                         utf8_excerpt(ex, from, strlen(from)), ex);
        }
    }
    free(map_used);
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->required && imp->first_col[i] == SIZE_MAX) {
            char alts[256];
            columns_for_field(f, alts, sizeof(alts));
            header_error(imp, h->line, 0, NULL,
                         "missing column for the required field %s (give %s)", f->name, alts);
        }
    }
    /* A file without a source column is marked as an import where the table records sources. */
    imp->source_default = -1;
    size_t si;
    const struct field_def *sf = table_field(t, "source", &si);
    if (sf && sf->type == FT_ENUM && field_enum_ok(sf, "import") && imp->first_col[si] == SIZE_MAX)
        imp->source_default = (int)si;
    return imp->rep->nerrors > before ? KITH_EINVAL : 0;
}

/* Gives each reference column its cell in a row's ref_cells. */
void import_plan_ref_slots(struct importer *imp)
{
    imp->nrefs = 0;
    for (size_t c = 0; c < imp->ncols; c++) {
        struct column *col = &imp->cols[c];
        if (col->kind != COL_IGNORED && col->ref)
            col->slot = imp->nrefs++;
        else
            col->ref = NULL;
    }
}
