/*
 * RFM: recency, frequency and monetary scores (quintiles 1..5, 5 best) and named segments by
 * fixed rules (champions, loyal, at risk, hibernating, new, ...). Pure computation; the rules in
 * words are in docs/value.md, "RFM".
 */
#ifndef KITH_ENGINE_RFM_H
#define KITH_ENGINE_RFM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/value.h"
#include "util/error.h"

struct rfm_input {
    int32_t recency_days; /* days from the last order to the as-of day (fewer is better) */
    uint32_t frequency;   /* orders up to the as-of day */
    double monetary;      /* margin to date */
    bool is_new;          /* first order within the "new" window */
};

enum rfm_segment {
    RFM_NEW,
    RFM_CHAMPIONS,
    RFM_LOYAL,
    RFM_CANT_LOSE,
    RFM_AT_RISK,
    RFM_POTENTIAL_LOYALIST,
    RFM_PROMISING,
    RFM_NEED_ATTENTION,
    RFM_ABOUT_TO_SLEEP,
    RFM_HIBERNATING,
    RFM_LOST,
    RFM_NSEGMENTS
};

struct rfm_score {
    uint8_t r, f, m; /* 1..5 */
    uint8_t segment; /* enum rfm_segment */
};

#define RFM_NEW_DAYS_DEFAULT 90

/*
 * Scores in[0..n) into out[0..n): each of R (on -recency), F and M is dist_ktile_scores() with
 * k = 5, so ties share the score of their lowest rank; then the segment by rfm_segment_of().
 * KITH_EINVAL for a monetary value that is not finite; KITH_ENOMEM. O(n log n).
 */
int rfm_score_all(const struct rfm_input *in, size_t n, struct rfm_score *out,
                  struct kith_error *err);

/* The segment of one customer: the first rule of docs/value.md that holds; every input has one. */
enum rfm_segment rfm_segment_of(int r, int f, int m, bool is_new);

const char *rfm_segment_name(enum rfm_segment s); /* "champions", "at_risk", ... */
const char *rfm_segment_rule(enum rfm_segment s); /* the rule in words */
bool rfm_segment_parse(const char *name, enum rfm_segment *s);

/*
 * RFM inputs of r's customers (in[i] for r->c[i]): recency = as-of day - last order day,
 * frequency = orders, monetary = margin to date, new = first order fewer than new_days before
 * the as-of day.
 */
void rfm_inputs_from_values(const struct value_result *r, int new_days, struct rfm_input *in);

#endif /* KITH_ENGINE_RFM_H */
