/*
 * import.c - CSV into one table, in one transaction (see import.h for the contract and
 * docs/import-export.md for the user's view).
 *
 * The hot path reads a record, converts each cell in place (text stays in the reader's buffer),
 * resolves references through caches (refcache.h) and inserts through the store's cached
 * statement: nothing is allocated per row. Foreign keys are verified here, so the store is told
 * not to check them again for the length of the transaction.
 */
#include "io/import.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "io/csv.h"
#include "io/refcache.h"
#include "util/money.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#include "util/banned.h"

#define NUMBER_TEXT_MAX 64 /* longest integer, real or time text accepted */

/*
 * When a load is large next to its table, the table's secondary indexes are dropped and built
 * again at the end (store_bulk_defer_indexes). It is decided after BULK_CHECK_ROWS rows and
 * again at each doubling: the load counts as large once the rows it will add (extrapolated
 * from the bytes read, when the file size is known) reach half the rows already there.
 */
#define BULK_CHECK_ROWS 65536

enum col_kind { COL_IGNORED, COL_FIELD, COL_REF_KEY };

/* What is known about the rows of one referenced table. */
struct ref_cache {
    struct idset ids;
    struct keymap keys[TABLE_MAX_NATURAL_KEYS];
};

struct column {
    enum col_kind kind;
    size_t field;                 /* index of the field it fills in t->fields */
    const struct table_def *ref;  /* a reference: the referenced table */
    struct ref_cache *cache;      /* a reference: what is known of ref's rows */
    const char *key;              /* COL_REF_KEY: the natural key column of ref */
    int key_max;                  /* COL_REF_KEY: byte limit of that key */
    struct keymap *keys;          /* COL_REF_KEY: cache of key -> id */
    char name[UTF8_EXCERPT_SIZE]; /* header name (after --map), printable */
};

/* An integer reference of the table to itself not yet satisfied: checked at the end. */
struct pending_ref {
    int64_t id;
    uint64_t line;
    size_t col;
};

struct importer {
    struct store *s;
    const struct table_def *t;
    const struct import_options *opt;
    struct import_report *rep;
    struct column *cols;
    size_t ncols;
    size_t *first_col;        /* per field: the first column that fills it, or SIZE_MAX */
    struct ref_cache *caches; /* per model_tables[] entry */
    struct store_value *vals; /* per field, the row being built */
    bool *field_bad;          /* per field: this row already has an error for it */
    int source_default;       /* field index of "source" to set to "import", or -1 */
    struct store_bulk *bulk;
    bool indexes_deferred;
    uint64_t input_size;      /* bytes of the file, 0 when unknown (a pipe) */
    uint64_t next_bulk_check; /* rows read at the next decision about indexes */
    int64_t max_id_before;    /* rows above it were added by this import */
    struct idset low_ids;     /* ids at or below max_id_before added by this import */
    struct pending_ref *pending;
    size_t npending, pending_cap;
    uint64_t line; /* of the record being converted */
    bool row_bad;
};

/* ----- messages ------------------------------------------------------------------------- */

