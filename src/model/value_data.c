/*
 * value_data.c - lifetime and lookups of struct cv_data, the inputs of customer value management
 * that the store loads and the engine reads (value_data.h).
 */
#include "model/value_data.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void cv_labels_release(struct cv_labels *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    memset(l, 0, sizeof(*l));
}

void cv_data_release(struct cv_data *d)
{
    if (!d)
        return;
    free(d->accounts);
    free(d->strings);
    cv_labels_release(&d->industries);
    cv_labels_release(&d->revenue_bands);
    cv_labels_release(&d->sources);
    cv_labels_release(&d->units);
    cv_labels_release(&d->categories);
    free(d->orders);
    for (size_t i = 0; i < d->nproducts; i++) {
        free(d->products[i].sku);
        free(d->products[i].name);
    }
    free(d->products);
    free(d->lines);
    free(d->costs);
    free(d->referrals);
    memset(d, 0, sizeof(*d));
}

const char *cv_text(const struct cv_data *d, uint32_t off)
{
    return off == CV_NO_TEXT || off >= d->strings_len ? NULL : d->strings + off;
}

int cv_text_add(struct cv_data *d, const char *text, size_t len, uint32_t *off)
{
    if (len >= (size_t)CV_NO_TEXT - d->strings_len)
        return -1;
    size_t need = d->strings_len + len + 1;
    if (need > d->strings_cap) {
        size_t cap = d->strings_cap ? d->strings_cap : 4096;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (cap > (size_t)CV_NO_TEXT)
            cap = (size_t)CV_NO_TEXT;
        char *p = realloc(d->strings, cap);
        if (!p)
            return -1;
        d->strings = p;
        d->strings_cap = cap;
    }
    if (len)
        memcpy(d->strings + d->strings_len, text, len);
    d->strings[d->strings_len + len] = '\0';
    *off = (uint32_t)d->strings_len;
    d->strings_len = need;
    return 0;
}

int32_t cv_day(int64_t ms)
{
    int64_t q = ms / CV_DAY_MS;
    if (ms % CV_DAY_MS < 0)
        q--;
    return (int32_t)q;
}

size_t cv_lower_bound(const void *base, size_t n, size_t size, size_t offset, int64_t key)
{
    const char *b = base;
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t k;
        memcpy(&k, b + mid * size + offset, sizeof(k));
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t cv_account_index(const struct cv_data *d, int64_t id)
{
    size_t i = cv_lower_bound(d->accounts, d->naccounts, sizeof(*d->accounts),
                              offsetof(struct cv_account, id), id);
    return i < d->naccounts && d->accounts[i].id == id ? i : CV_NO_INDEX;
}

const char *cv_label(const struct cv_labels *l, int32_t code)
{
    if (code < 0 || (size_t)code >= l->n)
        return "";
    return l->names[code];
}
