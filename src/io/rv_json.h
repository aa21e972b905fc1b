/*
 * rv_json.h - Relationship Value results as JSON (jansson), shared by `kith rv --json` and the
 * API's /api/v1/rv/... handlers so that both speak the same shapes (docs/internals/rv.md lists
 * them). Every function returns a new reference owned by the caller (json_decref), or NULL when
 * out of memory. Unknown numbers (NaN) are null; times are ISO 8601 strings (UTC, ms); money is a
 * decimal string with two decimals, as everywhere in the API; RV units are integers.
 *
 * Nothing here reads a contact's name or any other personal field: contacts appear by id only.
 * What a caller may see is decided before (rv_mask_* and the engine's masks).
 */
#ifndef KITH_IO_RV_JSON_H
#define KITH_IO_RV_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/compare.h"
#include "engine/indicator.h"
#include "engine/norm.h"
#include "engine/scorecard.h"
#include "engine/snapshot.h"

/* A snapshot time as ISO 8601, null for RV_TIME_MIN / RV_TIME_MAX (none). */
json_t *rvjson_time(int32_t t);

/* A number, null when NaN. */
json_t *rvjson_number(double v);

/* Cents as "1234.50". */
json_t *rvjson_money(int64_t cents);

/* {"field": "team", "value": "Alpha", "id": 3} (id only for team, rep, unit). */
json_t *rvjson_key(const struct rv_snapshot *s, enum norm_dim dim, int32_t key);

/*
 * One contact at as_of: {"contact_id", "as_of", "rv", "strength", "half_life_days", "level",
 * "stage", "first_interaction", "last_interaction", "age_days", "interactions" (counted),
 * "excluded" (voided or voiding), "pattern": [{"age_days", "rv", "n", "p10", "p50", "p90"}],
 * "positions": [...]}. The pattern's norm columns and the positions come from norm when it is
 * not NULL (the contact's groups in it); bucket_days is then norm's.
 */
json_t *rvjson_contact(const struct rv_snapshot *s, size_t c, int64_t as_of_ms,
                       double half_life_days, int bucket_days, const struct norm_result *norm);

/* {"group": key, "row", "age_days", "rv", "percentile", "status", "p10", "p90", "n"}. */
json_t *rvjson_position(const struct rv_snapshot *s, const struct norm_result *r,
                        const struct norm_position *p);

/*
 * {"by", "filters": [key...], "as_of", "bucket_days", "groups": [{"key", "members", "rows":
 * [{"age_days", "n", "p10", "p25", "p50", "p75", "p90"}]}]}; every `every`-th row (>= 1).
 */
json_t *rvjson_norm(const struct rv_snapshot *s, const struct norm_result *r, unsigned every);

/* {"by", "as_of", "count", "exceptions": [{"contact_id", "contact_name", ...position}]}: the first
 * limit of norm_exceptions(). Names (the engine holds none) are read from names
 * (store_rv_contact_name()); null when it is NULL or a contact has none. */
struct store;
json_t *rvjson_exceptions(const struct rv_snapshot *s, const struct norm_result *r,
                          const size_t *idx, size_t n, size_t limit, struct store *names);

/* {"reps": [{"user_id", "name", "email", "team", "rv", "cost", "rv_per_cost", ...}]}. */
json_t *rvjson_scorecards(const struct rv_snapshot *s, const struct scorecard_rep *rows, size_t n);

/* {"k", "epsilon", "epsilon_per_statistic", "clip": [lo, hi], "mechanisms", "cells": [...]}. */
json_t *rvjson_compare(const struct rv_snapshot *s, const struct compare_result *r);

/* {"cutoff", "window_days", "horizon_days", "outcome", "per", "n", "rho", "rho_ci": [lo, hi],
 * "resamples", "seed", "auc", "auc_ci", "positives", "deciles": [...]}. */
json_t *rvjson_indicator(const struct indicator_spec *spec, const struct indicator_result *r);

/* What an update changed, for the live stream: {"contact_id", "new_contact", "before": {...},
 * "after": {...}, "positions": [...]} (positions against r when not NULL). */
json_t *rvjson_update(const struct rv_snapshot *s, const struct rv_update *u,
                      const struct norm_result *r, int64_t as_of_ms);

#endif
