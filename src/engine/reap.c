/*
 * reap.c - the REAP lever of each customer and the low-value list: two ordered rule lists, first
 * match wins, each with its words and, for the low-value rules, a treatment (reap.h,
 * docs/value.md "REAP").
 */
#include "engine/reap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dist.h"

#include "util/alloc.h"

#include "util/banned.h"

void reap_options_default(struct reap_options *o)
{
    *o = (struct reap_options){
        .alive_min = 0.5, .cost_share = 0.5, .retain_tier = 4, .rfm_retain_tier = 3};
}

static const char *const lever_names[REAP_NLEVERS] = {"retain", "efficiency", "acquire",
                                                      "penetrate"};

struct rule_words {
    const char *name;
    enum reap_lever lever;
    const char *text;
};

static const struct rule_words rules[REAP_NRULES] = {
    [REAP_RULE_UNPROFITABLE] = {"unprofitable", REAP_EFFICIENCY,
                                "cost to serve to date is above the margin to date"},
    [REAP_RULE_COSTLY] = {"costly", REAP_EFFICIENCY,
                          "cost to serve to date is above the cost share (50%) of the margin "
                          "to date"},
    [REAP_RULE_VALUABLE_AT_RISK] = {"valuable_at_risk", REAP_RETAIN,
                                    "lifetime value in tier 4 or 5 and P(alive) below 0.5"},
    [REAP_RULE_RFM_AT_RISK] = {"rfm_at_risk", REAP_RETAIN,
                               "lifetime value in tier 3 or above and RFM segment at_risk or "
                               "cant_lose"},
    [REAP_RULE_BEST] = {"best", REAP_ACQUIRE,
                        "lifetime value in tier 5, alive, and holding at least as many "
                        "products as the median tier-5 customer: a template for look-alikes"},
    [REAP_RULE_NARROW] = {"narrow", REAP_PENETRATE,
                          "alive (P(alive) 0.5 or more) and holding fewer products than the "
                          "median tier-5 customer: cross-sell"},
    [REAP_RULE_BROAD] = {"broad", REAP_PENETRATE,
                         "alive and holding as many products as the median tier-5 customer, "
                         "below tier 5: up-sell"},
    [REAP_RULE_FADING] = {"fading", REAP_EFFICIENCY,
                          "every other customer: P(alive) below 0.5 and lifetime value below "
                          "tier 4"},
};

struct low_words {
    const char *name, *rule, *treatment;
};

static const struct low_words lows[REAP_NLOW] = {
    [REAP_LOW_NONE] = {"", "", ""},
    [REAP_LOW_UNPROFITABLE] = {"unprofitable", "margin to date minus cost to serve is negative",
                               "cut the cost to serve: move contact to self-service and digital "
                               "channels, stop discretionary visits, review discounts and terms; "
                               "re-price, or let go if the margin stays below the cost"},
    [REAP_LOW_COSTLY] = {"costly",
                         "lifetime value in tier 1 or 2 and cost to serve above the cost share "
                         "(50%) of the margin",
                         "serve through lower-cost channels and bundle contacts; keep the "
                         "relationship, drop the expensive touches"},
    [REAP_LOW_LAPSED] = {"lapsed", "lifetime value in tier 1 and P(alive) below 0.5",
                         "no proactive spend; an automated, low-cost win-back offer at most"},
    [REAP_LOW_SMALL] = {"small", "lifetime value in tier 1, still active",
                        "develop at low cost: digital cross-sell offers from the basket rules, "
                        "aim to move it up a tier; standard service only"},
};

static bool is_rfm_at_risk(uint8_t segment)
{
    return segment == RFM_AT_RISK || segment == RFM_CANT_LOSE;
}

static enum reap_rule lever_rule(const struct reap_input *in, const struct reap_options *o,
                                 double holding_ref)
{
    const bool alive = !(in->p_alive < o->alive_min);
    if (in->cost > in->margin)
        return REAP_RULE_UNPROFITABLE;
    if (in->cost > o->cost_share * in->margin)
        return REAP_RULE_COSTLY;
    if (in->tier >= o->retain_tier && !alive)
        return REAP_RULE_VALUABLE_AT_RISK;
    if (in->tier >= o->rfm_retain_tier && is_rfm_at_risk(in->rfm_segment))
        return REAP_RULE_RFM_AT_RISK;
    if (in->tier >= 5 && alive && (double)in->holding >= holding_ref)
        return REAP_RULE_BEST;
    if (alive && (double)in->holding < holding_ref)
        return REAP_RULE_NARROW;
    if (alive)
        return REAP_RULE_BROAD;
    return REAP_RULE_FADING;
}

static enum reap_low low_rule(const struct reap_input *in, const struct reap_options *o)
{
    if (in->margin - in->cost < 0)
        return REAP_LOW_UNPROFITABLE;
    if (in->tier <= 2 && in->cost > o->cost_share * in->margin)
        return REAP_LOW_COSTLY;
    if (in->tier <= 1 && in->p_alive < o->alive_min)
        return REAP_LOW_LAPSED;
    if (in->tier <= 1)
        return REAP_LOW_SMALL;
    return REAP_LOW_NONE;
}

struct reap_tag reap_tag_one(const struct reap_input *in, const struct reap_options *o,
                             double holding_ref)
{
    enum reap_rule r = lever_rule(in, o, holding_ref);
    return (struct reap_tag){
        .lever = (uint8_t)rules[r].lever, .rule = (uint8_t)r, .low = (uint8_t)low_rule(in, o)};
}

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

