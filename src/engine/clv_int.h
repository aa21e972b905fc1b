/*
 * clv_int.h - what the files of the CLV models share and nobody else sees: the checks of a
 * customer and of parameters and the per-customer helpers (inline: they run once per customer),
 * one thread's share of a log-likelihood sum, and the functions the fits and the lifetime value
 * call across files. The public interface is clv.h; the method: docs/internals/clv.md.
 *
 *   clv.c           input checks, and a log-likelihood summed in parts (threads)
 *   clv_bgnbd.c     BG/NBD: log-likelihood and gradient, P(alive), expected transactions
 *   clv_gg.c        Gamma-Gamma: log-likelihood and gradient, expected spend
 *   clv_fit.c       maximum likelihood: BFGS on log-parameters, Newton polish, bgnbd_fit, gg_fit
 *   clv_compress.c  the distinct customers of a fit and how many each stands for
 *   clv_value.c     the discounted lifetime value and discounted orders
 */
#ifndef KITH_ENGINE_CLV_INT_H
#define KITH_ENGINE_CLV_INT_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/clv.h"

/*
 * Terms that depend on a customer's x only are computed once per likelihood evaluation for
 * x < XCACHE (nearly every customer), on the stack, when first needed. Larger x are computed
 * in place. This keeps the evaluation free of allocation and of most lngamma/psi calls.
 */
#define XCACHE 64

static inline bool positive_finite(double v)
{
    return v > 0 && isfinite(v);
}

/* x is used as an array index only when it is an exact small integer. */
static inline bool x_cacheable(double x, size_t *k)
{
    if (!(x >= 0 && x < XCACHE))
        return false;
    *k = (size_t)x;
    return (double)*k == x;
}

/* ---- input checks (clv.c; inline, as the expectations check each customer) ------------------ */

static inline int check_customer(const struct clv_customer *ci, size_t i, bool need_spend,
                                 struct kith_error *err)
{
    if (!isfinite(ci->x) || !isfinite(ci->t_x) || !isfinite(ci->T))
        return kith_err(err, KITH_EINVAL,
                        "customer at index %zu: x=%g, t_x=%g, T=%g must all be finite numbers", i,
                        ci->x, ci->t_x, ci->T);
    if (ci->x < 0 || ci->x != floor(ci->x))
        return kith_err(err, KITH_EINVAL,
                        "customer at index %zu: frequency x=%g must be a non-negative integer "
                        "(the number of repeat purchases)",
                        i, ci->x);
    if (ci->T < 0)
        return kith_err(err, KITH_EINVAL, "customer at index %zu: age T=%g is negative", i, ci->T);
    if (ci->t_x < 0)
        return kith_err(err, KITH_EINVAL, "customer at index %zu: recency t_x=%g is negative", i,
                        ci->t_x);
    if (ci->t_x > ci->T)
        return kith_err(err, KITH_EINVAL,
                        "customer at index %zu: recency t_x=%g is greater than the age T=%g", i,
                        ci->t_x, ci->T);
    if (ci->x == 0 && ci->t_x != 0)
        return kith_err(err, KITH_EINVAL,
                        "customer at index %zu: recency t_x=%g without repeat purchases (x=0); "
                        "t_x is the time from the first to the last purchase and must be 0",
                        i, ci->t_x);
    if (need_spend && ci->x > 0 && !positive_finite(ci->zbar))
        return kith_err(err, KITH_EINVAL,
                        "customer at index %zu: mean spend zbar=%g of a repeat buyer (x=%g) must "
                        "be a positive number for the Gamma-Gamma model",
                        i, ci->zbar, ci->x);
    return 0;
}

static inline bool bg_params_ok(const struct bgnbd_params *p)
{
    return p && positive_finite(p->r) && positive_finite(p->alpha) && positive_finite(p->a) &&
           positive_finite(p->b);
}

static inline bool gg_params_ok(const struct gg_params *p)
{
    return p && positive_finite(p->p) && positive_finite(p->q) && positive_finite(p->gamma);
}

/* ---- log-likelihoods (clv.c, clv_bgnbd.c, clv_gg.c) -------------------------------------------
 */

/* The per-customer sums of a log-likelihood over c[from, to): one thread's share. */
struct ll_part {
    const double *par;
    const struct clv_customer *c;
    const double *w;
    size_t from, to;
    bool grad;
    double ll, g[4], nd;
};

/* Runs fn over c[0..n) in LL_PARTS parts (one when n is small) and adds up their sums. */
void clv_sum_parts(void *(*fn)(void *), const double *par, const struct clv_customer *c,
                   const double *w, size_t n, bool grad, struct ll_part *sum);

/*
 * The log-likelihoods on plain parameter arrays: par = (r, alpha, a, b) (clv_bgnbd.c) or
 * (p, q, gamma) (clv_gg.c), all > 0 and finite. grad may be NULL. w: how many customers each
 * c[i] stands for (NULL: one each; see clv_fit_compress()).
 */
double bg_loglik_core(const double *par, const struct clv_customer *c, const double *w, size_t n,
                      double *grad);
double gg_loglik_core(const double *par, const struct clv_customer *c, const double *w, size_t n,
                      double *grad);

/* ---- fits (clv_compress.c) --------------------------------------------------------------------
 */

/*
 * The distinct customers of c[0..n) as the model sees them, with how many of each there are (gg:
 * repeat buyers by (x, zbar), else (x, t_x, T)). On success *out and *w are the caller's (free
 * both); KITH_ENOMEM otherwise.
 */
int clv_fit_compress(const struct clv_customer *c, size_t n, bool gg, struct clv_customer **out,
                     double **w, size_t *nout);

/* ---- expectations (clv_bgnbd.c) ---------------------------------------------------------------
 */

/* (C/u) [1 - (1-z)^A 2F1(A, B; C; z)] by a series; NaN when it does not converge. */
double bg_expect_kernel(double u, double v, double C, double z);

/* E[Y(t)] / P(alive): the expectation for a customer known to be alive. */
static inline double bg_alive_expected(const struct bgnbd_params *p, const struct clv_customer *c,
                                       double t)
{
    return bg_expect_kernel(p->a - 1, p->a + p->b - 1 - p->r, p->a + p->b - 1 + c->x,
                            t / (p->alpha + c->T + t));
}

#endif
