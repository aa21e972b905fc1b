/*
 * import.c - CSV into one table, in one transaction (see import.h for the contract,
 * docs/import-export.md for the user's view and docs/internals/import.md for the pipeline).
 *
 * Two threads share an import. The reader thread parses records and converts their cells into
 * batches of rows, each value read and checked by model/validate.h as every door does; the
 * calling thread resolves the references through caches (refcache.h) and the store, and
 * inserts the rows several to a statement. Every error carries its place in the file, so the
 * errors kept are those a one-row-at-a-time import finds first. Nothing is allocated per row.
 */
#include "io/import.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "io/csv.h"
#include "io/refcache.h"
#include "model/validate.h"
#include "util/par.h"
#include "util/utf8.h"

#include "util/banned.h"

/*
 * When a load is large next to its table, the table's secondary indexes are dropped and built
 * again at the end (store_bulk_defer_indexes). A load into an empty table always is; otherwise
 * it is decided after BULK_CHECK_ROWS rows and again at each doubling: the load counts as large
 * once the rows it will add (extrapolated from the bytes read, when the file size is known)
 * reach half the rows already there.
 */
#define BULK_CHECK_ROWS 65536

/*
 * The reader thread hands rows over in batches of at most BATCH_ROWS rows, or fewer once their
 * copied text passes BATCH_TEXT bytes; RING_BATCHES of them are in flight. So the memory of an
 * import is bounded by RING_BATCHES * (BATCH_TEXT + CSV_RECORD_MAX) plus the caches.
 */
#define BATCH_ROWS   256
#define BATCH_TEXT   (256 * 1024)
#define RING_BATCHES 4
#define TEXT_BLOCK   (64 * 1024)

enum col_kind { COL_IGNORED, COL_FIELD, COL_REF_KEY };

/* What is known about the rows of one referenced table. */
struct ref_cache {
    struct idset ids;
    struct keymap keys[TABLE_MAX_NATURAL_KEYS];
};

struct column {
    enum col_kind kind;
    size_t field;                      /* index of the field it fills in t->fields */
    const struct table_def *ref;       /* a reference: the referenced table */
    struct ref_cache *cache;           /* a reference: what is known of ref's rows */
    size_t slot;                       /* a reference: index of its cell in a row's ref_cells */
    const char *key;                   /* COL_REF_KEY: the natural key column of ref */
    const struct field_def *key_field; /* COL_REF_KEY: that key's field in ref */
    struct keymap *keys;               /* COL_REF_KEY: cache of key -> id */
    char name[UTF8_EXCERPT_SIZE];      /* header name (after --map), printable */
};

/* An integer reference of the table to itself not yet satisfied: checked at the end. */
struct pending_ref {
    int64_t id;
    uint64_t line;
    size_t col;
};

/*
 * The place of an error in the order in which an import that reads, checks and inserts one row
 * at a time would find it: by data record (from 1; 0 is the header, UINT64_MAX the checks after
 * the last row), then phase within the record (0 its cells in column order, 1 its required
 * fields in field order, 2 its insert), then order (the column or field index), then arrival.
 */
struct err_key {
    uint64_t record;
    unsigned phase;
    size_t order;
    uint64_t seq;
};

enum { PHASE_CELLS, PHASE_REQUIRED, PHASE_INSERT };

/* ----- batches: what the reader thread hands over ------------------------------------------ */

enum ref_kind { REF_NONE, REF_ID, REF_KEY };

/* A reference cell of a row, converted but not yet resolved (the calling thread does that). */
struct ref_cell {
    enum ref_kind kind; /* REF_NONE: empty, or its error is already reported */
    int64_t id;         /* REF_ID */
    const char *key;    /* REF_KEY: NUL-terminated, in the batch's text */
    size_t len;
};

struct row_info {
    uint64_t line; /* physical line where the record starts */
    bool bad;      /* a cell has an error: resolve its references, but do not insert it */
    bool skip;     /* wrong number of fields: nothing else to do */
};

struct batch_error {
    struct err_key key; /* seq unset: given on arrival */
    char msg[KITH_ERROR_MSG_MAX];
};

/* Copies of cell text, in blocks that never move (values point into them). */
struct text_block {
    struct text_block *next;
    size_t used, cap;
    char data[];
};

