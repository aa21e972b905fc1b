/*
 * value_json.h - customer value results as JSON (jansson), shared by `kith value --json` and the
 * API's /api/v1/value/... handlers so that both speak the same shapes (docs/internals/value.md
 * lists them). Every function returns a new reference owned by the caller (json_decref), or
 * NULL when out of memory. Numbers that are not known (NaN) become null; days become
 * "YYYY-MM-DD"; money is in currency units (not cents).
 */
#ifndef KITH_IO_VALUE_JSON_H
#define KITH_IO_VALUE_JSON_H

#include <jansson.h>

#include "engine/basket.h"
#include "engine/dist.h"
#include "engine/drivers.h"
#include "engine/reap.h"
#include "engine/referral.h"
#include "engine/rfm.h"
#include "engine/value.h"
#include "model/value_data.h"

/* {"bgnbd": {...}, "gamma_gamma": {...}, "margin_ratio": ..., ...}; null parameters unless
 * the fit converged. */
json_t *value_json_model(const struct value_model *m);

/* One customer: ids, labels, values, P(alive), proxy flag and basis. */
json_t *value_json_customer(const struct cv_data *d, const struct value_result *r, size_t i);

/* {"n", "total", "mean", "gini", "top20_share", "deciles": [...], "lorenz": [[p, L], ...]} */
json_t *value_json_dist(const struct dist_summary *s);

json_t *value_json_acquisition(const struct cv_data *d, const struct drivers_acquisition *a);
json_t *value_json_cohorts(const struct drivers_cohorts *c);
json_t *value_json_attrition(const struct drivers_attrition *a);
json_t *value_json_holding(const struct drivers_holding *h);
json_t *value_json_cost(const struct drivers_cost *c);
json_t *value_json_migration(const struct drivers_migration *m);
/* The share of wallet over the customers with a wallet (dist's "share_of_wallet"). */
json_t *value_json_wallet_dist(const struct value_wallet_dist *w);

/* {"account_id", "r", "f", "m", "segment"} of r->c[i]. */
json_t *value_json_rfm(const struct value_result *r, size_t i, const struct rfm_score *s);

/* {"account_id", "lever", "rule", "reason", "low_value": null | {"rule", "why", "treatment"}} */
json_t *value_json_reap(const struct value_result *r, size_t i, const struct reap_input *in,
                        const struct reap_tag *t, const struct reap_options *o, double holding_ref);

/* {"if": [skus], "then": sku, "support", "confidence", "lift", "count"} */
json_t *value_json_rule(const struct cv_data *d, const struct basket_rule *rule);

/* {"account_id", "product", "kind", "rule": {...}} */
json_t *value_json_offer(const struct cv_data *d, const struct value_result *r,
                         const struct basket_rules *rules, const struct basket_offer *o);

/* {"account_id", "referred", "value1", "referred2", "value2", "total"} */
json_t *value_json_referral(int64_t account_id, const struct referral_value *v);

/* "YYYY-MM-DD" of a day number into buf (at least 16 bytes); returns buf. */
char *value_json_day(int32_t day, char *buf, size_t size);

#endif
