/*
 * value.h - the customer value analyses (DESIGN.md §6), written once for both doors: `kith value
 * fit|clv|dist|drivers|rfm|reap|xsell|referrals` and GET /api/v1/value/... One parameter table
 * (analysis_value) declares every option; value_run() loads the caller's accounts through
 * store_cv_load(), runs the engine and fills a struct value_report; value_report_json() is the
 * one JSON of a report (the CLI's --json and the API's answer), value_report_text() the CLI's
 * tables. docs/value.md defines the figures; docs/internals/value.md the calling sequence.
 */
#ifndef KITH_ANALYSIS_VALUE_H
#define KITH_ANALYSIS_VALUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "engine/basket.h"
#include "engine/dist.h"
#include "engine/drivers.h"
#include "engine/reap.h"
#include "engine/referral.h"
#include "engine/rfm.h"
#include "engine/value.h"
#include "io/value_summary.h"
#include "store/store.h"

/* The analyses, in the order of analysis_value.defs; group bit = 1 << analysis. */
enum value_analysis {
    VALUE_FIT,
    VALUE_CLV,
    VALUE_DIST,
    VALUE_DRIVERS,
    VALUE_RFM,
    VALUE_REAP,
    VALUE_XSELL,
    VALUE_REFERRALS,
    VALUE_CHECK,
    VALUE_NANALYSES
};

/* The drivers sections, in the order they are computed and shown (bit k: value_sections[k]). */
enum value_section {
    VALUE_SEC_ACQUISITION,
    VALUE_SEC_COHORTS,
    VALUE_SEC_ATTRITION,
    VALUE_SEC_HOLDING,
    VALUE_SEC_COST,
    VALUE_SEC_MIGRATION,
    VALUE_NSECTIONS
};
extern const char *const value_sections[VALUE_NSECTIONS];

#define VALUE_CURRENT_DAYS 365 /* "current value": the days up to the as-of day */

/*
 * The parameters of every value analysis; param_defaults(&analysis_value, p) fills them from
 * the table in value.c. Choices hold the index of their value, which is the engine's enum
 * (measure, sort: enum value_measure; by: enum value_by; period: enum drivers_period; segment:
 * enum rfm_segment; lever: enum reap_lever). Parameters without a default (as_of, margin,
 * account, by, segment, lever, summary) mean "not given" unless param_given() says otherwise.
 */
struct value_params {
    struct param_head head;
    int64_t as_of; /* Unix ms */
    int64_t horizon;
    double discount;
    double margin;
    int64_t proxy_days;
    int64_t max_iter;
    double unit_days;
    int64_t limit;
    int64_t account;
    int sort;
    int measure;
    int by;
    int64_t lorenz;
    int period;
    int64_t window;
    const char *sections; /* comma-separated names of value_sections; NULL: all */
    int64_t new_days;
    int segment;
    int lever;
    bool low_value;
    double alive_min;
    double cost_share;
    double min_support;
    double min_confidence;
    double min_lift;
    int64_t max_len;
    int64_t rules;
    int64_t offers;
    double second_degree;
    int64_t holdout_from; /* check: Unix ms; the calibration is the orders before its day */
    /* the CLI's own */
    bool all; /* every row instead of limit (and rules) */
    const char *summary;
    const char *db;
    bool json;
};

extern const struct analysis_family analysis_value;

/* The def of analysis a. */
const struct analysis_def *value_def(enum value_analysis a);

/* The bits of the sections named in text (NULL: all); KITH_EINVAL naming the stranger. */
int value_sections_parse(const char *text, unsigned *bits, struct kith_error *err);

/*
 * Checks what the table cannot: the names in sections. 0, or KITH_EINVAL with the message in
 * err and the parameter's name in *field.
 */
int value_params_check(const struct value_params *p, const char **field, struct kith_error *err);

/* The accounts an analysis runs over. */
struct value_scope {
    struct store *store;
    const int64_t *accounts; /* ascending ids; NULL: every account (the CLI, an unscoped user) */
    size_t naccounts;
};

