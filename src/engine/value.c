/*
 * value.c - value per customer: to date, current, predicted (BG/NBD + Gamma-Gamma with a margin
 * ratio, discounted) and lifetime, with proxies from own history where no model gives a value. This
 * file holds the options, the results and value_compute(), which runs the steps (value_int.h lists
 * the files). Pure computation over struct cv_data (value.h); the rules in words are in
 * docs/value.md, the design in docs/internals/value.md.
 */
#include "engine/value_int.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

void value_options_default(struct value_options *o)
{
    *o = (struct value_options){
        .as_of_day = 0,
        .current_days = 365,
        .unit_days = 7,
        .horizon_months = 36,
        .discount = 0.10,
        .margin_ratio = -1,
        .proxy_days = 365,
        .fit = NULL,
    };
}

int value_check_options(const struct value_options *o, struct kith_error *err)
{
    if (o->current_days < 1 || o->current_days > 36600)
        return kith_err(err, KITH_EINVAL, "the current-value window of %d days must be 1..36600",
                        o->current_days);
    if (!(o->unit_days > 0 && isfinite(o->unit_days)))
        return kith_err(err, KITH_EINVAL, "the time unit of %g days must be positive",
                        o->unit_days);
    if (o->horizon_months < 1 || o->horizon_months > 1200)
        return kith_err(err, KITH_EINVAL, "the horizon of %d months must be 1..1200",
                        o->horizon_months);
    if (!(o->discount > -1 && o->discount < 100))
        return kith_err(err, KITH_EINVAL, "the annual discount rate %g must be above -1",
                        o->discount);
    if (o->margin_ratio > 1 || isnan(o->margin_ratio))
        return kith_err(err, KITH_EINVAL,
                        "the margin ratio %g must be a fraction between 0 and 1 (0.3 for 30%%)",
                        o->margin_ratio);
    if (o->proxy_days < 0)
        return kith_err(err, KITH_EINVAL,
                        "the proxy's shortest history of %d days must not be negative",
                        o->proxy_days);
    return 0;
}

void value_result_release(struct value_result *r)
{
    if (!r)
        return;
    free(r->c);
    memset(r, 0, sizeof(*r));
}

size_t value_find(const struct value_result *r, int64_t account_id)
{
    size_t i = cv_lower_bound(r->c, r->n, sizeof(*r->c),
                              offsetof(struct value_customer, account_id), account_id);
    return i < r->n && r->c[i].account_id == account_id ? i : CV_NO_INDEX;
}

int value_compute(const struct cv_data *d, const struct value_options *o, struct value_result *out,
                  struct kith_error *err)
{
    int rc = value_customers_build(d, o, out, err);
    if (rc < 0)
        return rc;
    if ((rc = value_fit(out, o, err)) < 0 || (rc = value_predict(out, o, err)) < 0)
        value_result_release(out);
    return rc;
}
