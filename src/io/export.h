/*
 * export.h - writing a table as CSV or JSON lines, and the column reference of the tables.
 *
 * Both formats write every row in id order with every field but the secret ones (password and
 * token hashes are left out entirely): times as ISO 8601 UTC with milliseconds
 * (2024-05-01T12:00:00.000Z), money as decimal text with MONEY_DECIMALS decimals ("-3.00"),
 * booleans as true/false, reals in the shortest form that reads back to the same double.
 * CSV: a header row of field names, NULL as an empty field, text cells protected against
 * formula injection (csv.h). JSON lines: one object per row built with jansson, NULL as null,
 * money and times as strings, JSON fields embedded as objects.
 * What export writes, import reads back to the same rows (tests/unit/io/roundtrip_test.c).
 */
#ifndef KITH_IO_EXPORT_H
#define KITH_IO_EXPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "io/csv.h"
#include "model/table.h"
#include "store/store.h"
#include "util/error.h"

enum export_format { EXPORT_CSV, EXPORT_JSONL };

/* "csv" or "jsonl" into *format; KITH_EINVAL otherwise. */
int export_format_parse(const char *name, enum export_format *format, struct kith_error *err);

/*
 * Writes every row of t (which must be exportable) to out (not closed; flushed at the end).
 * *rows (when non-NULL) receives the number of rows written.
 */
int export_table(struct store *s, const struct table_def *t, enum export_format format, FILE *out,
                 uint64_t *rows, struct kith_error *err);

/*
 * Writes the column reference of t, or of every exportable table when t is NULL, as Markdown:
 * each column with its type, whether import requires it, and the other columns by which a
 * reference may be given. docs/import-export.md holds this text (a test keeps them equal).
 */
int export_write_columns(FILE *out, const struct table_def *t, struct kith_error *err);

/*
 * One value of field f as the formats above write it (io/dsr_export.c builds on them too):
 * export_value_csv() appends the cell to w; export_value_json() returns a new reference, or
 * NULL when the value cannot be JSON (text that is not UTF-8). Neither takes secret fields.
 */
void export_value_csv(struct csv_writer *w, const struct field_def *f, const struct store_value *v);
json_t *export_value_json(const struct field_def *f, const struct store_value *v);

/*
 * Writes r into out (cap bytes, 32 is enough) as the shortest "%.*g" text that reads back as
 * the same double, and returns the precision used (1..17).
 */
int export_format_real(double r, char *out, size_t cap);

#endif
