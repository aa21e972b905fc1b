/*
 * Value drivers (seed 003, "Understanding Customer Value"): acquisition by source and period,
 * cohort retention, attrition, product holding, cost to serve and profitability, and the
 * migration of customers between value tiers from one period to the next. Pure computation over
 * struct cv_data and the per-customer values of engine/value.h; definitions in docs/value.md.
 */
#ifndef KITH_ENGINE_DRIVERS_H
#define KITH_ENGINE_DRIVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/value.h"
#include "model/value_data.h"
#include "util/error.h"

enum drivers_period { DRIVERS_MONTH, DRIVERS_QUARTER, DRIVERS_YEAR };

bool drivers_period_parse(const char *name, enum drivers_period *p); /* month|quarter|year */
const char *drivers_period_name(enum drivers_period p);
/* The period number of a day: year*12+month-1, year*4+quarter-1 or the year (UTC calendar). */
int32_t drivers_period_of(int32_t day, enum drivers_period p);
/* "2024-03", "2024-Q1" or "2024" into buf (at least 16 bytes). */
void drivers_period_label(int32_t period, enum drivers_period p, char *buf, size_t size);

/* ---- acquisition ------------------------------------------------------------------------ */

/*
 * One (period, source): accounts acquired (created, or first ordered if that was earlier) and
 * customers won (first order) in the period.
 */
struct drivers_acq_row {
    int32_t period;
    int32_t source; /* code in cv_data.sources, or CV_NONE */
    size_t accounts;
    size_t customers;
    double value; /* sum of the measure over the customers won */
};

struct drivers_acq_source {
    size_t accounts, customers; /* conversion = customers / accounts */
    double value;               /* sum of the measure over its customers */
};

/* Rows ascending by (period, source); sources[code] and sources[nsources - 1] for CV_NONE. */
struct drivers_acquisition {
    enum drivers_period period;
    size_t nrows;
    struct drivers_acq_row *rows;
    size_t nsources;
    struct drivers_acq_source *sources;
};

/*
 * Accounts (d->accounts, by the earlier of created_at and the first order: imported accounts are
 * created at the import, after their orders) and customers (r, by first order) up to the as-of day,
 * per period and source; m is the value a customer brings (value_of()). O(n log n).
 */
int drivers_acquisition_build(const struct cv_data *d, const struct value_result *r,
                              enum drivers_period p, enum value_measure m,
                              struct drivers_acquisition *out, struct kith_error *err);
void drivers_acquisition_release(struct drivers_acquisition *a);

/* ---- cohort retention ------------------------------------------------------------------- */

#define DRIVERS_MAX_PERIODS 1200

/*
 * Cohort c (the period of the first order, first + c) has size[c] customers; active[c * n + k]
 * of them ordered in period first + c + k (k = 0 is the cohort's own period, so active == size
 * there). Cells after the as-of day's period stay 0.
 */
struct drivers_cohorts {
    enum drivers_period period;
    int32_t first;
    size_t n;
    size_t *size;
    size_t *active;
};

/* From d->orders (ascending by account and time) up to r's as-of day. KITH_ERANGE beyond
 * DRIVERS_MAX_PERIODS periods (use a longer period). O(orders). */
int drivers_cohorts_build(const struct cv_data *d, const struct value_result *r,
                          enum drivers_period p, struct drivers_cohorts *out,
                          struct kith_error *err);
void drivers_cohorts_release(struct drivers_cohorts *c);

/* ---- attrition, holding, cost to serve, per group --------------------------------------- */

struct drivers_attrition {
    size_t n;
    double expected_lost; /* sum over customers of 1 - P(alive) */
    double mean_p_alive;
    size_t below_half;    /* customers with P(alive) < 0.5 */
    size_t active_before; /* ordered in the window before the last one */
    size_t lapsed;        /* of those, no order in the last window */
};

/*
 * Attrition per group (g->code for r's customers; g NULL: out[0] for everyone). The windows are
 * the window_days up to the as-of day and the window_days before them. out has g->n entries (1).
 * Customers whose P(alive) is not known count in n but not in the P(alive) figures.
 */
int drivers_attrition_build(const struct cv_data *d, const struct value_result *r,
                            const struct value_groups *g, int window_days,
                            struct drivers_attrition *out, struct kith_error *err);

#define DRIVERS_HOLDING_BUCKETS 11 /* customers holding 0..9 products, and 10 or more */

struct drivers_holding {
    size_t customers[DRIVERS_HOLDING_BUCKETS];
    double value[DRIVERS_HOLDING_BUCKETS]; /* sum of the measure per bucket */
    size_t n;
    double mean_products, mean_categories;
};

/* Product holding of r's customers (h from value_holdings_build) against the measure m. */
void drivers_holding_build(const struct value_result *r, const struct value_holdings *h,
                           enum value_measure m, struct drivers_holding *out);

struct drivers_cost {
    size_t n;
    double margin, cost; /* to date */
    size_t unprofitable; /* margin to date - cost to serve to date < 0 */
    double margin_current, cost_current;
    size_t unprofitable_current;
};

/* Cost to serve and profitability per group (g NULL: out[0] for everyone). */
void drivers_cost_build(const struct value_result *r, const struct value_groups *g,
                        struct drivers_cost *out);

/* ---- value migration -------------------------------------------------------------------- */

#define DRIVERS_TIERS 6 /* tier 0: no order in the period; 1..5: margin quintile of the buyers */

/*
 * Share-of-wallet movement between the two periods, over the customers whose account has a
 * wallet: in each period the net revenue / the wallet annualised to the period
 * (value_wallet_share()); up = a higher share in the later period.
 */
struct drivers_wallet_move {
    size_t with, without;        /* customers with and without a wallet */
    size_t up, down, same;       /* of those with one */
    double from_mean, to_mean;   /* mean share in each period; NaN when with == 0 */
    double from_share, to_share; /* the sums' share: summed revenue / summed annualised wallet */
};

struct drivers_migration {
    int32_t from_first, from_last, to_first, to_last; /* the two periods, days inclusive */
    size_t matrix[DRIVERS_TIERS][DRIVERS_TIERS];      /* [from tier][to tier] customers */
    size_t up, down, same;
    struct drivers_wallet_move wallet;
};

/*
 * Tiers of r's customers in the period_days before the last period_days up to the as-of day
 * ("from") and in those last days ("to"): 0 without an order in the period, else 1..5, the
 * quintile (dist_ktile_scores) of the period's margin among that period's buyers. from_tier and
 * to_tier (r->n entries each, may be NULL) receive every customer's tiers. With the customers'
 * wallets (value_customer.wallet), the share-of-wallet movement (out->wallet). O(n log n).
 */
int drivers_migration_build(const struct cv_data *d, const struct value_result *r, int period_days,
                            struct drivers_migration *out, uint8_t *from_tier, uint8_t *to_tier,
                            struct kith_error *err);

#endif /* KITH_ENGINE_DRIVERS_H */