static void add_error(struct importer *imp, uint64_t line, size_t col, const char *colname,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Counts an error and keeps its text while fewer than IMPORT_MAX_SHOWN are kept. */
static void add_error(struct importer *imp, uint64_t line, size_t col, const char *colname,
                      const char *fmt, ...)
{
    struct import_report *rep = imp->rep;
    rep->nerrors++;
    imp->row_bad = true;
    if (rep->nshown == IMPORT_MAX_SHOWN)
        return;
    char *out = rep->shown[rep->nshown++];
    char where[80 + UTF8_EXCERPT_SIZE];
    if (col)
        snprintf(where, sizeof(where), "%.40s:%" PRIu64 ":%zu: %s%s", imp->opt->name, line, col,
                 colname ? colname : "", colname ? ": " : "");
    else
        snprintf(where, sizeof(where), "%.40s:%" PRIu64 ": ", imp->opt->name, line);
    size_t n = strlen(where);
    memcpy(out, where, n + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + n, KITH_ERROR_MSG_MAX - n, fmt, ap);
    va_end(ap);
}

static void cell_error(struct importer *imp, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error in column c of the current record; marks the field it fills as done for. */
static void cell_error(struct importer *imp, size_t c, const char *fmt, ...)
{
    char msg[KITH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (imp->cols[c].kind != COL_IGNORED)
        imp->field_bad[imp->cols[c].field] = true;
    add_error(imp, imp->line, c + 1, imp->cols[c].name, "%s", msg);
}

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
            col->key_max = field_max_len(kf);
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
static int plan_columns(struct importer *imp, const struct csv_record *h)
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
            add_error(imp, h->line, c + 1, NULL,
                      "column '%s' is secret and cannot be imported (remove it or"
                      " --ignore-unknown)",
                      col->name);
        } else if (!match_column(imp, name, col)) {
            if (imp->opt->ignore_unknown)
                continue;
            if (!*name)
                add_error(imp, h->line, c + 1, NULL,
                          "column without a name (a comma too many in the header?);"
                          " --ignore-unknown skips it");
            else
                add_error(imp, h->line, c + 1, NULL,
                          "unknown column '%s': not a column of %s (see 'kith export --columns"
                          " %s'; --map '%s=FIELD' renames it, --ignore-unknown skips it)",
                          col->name, t->name, t->name, col->name);
            continue;
        }
        if (col->kind == COL_IGNORED)
            continue;
        for (size_t d = 0; d < c; d++) {
            if (imp->cols[d].kind != COL_IGNORED && strcmp(imp->cols[d].name, col->name) == 0) {
                add_error(imp, h->line, c + 1, NULL, "column '%s' appears twice (also column %zu)",
                          col->name, d + 1);
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
            add_error(imp, h->line, 0, NULL, "--map %s=...: the header has no column '%s'",
                      utf8_excerpt(ex, from, strlen(from)), ex);
        }
    }
    free(map_used);
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->required && imp->first_col[i] == SIZE_MAX) {
            char alts[256];
            columns_for_field(f, alts, sizeof(alts));
            add_error(imp, h->line, 0, NULL, "missing column for the required field %s (give %s)",
                      f->name, alts);
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

/* ----- cell conversion -------------------------------------------------------------------- */

/* The cell without surrounding spaces and tabs, for numbers, times and booleans. */
static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    if (i == len)
        return false;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static bool parse_real(const char *s, size_t len, double *out)
{
    char buf[NUMBER_TEXT_MAX];
    if (len == 0 || len >= sizeof(buf))
        return false;
    /* Plain decimal notation only: strtod would also take hex, inf and nan. */
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789+-.eE", s[i]))
            return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, size_t len, int64_t *out)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
            *out = 1;
            return true;
        }
        if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

static bool enum_ok(const struct field_def *f, const char *s, size_t len)
{
    for (const char *const *v = f->enum_values; *v; v++)
        if (strlen(*v) == len && memcmp(*v, s, len) == 0)
            return true;
    return false;
}

/* "one of a, b, c" for the values of f. */
static void enum_list(const struct field_def *f, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "one of ");
    for (const char *const *v = f->enum_values; *v && o < cap; v++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", v == f->enum_values ? "" : ", ", *v);
}

/* Checks UTF-8 and length of a text cell; false after reporting. */
static bool text_ok(struct importer *imp, size_t c, const char *s, size_t len, int max)
{
    size_t bad;
    if (!utf8_is_valid(s, len, &bad)) {
        cell_error(imp, c, "not valid UTF-8 (byte %zu of the field)", bad + 1);
        return false;
    }
    if (len > (size_t)max) {
        cell_error(imp, c, "too long: %zu bytes, at most %d", len, max);
        return false;
    }
    return true;
}

/* Verifies that id exists in the table that column c references, through the cache. */
static void check_ref_id(struct importer *imp, size_t c, int64_t id)
{
    const struct table_def *ref = imp->cols[c].ref;
    struct ref_cache *rc = imp->cols[c].cache;
    if (idset_has(&rc->ids, id))
        return;
    if (store_row_exists(imp->s, ref, id)) {
        struct kith_error e;
        if (idset_add(&rc->ids, id, &e) < 0)
            cell_error(imp, c, "%s", e.msg);
        return;
    }
    if (ref == imp->t) {
        /* It may come later in this file; checked once all rows are in. */
        if (imp->npending == imp->pending_cap) {
            size_t cap = imp->pending_cap ? imp->pending_cap * 2 : 64;
            struct pending_ref *p = realloc(imp->pending, cap * sizeof(*p));
            if (!p) {
                cell_error(imp, c, "out of memory");
                return;
            }
            imp->pending = p;
            imp->pending_cap = cap;
        }
        imp->pending[imp->npending++] = (struct pending_ref){id, imp->line, c};
        return;
    }
    cell_error(imp, c, "no %s with id %" PRId64, ref->singular, id);
}

/* True if the len bytes at s are one JSON object (no duplicate keys); else a message in e. */
static bool json_object_ok(const char *s, size_t len, struct kith_error *e)
{
    char ex[UTF8_EXCERPT_SIZE];
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        kith_err(e, KITH_EINVAL, "bad JSON at character %d: %s", je.position, je.text);
        return false;
    }
    bool is_object = json_is_object(j);
    json_decref(j);
    if (!is_object)
        kith_err(e, KITH_EINVAL, "expected a JSON object ({...}), got '%s'",
                 utf8_excerpt(ex, s, len));
    return is_object;
}

