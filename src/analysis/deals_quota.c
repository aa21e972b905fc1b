/*
 * deals_quota.c - quota attainment (docs/deals.md, "quota"): for each quota of a user and
 * period, the won amount of the deals that user owns and closed in the period, over the quota;
 * by manager, the quotas of a period held by a manager and everyone below them, added up with
 * what those users won in it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/deals_int.h"
#include "util/alloc.h"

#include "util/banned.h"

static bool overlaps(const struct deal_quota_rec *q, const struct deals_report *r)
{
    return (!r->has_from || q->end > r->p.from) && (!r->has_to || q->start < r->p.to);
}

static int key_cmp(struct deals_key a, struct deals_key b)
{
    int c = strcmp(a.name ? a.name : "", b.name ? b.name : "");
    return c ? c : (a.id > b.id) - (a.id < b.id);
}

static int row_cmp(const void *a, const void *b)
{
    const struct deals_quota_row *x = a, *y = b;
    int c = key_cmp(x->key, y->key);
    if (c)
        return c;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* A quota counted for a manager (by manager): m, the quota's index in won[]. */
struct credit {
    size_t m, q;
    int64_t start, end;
};

static int credit_cmp(const void *a, const void *b)
{
    const struct credit *x = a, *y = b;
    if (x->m != y->m)
        return x->m < y->m ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (x->q > y->q) - (x->q < y->q);
}

static double attainment(int64_t won, int64_t quota)
{
    return quota > 0 ? (double)won / (double)quota : NAN;
}

static const char *same_currency(const char *a, const char *b, bool first)
{
    if (first)
        return b;
    return a && b && strcmp(a, b) == 0 ? a : NULL;
}

/* The rows by manager, from the quotas q[0..nq) (quota k is d->quotas[idx[k]]). */
static int manager_rows(struct deals_report *r, const struct deals_quota_won *won,
                        const size_t *idx, size_t nq, struct kith_error *err)
{
    const struct deal_data *d = &r->d;
    size_t n = 0, cap = 0;
    struct credit *c = NULL;
    for (size_t k = 0; k < nq; k++) {
        const size_t u = won[k].owner;
        if (u >= d->nusers)
            continue;
        /* u itself when u manages someone, then everyone above u */
        const size_t above = r->org.above0[u + 1] - r->org.above0[u];
        for (size_t j = r->org.manages[u] ? 0 : 1; j <= above; j++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                struct credit *p = alloc_array_grow(c, cap, sizeof(*c));
                if (!p) {
                    free(c);
                    return kith_err(err, KITH_ENOMEM, "out of memory rolling up quotas");
                }
                c = p;
            }
            const size_t m = j == 0 ? u : r->org.above[r->org.above0[u] + j - 1];
            c[n++] = (struct credit){m, k, won[k].start, won[k].end};
        }
    }
    qsort(c, n, sizeof(*c), credit_cmp);
    size_t rows = 0;
    for (size_t i = 0; i < n; i++)
        rows += i == 0 || c[i].m != c[i - 1].m || c[i].start != c[i - 1].start ||
                c[i].end != c[i - 1].end;
    r->quota_rows = alloc_array_zero(rows ? rows : 1, sizeof(*r->quota_rows));
    if (!r->quota_rows) {
        free(c);
        return kith_err(err, KITH_ENOMEM, "out of memory rolling up quotas");
    }
    for (size_t i = 0; i < n; i++) {
        const bool fresh = i == 0 || c[i].m != c[i - 1].m || c[i].start != c[i - 1].start ||
                           c[i].end != c[i - 1].end;
        if (fresh) {
            struct deals_quota_row *x = &r->quota_rows[r->nquota_rows++];
            x->key = (struct deals_key){d->users[c[i].m].id, d->users[c[i].m].name};
            x->start = c[i].start;
            x->end = c[i].end;
        }
        struct deals_quota_row *x = &r->quota_rows[r->nquota_rows - 1];
        const struct deal_quota_rec *q = &d->quotas[idx[c[i].q]];
        x->currency = same_currency(x->currency, q->currency, fresh);
        x->quota += q->amount;
        x->won += won[c[i].q].won;
        x->won_amount += won[c[i].q].won_amount;
        x->users++;
    }
    free(c);
    return 0;
}

int deals_quota_run(struct deals_report *r, struct kith_error *err)
{
    const struct deal_data *d = &r->d;
    struct deal_item *items = alloc_array_grow(NULL, d->n ? d->n : 1, sizeof(*items));
    struct deals_quota_won *won = alloc_array_grow(NULL, d->nquotas ? d->nquotas : 1, sizeof(*won));
    size_t *idx = alloc_array_grow(NULL, d->nquotas ? d->nquotas : 1, sizeof(*idx));
    size_t n = 0, nq = 0;
    int rc = 0;
    if (!items || !won || !idx) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory adding up quotas");
        goto out;
    }
    for (size_t i = 0; i < d->n; i++) {
        const size_t u = deals_owner_index(d, &d->deals[i]);
        if (u != DEALS_NONE)
            items[n++] = deals_item_of(d, i, u, d->deals[i].amount);
    }
    for (size_t k = 0; k < d->nquotas; k++) {
        const struct deal_quota_rec *q = &d->quotas[k];
        if (!overlaps(q, r))
            continue;
        idx[nq] = k;
        won[nq++] = (struct deals_quota_won){
            .owner = deals_user_index(d, q->user_id), .start = q->start, .end = q->end};
    }
    if ((rc = deals_quota_attainment(items, n, d->nusers, won, nq, err)) < 0)
        goto out;
    struct deals_quota_row *t = &r->quota_total;
    for (size_t k = 0; k < nq; k++) {
        const struct deal_quota_rec *q = &d->quotas[idx[k]];
        t->currency = same_currency(t->currency, q->currency, k == 0);
        t->quota += q->amount;
        t->won += won[k].won;
        t->won_amount += won[k].won_amount;
        t->users++;
    }
    t->attainment = attainment(t->won_amount, t->quota);
    if (r->p.by == DEALS_BY_MANAGER) {
        if ((rc = manager_rows(r, won, idx, nq, err)) < 0)
            goto out;
    } else {
        r->quota_rows = alloc_array_zero(nq ? nq : 1, sizeof(*r->quota_rows));
        if (!r->quota_rows) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory adding up quotas");
            goto out;
        }
        for (size_t k = 0; k < nq; k++) {
            const struct deal_quota_rec *q = &d->quotas[idx[k]];
            const size_t u = won[k].owner;
            r->quota_rows[k] = (struct deals_quota_row){
                .key = {q->user_id, u < d->nusers ? d->users[u].name : NULL},
                .start = q->start,
                .end = q->end,
                .quota = q->amount,
                .won = won[k].won,
                .won_amount = won[k].won_amount,
                .users = 1,
                .currency = q->currency};
        }
        r->nquota_rows = nq;
    }
    for (size_t k = 0; k < r->nquota_rows; k++)
        r->quota_rows[k].attainment =
            attainment(r->quota_rows[k].won_amount, r->quota_rows[k].quota);
    qsort(r->quota_rows, r->nquota_rows, sizeof(*r->quota_rows), row_cmp);
out:
    free(items);
    free(won);
    free(idx);
    return rc;
}
