/*
 * Value per customer (DESIGN.md §6, seed 003): value to date, current value (the last 12
 * months), predicted lifetime value from BG/NBD + Gamma-Gamma (engine/clv.h) with a margin ratio
 * over a discounted horizon for every customer, lifetime value = to date + predicted, and a proxy
 * from the customer's own history where no model can be fitted. Also the per-customer cost to
 * serve, profitability and product holding, and grouping of customers by unit, segment or source.
 *
 * A customer is an account with at least one sale on or before the as-of day. Values to date
 * are net of returns and credits; purchases (orders, purchase days, recency, the models'
 * summaries) count sales only (model/value_data.h, docs/value.md "Returns and credits"). Pure
 * computation over struct cv_data (model/value_data.h); definitions in docs/value.md, the
 * calling sequence for the CLI and the API in docs/internals/value.md.
 */
#ifndef KITH_ENGINE_VALUE_H
#define KITH_ENGINE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/clv.h"
#include "model/value_data.h"
#include "util/error.h"

struct value_options {
    int32_t as_of_day;   /* the calibration end: orders after it are ignored */
    int current_days;    /* "current value" window, ending on as_of_day (365) */
    double unit_days;    /* the models' time unit in days (7: weeks) */
    int horizon_months;  /* prediction horizon in months, 1..1200 (36) */
    double discount;     /* annual discount rate, > -1 (0.10) */
    double margin_ratio; /* fraction of spend kept, in [0, 1]; negative: from the data (-1) */
    int proxy_days;      /* the proxy spreads value to date over at least this many days (365) */
    const struct clv_fit_options *fit; /* NULL for the defaults */
};

/* Fills o with the defaults above; as_of_day must still be set. */
void value_options_default(struct value_options *o);

/* The fitted models; filled by value_fit(). */
struct value_model {
    struct bgnbd_params bg;
    struct gg_params gg;
    struct clv_fit_info bg_info, gg_info;
    bool fitted;           /* both fits converged; never true after a failed fit */
    double margin_ratio;   /* the ratio used for predictions and for orders without a margin */
    bool margin_from_data; /* sum of margin / sum of amount over orders with both */
    size_t ncustomers;     /* customers the models were fitted on */
    size_t nrepeat;        /* of them, repeat buyers (x > 0) */
    size_t gg_excluded;    /* repeat buyers without positive repeat spend (clv.h's rule) */
};

/* How a customer's predicted value was obtained. */
enum value_basis {
    VALUE_BASIS_MODEL = 0, /* BG/NBD + Gamma-Gamma for this customer */
    VALUE_BASIS_HISTORY,   /* proxy: its own net value to date as a yearly rate (value_proxy) */
};

/* Why a customer got a proxy. */
enum value_proxy_reason {
    VALUE_PROXY_NO = 0,
    VALUE_PROXY_NO_MODEL,  /* the models could not be fitted on the data */
    VALUE_PROXY_UNDEFINED, /* the model has no value for it (Gamma-Gamma's p k + q <= 1) */
};

struct value_customer {
    int64_t account_id;
    size_t account; /* index into cv_data.accounts, or CV_NO_INDEX */
    int32_t first_day, last_day;
    uint32_t orders;         /* sales up to the as-of day */
    uint32_t returns;        /* returns and credits up to the as-of day */
    struct clv_customer rfm; /* x, t_x, T (model units), zbar (currency units) */
    double first_spend;      /* the first purchase day's sales, currency units */
    double amount_to_date;   /* net amount up to the as-of day, currency units */
    double amount_current;   /* net amount (revenue) in the current window, currency units */
    double wallet;           /* the account's estimated annual wallet, currency units; NaN: none */
    double share_of_wallet;  /* value_wallet_share(amount_current, wallet); NaN: no wallet */
    double to_date;          /* net margin up to the as-of day, currency units */
    double current;          /* net margin in the current window, currency units */
    double returned;         /* margin of its returns and credits (<= 0), within to_date */
    double cost_to_date;     /* cost to serve up to the as-of day */
    double cost_current;     /* cost to serve in the current window */
    double p_alive;          /* BG/NBD, at the as-of day (NaN before value_predict) */
    double expected_orders;  /* BG/NBD expected orders over the horizon (undiscounted) */
    double predicted;        /* discounted expected margin over the horizon, currency units */
    double lifetime;         /* to_date + predicted */
    uint8_t basis;           /* enum value_basis */
    uint8_t proxy_reason;    /* enum value_proxy_reason */
};

