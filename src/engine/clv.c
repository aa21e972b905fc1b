/*
 * BG/NBD and Gamma-Gamma log-likelihoods with analytic gradients, their maximum-likelihood
 * fits (GSL vector_bfgs2 on log-parameters), the expectations they imply and a discounted CLV.
 * Pure computation, no I/O. The formulas, the hypergeometric series and how the numbers were
 * checked against the published CDNOW estimates are in docs/internals/clv.md.
 */
#include "engine/clv.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "util/alloc.h"
#include "util/par.h"

#include "util/banned.h"

/*
 * Terms that depend on a customer's x only are computed once per likelihood evaluation for
 * x < XCACHE (nearly every customer), on the stack, when first needed. Larger x are computed
 * in place. This keeps the evaluation free of allocation and of most lngamma/psi calls.
 */
#define XCACHE 64

/* A fit whose estimate leaves [1/PARAM_LIMIT, PARAM_LIMIT] has run off to a boundary. */
#define PARAM_LIMIT 1e8

/* The Hessian of the mean -LL (log-parameters) must have Cholesky pivots above this. */
#define HESSIAN_MIN_PIVOT 1e-10

/* Terms cap of the hypergeometric series; past it the expectation is reported as NaN. */
#define SERIES_MAX_TERMS 1000000

#define MAX_DIM 4

/* Newton steps that may finish a fit after BFGS's line search stalls (see newton_polish). */
#define NEWTON_STEPS 8

/* log(1 + e^d) and 1 / (1 + e^-d) without overflow. */
/* log(1 + e^d) and the logistic 1 / (1 + e^-d), from one exponential. */
static void log1pexp_logistic(double d, double *lse, double *logit)
{
    const double e = exp(-fabs(d));
    *lse = (d > 0 ? d : 0) + log1p(e);
    *logit = d > 0 ? 1 / (1 + e) : e / (1 + e);
}

static double logistic(double d)
{
    if (d > 0)
        return 1 / (1 + exp(-d));
    double e = exp(d);
    return e / (1 + e);
}

static bool positive_finite(double v)
{
    return v > 0 && isfinite(v);
}

/* x is used as an array index only when it is an exact small integer. */
static bool x_cacheable(double x, size_t *k)
{
    if (!(x >= 0 && x < XCACHE))
        return false;
    *k = (size_t)x;
    return (double)*k == x;
}

/* ---- input checks ----------------------------------------------------------------------- */

