/*
 * import.h - loading a CSV file into one table of the data model, all or nothing.
 *
 * Columns map by header name to the fields of the table (model/table.h), through the mappings of
 * import_options.maps: --map SRC=FIELD|fn... (one source column may feed several fields, through
 * functions: import_map_parse()) and --set FIELD=VALUE constants. A reference field X_id (or X
 * for a field not ending in _id) can also be given by a text field K of the table it references,
 * in a column X_K: contact_email, account_name, owner_name, stage_name, product_name, ... (see
 * import_ref_column() and docs/import-export.md); a key that names several rows is an error
 * listing them, one that names none suggests the nearest values. Values are checked against their
 * field's type, enum values and length; references are checked to exist (rows earlier in the same
 * file count; an integer reference of a table to itself may also point forward in the file),
 * and an interaction's void by the rules of model/voids.h, as the API checks its voids.
 *
 * The whole file is one transaction: any error rolls everything back. Only when asked does a row
 * go elsewhere: --rejects sets aside rows whose reference is missing or names nothing,
 * --create-missing creates what a key names, --upsert updates the row a natural key names. The
 * first IMPORT_MAX_SHOWN errors are kept as "file:line:column: column-name: message", where file
 * is the whole name given, line the physical line where the record starts and column the 1-based
 * index of the field.
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

/*
 * A transformation of a cell's text on its way to a field (docs/import-export.md, "Mapping"):
 * the functions of `--map 'SRC=DST|fn(args)|fn'`, applied left to right.
 */
enum import_fn {
    IMPORT_FN_TRIM,    /* trim: spaces and tabs off both ends */
    IMPORT_FN_LOWER,   /* lower: ASCII letters to lower case */
    IMPORT_FN_UPPER,   /* upper: ASCII letters to upper case */
    IMPORT_FN_SCALE,   /* scale(K): a number times K ("2.5" scale(1000000) -> "2500000") */
    IMPORT_FN_DATE,    /* date(FORMAT): a date in strptime's FORMAT to ISO 8601 */
    IMPORT_FN_REPLACE, /* replace(FROM,TO): every FROM in the text becomes TO */
    IMPORT_FN_PREFIX,  /* prefix(S): S in front */
    IMPORT_FN_SUFFIX,  /* suffix(S): S after */
    IMPORT_FN_SLUG,    /* slug: lower case, every run of other than letters and digits a '.' */
    IMPORT_FN_DEFAULT, /* default(S): S when the text is empty */
};

struct import_xform {
    enum import_fn fn;
    double k;          /* scale */
    const char *a, *b; /* date's format, replace's FROM and TO, prefix's, suffix's, default's */
    size_t alen, blen;
};

#define IMPORT_MAX_XFORMS 8

/*
 * One mapping: the column headed from feeds field (or reference key column) to, through the
 * transformations xf; or, for --set (from NULL), the constant value. With a "TABLE." prefix on
 * the field (created set), it fills that field of the rows --create-missing TABLE creates,
 * from the row that names the missing one. All strings point into the option's text (not owned).
 */
struct import_map {
    const char *from;  /* a source column, NULL for a constant */
    const char *to;    /* a field or reference key column, without the TABLE. prefix */
    const char *value; /* --set: the constant text */
    const struct table_def *created; /* the TABLE of a "TABLE.field" target, else NULL */
    struct import_xform xf[IMPORT_MAX_XFORMS];
    size_t nxf;
};

/*
 * Parses spec, "SRC=DST|fn(args)|fn..." (--map) or "DST=VALUE" (--set when is_set), in place:
 * spec is cut and unquoted, and *out points into it. Arguments are separated by commas and may
 * be quoted with '"' (a quote inside doubled). KITH_EINVAL with the reason.
 */
int import_map_parse(char *spec, bool is_set, struct import_map *out, struct kith_error *err);

/*
 * Applies m's transformations to the len bytes at s. *out and *outlen receive the result: s
 * itself when there is nothing to do, else text in buf (cap bytes, caller-owned).
 * KITH_EINVAL with the reason when a transformation does not apply to the value ("scale: 'n/a'
 * is not a number") or the result does not fit.
 */
int import_map_apply(const struct import_map *m, const char *s, size_t len, char *buf, size_t cap,
                     const char **out, size_t *outlen, struct kith_error *err);

/* The Levenshtein distance between a and b, by bytes, ASCII letters folded; cut off at max + 1. */
size_t import_edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max);

/*
 * Rounds the decimal text at s (len bytes) to decimals digits after the point, half to even
 * (2.345 -> 2.34, 2.355 -> 2.36, -0.125 -> -0.12), into out (cap bytes). Returns 1 when it
 * rounded (*outlen set), 0 when there was nothing to round (at most decimals digits, only zeros
 * past them, or not a plain decimal: then the amount's own check says what is wrong).
 */
int import_round_half_even(const char *s, size_t len, int decimals, char *out, size_t cap,
                           size_t *outlen);

#define IMPORT_MAX_CREATE 8

struct import_options {
    const char *name;              /* the file's name in messages, whole */
    const struct import_map *maps; /* not owned: --map and --set in order */
    size_t nmaps;
    bool ignore_unknown; /* skip columns that match nothing instead of failing */
    bool dry_run;        /* check everything, write nothing */
    /*
     * Rows that update instead of being added: a row whose natural key (the first of its
     * table's natural keys that the file gives) names an existing row updates it.
     */
    bool upsert;
    /* --create-missing: a reference by key to a row of one of these tables that does not exist
     * creates it (with the key and the TABLE.field maps). */
    const struct table_def *create[IMPORT_MAX_CREATE];
    size_t ncreate;
    /* --rejects: rows whose reference is missing or names no row are written here (CSV: the
     * record and a reject_reason column) instead of failing the import. NULL: they are errors. */
    FILE *rejects;
    /* --round half-even: amounts with more decimals than their currency has are rounded, half to
     * even, and counted (rep->rounded); without it they are errors. */
    bool round_half_even;
    /*
     * --amount-from-lines (and the default for an orders file with unit_price and no amount):
     * each row of an orders file is a line (product, quantity, unit_price); rows with the same
     * external_id are one order, whose amount is the sum of its lines.
     */
    bool amount_from_lines;
    struct progress *progress; /* NULL for none; not owned */
};

#define IMPORT_MAX_SHOWN 20

/* What an import found. Caller-owned (about 20 KiB); nothing inside needs freeing. */
struct import_report {
    uint64_t rows;    /* data records read */
    uint64_t nerrors; /* all errors found, shown or not */
    size_t nshown;    /* min(nerrors, IMPORT_MAX_SHOWN) */
    char shown[IMPORT_MAX_SHOWN][KITH_ERROR_MSG_MAX];
    uint64_t inserted, updated, unchanged; /* rows of the file added, changed, already so */
    uint64_t rejected;                     /* rows written to the rejects file */
    uint64_t created;                      /* rows made by --create-missing */
    uint64_t lines;                        /* lines added (a deals or orders file with products) */
    uint64_t grouped; /* orders from lines: rows that added a line to an order of an earlier row */
    uint64_t rounded; /* amounts rounded (--round half-even) */
    /* Suspicious values (reported, not errors): a year read as a time, a lone spelling beside
     * a common one, an email column without emails. */
    size_t nwarnings;
    char warnings[IMPORT_MAX_SHOWN][KITH_ERROR_MSG_MAX];
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
