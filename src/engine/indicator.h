/*
 * indicator.h - RV as a leading indicator (DESIGN.md §4, seed 001 "RV-Q pilot"): does the RV
 * gained in a window before a cut-off date predict an outcome after it? Spearman's rho with a
 * seeded percentile-bootstrap 95% interval, AUC for churn, and a decile lift table. Pure
 * computation; definitions in docs/internals/rv.md ("Leading indicator").
 */
#ifndef KITH_ENGINE_INDICATOR_H
#define KITH_ENGINE_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

enum indicator_outcome {
    INDICATOR_MARGIN, /* order margin in (cutoff, cutoff + horizon] */
    INDICATOR_GROWTH, /* revenue in (cutoff, cutoff + horizon] minus (cutoff - horizon, cutoff] */
    INDICATOR_CHURN,  /* 1 if a churn event in (cutoff, cutoff + horizon], else 0 */
    INDICATOR_WIN,    /* per deal closed in (cutoff, cutoff + horizon]: 1 won, 0 lost */
    /* per account with a wallet: revenue in (cutoff, cutoff + horizon] / the wallet annualised
     * to the horizon (engine/value.h, value_wallet_share()) */
    INDICATOR_SHARE_OF_WALLET,
};

/* An account's estimated annual wallet for INDICATOR_SHARE_OF_WALLET. */
struct indicator_wallet {
    int64_t account_id;
    int64_t wallet; /* minor units, > 0 */
};

/* A closed deal for INDICATOR_WIN: whose it is, when it closed and how. */
struct indicator_deal {
    int64_t account_id; /* 0: none (then the contact stands for itself) */
    int64_t contact_id; /* its primary contact, 0: none */
    int64_t closed_ms;
    bool won;
};

/* What x is: the RV gained in the window, or the relationship's V2T2 discord over it. */
enum indicator_predictor {
    INDICATOR_RV,      /* RV gained in (cutoff - window, cutoff] */
    INDICATOR_DISCORD, /* per account: spec->discord (docs/internals/rv.md, "Discord") */
};

const char *indicator_predictor_name(enum indicator_predictor p); /* "rv", "discord" */

enum indicator_per {
    INDICATOR_PER_ACCOUNT, /* accounts; a contact without an account stands for itself */
    INDICATOR_PER_CONTACT, /* contacts; account-level orders and events are not theirs */
};

const char *indicator_outcome_name(enum indicator_outcome o);
int indicator_outcome_from_name(const char *name, enum indicator_outcome *out,
                                struct kith_error *err);

#define INDICATOR_RESAMPLES_DEFAULT 1000
#define INDICATOR_SEED_DEFAULT      20240501

struct indicator_spec {
    int64_t cutoff_ms;
    int window_days;  /* RV gained in (cutoff - window, cutoff] */
    int horizon_days; /* the outcome in (cutoff, cutoff + horizon] */
    enum indicator_outcome outcome;
    enum indicator_per per;
    bool customers_only; /* only entities with an order at or before the cut-off */
    unsigned resamples;  /* bootstrap resamples, 0 for none (no interval) */
    uint64_t seed;
    const struct rv_mask *population; /* contacts taken into account; NULL: all */
    /* INDICATOR_WIN: the closed deals (the caller's); a deal is studied when its account (per
     * account) or primary contact (per contact) has a contact in the population. */
    const struct indicator_deal *deals;
    size_t ndeals;
    /* INDICATOR_SHARE_OF_WALLET (per account only): the accounts' wallets, ascending
     * account_id; an account studied without one is left out and counted. */
    const struct indicator_wallet *wallets;
    size_t nwallets;
    /* INDICATOR_DISCORD (per account only): x of customer k (rv_customer_of_contact(); s->nacct
     * + s->nc long, e.g. from v2t2_customer_discord()); an entity whose x is NaN (no zone, or no
     * interaction counted) is left out and counted. The caller's. */
    enum indicator_predictor predictor;
    const double *discord;
};

void indicator_spec_init(struct indicator_spec *spec, int64_t cutoff_ms, int window_days,
                         int horizon_days, enum indicator_outcome outcome);

#define INDICATOR_DECILES 10

struct indicator_decile {
    uint32_t n;
    double x_min, x_max, x_mean; /* RV gained in the window */
    double y_mean;               /* mean outcome (churn rate for churn) */
    double lift;                 /* y_mean / overall mean; NaN when that mean is not > 0 */
};

struct indicator_result {
    size_t n;         /* entities studied: a counted interaction by the cut-off (not churned);
                         win: deals studied */
    size_t positives; /* churned (churn), won (win) */
    double x_mean, y_mean;
    double rho, rho_lo, rho_hi; /* Spearman's rho and its 95% percentile-bootstrap interval */
    size_t resamples_used;      /* resamples where rho was defined */
    /* churn: P(a churner gained less RV than a stayer); win: P(a won deal's entity gained more
     * RV than a lost one's); else NaN. With the discord predictor, for churn and win alike: P(a
     * positive's discord is higher than a negative's). */
    double auc, auc_lo, auc_hi;
    struct indicator_decile deciles[INDICATOR_DECILES]; /* highest RV gained first */
    size_t without_wallet; /* share_of_wallet: entities that qualified but have no wallet */
    size_t without_x;      /* discord: entities (deals for win) that qualified but have no
                              discord (NaN: no zone, or no interaction in the window) */
};

/*
 * Builds x (RV gained) and y (outcome) per entity and relates them. The entities studied have a
 * counted interaction at or before the cut-off and no churn event by then (they were no longer
 * at risk); with customers_only (indicator_spec_init sets it for churn: only a customer can
 * give notice) also an order at or before the cut-off.
 * KITH_EINVAL for a bad spec or fewer than 3 entities; *out is filled on success only.
 */
int indicator_compute(const struct rv_snapshot *s, const struct indicator_spec *spec,
                      struct indicator_result *out, struct kith_error *err);

/* Spearman's rho of x and y (average ranks for ties); NaN when either is constant or n < 2. */
double indicator_spearman(const double *x, const double *y, size_t n);

/*
 * Area under the ROC curve of score for label (1 positive, 0 negative): the probability that a
 * positive scores above a negative, ties counting half. NaN without both classes.
 */
double indicator_auc(const double *score, const uint8_t *label, size_t n);

/*
 * The same with a bootstrap interval on raw arrays: rho (and with labels the AUC of -x for y)
 * of x and y over n entities, resampled `resamples` times with the seed. Used by
 * indicator_compute and the tests.
 */
int indicator_relate(const double *x, const double *y, size_t n, int binary, unsigned resamples,
                     uint64_t seed, struct indicator_result *out, struct kith_error *err);

#endif