/* Converts the cell of column c (a field column) into v. */
static void convert_field(struct importer *imp, size_t c, const struct csv_cell *cell,
                          struct store_value *v)
{
    const struct field_def *f = &imp->t->fields[imp->cols[c].field];
    const char *s = cell->s;
    size_t len = cell->len;
    char ex[UTF8_EXCERPT_SIZE];
    struct kith_error e;

    v->kind = SV_NULL;
    if (cell->is_null)
        return;
    if (f->type == FT_TEXT || f->type == FT_ENUM || f->type == FT_JSON) {
        /* Export protects every text cell against formula injection (csv.h); undo it. */
        size_t skip = csv_formula_unprefix(s, len);
        s += skip;
        len -= skip;
    }
    if (f->type == FT_TEXT) {
        if (text_ok(imp, c, s, len, field_max_len(f))) {
            v->kind = SV_TEXT;
            v->s = s;
            v->len = len;
        }
        return;
    }
    if (f->type != FT_JSON)
        trim(&s, &len);
    if (len == 0)
        return; /* "" is NULL for anything but text */
    bool ok = false;
    enum store_value_kind kind = SV_INT;
    const char *what = NULL, *expected = NULL; /* for "bad <what> '...': expected <expected>" */
    char list[256];
    e.msg[0] = '\0';
    switch (f->type) {
    case FT_ID:
    case FT_REF:
        ok = parse_int(s, len, &v->i) && v->i > 0;
        what = "id";
        expected = "a positive whole number";
        break;
    case FT_INT:
        ok = parse_int(s, len, &v->i);
        what = "number";
        expected = "a whole number like 42 or -7";
        break;
    case FT_REAL:
        ok = parse_real(s, len, &v->r);
        kind = SV_REAL;
        what = "number";
        expected = "a decimal number like 0.25 or 1e-3";
        break;
    case FT_BOOL:
        ok = parse_bool(s, len, &v->i);
        what = "boolean";
        expected = "true/false, 1/0 or yes/no";
        break;
    case FT_TIME:
        ok = timefmt_parse(s, len, &v->i, &e) == 0;
        break;
    case FT_MONEY:
        ok = money_parse(s, len, MONEY_DECIMALS, &v->i, &e) == 0;
        break;
    case FT_ENUM:
        ok = enum_ok(f, s, len);
        kind = SV_TEXT;
        what = "value";
        expected = list; /* written below, only when needed */
        break;
    case FT_JSON:
        /* Kept as written once checked, so that it exports as it came. */
        if (!text_ok(imp, c, s, len, field_max_len(f)))
            return;
        ok = json_object_ok(s, len, &e);
        kind = SV_TEXT;
        break;
    case FT_TEXT:
        return;
    }
    if (!ok) {
        if (f->type == FT_ENUM)
            enum_list(f, list, sizeof(list));
        if (what)
            cell_error(imp, c, "bad %s '%s': expected %s", what, utf8_excerpt(ex, s, len),
                       expected);
        else
            cell_error(imp, c, "%s", e.msg);
        return;
    }
    v->kind = kind;
    v->s = s;
    v->len = len;
    if (f->type == FT_REF)
        check_ref_id(imp, c, v->i);
}

