/*
 * moments.h - moments of truth (issue 15, item 6; docs/voice.md, "Moments of truth"): the
 * interaction types and touchpoints whose first occurrence most changes a contact's later RV,
 * NPS or churn, each estimated against matched contacts without it. Pure computation over an RV
 * snapshot (engine/snapshot.h).
 *
 * The method, in short: time is cut into periods; a contact is *treated* in period j by candidate
 * X when its first X falls in it, a *control* when it had an interaction in the period but no X
 * up to the period's end. Both are matched exactly on a coarsened stratum taken at the period's
 * start (unit, level, prior RV, tenure, interactions in the period); the effect is the mean over
 * the matched treated of (outcome - mean outcome of its stratum's controls) over the window
 * after the period; a normal 95% interval from the pooled within-stratum variance; the
 * Benjamini-Hochberg procedure over every candidate tested says which are moments.
 */
#ifndef KITH_ENGINE_MOMENTS_H
#define KITH_ENGINE_MOMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

enum moments_outcome {
    MOMENTS_RV,    /* RV gained in the window */
    MOMENTS_NPS,   /* mean NPS of the NPS answers in the window (contacts with one) */
    MOMENTS_CHURN, /* 1 when the contact's account (else the contact) gives notice in it */
};

#define MOMENTS_NPS_NONE INT8_MIN /* a type that is no NPS answer */

/* Bins of the strata (documented in docs/voice.md); public for the tests. */
#define MOMENTS_RV_BINS     11 /* prior RV: < 0, then edges 0 10 25 50 75 100 150 200 300 500 */
#define MOMENTS_TENURE_BINS 4  /* days since the first interaction: < 90, < 365, < 730, more */
#define MOMENTS_ACTIVE_BINS 15 /* interactions in the period: 1..12, 13..16, 17..24, 25 or more */

struct moments_spec {
    enum moments_outcome outcome;
    int period_days;    /* the grid, >= 1 (30) */
    int window_days;    /* the outcome in [period end, period end + window), >= 1 (180) */
    int32_t from;       /* snapshot time of the first period's start; RV_TIME_MIN: the data's */
    int32_t as_of;      /* the end of the data; RV_TIME_MAX: the last interaction's */
    double alpha;       /* the false discovery rate, (0, 1) (0.05) */
    size_t min_treated; /* candidates with fewer matched treated are listed, not tested */
    const struct rv_mask *population; /* contacts studied; NULL: all */
    /* touchpoints: channel index of each type (s->ntypes long, -1 none), nchannels of them;
     * NULL: no touchpoint candidates */
    const int32_t *type_channel;
    size_t nchannels;
    /* MOMENTS_NPS: each type's NPS value (100 promoter, 0 passive, -100 detractor) or
     * MOMENTS_NPS_NONE; s->ntypes long */
    const int8_t *type_nps;
};

void moments_spec_init(struct moments_spec *spec, enum moments_outcome outcome);

/* One candidate: type index k < ntypes, else channel k - ntypes. */
struct moments_effect {
    bool is_type;
    int32_t index;   /* type index into s->types, or channel index */
    size_t treated;  /* first occurrences in the periods studied (eligible contacts) */
    size_t matched;  /* of them with at least one control in their stratum */
    size_t controls; /* control rows of the matched strata (a contact once per period) */
    double mean_treated, mean_controls; /* over the matched; controls weighted as the treated */
    double effect, lo, hi;              /* ATT and its 95% interval */
    double se, p, q;                    /* q: Benjamini-Hochberg adjusted p */
    double adj_lo, adj_hi; /* moments: the FCR-adjusted interval (level 1 - alpha R / m) */
    bool tested;           /* matched >= min_treated and a variance */
    bool moment;           /* tested and q <= alpha */
};

/* Owned by the caller: moments_result_release(). */
struct moments_result {
    struct moments_effect *effects; /* moments first by |effect|, then tested by p, then the
                                       untested by matched treated */
    size_t n;
    size_t tested, moments;
    size_t periods;      /* periods studied */
    int32_t first_start; /* the first period's start */
    int32_t last_end;    /* the last period's end (its window ends window_days later) */
    int32_t as_of;       /* the end of the data used */
    size_t contacts;     /* contacts with at least one eligible period */
    double outcome_mean; /* over every eligible row */
    size_t strata;       /* distinct strata over all periods */
};

/*
 * Estimates the effect of every interaction type (and touchpoint) of s over spec's population.
 * KITH_EINVAL for a bad spec (periods, window, alpha), or when no period fits between from and
 * as_of; KITH_ENOMEM. *out is filled on success only.
 */
int moments_compute(const struct rv_snapshot *s, const struct moments_spec *spec,
                    struct moments_result *out, struct kith_error *err);

void moments_result_release(struct moments_result *r);

/* The Benjamini-Hochberg adjusted p-values of p[0..n) into q[0..n) (distinct arrays). */
int moments_bh(const double *p, size_t n, double *q, struct kith_error *err);

/* Bins of the strata, for the tests. */
int moments_rv_bin(int64_t rv);
int moments_tenure_bin(int32_t days);
int moments_active_bin(uint32_t n);

#endif
