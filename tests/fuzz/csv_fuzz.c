/*
 * csv_fuzz.c - libFuzzer target for the CSV reader (src/io/csv.c): any bytes are read record by
 * record until the end or an error. The records the reader gave back are written again with
 * csv_writer and must read back the same (fields, NULLs, bytes), and the formula-injection
 * prefix of each text must undo itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv.h"
#include "support.h"

/* A record's fields, copied (the reader's are valid only until its next call). */
struct copy {
    size_t n;
    char **s;
    size_t *len;
    bool *is_null;
};

static void copy_record(struct copy *c, const struct csv_record *rec)
{
    c->n = rec->nfields;
    c->s = calloc(c->n, sizeof(*c->s));
    c->len = calloc(c->n, sizeof(*c->len));
    c->is_null = calloc(c->n, sizeof(*c->is_null));
    if (!c->s || !c->len || !c->is_null)
        abort();
    for (size_t i = 0; i < c->n; i++) {
        /* Exactly len bytes, no terminator: a read past the field is an ASan report. */
        c->s[i] = malloc(rec->cells[i].len);
        if (!c->s[i] && rec->cells[i].len)
            abort();
        if (rec->cells[i].len)
            memcpy(c->s[i], rec->cells[i].s, rec->cells[i].len);
        c->len[i] = rec->cells[i].len;
        c->is_null[i] = rec->cells[i].is_null;
    }
}

static void copy_release(struct copy *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->s[i]);
    free(c->s);
    free(c->len);
    free(c->is_null);
}

/* The formula prefix added on export is exactly what import drops. */
static void check_formula(const char *s, size_t len)
{
    if (csv_formula_prefix(s, len)) {
        char *p = malloc(len + 1);
        if (!p)
            abort();
        p[0] = '\'';
        memcpy(p + 1, s, len);
        if (csv_formula_unprefix(p, len + 1) != 1)
            abort();
        free(p);
    } else if (csv_formula_unprefix(s, len) != 0) {
        abort();
    }
}

/*
 * Writes the records recs[0..n) with csv_writer and reads them back: the same records must come
 * out. One file for all of them, so that a run makes two readers, not one per record. With
 * as_text, fields go through csv_writer_text (export's path for text, with the formula prefix)
 * and csv_formula_unprefix (import's) must give them back.
 */
static void check_roundtrip(const struct copy *recs, size_t n, bool as_text)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    struct csv_writer *w = malloc(sizeof(*w));
    struct kith_error err = {0};
    if (!out || !w)
        abort();
    csv_writer_init(w, out);
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < recs[r].n; i++) {
            if (recs[r].is_null[i])
                csv_writer_null(w);
            else if (as_text)
                csv_writer_text(w, recs[r].s[i], recs[r].len[i]);
            else
                csv_writer_field(w, recs[r].s[i], recs[r].len[i]);
        }
        csv_writer_end_record(w);
    }
    if (csv_writer_flush(w, &err) < 0)
        abort();
    free(w);
    fclose(out);

    FILE *in = fmemopen(buf, size, "r");
    struct csv_reader *rd = NULL;
    struct csv_record rec;
    if (!in || csv_reader_new(in, "roundtrip", &rd, &err) < 0)
        abort();
    for (size_t r = 0; r < n; r++) {
        const struct copy *c = &recs[r];
        if (csv_reader_next(rd, &rec, &err) < 0 || rec.nfields != c->n) {
            fprintf(stderr, "csv round trip: record %zu: %zu fields written, %zu read (%s)\n",
                    r + 1, c->n, rec.nfields, err.msg);
            abort();
        }
        for (size_t i = 0; i < c->n; i++) {
            const struct csv_cell *cell = &rec.cells[i];
            size_t drop = as_text && !cell->is_null ? csv_formula_unprefix(cell->s, cell->len) : 0;
            if (cell->is_null != c->is_null[i] || cell->len - drop != c->len[i] ||
                (c->len[i] && memcmp(cell->s + drop, c->s[i], c->len[i]) != 0)) {
                fprintf(stderr, "csv round trip: record %zu, field %zu differs\n", r + 1, i + 1);
                abort();
            }
        }
    }
    if (csv_reader_next(rd, &rec, &err) < 0 || rec.nfields != 0)
        abort();
    csv_reader_free(rd);
    fclose(in);
    free(buf);
}

#define RECORDS_MAX 1000 /* read per input; a longer file is read no further */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    FILE *in = fmemopen(text, size, "r"); /* glibc takes a size of 0 (since 2.22) */
    struct csv_reader *r = NULL;
    struct kith_error err = {0};
    struct copy *recs = calloc(RECORDS_MAX, sizeof(*recs));
    size_t n = 0;
    if (!in || !recs || csv_reader_new(in, "fuzz.csv", &r, &err) < 0)
        abort();
    while (n < RECORDS_MAX) {
        struct csv_record rec;
        if (csv_reader_next(r, &rec, &err) < 0 || rec.nfields == 0)
            break;
        copy_record(&recs[n], &rec);
        for (size_t i = 0; i < recs[n].n; i++)
            check_formula(recs[n].s[i], recs[n].len[i]);
        n++;
    }
    /* The reader skips a byte order mark at the start of a file, and the writer does not quote
     * a first field that begins with one: such a file is not written back. */
    if (n > 0 && !(recs[0].len[0] >= 3 && memcmp(recs[0].s[0], "\xEF\xBB\xBF", 3) == 0)) {
        check_roundtrip(recs, n, false);
        check_roundtrip(recs, n, true);
    }
    for (size_t i = 0; i < n; i++)
        copy_release(&recs[i]);
    free(recs);
    csv_reader_free(r);
    fclose(in);
    free(text);
    return 0;
}