/* The customers, ascending account_id; owned by the struct (value_result_release). */
struct value_result {
    size_t n;
    struct value_customer *c;
    struct value_model model;
    int32_t as_of_day;
    int current_days;
    double horizon_years;
};

/*
 * Step 1: one row per customer from d->orders (ascending by account and time, as the store
 * loads them; KITH_EINVAL otherwise) and d->costs: first and last sale day, sales, the
 * (x, t_x, T, zbar) summary of engine/summary.c and the first purchase's spend on the sales'
 * amounts, value to date and current value in margin net of returns and credits, returns, cost to
 * serve. Orders without a margin count amount x the margin ratio (o->margin_ratio, or sum margin /
 * sum amount over the orders that have one, clamped to [0, 1], or 1 when none has: the values are
 * then revenue). An account whose orders by the as-of day are all returns or credits is no
 * customer. KITH_EINVAL when nobody bought by the as-of day. On success the caller owns *out.
 */
int value_customers_build(const struct cv_data *d, const struct value_options *o,
                          struct value_result *out, struct kith_error *err);

/*
 * Step 2: fits BG/NBD and Gamma-Gamma (gg_fit_rule(): repeat buyers without positive repeat
 * spend are left out and counted in r->model.gg_excluded) on r's summaries into r->model.
 * KITH_ENOCONV (with the optimiser's message) when a fit does not converge, KITH_EINVAL when the
 * data cannot be fitted (e.g. no repeat buyer); then r->model.fitted stays false and no
 * parameter is set.
 */
int value_fit(struct value_result *r, const struct value_options *o, struct kith_error *err);

/*
 * Step 3: P(alive), expected orders and predicted value of every customer from the fitted
 * model, one-order customers included (their expected spend: gg_expected_spend()). A customer
 * the model gives no value gets the proxy of value_proxy() (reason VALUE_PROXY_UNDEFINED).
 * KITH_EINVAL when r->model is not fitted. O(n log n).
 */
int value_predict(struct value_result *r, const struct value_options *o, struct kith_error *err);

/*
 * The proxy of a customer's predicted value where no model gives one (docs/value.md, "Proxy
 * values"): its own net value to date as a yearly rate, spread over its age in days but at least
 * o->proxy_days, times the discounted years of the horizon (monthly steps, o->discount), and 0
 * when its net value to date is not positive. Never negative.
 */
double value_proxy(const struct value_customer *c, int32_t as_of_day,
                   const struct value_options *o);

/*
 * Every customer of r valued without a model, because none could be fitted: the proxy with
 * reason VALUE_PROXY_NO_MODEL, P(alive) and expected orders unknown (NaN).
 */
void value_predict_without_model(struct value_result *r, const struct value_options *o);

/*
 * The model's predictions for summaries c[0..n): P(alive), expected orders over the horizon
 * (steps x step, undiscounted) and the discounted expected margin, margin x E[spend] x
 * clv_discounted_orders(), E[spend] by gg_expected_spend() with first[i] the first purchase's
 * spend (first NULL: unknown, as in a summary file). Customers that share (x, t_x, T) share one
 * evaluation of the BG/NBD series, so day-level data with many customers costs a sort plus one
 * series per distinct history. A customer the model cannot value gets NaN in value. The arrays have
 * n entries each (caller-owned). KITH_EINVAL for bad parameters or horizon, KITH_ENOMEM.
 */
int value_predict_summaries(const struct bgnbd_params *bg, const struct gg_params *gg,
                            const struct clv_customer *c, const double *first, size_t n,
                            const struct clv_horizon *h, double *p_alive, double *expected,
                            double *value, struct kith_error *err);

/* Steps 1 to 3. On failure *out holds nothing to release. */
int value_compute(const struct cv_data *d, const struct value_options *o, struct value_result *out,
                  struct kith_error *err);

/* Frees r's arrays and zeroes it; safe twice. */
void value_result_release(struct value_result *r);

/* The index of account_id among r's customers, or CV_NO_INDEX. O(log n). */
size_t value_find(const struct value_result *r, int64_t account_id);

const char *value_basis_name(enum value_basis b);               /* "model", "history" */
const char *value_proxy_reason_text(enum value_proxy_reason r); /* in words; "" for none */