struct batch {
    size_t nrows;
    uint64_t first_record;    /* record number of row 0 */
    struct store_value *vals; /* BATCH_ROWS rows of t->nfields values; references left NULL */
    struct ref_cell *refs;    /* BATCH_ROWS rows of nrefs cells */
    struct row_info *rows;    /* BATCH_ROWS */
    struct text_block *text;  /* the block being filled first */
    size_t text_bytes;
    /* The reader's errors with text (at most IMPORT_MAX_SHOWN in all batches together). */
    struct batch_error errs[IMPORT_MAX_SHOWN];
    size_t nerrs;
    uint64_t nuntold; /* the reader's errors counted without text */
    uint64_t bytes;   /* input consumed after the last row */
    bool end;         /* the input ends after these rows */
    bool malformed;   /* ... because the CSV is malformed (its error is in errs/nuntold) */
    int rc;           /* < 0: reading failed after these rows; err says why */
    struct kith_error err;
};

/* A fixed ring of batches between the reader thread (fills) and the calling thread (empties). */
struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct batch batches[RING_BATCHES];
    uint64_t filled, emptied; /* batches handed over and given back, ever */
    bool stop;                /* the calling thread has stopped reading batches */
    enum { READER_WAITING, READER_RUNNING, READER_TAKEN } reader; /* who fills the batches */
};

struct importer;

/* The reader thread's state. It only reads the importer's plan, which is fixed by then. */
struct reader {
    const struct importer *imp;
    struct csv_reader *r;
    struct ring *ring;
    uint64_t record;  /* data records read */
    uint64_t told;    /* errors given text */
    bool *field_bad;  /* per field: the current row has an error for it */
    bool *ref_filled; /* per field: a reference cell of the current row names a row */
    bool *given;      /* per field: the current row has a value for it (table_check_required) */
    struct batch *b;  /* current row: */
    struct store_value *vals;
    struct ref_cell *refs;
    struct row_info *row;
    size_t col; /* the cell being converted */
    bool nomem;
};

/* The calling thread's state. */
struct importer {
    struct store *s;
    const struct table_def *t;
    const struct import_options *opt;
    struct import_report *rep;
    struct column *cols;
    size_t ncols;
    size_t nrefs;             /* reference columns: cells per row in a batch */
    size_t *first_col;        /* per field: the first column that fills it, or SIZE_MAX */
    int source_default;       /* field index of "source" to set to "import", or -1 */
    int id_field;             /* field index of "id" */
    struct ref_cache *caches; /* per model_tables[] entry */
    struct err_key shown_keys[IMPORT_MAX_SHOWN];
    uint64_t seq;
    struct store_bulk *bulk;
    bool indexes_deferred;
    uint64_t input_size;      /* bytes of the file, 0 when unknown (a pipe) */
    uint64_t next_bulk_check; /* rows read at the next decision about indexes */
    int64_t max_id_before;    /* rows above it were added by this import */
    bool exact_ids;           /* insert one row at a time to learn each id (see flush_rows) */
    struct idset low_ids;     /* ids at or below max_id_before added by this import */
    struct pending_ref *pending;
    size_t npending, pending_cap;
    /* Rows checked and waiting to be inserted, all from the current batch. */
    const struct store_value *queue[BATCH_ROWS];
    uint64_t queue_line[BATCH_ROWS], queue_record[BATCH_ROWS];
    size_t nqueued;
    /* The row being resolved. */
    struct store_value *vals;
    uint64_t line, record;
    bool row_bad;
    bool malformed; /* reading stopped at malformed CSV: no checks after the last row */
};

/* ----- messages ------------------------------------------------------------------------- */

/* "name:line:col: colname: " (or "name:line: " when col is 0) and the message, into out. */
static void format_error(char *out, const char *name, uint64_t line, size_t col,
                         const char *colname, const char *fmt, va_list ap)
{
    char where[80 + UTF8_EXCERPT_SIZE];
    if (col)
        snprintf(where, sizeof(where), "%.40s:%" PRIu64 ":%zu: %s%s", name, line, col,
                 colname ? colname : "", colname ? ": " : "");
    else
        snprintf(where, sizeof(where), "%.40s:%" PRIu64 ": ", name, line);
    size_t n = strlen(where);
    memcpy(out, where, n + 1);
    vsnprintf(out + n, KITH_ERROR_MSG_MAX - n, fmt, ap);
}

