/*
 * csv.c - the CSV reader (on libcsv, strict RFC 4180) and writer of csv.h.
 *
 * libcsv is push-based: it calls back once per field and once per record end. The reader feeds
 * it one physical line at a time (a slice ending at the next CR or LF), so it always knows the
 * line it is on, and a record is complete exactly when a slice's terminator ends it. A whole
 * line without quotes bypasses libcsv (split_plain_line). Field bytes are copied into one buffer
 * per record that is reused, so reading allocates nothing per row.
 */
#include "io/csv.h"

#include <csv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"

#include "util/banned.h"

#define READ_CHUNK   (256 * 1024)
#define PARSER_BLOCK 4096

/* Errors found inside libcsv's callbacks, reported once it returns. */
enum { CB_OK, CB_TOO_MANY_FIELDS, CB_RECORD_TOO_LONG, CB_NOMEM };

struct field_span {
    size_t off, len;
    bool is_null;
};

struct csv_reader {
    FILE *in;
    const char *name;
    struct csv_parser parser;
    char *chunk;
    size_t chunk_len, chunk_pos;
    uint64_t consumed;
    uint64_t line;    /* line of the next byte to feed */
    bool pending_cr;  /* the last slice ended with CR: an LF right after is the same break */
    bool at_boundary; /* no byte of a record fed since the last record ended */
    bool eof, finished, failed, started;
    /* The record being built. */
    struct buf data; /* the fields, each followed by a NUL; capped at CSV_RECORD_MAX */
    struct field_span *spans;
    struct csv_cell *cells;
    size_t nfields, fields_cap;
    uint64_t rec_line;
    bool rec_complete;
    int cb_error; /* CB_* */
};

/* libcsv grows its field buffer through this; refusing is how a field is capped. */
static void *capped_realloc(void *p, size_t size)
{
    if (size > CSV_FIELD_MAX)
        return NULL;
    return realloc(p, size);
}

/* Spaces are data in RFC 4180; libcsv would trim them from unquoted fields otherwise. */
static int never_space(unsigned char c)
{
    (void)c;
    return 0;
}

int csv_reader_new(FILE *in, const char *name, struct csv_reader **out, struct kith_error *err)
{
    *out = NULL;
    struct csv_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return kith_err(err, KITH_ENOMEM, "out of memory reading %s", name);
    r->in = in;
    r->name = name;
    r->line = 1;
    r->at_boundary = true;
    buf_init(&r->data, CSV_RECORD_MAX);
    r->chunk = malloc(READ_CHUNK);
    if (!r->chunk || csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL)) {
        free(r->chunk);
        free(r);
        return kith_err(err, KITH_ENOMEM, "out of memory reading %s", name);
    }
    csv_set_space_func(&r->parser, never_space);
    csv_set_realloc_func(&r->parser, capped_realloc);
    csv_set_blk_size(&r->parser, PARSER_BLOCK);
    *out = r;
    return 0;
}

void csv_reader_free(struct csv_reader *r)
{
    if (!r)
        return;
    csv_free(&r->parser);
    free(r->chunk);
    buf_release(&r->data);
    free(r->spans);
    free(r->cells);
    free(r);
}

uint64_t csv_reader_bytes(const struct csv_reader *r)
{
    return r->consumed;
}

