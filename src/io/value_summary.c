/*
 * value_summary.c - the customer summary CSV (id, frequency, recency, T, monetary_value or the
 * paper's x, t_x, T, zbar) read with io/csv.h and checked row by row, so that a bad row is
 * reported with its line before any model sees it (value_summary.h).
 */
#include "io/value_summary.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csv.h"

#include "util/alloc.h"
#include "util/num.h"

#include "util/banned.h"

#define MAX_ROWS ((size_t)1 << 31)

enum col { COL_ID, COL_X, COL_TX, COL_T, COL_Z, NCOLS };

static const char *const col_names[NCOLS][3] = {
    [COL_ID] = {"id", "customer_id", NULL},     [COL_X] = {"frequency", "x", NULL},
    [COL_TX] = {"recency", "t_x", NULL},        [COL_T] = {"T", NULL, NULL},
    [COL_Z] = {"monetary_value", "zbar", NULL},
};

void value_summary_file_release(struct value_summary_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->ids[i]);
    free(f->ids);
    free(f->cust);
    memset(f, 0, sizeof(*f));
}

static int column_of(const char *name)
{
    for (int c = 0; c < NCOLS; c++)
        for (int k = 0; k < 3 && col_names[c][k]; k++)
            if (strcasecmp(col_names[c][k], name) == 0)
                return c;
    return -1;
}

/* The number in cell, or an error naming the column. */
static int parse_number(const struct csv_cell *cell, const char *name, uint64_t line,
                        const char *col, double *out, struct kith_error *err)
{
    if (cell->is_null || cell->len == 0)
        return kith_err(err, KITH_EINVAL, "%s:%llu: %s is empty", name, (unsigned long long)line,
                        col);
    double v;
    if (num_parse_double(cell->s, cell->len, -DBL_MAX, DBL_MAX, &v, col, NULL) < 0)
        return kith_err(err, KITH_EINVAL, "%s:%llu: %s '%.40s' is not a number", name,
                        (unsigned long long)line, col, cell->s);
    *out = v;
    return 0;
}

static int check_row(const struct clv_customer *c, const char *name, uint64_t line,
                     struct kith_error *err)
{
    unsigned long long ln = (unsigned long long)line;
    if (c->x < 0)
        return kith_err(err, KITH_EINVAL, "%s:%llu: frequency %g is negative", name, ln, c->x);
    if (c->x != floor(c->x))
        return kith_err(err, KITH_EINVAL,
                        "%s:%llu: frequency %g is not a whole number (it counts repeat "
                        "purchases)",
                        name, ln, c->x);
    if (c->t_x < 0)
        return kith_err(err, KITH_EINVAL, "%s:%llu: recency %g is negative", name, ln, c->t_x);
    if (c->T < 0)
        return kith_err(err, KITH_EINVAL, "%s:%llu: T %g is negative", name, ln, c->T);
    if (c->t_x > c->T)
        return kith_err(err, KITH_EINVAL,
                        "%s:%llu: recency %g is greater than T %g (the last purchase cannot "
                        "come after the end of calibration)",
                        name, ln, c->t_x, c->T);
    if (c->x == 0 && c->t_x != 0)
        return kith_err(err, KITH_EINVAL,
                        "%s:%llu: recency %g without repeat purchases (frequency 0); it must "
                        "be 0",
                        name, ln, c->t_x);
    /* A repeat buyer's monetary value of 0 or below (free or refunded repeat purchases) is no
     * error: the rule of engine/clv.h (gg_fit_rule, gg_expected_spend) treats it, as on the
     * orders path, and the answer counts it. */
    return 0;
}

static int append(struct value_summary_file *out, size_t *cap, const char *id,
                  const struct clv_customer *c, struct kith_error *err)
{
    if (out->n == *cap) {
        if (*cap >= MAX_ROWS)
            return kith_err(err, KITH_ERANGE, "more than %zu customers", MAX_ROWS);
        size_t ncap = *cap ? 2 * *cap : 1024;
        char **ids = alloc_array_grow(out->ids, ncap, sizeof(*ids));
        if (ids)
            out->ids = ids;
        struct clv_customer *cust = ids ? alloc_array_grow(out->cust, ncap, sizeof(*cust)) : NULL;
        if (!cust)
            return kith_err(err, KITH_ENOMEM, "out of memory for %zu customers", ncap);
        out->cust = cust;
        *cap = ncap;
    }
    char *copy = strdup(id);
    if (!copy)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    out->ids[out->n] = copy;
    out->cust[out->n] = *c;
    out->n++;
    return 0;
}

