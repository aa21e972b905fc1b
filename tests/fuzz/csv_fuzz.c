/*
 * csv_fuzz.c - libFuzzer target for the CSV reader (src/io/csv.c): any bytes are read record by
 * record until the end or an error. Every record the reader gives back is written again with
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
        c->s[i] = fuzz_strndup((const uint8_t *)rec->cells[i].s, rec->cells[i].len);
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

/* Writes c as one CSV record and reads it back: the same fields must come out. */
static void check_roundtrip(const struct copy *c)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    struct csv_writer *w = malloc(sizeof(*w));
    struct kith_error err = {0};
    if (!out || !w)
        abort();
    csv_writer_init(w, out);
    for (size_t i = 0; i < c->n; i++) {
        if (c->is_null[i])
            csv_writer_null(w);
        else
            csv_writer_field(w, c->s[i], c->len[i]);
    }
    csv_writer_end_record(w);
    if (csv_writer_flush(w, &err) < 0)
        abort();
    free(w);
    fclose(out);

    FILE *in = fmemopen(buf, size, "r");
    struct csv_reader *r = NULL;
    struct csv_record rec;
    if (!in || csv_reader_new(in, "roundtrip", &r, &err) < 0)
        abort();
    if (csv_reader_next(r, &rec, &err) < 0 || rec.nfields != c->n) {
        fprintf(stderr, "csv round trip: %zu fields written, %zu read (%s)\n", c->n, rec.nfields,
                err.msg);
        abort();
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct csv_cell *cell = &rec.cells[i];
        if (cell->is_null != c->is_null[i] || cell->len != c->len[i] ||
            memcmp(cell->s, c->s[i], c->len[i]) != 0) {
            fprintf(stderr, "csv round trip: field %zu differs\n", i + 1);
            abort();
        }
    }
    if (csv_reader_next(r, &rec, &err) < 0 || rec.nfields != 0)
        abort();
    csv_reader_free(r);
    fclose(in);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    FILE *in = fmemopen(text, size, "r");
    struct csv_reader *r = NULL;
    struct kith_error err = {0};
    if (!in)
        abort();
    if (csv_reader_new(in, "fuzz.csv", &r, &err) < 0)
        abort();
    for (int records = 0; records < 10000; records++) {
        struct csv_record rec;
        if (csv_reader_next(r, &rec, &err) < 0 || rec.nfields == 0)
            break;
        struct copy c;
        copy_record(&c, &rec);
        for (size_t i = 0; i < c.n; i++)
            check_formula(c.s[i], c.len[i]);
        /* Each record is written as a file of its own, whose start the reader skips when it is
         * a byte order mark: the writer does not quote a first field that begins with one. */
        if (c.len[0] < 3 || memcmp(c.s[0], "\xEF\xBB\xBF", 3) != 0)
            check_roundtrip(&c);
        copy_release(&c);
    }
    csv_reader_free(r);
    fclose(in);
    free(text);
    return 0;
}