static int fail(struct csv_reader *r, struct kith_error *err, int code, uint64_t line, size_t col,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail(struct csv_reader *r, struct kith_error *err, int code, uint64_t line, size_t col,
                const char *fmt, ...)
{
    char msg[KITH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->failed = true;
    return kith_err(err, code, "%s:%llu:%zu: %s", r->name, (unsigned long long)line, col, msg);
}

static int grow_fields(struct csv_reader *r)
{
    size_t cap = r->fields_cap ? r->fields_cap * 2 : 32;
    if (cap > CSV_FIELDS_MAX)
        cap = CSV_FIELDS_MAX;
    struct field_span *spans = alloc_array_grow(r->spans, cap, sizeof(*spans));
    if (!spans)
        return KITH_ENOMEM;
    r->spans = spans;
    struct csv_cell *cells = alloc_array_grow(r->cells, cap, sizeof(*cells));
    if (!cells)
        return KITH_ENOMEM;
    r->cells = cells;
    r->fields_cap = cap;
    return 0;
}

/* Appends a field to the record being built; is_null for an unquoted empty field. */
static void add_field(struct csv_reader *r, const char *field, size_t len, bool is_null)
{
    if (r->cb_error)
        return;
    if (r->nfields == CSV_FIELDS_MAX) {
        r->cb_error = CB_TOO_MANY_FIELDS;
        return;
    }
    if (r->nfields == r->fields_cap && grow_fields(r) < 0) {
        r->cb_error = CB_NOMEM;
        return;
    }
    size_t off = r->data.len;
    int rc = buf_add(&r->data, field, len);
    if (rc == 0)
        rc = buf_add(&r->data, "", 1); /* the field's NUL, kept in the record */
    if (rc < 0) {
        r->cb_error = rc == KITH_ERANGE ? CB_RECORD_TOO_LONG : CB_NOMEM;
        return;
    }
    struct field_span *f = &r->spans[r->nfields++];
    f->off = off;
    f->len = len;
    f->is_null = is_null;
}

static void on_field(void *field, size_t len, void *ctx)
{
    add_field(ctx, field, len, field == NULL);
}

static void on_record(int c, void *ctx)
{
    (void)c;
    struct csv_reader *r = ctx;
    r->rec_complete = true;
    r->at_boundary = true;
}

static void deliver(struct csv_reader *r, struct csv_record *rec)
{
    for (size_t i = 0; i < r->nfields; i++) {
        r->cells[i].s = r->data.data + r->spans[i].off;
        r->cells[i].len = r->spans[i].len;
        r->cells[i].is_null = r->spans[i].is_null;
    }
    rec->nfields = r->nfields;
    rec->cells = r->cells;
    rec->line = r->rec_line;
}

static int callback_error(struct csv_reader *r, struct kith_error *err)
{
    size_t col = r->nfields + 1;
    switch (r->cb_error) {
    case CB_TOO_MANY_FIELDS:
        return fail(r, err, KITH_EINVAL, r->rec_line, col, "more than %d fields in one record",
                    CSV_FIELDS_MAX);
    case CB_RECORD_TOO_LONG:
        return fail(r, err, KITH_EINVAL, r->rec_line, col, "record longer than %d bytes",
                    CSV_RECORD_MAX);
    default:
        return fail(r, err, KITH_ENOMEM, r->rec_line, col, "out of memory");
    }
}

/* Reads the next chunk; handles the byte order mark at the start. */
static int refill(struct csv_reader *r, struct kith_error *err)
{
    size_t n = fread(r->chunk, 1, READ_CHUNK, r->in);
    if (n == 0) {
        if (ferror(r->in))
            return fail(r, err, KITH_EIO, r->line, 1, "cannot read the input");
        r->eof = true;
    }
    r->chunk_len = n;
    r->chunk_pos = 0;
    if (!r->started && n > 0) {
        r->started = true;
        /* A short first read (a pipe) could split the mark; read on until 3 bytes or EOF. */
        while (r->chunk_len < 3 && !feof(r->in) && !ferror(r->in))
            r->chunk_len += fread(r->chunk + r->chunk_len, 1, 3 - r->chunk_len, r->in);
        if (r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0) {
            r->chunk_pos = 3;
            r->consumed += 3;
        }
    }
    return 0;
}

static int parse_error(struct csv_reader *r, struct kith_error *err, uint64_t at_line)
{
    size_t col = r->nfields + 1;
    char where[64] = "";
    if (at_line != r->rec_line)
        snprintf(where, sizeof(where), " (on line %llu)", (unsigned long long)at_line);
    switch (csv_error(&r->parser)) {
    case CSV_EPARSE:
        return fail(r, err, KITH_EINVAL, r->rec_line, col,
                    "malformed quoting%s: a quote may only start a field, end it before a comma"
                    " or line break, or be doubled inside a quoted field",
                    where);
    case CSV_ENOMEM:
        return fail(r, err, KITH_EINVAL, r->rec_line, col, "field longer than %d bytes",
                    CSV_FIELD_MAX);
    default:
        return fail(r, err, KITH_EINVAL, r->rec_line, col, "%s",
                    csv_strerror(csv_error(&r->parser)));
    }
}

/* A line of the chunk never holds a field too long for libcsv, so the fast path needs no cap. */
_Static_assert(READ_CHUNK < CSV_FIELD_MAX, "a line of one chunk must fit a field");

/*
 * The fast path for the common line: at a record boundary, a whole line (len bytes at p,
 * without its line break) that holds no quote is one record whose fields are the text between
 * commas, an empty one NULL. That is what libcsv makes of it byte by byte; splitting on memchr
 * is several times faster. False, with nothing changed, for a line libcsv must read: one with a
 * quote, or with too many fields (libcsv reports those).
 */
static bool split_plain_line(struct csv_reader *r, const char *p, size_t len)
{
    if (memchr(p, '"', len))
        return false;
    const char *end = p + len;
    for (;;) {
        if (r->nfields == CSV_FIELDS_MAX) {
            r->nfields = 0;
            buf_reset(&r->data);
            r->cb_error = CB_OK;
            return false;
        }
        const char *comma = memchr(p, ',', (size_t)(end - p));
        size_t n = (size_t)((comma ? comma : end) - p);
        add_field(r, p, n, n == 0);
        if (!comma)
            break;
        p = comma + 1;
    }
    on_record(0, r);
    return true;
}

/* The end of a slice: the first CR or LF from p (inclusive), or the end of the chunk. */
static size_t slice_len(const char *p, size_t avail)
{
    const char *lf = memchr(p, '\n', avail);
    size_t upto = lf ? (size_t)(lf - p) + 1 : avail;
    const char *cr = memchr(p, '\r', upto);
    return cr ? (size_t)(cr - p) + 1 : upto;
}

int csv_reader_next(struct csv_reader *r, struct csv_record *rec, struct kith_error *err)
{
    memset(rec, 0, sizeof(*rec));
    if (r->failed)
        return kith_err(err, KITH_EINVAL, "%s: reading after an error", r->name);
    if (r->rec_complete) {
        r->rec_complete = false;
        r->nfields = 0;
        buf_reset(&r->data);
    }
    for (;;) {
        if (r->finished)
            return 0;
        if (r->chunk_pos == r->chunk_len) {
            if (!r->eof) {
                int rc = refill(r, err);
                if (rc < 0)
                    return rc;
                continue;
            }
            r->finished = true;
            if (csv_fini(&r->parser, on_field, on_record, r) != 0)
                return fail(r, err, KITH_EINVAL, r->rec_line, r->nfields + 1,
                            "unterminated quoted field: the file ends inside quotes");
            if (r->cb_error)
                return callback_error(r, err);
            if (r->rec_complete) {
                deliver(r, rec);
                return 0;
            }
            return 0;
        }
        const char *p = r->chunk + r->chunk_pos;
        size_t n = slice_len(p, r->chunk_len - r->chunk_pos);
        char last = p[n - 1];
        bool terminated = last == '\n' || last == '\r';
        bool lf_after_cr = r->pending_cr && p[0] == '\n';
        r->pending_cr = false;
        bool starts = false;
        if (r->at_boundary && !(n == 1 && terminated)) {
            r->at_boundary = false;
            r->rec_line = r->line;
            starts = true;
        }
        size_t used = starts && terminated && split_plain_line(r, p, n - 1)
                          ? n
                          : csv_parse(&r->parser, p, n, on_field, on_record, r);
        uint64_t at_line = r->line;
        r->chunk_pos += n;
        r->consumed += n;
        if (last == '\r') {
            r->line++;
            r->pending_cr = true;
        } else if (last == '\n' && !lf_after_cr) {
            r->line++;
        }
        if (used < n)
            return parse_error(r, err, at_line);
        if (r->cb_error)
            return callback_error(r, err);
        if (r->rec_complete) {
            deliver(r, rec);
            return 0;
        }
    }
}

void csv_writer_init(struct csv_writer *w, FILE *out)
{
    w->out = out;
    w->len = 0;
    w->line_started = false;
    w->failed = false;
}

static void drain(struct csv_writer *w)
{
    if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->out) != w->len)
        w->failed = true;
    w->len = 0;
}

