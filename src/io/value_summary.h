/*
 * value_summary.h - reads a customer summary CSV for the lifetime-value models: one row per
 * customer with its repeat purchases, recency, age and mean spend.
 *
 * The header names the columns; names are matched without regard to case, and either naming
 * is accepted:
 *   id              (optional; the row's line number when absent)  also: customer_id
 *   frequency       x     repeat purchases, a whole number >= 0
 *   recency         t_x   time from the first to the last purchase, 0 <= recency <= T
 *   T                     time from the first purchase to the end of calibration
 *   monetary_value  zbar  mean spend of the repeat purchases (optional; a repeat buyer's value of
 *                         0 or below falls under the rule of engine/clv.h for customers without
 *                         positive repeat spend, as on the orders path)
 * Other columns are ignored. Times are in any one unit (weeks for CDNOW). Parsed with the
 * libcsv reader of io/csv.h (RFC 4180).
 */
#ifndef KITH_IO_VALUE_SUMMARY_H
#define KITH_IO_VALUE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/clv.h"
#include "util/error.h"

#define VALUE_SUMMARY_ID_MAX 128 /* bytes of an id */

struct value_summary_file {
    size_t n;
    char **ids;                /* n ids, each owned */
    struct clv_customer *cust; /* n summaries (zbar 0 when there is no monetary column) */
    bool has_monetary;
};

/*
 * Reads in (not closed) into *out. Every problem is KITH_EINVAL with "name:line: what" (line of
 * the file, from 1): an empty file, no rows, a missing required column, a cell that is not a
 * number, a non-integer or negative frequency, negative recency or T, recency greater than T,
 * recency without repeat purchases. Malformed
 * CSV as io/csv.h reports it. On success the caller owns *out (value_summary_file_release);
 * on failure nothing is left to free.
 */
int value_summary_read(FILE *in, const char *name, struct value_summary_file *out,
                       struct kith_error *err);

/* Frees what out owns and zeroes it; safe twice. */
void value_summary_file_release(struct value_summary_file *f);

#endif
