/*
 * value_proxy.c - proxies for the customers the model cannot value (too young, or a history it
 * gives no value for): the mean predicted value of their segment (industry x revenue band), else
 * of their industry, else of everyone; and the names of the bases and reasons.
 */
#include "engine/value_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* ---- step 3: proxies -------------------------------------------------------------------- */

/* Group means: keys ascending and distinct, with the mean and count of their values. */
struct means {
    size_t n;
    uint64_t *key;
    double *mean;
    size_t *count;
};

static void means_release(struct means *m)
{
    free(m->key);
    free(m->mean);
    free(m->count);
    memset(m, 0, sizeof(*m));
}

/* Sorts kv[0..n) and reduces it to group means. */
static int means_build(struct keyed *kv, size_t n, struct means *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    qsort(kv, n, sizeof(*kv), keyed_cmp);
    size_t groups = 0;
    for (size_t i = 0; i < n; i++)
        groups += i == 0 || kv[i].key != kv[i - 1].key;
    out->key = alloc_array(groups, sizeof(*out->key));
    out->mean = alloc_array(groups, sizeof(*out->mean));
    out->count = alloc_array(groups, sizeof(*out->count));
    if (!out->key || !out->mean || !out->count) {
        means_release(out);
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for proxy groups");
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double s = 0;
        while (j < n && kv[j].key == kv[i].key)
            s += kv[j++].value;
        out->key[out->n] = kv[i].key;
        out->count[out->n] = j - i;
        out->mean[out->n] = s / (double)(j - i);
        out->n++;
        i = j;
    }
    return 0;
}

static bool means_find(const struct means *m, uint64_t key, size_t min, double *mean)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->key[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n && m->key[lo] == key && m->count[lo] >= min) {
        *mean = m->mean[lo];
        return true;
    }
    return false;
}

int value_apply_proxies(const struct cv_data *d, struct value_result *r,
                        const struct value_options *o, struct kith_error *err)
{
    size_t nvalued = 0, nproxy = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->c[i].proxy_reason == VALUE_PROXY_NO)
            nvalued++;
        else
            nproxy++;
    }
    if (nproxy == 0)
        return 0;
    struct keyed *kv = alloc_array(nvalued, sizeof(*kv));
    if (!kv)
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for proxies");
    struct means seg = {0}, ind = {0};
    double all = 0;
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        if (c->proxy_reason != VALUE_PROXY_NO)
            continue;
        kv[k++] = (struct keyed){segment_key(industry_of(d, c), band_of(d, c)), c->predicted};
        all += c->predicted;
    }
    int rc = means_build(kv, nvalued, &seg, err);
    if (rc == 0) {
        for (size_t i = 0; i < nvalued; i++)
            kv[i].key >>= 32; /* the industry part */
        rc = means_build(kv, nvalued, &ind, err);
    }
    if (rc < 0)
        goto out_free;
    for (size_t i = 0; i < r->n; i++) {
        struct value_customer *c = &r->c[i];
        if (c->proxy_reason == VALUE_PROXY_NO)
            continue;
        int32_t industry = industry_of(d, c);
        double mean;
        if (means_find(&seg, segment_key(industry, band_of(d, c)), o->proxy_min, &mean)) {
            c->basis = VALUE_BASIS_SEGMENT;
        } else if (means_find(&ind, (uint64_t)(uint32_t)(industry + 1), o->proxy_min, &mean)) {
            c->basis = VALUE_BASIS_INDUSTRY;
        } else if (nvalued > 0) {
            c->basis = VALUE_BASIS_ALL;
            mean = all / (double)nvalued;
        } else {
            c->basis = VALUE_BASIS_NONE;
            mean = 0;
        }
        c->predicted = mean;
        c->lifetime = c->to_date + mean;
    }
out_free:
    means_release(&seg);
    means_release(&ind);
    free(kv);
    return rc;
}

const char *value_basis_name(enum value_basis b)
{
    switch (b) {
    case VALUE_BASIS_MODEL:
        return "model";
    case VALUE_BASIS_SEGMENT:
        return "segment";
    case VALUE_BASIS_INDUSTRY:
        return "industry";
    case VALUE_BASIS_ALL:
        return "all";
    case VALUE_BASIS_NONE:
        return "none";
    }
    return "?";
}

const char *value_proxy_reason_text(enum value_proxy_reason r)
{
    switch (r) {
    case VALUE_PROXY_NO:
        return "";
    case VALUE_PROXY_YOUNG:
        return "first order too recent for the model";
    case VALUE_PROXY_UNDEFINED:
        return "the model gives no value for this history";
    }
    return "?";
}