/* Which value of a customer a report looks at. */
enum value_measure {
    VALUE_LIFETIME,
    VALUE_PREDICTED,
    VALUE_TO_DATE,
    VALUE_CURRENT,
    VALUE_PROFIT,         /* margin to date - cost to serve to date */
    VALUE_PROFIT_CURRENT, /* current margin - current cost to serve */
};

double value_of(const struct value_customer *c, enum value_measure m);

/*
 * Sorts ix[0..n) by value[ix[k]]: descending, unknown (NaN) values last, ties by ascending index
 * (the order of every customer list). False when out of memory (ix then unchanged).
 */
bool value_sort_desc(size_t *ix, size_t n, const double *value);

/* Indices of r's customers by m, as value_sort_desc(); NULL when out of memory (caller frees). */
size_t *value_order(const struct value_result *r, enum value_measure m);
const char *value_measure_name(enum value_measure m);
/* The measure called name ("lifetime", "predicted", "to_date", ...); false if none. */
bool value_measure_parse(const char *name, enum value_measure *m);

/* ---- groups ----------------------------------------------------------------------------- */

enum value_by {
    VALUE_BY_NONE,
    VALUE_BY_UNIT,
    VALUE_BY_SEGMENT,
    VALUE_BY_INDUSTRY,
    VALUE_BY_SOURCE
};

const char *value_by_name(enum value_by by);
bool value_by_parse(const char *name, enum value_by *by);

/*
 * Customers' groups: code[i] for r->c[i] in [0, n) (a customer without the attribute is in
 * the group "(none)"), names owned by the struct. Segment = industry x revenue band
 * ("Automotive / $10M-$50M"); only combinations that occur get a group. With VALUE_BY_NONE
 * everybody is in the one group "all".
 */
struct value_groups {
    size_t n;
    char **names;
    int32_t *code;
};
int value_groups_build(const struct cv_data *d, const struct value_result *r, enum value_by by,
                       struct value_groups *out, struct kith_error *err);
void value_groups_release(struct value_groups *g);

/* ---- share of wallet (value_wallet.c) ----------------------------------------------------- */

#define VALUE_WALLET_YEAR_DAYS 365 /* a wallet is per year of this many days */

/*
 * Share of wallet (docs/value.md, "Share of wallet"): revenue earned over `days` days against an
 * annual wallet (both in the same units), the wallet annualised to the period:
 * revenue / (wallet x days / 365). NaN when there is no wallet (NaN, or not above 0) or days < 1.
 * Net revenue may be negative, and so may the share; it may also exceed 1.
 */
double value_wallet_share(double revenue, double wallet, int days);

/* The bands of the share distribution: [0, 10%), [10%, 25%), ..., [75%, 100%), 100% and more;
 * a negative share counts in the first. */
#define VALUE_WALLET_BANDS 6
extern const double value_wallet_band_from[VALUE_WALLET_BANDS];

/* The share of wallet over r's customers that have a wallet (current window). */
struct value_wallet_dist {
    size_t with, without;   /* customers with and without a wallet */
    double revenue, wallet; /* sums over those with one: current revenue, annual wallets */
    double aggregate;       /* share of the sums: value_wallet_share(revenue, wallet, days) */
    double mean, p25, median, p75; /* of the customers' shares; NaN when with == 0 */
    size_t bands[VALUE_WALLET_BANDS];
};

/* The distribution over customers ix[0..n) of r (ix NULL: every customer). KITH_ENOMEM. */
int value_wallet_dist_build(const struct value_result *r, const size_t *ix, size_t n,
                            struct value_wallet_dist *out, struct kith_error *err);

/* ---- product holding -------------------------------------------------------------------- */

/*
 * The distinct products each customer bought up to the as-of day, from d->lines: customer i
 * holds items[start[i] .. start[i+1]) (product indexes into d->products, ascending), and
 * categories[i] distinct categories. Owned by the struct.
 */
struct value_holdings {
    size_t n;
    size_t *start; /* n + 1 entries */
    int32_t *items;
    uint32_t *categories;
};
int value_holdings_build(const struct cv_data *d, const struct value_result *r,
                         struct value_holdings *out, struct kith_error *err);
void value_holdings_release(struct value_holdings *h);

static inline uint32_t value_holding_count(const struct value_holdings *h, size_t i)
{
    return (uint32_t)(h->start[i + 1] - h->start[i]);
}

#endif /* KITH_ENGINE_VALUE_H */
