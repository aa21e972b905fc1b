/*
 * clv_gg.c - the Gamma-Gamma model of spend per transaction (Fader and Hardie 2013): its
 * log-likelihood with analytic gradient over the repeat buyers, and a customer's expected spend.
 * docs/internals/clv.md.
 */
#include "engine/clv_int.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "util/alloc.h"

#include "util/banned.h"

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
double gg_loglik_core(const double *par, const struct clv_customer *c, const double *w, size_t n,
                      double *grad)
{
    const double q = par[1], g = par[2];
    struct ll_part sum;
    clv_sum_parts(gg_part_run, par, c, w, n, grad != NULL, &sum);
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

/* ---- expectations ----------------------------------------------------------------------- */

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

double gg_expected_spend(const struct gg_params *p, const struct clv_customer *c, double first)
{
    if (!gg_params_ok(p) || !c || !(c->x >= 0 && isfinite(c->x)))
        return NAN;
    if (gg_has_repeat_spend(c))
        return gg_conditional_spend(p, c);
    double k = 0, m = 0;
    if (first > 0 && isfinite(first)) {
        k = 1;
        m = first;
    }
    const double den = p->p * k + p->q - 1;
    if (!(den > 0))
        return NAN;
    return p->p * (p->gamma + k * m) / den;
}

/* ---- the rule for customers without positive repeat spend ------------------------------- */

int gg_fit_rule(const struct clv_customer *c, size_t n, const struct clv_fit_options *opts,
                struct gg_params *out, struct clv_fit_info *info, size_t *excluded,
                struct kith_error *err)
{
    size_t kept = 0, left = 0;
    for (size_t i = 0; i < n; i++) {
        kept += gg_has_repeat_spend(&c[i]);
        left += gg_without_repeat_spend(&c[i]);
    }
    if (excluded)
        *excluded = left;
    if (kept == 0)
        return kith_err(err, KITH_EINVAL,
                        "Gamma-Gamma fit: no repeat buyer with a positive mean repeat spend among "
                        "%zu customers (%zu repeat buyers without one), so spend per order cannot "
                        "be modelled",
                        n, left);
    struct clv_customer *k = alloc_array(kept, sizeof(*k));
    if (!k)
        return kith_err(err, KITH_ENOMEM, "Gamma-Gamma fit: out of memory for %zu customers", kept);
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (gg_has_repeat_spend(&c[i]))
            k[j++] = c[i];
    int rc = gg_fit(k, kept, opts, out, info, err);
    free(k);
    return rc;
}
