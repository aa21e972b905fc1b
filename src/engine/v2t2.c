/*
 * v2t2.c - the maths of one V2T2 place, tone and discord (engine/v2t2.h; formulas in
 * docs/v2t2.md). The walks over the snapshot are in v2t2_walk.c.
 */
#include "engine/v2t2.h"

#include <math.h>
#include <string.h>

#include "util/banned.h"

static const char *const pov_names[V2T2_NPOVS] = {"customer", "rep", "manager", "unit",
                                                  "enterprise"};
static const char *const agent_names[V2T2_NAGENTS] = {"rep", "team", "unit", "partner",
                                                      "self_service"};
static const char *const zone_names[] = {NULL, "Q1", "Q2", "Q3", "Q4"};
static const char *const tone_names[] = {NULL, "high touch, low tech", "high touch, high tech",
                                         "low touch, high tech", "low touch, low tech"};

const char *v2t2_pov_name(int pov)
{
    return pov >= 0 && pov < V2T2_NPOVS ? pov_names[pov] : NULL;
}

int v2t2_pov_from_name(const char *s)
{
    for (int i = 0; s && i < V2T2_NPOVS; i++)
        if (strcmp(s, pov_names[i]) == 0)
            return i;
    return -1;
}

const char *v2t2_agent_name(int agent)
{
    return agent >= 0 && agent < V2T2_NAGENTS ? agent_names[agent] : NULL;
}

int v2t2_agent_from_name(const char *s)
{
    for (int i = 0; s && i < V2T2_NAGENTS; i++)
        if (strcmp(s, agent_names[i]) == 0)
            return i;
    return -1;
}

const char *v2t2_zone_name(int zone)
{
    return zone >= V2T2_Q1 && zone <= V2T2_Q4 ? zone_names[zone] : NULL;
}

const char *v2t2_tone_name(int tone)
{
    return tone >= V2T2_Q1 && tone <= V2T2_Q4 ? tone_names[tone] : NULL;
}

int v2t2_zone_of(bool high_value, bool high_volume)
{
    if (high_value)
        return high_volume ? V2T2_Q2 : V2T2_Q1;
    return high_volume ? V2T2_Q3 : V2T2_Q4;
}

struct v2t2_place v2t2_place(double amount, double baseline, double per_period,
                             double value_threshold, double volume_threshold)
{
    struct v2t2_place p = {.amount = amount,
                           .baseline = baseline,
                           .per_period = per_period,
                           .value_threshold = value_threshold,
                           .volume_threshold = volume_threshold};
    if (baseline > 0)
        p.value_ratio = amount / baseline;
    else
        p.value_ratio = amount > 0 ? INFINITY : 0;
    p.high_value = p.value_ratio >= value_threshold;
    p.high_volume = per_period >= volume_threshold;
    p.zone = v2t2_zone_of(p.high_value, p.high_volume);
    return p;
}

/* Tone n is the tone of zone Qn: high touch in Q1 and Q2, high tech in Q2 and Q3. */
int v2t2_tone_of(double touch, double tech, const struct v2t2_tone_thresholds *th)
{
    const bool hi_touch = touch >= th->touch, hi_tech = tech >= th->tech;
    if (hi_touch)
        return hi_tech ? V2T2_Q2 : V2T2_Q1;
    return hi_tech ? V2T2_Q3 : V2T2_Q4;
}

void v2t2_expects(int zone, bool *high_touch, bool *high_tech)
{
    *high_touch = zone == V2T2_Q1 || zone == V2T2_Q2;
    *high_tech = zone == V2T2_Q2 || zone == V2T2_Q3;
}

/* The signed change that brings v to the expected side of threshold t. */
static double move(double v, double t, bool want_high)
{
    if (want_high)
        return v >= t ? 0 : t - v;
    return v < t ? 0 : -(v - t);
}

struct v2t2_discord v2t2_discord(int zone, double touch, double tech,
                                 const struct v2t2_tone_thresholds *th)
{
    struct v2t2_discord d = {0};
    if (zone < V2T2_Q1 || zone > V2T2_Q4) {
        d.distance = NAN;
        return d;
    }
    bool hi_touch, hi_tech;
    v2t2_expects(zone, &hi_touch, &hi_tech);
    d.touch = move(touch, th->touch, hi_touch);
    d.tech = move(tech, th->tech, hi_tech);
    d.distance = hypot(d.touch, d.tech);
    return d;
}

double v2t2_relationship_discord(int zone, const struct v2t2_cells *cells, int phase,
                                 const struct v2t2_tone_thresholds *th)
{
    if (zone < V2T2_Q1 || zone > V2T2_Q4)
        return NAN;
    double sum = 0;
    uint64_t n = 0;
    for (int ph = 0; ph < RV_NSTAGES; ph++) {
        if (phase >= 0 && ph != phase)
            continue;
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_cell *c = &cells->c[ph][a];
            if (!c->n)
                continue;
            sum += c->n * v2t2_discord(zone, c->touch, c->tech, th).distance;
            n += c->n;
        }
    }
    return n ? sum / (double)n : NAN;
}
