/*
 * import_convert.c - the reader thread's work: CSV records into batches of rows, each cell read
 * and checked by model/validate.h as every door does, its text copied into the batch, a reference
 * kept as an id or a key for the calling thread to resolve, and the row's errors kept with it.
 * Nothing is allocated per row.
 */
#include "io/import_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/validate.h"
#include "util/money.h"

#include "util/banned.h"

/* ----- the reader thread: records into batches of converted rows --------------------------- */

void import_batch_release(struct batch *b)
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

int import_batch_init(struct batch *b, size_t nfields, size_t nrefs)
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
    import_format_error(e->msg, rd->imp->opt->name, rd->row->line, col, colname, fmt, ap);
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
    if (col->kind == COL_FIELD || col->kind == COL_REF_KEY)
        rd->field_bad[col->field] = true;
    size_t where = col->src == SIZE_MAX ? 0 : col->src + 1;
    reader_error(rd, PHASE_CELLS, rd->col, where, col->name, "%s", msg);
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
    const struct field_def *f = import_field(rd->imp, col->field);
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
    char rounded[128];
    size_t rlen;
    if (f->type == FT_MONEY && rd->imp->opt->round_half_even &&
        import_round_half_even(s, len, MONEY_DECIMALS, rounded, sizeof(rounded), &rlen)) {
        rd->rounded++;
        s = rounded; /* copied by nothing: money is parsed to an integer right here */
        len = rlen;
    }
    if (field_parse(f, s, len, &got, &e) < 0) {
        bad_cell(rd, "%s", e.msg); /* the API's words: tests/api/test_validation.py */
        return;
    }
    if (rd->imp->stats)
        import_note_cell(rd->imp, c, s, len, rd->row->line, &got);
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

/* Keeps the text of a field of the row --create-missing may make, for the calling thread. */
static void convert_created(struct reader *rd, size_t c, const struct csv_cell *cell)
{
    const struct column *col = &rd->imp->cols[c];
    const char *copy = batch_text(rd->b, cell->s, cell->len);
    if (!copy) {
        rd->nomem = true;
        return;
    }
    rd->refs[col->slot] = (struct ref_cell){.kind = REF_KEY, .key = copy, .len = cell->len};
}

size_t import_csv_line(const struct csv_record *rec, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        const struct csv_cell *cell = &rec->cells[i];
        if (o + 2 * cell->len + 4 > cap)
            return 0;
        if (i)
            out[o++] = ',';
        bool quote = !cell->is_null && (cell->len == 0 || strpbrk(cell->s, ",\"\r\n") ||
                                        cell->s[0] == ' ' || cell->s[cell->len - 1] == ' ');
        if (quote)
            out[o++] = '"';
        for (size_t k = 0; k < cell->len; k++) {
            if (cell->s[k] == '"')
                out[o++] = '"';
            out[o++] = cell->s[k];
        }
        if (quote)
            out[o++] = '"';
    }
    out[o] = '\0';
    return o;
}

/* The cell column c reads in rec, through its mapping: NULL and its error reported if it fails. */
static bool mapped_cell(struct reader *rd, size_t c, const struct csv_record *rec,
                        struct csv_cell *out)
{
    const struct column *col = &rd->imp->cols[c];
    if (col->src == SIZE_MAX)
        *out = (struct csv_cell){col->map->value, strlen(col->map->value), false};
    else
        *out = rec->cells[col->src];
    if (!col->map || !col->map->nxf)
        return true;
    const char *o;
    size_t n;
    struct kith_error e;
    rd->col = c;
    if (import_map_apply(col->map, out->s, out->len, rd->scratch, IMPORT_SCRATCH, &o, &n, &e) < 0) {
        bad_cell(rd, "%s", e.msg);
        return false;
    }
    *out = (struct csv_cell){o, n, n == 0};
    return true;
}