static bool key_before(const struct err_key *a, const struct err_key *b)
{
    if (a->record != b->record)
        return a->record < b->record;
    if (a->phase != b->phase)
        return a->phase < b->phase;
    if (a->order != b->order)
        return a->order < b->order;
    return a->seq < b->seq;
}

/*
 * Counts an error and returns where its text goes among the IMPORT_MAX_SHOWN first (by key),
 * moving later ones down; NULL when it is not among them.
 */
static char *keep_error(struct importer *imp, struct err_key key)
{
    struct import_report *rep = imp->rep;
    rep->nerrors++;
    key.seq = imp->seq++;
    size_t at = rep->nshown;
    while (at > 0 && key_before(&key, &imp->shown_keys[at - 1]))
        at--;
    if (at == IMPORT_MAX_SHOWN)
        return NULL;
    size_t keep = rep->nshown < IMPORT_MAX_SHOWN ? rep->nshown : IMPORT_MAX_SHOWN - 1;
    memmove(&imp->shown_keys[at + 1], &imp->shown_keys[at], (keep - at) * sizeof(key));
    memmove(rep->shown[at + 1], rep->shown[at], (keep - at) * sizeof(rep->shown[0]));
    imp->shown_keys[at] = key;
    rep->nshown = keep + 1;
    return rep->shown[at];
}

