/*
 * rfm.c - recency, frequency and monetary quintile scores and the named segments they map to.
 * The rules are a table read top to bottom, first match wins (rfm.h, docs/value.md).
 */
#include "engine/rfm.h"

#include <stdlib.h>
#include <string.h>

#include "engine/dist.h"

#include "util/alloc.h"

#include "util/banned.h"

/* One rule: the score ranges (inclusive) and the newness it needs (-1: either). */
struct rfm_rule {
    enum rfm_segment segment;
    const char *name;
    int is_new;
    int r_lo, r_hi, f_lo, f_hi, m_lo, m_hi;
    const char *words;
};

/*
 * Read top to bottom; the last rules leave no combination without a segment. "new" takes only
 * the new customers of the most recent quintile (R 5): a one-order customer's recency is its age,
 * so with "new" at any R every one-order customer with R 3-5 and a first order within the window
 * was new, and on a book whose recent 60% ordered within the window "promising" and
 * "about_to_sleep" never occurred. A new customer at R 4 is "promising", at R 3 "about_to_sleep"
 * (or "potential_loyalist" / "need_attention" with F 2-3). tests/unit/engine/rfm_test.c builds
 * one customer per segment.
 */
static const struct rfm_rule rules[] = {
    {RFM_NEW, "new", 1, 5, 5, 1, 5, 1, 5,
     "first order within the new-customer window (90 days) and R 5"},
    {RFM_CHAMPIONS, "champions", -1, 4, 5, 4, 5, 4, 5, "R 4-5, F 4-5 and M 4-5"},
    {RFM_LOYAL, "loyal", -1, 3, 5, 4, 5, 1, 5, "R 3-5 and F 4-5"},
    {RFM_CANT_LOSE, "cant_lose", -1, 1, 2, 4, 5, 4, 5, "R 1-2, F 4-5 and M 4-5"},
    {RFM_AT_RISK, "at_risk", -1, 1, 2, 3, 5, 1, 5, "R 1-2 and F 3-5"},
    {RFM_POTENTIAL_LOYALIST, "potential_loyalist", -1, 4, 5, 2, 3, 1, 5, "R 4-5 and F 2-3"},
    {RFM_PROMISING, "promising", -1, 4, 5, 1, 1, 1, 5, "R 4-5 and F 1"},
    {RFM_NEED_ATTENTION, "need_attention", -1, 3, 3, 2, 3, 1, 5, "R 3 and F 2-3"},
    {RFM_ABOUT_TO_SLEEP, "about_to_sleep", -1, 3, 3, 1, 1, 1, 5, "R 3 and F 1"},
    {RFM_HIBERNATING, "hibernating", -1, 2, 2, 1, 2, 1, 5, "R 2 and F 1-2"},
    {RFM_LOST, "lost", -1, 1, 1, 1, 2, 1, 5, "R 1 and F 1-2"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

enum rfm_segment rfm_segment_of(int r, int f, int m, bool is_new)
{
    for (size_t i = 0; i < NRULES; i++) {
        const struct rfm_rule *ru = &rules[i];
        if (ru->is_new == 1 && !is_new)
            continue;
        if (r >= ru->r_lo && r <= ru->r_hi && f >= ru->f_lo && f <= ru->f_hi && m >= ru->m_lo &&
            m <= ru->m_hi)
            return ru->segment;
    }
    BUG("RFM scores %d %d %d match no segment rule", r, f, m);
}

static const struct rfm_rule *rule_of(enum rfm_segment s)
{
    for (size_t i = 0; i < NRULES; i++)
        if (rules[i].segment == s)
            return &rules[i];
    return NULL;
}

const char *rfm_segment_name(enum rfm_segment s)
{
    const struct rfm_rule *ru = rule_of(s);
    return ru ? ru->name : "?";
}

const char *rfm_segment_rule(enum rfm_segment s)
{
    const struct rfm_rule *ru = rule_of(s);
    return ru ? ru->words : "?";
}

bool rfm_segment_parse(const char *name, enum rfm_segment *s)
{
    for (size_t i = 0; i < NRULES; i++) {
        if (strcmp(rules[i].name, name) == 0) {
            *s = rules[i].segment;
            return true;
        }
    }
    return false;
}

int rfm_score_all(const struct rfm_input *in, size_t n, struct rfm_score *out,
                  struct kith_error *err)
{
    if (n == 0)
        return 0;
    double *v = alloc_array(n, sizeof(*v));
    uint8_t *s = alloc_array(n, 3 * sizeof(*s));
    int rc = 0;
    if (!v || !s) {
        rc = kith_err(err, KITH_ENOMEM, "RFM: out of memory for %zu customers", n);
        goto out_free;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = -(double)in[i].recency_days; /* more recent scores higher */
    if ((rc = dist_ktile_scores(v, n, 5, s, err)) < 0)
        goto out_free;
    for (size_t i = 0; i < n; i++)
        v[i] = (double)in[i].frequency;
    if ((rc = dist_ktile_scores(v, n, 5, s + n, err)) < 0)
        goto out_free;
    for (size_t i = 0; i < n; i++)
        v[i] = in[i].monetary;
    if ((rc = dist_ktile_scores(v, n, 5, s + 2 * n, err)) < 0) {
        kith_err_prefix(err, "RFM monetary");
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (struct rfm_score){.r = s[i], .f = s[n + i], .m = s[2 * n + i]};
        out[i].segment = (uint8_t)rfm_segment_of(out[i].r, out[i].f, out[i].m, in[i].is_new);
    }
out_free:
    free(v);
    free(s);
    return rc;
}

void rfm_inputs_from_values(const struct value_result *r, int new_days, struct rfm_input *in)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct value_customer *c = &r->c[i];
        in[i] = (struct rfm_input){
            .recency_days = r->as_of_day - c->last_day,
            .frequency = c->orders,
            .monetary = c->to_date,
            .is_new = r->as_of_day - c->first_day < new_days,
        };
    }
}
