/*
 * dosay.c - do vs say: a contact's behaviour after what it said, and the rules under which the
 * two disagree (dosay.h; docs/voice.md "Do vs say").
 */
#include "engine/dosay.h"

#include <string.h>

#include "util/banned.h"

const char *const dosay_rule_names[] = {"promoter_falling", "promoter_churned", "detractor_buying",
                                        "intent_unmet", NULL};

void dosay_behaviour_of(const struct rv_snapshot *s, size_t c, int32_t after, int32_t as_of,
                        struct dosay_behaviour *out)
{
    memset(out, 0, sizeof(*out));
    out->churned = RV_TIME_MAX;
    for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
        if (!rv_counts(s, i) || s->t[i] <= after || s->t[i] > as_of)
            continue;
        out->rv += s->rv[i];
        out->interactions++;
    }
    const int32_t acct = s->account[c];
    for (size_t o = 0; o < s->norders; o++) {
        if (s->o_return[o] || s->o_t[o] <= after || s->o_t[o] > as_of)
            continue;
        if (s->o_contact[o] == (int32_t)c ||
            (s->o_contact[o] < 0 && acct >= 0 && s->o_account[o] == acct))
            out->sales++;
    }
    const int churn = rv_event_kind_from_name("churn");
    for (size_t e = 0; e < s->nevents; e++) {
        if (s->e_kind[e] != churn || s->e_t[e] <= after || s->e_t[e] > as_of)
            continue;
        if ((s->e_contact[e] == (int32_t)c ||
             (s->e_contact[e] < 0 && acct >= 0 && s->e_account[e] == acct)) &&
            s->e_t[e] < out->churned)
            out->churned = s->e_t[e];
    }
}

unsigned dosay_nps_rules(int nps, const struct dosay_behaviour *b)
{
    unsigned r = 0;
    if (nps >= DOSAY_PROMOTER_MIN) {
        if (b->rv < 0)
            r |= 1u << DOSAY_PROMOTER_FALLING;
        if (b->churned != RV_TIME_MAX)
            r |= 1u << DOSAY_PROMOTER_CHURNED;
    } else if (nps >= 0 && nps <= DOSAY_DETRACTOR_MAX && b->sales > 0) {
        r |= 1u << DOSAY_DETRACTOR_BUYING;
    }
    return r;
}

bool dosay_intent_met(const struct dosay_intent *in, const struct dosay_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct dosay_line *l = &lines[i];
        if (l->at < in->at || l->at > in->due)
            continue;
        const bool mine = l->contact_id == in->contact_id ||
                          (!l->contact_id && in->account_id && l->account_id == in->account_id);
        if (!mine)
            continue;
        if (in->product_id ? l->product_id == in->product_id
                           : in->category && l->category && strcmp(in->category, l->category) == 0)
            return true;
    }
    return false;
}
