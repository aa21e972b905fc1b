/*
 * REAP (seed 003): every customer gets one lever - retain, efficiency, acquire look-alikes or
 * penetrate - by the first of a fixed list of rules that holds, with the reason in words; and
 * low-value customers are listed with the rule that put them there and a treatment. Pure
 * computation; the rules in words are in docs/value.md, "REAP".
 */
#ifndef KITH_ENGINE_REAP_H
#define KITH_ENGINE_REAP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/rfm.h"
#include "engine/value.h"
#include "util/error.h"

enum reap_lever { REAP_RETAIN, REAP_EFFICIENCY, REAP_ACQUIRE, REAP_PENETRATE, REAP_NLEVERS };

/* The lever rules, in the order they are tried. */
enum reap_rule {
    REAP_RULE_UNPROFITABLE,     /* efficiency: cost to serve above margin */
    REAP_RULE_COSTLY,           /* efficiency: cost to serve above cost_share of margin */
    REAP_RULE_VALUABLE_AT_RISK, /* retain: tier >= retain_tier, P(alive) < alive_min */
    REAP_RULE_RFM_AT_RISK,      /* retain: tier >= rfm_retain_tier, RFM at risk / can't lose */
    REAP_RULE_BEST,             /* acquire: tier 5, holding at least the best's median */
    REAP_RULE_NARROW,           /* penetrate: alive, holding below the best's median */
    REAP_RULE_BROAD,            /* penetrate: alive, broad holding: up-sell */
    REAP_RULE_FADING,           /* efficiency: everybody else (low tier, P(alive) low) */
    REAP_NRULES
};

/* The low-value rules, in the order they are tried; REAP_LOW_NONE: not a low-value customer. */
enum reap_low {
    REAP_LOW_NONE,
    REAP_LOW_UNPROFITABLE, /* margin to date - cost to serve < 0 */
    REAP_LOW_COSTLY,       /* tier <= 2 and cost to serve above cost_share of margin */
    REAP_LOW_LAPSED,       /* tier 1 and P(alive) < alive_min */
    REAP_LOW_SMALL,        /* tier 1, still active */
    REAP_NLOW
};

struct reap_input {
    uint8_t tier;        /* lifetime value quintile, 1..5 */
    uint8_t rfm_segment; /* enum rfm_segment */
    uint32_t holding;    /* distinct products bought */
    double p_alive;
    double margin; /* margin to date */
    double cost;   /* cost to serve to date */
};

struct reap_options {
    double alive_min;    /* P(alive) below this is "at risk" (0.5) */
    double cost_share;   /* cost to serve above this share of margin is costly (0.5) */
    int retain_tier;     /* tiers from this up are worth retaining when at risk (4) */
    int rfm_retain_tier; /* tiers from this up are retained when RFM says at risk (3) */
};

void reap_options_default(struct reap_options *o);

struct reap_tag {
    uint8_t lever; /* enum reap_lever */
    uint8_t rule;  /* enum reap_rule */
    uint8_t low;   /* enum reap_low */
};

/*
 * The lever and low-value rule of one customer. holding_ref is the median holding of the tier-5
 * customers (reap_holding_ref()).
 */
struct reap_tag reap_tag_one(const struct reap_input *in, const struct reap_options *o,
                             double holding_ref);

/* Median of the holdings of the tier-5 customers of in[0..n) (0 when there is none). O(n log n). */
int reap_holding_ref(const struct reap_input *in, size_t n, double *ref, struct kith_error *err);

/*
 * REAP inputs of r's customers: tier = quintile of lifetime value (dist_ktile_scores, k = 5),
 * rfm[i] the RFM of r->c[i], h their holdings (may be NULL: holding 0). KITH_EINVAL when a
 * lifetime value is not known (value_predict() not run).
 */
int reap_inputs_from_values(const struct value_result *r, const struct rfm_score *rfm,
                            const struct value_holdings *h, struct reap_input *in,
                            struct kith_error *err);

/* The reason of t for in, with its numbers, into buf; returns what snprintf returns. */
int reap_reason(const struct reap_input *in, const struct reap_tag *t, const struct reap_options *o,
                double holding_ref, char *buf, size_t size);

const char *reap_lever_name(enum reap_lever l); /* "retain", "efficiency", ... */
bool reap_lever_parse(const char *name, enum reap_lever *l);
const char *reap_rule_name(enum reap_rule r);      /* "unprofitable", ... */
const char *reap_rule_text(enum reap_rule r);      /* the rule in words */
enum reap_lever reap_rule_lever(enum reap_rule r); /* the lever the rule gives */
const char *reap_low_name(enum reap_low l);        /* "unprofitable", ... ; "" for none */
const char *reap_low_rule(enum reap_low l);        /* the rule in words */
const char *reap_low_treatment(enum reap_low l);   /* the recommended treatment */

#endif /* KITH_ENGINE_REAP_H */
