/*
 * csv.h - CSV in and out: a record reader on libcsv and a buffered writer.
 *
 * Reading follows RFC 4180 strictly (libcsv's strict mode): fields are separated by commas,
 * a field that holds a comma, a quote or a line break is quoted, a quote inside is doubled.
 * Spaces are data (never trimmed). Records end with LF, CRLF or CR; blank lines are skipped; a
 * UTF-8 byte order mark at the start is skipped. An unquoted empty field is NULL, a quoted
 * empty field ("") is the empty string. Lines are physical lines of the file, counted from 1
 * (a CRLF is one line break), so an error can point into the file.
 *
 * Writing quotes a field only when it must (comma, quote, CR, LF, or empty string), ends
 * records with LF, and writes NULL as an empty unquoted field.
 *
 * Formula injection: a spreadsheet runs a cell that starts with = + - @ (and some take tab or
 * CR first). csv_formula_prefix() says when a text cell needs a leading single quote on export,
 * csv_formula_unprefix() undoes it on import. The pair is a bijection (a text that already
 * starts with quotes before such a character gets one more), so text round-trips exactly.
 */
#ifndef KITH_IO_CSV_H
#define KITH_IO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

#define CSV_FIELD_MAX  (1 << 20) /* bytes in one field */
#define CSV_FIELDS_MAX 4096      /* fields in one record */
#define CSV_RECORD_MAX (8 << 20) /* bytes in one record, all fields together */

/* One field of a record. s is NUL-terminated ("" for NULL); valid until the next read. */
struct csv_cell {
    const char *s;
    size_t len;
    bool is_null; /* unquoted and empty */
};

struct csv_record {
    size_t nfields; /* 0 at the end of the input; a record always has at least one field */
    const struct csv_cell *cells;
    uint64_t line; /* physical line (from 1) where the record starts */
};

struct csv_reader;

/*
 * Makes a reader of in (not owned, not closed). name is used in messages and must outlive the
 * reader. On success *out is owned by the caller: csv_reader_free() it.
 */
int csv_reader_new(FILE *in, const char *name, struct csv_reader **out, struct kith_error *err);

/* Frees r and everything it holds. NULL is a no-op. */
void csv_reader_free(struct csv_reader *r);

/*
 * Reads the next record into rec (cells owned by r, valid until the next call). At the end of
 * the input returns 0 with rec->nfields == 0. Malformed CSV (a stray quote, an unterminated
 * quoted field at the end of the file, a field or record over its cap) is KITH_EINVAL, a read
 * failure KITH_EIO; the message reads "name:line:column: ..." with the record's first line and
 * the 1-based index of the field. After an error the reader is spent.
 */
int csv_reader_next(struct csv_reader *r, struct csv_record *rec, struct kith_error *err);

/* Bytes of input consumed so far (for progress). */
uint64_t csv_reader_bytes(const struct csv_reader *r);

#define CSV_WRITER_BUF (64 * 1024)

/* A buffered writer on out (not owned). Initialise with csv_writer_init, nothing to free. */
struct csv_writer {
    FILE *out;
    size_t len;
    bool line_started; /* a field was written on the current record */
    bool failed;       /* a write to out failed; later writes are dropped */
    char buf[CSV_WRITER_BUF];
};

void csv_writer_init(struct csv_writer *w, FILE *out);

/* Appends a field, quoted if needed; an empty string is written as "". */
void csv_writer_field(struct csv_writer *w, const char *s, size_t len);

/* Appends a text field, with the formula-injection prefix when csv_formula_prefix() says so. */
void csv_writer_text(struct csv_writer *w, const char *s, size_t len);

/* Appends a NULL (an empty unquoted field). */
void csv_writer_null(struct csv_writer *w);

/* Ends the record. */
void csv_writer_end_record(struct csv_writer *w);

/* Writes out what is buffered and fflush()es out; KITH_EIO if any write failed. */
int csv_writer_flush(struct csv_writer *w, struct kith_error *err);

/* True if a text cell that starts like s needs a leading ' on export (see above). */
bool csv_formula_prefix(const char *s, size_t len);

/* How many bytes (0 or 1) to drop from the start of an imported text cell (see above). */
size_t csv_formula_unprefix(const char *s, size_t len);

#endif