/* Resolves the natural-key cell of column c to an id through the cache, then the store. */
static bool resolve_key(struct importer *imp, size_t c, const struct csv_cell *cell, int64_t *id)
{
    struct column *col = &imp->cols[c];
    size_t skip = csv_formula_unprefix(cell->s, cell->len);
    const char *s = cell->s + skip;
    size_t len = cell->len - skip;
    char ex[UTF8_EXCERPT_SIZE];
    if (!text_ok(imp, c, s, len, col->key_max))
        return false;
    if (keymap_get(col->keys, s, len, id))
        return true;
    struct kith_error e;
    int rc =
        strlen(s) == len ? store_find_id(imp->s, col->ref, col->key, s, id, &e) : KITH_ENOTFOUND;
    if (rc == KITH_ENOTFOUND) {
        cell_error(imp, c, "no %s with %s '%s'", col->ref->singular, col->key,
                   utf8_excerpt(ex, s, len));
        return false;
    }
    if (rc < 0 || keymap_put(col->keys, s, len, *id, &e) < 0) {
        cell_error(imp, c, "%s", e.msg);
        return false;
    }
    /* Found by key, so the row exists: remember its id too. */
    if (idset_add(&col->cache->ids, *id, &e) < 0) {
        cell_error(imp, c, "%s", e.msg);
        return false;
    }
    return true;
}

/* ----- rows -------------------------------------------------------------------------------- */

/* Converts one record into imp->vals; false when it has errors (already reported). */
static bool build_row(struct importer *imp, const struct csv_record *rec)
{
    const struct table_def *t = imp->t;
    imp->line = rec->line;
    imp->row_bad = false;
    for (size_t i = 0; i < t->nfields; i++) {
        imp->vals[i].kind = SV_NULL;
        imp->field_bad[i] = false;
    }
    if (rec->nfields != imp->ncols) {
        size_t col = (rec->nfields < imp->ncols ? rec->nfields : imp->ncols) + 1;
        add_error(imp, rec->line, col, NULL, "expected %zu fields as in the header, found %zu",
                  imp->ncols, rec->nfields);
        return false;
    }
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct column *col = &imp->cols[c];
        const struct csv_cell *cell = &rec->cells[c];
        if (col->kind == COL_IGNORED)
            continue;
        struct store_value got = {.kind = SV_NULL};
        if (col->kind == COL_FIELD)
            convert_field(imp, c, cell, &got);
        else if (!cell->is_null && cell->len && resolve_key(imp, c, cell, &got.i))
            got.kind = SV_INT;
        if (got.kind == SV_NULL)
            continue;
        /* Only a reference can be filled by two columns (X_id and X_key): they must agree. */
        struct store_value *v = &imp->vals[col->field];
        if (v->kind == SV_INT && v->i != got.i) {
            cell_error(imp, c, "names %s %" PRId64 " but another column names %s %" PRId64,
                       col->ref->singular, got.i, col->ref->singular, v->i);
            continue;
        }
        *v = got;
    }
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        struct store_value *v = &imp->vals[i];
        /* A required text must have something in it: "" is as missing as NULL. */
        bool empty = v->kind == SV_NULL || (f->required && v->kind == SV_TEXT && v->len == 0);
        if (!empty || imp->field_bad[i])
            continue;
        if (f->required && imp->first_col[i] != SIZE_MAX) {
            cell_error(imp, imp->first_col[i], "missing required value (%s)",
                       field_type_name(f->type));
        } else if (f->type == FT_BOOL) {
            v->kind = SV_INT; /* booleans default to false */
            v->i = 0;
        } else if ((int)i == imp->source_default) {
            v->kind = SV_TEXT;
            v->s = "import";
            v->len = 6;
        }
    }
    return !imp->row_bad;
}