static void put(struct csv_writer *w, const char *s, size_t n)
{
    while (n) {
        if (w->len == CSV_WRITER_BUF)
            drain(w);
        size_t k = CSV_WRITER_BUF - w->len;
        if (k > n)
            k = n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

static void separator(struct csv_writer *w)
{
    if (w->line_started)
        put(w, ",", 1);
    w->line_started = true;
}

/* True if the len bytes at s hold a separator, a quote or a line break. */
static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return true;
    }
    return false;
}

static void put_quoted(struct csv_writer *w, const char *prefix, const char *s, size_t len)
{
    put(w, "\"", 1);
    put(w, prefix, strlen(prefix));
    for (;;) {
        const char *q = memchr(s, '"', len);
        if (!q)
            break;
        size_t k = (size_t)(q - s) + 1;
        put(w, s, k);
        put(w, "\"", 1);
        s += k;
        len -= k;
    }
    put(w, s, len);
    put(w, "\"", 1);
}

static void field_with_prefix(struct csv_writer *w, const char *prefix, const char *s, size_t len)
{
    separator(w);
    /* An empty field is written "" (unquoted it would read back as NULL), unless a prefix fills
     * it. Only the len bytes at s are the field: s need not be NUL-terminated. */
    if ((len == 0 && prefix[0] == '\0') || needs_quotes(s, len)) {
        put_quoted(w, prefix, s, len);
    } else {
        put(w, prefix, strlen(prefix));
        put(w, s, len);
    }
}

void csv_writer_field(struct csv_writer *w, const char *s, size_t len)
{
    field_with_prefix(w, "", s, len);
}

void csv_writer_text(struct csv_writer *w, const char *s, size_t len)
{
    field_with_prefix(w, csv_formula_prefix(s, len) ? "'" : "", s, len);
}

void csv_writer_null(struct csv_writer *w)
{
    separator(w);
}

void csv_writer_end_record(struct csv_writer *w)
{
    put(w, "\n", 1);
    w->line_started = false;
}

int csv_writer_flush(struct csv_writer *w, struct kith_error *err)
{
    drain(w);
    if (!w->failed && fflush(w->out) != 0)
        w->failed = true;
    if (w->failed)
        return kith_err(err, KITH_EIO, "writing the output failed (disk full or closed pipe?)");
    return 0;
}

static bool is_formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool csv_formula_prefix(const char *s, size_t len)
{
    size_t k = 0;
    while (k < len && s[k] == '\'')
        k++;
    return k < len && is_formula_start(s[k]);
}

size_t csv_formula_unprefix(const char *s, size_t len)
{
    return len >= 2 && s[0] == '\'' && csv_formula_prefix(s + 1, len - 1) ? 1 : 0;
}
