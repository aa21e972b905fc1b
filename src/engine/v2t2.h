/*
 * v2t2.h - the V2T2 model of seed 000 (DESIGN.md §5, docs/v2t2.md): Value x Volume zones seen
 * from each point of view, the Touch x Tech tone a relationship gets in each lifecycle phase
 * from each channel agent, the Knowledge Frame that says which tone each zone expects, and the
 * discord between the two.
 *
 * Pure computation: the maths of one place, one tone and one discord (v2t2.c), and the walks
 * over the RV snapshot that give every relationship its zone, its delivered tones and its
 * discord (v2t2_walk.c). No I/O: the catalogue's touch and tech weights come in as arrays.
 * Ownership: every array an out parameter receives is the caller's (free()).
 */
#ifndef KITH_ENGINE_V2T2_H
#define KITH_ENGINE_V2T2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "util/error.h"

/* Zones of the Value x Volume matrix; tone n is the tone zone Qn expects (the Knowledge Frame). */
enum v2t2_zone {
    V2T2_NONE = 0, /* not placed: no data */
    V2T2_Q1 = 1,   /* high value, low volume   | tone: high touch, low tech */
    V2T2_Q2 = 2,   /* high value, high volume  | tone: high touch, high tech */
    V2T2_Q3 = 3,   /* low value, high volume   | tone: low touch, high tech */
    V2T2_Q4 = 4,   /* low value, low volume    | tone: low touch, low tech */
};

/* Points of view, in this order everywhere (names: v2t2_pov_name()). */
enum v2t2_pov {
    V2T2_POV_CUSTOMER,
    V2T2_POV_REP, /* the frontline rep, the salesperson */
    V2T2_POV_MANAGER,
    V2T2_POV_UNIT,       /* a business unit, dealer or partner */
    V2T2_POV_ENTERPRISE, /* the enterprise, the manufacturer */
    V2T2_NPOVS
};

/* Channel agents: who performed an interaction (v2t2_agent_of()). */
enum v2t2_agent {
    V2T2_AGENT_REP,     /* the relationship's owner */
    V2T2_AGENT_TEAM,    /* another user of the relationship's team */
    V2T2_AGENT_UNIT,    /* any other user of the enterprise */
    V2T2_AGENT_PARTNER, /* a user of a partner, distributor or dealer unit */
    V2T2_AGENT_SELF,    /* no user: self-service, portal, device */
    V2T2_NAGENTS
};

const char *v2t2_pov_name(int pov);     /* "customer", "rep", ...; NULL out of range */
int v2t2_pov_from_name(const char *s);  /* -1 when unknown */
const char *v2t2_agent_name(int agent); /* "rep", "team", "unit", "partner", "self_service" */
int v2t2_agent_from_name(const char *s);
const char *v2t2_zone_name(int zone); /* "Q1".."Q4"; NULL for V2T2_NONE */
/* The tone zone Qn expects: "high touch, low tech", ...; NULL for V2T2_NONE. */
const char *v2t2_tone_name(int tone);

/* The zone of a high/low value and a high/low volume. */
int v2t2_zone_of(bool high_value, bool high_volume);

/* Where one party places one subject (docs/v2t2.md, "Zones"). */
struct v2t2_place {
    double amount;           /* the subject's amount */
    double baseline;         /* the party's own baseline for it */
    double value_ratio;      /* amount / baseline; +inf when baseline <= 0 < amount; 0 if both */
    double value_threshold;  /* high value when value_ratio >= this */
    double per_period;       /* how many such subjects the party handles per period */
    double volume_threshold; /* high volume when per_period >= this */
    bool high_value, high_volume;
    int zone; /* enum v2t2_zone */
};

struct v2t2_place v2t2_place(double amount, double baseline, double per_period,
                             double value_threshold, double volume_threshold);

/* Where touch and tech turn from low to high (a value equal to the threshold is high). */
struct v2t2_tone_thresholds {
    double touch, tech;
};

/* The tone (1..4, numbered like the zones that expect it) of a touch and a tech in [0, 1]. */
int v2t2_tone_of(double touch, double tech, const struct v2t2_tone_thresholds *th);

/* Whether zone expects high touch and high tech (the Knowledge Frame). */
void v2t2_expects(int zone, bool *high_touch, bool *high_tech);

/*
 * How far a delivered tone is from the tone zone expects: touch and tech are the signed changes
 * that bring each coordinate to the expected side of its threshold (> 0: more, < 0: less, 0: in
 * tune on that axis); distance is their Euclidean norm, 0 when the tone is the expected one.
 */
struct v2t2_discord {
    double distance, touch, tech;
};

struct v2t2_discord v2t2_discord(int zone, double touch, double tech,
                                 const struct v2t2_tone_thresholds *th);

