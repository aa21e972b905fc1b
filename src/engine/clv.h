/*
 * Customer lifetime value: BG/NBD (Fader, Hardie & Lee 2005) for the number of future
 * transactions and P(alive), Gamma-Gamma (Fader & Hardie 2013) for spend per transaction,
 * and a discounted CLV over a horizon. Pure computation: arrays in, numbers out.
 * Model, parameterisation and checks: docs/internals/clv.md.
 *
 * Times (t_x, T, horizons, alpha) share one unit chosen by the caller (weeks for CDNOW).
 *
 * GSL's default error handler aborts the process; the program that links this module must call
 * gsl_set_error_handler_off() once at start-up. This module checks its inputs so that it does
 * not rely on the handler, but the minimiser's allocation can still report through it.
 */
#ifndef KITH_ENGINE_CLV_H
#define KITH_ENGINE_CLV_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/*
 * One customer's calibration-period summary.
 * x: number of repeat transactions (an integer >= 0, held as double);
 * t_x: time from first to last transaction (0 when x == 0), 0 <= t_x <= T;
 * T: time from first transaction to the end of calibration;
 * zbar: mean spend of the x repeat transactions (only read by the Gamma-Gamma functions).
 */
struct clv_customer {
    double x, t_x, T, zbar;
};

struct bgnbd_params {
    double r, alpha, a, b;
};

struct gg_params {
    double p, q, gamma;
};

/* Fitting knobs; pass NULL to a fit for the defaults (CLV_FIT_DEFAULT_*). */
struct clv_fit_options {
    int max_iter;    /* BFGS iterations before giving up (> 0) */
    double grad_tol; /* converged when |grad| of the mean -LL over log-parameters is below */
};

#define CLV_FIT_DEFAULT_MAX_ITER 1000
#define CLV_FIT_DEFAULT_GRAD_TOL 1e-8

/* What the optimiser did; filled on success and on failure to converge alike. */
struct clv_fit_info {
    int iterations;
    double loglik;    /* total log-likelihood at the last iterate */
    double grad_norm; /* Euclidean norm of the gradient of the mean -LL in log-parameters */
    bool converged;
};

/*
 * Check that c[0..n) is usable: n > 0, every field finite, x a non-negative integer,
 * 0 <= t_x <= T, t_x == 0 when x == 0; with need_spend, zbar > 0 whenever x > 0.
 * Returns 0, or KITH_EINVAL with the index of the first bad customer in err.
 */
int clv_check_customers(const struct clv_customer *c, size_t n, bool need_spend,
                        struct kith_error *err);

/*
 * BG/NBD log-likelihood of c[0..n) (assumed to pass clv_check_customers), summed over
 * customers, without constant terms (as in FHL 2005). NaN if a parameter is not > 0.
 * bgnbd_loglik_gradient also writes dLL/d(r, alpha, a, b) to grad[0..4).
 * No allocation; the caller owns everything.
 */
double bgnbd_loglik(const struct bgnbd_params *p, const struct clv_customer *c, size_t n);
double bgnbd_loglik_gradient(const struct bgnbd_params *p, const struct clv_customer *c, size_t n,
                             double grad[4]);

/*
 * Maximum-likelihood fit of BG/NBD to c[0..n) by BFGS on log-parameters, started at all ones.
 * On success returns 0 and writes *out. Returns KITH_EINVAL for bad data and KITH_ENOCONV when
 * the optimiser does not reach the gradient tolerance within max_iter, the likelihood is not
 * finite, or an estimate runs off towards 0 or infinity (the data do not identify the model);
 * then *out is left untouched and err says why. info (may be NULL) is filled in every case
 * where the optimiser ran. opts may be NULL. Allocates only the minimiser's workspace,
 * freed before returning.
 */
int bgnbd_fit(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
              struct bgnbd_params *out, struct clv_fit_info *info, struct kith_error *err);

/*
 * Probability that the customer is still alive at the end of calibration (1 when x == 0).
 * Returns NaN for invalid parameters or customer.
 */
