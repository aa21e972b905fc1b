/*
 * rv.c - the per-contact Relationship Value kernels: cumulative RV, level and stage at a time,
 * the half-life strength and the pattern by age. One pass over a contact's run each; rv_compute
 * does every contact, split over threads. Rules: docs/internals/rv.md ("Rules").
 */
#include "engine/rv.h"

#include "util/par.h"

#include <math.h>
#include <stdlib.h>

#include "util/banned.h"

int rv_level_from_trigger(const struct rv_snapshot *s, int max_trigger_level)
{
    int level = max_trigger_level + 1;
    if (level < 1)
        level = 1;
    if (level > s->nlevels)
        level = s->nlevels;
    return level;
}

int rv_level_stage(const struct rv_snapshot *s, int level)
{
    if (level <= 0)
        return RV_STAGE_NONE;
    if (level > RV_MAX_LEVEL)
        level = RV_MAX_LEVEL;
    return s->level_phase[level];
}

void rv_contact_state_at(const struct rv_snapshot *s, size_t c, int32_t at,
                         struct rv_contact_state *out)
{
    int64_t sum = 0;
    int32_t first = RV_TIME_MAX, last = RV_TIME_MIN;
    uint32_t n = 0;
    int trig = 0;
    size_t end = rv_run_end(s, c);
    for (size_t i = rv_run_begin(s, c); i < end && s->t[i] <= at; i++) {
        if (!rv_counts(s, i))
            continue;
        if (!n)
            first = s->t[i];
        last = s->t[i];
        n++;
        sum += s->rv[i];
        int16_t ty = s->type[i];
        if (ty >= 0 && s->types[ty].is_trigger && s->types[ty].level > trig)
            trig = s->types[ty].level;
    }
    out->rv = sum;
    out->first = first;
    out->last = last;
    out->ncounted = n;
    out->level = (int8_t)(n ? rv_level_from_trigger(s, trig) : 0);
    out->stage = (int8_t)rv_level_stage(s, out->level);
}

struct compute_job {
    const struct rv_snapshot *s;
    const struct rv_mask *mask;
    int32_t at;
    size_t from, to;
    struct rv_contact_state *out;
};

static void *compute_range(void *arg)
{
    const struct compute_job *j = arg;
    static const struct rv_contact_state empty = {0, RV_TIME_MAX, RV_TIME_MIN, 0, 0, RV_STAGE_NONE};
    for (size_t c = j->from; c < j->to; c++) {
        if (rv_mask_has(j->mask, c))
            rv_contact_state_at(j->s, c, j->at, &j->out[c]);
        else
            j->out[c] = empty;
    }
    return NULL;
}

int rv_compute(const struct rv_snapshot *s, int64_t as_of_ms, const struct rv_mask *mask,
               unsigned nthreads, struct rv_contact_state *out, struct kith_error *err)
{
    (void)err;
    if (nthreads < 1)
        nthreads = 1;
    if (nthreads > PAR_MAX)
        nthreads = PAR_MAX;
    if (s->nc < 4096)
        nthreads = 1;
    struct compute_job jobs[PAR_MAX];
    size_t cut[PAR_MAX + 1];
    int32_t at = rv_time_from_ms(as_of_ms);
    par_split(s->count, s->nc, nthreads, cut); /* equal work: split by interactions */
    for (unsigned k = 0; k < nthreads; k++)
        jobs[k] = (struct compute_job){s, mask, at, cut[k], cut[k + 1], out};
    par_run(nthreads, compute_range, jobs, sizeof(jobs[0]));
    return 0;
}

double rv_strength(const struct rv_snapshot *s, size_t c, int64_t as_of_ms, double half_life_days)
{
    int32_t at = rv_time_from_ms(as_of_ms);
    double k = -M_LN2 / (half_life_days * RV_DAY), sum = 0;
    size_t end = rv_run_end(s, c);
    for (size_t i = rv_run_begin(s, c); i < end && s->t[i] <= at; i++)
        if (rv_counts(s, i))
            sum += s->rv[i] * exp(k * ((double)at - (double)s->t[i]));
    return sum;
}

int rv_pattern(const struct rv_snapshot *s, size_t c, int64_t as_of_ms, int bucket_days,
               int64_t *values, size_t cap, size_t *n, struct kith_error *err)
{
    *n = 0;
    if (bucket_days < 1)
        return kith_err(err, KITH_EINVAL, "the age bucket must be at least one day, not %d",
                        bucket_days);
    int32_t at = rv_time_from_ms(as_of_ms);
    size_t i = rv_run_begin(s, c), end = rv_run_end(s, c);
    while (i < end && s->t[i] <= at && !rv_counts(s, i))
        i++;
    if (i == end || s->t[i] > at)
        return 0;
    int64_t first = s->t[i], width = (int64_t)bucket_days * RV_DAY;
    size_t nb = (size_t)((at - first) / width) + 1;
    int64_t sum = 0;
    for (size_t b = 0; b < nb; b++) {
        int64_t edge = first + (int64_t)b * width;
        for (; i < end && s->t[i] <= edge; i++)
            if (rv_counts(s, i))
                sum += s->rv[i];
        if (b < cap)
            values[b] = sum;
    }
    *n = nb;
    return 0;
}
