/*
 * clv_compress.c - the weighting of equal customers for the fits: a log-likelihood is a sum over
 * customers, so equal ones (as the model sees them) are kept once with their count, found through
 * an open-addressing hash, and sorted by (T, t_x, x) for the BG/NBD sum. docs/internals/clv.md.
 */
#include "engine/clv_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* A distinct customer and its count, sorted together. */
struct weighted {
    struct clv_customer c;
    double w;
};

static int cmp_time(const void *pa, const void *pb)
{
    const struct clv_customer *a = &((const struct weighted *)pa)->c,
                              *b = &((const struct weighted *)pb)->c;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    return (a->x > b->x) - (a->x < b->x);
}

/* Orders d and w by (T, t_x, x): the BG/NBD sum then meets each T and t_x in runs. */
static int sort_by_time(struct clv_customer *d, double *w, size_t m)
{
    struct weighted *v = alloc_array(m, sizeof(*v));
    if (!v)
        return KITH_ENOMEM;
    for (size_t i = 0; i < m; i++)
        v[i] = (struct weighted){d[i], w[i]};
    qsort(v, m, sizeof(*v), cmp_time);
    for (size_t i = 0; i < m; i++) {
        d[i] = v[i].c;
        w[i] = v[i].w;
    }
    free(v);
    return 0;
}

static uint64_t customer_hash(const struct clv_customer *k)
{
    /* splitmix64's finaliser on each word: the low bits of x/7 repeat, so a plain multiply hash
     * would crowd such values into a few slots */
    uint64_t h = 0, bits[4];
    memcpy(bits, k, sizeof(bits));
    for (int j = 0; j < 4; j++) {
        uint64_t z = h + bits[j] + 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        h = z ^ (z >> 31);
    }
    return h;
}

/* An open-addressing slot: the distinct customer's index and the top of its hash. */
struct cslot {
    uint32_t index; /* UINT32_MAX: empty */
    uint32_t tag;
};

/* Places d[i] (hash h) in the table of cap slots. */
static struct cslot *cslot_find(struct cslot *t, size_t cap, const struct clv_customer *d,
                                const struct clv_customer *k, uint64_t h)
{
    size_t at = (size_t)h & (cap - 1);
    for (;; at = (at + 1) & (cap - 1)) {
        struct cslot *sl = &t[at];
        if (sl->index == UINT32_MAX ||
            (sl->tag == (uint32_t)(h >> 32) && memcmp(&d[sl->index], k, sizeof(*k)) == 0))
            return sl;
    }
}

/*
 * The distinct customers of c[0..n) as the model sees them, with how many of each there are: a
 * log-likelihood is a sum over customers, so equal ones are summed once, times their count. A
 * transaction log has whole days, so a million customers hold about a tenth as many distinct
 * (x, t_x, T); the fit then costs a tenth. gg: key (x, zbar) of repeat buyers only, else
 * (x, t_x, T). On success *out and *w are the caller's (free both); KITH_ENOMEM otherwise.
 */
int clv_fit_compress(const struct clv_customer *c, size_t n, bool gg, struct clv_customer **out,
                     double **w, size_t *nout)
{
    size_t cap = 4096, m = 0;
    struct cslot *t = alloc_array(cap, sizeof(*t));
    struct clv_customer *d = alloc_array(n, sizeof(*d));
    double *cnt = alloc_array(n, sizeof(*cnt));
    int rc = t && d && cnt && n < UINT32_MAX ? 0 : KITH_ENOMEM;
    if (t)
        memset(t, 0xff, cap * sizeof(*t));
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (gg && !(c[i].x > 0))
            continue;
        struct clv_customer k = gg ? (struct clv_customer){.x = c[i].x, .zbar = c[i].zbar}
                                   : (struct clv_customer){c[i].x, c[i].t_x, c[i].T, 0};
        uint64_t h = customer_hash(&k);
        struct cslot *sl = cslot_find(t, cap, d, &k, h);
        if (sl->index != UINT32_MAX) {
            cnt[sl->index] += 1;
            continue;
        }
        *sl = (struct cslot){(uint32_t)m, (uint32_t)(h >> 32)};
        d[m] = k;
        cnt[m++] = 1;
        if (2 * m > cap) { /* at most half full: rehash into twice the room */
            struct cslot *nt = alloc_array(cap, 2 * sizeof(*nt));
            if (!nt) {
                rc = KITH_ENOMEM;
                break;
            }
            memset(nt, 0xff, 2 * cap * sizeof(*nt));
            for (size_t j = 0; j < m; j++) {
                uint64_t hj = customer_hash(&d[j]);
                *cslot_find(nt, 2 * cap, d, &d[j], hj) =
                    (struct cslot){(uint32_t)j, (uint32_t)(hj >> 32)};
            }
            free(t);
            t = nt;
            cap *= 2;
        }
    }
    free(t);
    if (rc == 0 && !gg)
        rc = sort_by_time(d, cnt, m);
    if (rc < 0) {
        free(d);
        free(cnt);
        return rc;
    }
    *out = d;
    *w = cnt;
    *nout = m;
    return 0;
}