/* Why value_run() failed, for a door that answers each case its own way. */
enum value_failure {
    VALUE_FAILED_NOT,           /* it did not fail */
    VALUE_FAILED_NO_CUSTOMERS,  /* nobody in scope ordered by the as-of day */
    VALUE_FAILED_NOT_CONVERGED, /* a fit did not converge: no parameter is known */
    VALUE_FAILED_NO_ACCOUNT,    /* account names no account (in scope) */
    VALUE_FAILED_NOT_CUSTOMER,  /* account exists but has no order by the as-of day */
    VALUE_FAILED_OTHER,         /* the store, memory, or data the engine refuses (err->code) */
};

/* A group's distribution (dist) or attrition / cost figures (drivers). */
struct value_grouping {
    enum value_by by;
    struct value_groups g;
    struct dist_summary *dist;           /* g.n, or NULL */
    struct drivers_attrition *attrition; /* g.n, or NULL */
    struct drivers_cost *cost;           /* g.n, or NULL */
    struct drivers_attrition all_attrition;
    struct drivers_cost all_cost;
};

/* A warning of a report beyond no_model's (JSON "warnings": {code, message}; a line of text). */
struct value_warning {
    char code[32];
    char message[400];
};
#define VALUE_MAX_WARNINGS 12

/* The frequencies of the holdout check: x = 0 .. VALUE_CHECK_BINS - 2, and the last "7+". */
#define VALUE_CHECK_BINS 8

/* One frequency of the holdout check: the customers with that many repeat purchases. */
struct value_check_bin {
    size_t customers;
    double predicted; /* mean E[repeat purchases in the holdout | calibration] */
    double actual;    /* mean purchase days in the holdout */
};

/* `value check`: fit before holdout_from, compare with the holdout (docs/value.md). */
struct value_check {
    int32_t cal_first, cal_last;         /* the calibration's days (first order .. day before) */
    int32_t holdout_first, holdout_last; /* the holdout's days (holdout_from .. as-of day) */
    double holdout_units;                /* its length in model time units */
    struct value_check_bin bins[VALUE_CHECK_BINS];
    size_t customers;
    double predicted, actual; /* totals over the customers */
    double mae;               /* mean over customers of |predicted - actual| */
    double mae_bins;          /* mean over non-empty bins of |mean predicted - mean actual| */
};

/*
 * The result of one analysis: what it ran on (d, r: every customer in scope) and what it
 * found. Lists are indexes in order: ix[0..m) the rows that qualify (customers of r for clv,
 * rfm, reap; accounts of d for referrals), the first shown of them to show (limit). Only the
 * fields of the analysis are filled; the rest stay zero. Owned by the caller, freed by
 * value_report_release().
 */