int value_summary_read(FILE *in, const char *name, struct value_summary_file *out,
                       struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    struct csv_reader *r = NULL;
    struct csv_record rec;
    int rc = csv_reader_new(in, name, &r, err);
    if (rc < 0)
        return rc;
    if ((rc = csv_reader_next(r, &rec, err)) < 0)
        goto out_free;
    if (rec.nfields == 0) {
        rc = kith_err(err, KITH_EINVAL,
                      "%s: the file is empty; expected a header naming the columns id, "
                      "frequency, recency, T and monetary_value (or x, t_x, T, zbar)",
                      name);
        goto out_free;
    }
    int pos[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        pos[c] = -1;
    const uint64_t header_line = rec.line;
    for (size_t f = 0; f < rec.nfields; f++) {
        int c = column_of(rec.cells[f].s);
        if (c < 0)
            continue;
        if (pos[c] >= 0) {
            rc = kith_err(err, KITH_EINVAL, "%s:%llu: two columns name %s", name,
                          (unsigned long long)header_line, col_names[c][0]);
            goto out_free;
        }
        pos[c] = (int)f;
    }
    for (int c = COL_X; c <= COL_T; c++) {
        if (pos[c] < 0) {
            rc = kith_err(err, KITH_EINVAL,
                          "%s:%llu: the header has no column %s (or %s); it needs frequency, "
                          "recency and T",
                          name, (unsigned long long)header_line, col_names[c][0],
                          col_names[c][1] ? col_names[c][1] : col_names[c][0]);
            goto out_free;
        }
    }
    const size_t nheader = rec.nfields;
    out->has_monetary = pos[COL_Z] >= 0;
    size_t cap = 0;
    for (;;) {
        if ((rc = csv_reader_next(r, &rec, err)) < 0)
            goto out_free;
        if (rec.nfields == 0)
            break;
        const unsigned long long ln = (unsigned long long)rec.line;
        if (rec.nfields != nheader) {
            rc = kith_err(err, KITH_EINVAL, "%s:%llu: %zu fields, but the header has %zu", name, ln,
                          rec.nfields, nheader);
            goto out_free;
        }
        struct clv_customer c = {0};
        static const char *const what[NCOLS] = {"id", "frequency", "recency", "T",
                                                "monetary_value"};
        double *dst[NCOLS] = {NULL, &c.x, &c.t_x, &c.T, &c.zbar};
        for (int k = COL_X; k < NCOLS; k++) {
            if (pos[k] >= 0 &&
                (rc = parse_number(&rec.cells[pos[k]], name, rec.line, what[k], dst[k], err)) < 0)
                goto out_free;
        }
        if ((rc = check_row(&c, name, rec.line, err)) < 0)
            goto out_free;
        char idbuf[32];
        const char *id = idbuf;
        if (pos[COL_ID] >= 0) {
            const struct csv_cell *cell = &rec.cells[pos[COL_ID]];
            if (cell->len == 0 || cell->len > VALUE_SUMMARY_ID_MAX) {
                rc = kith_err(err, KITH_EINVAL, "%s:%llu: the id must be 1 to %d bytes", name, ln,
                              VALUE_SUMMARY_ID_MAX);
                goto out_free;
            }
            id = cell->s;
        } else {
            snprintf(idbuf, sizeof(idbuf), "line %llu", ln);
        }
        if ((rc = append(out, &cap, id, &c, err)) < 0) {
            kith_err_prefix(err, "%s:%llu", name, ln);
            goto out_free;
        }
    }
    if (out->n == 0)
        rc = kith_err(err, KITH_EINVAL, "%s:%llu: no customer rows after the header", name,
                      (unsigned long long)header_line);
out_free:
    csv_reader_free(r);
    if (rc < 0)
        value_summary_file_release(out);
    return rc;
}