int reap_holding_ref(const struct reap_input *in, size_t n, double *ref, struct kith_error *err)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += in[i].tier >= 5;
    *ref = 0;
    if (m == 0)
        return 0;
    double *v = alloc_array(m, sizeof(*v));
    if (!v)
        return kith_err(err, KITH_ENOMEM, "REAP: out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i].tier >= 5)
            v[k++] = in[i].holding;
    qsort(v, m, sizeof(*v), double_cmp);
    *ref = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    free(v);
    return 0;
}

int reap_inputs_from_values(const struct value_result *r, const struct rfm_score *rfm,
                            const struct value_holdings *h, struct reap_input *in,
                            struct kith_error *err)
{
    if (r->n == 0)
        return 0;
    double *v = alloc_array(r->n, sizeof(*v));
    uint8_t *tier = alloc_array(r->n, sizeof(*tier));
    int rc = 0;
    if (!v || !tier) {
        rc = kith_err(err, KITH_ENOMEM, "REAP: out of memory for %zu customers", r->n);
        goto out_free;
    }
    for (size_t i = 0; i < r->n; i++) {
        v[i] = r->c[i].lifetime;
        if (!isfinite(v[i])) {
            rc = kith_err(err, KITH_EINVAL,
                          "REAP: account %lld has no lifetime value (predict values first)",
                          (long long)r->c[i].account_id);
            goto out_free;
        }
    }
    if ((rc = dist_ktile_scores(v, r->n, 5, tier, err)) < 0)
        goto out_free;
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        in[i] = (struct reap_input){
            .tier = tier[i],
            .rfm_segment = rfm[i].segment,
            .holding = h && i < h->n ? value_holding_count(h, i) : 0,
            .p_alive = c->p_alive,
            .margin = c->to_date,
            .cost = c->cost_to_date,
        };
    }
out_free:
    free(v);
    free(tier);
    return rc;
}

int reap_reason(const struct reap_input *in, const struct reap_tag *t, const struct reap_options *o,
                double holding_ref, char *buf, size_t size)
{
    char pa[16]; /* P(alive) in words: unknown (NaN) when the models could not be fitted */
    if (isfinite(in->p_alive))
        snprintf(pa, sizeof(pa), "%.2f", in->p_alive);
    else
        snprintf(pa, sizeof(pa), "%s", "unknown");
    switch ((enum reap_rule)t->rule) {
    case REAP_RULE_UNPROFITABLE:
        return snprintf(buf, size, "cost to serve %.2f is above the margin to date %.2f", in->cost,
                        in->margin);
    case REAP_RULE_COSTLY:
        return snprintf(buf, size,
                        "cost to serve %.2f is %.0f%% of the margin to date %.2f (limit %.0f%%)",
                        in->cost, 100 * in->cost / in->margin, in->margin, 100 * o->cost_share);
    case REAP_RULE_VALUABLE_AT_RISK:
        return snprintf(buf, size,
                        "lifetime value in tier %d of 5 but P(alive) %s is below %.2f: keep it",
                        in->tier, pa, o->alive_min);
    case REAP_RULE_RFM_AT_RISK:
        return snprintf(buf, size,
                        "lifetime value in tier %d of 5 and RFM segment %s: it used to buy more "
                        "often",
                        in->tier, rfm_segment_name((enum rfm_segment)in->rfm_segment));
    case REAP_RULE_BEST:
        return snprintf(buf, size,
                        "a best customer (tier 5, P(alive) %s, %u products against a median of "
                        "%.1f): a template for look-alike acquisition",
                        pa, in->holding, holding_ref);
    case REAP_RULE_NARROW:
        return snprintf(buf, size,
                        "active (P(alive) %s) with %u products against a median of %.1f for "
                        "the best customers: cross-sell",
                        pa, in->holding, holding_ref);
    case REAP_RULE_BROAD:
        return snprintf(buf, size,
                        "active (P(alive) %s) with %u products, lifetime value in tier %d of "
                        "5: up-sell towards the next tier",
                        pa, in->holding, in->tier);
    case REAP_RULE_FADING:
        return snprintf(buf, size,
                        "lifetime value in tier %d of 5 and P(alive) %s below %.2f: serve at "
                        "the lowest cost",
                        in->tier, pa, o->alive_min);
    case REAP_NRULES:
        break;
    }
    return snprintf(buf, size, "?");
}

const char *reap_lever_name(enum reap_lever l)
{
    return (unsigned)l < REAP_NLEVERS ? lever_names[l] : "?";
}

bool reap_lever_parse(const char *name, enum reap_lever *l)
{
    for (int i = 0; i < REAP_NLEVERS; i++) {
        if (strcmp(lever_names[i], name) == 0) {
            *l = (enum reap_lever)i;
            return true;
        }
    }
    return false;
}

const char *reap_rule_name(enum reap_rule r)
{
    return (unsigned)r < REAP_NRULES ? rules[r].name : "?";
}

const char *reap_rule_text(enum reap_rule r)
{
    return (unsigned)r < REAP_NRULES ? rules[r].text : "?";
}

enum reap_lever reap_rule_lever(enum reap_rule r)
{
    return (unsigned)r < REAP_NRULES ? rules[r].lever : REAP_EFFICIENCY;
}

const char *reap_low_name(enum reap_low l)
{
    return (unsigned)l < REAP_NLOW ? lows[l].name : "?";
}

const char *reap_low_rule(enum reap_low l)
{
    return (unsigned)l < REAP_NLOW ? lows[l].rule : "?";
}

const char *reap_low_treatment(enum reap_low l)
{
    return (unsigned)l < REAP_NLOW ? lows[l].treatment : "?";
}
