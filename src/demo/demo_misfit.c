/*
 * demo_misfit.c - planted effect (i) of the demo (docs/demo-data.md): accounts whose closing
 * phase is out of tune. A share of the accounts is "misfit": every interaction type drawn for
 * them in the closing phase (levels 3 and 4) leans towards high tech and low touch, off the tone
 * that the low-volume zones most customers fall in expect (docs/v2t2.md), and such accounts buy
 * less often and give up buying within Exp(mean 540 days) of their conversion (their BG/NBD
 * dropout probability is left as it is: the demo's lifetime value fits still converge). Drawn from
 * a random stream of its own (6) before the simulation; the simulation reads a->misfit
 * (demo_sim.c).
 */
#include "demo/demo_int.h"

#include "util/banned.h"

void demo_misfits_generate(struct demo_world *w)
{
    for (size_t i = 0; i < w->nacc; i++) {
        struct demo_account *a = &w->acc[i];
        a->misfit = rng_bernoulli(&w->rng_misfit, DEMO_MISFIT_SHARE);
        if (!a->misfit)
            continue;
        a->misfit_days = rng_exponential(&w->rng_misfit, DEMO_MISFIT_DAYS);
        a->lambda *= DEMO_MISFIT_LAMBDA;
    }
}