/* ---- over the snapshot (v2t2_walk.c) ---------------------------------------------------- */

/*
 * The catalogue's weights and the units' kinds, aligned with the snapshot: touch[k], tech[k] of
 * s->types[k] (s->ntypes long); partner[u] non-zero when s->units row u is a partner,
 * distributor or dealer (s->units.n long; NULL: none is).
 */
struct v2t2_catalog {
    const float *touch, *tech;
    const uint8_t *partner;
};

/* The channel agent of slot i of contact c's run (docs/v2t2.md, "Channel agents"). */
int v2t2_agent_of(const struct rv_snapshot *s, const struct v2t2_catalog *cat, size_t c, size_t i);

/* Touch and tech delivered by one agent in one phase: n interactions, their mean weights. */
struct v2t2_cell {
    uint32_t n;
    double touch, tech; /* means over the n interactions; 0 when n is 0 */
};

/* A relationship's cells, [phase][agent]. */
struct v2t2_cells {
    struct v2t2_cell c[RV_NSTAGES][V2T2_NAGENTS];
};

/* Which interactions count: those in [from, to) (snapshot times) of the contacts in mask. */
struct v2t2_window {
    int32_t from, to; /* RV_TIME_MIN, RV_TIME_MAX: all */
    const struct rv_mask *mask;
};

/*
 * Calls fn once per customer (rv_customer_of_contact(): an account, or a contact without one)
 * that has a counted interaction in w, in customer index order, with its cells. A non-zero
 * return from fn stops the walk and is returned. O(interactions + contacts).
 */
typedef int (*v2t2_customer_fn)(void *ctx, size_t customer, const struct v2t2_cells *cells);
int v2t2_walk(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
              const struct v2t2_window *w, v2t2_customer_fn fn, void *ctx, struct kith_error *err);

/*
 * The thresholds one relationship or subject is judged by: one unit's settings (docs/v2t2.md,
 * "Settings"), each point of view's value threshold, the volume threshold, the period in days
 * (> 0) and the tone thresholds.
 */
struct v2t2_thresholds {
    double value[V2T2_NPOVS];
    double volume;
    double period_days;
    struct v2t2_tone_thresholds tone;
};

/*
 * Which thresholds judge each customer (rv_customer_of_contact() index): set[of[k]] for customer
 * k, so that relationships of different units are each judged by their own unit's settings.
 * of NULL: set[0] judges every customer. The arrays are the caller's.
 */
struct v2t2_config {
    const struct v2t2_thresholds *set;
    const uint32_t *of; /* s->nacct + s->nc long, or NULL */
};

static inline const struct v2t2_thresholds *v2t2_config_of(const struct v2t2_config *c, size_t k)
{
    return &c->set[c->of ? c->of[k] : 0];
}

/* The customer's point of view over the snapshot's orders. */
struct v2t2_zone_spec {
    const struct v2t2_config *cfg; /* each customer's value_customer, volume and period_days */
    int32_t as_of;                 /* orders before this snapshot time count (RV_TIME_MAX: all) */
};

/*
 * The zone of every customer from its own point of view (docs/v2t2.md, "The relationship's
 * zone"): its latest order against the median of its earlier ones (none earlier: the median of
 * every order), its orders per period over the span of all orders, each with the thresholds
 * and period that judge it (spec->cfg). zones[k] for customer k
 * (s->nacct + s->nc long, the caller's: free()); zone V2T2_NONE for a customer without orders.
 */
int v2t2_customer_zones(const struct rv_snapshot *s, const struct v2t2_zone_spec *spec,
                        struct v2t2_place **zones, struct kith_error *err);

/*
 * The discord of a relationship (docs/v2t2.md, "Discord"): the mean over its interactions of
 * the distance between the tone its zone expects and the tone delivered by the agent in the
 * phase of the interaction, i.e. sum over cells of n * distance / sum of n. phase -1: every
 * phase, else only that phase's cells. NaN when the zone is V2T2_NONE or no cell counts.
 */
double v2t2_relationship_discord(int zone, const struct v2t2_cells *cells, int phase,
                                 const struct v2t2_tone_thresholds *th);

/*
 * Discord per customer over the snapshot, for the leading-indicator study and the reports:
 * out[k] for customer k (s->nacct + s->nc long, the caller's: free()), NaN when the customer has
 * no zone or no interaction in w (phase as in v2t2_relationship_discord()), each customer judged
 * by its own thresholds (zspec->cfg: zone and tone). Runs on nthreads
 * (1..PAR_MAX) threads, each over a range of customers.
 */
int v2t2_customer_discord(const struct rv_snapshot *s, const struct v2t2_catalog *cat,
                          const struct v2t2_window *w, const struct v2t2_zone_spec *zspec,
                          int phase, unsigned nthreads, double **out, struct kith_error *err);

#endif