struct value_report {
    enum value_analysis analysis;
    struct value_params p; /* the parameters it ran with (text points where the caller's did) */
    bool scoped;           /* over some accounts only: the models came from every customer */
    struct cv_data d;
    struct value_options vo;
    struct clv_fit_options fit;
    struct value_result r;
    bool has_account;     /* p.account was given: one customer, r.c[account] */
    size_t account;       /* index in r (clv, rfm, reap, xsell) */
    size_t *ix, m, shown; /* the list */
    /* clv */
    size_t proxies;
    double total_lifetime;
    /* dist */
    double *v; /* the measure of each customer */
    struct dist_summary overall;
    struct value_wallet_dist wallet; /* share of wallet of the customers (with == 0: none) */
    struct value_grouping by[4];
    size_t nby;
    /* drivers: sections is the bit set of enum value_section */
    unsigned sections;
    struct drivers_acquisition acq;
    struct drivers_cohorts coh;
    struct value_grouping attrition, cost; /* attrition.attrition, cost.cost */
    struct value_holdings hold;
    struct drivers_holding holding;
    struct drivers_migration mig;
    /* rfm and reap */
    struct rfm_input *rin;
    struct rfm_score *sc;
    size_t seg_count[RFM_NSEGMENTS];
    double seg_value[RFM_NSEGMENTS];
    struct reap_options reap;
    struct reap_input *rein;
    struct reap_tag *tag;
    double holding_ref;
    size_t levers[REAP_NLEVERS], lows[REAP_NLOW], rule_count[REAP_NRULES];
    double lever_value[REAP_NLEVERS];
    /* xsell: offers[lo..hi) of the shown customers; nrules rules shown */
    struct basket_options basket;
    struct basket_set bs;
    struct basket_rules rules;
    struct basket_offers offers;
    size_t lo, hi, nrules, customers_with;
    /* referrals: over the accounts of d */
    int64_t *ids;
    struct referral_value *refs;
    double referred_total; /* first-degree value of the listed referrers */
    /* --summary (fit, clv): the file's customers instead of the store's */
    bool from_summary;
    const char *summary_name;
    struct value_summary_file sf;
    double *pa, *ey, *sv; /* clv: P(alive), expected orders, CLV of the shown rows */
    /*
     * The models could not be fitted (no repeat purchases, or the fit did not converge) where
     * the analysis wanted predictions: every customer then has the documented proxy from its own
     * history (basis "history", P(alive) and expected orders unknown) and the report carries
     * the reason as a warning (JSON "warnings", a line of the CLI's text).
     */
    bool no_model;
    char model_reason[256];
    /* the fitted models' standard errors and intervals (has_diag; value_check.c) */
    bool has_diag;
    struct clv_fit_diag bg_diag, gg_diag;
    struct value_check check;
    /* further warnings: a parameter at its bound, a window the data do not cover */
    struct value_warning warnings[VALUE_MAX_WARNINGS];
    size_t nwarnings;
    /* what went wrong */
    enum value_failure failure;
    /*
     * When and from what the figures were computed (fit, clv, dist, rfm say it in their JSON):
     * computed_at in Unix ms, data_version the version of the value inputs
     * (store_value_version()) read before loading, stale when they came from kept figures
     * whose version is no longer the store's (the door sets it).
     */
    int64_t computed_at, data_version;
    bool stale;
    /*
     * A view of kept figures (value_kept_view()): d and r, and ix when ix_kept, are theirs but
     * for a scoped view's own arrays of accounts (d.accounts) and customers (r.c).
     */
    bool kept, ix_kept, rfm_kept; /* rfm_kept: rin and sc are the kept figures' too */
    struct cv_account *view_accounts;
    struct value_customer *view_customers;
};

/* The text of the warning of a report with no_model; "" when there is none. */
const char *value_report_warning(const struct value_report *r, char *buf, size_t size);

/*
 * "margin" when the values are margin (orders carry margins, or --margin / ?margin= gave a
 * ratio), "revenue" when no order has a margin and no ratio was given (the ratio is then 1).
 */
const char *value_report_kind(const struct value_report *x);

/*
 * Runs analysis a with p over scope into *out. Returns 0, or a negative KITH_E code with the
 * reason in err (a message a person can act on, never a model parameter) and in out->failure;
 * on failure nothing is left to release. A scoped run (scope->accounts not NULL) fits the
 * models on every customer, so an account has the same predicted value whoever asks.
 */
int value_run(enum value_analysis a, const struct value_params *p, const struct value_scope *scope,
              struct value_report *out, struct kith_error *err);

/*
 * xsell in two steps, for a door that keeps the mined rules between requests (the API's cache,
 * docs/internals/value.md, "The kept rules"). value_xsell_mine() is value_run(VALUE_XSELL)
 * without choosing what to show: the rules and every customer's offers over scope, whatever
 * p's account, limit, rules and all say. value_xsell_view() then answers one request from it:
 * *view is what value_run(VALUE_XSELL, p) over the same data would give, as a shallow copy that
 * shares every array with mined; view is never released, and mined outlives it. On failure
 * (the account is not found) view->failure says why, as for value_run(). Two requests may use
 * the same mined report at once: neither changes it.
 *
 * The parameters the mined report depends on are those of struct value_xsell_key (all 8-byte
 * fields, no padding: a key compared byte for byte); mined reports made with the same key and
 * scope are interchangeable.
 */
struct value_xsell_key {
    int64_t as_of_day; /* INT64_MIN: not given (the latest order's day) */
    double min_support, min_confidence, min_lift;
    int64_t max_len, offers;
};
void value_xsell_key(const struct value_params *p, struct value_xsell_key *k);
int value_xsell_mine(const struct value_params *p, const struct value_scope *scope,
                     struct value_report *out, struct kith_error *err);
