/*
 * paths.h - digital paths (issue 15 item 5, docs/voice.md "Digital paths"): for each contact, the
 * ordered steps (channels or interaction types) of its counted interactions from its first touch
 * to an outcome (its first purchase, its churn, or a service outcome), and the common paths of a
 * population mined with a support threshold in a prefix tree. Pure: it reads a snapshot and the
 * caller's arrays, and returns results it allocates.
 *
 * The method: a contact's sequence is the step of each counted interaction (neither voided nor
 * voiding) before its outcome (all of them when it has none), in (time, id) order, with repeats
 * of a step in a row collapsed into one and cut after max_length steps. Every sequence is
 * counted in a prefix tree: a node is a sequence of steps from the first touch, its count the
 * contacts whose sequence starts with it. Counts only fall along a branch, so the nodes of at
 * least min_support contacts form a tree of their own (the anchored case of sequential pattern
 * mining, where a prefix is frequent only if its parent is). One pass over the interactions,
 * O(interactions + contacts x max_length).
 */
#ifndef KITH_ENGINE_PATHS_H
#define KITH_ENGINE_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

#define PATHS_MAX_LENGTH 12    /* steps of a path */
#define PATHS_MAX_STEPS  32767 /* distinct steps (int16 ids) */

enum paths_outcome {
    PATHS_PURCHASE, /* the first sale naming the contact, or naming only its account */
    PATHS_CHURN,    /* the first churn event naming the contact, or naming only its account */
    PATHS_SERVICE,  /* the first counted interaction of a service type (spec.service) */
};

struct paths_spec {
    enum paths_outcome outcome;
    const int16_t *step_of_type; /* s->ntypes: the step of each type, 0..nsteps-1 */
    size_t nsteps;
    const uint8_t *service; /* s->ntypes: 1 for a type whose interaction is the service outcome */
    const struct rv_mask *mask; /* the population; NULL: every contact */
    int max_length;             /* 1..PATHS_MAX_LENGTH */
    int64_t min_support;        /* >= 1: nodes of fewer contacts are not returned */
};

/* A frequent node of the prefix tree: the path of its steps from the first touch. */
struct paths_node {
    int32_t parent; /* index in paths_result.nodes, -1 for a first step */
    int16_t step;
    uint8_t depth;      /* 1..max_length */
    int64_t contacts;   /* whose sequence starts with this path */
    int64_t converted;  /* of them, reached the outcome (after this path or later) */
    int64_t here;       /* reached the outcome right after this path (at max_length: after it
                           or later, the path being cut there) */
    int64_t stopped;    /* have no outcome and no further step (at max_length: no outcome) */
    double median_days; /* first touch to outcome of the `here` contacts; NaN when none */
};

struct paths_result {
    int64_t contacts;     /* in the population with a counted interaction before their outcome */
    int64_t converted;    /* of them, reached the outcome */
    int64_t without_path; /* in the population, reached the outcome before any counted touch */
    double median_days;   /* first touch to outcome over the converted; NaN when none */
    struct paths_node *nodes; /* the nodes of >= min_support contacts; a parent before its
                                 children, siblings by contacts (desc), then step */
    size_t nnodes;
    int32_t *paths; /* indices of the nodes with here >= min_support, by here (desc), depth,
                       then node index: the common paths to the outcome */
    size_t npaths;
};

/* Frees what r owns and zeroes it; safe twice. */
void paths_result_release(struct paths_result *r);

/*
 * The common paths of spec over s into *out (the caller's: paths_result_release()). Returns 0,
 * or KITH_EINVAL (a spec out of range) / KITH_ENOMEM with err filled.
 */
int paths_compute(const struct rv_snapshot *s, const struct paths_spec *spec,
                  struct paths_result *out, struct kith_error *err);

/* One step of a contact's own path: its first interaction (slot) and how many it stands for. */
struct paths_step {
    int16_t step;
    uint32_t slot;  /* the first counted interaction of the step (an index into s's slots) */
    uint32_t count; /* counted interactions collapsed into it */
};

/* A contact's own path (not cut at max_length). */
struct paths_contact {
    struct paths_step *steps; /* owned: paths_contact_release() */
    size_t n;
    bool reached;         /* reached the outcome */
    int32_t outcome_t;    /* its time (snapshot seconds) when reached */
    int64_t outcome_slot; /* PATHS_SERVICE: the slot of the service interaction; else -1 */
};

void paths_contact_release(struct paths_contact *p);

/* The path of contact c (an index of s) under spec (mask, max_length and min_support unused). */
int paths_contact_compute(const struct rv_snapshot *s, const struct paths_spec *spec, size_t c,
                          struct paths_contact *out, struct kith_error *err);

/*
 * The outcome time of every contact of s (RV_TIME_MAX: none) into *out (s->nc long, the
 * caller's: free()), and for PATHS_SERVICE its slot into *slot when slot is not NULL (-1: none;
 * free()). Returns 0 or KITH_ENOMEM.
 */
int paths_outcomes(const struct rv_snapshot *s, const struct paths_spec *spec, int32_t **out,
                   int64_t **slot, struct kith_error *err);

#endif
