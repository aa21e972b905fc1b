/*
 * scorecard.h - rep scorecards (DESIGN.md §4, seed 001 "create the most RV Units with buyers for
 * the least Interaction Cost, resulting in positive outcomes"): per rep, the RV created by their
 * interactions, the interaction cost, RV per cost, interactions, contacts, the outcomes of the
 * customers they touched, and their place among the reps of their team. Pure computation.
 */
#ifndef KITH_ENGINE_SCORECARD_H
#define KITH_ENGINE_SCORECARD_H

#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

struct scorecard_spec {
    int64_t from_ms, to_ms;        /* interactions and orders with from <= t < to; 0: unbounded */
    int32_t team;                  /* only reps of this team index; -1: every rep */
    const struct rv_mask *visible; /* interactions of contacts outside do not count; NULL: all */
};

struct scorecard_rep {
    int32_t rep;        /* user index in the snapshot */
    int32_t team;       /* the user's team index, or -1 */
    int64_t rv;         /* RV units of the rep's counted interactions in the period */
    int64_t cost;       /* their cost, cents */
    double rv_per_cost; /* RV units per currency unit (rv / (cost / 100)); NaN when cost is 0 */
    uint32_t interactions;
    uint32_t contacts;              /* distinct contacts those interactions were with */
    uint32_t customers;             /* distinct accounts (or contacts without one) among them */
    uint32_t orders;                /* orders of those customers in the period */
    int64_t revenue, margin;        /* their amount and margin, cents */
    uint32_t team_size;             /* reps of the same team with an interaction in the period */
    float team_percentile;          /* of rv among them (quantile_rank: 0 lowest, 100 highest) */
    float team_percentile_per_cost; /* of rv_per_cost among those with a cost */
};

/*
 * One row per rep with a counted interaction in the period (and in spec->team when set), in
 * user order. Each customer's orders count once for every rep who touched it, so the outcomes
 * of different reps overlap. On success *out (the caller's, free()) holds *n rows.
 */
int scorecard_compute(const struct rv_snapshot *s, const struct scorecard_spec *spec,
                      struct scorecard_rep **out, size_t *n, struct kith_error *err);

#endif
