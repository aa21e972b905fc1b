/*
 * value_wallet.c - share of wallet (docs/value.md, "Share of wallet"): an account's revenue in a
 * period against its estimated annual wallet, annualised to the period, and the distribution of
 * the shares over the customers that have a wallet.
 */
#include "engine/value.h"

#include <math.h>
#include <stdlib.h>

#include "engine/quantile.h"
#include "util/alloc.h"

#include "util/banned.h"

const double value_wallet_band_from[VALUE_WALLET_BANDS] = {0, 0.10, 0.25, 0.50, 0.75, 1.00};

double value_wallet_share(double revenue, double wallet, int days)
{
    if (!(wallet > 0) || days < 1 || !isfinite(revenue))
        return NAN;
    return revenue / (wallet * (double)days / VALUE_WALLET_YEAR_DAYS);
}

static size_t band_of(double share)
{
    size_t b = 0;
    while (b + 1 < VALUE_WALLET_BANDS && share >= value_wallet_band_from[b + 1])
        b++;
    return b;
}

int value_wallet_dist_build(const struct value_result *r, const size_t *ix, size_t n,
                            struct value_wallet_dist *out, struct kith_error *err)
{
    *out = (struct value_wallet_dist){
        .aggregate = NAN, .mean = NAN, .p25 = NAN, .median = NAN, .p75 = NAN};
    if (!ix)
        n = r->n;
    double *v = alloc_array(n ? n : 1, sizeof(*v));
    if (!v)
        return kith_err(err, KITH_ENOMEM, "share of wallet: out of memory for %zu customers", n);
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        const struct value_customer *c = &r->c[ix ? ix[k] : k];
        if (isnan(c->share_of_wallet)) {
            out->without++;
            continue;
        }
        v[out->with++] = c->share_of_wallet;
        sum += c->share_of_wallet;
        out->revenue += c->amount_current;
        out->wallet += c->wallet;
        out->bands[band_of(c->share_of_wallet)]++;
    }
    if (out->with > 0) {
        quantile_sort(v, out->with);
        out->mean = sum / (double)out->with;
        out->p25 = quantile_sorted(v, out->with, 1, 4);
        out->median = quantile_sorted(v, out->with, 1, 2);
        out->p75 = quantile_sorted(v, out->with, 3, 4);
        out->aggregate = value_wallet_share(out->revenue, out->wallet, r->current_days);
    }
    free(v);
    return 0;
}
