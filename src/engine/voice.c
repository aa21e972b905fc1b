/*
 * voice.c - NPS and CSAT of a tally of answers with their intervals (engine/voice.h).
 */
#include "engine/voice.h"

#include <math.h>

#include "engine/deals.h"

#include "util/banned.h"

void voice_tally_add(struct voice_tally *t, int nps, int csat)
{
    if (nps >= 0 && nps <= 10) {
        t->nps_n++;
        if (nps >= 9)
            t->promoters++;
        else if (nps >= 7)
            t->passives++;
        else
            t->detractors++;
    }
    if (csat >= 1 && csat <= 5) {
        t->csat_n++;
        t->csat_sum += csat;
        if (csat >= 4)
            t->satisfied++;
    }
}

void voice_tally_of_hist(const struct voice_hist *h, struct voice_tally *t)
{
    *t = (struct voice_tally){0};
    for (int s = 0; s <= 10; s++) {
        t->nps_n += h->nps[s];
        if (s >= 9)
            t->promoters += h->nps[s];
        else if (s >= 7)
            t->passives += h->nps[s];
        else
            t->detractors += h->nps[s];
    }
    for (int s = 1; s <= 5; s++) {
        t->csat_n += h->csat[s - 1];
        t->csat_sum += s * h->csat[s - 1];
        if (s >= 4)
            t->satisfied += h->csat[s - 1];
    }
}

void voice_tally_merge(struct voice_tally *a, const struct voice_tally *b)
{
    a->nps_n += b->nps_n;
    a->promoters += b->promoters;
    a->passives += b->passives;
    a->detractors += b->detractors;
    a->csat_n += b->csat_n;
    a->satisfied += b->satisfied;
    a->csat_sum += b->csat_sum;
}

void voice_figures_of(const struct voice_tally *t, double z, struct voice_figures *out)
{
    out->nps = out->nps_lo = out->nps_hi = NAN;
    out->csat = out->csat_lo = out->csat_hi = out->csat_mean = NAN;
    if (t->nps_n > 0) {
        const double n = (double)t->nps_n, p = (double)t->promoters / n,
                     d = (double)t->detractors / n;
        const double var = fmax(0, p + d - (p - d) * (p - d)) / n;
        const double half = z * 100 * sqrt(var);
        out->nps = 100 * (p - d);
        out->nps_lo = fmax(-100, out->nps - half);
        out->nps_hi = fmin(100, out->nps + half);
    }
    if (t->csat_n > 0) {
        double lo, hi;
        deals_wilson(t->satisfied, t->csat_n, z, &lo, &hi);
        out->csat = 100 * (double)t->satisfied / (double)t->csat_n;
        out->csat_lo = 100 * lo;
        out->csat_hi = 100 * hi;
        out->csat_mean = (double)t->csat_sum / (double)t->csat_n;
    }
}
