/*
 * demo_wallet.c - the demo's estimated wallets (share of wallet, docs/value.md): what each
 * account spends a year on the categories Northwind sells, from every supplier. The account's
 * spend with Northwind while it buys is its latent purchase rate x mean order (demo_people.c);
 * its true share of wallet is drawn from Beta(2, 4) (mean 1/3), so its category spend is that
 * spend / the share; the estimate a market study would give is that times a lognormal error,
 * rounded to $1,000. About 15% of the accounts have no estimate. Drawn from a random stream of
 * its own (5), so that no other row of the demo changes. docs/demo-data.md.
 */
#include <math.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define WALLET_COVERAGE   0.85 /* the share of accounts with an estimate */
#define WALLET_SHARE_A    2.0  /* true share of wallet ~ Beta(a, b) */
#define WALLET_SHARE_B    4.0
#define WALLET_ERROR_SD   0.25  /* sd of the log of the estimate's error */
#define WALLET_WEEKS_YEAR 52.18 /* weeks in a year */

void demo_wallets_generate(struct demo_world *w)
{
    for (size_t i = 0; i < w->nacc; i++) {
        struct demo_account *a = &w->acc[i];
        const double u = rng_uniform(&w->rng_wallet);
        const double share = rng_beta(&w->rng_wallet, WALLET_SHARE_A, WALLET_SHARE_B);
        const double error = rng_lognormal(&w->rng_wallet, 0, WALLET_ERROR_SD);
        const double spend = a->lambda * WALLET_WEEKS_YEAR * 3.0 / a->nu; /* dollars a year */
        const double dollars = share > 0.01 ? spend / share * error : spend / 0.01 * error;
        a->wallet = u < WALLET_COVERAGE && isfinite(dollars)
                        ? (int64_t)llround(dollars / 1000.0) * 1000 * 100
                        : 0;
    }
}
