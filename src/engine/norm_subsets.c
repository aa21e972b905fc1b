/*
 * norm_subsets.c - the subsets a contact may be in several of: event kinds (its own events and
 * its account's, by as_of) and profit (high, low, potential), each a bit mask per contact that
 * the grouping and the filters read. docs/internals/rv.md ("Norms").
 */
#include "engine/norm_int.h"

#include <math.h>
#include <stdlib.h>

#include "util/alloc.h"
#include "engine/quantile.h"
#include "engine/rv.h"

#include "util/banned.h"

int norm_event_masks(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    uint16_t *m = alloc_array_zero(s->nc, sizeof(*m));
    if (!m)
        return KITH_ENOMEM;
    w->r->event_mask = m;
    /* account-level events reach every contact of the account */
    uint32_t *off = NULL, *list = NULL;
    for (size_t e = 0; e < s->nevents; e++) {
        if (s->e_t[e] > w->at)
            continue;
        uint16_t bit = (uint16_t)(1u << s->e_kind[e]);
        if (s->e_contact[e] >= 0) {
            m[s->e_contact[e]] |= bit;
            continue;
        }
        if (s->e_account[e] < 0)
            continue;
        if (!off) {
            off = alloc_array_zero(s->nacct + 1, sizeof(*off));
            list = alloc_array(s->nc, sizeof(*list));
            if (!off || !list) {
                free(off);
                free(list);
                return KITH_ENOMEM;
            }
            for (size_t c = 0; c < s->nc; c++)
                if (s->account[c] >= 0)
                    off[s->account[c] + 1]++;
            for (size_t a = 0; a < s->nacct; a++)
                off[a + 1] += off[a];
            uint32_t *fill = alloc_array_zero(s->nacct + 1, sizeof(*fill));
            if (!fill) {
                free(off);
                free(list);
                return KITH_ENOMEM;
            }
            for (size_t c = 0; c < s->nc; c++)
                if (s->account[c] >= 0)
                    list[off[s->account[c]] + fill[s->account[c]]++] = (uint32_t)c;
            free(fill);
        }
        int32_t a = s->e_account[e];
        for (uint32_t k = off[a]; k < off[a + 1]; k++)
            m[list[k]] |= bit;
    }
    free(off);
    free(list);
    return 0;
}

int norm_profit_masks(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    struct norm_result *r = w->r;
    size_t nent = s->nacct + s->nc;
    int64_t *profit = alloc_array_zero(nent, sizeof(*profit));
    uint32_t *orders = alloc_array_zero(nent, sizeof(*orders));
    uint8_t *cls = alloc_array_zero(nent, 1);
    double *vals = alloc_array(nent, sizeof(*vals));
    r->profit_mask = alloc_array_zero(s->nc, 1);
    int rc = KITH_ENOMEM;
    if (!profit || !orders || !cls || !vals || !r->profit_mask)
        goto out_free;
    for (size_t o = 0; o < s->norders; o++) {
        size_t e = rv_customer_of_order(s, o);
        if (s->o_t[o] > w->at || e == SIZE_MAX)
            continue;
        profit[e] += s->o_margin[o];
        orders[e]++;
    }
    for (size_t c = 0; c < s->nc; c++)
        profit[rv_customer_of_contact(s, c)] -= w->cost[c];
    size_t n = 0;
    for (size_t e = 0; e < nent; e++)
        if (orders[e])
            vals[n++] = (double)profit[e];
    quantile_sort(vals, n);
    r->profit_high_cut = quantile_sorted(vals, n, 80, 100);
    double p20 = quantile_sorted(vals, n, 20, 100);
    r->profit_low_cut = n ? (p20 > 0 ? p20 : 0) : NAN;
    for (size_t e = 0; e < nent; e++) {
        if (!orders[e])
            continue;
        double p = (double)profit[e];
        if (p > 0 && p >= r->profit_high_cut)
            cls[e] = 1u << NORM_PROFIT_HIGH;
        else if (p <= r->profit_low_cut)
            cls[e] = 1u << NORM_PROFIT_LOW;
        else
            cls[e] = 0x80; /* a customer in between */
    }
    /* potential: as deep a relationship as the high-profit customers' median contact */
    n = 0;
    for (size_t c = 0; c < s->nc; c++) {
        size_t e = rv_customer_of_contact(s, c);
        if ((cls[e] & (1u << NORM_PROFIT_HIGH)) && w->nb[c])
            vals[n++] = (double)w->cur[c];
    }
    quantile_sort(vals, n);
    r->potential_rv = quantile_sorted(vals, n, 1, 2);
    for (size_t c = 0; c < s->nc; c++) {
        size_t e = rv_customer_of_contact(s, c);
        uint8_t m = cls[e] & ((1u << NORM_PROFIT_HIGH) | (1u << NORM_PROFIT_LOW));
        if (cls[e] && !(cls[e] & (1u << NORM_PROFIT_HIGH)) && n && w->nb[c] &&
            (double)w->cur[c] >= r->potential_rv)
            m |= 1u << NORM_PROFIT_POTENTIAL;
        r->profit_mask[c] = m;
    }
    rc = 0;
out_free:
    free(profit);
    free(orders);
    free(cls);
    free(vals);
    return rc;
}
