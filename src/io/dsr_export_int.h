/*
 * dsr_export_int.h - the inside of the data-subject export (io/dsr_export.c), shared with its
 * import (io/dsr_export_import.c) and its unit test: which tables an export holds, in what role.
 */
#ifndef KITH_IO_DSR_EXPORT_INT_H
#define KITH_IO_DSR_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "model/table.h"
#include "store/store.h"
#include "util/error.h"

#define DSR_TABLES_MAX 64
#define DSR_FIELDS_MAX 128 /* fields of one table, at most */

enum dsr_role {
    DSR_NONE = 0,  /* not in an export */
    DSR_SUBJECT,   /* contacts: the one contact */
    DSR_CATALOGUE, /* rows the others refer to: matched by natural key on import */
    DSR_OWNED,     /* rows whose contact_id is the contact (orders: also its account's) */
    DSR_CHILD,     /* rows that hang off owned rows by a required reference */
};

/*
 * The role of t, given the roles of the tables before it in model order (earlier[k] for
 * model_tables[k]); for DSR_CHILD, *parent_field is the index of the reference to its parent.
 */
enum dsr_role dsr_table_role(const struct table_def *t, const enum dsr_role *earlier,
                             size_t *parent_field);

/* One sentence saying what a table's rows are, for the person they are about. */
const char *dsr_table_description(const char *name);

struct dsr_idset {
    int64_t *v; /* ascending, no duplicates once built */
    size_t n, cap;
};

/* What one export holds: per model table (same index as model_tables), its role and row ids. */
struct dsr_plan {
    int64_t contact_id, account_id; /* account_id 0: none */
    enum dsr_role role[DSR_TABLES_MAX];
    struct dsr_idset ids[DSR_TABLES_MAX];
    /* how many queries "field = value" gathered the table's rows; the field and value of the
     * first (with exactly one, writing the rows runs it again instead of reading row by row) */
    size_t queries[DSR_TABLES_MAX];
    size_t query_field[DSR_TABLES_MAX];
    int64_t query_value[DSR_TABLES_MAX];
};

/* Fills *plan for contact_id (KITH_ENOTFOUND: no such contact); release it with
 * dsr_plan_release() on success (on failure nothing is left to release). */
int dsr_plan_build(struct store *s, int64_t contact_id, struct dsr_plan *plan,
                   struct kith_error *err);
void dsr_plan_release(struct dsr_plan *plan);

#endif
