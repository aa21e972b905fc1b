/*
 * csv_test.c - tests of src/io/csv.c: RFC 4180 reading (quotes, embedded line breaks, BOM,
 * CRLF, NULL against ""), line numbers, the errors for malformed input and caps, the fast path
 * for lines without quotes, and the writer's quoting and formula-injection prefix (of the bytes
 * given only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/csv.h"

struct reader {
    FILE *in;
    struct csv_reader *r;
};

static void open_text(struct reader *rd, const char *text, size_t len)
{
    rd->in = fmemopen((void *)text, len, "r");
    assert_non_null(rd->in);
    struct kith_error err = {0};
    assert_int_equal(csv_reader_new(rd->in, "t.csv", &rd->r, &err), 0);
}

static void close_reader(struct reader *rd)
{
    csv_reader_free(rd->r);
    fclose(rd->in);
}

/* Reads the next record, asserting success. */
static struct csv_record next(struct reader *rd)
{
    struct csv_record rec;
    struct kith_error err = {0};
    int rc = csv_reader_next(rd->r, &rec, &err);
    if (rc != 0)
        fail_msg("csv_reader_next: %s", err.msg);
    return rec;
}

static void expect_cells(const struct csv_record *rec, uint64_t line, size_t n, ...)
{
    assert_int_equal(rec->line, line);
    assert_int_equal(rec->nfields, n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        if (!want) {
            assert_true(rec->cells[i].is_null);
            assert_int_equal(rec->cells[i].len, 0);
        } else {
            assert_false(rec->cells[i].is_null);
            assert_int_equal(rec->cells[i].len, strlen(want));
            assert_memory_equal(rec->cells[i].s, want, strlen(want));
            assert_int_equal(rec->cells[i].s[rec->cells[i].len], '\0');
        }
    }
    va_end(ap);
}

static void reads_rfc_4180(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF"
                               "id,name,notes\r\n"
                               "1,\"Smith, Ann\",\"said \"\"hi\"\"\"\r\n"
                               "2,,\"\"\r\n"
                               "\r\n"
                               "3,\"two\r\nlines\",\"and\nmore\nlines\"\n"
                               "4, spaced ,é\n"
                               "5,last,no newline";
    struct reader rd;
    open_text(&rd, text, sizeof(text) - 1);
    struct csv_record rec = next(&rd);
    expect_cells(&rec, 1, 3, "id", "name", "notes");
    rec = next(&rd);
    expect_cells(&rec, 2, 3, "1", "Smith, Ann", "said \"hi\"");
    rec = next(&rd);
    expect_cells(&rec, 3, 3, "2", NULL, ""); /* unquoted empty is NULL, "" is empty text */
    rec = next(&rd);
    expect_cells(&rec, 5, 3, "3", "two\r\nlines", "and\nmore\nlines"); /* blank line 4 skipped */
    rec = next(&rd);
    expect_cells(&rec, 9, 3, "4", " spaced ", "é"); /* spaces are data */
    rec = next(&rd);
    expect_cells(&rec, 10, 3, "5", "last", "no newline");
    rec = next(&rd);
    assert_int_equal(rec.nfields, 0);
    rec = next(&rd); /* the end stays the end */
    assert_int_equal(rec.nfields, 0);
    assert_int_equal(csv_reader_bytes(rd.r), sizeof(text) - 1);
    close_reader(&rd);
}

static void counts_lines_of_cr_only_files(void **state)
{
    (void)state;
    static const char text[] = "a,b\r1,2\r\r3,\"x\ry\"\r4,5";
    struct reader rd;
    open_text(&rd, text, sizeof(text) - 1);
    struct csv_record rec = next(&rd);
    expect_cells(&rec, 1, 2, "a", "b");
    rec = next(&rd);
    expect_cells(&rec, 2, 2, "1", "2");
    rec = next(&rd);
    expect_cells(&rec, 4, 2, "3", "x\ry");
    rec = next(&rd);
    expect_cells(&rec, 6, 2, "4", "5");
    close_reader(&rd);
}

static void reads_records_across_chunk_boundaries(void **state)
{
    (void)state;
    /* Far more than one read chunk, with quoted line breaks everywhere. */
    size_t nrec = 40000;
    char *text = malloc(nrec * 40);
    assert_non_null(text);
    size_t len = 0;
    for (size_t i = 0; i < nrec; i++)
        len += (size_t)snprintf(text + len, 40, "%zu,\"a\r\nb,\"\"%zu\"\"\"\r\n", i, i);
    struct reader rd;
    open_text(&rd, text, len);
    for (size_t i = 0; i < nrec; i++) {
        struct csv_record rec = next(&rd);
        char want0[24], want1[32];
        snprintf(want0, sizeof(want0), "%zu", i);
        snprintf(want1, sizeof(want1), "a\r\nb,\"%zu\"", i);
        expect_cells(&rec, 1 + 2 * i, 2, want0, want1);
    }
    assert_int_equal(next(&rd).nfields, 0);
    close_reader(&rd);
    free(text);
}

