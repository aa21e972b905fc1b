/*
 * import_columns.c - the header of an import: each column mapped (after --map) to a field of the
 * table or to a natural key of a table a reference field points to (contact_email for
 * contact_id), secret, unknown, doubled and missing columns reported, and a cell per reference.
 */
#include "io/import_int.h"

#include <math.h>
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

/* A deal's line: its product, quantity and unit price, after the fields of deals. */
static const struct field_def line_fields[LINE_FIELDS] = {
    {.name = "product_id", .type = FT_REF, .ref_table = "products"},
    {.name = "quantity", .type = FT_INT, .ranged = true, .lo = 1, .hi = 1e15},
    {.name = "unit_price", .type = FT_MONEY, .ranged = true, .lo = 0, .hi = INFINITY},
};
/* An order's or a deal's line given by its unit price rather than its amount. */
static const struct field_def unit_price_field = {
    .name = "unit_price", .type = FT_MONEY, .ranged = true, .lo = -INFINITY, .hi = INFINITY};

/* An order's line, when an orders file gives one per row: a return has a negative quantity. */
static const struct field_def order_line_fields[LINE_FIELDS] = {
    {.name = "product_id", .type = FT_REF, .ref_table = "products"},
    {.name = "quantity", .type = FT_INT},
    {.name = "unit_price", .type = FT_MONEY},
};

const struct field_def *import_field(const struct importer *imp, size_t i)
{
    if (i < imp->t->nfields)
        return &imp->t->fields[i];
    if (imp->line_product >= 0)
        return strcmp(imp->t->name, "orders") == 0 ? &order_line_fields[i - imp->t->nfields]
                                                   : &line_fields[i - imp->t->nfields];
    return &unit_price_field;
}

/* A field of ref that a reference may name a row by: a natural key, or any readable text. */
static bool key_field_ok(const struct field_def *kf)
{
    return kf && !kf->secret && kf->type == FT_TEXT;
}

/* Makes col a reference column of field i by key of ref. */
static void set_ref_key(struct importer *imp, struct column *col, size_t i,
                        const struct table_def *ref, const char *key, const struct field_def *kf)
{
    col->kind = COL_REF_KEY;
    col->field = i;
    col->ref = ref;
    col->key = key;
    col->key_field = kf;
    col->cache = &imp->caches[table_index(ref)];
    col->keys = &col->own_keys;
    for (size_t k = 0; ref->natural_keys[k]; k++)
        if (strcmp(ref->natural_keys[k], key) == 0)
            col->keys = &col->cache->keys[k];
}