static int check_customer(const struct clv_customer *ci, size_t i, bool need_spend,
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

static bool bg_params_ok(const struct bgnbd_params *p)
{
    return p && positive_finite(p->r) && positive_finite(p->alpha) && positive_finite(p->a) &&
           positive_finite(p->b);
}

static bool gg_params_ok(const struct gg_params *p)
{
    return p && positive_finite(p->p) && positive_finite(p->q) && positive_finite(p->gamma);
}

/* ---- BG/NBD likelihood ------------------------------------------------------------------ */

/*
 * Per customer (FHL 2005, eq. 6), with A = lnG(r+x) - lnG(r) + r ln(alpha) + lnB(a, b+x) - lnB(a,
 * b): LL_i = A + log(e^l3 + [x>0] e^l4), l3 = -(r+x) ln(alpha+T),  l4 = ln a - ln(b+x-1) - (r+x)
 * ln(alpha+t_x). v = e^l4 / (e^l3 + e^l4) weights the two branches in the gradient.
 */
struct bg_xterms {
    double lg_rx;   /* lnG(r+x) */
    double lg_bx;   /* lnG(b+x) - lnG(a+b+x) */
    double ln_bx1;  /* ln(b+x-1), x > 0 only */
    double psi_rx;  /* psi(r+x) */
    double psi_bx;  /* psi(b+x) */
    double psi_abx; /* psi(a+b+x) */
};

static void bg_xterms_fill(const double *par, double x, bool grad, struct bg_xterms *t)
{
    const double r = par[0], a = par[2], b = par[3];
    t->lg_rx = gsl_sf_lngamma(r + x);
    t->lg_bx = gsl_sf_lngamma(b + x) - gsl_sf_lngamma(a + b + x);
    t->ln_bx1 = x > 0 ? log(b + x - 1) : 0;
    if (grad) {
        t->psi_rx = gsl_sf_psi(r + x);
        t->psi_bx = gsl_sf_psi(b + x);
        t->psi_abx = gsl_sf_psi(a + b + x);
    }
}

/* The per-customer sums of a log-likelihood over c[from, to): one thread's share. */
struct ll_part {
    const double *par;
    const struct clv_customer *c;
    const double *w;
    size_t from, to;
    bool grad;
    double ll, g[4], nd;
};

static void *bg_part_run(void *arg)
{
    struct ll_part *pt = arg;
    const double *par = pt->par;
    const double r = par[0], al = par[1], a = par[2], b = par[3];
    const double ln_a = log(a);
    struct bg_xterms cache[XCACHE];
    bool filled[XCACHE] = {false};
    double ll = 0, g_r = 0, g_al = 0, g_a = 0, g_b = 0, nd = 0;
    /* the last T and t_x and their terms: fit_compress() sorts by them, so most are repeats */
    double last_T = NAN, ln_aT = 0, inv_aT = 0, last_tx = NAN, ln_atx = 0, inv_atx = 0;

    for (size_t i = pt->from; i < pt->to; i++) {
        const struct clv_customer *ci = &pt->c[i];
        const double x = ci->x, wi = pt->w ? pt->w[i] : 1;
        nd += wi;
        struct bg_xterms local;
        const struct bg_xterms *xt = &local;
        size_t k;
        if (x_cacheable(x, &k)) {
            if (!filled[k]) {
                bg_xterms_fill(par, x, pt->grad, &cache[k]);
                filled[k] = true;
            }
            xt = &cache[k];
        } else {
            bg_xterms_fill(par, x, pt->grad, &local);
        }

        const double rx = r + x;
        if (ci->T != last_T) {
            last_T = ci->T;
            ln_aT = log(al + last_T);
            inv_aT = 1 / (al + last_T);
        }
        const double l3 = -rx * ln_aT;
        double lse = l3, v = 0;
        if (x > 0) {
            if (ci->t_x != last_tx) {
                last_tx = ci->t_x;
                ln_atx = log(al + last_tx);
                inv_atx = 1 / (al + last_tx);
            }
            const double d = ln_a - xt->ln_bx1 - rx * ln_atx - l3; /* l4 - l3 */
            double l1pe;
            log1pexp_logistic(d, &l1pe, &v);
            lse = l3 + l1pe;
        }
        ll += wi * (xt->lg_rx + xt->lg_bx + lse);

        if (pt->grad) {
            g_r += wi * (xt->psi_rx - (1 - v) * ln_aT - (x > 0 ? v * ln_atx : 0));
            g_al -= wi * rx * ((1 - v) * inv_aT + (x > 0 ? v * inv_atx : 0));
            g_a += wi * (v / a - xt->psi_abx);
            g_b += wi * (xt->psi_bx - xt->psi_abx - (x > 0 ? v / (b + x - 1) : 0));
        }
    }
    pt->ll = ll;
    pt->g[0] = g_r;
    pt->g[1] = g_al;
    pt->g[2] = g_a;
    pt->g[3] = g_b;
    pt->nd = nd;
    return NULL;
}

/* Customers per thread below which one thread does it all (a thread costs about 50 us). */
#define LL_PART_MIN 20000
/* Always this many parts above it, whatever the machine, so that the sums (and the fit) are the
 * same everywhere. */
#define LL_PARTS 2

/* Runs fn over c[0..n) in LL_PARTS parts (one when n is small) and adds up their sums. */
static void sum_parts(void *(*fn)(void *), const double *par, const struct clv_customer *c,
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

/*
 * par = (r, alpha, a, b), all > 0 and finite (checked by the callers). grad may be NULL. w: how
 * many customers each c[i] stands for (NULL: one each; see fit_compress()).
 */
static double bg_loglik_core(const double *par, const struct clv_customer *c, const double *w,
                             size_t n, double *grad)
{
    const double r = par[0], al = par[1], a = par[2], b = par[3];
    struct ll_part sum;
    sum_parts(bg_part_run, par, c, w, n, grad != NULL, &sum);
    const double *g = sum.g, nd = sum.nd;
    double ll = sum.ll;

    /* Terms shared by every customer, added once. */
    const double ln_al = log(al);
    ll += nd * (r * ln_al - gsl_sf_lngamma(r) + gsl_sf_lngamma(a + b) - gsl_sf_lngamma(b));
    if (grad) {
        const double psi_ab = gsl_sf_psi(a + b);
        grad[0] = g[0] + nd * (ln_al - gsl_sf_psi(r));
        grad[1] = g[1] + nd * r / al;
        grad[2] = g[2] + nd * psi_ab;
        grad[3] = g[3] + nd * (psi_ab - gsl_sf_psi(b));
    }
    return ll;
}

double bgnbd_loglik(const struct bgnbd_params *p, const struct clv_customer *c, size_t n)
{
    if (!bg_params_ok(p) || (n > 0 && c == NULL))
        return NAN;
    const double par[4] = {p->r, p->alpha, p->a, p->b};
    return bg_loglik_core(par, c, NULL, n, NULL);
}

double bgnbd_loglik_gradient(const struct bgnbd_params *p, const struct clv_customer *c, size_t n,
                             double grad[4])
{
    if (!bg_params_ok(p) || (n > 0 && c == NULL)) {
        for (int j = 0; j < 4; j++)
            grad[j] = NAN;
        return NAN;
    }
    const double par[4] = {p->r, p->alpha, p->a, p->b};
    return bg_loglik_core(par, c, NULL, n, grad);
}

/* ---- Gamma-Gamma likelihood ------------------------------------------------------------- */

/*
 * Per repeat buyer (Fader & Hardie 2013), the density of the mean spend zbar over x purchases:
 *   LL_i = lnG(px+q) - lnG(px) - lnG(q) + q ln g + (px-1) ln zbar + px ln x - (px+q) ln(g + x
 * zbar).
 */
struct gg_xterms {
    double lg;      /* lnG(px+q) - lnG(px) */
    double ln_x;    /* ln x */
    double psi_pxq; /* psi(px+q) */
    double psi_px;  /* psi(px) */
};

static void gg_xterms_fill(const double *par, double x, bool grad, struct gg_xterms *t)
{
    const double px = par[0] * x, q = par[1];
    t->lg = gsl_sf_lngamma(px + q) - gsl_sf_lngamma(px);
    t->ln_x = log(x);
    if (grad) {
        t->psi_pxq = gsl_sf_psi(px + q);
        t->psi_px = gsl_sf_psi(px);
    }
}

static void *gg_part_run(void *arg)
{
    struct ll_part *pt = arg;
    const double *par = pt->par;
    const double p = par[0], q = par[1], g = par[2];
    struct gg_xterms cache[XCACHE];
    bool filled[XCACHE] = {false};
    double ll = 0, g_p = 0, g_q = 0, g_g = 0, md = 0;

    for (size_t i = pt->from; i < pt->to; i++) {
        const struct clv_customer *ci = &pt->c[i];
        const double x = ci->x, wi = pt->w ? pt->w[i] : 1;
        if (!(x > 0))
            continue;
        md += wi;
        struct gg_xterms local;
        const struct gg_xterms *xt = &local;
        size_t k;
        if (x_cacheable(x, &k)) {
            if (!filled[k]) {
                gg_xterms_fill(par, x, pt->grad, &cache[k]);
                filled[k] = true;
            }
            xt = &cache[k];
        } else {
            gg_xterms_fill(par, x, pt->grad, &local);
        }

        const double px = p * x;
        const double ln_z = log(ci->zbar);
        const double gxz = g + x * ci->zbar;
        const double ln_gxz = log(gxz);
        ll += wi * (xt->lg + (px - 1) * ln_z + px * xt->ln_x - (px + q) * ln_gxz);
        if (pt->grad) {
            g_p += wi * x * (xt->psi_pxq - xt->psi_px + ln_z + xt->ln_x - ln_gxz);
            g_q += wi * (xt->psi_pxq - ln_gxz);
            g_g -= wi * (px + q) / gxz;
        }
    }
    pt->ll = ll;
    pt->g[0] = g_p;
    pt->g[1] = g_q;
    pt->g[2] = g_g;
    pt->nd = md;
    return NULL;
}

/* par = (p, q, gamma), all > 0 and finite. Customers with x == 0 do not contribute. w: as
 * bg_loglik_core()'s. */
static double gg_loglik_core(const double *par, const struct clv_customer *c, const double *w,
                             size_t n, double *grad)
{
    const double q = par[1], g = par[2];
    struct ll_part sum;
    sum_parts(gg_part_run, par, c, w, n, grad != NULL, &sum);
    const double md = sum.nd;
    const double ll = sum.ll + md * (q * log(g) - gsl_sf_lngamma(q));
    if (grad) {
        grad[0] = sum.g[0];
        grad[1] = sum.g[1] + md * (log(g) - gsl_sf_psi(q));
        grad[2] = sum.g[2] + md * q / g;
    }
    return ll;
}

double gg_loglik(const struct gg_params *p, const struct clv_customer *c, size_t n)
{
    if (!gg_params_ok(p) || (n > 0 && c == NULL))
        return NAN;
    const double par[3] = {p->p, p->q, p->gamma};
    return gg_loglik_core(par, c, NULL, n, NULL);
}

double gg_loglik_gradient(const struct gg_params *p, const struct clv_customer *c, size_t n,
                          double grad[3])
{
    if (!gg_params_ok(p) || (n > 0 && c == NULL)) {
        for (int j = 0; j < 3; j++)
            grad[j] = NAN;
        return NAN;
    }
    const double par[3] = {p->p, p->q, p->gamma};
    return gg_loglik_core(par, c, NULL, n, grad);
}

/* ---- maximum likelihood by BFGS on log-parameters ---------------------------------------- */

typedef double (*loglik_fn)(const double *par, const struct clv_customer *c, const double *w,
                            size_t n, double *grad);

/*
 * The minimiser sees f(theta) = -LL(exp(theta)), the total, not the mean: GSL's line search
 * declares "no progress" when a step changes f by less than DBL_EPSILON in absolute terms, which
 * on the mean stops BFGS short of the optimum. Convergence is judged on the gradient of the mean,
 * |grad f| / m (m = number of contributing customers), so that one tolerance means the same for
 * 100 customers and for 10 million.
 */
struct fit_problem {
    loglik_fn loglik;
    const struct clv_customer *c; /* distinct customers ... */
    const double *w;              /* ... and how many each stands for */
    size_t n;
    double m;
    size_t dim;
    const char *model;
    const char *const *names;
};

static void theta_to_par(const struct fit_problem *fp, const gsl_vector *th, double *par)
{
    for (size_t j = 0; j < fp->dim; j++)
        par[j] = exp(gsl_vector_get(th, j));
}

static bool par_ok(const struct fit_problem *fp, const double *par)
{
    for (size_t j = 0; j < fp->dim; j++)
        if (!positive_finite(par[j]))
            return false;
    return true;
}

static double fit_f(const gsl_vector *th, void *vfp)
{
    const struct fit_problem *fp = vfp;
    double par[MAX_DIM];
    theta_to_par(fp, th, par);
    if (!par_ok(fp, par))
        return GSL_POSINF;
    const double ll = fp->loglik(par, fp->c, fp->w, fp->n, NULL);
    /* +inf makes the line search back off instead of following a NaN. */
    return isfinite(ll) ? -ll : GSL_POSINF;
}

static void fit_fdf(const gsl_vector *th, void *vfp, double *f, gsl_vector *g)
{
    const struct fit_problem *fp = vfp;
    double par[MAX_DIM], grad[MAX_DIM];
    theta_to_par(fp, th, par);
    double ll = NAN;
    if (par_ok(fp, par))
        ll = fp->loglik(par, fp->c, fp->w, fp->n, grad);
    if (!isfinite(ll)) {
        *f = GSL_POSINF;
        gsl_vector_set_zero(g);
        return;
    }
    *f = -ll;
    /* chain rule: d/dtheta = par * d/dpar */
    for (size_t j = 0; j < fp->dim; j++)
        gsl_vector_set(g, j, -par[j] * grad[j]);
}

static void fit_df(const gsl_vector *th, void *vfp, gsl_vector *g)
{
    double f;
    fit_fdf(th, vfp, &f, g);
}

/* f and the gradient of the mean -LL at theta (plain arrays). */
static double eval_at(const struct fit_problem *fp, const double *theta, double *gmean)
{
    double th_buf[MAX_DIM];
    for (size_t j = 0; j < fp->dim; j++)
        th_buf[j] = theta[j];
    gsl_vector_view th = gsl_vector_view_array(th_buf, fp->dim);
    gsl_vector_view g = gsl_vector_view_array(gmean, fp->dim);
    double f;
    fit_fdf(&th.vector, (void *)fp, &f, &g.vector);
    for (size_t j = 0; j < fp->dim; j++)
        gmean[j] /= fp->m;
    return f;
}

static double norm(const double *v, size_t dim)
{
    double s = 0;
    for (size_t j = 0; j < dim; j++)
        s += v[j] * v[j];
    return sqrt(s);
}

/*
 * Cholesky factor L (lower triangle, in place) of the Hessian of the mean -LL at theta, by
 * central differences of the analytic gradient. False when a value is not finite or a pivot is
 * not above HESSIAN_MIN_PIVOT: then theta is no strict minimum, or the data leave a direction
 * flat. Hand-written because GSL's Cholesky reports failure through the error handler.
 */
static bool hessian_cholesky(const struct fit_problem *fp, const double *theta,
                             double L[MAX_DIM][MAX_DIM])
{
    const double h = 1e-4;
    const size_t dim = fp->dim;
    double th[MAX_DIM], gp[MAX_DIM], gm[MAX_DIM];

    for (size_t j = 0; j < dim; j++) {
        for (size_t i = 0; i < dim; i++)
            th[i] = theta[i];
        th[j] = theta[j] + h;
        if (!isfinite(eval_at(fp, th, gp)))
            return false;
        th[j] = theta[j] - h;
        if (!isfinite(eval_at(fp, th, gm)))
            return false;
        for (size_t i = 0; i < dim; i++)
            L[i][j] = (gp[i] - gm[i]) / (2 * h);
    }
    for (size_t i = 0; i < dim; i++)
        for (size_t j = 0; j < i; j++)
            L[i][j] = L[j][i] = (L[i][j] + L[j][i]) / 2;
    for (size_t j = 0; j < dim; j++) {
        double d = L[j][j];
        for (size_t k = 0; k < j; k++)
            d -= L[j][k] * L[j][k];
        if (!(d > HESSIAN_MIN_PIVOT))
            return false;
        L[j][j] = sqrt(d);
        for (size_t i = j + 1; i < dim; i++) {
            double s = L[i][j];
            for (size_t k = 0; k < j; k++)
                s -= L[i][k] * L[j][k];
            L[i][j] = s / L[j][j];
        }
    }
    return true;
}

/* Solves L L' d = -g. */
static void cholesky_newton_step(double L[MAX_DIM][MAX_DIM], size_t dim, const double *g, double *d)
{
    for (size_t i = 0; i < dim; i++) {
        double s = -g[i];
        for (size_t k = 0; k < i; k++)
            s -= L[i][k] * d[k];
        d[i] = s / L[i][i];
    }
    for (size_t i = dim; i-- > 0;) {
        double s = d[i];
        for (size_t k = i + 1; k < dim; k++)
            s -= L[k][i] * d[k];
        d[i] = s / L[i][i];
    }
}

/*
 * BFGS's line search compares values of f, whose rounding noise (~1e-12 of |LL|) stops it at a
 * mean gradient of about 1e-7. Newton steps need only the gradient, so a few of them, taken
 * while the Hessian is positive definite and the gradient keeps shrinking, finish the job.
 */
static void newton_polish(const struct fit_problem *fp, double *theta, double *f, double *gnorm,
                          double tol)
{
    double L[MAX_DIM][MAX_DIM], g[MAX_DIM], d[MAX_DIM], th[MAX_DIM], g_new[MAX_DIM];
    eval_at(fp, theta, g);
    for (int step = 0; step < NEWTON_STEPS && !(*gnorm < tol); step++) {
        if (!hessian_cholesky(fp, theta, L))
            return;
        cholesky_newton_step(L, fp->dim, g, d);
        for (size_t j = 0; j < fp->dim; j++)
            th[j] = theta[j] + d[j];
        const double f_new = eval_at(fp, th, g_new);
        const double gn_new = norm(g_new, fp->dim);
        /* f may not rise beyond its own rounding noise: this is polishing, not searching */
        if (!isfinite(f_new) || !(gn_new < *gnorm) || f_new > *f + 1e-10 * fabs(*f))
            return;
        for (size_t j = 0; j < fp->dim; j++) {
            theta[j] = th[j];
            g[j] = g_new[j];
        }
        *f = f_new;
        *gnorm = gn_new;
    }
}

/* "r=0.24, alpha=4.4, ..." for messages about the last iterate; never returned as estimates. */
static void describe_params(const struct fit_problem *fp, const double *theta, char *buf,
                            size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < fp->dim && used < size; j++) {
        int w = snprintf(buf + used, size - used, "%s%s=%.6g", j ? ", " : "", fp->names[j],
                         exp(theta[j]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* par: the start on entry, the estimate on success (untouched on failure). */
static int fit_run(const struct fit_problem *fp, double *par, const struct clv_fit_options *opts,
                   struct clv_fit_info *info, struct kith_error *err)
{
    const int max_iter = opts ? opts->max_iter : CLV_FIT_DEFAULT_MAX_ITER;
    const double tol = opts ? opts->grad_tol : CLV_FIT_DEFAULT_GRAD_TOL;
    if (max_iter <= 0 || !positive_finite(tol))
        return kith_err(err, KITH_EINVAL,
                        "%s fit: max_iter (%d) and grad_tol (%g) must both be positive", fp->model,
                        max_iter, tol);

    gsl_multimin_function_fdf fdf = {
        .f = fit_f, .df = fit_df, .fdf = fit_fdf, .n = fp->dim, .params = (void *)fp};
    double theta[MAX_DIM];
    gsl_vector_view th0 = gsl_vector_view_array(theta, fp->dim);
    for (size_t j = 0; j < fp->dim; j++)
        theta[j] = log(par[j]);

    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, fp->dim);
    if (!s)
        return kith_err(err, KITH_ENOMEM, "%s fit: out of memory for the minimiser", fp->model);

    int rc = 0;
    /* First step 0.1 in log-parameters (10%); line-search tolerance 0.1 as GSL advises. */
    gsl_multimin_fdfminimizer_set(s, &fdf, &th0.vector, 0.1, 0.1);
    if (!isfinite(gsl_multimin_fdfminimizer_minimum(s))) {
        rc = kith_err(err, KITH_ENOCONV,
                      "%s fit: the log-likelihood is not finite at the starting point", fp->model);
        goto out_free;
    }

    int iter = 0, status = GSL_CONTINUE;
    double gnorm = gsl_blas_dnrm2(gsl_multimin_fdfminimizer_gradient(s)) / fp->m;
    while (!(gnorm < tol) && iter < max_iter) {
        iter++;
        status = gsl_multimin_fdfminimizer_iterate(s);
        gnorm = gsl_blas_dnrm2(gsl_multimin_fdfminimizer_gradient(s)) / fp->m;
        if (status != GSL_SUCCESS)
            break; /* GSL_ENOPROG: the line search can no longer decrease f */
    }

    double f = gsl_multimin_fdfminimizer_minimum(s);
    for (size_t j = 0; j < fp->dim; j++)
        theta[j] = gsl_vector_get(gsl_multimin_fdfminimizer_x(s), j);
    /* Only a stalled line search is finished by Newton; running out of iterations is failure. */
    if (status == GSL_ENOPROG && isfinite(f) && isfinite(gnorm))
        newton_polish(fp, theta, &f, &gnorm, tol);

    if (info)
        *info = (struct clv_fit_info){
            .iterations = iter, .loglik = -f, .grad_norm = gnorm, .converged = false};

    char where[160];
    describe_params(fp, theta, where, sizeof where);
    const char *plural = iter == 1 ? "" : "s";
    if (!isfinite(f) || !isfinite(gnorm)) {
        rc = kith_err(err, KITH_ENOCONV,
                      "%s fit did not converge: the log-likelihood or its gradient became "
                      "non-finite after %d iteration%s (at %s)",
                      fp->model, iter, plural, where);
        goto out_free;
    }
    for (size_t j = 0; j < fp->dim; j++) {
        const double v = exp(theta[j]);
        if (!(v > 1 / PARAM_LIMIT && v < PARAM_LIMIT)) {
            rc = kith_err(
                err, KITH_ENOCONV,
                "%s fit did not converge: %s ran off to %.3g after %d iteration%s; the "
                "data do not determine the model (too few customers or too little variation)",
                fp->model, fp->names[j], v, iter, plural);
            goto out_free;
        }
    }
    if (!(gnorm < tol)) {
        rc = kith_err(err, KITH_ENOCONV,
                      "%s fit did not converge after %d iteration%s: gradient norm %.3g is above "
                      "the tolerance %.3g (log-likelihood %.6f at %s)%s",
                      fp->model, iter, plural, gnorm, tol, -f, where,
                      status == GSL_ENOPROG ? "; the line search stopped making progress" : "");
        goto out_free;
    }
    double L[MAX_DIM][MAX_DIM];
    if (!hessian_cholesky(fp, theta, L)) {
        rc = kith_err(err, KITH_ENOCONV,
                      "%s fit did not converge: the gradient vanishes after %d iteration%s but the "
                      "log-likelihood is flat or not at a maximum there (%s); the data do not "
                      "determine the model",
                      fp->model, iter, plural, where);
        goto out_free;
    }

    for (size_t j = 0; j < fp->dim; j++)
        par[j] = exp(theta[j]);
    if (info)
        info->converged = true;

out_free:
    gsl_multimin_fdfminimizer_free(s);
    return rc;
}

/* A distinct customer and its count, sorted together. */
struct weighted {
    struct clv_customer c;
    double w;
};

static int cmp_time(const void *pa, const void *pb)
{
    const struct clv_customer *a = &((const struct weighted *)pa)->c,
                              *b = &((const struct weighted *)pb)->c;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    return (a->x > b->x) - (a->x < b->x);
}

/* Orders d and w by (T, t_x, x): the BG/NBD sum then meets each T and t_x in runs. */
static int sort_by_time(struct clv_customer *d, double *w, size_t m)
{
    struct weighted *v = alloc_array(m, sizeof(*v));
    if (!v)
        return KITH_ENOMEM;
    for (size_t i = 0; i < m; i++)
        v[i] = (struct weighted){d[i], w[i]};
    qsort(v, m, sizeof(*v), cmp_time);
    for (size_t i = 0; i < m; i++) {
        d[i] = v[i].c;
        w[i] = v[i].w;
    }
    free(v);
    return 0;
}

static uint64_t customer_hash(const struct clv_customer *k)
{
    /* splitmix64's finaliser on each word: the low bits of x/7 repeat, so a plain multiply hash
     * would crowd such values into a few slots */
    uint64_t h = 0, bits[4];
    memcpy(bits, k, sizeof(bits));
    for (int j = 0; j < 4; j++) {
        uint64_t z = h + bits[j] + 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        h = z ^ (z >> 31);
    }
    return h;
}

/* An open-addressing slot: the distinct customer's index and the top of its hash. */
struct cslot {
    uint32_t index; /* UINT32_MAX: empty */
    uint32_t tag;
};

/* Places d[i] (hash h) in the table of cap slots. */
static struct cslot *cslot_find(struct cslot *t, size_t cap, const struct clv_customer *d,
                                const struct clv_customer *k, uint64_t h)
{
    size_t at = (size_t)h & (cap - 1);
    for (;; at = (at + 1) & (cap - 1)) {
        struct cslot *sl = &t[at];
        if (sl->index == UINT32_MAX ||
            (sl->tag == (uint32_t)(h >> 32) && memcmp(&d[sl->index], k, sizeof(*k)) == 0))
            return sl;
    }
}

/*
 * The distinct customers of c[0..n) as the model sees them, with how many of each there are: a
 * log-likelihood is a sum over customers, so equal ones are summed once, times their count. A
 * transaction log has whole days, so a million customers hold about a tenth as many distinct
 * (x, t_x, T); the fit then costs a tenth. gg: key (x, zbar) of repeat buyers only, else
 * (x, t_x, T). On success *out and *w are the caller's (free both); KITH_ENOMEM otherwise.
 */
static int fit_compress(const struct clv_customer *c, size_t n, bool gg, struct clv_customer **out,
                        double **w, size_t *nout)
{
    size_t cap = 4096, m = 0;
    struct cslot *t = alloc_array(cap, sizeof(*t));
    struct clv_customer *d = alloc_array(n, sizeof(*d));
    double *cnt = alloc_array(n, sizeof(*cnt));
    int rc = t && d && cnt && n < UINT32_MAX ? 0 : KITH_ENOMEM;
    if (t)
        memset(t, 0xff, cap * sizeof(*t));
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (gg && !(c[i].x > 0))
            continue;
        struct clv_customer k = gg ? (struct clv_customer){.x = c[i].x, .zbar = c[i].zbar}
                                   : (struct clv_customer){c[i].x, c[i].t_x, c[i].T, 0};
        uint64_t h = customer_hash(&k);
        struct cslot *sl = cslot_find(t, cap, d, &k, h);
        if (sl->index != UINT32_MAX) {
            cnt[sl->index] += 1;
            continue;
        }
        *sl = (struct cslot){(uint32_t)m, (uint32_t)(h >> 32)};
        d[m] = k;
        cnt[m++] = 1;
        if (2 * m > cap) { /* at most half full: rehash into twice the room */
            struct cslot *nt = alloc_array(cap, 2 * sizeof(*nt));
            if (!nt) {
                rc = KITH_ENOMEM;
                break;
            }
            memset(nt, 0xff, 2 * cap * sizeof(*nt));
            for (size_t j = 0; j < m; j++) {
                uint64_t hj = customer_hash(&d[j]);
                *cslot_find(nt, 2 * cap, d, &d[j], hj) =
                    (struct cslot){(uint32_t)j, (uint32_t)(hj >> 32)};
            }
            free(t);
            t = nt;
            cap *= 2;
        }
    }
    free(t);
    if (rc == 0 && !gg)
        rc = sort_by_time(d, cnt, m);
    if (rc < 0) {
        free(d);
        free(cnt);
        return rc;
    }
    *out = d;
    *w = cnt;
    *nout = m;
    return 0;
}

int bgnbd_fit(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
              struct bgnbd_params *out, struct clv_fit_info *info, struct kith_error *err)
{
    static const char *const names[] = {"r", "alpha", "a", "b"};
    int rc = clv_check_customers(c, n, false, err);
    if (rc)
        return rc;
    struct clv_customer *d;
    double *w;
    size_t nd;
    if (fit_compress(c, n, false, &d, &w, &nd) < 0)
        return kith_err(err, KITH_ENOMEM, "BG/NBD fit: out of memory for %zu customers", n);
    const struct fit_problem fp = {.loglik = bg_loglik_core,
                                   .c = d,
                                   .w = w,
                                   .n = nd,
                                   .m = (double)n,
                                   .dim = 4,
                                   .model = "BG/NBD",
                                   .names = names};
    double par[4] = {1, 1, 1, 1};
    rc = fit_run(&fp, par, opts, info, err);
    free(d);
    free(w);
    if (rc)
        return rc;
    *out = (struct bgnbd_params){.r = par[0], .alpha = par[1], .a = par[2], .b = par[3]};
    return 0;
}

int gg_fit(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
           struct gg_params *out, struct clv_fit_info *info, struct kith_error *err)
{
    static const char *const names[] = {"p", "q", "gamma"};
    int rc = clv_check_customers(c, n, true, err);
    if (rc)
        return rc;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += c[i].x > 0;
    if (m == 0)
        return kith_err(err, KITH_EINVAL,
                        "Gamma-Gamma fit: no repeat buyers (x > 0) among %zu customers", n);
    struct clv_customer *d;
    double *w;
    size_t nd;
    if (fit_compress(c, n, true, &d, &w, &nd) < 0)
        return kith_err(err, KITH_ENOMEM, "Gamma-Gamma fit: out of memory for %zu customers", n);
    const struct fit_problem fp = {.loglik = gg_loglik_core,
                                   .c = d,
                                   .w = w,
                                   .n = nd,
                                   .m = (double)m,
                                   .dim = 3,
                                   .model = "Gamma-Gamma",
                                   .names = names};
    double par[3] = {1, 1, 1};
    rc = fit_run(&fp, par, opts, info, err);
    free(d);
    free(w);
    if (rc)
        return rc;
    *out = (struct gg_params){.p = par[0], .q = par[1], .gamma = par[2]};
    return 0;
}

/* ---- expectations ----------------------------------------------------------------------- */

/*
 * Both FHL expectations have the form  (C/u) [1 - (1-z)^A 2F1(A, B; C; z)] with u = a-1. The
 * Euler transformation turns (1-z)^A 2F1(A, B; C; z) into (1-z)^u 2F1(v, u; C; z),
 * v = a+b-1-r, whose first two parameters do not grow with x. Writing (u)_k = u (u+1)_{k-1}
 * and (C)_k = C (C+1)_{k-1} removes the 1/u and 1/C singularities (a = 1, a+b+x = 1):
 *   G = C (1 - (1-z)^u) / u  -  (1-z)^u sum_{k>=1} (v)_k (u+1)_{k-1} / ((C+1)_{k-1} k!) z^k.
 * The terms are eventually of one sign and shrink like z^k; the sum stops when the tail bound
 * |term| / (1 - rho) falls below DBL_EPSILON/4 of the sum, rho = max(term ratio, z).
 * Returns NaN when SERIES_MAX_TERMS terms do not suffice (z within ~1e-5 of 1).
 */
static double bg_expect_kernel(double u, double v, double C, double z)
{
    if (z == 0)
        return 0;
    const double L = log1p(-z);
    const double head = u == 0 ? -L : -expm1(u * L) / u;
    /* past k_pos every factor (v+k), (u+k), (C+k) is positive, so terms keep one sign */
    const double k_pos = fmax(fmax(-v, -u), 0) + 1;
    double term = v * z, sum = 0;
    for (long k = 1; k <= SERIES_MAX_TERMS; k++) {
        sum += term;
        const double kd = (double)k;
        const double ratio = z * (v + kd) * (u + kd) / ((C + kd) * (kd + 1));
        term *= ratio;
        if (term == 0)
            return C * head - exp(u * L) * sum;
        if (kd >= k_pos) {
            const double rho = fmax(ratio, z);
            if (rho < 1 && fabs(term) / (1 - rho) <= 0.25 * DBL_EPSILON * fabs(sum))
                return C * head - exp(u * L) * (sum + term);
        }
    }
    return NAN;
}

static bool customer_ok(const struct clv_customer *c)
{
    return c && check_customer(c, 0, false, NULL) == 0;
}

/* ln of the odds that the customer is dead: a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x). */
static double bg_log_death_odds(const struct bgnbd_params *p, const struct clv_customer *c)
{
    return log(p->a) - log(p->b + c->x - 1) +
           (p->r + c->x) * (log(p->alpha + c->T) - log(p->alpha + c->t_x));
}

double bgnbd_p_alive(const struct bgnbd_params *p, const struct clv_customer *c)
{
    if (!bg_params_ok(p) || !customer_ok(c))
        return NAN;
    if (c->x == 0)
        return 1;
    return logistic(-bg_log_death_odds(p, c));
}

double bgnbd_expected(const struct bgnbd_params *p, double t)
{
    if (!bg_params_ok(p) || !(t >= 0 && isfinite(t)))
        return NAN;
    return bg_expect_kernel(p->a - 1, p->a + p->b - 1 - p->r, p->a + p->b - 1, t / (p->alpha + t));
}

/* E[Y(t)] / P(alive): the expectation for a customer known to be alive. */
static double bg_alive_expected(const struct bgnbd_params *p, const struct clv_customer *c,
                                double t)
{
    return bg_expect_kernel(p->a - 1, p->a + p->b - 1 - p->r, p->a + p->b - 1 + c->x,
                            t / (p->alpha + c->T + t));
}

double bgnbd_conditional_expected(const struct bgnbd_params *p, const struct clv_customer *c,
                                  double t)
{
    if (!bg_params_ok(p) || !customer_ok(c) || !(t >= 0 && isfinite(t)))
        return NAN;
    return bg_alive_expected(p, c, t) * bgnbd_p_alive(p, c);
}

double gg_conditional_spend(const struct gg_params *p, const struct clv_customer *c)
{
    if (!gg_params_ok(p) || !c || !(c->x >= 0 && isfinite(c->x)))
        return NAN;
    const double den = p->p * c->x + p->q - 1;
    if (!(den > 0))
        return NAN;
    if (c->x == 0)
        return p->p * p->gamma / den;
    if (!positive_finite(c->zbar))
        return NAN;
    return p->p * (p->gamma + c->x * c->zbar) / den;
}

/* ---- lifetime value --------------------------------------------------------------------- */

/* What clv_value() and clv_discounted_orders() check alike. */
static int check_horizon_inputs(const struct bgnbd_params *bg, const struct clv_customer *c,
                                const struct clv_horizon *h, struct kith_error *err)
{
    if (!bg_params_ok(bg))
        return kith_err(err, KITH_EINVAL, "CLV: BG/NBD parameters must be positive numbers");
    if (!c)
        return kith_err(err, KITH_EINVAL, "CLV: no customer given");
    int rc = check_customer(c, 0, false, err);
    if (rc)
        return rc;
    if (!h || h->steps <= 0 || h->steps > 100000 || !positive_finite(h->step))
        return kith_err(err, KITH_EINVAL,
                        "CLV: the horizon needs 1 to 100000 steps of positive length");
    if (!(h->discount > -1 && isfinite(h->discount)))
        return kith_err(err, KITH_EINVAL, "CLV: discount rate per step %g must be above -1",
                        h->discount);
    return 0;
}

/* P(alive) x the discounted sum of expected transactions per step; inputs already checked. */
static int discounted_orders(const struct bgnbd_params *bg, const struct clv_customer *c,
                             const struct clv_horizon *h, double *out, struct kith_error *err)
{
    const double alive = bgnbd_p_alive(bg, c);
    const double step_factor = 1 / (1 + h->discount);
    double factor = 1, prev = 0, sum = 0;
    for (int k = 1; k <= h->steps; k++) {
        const double cur = bg_alive_expected(bg, c, k * h->step);
        if (!isfinite(cur))
            return kith_err(err, KITH_ERANGE,
                            "CLV: expected transactions at t=%g did not converge (horizon too "
                            "long for alpha=%g)",
                            k * h->step, bg->alpha);
        factor *= step_factor;
        sum += (cur - prev) * factor;
        prev = cur;
    }
    *out = alive * sum;
    return 0;
}

int clv_value(const struct bgnbd_params *bg, const struct gg_params *gg,
              const struct clv_customer *c, const struct clv_horizon *h, double *out,
              struct kith_error *err)
{
    int rc = check_horizon_inputs(bg, c, h, err);
    if (rc)
        return rc;
    if (!gg_params_ok(gg))
        return kith_err(err, KITH_EINVAL, "CLV: Gamma-Gamma parameters must be positive numbers");
    if (!(h->margin >= 0 && h->margin <= 1))
        return kith_err(err, KITH_EINVAL,
                        "CLV: margin %g must be a fraction between 0 and 1 (0.3 for 30%%)",
                        h->margin);

    const double spend = gg_conditional_spend(gg, c);
    if (!isfinite(spend))
        return kith_err(err, KITH_ERANGE,
                        "CLV: expected spend is undefined (Gamma-Gamma needs p x + q > 1; "
                        "p=%g q=%g x=%g)",
                        gg->p, gg->q, c->x);
    double orders;
    if ((rc = discounted_orders(bg, c, h, &orders, err)) < 0)
        return rc;
    *out = h->margin * spend * orders;
    return 0;
}

int clv_discounted_orders(const struct bgnbd_params *bg, const struct clv_customer *c,
                          const struct clv_horizon *h, double *out, struct kith_error *err)
{
    int rc = check_horizon_inputs(bg, c, h, err);
    return rc ? rc : discounted_orders(bg, c, h, out, err);
}