static const char *read_error(const char *text, size_t len, int *code)
{
    static struct kith_error err;
    struct reader rd;
    struct csv_record rec;
    open_text(&rd, text, len);
    int rc;
    while ((rc = csv_reader_next(rd.r, &rec, &err)) == 0 && rec.nfields > 0)
        ;
    close_reader(&rd);
    *code = rc;
    return err.msg;
}

static void reports_malformed_csv_with_its_position(void **state)
{
    (void)state;
    int code;
    const char *msg;
    static const char unterminated[] = "a,b\n1,2\n3,\"never\nclosed";
    msg = read_error(unterminated, sizeof(unterminated) - 1, &code);
    assert_int_equal(code, KITH_EINVAL);
    assert_string_equal(msg, "t.csv:3:2: unterminated quoted field: the file ends inside quotes");
    static const char stray[] = "a,b\n1,x\"y\n";
    msg = read_error(stray, sizeof(stray) - 1, &code);
    assert_int_equal(code, KITH_EINVAL);
    assert_non_null(strstr(msg, "t.csv:2:2: malformed quoting"));
    static const char after[] = "a,b\n\"multi\nline\"x,2\n";
    msg = read_error(after, sizeof(after) - 1, &code);
    assert_non_null(strstr(msg, "t.csv:2:1: malformed quoting (on line 3)"));
}

static void caps_fields_and_records(void **state)
{
    (void)state;
    int code;
    size_t len = CSV_FIELD_MAX + 100;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, 'x', len);
    memcpy(big, "a\n", 2);
    const char *msg = read_error(big, len, &code);
    assert_int_equal(code, KITH_EINVAL);
    assert_non_null(strstr(msg, "t.csv:2:1: field longer than"));
    /* Exactly at the cap is fine. */
    len = 2 + CSV_FIELD_MAX;
    struct reader rd;
    open_text(&rd, big, len);
    assert_int_equal(next(&rd).nfields, 1);
    struct csv_record rec = next(&rd);
    assert_int_equal(rec.cells[0].len, CSV_FIELD_MAX);
    close_reader(&rd);
    free(big);

    len = (CSV_FIELDS_MAX + 10) * 2;
    char *wide = malloc(len);
    assert_non_null(wide);
    for (size_t i = 0; i < len; i += 2)
        memcpy(wide + i, "1,", 2);
    msg = read_error(wide, len, &code);
    assert_int_equal(code, KITH_EINVAL);
    assert_non_null(strstr(msg, "fields in one record"));
    free(wide);

    /* Many fields near the cap each: the record cap ends it. */
    size_t per = CSV_FIELD_MAX - 10, n = CSV_RECORD_MAX / per + 2;
    len = n * (per + 1);
    char *fat = malloc(len);
    assert_non_null(fat);
    memset(fat, 'y', len);
    for (size_t i = 1; i <= n; i++)
        fat[i * (per + 1) - 1] = ',';
    msg = read_error(fat, len, &code);
    assert_non_null(strstr(msg, "record longer than"));
    free(fat);
}

/*
 * Lines without quotes are split without libcsv (a fast path): the same text with each
 * non-empty field quoted goes through libcsv, and both must read the same. Random lines of
 * commas, spaces, CR, LF and CRLF, over several read chunks; one line too wide for the cap.
 */
static void reads_plain_lines_as_libcsv_does(void **state)
{
    (void)state;
    static const char *const pieces[] = {"a", "bc", " ", ",", ",", "\n", "\r\n", "\r", "\xC3\xA9"};
    size_t cap = 3u << 20, plain_len = 0, quoted_len = 0;
    char *plain = malloc(cap), *quoted = malloc(2 * cap);
    assert_non_null(plain);
    assert_non_null(quoted);
    uint64_t x = 42;
    bool in_field = false;
    while (plain_len < cap - 4 * (CSV_FIELDS_MAX + 2)) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        const char *p = pieces[(x >> 33) % (sizeof(pieces) / sizeof(pieces[0]))];
        bool data = *p != ',' && *p != '\n' && *p != '\r';
        if (data && !in_field)
            quoted[quoted_len++] = '"';
        if (!data && in_field)
            quoted[quoted_len++] = '"';
        in_field = data;
        memcpy(plain + plain_len, p, strlen(p));
        plain_len += strlen(p);
        memcpy(quoted + quoted_len, p, strlen(p));
        quoted_len += strlen(p);
    }
    if (in_field)
        quoted[quoted_len++] = '"';
    /* A line of more fields than allowed, read by libcsv in both. */
    plain[plain_len++] = '\n';
    for (size_t i = 0; i < CSV_FIELDS_MAX + 1; i++)
        plain[plain_len++] = ',';
    plain[plain_len++] = '\n';
    memcpy(quoted + quoted_len, plain + plain_len - (CSV_FIELDS_MAX + 3), CSV_FIELDS_MAX + 3);
    quoted_len += CSV_FIELDS_MAX + 3;

    struct reader a, b;
    open_text(&a, plain, plain_len);
    open_text(&b, quoted, quoted_len);
    size_t nrec = 0;
    for (;;) {
        struct csv_record ra, rb;
        struct kith_error ea = {0}, eb = {0};
        int rca = csv_reader_next(a.r, &ra, &ea), rcb = csv_reader_next(b.r, &rb, &eb);
        assert_int_equal(rca, rcb);
        if (rca < 0) {
            assert_string_equal(ea.msg, eb.msg);
            assert_non_null(strstr(ea.msg, "fields in one record"));
            break;
        }
        assert_int_equal(ra.nfields, rb.nfields);
        assert_int_equal(ra.line, rb.line);
        for (size_t i = 0; i < ra.nfields; i++) {
            assert_int_equal(ra.cells[i].is_null, rb.cells[i].is_null);
            assert_int_equal(ra.cells[i].len, rb.cells[i].len);
            assert_memory_equal(ra.cells[i].s, rb.cells[i].s, ra.cells[i].len + 1);
        }
        assert_int_not_equal(ra.nfields, 0); /* the wide line comes before the end */
        nrec++;
    }
    assert_true(nrec > 100000);
    close_reader(&a);
    close_reader(&b);
    free(plain);
    free(quoted);
}

