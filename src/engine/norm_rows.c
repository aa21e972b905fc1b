/*
 * norm_rows.c - the rows of one norm group: a 2-D histogram (bucket x RV value) filled with one
 * +1/-1 pair per change of a member's cumulative RV and summed along the buckets, so the work is
 * linear in runs plus buckets x RV range; groups with a wide range sort their values instead.
 * Both paths give the same numbers. docs/internals/rv.md ("Norms").
 */
#include "engine/norm_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/quantile.h"
#include "util/bigmem.h"

#include "util/banned.h"

/* The probabilities a row needs: p10..p90, then the grid points i / (m - 1). */
struct probs {
    size_t n;
    uint64_t num[5 + NORM_GRID_MAX], den[5 + NORM_GRID_MAX];
};

static void row_probs(uint32_t m, struct probs *p)
{
    static const uint64_t pct[5] = {10, 25, 50, 75, 90};
    p->n = 0;
    for (int i = 0; i < 5; i++) {
        p->num[p->n] = pct[i];
        p->den[p->n++] = 100;
    }
    for (uint32_t i = 0; i < m; i++) {
        p->num[p->n] = m > 1 ? i : 0;
        p->den[p->n++] = m > 1 ? m - 1 : 1;
    }
}

static void row_store(struct norm_result *r, struct norm_row *row, const double *q)
{
    row->p10 = q[0];
    row->p25 = q[1];
    row->p50 = q[2];
    row->p75 = q[3];
    row->p90 = q[4];
    for (uint32_t i = 0; i < row->grid_n; i++)
        r->grid[row->grid_off + i] = (float)q[5 + i];
}

/* Scratch memory of one thread, grown as groups need. */
struct scratch {
    int32_t *hist;
    size_t histcap;
    int64_t *vals;
    size_t valscap;
    uint32_t *off;
    size_t offcap;
};

static int scratch_need(void **p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    void *np = bigmem_array_grow(*p, n, size);
    if (!np)
        return KITH_ENOMEM;
    *p = np;
    *cap = n;
    return 0;
}

/* Quantiles of a row held as a histogram over values lo .. lo + R - 1. */
static void row_from_hist(struct norm_result *r, struct norm_row *row, const int32_t *h, size_t R,
                          int64_t lo)
{
    double q[5 + NORM_GRID_MAX];
    if (!row->n) {
        for (int i = 0; i < 5; i++)
            q[i] = NAN;
        row_store(r, row, q);
        return;
    }
    struct probs p;
    row_probs(row->grid_n, &p);
    /* the order statistics needed, ascending: quantile positions are monotone within each of
     * the two lists (percentiles, grid), so merge-free: collect, sort by insertion (<= 212) */
    size_t need[2 * (5 + NORM_GRID_MAX)], nneed = 0;
    size_t qlo[5 + NORM_GRID_MAX];
    double qf[5 + NORM_GRID_MAX];
    for (size_t i = 0; i < p.n; i++) {
        quantile_index(row->n, p.num[i], p.den[i], &qlo[i], &qf[i]);
        need[nneed++] = qlo[i];
        if (qf[i] > 0 && qlo[i] + 1 < row->n)
            need[nneed++] = qlo[i] + 1;
    }
    for (size_t i = 1; i < nneed; i++) {
        size_t v = need[i], j = i;
        while (j > 0 && need[j - 1] > v) {
            need[j] = need[j - 1];
            j--;
        }
        need[j] = v;
    }
    int64_t val[2 * (5 + NORM_GRID_MAX)];
    size_t j = 0;
    uint64_t cum = 0;
    for (size_t v = 0; v < R && j < nneed; v++) {
        if (!h[v])
            continue;
        cum += (uint64_t)h[v];
        while (j < nneed && need[j] < cum)
            val[j++] = lo + (int64_t)v;
    }
    for (size_t i = 0; i < p.n; i++) {
        /* look the two order statistics up in need[] (binary search) */
        size_t a = 0, b = nneed;
        while (a < b) {
            size_t mid = (a + b) / 2;
            if (need[mid] < qlo[i])
                a = mid + 1;
            else
                b = mid;
        }
        double x = (double)val[a];
        if (qf[i] > 0 && qlo[i] + 1 < row->n) {
            size_t c = a;
            while (need[c] == qlo[i])
                c++;
            x += qf[i] * (double)(val[c] - val[a]);
        }
        q[i] = x;
    }
    row_store(r, row, q);
}

static void row_from_sorted(struct norm_result *r, struct norm_row *row, const int64_t *v)
{
    double q[5 + NORM_GRID_MAX];
    struct probs p;
    row_probs(row->grid_n, &p);
    for (size_t i = 0; i < p.n; i++)
        q[i] = quantile_sorted_i64(v, row->n, p.num[i], p.den[i]);
    row_store(r, row, q);
}

