/*
 * compare.h - confidential comparison of business units, distributors and partners (DESIGN.md
 * §4, seed 001 "RV can be shared without compromising private information"): RV distributions
 * per unit and lifecycle stage, groups smaller than k suppressed, optional differential-privacy
 * noise with a stated epsilon. Only aggregates leave this module, never a contact or an
 * interaction. Mechanisms and budget: docs/internals/rv.md ("Confidential comparison").
 *
 * The random source is the caller's: the analysis (analysis/rv_privacy.c) passes a ChaCha20
 * stream keyed from the data and the query, so that one query over one data version draws the
 * same noise every time; the tests a fixed sequence. It returns doubles uniform on [0, 1).
 */
#ifndef KITH_ENGINE_COMPARE_H
#define KITH_ENGINE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

typedef double (*compare_uniform_fn)(void *ctx);

/*
 * What the noise will be drawn over, shown to the caller before the first draw: the members'
 * values of every cell, each cell's ascending (cell i holds sorted[offset[i] .. offset[i + 1])),
 * cells in the order of compare_result.cells. Two data sets that give equal members give equal
 * aggregates, so this is the data version of a comparison (the analysis hashes it to seed the
 * noise and to know a repeated query).
 */
struct compare_members {
    size_t ncells;
    const uint32_t *offset; /* ncells + 1 */
    const double *sorted;
};

/*
 * Called once with the members when epsilon > 0, before any noise is drawn; a negative return
 * (with err filled) stops compare_units(), which returns it. It may set up the uniform source.
 */
typedef int (*compare_members_fn)(void *ctx, const struct compare_members *m,
                                  struct kith_error *err);

#define COMPARE_K_DEFAULT       10
#define COMPARE_CLIP_LO_DEFAULT (-1000.0)
#define COMPARE_CLIP_HI_DEFAULT 10000.0

struct compare_spec {
    int64_t as_of_ms;
    unsigned k;                 /* groups of fewer members are suppressed (>= 1) */
    double epsilon;             /* 0: no noise; else the privacy budget per contact (> 0) */
    double clip_lo, clip_hi;    /* public bounds of RV for the noise (clip_lo < clip_hi) */
    int32_t own_unit;           /* unit index shown exactly beside the others; -1: none */
    compare_uniform_fn uniform; /* required when epsilon > 0 */
    void *uniform_ctx;
    compare_members_fn members; /* optional: sees the members before the noise */
    void *members_ctx;
};

/* The defaults: k 10, no noise, clip [-1000, 10000], no own unit. */
void compare_spec_init(struct compare_spec *spec, int64_t as_of_ms);

/* One cell: a unit (or -1 for contacts without one) and a stage (-1: all stages). */
struct compare_cell {
    int32_t unit;
    int stage;
    bool own;        /* the caller's unit: exact figures, never suppressed */
    bool suppressed; /* fewer than k members (by the noisy count when noise is on) */
    bool noised;
    double n; /* members (noisy when noised, rounded to an integer >= 0); NaN if suppressed */
    double mean, p10, p25, p50, p75, p90; /* NaN when suppressed */
};

struct compare_result {
    unsigned k;
    double epsilon;
    double epsilon_per_statistic; /* epsilon / 14: 7 statistics in 2 cells per contact */
    double threshold;             /* a noised cell shows when its noisy count reaches this */
    double clip_lo, clip_hi;
    size_t ncells;
    struct compare_cell *cells; /* by unit (none first), then stage: all, acquisition, ... */
};

/*
 * Members of a cell: contacts with a counted interaction by as_of in that unit and stage (the
 * stage of their level at as_of); values: their cumulative RV at as_of. Without noise a cell of
 * fewer than k members is suppressed. With epsilon > 0 every cell but the own unit's gets
 * Laplace noise on its count (sensitivity 1), and is shown only when the noisy count reaches
 * k + 3 / epsilon_per_statistic (so that an empty or small group rarely appears through the
 * noise: the chance is below 2.5%); a shown cell gets noise on its sum of RV
 * clipped to [clip_lo, clip_hi] (sensitivity max |clip|), its mean being their ratio, and its
 * percentiles are drawn by the exponential mechanism over the clipped values (utility minus the
 * rank distance, sensitivity 1). On success *out is the caller's (compare_result_free()).
 */
int compare_units(const struct rv_snapshot *s, const struct compare_spec *spec,
                  struct compare_result **out, struct kith_error *err);

void compare_result_free(struct compare_result *r);

/* A Laplace(0, scale) draw from the uniform source (exposed for the tests). */
double compare_laplace(compare_uniform_fn uniform, void *ctx, double scale);

/*
 * The exponential-mechanism quantile num/den of sorted[0..n) clipped to [lo, hi] with budget
 * epsilon (exposed for the tests).
 */
double compare_dp_quantile(const double *sorted, size_t n, double lo, double hi, uint64_t num,
                           uint64_t den, double epsilon, compare_uniform_fn uniform, void *ctx);

#endif
