/*
 * voice.h - the figures of what customers say (issue 15, docs/voice.md): NPS and CSAT of a group
 * of survey answers with their 95% intervals. Pure computation on counts.
 *
 * NPS = 100 (P - D) / n over the n answers with an NPS score (P promoters 9-10, D detractors
 * 0-6). Its interval is the normal one of a difference of two proportions of one multinomial
 * sample: with p = P/n and d = D/n, Var(p - d) = (p + d - (p - d)^2) / n, so the bounds are
 * NPS -/+ z 100 sqrt(Var), cut to [-100, 100].
 * CSAT is the share (in percent) of the m answers with a CSAT score that are satisfied (4 or 5),
 * with the Wilson score interval (engine/deals.h's deals_wilson), and the mean score.
 */
#ifndef KITH_ENGINE_VOICE_H
#define KITH_ENGINE_VOICE_H

#include <stdint.h>

#define VOICE_Z 1.959963984540054 /* the 97.5% normal quantile: 95% intervals */

/* Counts of a group's answers. */
struct voice_tally {
    int64_t nps_n, promoters, passives, detractors;
    int64_t csat_n, satisfied, csat_sum;
};

/* Adds one answer: nps 0..10 or -1 (none), csat 1..5 or 0 (none). */
void voice_tally_add(struct voice_tally *t, int nps, int csat);

/* Counts of scores: nps[s] answers with an NPS of s (0..10), csat[s - 1] with a CSAT of s (1..5).
 */
struct voice_hist {
    int64_t nps[11], csat[5];
};

/* The tally of a histogram: the same as voice_tally_add() of each answer counted. */
void voice_tally_of_hist(const struct voice_hist *h, struct voice_tally *t);

/* Adds b's counts to a. */
void voice_tally_merge(struct voice_tally *a, const struct voice_tally *b);

/* The figures of a tally: NaN where there is no answer of the kind. */
struct voice_figures {
    double nps, nps_lo, nps_hi;               /* -100..100 */
    double csat, csat_lo, csat_hi, csat_mean; /* percent satisfied; mean score 1..5 */
};

void voice_figures_of(const struct voice_tally *t, double z, struct voice_figures *out);

#endif