/* The text value of field index fi in the row, if it has one. */
static bool row_text(const struct importer *imp, size_t fi, char *out, size_t cap)
{
    const struct store_value *v = &imp->vals[fi];
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

/* Explains a unique-key conflict: which column, and whether the other row is old or new. */
static void duplicate_error(struct importer *imp, const struct kith_error *store_err)
{
    const struct table_def *t = imp->t;
    size_t fi;
    table_field(t, "id", &fi);
    const struct store_value *id = &imp->vals[fi];
    if (id->kind == SV_INT && store_row_exists(imp->s, t, id->i)) {
        add_error(imp, imp->line, imp->first_col[fi] + 1, "id",
                  "duplicate id %" PRId64 ": %s already has a row with it (%s)", id->i, t->name,
                  added_by_this_import(imp, id->i) ? "added earlier from this file"
                                                   : "in the database");
        return;
    }
    for (size_t k = 0; t->natural_keys[k]; k++) {
        const char *key = t->natural_keys[k];
        char text[FIELD_TEXT_DEFAULT_MAX + 1];
        int64_t other;
        if (!table_field(t, key, &fi) || !row_text(imp, fi, text, sizeof(text)) ||
            store_find_id(imp->s, t, key, text, &other, NULL) < 0)
            continue;
        char ex[UTF8_EXCERPT_SIZE];
        add_error(imp, imp->line, imp->first_col[fi] + 1, key,
                  "duplicate '%s': %s %" PRId64 " already has it (%s)",
                  utf8_excerpt(ex, text, strlen(text)), t->singular, other,
                  added_by_this_import(imp, other) ? "added earlier from this file"
                                                   : "in the database");
        return;
    }
    add_error(imp, imp->line, 0, NULL, "%s", store_err->msg);
}

/* Inserts the built row; false after reporting a row error. A failing store is fatal (rc). */
static int insert_row(struct importer *imp, struct kith_error *err)
{
    struct kith_error e;
    int64_t id;
    int rc = store_insert(imp->s, imp->t, imp->vals, &id, &e);
    if (rc == KITH_ECONFLICT) {
        duplicate_error(imp, &e);
        return 0;
    }
    if (rc == KITH_EINVAL) {
        add_error(imp, imp->line, 0, NULL, "%s", e.msg);
        return 0;
    }
    if (rc < 0) {
        *err = e;
        return kith_err_prefix(err, "%s:%" PRIu64, imp->opt->name, imp->line);
    }
    if (id <= imp->max_id_before)
        return idset_add(&imp->low_ids, id, err);
    return 0;
}

static void check_pending(struct importer *imp)
{
    for (size_t i = 0; i < imp->npending; i++) {
        struct pending_ref *p = &imp->pending[i];
        if (!store_row_exists(imp->s, imp->t, p->id)) {
            imp->line = p->line;
            cell_error(imp, p->col, "no %s with id %" PRId64 " in the database or this file",
                       imp->t->singular, p->id);
        }
    }
}

/* ----- the import --------------------------------------------------------------------------- */

static int importer_init(struct importer *imp, struct store *s, const struct table_def *t,
                         const struct import_options *opt, struct import_report *rep)
{
    memset(imp, 0, sizeof(*imp));
    imp->s = s;
    imp->t = t;
    imp->opt = opt;
    imp->rep = rep;
    idset_init(&imp->low_ids);
    imp->first_col = malloc(t->nfields * sizeof(*imp->first_col));
    imp->vals = calloc(t->nfields, sizeof(*imp->vals));
    imp->field_bad = calloc(t->nfields, sizeof(*imp->field_bad));
    imp->caches = calloc(model_ntables, sizeof(*imp->caches));
    if (!imp->first_col || !imp->vals || !imp->field_bad || !imp->caches)
        return KITH_ENOMEM;
    for (size_t i = 0; i < t->nfields; i++)
        imp->first_col[i] = SIZE_MAX;
    return 0;
}

static void importer_release(struct importer *imp)
{
    if (imp->caches) {
        for (size_t i = 0; i < model_ntables; i++) {
            idset_release(&imp->caches[i].ids);
            for (size_t k = 0; k < TABLE_MAX_NATURAL_KEYS; k++)
                keymap_release(&imp->caches[i].keys[k]);
        }
    }
    idset_release(&imp->low_ids);
    free(imp->caches);
    free(imp->cols);
    free(imp->first_col);
    free(imp->vals);
    free(imp->field_bad);
    free(imp->pending);
}

static int maybe_defer_indexes(struct importer *imp, struct csv_reader *r, struct kith_error *err)
{
    imp->next_bulk_check *= 2;
    if (imp->indexes_deferred)
        return 0;
    uint64_t rows = imp->rep->rows, read = csv_reader_bytes(r);
    uint64_t expected = rows;
    if (imp->input_size > read && read > 0)
        expected = (uint64_t)((double)rows * (double)imp->input_size / (double)read);
    if ((uint64_t)imp->max_id_before > 2 * expected)
        return 0;
    imp->indexes_deferred = true;
    return store_bulk_defer_indexes(imp->bulk, err);
}

/* Reads and imports every record; returns a fatal error code, row errors go to the report. */
static int import_records(struct importer *imp, struct csv_reader *r, struct kith_error *err)
{
    struct csv_record rec;
    int rc = csv_reader_next(r, &rec, err);
    if (rc < 0)
        return rc;
    if (rec.nfields == 0)
        return kith_err(err, KITH_EINVAL, "%s: empty file: expected a header row of column names",
                        imp->opt->name);
    if ((rc = plan_columns(imp, &rec)) < 0)
        return rc == KITH_EINVAL ? 0 : kith_err(err, rc, "out of memory");
    for (;;) {
        struct kith_error e;
        if ((rc = csv_reader_next(r, &rec, &e)) < 0) {
            /* Malformed CSV ends the reading; it counts as one more error of the file. */
            if (rc != KITH_EINVAL) {
                *err = e;
                return rc;
            }
            imp->rep->nerrors++;
            if (imp->rep->nshown < IMPORT_MAX_SHOWN)
                memcpy(imp->rep->shown[imp->rep->nshown++], e.msg, sizeof(e.msg));
            return 0;
        }
        if (rec.nfields == 0)
            break;
        imp->rep->rows++;
        if (build_row(imp, &rec) && (rc = insert_row(imp, err)) < 0)
            return rc;
        if (imp->opt->progress)
            progress_update(imp->opt->progress, imp->rep->rows, csv_reader_bytes(r));
        if (imp->rep->rows == imp->next_bulk_check && (rc = maybe_defer_indexes(imp, r, err)) < 0)
            return rc;
    }
    check_pending(imp);
    return 0;
}

int import_csv(struct store *s, const struct table_def *t, FILE *in,
               const struct import_options *opt, struct import_report *rep, struct kith_error *err)
{
    memset(rep, 0, sizeof(*rep));
    if (!t->importable)
        return kith_err(err, KITH_EINVAL, "%s cannot be imported", t->name);
    struct importer imp;
    struct csv_reader *r = NULL;
    int rc = importer_init(&imp, s, t, opt, rep);
    if (rc < 0) {
        kith_err(err, rc, "out of memory");
        goto out_release;
    }
    if ((rc = csv_reader_new(in, opt->name, &r, err)) < 0)
        goto out_release;
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
        imp.input_size = (uint64_t)st.st_size;
    imp.next_bulk_check = BULK_CHECK_ROWS;
    if ((rc = store_bulk_begin(s, t, &imp.bulk, err)) < 0)
        goto out_release;
    if ((rc = store_begin(s, err)) < 0)
        goto out_bulk_end;
    if ((rc = store_max_id(s, t, &imp.max_id_before, err)) < 0)
        goto out_rollback;
    if ((rc = import_records(&imp, r, err)) < 0)
        goto out_rollback;
    if (opt->progress)
        progress_finish(opt->progress, rep->rows, csv_reader_bytes(r));
    if (rep->nerrors) {
        rc = kith_err(err, KITH_EINVAL, "%s: %" PRIu64 " error%s; nothing was imported", opt->name,
                      rep->nerrors, rep->nerrors == 1 ? "" : "s");
        goto out_rollback;
    }
    if (opt->dry_run)
        goto out_rollback;
    if ((rc = store_bulk_finish(imp.bulk, err)) < 0 || (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    goto out_bulk_end;

out_rollback:
    store_rollback(s);
out_bulk_end:
    store_bulk_end(imp.bulk);
out_release:
    csv_reader_free(r);
    importer_release(&imp);
    return rc;
}
