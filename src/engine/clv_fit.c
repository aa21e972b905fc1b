/*
 * clv_fit.c - maximum-likelihood fits of the CLV models: GSL's vector_bfgs2 on log-parameters over
 * the distinct customers (clv_compress.c), a Newton polish when its line search stalls, the checks
 * that the estimate is a strict minimum inside the parameter range, and bgnbd_fit() and gg_fit().
 * docs/internals/clv.md.
 */
#include "engine/clv_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>

#include "util/alloc.h"

#include "util/banned.h"

/* A fit whose estimate leaves [1/PARAM_LIMIT, PARAM_LIMIT] has run off to a boundary. */
#define PARAM_LIMIT 1e8

/* The Hessian of the mean -LL (log-parameters) must have Cholesky pivots above this. */
#define HESSIAN_MIN_PIVOT 1e-10

#define MAX_DIM 4

/* Newton steps that may finish a fit after BFGS's line search stalls (see newton_polish). */
#define NEWTON_STEPS 8

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
    if (clv_fit_compress(c, n, false, &d, &w, &nd) < 0)
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
    if (clv_fit_compress(c, n, true, &d, &w, &nd) < 0)
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

/* ---- standard errors from the observed information --------------------------------------- */

/* The 97.5% quantile of the standard normal: a 95% interval is estimate +- Z95 SE. */
#define Z95 1.959963984540054

/*
 * Standard errors and 95% intervals at the estimate par of fp (docs/internals/clv.md, "Standard
 * errors"). The Hessian of the mean -LL in log-parameters (hessian_cholesky, the one the fit
 * checks) times m is the observed information I; Cov(theta) = I^-1. By the delta method
 * SE(par_j) = par_j SE(theta_j); the interval is exp(theta_j +- Z95 SE(theta_j)), which stays
 * positive as the parameters must.
 */
static void fit_diag(const struct fit_problem *fp, const double *par, struct clv_fit_diag *out)
{
    double theta[MAX_DIM], L[MAX_DIM][MAX_DIM];
    *out = (struct clv_fit_diag){.dim = fp->dim};
    for (size_t j = 0; j < fp->dim; j++) {
        theta[j] = log(par[j]);
        out->par[j] = (struct clv_param_diag){
            .name = fp->names[j], .estimate = par[j], .se = NAN, .lo = NAN, .hi = NAN};
    }
    out->determined = hessian_cholesky(fp, theta, L);
    for (size_t j = 0; j < fp->dim; j++) {
        struct clv_param_diag *d = &out->par[j];
        if (out->determined) {
            /* column j of (L L')^-1: solve L L' v = e_j (the Newton step solves L L' v = -g) */
            double e[MAX_DIM] = {0}, v[MAX_DIM];
            e[j] = -1;
            cholesky_newton_step(L, fp->dim, e, v);
            const double var = v[j] / fp->m;
            const double se_log = var > 0 ? sqrt(var) : NAN;
            d->se_log = se_log;
            d->se = par[j] * se_log;
            d->lo = exp(theta[j] - Z95 * se_log);
            d->hi = exp(theta[j] + Z95 * se_log);
        }
        d->box_lo = 1 / PARAM_LIMIT;
        d->box_hi = PARAM_LIMIT;
        /* an interval that reaches past the box: the data cannot tell the estimate from it */
        d->at_boundary =
            !out->determined || !isfinite(d->se) || !(d->lo > d->box_lo) || !(d->hi < d->box_hi);
    }
}

int bgnbd_fit_diag(const struct bgnbd_params *p, const struct clv_customer *c, size_t n,
                   struct clv_fit_diag *out, struct kith_error *err)
{
    static const char *const names[] = {"r", "alpha", "a", "b"};
    if (!bg_params_ok(p))
        return kith_err(err, KITH_EINVAL, "BG/NBD standard errors: the parameters must be > 0");
    int rc = clv_check_customers(c, n, false, err);
    if (rc)
        return rc;
    struct clv_customer *d;
    double *w;
    size_t nd;
    if (clv_fit_compress(c, n, false, &d, &w, &nd) < 0)
        return kith_err(err, KITH_ENOMEM, "BG/NBD standard errors: out of memory for %zu customers",
                        n);
    const struct fit_problem fp = {.loglik = bg_loglik_core,
                                   .c = d,
                                   .w = w,
                                   .n = nd,
                                   .m = (double)n,
                                   .dim = 4,
                                   .model = "BG/NBD",
                                   .names = names};
    const double par[4] = {p->r, p->alpha, p->a, p->b};
    fit_diag(&fp, par, out);
    free(d);
    free(w);
    return 0;
}

int gg_fit_diag(const struct gg_params *p, const struct clv_customer *c, size_t n,
                struct clv_fit_diag *out, struct kith_error *err)
{
    static const char *const names[] = {"p", "q", "gamma"};
    if (!gg_params_ok(p))
        return kith_err(err, KITH_EINVAL,
                        "Gamma-Gamma standard errors: the parameters must be > 0");
    if (!c || n == 0)
        return kith_err(err, KITH_EINVAL, "no customers: the data set is empty");
    /* the customers the fit used: clv.h's rule for repeat buyers without positive spend */
    struct clv_customer *keep = alloc_array(n, sizeof(*keep));
    if (!keep)
        return kith_err(err, KITH_ENOMEM, "Gamma-Gamma standard errors: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (gg_has_repeat_spend(&c[i]))
            keep[m++] = c[i];
    int rc = m == 0 ? kith_err(err, KITH_EINVAL,
                               "Gamma-Gamma standard errors: no repeat buyer with positive spend")
                    : clv_check_customers(keep, m, true, err);
    struct clv_customer *d = NULL;
    double *w = NULL;
    size_t nd;
    if (rc == 0 && clv_fit_compress(keep, m, true, &d, &w, &nd) < 0)
        rc = kith_err(err, KITH_ENOMEM, "Gamma-Gamma standard errors: out of memory");
    if (rc == 0) {
        const struct fit_problem fp = {.loglik = gg_loglik_core,
                                       .c = d,
                                       .w = w,
                                       .n = nd,
                                       .m = (double)m,
                                       .dim = 3,
                                       .model = "Gamma-Gamma",
                                       .names = names};
        const double par[3] = {p->p, p->q, p->gamma};
        fit_diag(&fp, par, out);
    }
    free(d);
    free(w);
    free(keep);
    return rc;
}