static void add_error(struct importer *imp, struct err_key key, uint64_t line, size_t col,
                      const char *colname, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Counts an error found on the calling thread, keeping its text if it is among the first. */
static void add_error(struct importer *imp, struct err_key key, uint64_t line, size_t col,
                      const char *colname, const char *fmt, ...)
{
    char *out = keep_error(imp, key);
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    format_error(out, imp->opt->name, line, col, colname, fmt, ap);
    va_end(ap);
}

static struct err_key key_of(uint64_t record, unsigned phase, size_t order)
{
    return (struct err_key){.record = record, .phase = phase, .order = order};
}

#define header_error(imp, line, col, colname, ...)                                                 \
    add_error(imp, key_of(0, PHASE_CELLS, 0), line, col, colname, __VA_ARGS__)

static void cell_error(struct importer *imp, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error in column c of the row being resolved, which will not be inserted. */
static void cell_error(struct importer *imp, size_t c, const char *fmt, ...)
{
    imp->row_bad = true;
    char *out = keep_error(imp, key_of(imp->record, PHASE_CELLS, c));
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    format_error(out, imp->opt->name, imp->line, c + 1, imp->cols[c].name, fmt, ap);
    va_end(ap);
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

/* ----- the reader thread: records into batches of converted rows --------------------------- */

static void batch_release(struct batch *b)
{
    for (struct text_block *k = b->text, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    free(b->vals);
    free(b->refs);
    free(b->rows);
    memset(b, 0, sizeof(*b));
}

static int batch_init(struct batch *b, size_t nfields, size_t nrefs)
{
    memset(b, 0, sizeof(*b));
    b->vals = calloc(BATCH_ROWS * nfields, sizeof(*b->vals));
    b->refs = calloc(BATCH_ROWS * (nrefs ? nrefs : 1), sizeof(*b->refs));
    b->rows = calloc(BATCH_ROWS, sizeof(*b->rows));
    return b->vals && b->refs && b->rows ? 0 : KITH_ENOMEM;
}

/* Empties b for the next rows; keeps one ordinary block of text, frees larger ones. */
static void batch_reset(struct batch *b, uint64_t first_record)
{
    struct text_block *keep = NULL;
    for (struct text_block *k = b->text, *next; k; k = next) {
        next = k->next;
        if (!keep && k->cap == TEXT_BLOCK) {
            keep = k;
            keep->next = NULL;
            keep->used = 0;
        } else {
            free(k);
        }
    }
    b->text = keep;
    b->text_bytes = 0;
    b->nrows = 0;
    b->first_record = first_record;
    b->nerrs = 0;
    b->nuntold = 0;
    b->bytes = 0;
    b->end = b->malformed = false;
    b->rc = 0;
}

/* A NUL-terminated copy of len bytes at s that lives as long as the batch's rows; NULL: ENOMEM */
static const char *batch_text(struct batch *b, const char *s, size_t len)
{
    struct text_block *k = b->text;
    if (!k || k->cap - k->used < len + 1) {
        size_t cap = len + 1 > TEXT_BLOCK ? len + 1 : TEXT_BLOCK;
        k = malloc(sizeof(*k) + cap);
        if (!k)
            return NULL;
        k->used = 0;
        k->cap = cap;
        k->next = b->text;
        b->text = k;
    }
    char *p = k->data + k->used;
    memcpy(p, s, len);
    p[len] = '\0';
    k->used += len + 1;
    b->text_bytes += len + 1;
    return p;
}

static void reader_error(struct reader *rd, unsigned phase, size_t order, size_t col,
                         const char *colname, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/*
 * Records an error of the current row for the calling thread. Only the reader's first
 * IMPORT_MAX_SHOWN get text: any later one comes after them in the file, so it cannot be shown.
 */
static void reader_error(struct reader *rd, unsigned phase, size_t order, size_t col,
                         const char *colname, const char *fmt, ...)
{
    struct batch *b = rd->b;
    rd->row->bad = true;
    if (rd->told == IMPORT_MAX_SHOWN) {
        b->nuntold++;
        return;
    }
    rd->told++;
    struct batch_error *e = &b->errs[b->nerrs++];
    e->key = key_of(rd->record, phase, order);
    va_list ap;
    va_start(ap, fmt);
    format_error(e->msg, rd->imp->opt->name, rd->row->line, col, colname, fmt, ap);
    va_end(ap);
}

static void bad_cell(struct reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An error in the cell being converted; marks the field it fills as done for. */
static void bad_cell(struct reader *rd, const char *fmt, ...)
{
    const struct column *col = &rd->imp->cols[rd->col];
    char msg[KITH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (col->kind != COL_IGNORED)
        rd->field_bad[col->field] = true;
    reader_error(rd, PHASE_CELLS, rd->col, rd->col + 1, col->name, "%s", msg);
}

/* Keeps len bytes at s as text value v, copied into the batch. */
static void set_text(struct reader *rd, struct store_value *v, const char *s, size_t len)
{
    const char *copy = batch_text(rd->b, s, len);
    if (!copy) {
        rd->nomem = true;
        return;
    }
    v->kind = SV_TEXT;
    v->s = copy;
    v->len = len;
}

/*
 * Converts the cell of field column c into the row, as model/validate.h reads and checks text:
 * a value, or for a reference a cell the calling thread resolves. Text is copied into the batch.
 */
static void convert_field(struct reader *rd, size_t c, const struct csv_cell *cell)
{
    const struct column *col = &rd->imp->cols[c];
    const struct field_def *f = &rd->imp->t->fields[col->field];
    struct store_value *v = &rd->vals[col->field];
    const char *s = cell->s;
    size_t len = cell->len;
    struct field_value got;
    struct kith_error e;

    rd->col = c;
    if (cell->is_null)
        return;
    if (f->type == FT_TEXT || f->type == FT_ENUM || f->type == FT_JSON) {
        /* Export protects every text cell against formula injection (csv.h); undo it. */
        size_t skip = csv_formula_unprefix(s, len);
        s += skip;
        len -= skip;
    }
    if (field_parse(f, s, len, &got, &e) < 0) {
        bad_cell(rd, "%s", e.msg);
        return;
    }
    switch (got.kind) {
    case FV_NULL:
        return; /* "" is NULL for anything but text */
    case FV_INT:
        if (f->type == FT_REF) {
            /* Whether that row exists is the calling thread's to check. */
            rd->refs[col->slot] = (struct ref_cell){.kind = REF_ID, .id = got.i};
            rd->ref_filled[col->field] = true;
        } else {
            *v = (struct store_value){.kind = SV_INT, .i = got.i};
        }
        return;
    case FV_REAL:
        *v = (struct store_value){.kind = SV_REAL, .r = got.r};
        return;
    case FV_TEXT:
        if (f->type == FT_ENUM) /* the static spelling of the value: nothing to copy */
            *v = (struct store_value){.kind = SV_TEXT, .s = got.s, .len = got.len};
        else
            set_text(rd, v, got.s, got.len);
        return;
    }
}

/* Checks the natural-key cell of column c and keeps it for the calling thread to resolve. */
static void convert_key(struct reader *rd, size_t c, const struct csv_cell *cell)
{
    const struct column *col = &rd->imp->cols[c];
    size_t skip = csv_formula_unprefix(cell->s, cell->len);
    const char *s = cell->s + skip;
    size_t len = cell->len - skip;
    rd->col = c;
    struct field_value key;
    struct kith_error e;
    if (field_parse(col->key_field, s, len, &key, &e) < 0) {
        bad_cell(rd, "%s", e.msg);
        return;
    }
    const char *copy = batch_text(rd->b, s, len);
    if (!copy) {
        rd->nomem = true;
        return;
    }
    rd->refs[col->slot] = (struct ref_cell){.kind = REF_KEY, .key = copy, .len = len};
    rd->ref_filled[col->field] = true;
}

/* Converts one record into the next row of the batch; its errors go with the batch. */
static void convert_row(struct reader *rd, const struct csv_record *rec)
{
    const struct importer *imp = rd->imp;
    const struct table_def *t = imp->t;
    struct batch *b = rd->b;
    size_t i = b->nrows++;
    rd->record++;
    rd->vals = &b->vals[i * t->nfields];
    rd->refs = &b->refs[i * imp->nrefs];
    rd->row = &b->rows[i];
    *rd->row = (struct row_info){.line = rec->line};
    for (size_t k = 0; k < t->nfields; k++) {
        rd->vals[k].kind = SV_NULL;
        rd->field_bad[k] = false;
        rd->ref_filled[k] = false;
    }
    for (size_t k = 0; k < imp->nrefs; k++)
        rd->refs[k].kind = REF_NONE;
    if (rec->nfields != imp->ncols) {
        size_t col = (rec->nfields < imp->ncols ? rec->nfields : imp->ncols) + 1;
        reader_error(rd, PHASE_CELLS, 0, col, NULL,
                     "expected %zu fields as in the header, found %zu", imp->ncols, rec->nfields);
        rd->row->skip = true;
        return;
    }
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct csv_cell *cell = &rec->cells[c];
        if (imp->cols[c].kind == COL_FIELD)
            convert_field(rd, c, cell);
        else if (imp->cols[c].kind == COL_REF_KEY && !cell->is_null && cell->len)
            convert_key(rd, c, cell);
    }
    /*
     * A reference cell that names a row counts as given: the calling thread either resolves it
     * or reports it, so it never leaves a required field missing. A field whose cell has an
     * error counts as given too: that error is enough.
     */
    for (size_t k = 0; k < t->nfields; k++) {
        const struct field_def *f = &t->fields[k];
        struct store_value *v = &rd->vals[k];
        /* A required text must have something in it: "" is as missing as NULL. */
        bool empty = (v->kind == SV_NULL && !rd->ref_filled[k]) ||
                     (f->required && v->kind == SV_TEXT && v->len == 0);
        rd->given[k] = !empty || rd->field_bad[k];
        if (!empty || f->required)
            continue;
        if (f->type == FT_BOOL)
            *v = (struct store_value){.kind = SV_INT, .i = 0}; /* booleans default to false */
        else if ((int)k == imp->source_default)
            *v = (struct store_value){.kind = SV_TEXT, .s = "import", .len = 6};
    }
    struct kith_error e;
    for (size_t k = 0; table_check_required(t, rd->given, &k, &e) < 0; k++) {
        size_t c = imp->first_col[k]; /* a required field always has a column (plan_columns) */
        reader_error(rd, PHASE_REQUIRED, k, c + 1, imp->cols[c].name, "%s", e.msg);
    }
}

/*
 * Fills b with the next rows. At the end of the input, or when reading fails, b->end is set;
 * malformed CSV counts as one more error of the file, at the record where it was found.
 */
static void fill_batch(struct reader *rd, struct batch *b)
{
    batch_reset(b, rd->record + 1);
    rd->b = b;
    while (b->nrows < BATCH_ROWS && b->text_bytes < BATCH_TEXT) {
        struct csv_record rec;
        struct kith_error e;
        int rc = csv_reader_next(rd->r, &rec, &e);
        if (rc == KITH_EINVAL) {
            b->end = b->malformed = true;
            if (rd->told < IMPORT_MAX_SHOWN) {
                rd->told++;
                b->errs[b->nerrs].key = key_of(rd->record + 1, PHASE_CELLS, 0);
                memcpy(b->errs[b->nerrs++].msg, e.msg, sizeof(e.msg));
            } else {
                b->nuntold++;
            }
            break;
        }
        if (rc < 0) {
            b->end = true;
            b->rc = rc;
            b->err = e;
            break;
        }
        if (rec.nfields == 0) {
            b->end = true;
            break;
        }
        convert_row(rd, &rec);
        if (rd->nomem) {
            b->end = true;
            b->rc = kith_err(&b->err, KITH_ENOMEM, "out of memory reading %s", rd->imp->opt->name);
            break;
        }
    }
    b->bytes = csv_reader_bytes(rd->r);
}

/* The reader thread: fills batches until the input ends or the calling thread stops. */
static void *reader_main(void *arg)
{
    struct reader *rd = arg;
    struct ring *ring = rd->ring;
    pthread_mutex_lock(&ring->mu);
    bool taken = ring->reader == READER_TAKEN; /* the calling thread read it all already */
    ring->reader = taken ? READER_TAKEN : READER_RUNNING;
    pthread_mutex_unlock(&ring->mu);
    if (taken)
        return NULL;
    for (;;) {
        pthread_mutex_lock(&ring->mu);
        while (ring->filled - ring->emptied == RING_BATCHES && !ring->stop)
            pthread_cond_wait(&ring->cond, &ring->mu);
        bool stop = ring->stop;
        pthread_mutex_unlock(&ring->mu);
        if (stop)
            return NULL;
        struct batch *b = &ring->batches[ring->filled % RING_BATCHES];
        fill_batch(rd, b);
        pthread_mutex_lock(&ring->mu);
        ring->filled++;
        pthread_cond_broadcast(&ring->cond);
        pthread_mutex_unlock(&ring->mu);
        if (b->end)
            return NULL;
    }
}

/* ----- the calling thread: references and inserts ----------------------------------------- */

static int flush_rows(struct importer *imp, struct kith_error *err);

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
    if (store_row_exists(imp->s, ref, id)) {
        struct kith_error e;
        if (idset_add(&rc->ids, id, &e) < 0)
            cell_error(imp, c, "%s", e.msg);
        return;
    }
    cell_error(imp, c, "no %s with id %" PRId64, ref->singular, id);
}

/*
 * Resolves the natural key of column c to an id through the cache, then the store. Returns 1
 * when found, 0 after reporting, or a fatal code (inserting the queued rows failed).
 */
static int resolve_key(struct importer *imp, size_t c, const struct ref_cell *cell, int64_t *id,
                       struct kith_error *err)
{
    struct column *col = &imp->cols[c];
    char ex[UTF8_EXCERPT_SIZE];
    if (keymap_get(col->keys, cell->key, cell->len, id))
        return 1;
    /* A row of this table earlier in the file counts: insert the queued ones first. */
    int rc;
    if (col->ref == imp->t && (rc = flush_rows(imp, err)) < 0)
        return rc;
    struct kith_error e;
    rc = strlen(cell->key) == cell->len
             ? store_find_id(imp->s, col->ref, col->key, cell->key, id, &e)
             : KITH_ENOTFOUND;
    if (rc == KITH_ENOTFOUND) {
        cell_error(imp, c, "no %s with %s '%s'", col->ref->singular, col->key,
                   utf8_excerpt(ex, cell->key, cell->len));
        return 0;
    }
    if (rc < 0 || keymap_put(col->keys, cell->key, cell->len, *id, &e) < 0) {
        cell_error(imp, c, "%s", e.msg);
        return 0;
    }
    /* Found by key, so the row exists: remember its id too. */
    if (idset_add(&col->cache->ids, *id, &e) < 0) {
        cell_error(imp, c, "%s", e.msg);
        return 0;
    }
    return 1;
}

/*
 * Resolves the reference cells of row i of b in column order, as a one-row-at-a-time import
 * would, and queues the row for insertion when it has no error. A fatal code if the store fails.
 */
static int resolve_row(struct importer *imp, struct batch *b, size_t i, struct kith_error *err)
{
    const struct row_info *row = &b->rows[i];
    imp->vals = &b->vals[i * imp->t->nfields];
    imp->line = row->line;
    imp->record = b->first_record + i;
    imp->row_bad = row->bad;
    if (row->skip)
        return 0;
    const struct ref_cell *refs = &b->refs[i * imp->nrefs];
    for (size_t c = 0; c < imp->ncols; c++) {
        const struct column *col = &imp->cols[c];
        if (!col->ref)
            continue;
        const struct ref_cell *cell = &refs[col->slot];
        int64_t got;
        if (cell->kind == REF_ID) {
            got = cell->id;
            check_ref_id(imp, c, got);
        } else if (cell->kind == REF_KEY) {
            int rc = resolve_key(imp, c, cell, &got, err);
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
            cell_error(imp, c, "names %s %" PRId64 " but another column names %s %" PRId64,
                       col->ref->singular, got, col->ref->singular, v->i);
            continue;
        }
        *v = (struct store_value){.kind = SV_INT, .i = got};
    }
    if (imp->row_bad)
        return 0;
    const struct store_value *id = &imp->vals[imp->id_field];
    if (id->kind == SV_INT && id->i == INT64_MAX)
        imp->exact_ids = true; /* SQLite picks later ids at random: see flush_rows */
    imp->queue[imp->nqueued] = imp->vals;
    imp->queue_line[imp->nqueued] = imp->line;
    imp->queue_record[imp->nqueued++] = imp->record;
    return 0;
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
        add_error(imp, key, line, imp->first_col[imp->id_field] + 1, "id",
                  "duplicate id %" PRId64 ": %s already has a row with it (%s)", id->i, t->name,
                  added_by_this_import(imp, id->i) ? "added earlier from this file"
                                                   : "in the database");
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
        add_error(imp, key, line, imp->first_col[fi] + 1, name,
                  "duplicate '%s': %s %" PRId64 " already has it (%s)",
                  utf8_excerpt(ex, text, strlen(text)), t->singular, other,
                  added_by_this_import(imp, other) ? "added earlier from this file"
                                                   : "in the database");
        return;
    }
    add_error(imp, key, line, 0, NULL, "%s", store_err->msg);
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
        add_error(imp, key_of(imp->queue_record[q], PHASE_INSERT, 0), imp->queue_line[q], 0, NULL,
                  "%s", e.msg);
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
static int flush_rows(struct importer *imp, struct kith_error *err)
{
    size_t done = 0;
    int rc = 0;
    struct kith_error e;
    if (!imp->nqueued)
        return 0;
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
    return 0;
}

static void check_pending(struct importer *imp)
{
    for (size_t i = 0; i < imp->npending; i++) {
        struct pending_ref *p = &imp->pending[i];
        if (!store_row_exists(imp->s, imp->t, p->id))
            add_error(imp, key_of(UINT64_MAX, PHASE_CELLS, i), p->line, p->col + 1,
                      imp->cols[p->col].name,
                      "no %s with id %" PRId64 " in the database or this file", imp->t->singular,
                      p->id);
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
    size_t fi;
    if (!table_field(t, "id", &fi))
        BUG("table %s has no id", t->name);
    imp->id_field = (int)fi;
    imp->first_col = malloc(t->nfields * sizeof(*imp->first_col));
    imp->caches = calloc(model_ntables, sizeof(*imp->caches));
    if (!imp->first_col || !imp->caches)
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
    free(imp->pending);
}

static int maybe_defer_indexes(struct importer *imp, uint64_t read, struct kith_error *err)
{
    imp->next_bulk_check *= 2;
    if (imp->indexes_deferred)
        return 0;
    uint64_t rows = imp->rep->rows;
    uint64_t expected = rows;
    if (imp->input_size > read && read > 0)
        expected = (uint64_t)((double)rows * (double)imp->input_size / (double)read);
    if ((uint64_t)imp->max_id_before > 2 * expected)
        return 0;
    imp->indexes_deferred = true;
    return store_bulk_defer_indexes(imp->bulk, err);
}

/* Resolves and inserts the rows of b; a fatal code if the store or the reading failed. */
static int consume_batch(struct importer *imp, struct batch *b, struct kith_error *err)
{
    int rc;
    for (size_t i = 0; i < b->nerrs; i++) {
        char *out = keep_error(imp, b->errs[i].key);
        if (out)
            memcpy(out, b->errs[i].msg, sizeof(b->errs[i].msg));
    }
    imp->rep->nerrors += b->nuntold;
    for (size_t i = 0; i < b->nrows; i++) {
        imp->rep->rows++;
        if ((rc = resolve_row(imp, b, i, err)) < 0)
            return rc;
        if (imp->opt->progress)
            progress_update(imp->opt->progress, imp->rep->rows, b->bytes);
        if (imp->rep->rows == imp->next_bulk_check &&
            (rc = maybe_defer_indexes(imp, b->bytes, err)) < 0)
            return rc;
    }
    /* The batch is given back after this: its rows must be in. */
    if ((rc = flush_rows(imp, err)) < 0)
        return rc;
    if (b->rc < 0) {
        *err = b->err;
        return b->rc;
    }
    imp->malformed = b->malformed;
    return 0;
}

/*
 * Waits for a batch (ring->mu held). A reader job that has not started within a second never
 * will until this one returns (par_run had no thread for it): its work is then taken over here.
 */
static void wait_for_batch(struct ring *ring)
{
    if (ring->reader != READER_WAITING) {
        pthread_cond_wait(&ring->cond, &ring->mu);
        return;
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    if (pthread_cond_timedwait(&ring->cond, &ring->mu, &until) == ETIMEDOUT &&
        ring->reader == READER_WAITING)
        ring->reader = READER_TAKEN;
}

/* Consumes the reader's batches until the input ends, filling them here when reading was taken. */
static int write_batches(struct importer *imp, struct reader *rd, struct kith_error *err)
{
    struct ring *ring = rd->ring;
    int rc;
    for (;;) {
        struct batch *b = &ring->batches[ring->emptied % RING_BATCHES];
        pthread_mutex_lock(&ring->mu);
        while (ring->filled == ring->emptied && ring->reader != READER_TAKEN)
            wait_for_batch(ring);
        bool self = ring->reader == READER_TAKEN;
        pthread_mutex_unlock(&ring->mu);
        if (self)
            fill_batch(rd, b);
        rc = consume_batch(imp, b, err);
        bool end = b->end;
        pthread_mutex_lock(&ring->mu);
        ring->emptied++;
        ring->stop = rc < 0;
        pthread_cond_broadcast(&ring->cond);
        pthread_mutex_unlock(&ring->mu);
        if (rc < 0 || end)
            return rc;
    }
}

/* The two jobs of an import under par_run: the writer (imp set) and the reader. */
struct pipeline_job {
    struct importer *imp;
    struct reader *rd;
    struct kith_error *err;
    int rc;
};

static void *pipeline_job(void *arg)
{
    struct pipeline_job *j = arg;
    if (j->imp)
        j->rc = write_batches(j->imp, j->rd, j->err);
    else
        reader_main(j->rd);
    return NULL;
}

/*
 * Runs the reader as a job of its own while this thread consumes its batches until the input
 * ends (par_run: writer on the calling thread, reader on another).
 */
static int run_pipeline(struct importer *imp, struct csv_reader *r, struct kith_error *err)
{
    const struct table_def *t = imp->t;
    struct ring *ring = calloc(1, sizeof(*ring));
    struct reader rd = {.imp = imp, .r = r, .ring = ring};
    rd.field_bad = calloc(t->nfields, sizeof(*rd.field_bad));
    rd.ref_filled = calloc(t->nfields, sizeof(*rd.ref_filled));
    rd.given = calloc(t->nfields, sizeof(*rd.given));
    int rc = ring && rd.field_bad && rd.ref_filled && rd.given ? 0 : KITH_ENOMEM;
    for (size_t i = 0; rc == 0 && i < RING_BATCHES; i++)
        rc = batch_init(&ring->batches[i], t->nfields, imp->nrefs);
    if (rc < 0) {
        kith_err(err, rc, "out of memory");
        goto out_free;
    }
    pthread_mutex_init(&ring->mu, NULL);
    pthread_cond_init(&ring->cond, NULL);
    struct pipeline_job jobs[2] = {{imp, &rd, err, 0}, {NULL, &rd, NULL, 0}};
    par_run(2, pipeline_job, jobs, sizeof(jobs[0]));
    rc = jobs[0].rc;
    pthread_cond_destroy(&ring->cond);
    pthread_mutex_destroy(&ring->mu);
out_free:
    for (size_t i = 0; ring && i < RING_BATCHES; i++)
        batch_release(&ring->batches[i]);
    free(ring);
    free(rd.field_bad);
    free(rd.ref_filled);
    free(rd.given);
    return rc;
}

/* Gives each reference column its cell in a row's ref_cells. */
static void plan_ref_slots(struct importer *imp)
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
    plan_ref_slots(imp);
    /* Into an empty table every load is large: no index is kept up to date row by row. */
    if (imp->max_id_before == 0) {
        imp->indexes_deferred = true;
        if ((rc = store_bulk_defer_indexes(imp->bulk, err)) < 0)
            return rc;
    }
    if ((rc = run_pipeline(imp, r, err)) < 0)
        return rc;
    if (!imp->malformed)
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
    imp.exact_ids = imp.max_id_before == INT64_MAX;
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