/* Finds which column name is: a field, or a key column of a reference field (X_K). */
static bool match_column(struct importer *imp, const char *name, struct column *col)
{
    for (size_t fi = 0; fi < imp->nvals; fi++) {
        const struct field_def *f = import_field(imp, fi);
        if (strcmp(f->name, name) != 0)
            continue;
        col->kind = COL_FIELD;
        col->field = fi;
        if (f->type == FT_REF) {
            col->ref = model_table(f->ref_table);
            if (!col->ref)
                BUG("%s.%s references unknown table %s", imp->t->name, f->name, f->ref_table);
            col->cache = &imp->caches[table_index(col->ref)];
        }
        return true;
    }
    for (size_t i = 0; i < imp->nvals; i++) {
        const struct field_def *rf = import_field(imp, i);
        if (rf->type != FT_REF)
            continue;
        const struct table_def *ref = model_table(rf->ref_table);
        if (!ref)
            BUG("%s.%s references unknown table %s", imp->t->name, rf->name, rf->ref_table);
        char prefix[128];
        if (import_ref_column(rf, "", prefix, sizeof(prefix)) < 0)
            continue;
        size_t plen = strlen(prefix);
        if (strncmp(name, prefix, plen) != 0 || !name[plen])
            continue;
        const struct field_def *kf = table_field(ref, name + plen, NULL);
        if (!key_field_ok(kf))
            continue;
        set_ref_key(imp, col, i, ref, kf->name, kf);
        return true;
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

/* True when rows of ref may be created by --create-missing. */
static bool creates(const struct importer *imp, const struct table_def *ref)
{
    for (size_t i = 0; i < imp->opt->ncreate; i++)
        if (imp->opt->create[i] == ref)
            return true;
    return false;
}

/* Plans the column that fills target from source column src (SIZE_MAX: a constant) by map m. */
static void plan_one(struct importer *imp, const struct csv_record *h, size_t src,
                     const char *target, const struct import_map *m)
{
    const struct table_def *t = imp->t;
    struct column *col = &imp->cols[imp->ncols];
    memset(col, 0, sizeof(*col));
    col->src = src;
    col->map = m;
    col->kind = COL_IGNORED;
    size_t hcol = src == SIZE_MAX ? 0 : src + 1;
    const char *src_name = src == SIZE_MAX ? "--set" : h->cells[src].s;
    utf8_excerpt(col->src_name, src_name, strlen(src_name));
    if (m && m->created) {
        char full[300];
        snprintf(full, sizeof(full), "%s.%s", m->created->name, target);
        utf8_excerpt(col->name, full, strlen(full));
        size_t fi;
        const struct field_def *f = table_field(m->created, target, &fi);
        if (!creates(imp, m->created)) {
            header_error(imp, h->line, hcol, NULL,
                         "'%s' fills rows that --create-missing %s would create, but it is not"
                         " given",
                         col->name, m->created->name);
        } else if (!f || f->secret || f->type == FT_ID || f->type == FT_REF) {
            header_error(imp, h->line, hcol, NULL,
                         "'%s': %s has no such field that a created row may take", col->name,
                         m->created->name);
        } else {
            col->kind = COL_CREATED;
            col->created = m->created;
            col->field = fi;
        }
        imp->ncols++;
        return;
    }
    utf8_excerpt(col->name, target, strlen(target));
    const struct field_def *f = table_field(t, target, NULL);
    if (f && f->secret) {
        header_error(imp, h->line, hcol, NULL,
                     "column '%s' is secret and cannot be imported (remove it or"
                     " --ignore-unknown)",
                     col->name);
    } else if (!match_column(imp, target, col)) {
        col->kind = COL_IGNORED;
        if (imp->opt->ignore_unknown && !m) {
            imp->ncols++;
            return;
        }
        if (!*target)
            header_error(imp, h->line, hcol, NULL,
                         "column without a name (a comma too many in the header?);"
                         " --ignore-unknown skips it");
        else if (m)
            header_error(imp, h->line, hcol, NULL,
                         "'%s' is not a column of %s (see 'kith export --columns %s'; a"
                         " reference X_id also takes X_KEY for a text field KEY of its table)",
                         col->name, t->name, t->name);
        else
            header_error(imp, h->line, hcol, NULL,
                         "unknown column '%s': not a column of %s (see 'kith export --columns"
                         " %s'; --map '%s=FIELD' reads it as FIELD, --ignore-unknown skips it)",
                         col->name, t->name, t->name, col->name);
    }
    imp->ncols++;
    if (col->kind == COL_IGNORED)
        return;
    for (size_t d = 0; d + 1 < imp->ncols; d++) {
        const struct column *o = &imp->cols[d];
        if (o->kind != COL_IGNORED && strcmp(o->name, col->name) == 0) {
            if (o->src == src)
                header_error(imp, h->line, hcol, NULL, "column '%s' is mapped twice", col->name);
            else
                header_error(imp, h->line, hcol, NULL,
                             "column '%s' appears twice (from '%s' and '%s')", col->name,
                             o->src_name, col->src_name);
            col->kind = COL_IGNORED;
            return;
        }
    }
    if (col->ref && creates(imp, col->ref) && col->kind == COL_REF_KEY)
        col->create = true;
    if (imp->first_col[col->field] == SIZE_MAX)
        imp->first_col[col->field] = imp->ncols - 1;
}

/* Reads the header record and plans the columns. Header errors are all reported, then fatal. */
int import_plan_columns(struct importer *imp, const struct csv_record *h)
{
    const struct table_def *t = imp->t;
    const struct import_options *opt = imp->opt;
    uint64_t before = imp->rep->nerrors;
    imp->nsrc = h->nfields;
    imp->ncols = 0;
    imp->cols = calloc(h->nfields + opt->nmaps, sizeof(*imp->cols));
    if (!imp->cols)
        return KITH_ENOMEM;
    bool *map_used = calloc(opt->nmaps + 1, sizeof(*map_used));
    if (!map_used)
        return KITH_ENOMEM;
    for (size_t c = 0; c < h->nfields; c++) {
        const char *name = h->cells[c].s;
        bool mapped = false;
        for (size_t m = 0; m < opt->nmaps; m++) {
            if (opt->maps[m].from && strcmp(opt->maps[m].from, name) == 0) {
                map_used[m] = mapped = true;
                plan_one(imp, h, c, opt->maps[m].to, &opt->maps[m]);
            }
        }
        if (!mapped)
            plan_one(imp, h, c, name, NULL);
    }
    for (size_t m = 0; m < opt->nmaps; m++)
        if (!opt->maps[m].from)
            plan_one(imp, h, SIZE_MAX, opt->maps[m].to, &opt->maps[m]);
    for (size_t m = 0; m < opt->nmaps; m++) {
        if (!map_used[m] && opt->maps[m].from) {
            char ex[UTF8_EXCERPT_SIZE], names[400];
            size_t o = 0;
            for (size_t c = 0; c < h->nfields && o + 4 < sizeof(names); c++)
                o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", c ? ", " : "",
                                      h->cells[c].s);
            const char *from = opt->maps[m].from;
            header_error(imp, h->line, 0, NULL,
                         "--map %s=...: the header has no column '%s' (it has: %s)",
                         utf8_excerpt(ex, from, strlen(from)), ex, names);
        }
    }
    free(map_used);
    bool priced = imp->unit_price >= 0 && imp->first_col[imp->unit_price] != SIZE_MAX;
    /* An orders file of lines: given, or by default without an amount column. */
    bool is_orders = strcmp(t->name, "orders") == 0;
    imp->from_lines = is_orders && (opt->amount_from_lines ||
                                    (priced && imp->first_col[imp->amount_field] == SIZE_MAX));
    if (is_orders && !imp->from_lines && imp->line_product >= 0 &&
        imp->first_col[imp->line_product] != SIZE_MAX)
        header_error(imp, h->line, 0, NULL,
                     "an orders file with products is a file of lines: give unit_price instead"
                     " of amount, or --amount-from-lines");
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (priced && (int)i == imp->amount_field)
            continue; /* quantity x unit price */
        if (f->required && imp->first_col[i] == SIZE_MAX) {
            char alts[256];
            columns_for_field(f, alts, sizeof(alts));
            header_error(imp, h->line, 0, NULL,
                         "missing column for the required field %s (give %s, or --set %s=VALUE)",
                         f->name, alts, f->name);
        }
    }
    /* A file without a source column is marked as an import where the table records sources. */
    imp->source_default = -1;
    size_t si;
    const struct field_def *sf = table_field(t, "source", &si);
    if (sf && sf->type == FT_ENUM && field_enum_ok(sf, "import") && imp->first_col[si] == SIZE_MAX)
        imp->source_default = (int)si;
    /* A deals file with a product gives each deal a line; an orders file of lines, its order. */
    if (imp->line_product >= 0 && imp->first_col[imp->line_product] != SIZE_MAX) {
        imp->lines = model_table(is_orders ? "order_lines" : "deal_lines");
        if (imp->lines->nfields > 8) /* the rows of line_queue (import_int.h) */
            BUG("%s has %zu fields, more than a queued line holds", imp->lines->name,
                imp->lines->nfields);
    } else if (imp->line_product >= 0 && imp->first_col[imp->line_quantity] != SIZE_MAX)
        header_error(imp, h->line, 0, NULL,
                     "a quantity without a product (give product_id, product_sku or"
                     " product_name for the deal's line)");
    /* Upsert matches rows by the first natural key of t the file gives. */
    imp->upsert_key = imp->upsert_key_nk = -1;
    for (size_t k = 0; t->natural_keys[k]; k++) {
        size_t fi;
        if (table_field(t, t->natural_keys[k], &fi) && imp->first_col[fi] != SIZE_MAX) {
            imp->upsert_key = (int)fi;
            imp->upsert_key_nk = (int)k;
            break;
        }
    }
    bool self_create = creates(imp, t);
    if (opt->upsert && imp->upsert_key < 0) {
        char keys[200];
        size_t o = 0;
        for (size_t k = 0; t->natural_keys[k] && o < sizeof(keys); k++)
            o += (size_t)snprintf(keys + o, sizeof(keys) - o, "%s%s", k ? " or " : "",
                                  t->natural_keys[k]);
        header_error(imp, h->line, 0, NULL,
                     "--upsert matches rows by a natural key of %s (%s), and the file gives none",
                     t->name, o ? keys : "it has none");
    }
    if (imp->from_lines) {
        if (!imp->lines || !priced)
            header_error(imp, h->line, 0, NULL,
                         "an order's amount from its lines needs each line's product (product_id,"
                         " product_sku or product_name), quantity and unit_price");
        if (imp->upsert_key < 0 || strcmp(t->fields[imp->upsert_key].name, "external_id") != 0)
            header_error(imp, h->line, 0, NULL,
                         "an order's amount from its lines needs its external_id: rows of the"
                         " same external_id are one order");
        if (opt->upsert)
            header_error(imp, h->line, 0, NULL,
                         "--upsert does not take orders from lines (yet): import them once");
    }
    imp->assign_ids = imp->lines || opt->upsert || self_create;
    size_t oi;
    imp->outcome_field = -1;
    if (strcmp(t->name, "deals") == 0 && table_field(t, "outcome", &oi) &&
        imp->first_col[oi] == SIZE_MAX && table_field(t, "stage_id", &si)) {
        imp->outcome_field = (int)oi;
        imp->stage_field = (int)si;
    }
    if (imp->lines) {
        static const char *const line_names[LINE_NFIELDS] = {"id",         "created_at", "",
                                                             "product_id", "quantity",   "amount"};
        if (imp->lines->nfields < LINE_NFIELDS || imp->lines->nfields > 8)
            BUG("%s has %zu fields", imp->lines->name, imp->lines->nfields);
        for (size_t i = 0; i < LINE_NFIELDS; i++)
            if (*line_names[i] && strcmp(imp->lines->fields[i].name, line_names[i]) != 0)
                BUG("%s field %zu is %s", imp->lines->name, i, imp->lines->fields[i].name);
    }
    return imp->rep->nerrors > before ? KITH_EINVAL : 0;
}

/* Gives each reference column and each created row's field its cell in a row's ref_cells. */
void import_plan_ref_slots(struct importer *imp)
{
    imp->nrefs = 0;
    for (size_t c = 0; c < imp->ncols; c++) {
        struct column *col = &imp->cols[c];
        if (col->kind == COL_CREATED || (col->kind != COL_IGNORED && col->ref))
            col->slot = imp->nrefs++;
        else
            col->ref = NULL;
    }
}
