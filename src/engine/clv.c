/*
 * clv.c - what the CLV models share: the checks of the customers a fit or an expectation is given,
 * and a log-likelihood summed over the customers in a fixed number of parts (threads), so that the
 * sums and the fits are the same on every machine. The models and the fits: clv_int.h.
 * The formulas and how the numbers were checked: docs/internals/clv.md.
 */
#include "engine/clv_int.h"

#include "util/par.h"

#include "util/banned.h"

/* ---- input checks ----------------------------------------------------------------------- */

int clv_check_customers(const struct clv_customer *c, size_t n, bool need_spend,
                        struct kith_error *err)
{
    if (n == 0 || c == NULL)
        return kith_err(err, KITH_EINVAL, "no customers: the data set is empty");
    for (size_t i = 0; i < n; i++) {
        int rc = check_customer(&c[i], i, need_spend, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- log-likelihoods in parts ----------------------------------------------------------- */

/* Customers per thread below which one thread does it all (a thread costs about 50 us). */
#define LL_PART_MIN 20000
/* Always this many parts above it, whatever the machine, so that the sums (and the fit) are the
 * same everywhere. */
#define LL_PARTS 2

void clv_sum_parts(void *(*fn)(void *), const double *par, const struct clv_customer *c,
                   const double *w, size_t n, bool grad, struct ll_part *sum)
{
    struct ll_part parts[LL_PARTS];
    unsigned np = n >= LL_PARTS * LL_PART_MIN ? LL_PARTS : 1;
    for (unsigned k = 0; k < np; k++)
        parts[k] = (struct ll_part){par, c, w, n * k / np, n * (k + 1) / np, grad, 0, {0}, 0};
    par_run(np, fn, parts, sizeof(parts[0]));
    *sum = (struct ll_part){0};
    for (unsigned k = 0; k < np; k++) {
        sum->ll += parts[k].ll;
        sum->nd += parts[k].nd;
        for (int j = 0; j < 4; j++)
            sum->g[j] += parts[k].g[j];
    }
}