/* Converts one record into the next row of the batch; its errors go with the batch. */
static void convert_row(struct reader *rd, const struct csv_record *rec)
{
    const struct importer *imp = rd->imp;
    const struct table_def *t = imp->t;
    struct batch *b = rd->b;
    size_t i = b->nrows++;
    rd->record++;
    rd->vals = &b->vals[i * imp->nvals];
    rd->refs = &b->refs[i * imp->nrefs];
    rd->row = &b->rows[i];
    *rd->row = (struct row_info){.line = rec->line};
    if (imp->opt->rejects) {
        size_t n = import_csv_line(rec, rd->scratch, IMPORT_SCRATCH);
        rd->row->raw = batch_text(b, rd->scratch, n);
        rd->row->rawlen = n;
    }
    for (size_t k = 0; k < imp->nvals; k++) {
        rd->vals[k].kind = SV_NULL;
        rd->field_bad[k] = false;
        rd->ref_filled[k] = false;
    }
    for (size_t k = 0; k < imp->nrefs; k++)
        rd->refs[k].kind = REF_NONE;
    if (rec->nfields != imp->nsrc) {
        size_t col = (rec->nfields < imp->nsrc ? rec->nfields : imp->nsrc) + 1;
        reader_error(rd, PHASE_CELLS, 0, col, NULL,
                     "expected %zu fields as in the header, found %zu", imp->nsrc, rec->nfields);
        rd->row->skip = true;
        return;
    }
    for (size_t c = 0; c < imp->ncols; c++) {
        enum col_kind kind = imp->cols[c].kind;
        struct csv_cell cell;
        if (kind == COL_IGNORED || !mapped_cell(rd, c, rec, &cell))
            continue;
        if (kind == COL_FIELD)
            convert_field(rd, c, &cell);
        else if (kind == COL_REF_KEY && !cell.is_null && cell.len)
            convert_key(rd, c, &cell);
        else if (kind == COL_CREATED)
            convert_created(rd, c, &cell);
    }
    /* A line priced per unit: its amount is quantity x unit price, unless the file gives it. */
    int qf = imp->quantity_field >= 0 ? imp->quantity_field
             : imp->from_lines        ? imp->line_quantity
                                      : -1;
    if (imp->unit_price >= 0 && qf >= 0 && imp->amount_field >= 0) {
        struct store_value *price = &rd->vals[imp->unit_price];
        struct store_value *amount = &rd->vals[imp->amount_field];
        const struct store_value *qty = &rd->vals[qf];
        /* A bad price or quantity is error enough: the amount it leaves empty is not another. */
        if (amount->kind == SV_NULL && (rd->field_bad[imp->unit_price] || rd->field_bad[qf]))
            rd->field_bad[imp->amount_field] = true;
        if (price->kind == SV_INT && amount->kind == SV_NULL && qty->kind == SV_INT) {
            int64_t a;
            if (__builtin_mul_overflow(price->i, qty->i, &a)) {
                rd->col = imp->first_col[imp->unit_price];
                bad_cell(rd, "quantity x unit price is out of range");
            } else {
                *amount = (struct store_value){.kind = SV_INT, .i = a};
            }
        }
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
        const struct column *col = &imp->cols[c];
        if (imp->opt->rejects && t->fields[k].type == FT_REF && !rd->field_bad[k]) {
            /* --rejects: a row without its required reference is set aside, not an error. */
            if (!rd->row->reject) {
                char why[200];
                int n =
                    snprintf(why, sizeof(why), "%s: no %s given (%s is required)", col->src_name,
                             model_table(t->fields[k].ref_table)->singular, t->fields[k].name);
                rd->row->reject = batch_text(b, why, (size_t)n);
            }
            continue;
        }
        reader_error(rd, PHASE_REQUIRED, k, col->src == SIZE_MAX ? 0 : col->src + 1, col->name,
                     "%s", e.msg);
    }
}

/*
 * Fills b with the next rows. At the end of the input, or when reading fails, b->end is set;
 * malformed CSV counts as one more error of the file, at the record where it was found.
 */
void import_fill_batch(struct reader *rd, struct batch *b)
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
