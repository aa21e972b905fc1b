/*
 * import.h - loading a CSV file into one table of the data model, all or nothing.
 *
 * Columns map by header name to the fields of the table (model/table.h), after the renames of
 * import_options.maps. A reference field X_id (or X for a field not ending in _id) can also be
 * given by each natural key K of the table it references, in a column X_K: contact_email,
 * contact_external_id, account_name, type_code, owner_email, parent_name, ... (see
 * import_ref_column() and docs/import-export.md). Values are checked against their field's
 * type, enum values and length; references are checked to exist (rows earlier in the same
 * file count; an integer reference of a table to itself may also point forward in the file),
 * and an interaction's void by the rules of model/voids.h, as the API checks its voids.
 *
 * The whole file is one transaction: any error rolls everything back. The first
 * IMPORT_MAX_SHOWN errors are kept as "file:line:column: column-name: message", where line is
 * the physical line where the record starts and column the 1-based index of the field.
 */
#ifndef KITH_IO_IMPORT_H
#define KITH_IO_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/table.h"
#include "store/store.h"
#include "util/error.h"
#include "util/progress.h"

/* Renames header "from" to "to" before the columns are matched (the --map option). */
struct import_map {
    const char *from;
    const char *to;
};

struct import_options {
    const char *name;              /* the file's name in messages */
    const struct import_map *maps; /* not owned */
    size_t nmaps;
    bool ignore_unknown;       /* skip columns that match nothing instead of failing */
    bool dry_run;              /* check everything, write nothing */
    struct progress *progress; /* NULL for none; not owned */
};

#define IMPORT_MAX_SHOWN 20

/* What an import found. Caller-owned (about 10 KiB); nothing inside needs freeing. */
struct import_report {
    uint64_t rows;    /* data records read */
    uint64_t nerrors; /* all errors found, shown or not */
    size_t nshown;    /* min(nerrors, IMPORT_MAX_SHOWN) */
    char shown[IMPORT_MAX_SHOWN][KITH_ERROR_MSG_MAX];
};

/*
 * Imports the CSV read from in (not closed) into t, which must be importable; s must not be in
 * a transaction (the import is one of its own). Returns 0 when every row was written (or, with
 * dry_run, would have been). When the input has errors returns KITH_EINVAL, rep lists them, err
 * says how many, and the database is unchanged. Other codes (KITH_EDB, KITH_EIO, KITH_ENOMEM)
 * mean the import could not run; nothing is written either.
 * It runs as a store bulk load (store_bulk_begin): foreign keys are verified here rather than
 * by the store, and a large load rebuilds the secondary indexes once at the end. in is read on
 * a thread of its own while the calling thread writes (docs/internals/import.md); the result is
 * that of checking and inserting one row at a time.
 */
int import_csv(struct store *s, const struct table_def *t, FILE *in,
               const struct import_options *opt, struct import_report *rep, struct kith_error *err);

/*
 * Writes into out (cap bytes) the name of the column that gives reference field f by the
 * natural key key of its table: f's name without a trailing "_id", "_", then key
 * ("contact_id" + "email" -> "contact_email"). KITH_ERANGE if it does not fit.
 */
int import_ref_column(const struct field_def *f, const char *key, char *out, size_t cap);

#endif