/* Adds +1 at (b0, v) and -1 at (b1, v): contact has value v in rows b0 .. b1 - 1. */
static inline void hist_run(int32_t *h, size_t R, int64_t lo, uint32_t b0, uint32_t b1, int64_t v)
{
    if (b0 >= b1)
        return;
    h[(size_t)b0 * R + (size_t)(v - lo)]++;
    h[(size_t)b1 * R + (size_t)(v - lo)]--;
}

static int group_hist(struct work *w, size_t g, struct scratch *sc, int64_t lo, size_t R)
{
    const struct norm_group *gr = &w->r->groups[g];
    size_t cells = ((size_t)gr->nrows + 1) * R;
    if (scratch_need((void **)&sc->hist, &sc->histcap, cells, sizeof(int32_t)) < 0)
        return KITH_ENOMEM;
    int32_t *h = sc->hist;
    memset(h, 0, cells * sizeof(*h));
    for (size_t p = w->soff[g]; p < w->soff[g + 1];) {
        uint32_t nb = w->stream[p].b, nr = (uint32_t)w->stream[p].v;
        const struct nrun *r = w->stream + p + 1;
        for (uint32_t j = 0; j < nr; j++)
            hist_run(h, R, lo, r[j].b, j + 1 < nr ? r[j + 1].b : nb, r[j].v);
        p += (size_t)nr + 1;
    }
    for (uint32_t b = 1; b < gr->nrows; b++) {
        int32_t *row = h + (size_t)b * R, *prev = row - R;
        for (size_t v = 0; v < R; v++)
            row[v] += prev[v];
    }
    for (uint32_t b = 0; b < gr->nrows; b++)
        row_from_hist(w->r, &w->r->rows[gr->row_off + b], h + (size_t)b * R, R, lo);
    return 0;
}

static int group_sort(struct work *w, size_t g, struct scratch *sc, size_t nvals)
{
    const struct norm_group *gr = &w->r->groups[g];
    struct norm_row *rows = &w->r->rows[gr->row_off];
    if (scratch_need((void **)&sc->vals, &sc->valscap, nvals, sizeof(int64_t)) < 0 ||
        scratch_need((void **)&sc->off, &sc->offcap, (size_t)gr->nrows + 1, sizeof(uint32_t)) < 0)
        return KITH_ENOMEM;
    uint32_t *off = sc->off;
    off[0] = 0;
    for (uint32_t b = 0; b < gr->nrows; b++)
        off[b + 1] = off[b] + rows[b].n;
    for (size_t p = w->soff[g]; p < w->soff[g + 1];) {
        uint32_t nb = w->stream[p].b, nr = (uint32_t)w->stream[p].v;
        const struct nrun *r = w->stream + p + 1;
        for (uint32_t j = 0; j < nr; j++) {
            uint32_t b1 = j + 1 < nr ? r[j + 1].b : nb;
            for (uint32_t b = r[j].b; b < b1; b++)
                sc->vals[off[b]++] = r[j].v;
        }
        p += (size_t)nr + 1;
    }
    for (uint32_t b = 0, start = 0; b < gr->nrows; b++) {
        quantile_sort_i64(sc->vals + start, rows[b].n);
        if (rows[b].n)
            row_from_sorted(w->r, &rows[b], sc->vals + start);
        else
            row_from_hist(w->r, &rows[b], NULL, 0, 0);
        start += rows[b].n;
    }
    return 0;
}

static int group_rows(struct work *w, size_t g, struct scratch *sc)
{
    struct norm_group *gr = &w->r->groups[g];
    int64_t lo = w->glo[g], hi = w->ghi[g];
    size_t nvals = w->gvals[g];
    if (!gr->nrows)
        return 0;
    /* a histogram when it is not much larger than the values it replaces */
    uint64_t range = (uint64_t)(hi - lo) + 1;
    uint64_t cells = ((uint64_t)gr->nrows + 1) * range;
    size_t limit = w->spec->hist_cells ? w->spec->hist_cells : (size_t)1 << 24;
    if (hi - lo < INT32_MAX && cells <= limit && cells <= 16 * (uint64_t)nvals + 65536) {
        gr->exact = true;
        return group_hist(w, g, sc, lo, (size_t)range);
    }
    gr->exact = false;
    return group_sort(w, g, sc, nvals);
}

void *norm_group_worker(void *arg)
{
    struct work *w = arg;
    struct scratch sc = {0};
    for (;;) {
        size_t g = atomic_fetch_add(&w->next_group, 1);
        if (g >= w->r->ngroups || w->failed)
            break;
        if (group_rows(w, g, &sc) < 0) {
            w->failed = 1;
            break;
        }
    }
    free(sc.hist);
    free(sc.vals);
    free(sc.off);
    return NULL;
}
