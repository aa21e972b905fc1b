/*
 * value_proxy.c - the proxy of a customer's predicted value where no model gives one: its own net
 * value to date as a yearly rate over the discounted horizon, never below 0 (docs/value.md,
 * "Proxy values"); and the names of the bases and reasons.
 */
#include "engine/value_int.h"

#include <math.h>

#include "util/banned.h"

#define DAYS_PER_YEAR 365.25

double value_discounted_years(const struct value_options *o)
{
    const double step = 1 / pow(1 + o->discount, 1.0 / 12); /* one month's discount factor */
    double factor = 1, sum = 0;
    for (int k = 1; k <= o->horizon_months; k++) {
        factor *= step;
        sum += factor / 12;
    }
    return sum;
}

double value_proxy(const struct value_customer *c, int32_t as_of_day, const struct value_options *o)
{
    return value_proxy_with(c, as_of_day, o, value_discounted_years(o));
}

double value_proxy_with(const struct value_customer *c, int32_t as_of_day,
                        const struct value_options *o, double years)
{
    if (!(c->to_date > 0))
        return 0; /* a customer whose net history is nothing or negative: no positive value */
    double days = (double)((int64_t)as_of_day - c->first_day + 1);
    if (days < o->proxy_days)
        days = o->proxy_days;
    if (days < 1)
        days = 1;
    return c->to_date / days * DAYS_PER_YEAR * years;
}

void value_predict_without_model(struct value_result *r, const struct value_options *o)
{
    const double years = value_discounted_years(o);
    for (size_t i = 0; i < r->n; i++) {
        struct value_customer *c = &r->c[i];
        c->p_alive = c->expected_orders = NAN;
        c->proxy_reason = VALUE_PROXY_NO_MODEL;
        c->basis = VALUE_BASIS_HISTORY;
        c->predicted = value_proxy_with(c, r->as_of_day, o, years);
        c->lifetime = c->to_date + c->predicted;
    }
}

const char *value_basis_name(enum value_basis b)
{
    switch (b) {
    case VALUE_BASIS_MODEL:
        return "model";
    case VALUE_BASIS_HISTORY:
        return "history";
    }
    return "?";
}

const char *value_proxy_reason_text(enum value_proxy_reason r)
{
    switch (r) {
    case VALUE_PROXY_NO:
        return "";
    case VALUE_PROXY_NO_MODEL:
        return "no model could be fitted on the data";
    case VALUE_PROXY_UNDEFINED:
        return "the model gives no value for this history";
    }
    return "?";
}
