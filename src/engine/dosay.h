/*
 * dosay.h - do vs say (issue 15 item 7, docs/voice.md "Do vs say"): what a contact said (its NPS,
 * the intents it stated) beside what its relationship did after it (the RV its interactions
 * added, its sales, its churn), and the documented rules under which the two disagree. Pure: it
 * reads a snapshot and the caller's arrays.
 */
#ifndef KITH_ENGINE_DOSAY_H
#define KITH_ENGINE_DOSAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"

/* The rules, one bit each, in the order of dosay_rule_names. */
enum dosay_rule {
    DOSAY_PROMOTER_FALLING, /* NPS 9-10, then the RV added since is negative */
    DOSAY_PROMOTER_CHURNED, /* NPS 9-10, then a churn event */
    DOSAY_DETRACTOR_BUYING, /* NPS 0-6, then at least one sale */
    DOSAY_INTENT_UNMET,     /* a stated plan to buy, its horizon passed, no such sale in it */
    DOSAY_NRULES
};
extern const char *const dosay_rule_names[]; /* "promoter_falling", ... */

#define DOSAY_PROMOTER_MIN  9 /* NPS of a promoter, at least */
#define DOSAY_DETRACTOR_MAX 6 /* NPS of a detractor, at most */

/* What a contact's relationship did in (after, as_of] (snapshot times). */
struct dosay_behaviour {
    int64_t rv;           /* RV added by its counted interactions */
    int64_t sales;        /* sales (not returns or credits) naming it, or only its account */
    int32_t churned;      /* first churn event naming it, or only its account; RV_TIME_MAX: none */
    int64_t interactions; /* counted interactions */
};

/*
 * The sales and churn events of each contact, and those naming only an account, as lists (CSR:
 * the items of contact c are item[start[c] .. start[c + 1])), so that a contact's behaviour reads
 * its own rows only. Built by dosay_index_build(), freed by dosay_index_release().
 */
struct dosay_index {
    uint32_t *sale_start, *sale;     /* per contact: s->nc + 1 starts; order indices */
    uint32_t *asale_start, *asale;   /* per account, orders naming no contact */
    uint32_t *churn_start, *churn;   /* per contact: churn event indices */
    uint32_t *achurn_start, *achurn; /* per account, churn events naming no contact */
};

/* Indexes s's sales (not returns or credits) and churn events. 0 or KITH_ENOMEM. */
int dosay_index_build(const struct rv_snapshot *s, struct dosay_index *out, struct kith_error *err);
void dosay_index_release(struct dosay_index *ix);

/* The behaviour of contact c of s in (after, as_of]; ix from dosay_index_build(s). */
void dosay_behaviour_of(const struct rv_snapshot *s, const struct dosay_index *ix, size_t c,
                        int32_t after, int32_t as_of, struct dosay_behaviour *out);

/* The rules (bits 1 << DOSAY_*) an NPS answer breaks, given the behaviour after it. */
unsigned dosay_nps_rules(int nps, const struct dosay_behaviour *b);

/* A sale line as the intent rule reads it. */
struct dosay_line {
    int64_t contact_id, account_id; /* 0 = none */
    int64_t at;                     /* Unix ms */
    int64_t product_id;
    const char *category; /* the product's, or NULL */
};

/* A stated intent: to buy product_id (non-zero) or something of category, by due. */
struct dosay_intent {
    int64_t contact_id, account_id; /* the contact and its account (0: none) */
    int64_t at, due;                /* Unix ms: when it was stated, the end of its horizon */
    int64_t product_id;
    const char *category;
};

/*
 * True when one of lines[0..n) is a sale in [at, due] of the intent's product (or of a product
 * of its category) naming the contact, or naming only the contact's account.
 */
bool dosay_intent_met(const struct dosay_intent *in, const struct dosay_line *lines, size_t n);

#endif