double bgnbd_p_alive(const struct bgnbd_params *p, const struct clv_customer *c);

/*
 * E[X(t)]: expected number of transactions in (0, t] for a customer who has just made a first
 * purchase at time 0. NaN for invalid input, or if the hypergeometric series does not converge
 * within its cap (t enormous next to alpha; see docs/internals/clv.md).
 */
double bgnbd_expected(const struct bgnbd_params *p, double t);

/*
 * E[Y(t) | x, t_x, T]: expected number of transactions in (T, T + t] for customer c.
 * NaN for invalid input or a series that does not converge (as bgnbd_expected).
 */
double bgnbd_conditional_expected(const struct bgnbd_params *p, const struct clv_customer *c,
                                  double t);

/*
 * Gamma-Gamma log-likelihood over the repeat buyers (x > 0) of c[0..n) (assumed to pass
 * clv_check_customers with need_spend), including all constants, so that it matches CLVTools.
 * NaN if a parameter is not > 0. The gradient variant writes dLL/d(p, q, gamma) to grad[0..3).
 */
double gg_loglik(const struct gg_params *p, const struct clv_customer *c, size_t n);
double gg_loglik_gradient(const struct gg_params *p, const struct clv_customer *c, size_t n,
                          double grad[3]);

/*
 * Maximum-likelihood fit of Gamma-Gamma on the repeat buyers of c[0..n); customers with x == 0
 * are skipped. Same contract as bgnbd_fit; KITH_EINVAL also when there is no repeat buyer.
 */
int gg_fit(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
           struct gg_params *out, struct clv_fit_info *info, struct kith_error *err);

/*
 * E[spend per transaction | x, zbar] = p (gamma + x zbar) / (p x + q - 1); for x == 0 the
 * population mean p gamma / (q - 1). NaN when p x + q <= 1 (the mean does not exist) or for
 * invalid input.
 */
double gg_conditional_spend(const struct gg_params *p, const struct clv_customer *c);

/*
 * The one rule for repeat buyers without positive repeat spend (x > 0, zbar <= 0: only free or
 * refunded repeat purchases, or a summary file's non-positive monetary value). The Gamma-Gamma
 * density has no mass at a mean spend of 0 or below, so such a customer (1) is left out of the
 * fit and (2) is valued as a customer whose repeat spend is unobserved (gg_expected_spend()).
 * Both paths of `kith value` (orders and --summary) apply it through these functions and report
 * how many customers it concerned. docs/internals/clv.md, "Customers without positive spend".
 */
static inline bool gg_has_repeat_spend(const struct clv_customer *c)
{
    return c->x > 0 && c->zbar > 0;
}
static inline bool gg_without_repeat_spend(const struct clv_customer *c)
{
    return c->x > 0 && !(c->zbar > 0);
}

/*
 * gg_fit() over the customers of c[0..n) that have repeat spend (gg_has_repeat_spend); the count
 * of repeat buyers left out by the rule goes to *excluded (may be NULL). KITH_EINVAL when no
 * customer has repeat spend; otherwise gg_fit()'s errors. Allocates a copy of the kept
 * customers for the duration of the call.
 */
int gg_fit_rule(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
                struct gg_params *out, struct clv_fit_info *info, size_t *excluded,
                struct kith_error *err);

/*
 * A customer's expected spend per transaction, conditioned on the spend evidence it has
 * (docs/internals/clv.md, "Expected spend of every customer"): the posterior mean of the
 * Gamma-Gamma model, p (gamma + k m) / (p k + q - 1) for k observed spends of mean m, i.e. the
 * population mean p gamma / (q - 1) shrunk toward m with weight p k / (p k + q - 1):
 *   repeat spend (gg_has_repeat_spend): k = x, m = zbar (gg_conditional_spend);
 *   else a known first purchase (first > 0, its spend; 0 or NaN when unknown): k = 1, m = first;
 *   else k = 0: the population mean.
 * NaN when p k + q <= 1 (the mean does not exist) or for invalid input.
 */
