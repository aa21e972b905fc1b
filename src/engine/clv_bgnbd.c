/*
 * clv_bgnbd.c - the BG/NBD model of repeat transactions (Fader, Hardie and Lee 2005): its
 * log-likelihood with analytic gradient, P(alive), and the expected transactions in a period,
 * unconditional and for a customer's history, by a hypergeometric series. docs/internals/clv.md.
 */
#include "engine/clv_int.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "util/banned.h"

/* Terms cap of the hypergeometric series; past it the expectation is reported as NaN. */
#define SERIES_MAX_TERMS 1000000

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

static void *bg_part_run(void *arg)
{
    struct ll_part *pt = arg;
    const double *par = pt->par;
    const double r = par[0], al = par[1], a = par[2], b = par[3];
    const double ln_a = log(a);
    struct bg_xterms cache[XCACHE];
    bool filled[XCACHE] = {false};
    double ll = 0, g_r = 0, g_al = 0, g_a = 0, g_b = 0, nd = 0;
    /* the last T and t_x and their terms: clv_fit_compress() sorts by them, so most are repeats */
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

/*
 * par = (r, alpha, a, b), all > 0 and finite (checked by the callers). grad may be NULL. w: how
 * many customers each c[i] stands for (NULL: one each; see clv_fit_compress()).
 */
double bg_loglik_core(const double *par, const struct clv_customer *c, const double *w, size_t n,
                      double *grad)
{
    const double r = par[0], al = par[1], a = par[2], b = par[3];
    struct ll_part sum;
    clv_sum_parts(bg_part_run, par, c, w, n, grad != NULL, &sum);
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
double bg_expect_kernel(double u, double v, double C, double z)
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

double bgnbd_conditional_expected(const struct bgnbd_params *p, const struct clv_customer *c,
                                  double t)
{
    if (!bg_params_ok(p) || !customer_ok(c) || !(t >= 0 && isfinite(t)))
        return NAN;
    return bg_alive_expected(p, c, t) * bgnbd_p_alive(p, c);
}
