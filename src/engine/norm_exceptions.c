/*
 * norm_exceptions.c - the exceptions of a norm: the positions behind or ahead, most extreme first,
 * by how far outside [p10, p90] they are in units of the row's spread.
 */
#include "engine/norm_int.h"

#include <stdlib.h>

#include "util/alloc.h"

#include "util/banned.h"

/* How far outside [p10, p90] a position is, in row spreads (0 inside). */
static double outside(const struct norm_result *r, const struct norm_position *p)
{
    const struct norm_row *row = &r->rows[r->groups[p->group].row_off + p->row];
    double spread = row->p90 - row->p10 < 1 ? 1 : row->p90 - row->p10;
    if ((double)p->rv < row->p10)
        return (row->p10 - (double)p->rv) / spread;
    if ((double)p->rv > row->p90)
        return ((double)p->rv - row->p90) / spread;
    return 0;
}

struct ranked {
    double d;
    int32_t contact;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->d != y->d)
        return x->d > y->d ? -1 : 1;
    if (x->contact != y->contact)
        return x->contact < y->contact ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int norm_exceptions(const struct norm_result *r, int status, size_t **out, size_t *n,
                    struct kith_error *err)
{
    *out = NULL;
    *n = 0;
    size_t m = 0;
    struct ranked *v = alloc_array(r->npositions, sizeof(*v));
    if (!v)
        return kith_err(err, KITH_ENOMEM, "out of memory listing exceptions");
    for (size_t i = 0; i < r->npositions; i++) {
        int st = r->positions[i].status;
        if ((st == NORM_BEHIND || st == NORM_AHEAD) &&
            (status != NORM_BEHIND && status != NORM_AHEAD ? true : st == status))
            v[m++] = (struct ranked){outside(r, &r->positions[i]), r->positions[i].contact, i};
    }
    qsort(v, m, sizeof(*v), cmp_ranked);
    size_t *idx = alloc_array(m, sizeof(*idx));
    if (!idx) {
        free(v);
        return kith_err(err, KITH_ENOMEM, "out of memory listing exceptions");
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = v[i].i;
    free(v);
    *out = idx;
    *n = m;
    return 0;
}