double gg_expected_spend(const struct gg_params *p, const struct clv_customer *c, double first);

/*
 * Horizon for clv_value: steps periods of length step (model time units), each discounted
 * at the end of the period by discount (rate per period; for an annual rate d and 12 steps a
 * year use (1 + d)^(1/12) - 1). margin is the fraction of spend kept, in [0, 1].
 */
struct clv_horizon {
    int steps;
    double step;
    double discount;
    double margin;
};

/*
 * Discounted expected margin of customer c over the horizon:
 *   CLV = sum_{k=1..steps} margin * E[spend] * (E[Y(k step)] - E[Y((k-1) step)]) / (1+discount)^k,
 * E[spend] = gg_conditional_spend() (the repeat purchases' evidence only).
 * Returns 0 and writes *out, KITH_EINVAL for bad parameters, customer or horizon, KITH_ERANGE if a
 * model quantity is not finite (e.g. q <= 1 for a customer without repeat purchases).
 * No allocation.
 */
int clv_value(const struct bgnbd_params *bg, const struct gg_params *gg,
              const struct clv_customer *c, const struct clv_horizon *h, double *out,
              struct kith_error *err);

/*
 * The BG/NBD part of clv_value(), which does not depend on spend:
 *   sum_{k=1..steps} (E[Y(k step)] - E[Y((k-1) step)]) / (1+discount)^k,
 * so that clv_value = margin * E[spend] * clv_discounted_orders. Customers that share (x, t_x, T)
 * share it (engine/value_model.c evaluates it once per distinct triple). h->margin is not read.
 * Same errors as clv_value for the BG/NBD parameters, the customer and the horizon.
 */
int clv_discounted_orders(const struct bgnbd_params *bg, const struct clv_customer *c,
                          const struct clv_horizon *h, double *out, struct kith_error *err);

/*
 * Fit diagnostics (docs/internals/clv.md, "Standard errors"): for each parameter of a fitted
 * model its standard error and 95% interval from the observed information (the Hessian of the
 * log-likelihood in log-parameters at the estimate, by central differences of the analytic
 * gradient, inverted; the delta method back to the parameter). The interval is
 * exp(log(estimate) +- 1.96 SE(log estimate)), so it stays positive. at_boundary: the data cannot
 * tell the estimate from an edge of the optimiser's box [box_lo, box_hi] (a fit whose estimate
 * leaves the box fails): the interval reaches past the box, or the information is not positive
 * definite, or moving the parameter alone to the edge lowers the log-likelihood by less than
 * 1.92 (a likelihood-ratio test at 95% does not reject the edge). What depends on such a
 * parameter is not determined by the data.
 */
struct clv_param_diag {
    const char *name; /* "r", "alpha", ... (static) */
    double estimate;
    double se;     /* of the parameter (delta method); NaN when not determined */
    double se_log; /* of its logarithm */
    double lo, hi; /* 95% interval; NaN when not determined */
    double box_lo, box_hi;
    bool at_boundary;
};

struct clv_fit_diag {
    size_t dim;      /* 4 (BG/NBD) or 3 (Gamma-Gamma) */
    bool determined; /* the observed information is positive definite */
    struct clv_param_diag par[4];
};

/*
 * The diagnostics of BG/NBD parameters p on customers c[0..n) (those of the fit). 0, or
 * KITH_EINVAL for bad parameters or customers, KITH_ENOMEM. Allocates only for the call.
 */
int bgnbd_fit_diag(const struct bgnbd_params *p, const struct clv_customer *c, size_t n,
                   struct clv_fit_diag *out, struct kith_error *err);

/* The same for Gamma-Gamma over the customers gg_fit_rule() keeps (repeat buyers with spend). */
int gg_fit_diag(const struct gg_params *p, const struct clv_customer *c, size_t n,
                struct clv_fit_diag *out, struct kith_error *err);

#endif /* KITH_ENGINE_CLV_H */
