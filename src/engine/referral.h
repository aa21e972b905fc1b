/*
 * Referral value (seed 003: "the valuation of customers extends into advocacy and referral"):
 * the value of the accounts each account referred, first degree, and optionally second degree
 * (the accounts those referred) at a discount. Pure computation; definitions in docs/value.md,
 * "Referral value".
 */
#ifndef KITH_ENGINE_REFERRAL_H
#define KITH_ENGINE_REFERRAL_H

#include <stddef.h>
#include <stdint.h>

#include "model/value_data.h"
#include "util/error.h"

struct referral_value {
    size_t referred;  /* accounts credited to this one as their first referrer */
    size_t referred2; /* accounts credited to those (second degree), itself excluded */
    double value1;    /* sum of the values of the first-degree accounts */
    double value2;    /* sum of the values of the second-degree accounts */
    double total;     /* value1 + second_weight * value2 */
};

/*
 * Referral value of the accounts ids[0..n) (ascending, distinct) whose own values are
 * value[0..n), into out[0..n). A referred account is credited to its first referrer only (the
 * earliest event; at one instant the smallest account id); self-referrals are ignored. A
 * referred account that is not among ids counts with value 0. second_weight in [0, 1] weighs the
 * second degree (0: first degree only). KITH_EINVAL for bad ids or weight. O((e + n) log e).
 */
int referral_values(const struct cv_referral *e, size_t ne, const int64_t *ids, const double *value,
                    size_t n, double second_weight, struct referral_value *out,
                    struct kith_error *err);

#endif /* KITH_ENGINE_REFERRAL_H */
