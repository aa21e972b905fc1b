/*
 * dosay.c - do vs say: a contact's behaviour after what it said, and the rules under which the
 * two disagree (dosay.h; docs/voice.md "Do vs say").
 */
#include "engine/dosay.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

const char *const dosay_rule_names[] = {"promoter_falling", "promoter_churned", "detractor_buying",
                                        "intent_unmet", NULL};

/* CSR lists of n keys: key_of(i) for each of m items (-1: none) into *start (n + 1) and *item. */
static int csr(size_t n, size_t m, const int32_t *key, const uint8_t *keep, uint32_t **start,
               uint32_t **item)
{
    *start = calloc(n + 1, sizeof(**start));
    *item = malloc((m ? m : 1) * sizeof(**item));
    if (!*start || !*item)
        return KITH_ENOMEM;
    for (size_t i = 0; i < m; i++)
        if (keep[i] && key[i] >= 0)
            (*start)[key[i] + 1]++;
    for (size_t k = 0; k < n; k++)
        (*start)[k + 1] += (*start)[k];
    uint32_t *fill = malloc((n ? n : 1) * sizeof(*fill));
    if (!fill)
        return KITH_ENOMEM;
    memcpy(fill, *start, n * sizeof(*fill));
    for (size_t i = 0; i < m; i++)
        if (keep[i] && key[i] >= 0)
            (*item)[fill[key[i]]++] = (uint32_t)i;
    free(fill);
    return 0;
}

void dosay_index_release(struct dosay_index *ix)
{
    free(ix->sale_start);
    free(ix->sale);
    free(ix->asale_start);
    free(ix->asale);
    free(ix->churn_start);
    free(ix->churn);
    free(ix->achurn_start);
    free(ix->achurn);
    memset(ix, 0, sizeof(*ix));
}

int dosay_index_build(const struct rv_snapshot *s, struct dosay_index *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    const size_t m = s->norders > s->nevents ? s->norders : s->nevents;
    uint8_t *keep = malloc(m ? m : 1);
    int32_t *acct = malloc((m ? m : 1) * sizeof(*acct));
    int rc = keep && acct ? 0 : KITH_ENOMEM;
    if (rc == 0) {
        for (size_t o = 0; o < s->norders; o++) {
            keep[o] = !s->o_return[o];
            acct[o] = s->o_contact[o] < 0 ? s->o_account[o] : -1;
        }
        rc = csr(s->nc, s->norders, s->o_contact, keep, &out->sale_start, &out->sale);
        if (rc == 0)
            rc = csr(s->nacct, s->norders, acct, keep, &out->asale_start, &out->asale);
    }
    if (rc == 0) {
        const int churn = rv_event_kind_from_name("churn");
        for (size_t e = 0; e < s->nevents; e++) {
            keep[e] = s->e_kind[e] == churn;
            acct[e] = s->e_contact[e] < 0 ? s->e_account[e] : -1;
        }
        rc = csr(s->nc, s->nevents, s->e_contact, keep, &out->churn_start, &out->churn);
        if (rc == 0)
            rc = csr(s->nacct, s->nevents, acct, keep, &out->achurn_start, &out->achurn);
    }
    free(keep);
    free(acct);
    if (rc < 0) {
        dosay_index_release(out);
        return kith_err(err, KITH_ENOMEM, "out of memory indexing sales and churn");
    }
    return 0;
}

void dosay_behaviour_of(const struct rv_snapshot *s, const struct dosay_index *ix, size_t c,
                        int32_t after, int32_t as_of, struct dosay_behaviour *out)
{
    memset(out, 0, sizeof(*out));
    out->churned = RV_TIME_MAX;
    for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
        if (!rv_counts(s, i) || s->t[i] <= after || s->t[i] > as_of)
            continue;
        out->rv += s->rv[i];
        out->interactions++;
    }
    const int32_t a = s->account[c];
    for (uint32_t k = ix->sale_start[c]; k < ix->sale_start[c + 1]; k++)
        out->sales += s->o_t[ix->sale[k]] > after && s->o_t[ix->sale[k]] <= as_of;
    if (a >= 0)
        for (uint32_t k = ix->asale_start[a]; k < ix->asale_start[a + 1]; k++)
            out->sales += s->o_t[ix->asale[k]] > after && s->o_t[ix->asale[k]] <= as_of;
    for (uint32_t k = ix->churn_start[c]; k < ix->churn_start[c + 1]; k++) {
        const int32_t t = s->e_t[ix->churn[k]];
        if (t > after && t <= as_of && t < out->churned)
            out->churned = t;
    }
    if (a >= 0)
        for (uint32_t k = ix->achurn_start[a]; k < ix->achurn_start[a + 1]; k++) {
            const int32_t t = s->e_t[ix->achurn[k]];
            if (t > after && t <= as_of && t < out->churned)
                out->churned = t;
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