static char *write_with(void (*fn)(struct csv_writer *), size_t *size)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, size);
    assert_non_null(out);
    struct csv_writer *w = malloc(sizeof(*w));
    assert_non_null(w);
    csv_writer_init(w, out);
    fn(w);
    assert_int_equal(csv_writer_flush(w, NULL), 0);
    free(w);
    fclose(out);
    return buf;
}

static void write_sample(struct csv_writer *w)
{
    csv_writer_field(w, "plain", 5);
    csv_writer_field(w, "a,b", 3);
    csv_writer_field(w, "say \"hi\"", 8);
    csv_writer_field(w, "two\nlines", 9);
    csv_writer_field(w, "", 0);
    csv_writer_null(w);
    csv_writer_field(w, "-3.00", 5); /* numbers are never prefixed */
    csv_writer_end_record(w);
    csv_writer_text(w, "=SUM(A1)", 8);
    csv_writer_text(w, "+1, yes", 7);
    csv_writer_text(w, "@me", 3);
    csv_writer_text(w, "-x", 2);
    csv_writer_text(w, "\tx", 2);
    csv_writer_text(w, "'=x", 3);
    csv_writer_text(w, "'quoted'", 8);
    csv_writer_end_record(w);
}

static void writes_minimal_quoting_and_neutralises_formulas(void **state)
{
    (void)state;
    size_t size;
    char *buf = write_with(write_sample, &size);
    assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\",,-3.00\n"
                             "'=SUM(A1),\"'+1, yes\",'@me,'-x,'\tx,''=x,'quoted'\n");
    free(buf);
}

/* Fields of one line, each a slice of it: the writer must read only the len bytes given. */
static void write_slices(struct csv_writer *w)
{
    static const char line[] = "=1,x\"y";
    csv_writer_text(w, line, 2);     /* "=1": the ',' after it is not part of it */
    csv_writer_text(w, line + 3, 1); /* "x", followed by a quote */
    csv_writer_field(w, line + 3, 1);
    csv_writer_end_record(w);
}

/* Found by tests/fuzz/csv_fuzz.c: a text with the formula prefix was checked for quoting one
 * byte past its end (out of bounds on a field that is not NUL-terminated). */
static void writes_only_the_bytes_of_a_field(void **state)
{
    (void)state;
    size_t size;
    char *buf = write_with(write_slices, &size);
    assert_string_equal(buf, "'=1,x,x\n");
    free(buf);
}

static void formula_prefix_round_trips(void **state)
{
    (void)state;
    static const char *const texts[] = {"=1", "+1", "-1", "@x",  "\tx", "\rx", "'=1", "''+1",
                                        "'",  "''", "'a", "a=1", "",    "x",   "'-",  "-"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = texts[i];
        size_t len = strlen(t);
        char cell[16];
        size_t n = 0;
        if (csv_formula_prefix(t, len))
            cell[n++] = '\'';
        memcpy(cell + n, t, len);
        n += len;
        size_t skip = csv_formula_unprefix(cell, n);
        assert_int_equal(n - skip, len);
        assert_memory_equal(cell + skip, t, len);
    }
    assert_true(csv_formula_prefix("=1", 2));
    assert_false(csv_formula_prefix("'a", 2));
    assert_int_equal(csv_formula_unprefix("'=1", 3), 1);
    assert_int_equal(csv_formula_unprefix("'a", 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_rfc_4180),
        cmocka_unit_test(counts_lines_of_cr_only_files),
        cmocka_unit_test(reads_records_across_chunk_boundaries),
        cmocka_unit_test(reports_malformed_csv_with_its_position),
        cmocka_unit_test(caps_fields_and_records),
        cmocka_unit_test(reads_plain_lines_as_libcsv_does),
        cmocka_unit_test(writes_minimal_quoting_and_neutralises_formulas),
        cmocka_unit_test(writes_only_the_bytes_of_a_field),
        cmocka_unit_test(formula_prefix_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