int value_xsell_view(const struct value_report *mined, const struct value_params *p,
                     struct value_report *view, struct kith_error *err);

/*
 * fit or clv on a customer summary CSV read from in (not closed; name for messages) instead of
 * the store: --summary, the CLI's alone. As value_run() otherwise.
 */
int value_run_summary(enum value_analysis a, const struct value_params *p, FILE *in,
                      const char *name, struct value_report *out, struct kith_error *err);

/*
 * Between the value files (value_check.c): the diagnostics of x's fitted models on customers
 * c[0..n) into x->bg_diag, x->gg_diag (has_diag) with a warning per parameter at its bound;
 * the holdout check of x's customers over x->d; the warnings of the windows of x; a warning.
 */
int value_diag(struct value_report *x, const struct value_result *r, struct kith_error *err);
void value_diag_warnings(struct value_report *x);
int value_check_prepare(struct value_report *x, struct kith_error *err);
int value_check_run(struct value_report *x, struct kith_error *err);
void value_window_warnings(struct value_report *x);
void value_warn(struct value_report *x, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Frees what r owns and zeroes it; safe twice. */
void value_report_release(struct value_report *r);

/*
 * ---- kept figures (value_kept.c; docs/internals/value.md, "Kept figures") ----
 *
 * The expensive, scope-independent part of fit, clv, dist and rfm: every customer of every account
 * with the fitted models and its predictions, computed once per version of the value inputs with
 * the default model parameters, saved in the store (value_kept_save()) and read back by a
 * restarted or second server (value_kept_load()). value_kept_view() then answers a fit, clv,
 * dist or rfm request over any scope from it, as value_run() would have from the same data.
 */
struct value_kept {
    int64_t gen;                             /* the store's generation (0 before saved or loaded) */
    int64_t data_version;                    /* the version of the value inputs it came from */
    int64_t computed_at;                     /* Unix ms */
    double seconds;                          /* how long computing it took (0 when loaded) */
    struct value_report x;                   /* clv over every account; d holds the accounts only */
    size_t *order[VALUE_PROFIT_CURRENT + 1]; /* customers by each measure (value_order()) */
    /* every customer's RFM inputs and scores for new_days rfm_new_days (the default) */
    struct rfm_input *rin;
    struct rfm_score *sc;
    int64_t rfm_new_days;
};

/* True when p asks for the model parameters the kept figures use (no as_of, no margin). */
bool value_kept_covers(const struct value_params *p);

/* Computes kept figures over every account of s into *k (owned by the caller). */
int value_kept_compute(struct store *s, struct value_kept *k, struct kith_error *err);

/* Saves k as a new generation in s (k->gen receives it); older generations are deleted. */
int value_kept_save(struct store *s, struct value_kept *k, struct kith_error *err);

/*
 * The newest kept figures of s into *k (*found false when there are none, or only ones of
 * another layout, which a newer or older kith wrote). The accounts are read from s now.
 */
int value_kept_load(struct store *s, struct value_kept *k, bool *found, struct kith_error *err);

/* Only the header of the newest kept figures: their generation and version (0, 0: none). */
int value_kept_newest(struct store *s, int64_t *gen, int64_t *data_version, struct kith_error *err);

void value_kept_release(struct value_kept *k);

/*
 * fit, clv, dist or rfm with p (value_kept_covers(p)) over scope from k: *out is what
 * value_run() gives
 * on the data k came from, sharing k's arrays where it can (release it with
 * value_report_release() before k). It reads nothing from the store (scope->store is not used).
 * Failures as value_run()'s.
 */
int value_kept_view(const struct value_kept *k, enum value_analysis a, const struct value_params *p,
                    const struct value_scope *scope, struct value_report *out,
                    struct kith_error *err);

/* The report as JSON: one shape for `kith value --json` and the API. New reference; NULL when
 * out of memory. */
json_t *value_report_json(const struct value_report *r);

/* The report as the CLI's tables. */
void value_report_text(const struct value_report *r, FILE *out);

#endif
