/*
 * clv_value.c - a customer's discounted lifetime value: P(alive) times the discounted sum of the
 * expected transactions per step of a horizon (BG/NBD), times the expected spend (Gamma-Gamma)
 * and the margin; and the discounted orders alone. docs/internals/clv.md ("lifetime value").
 */
#include "engine/clv_int.h"

#include <math.h>

#include "util/banned.h"

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
