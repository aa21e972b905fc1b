/*
 * rv_json.h - Relationship Value reports as JSON (jansson): the one writer of each report of
 * analysis/rv.h, shared by `kith rv --json` and the API's /api/v1/rv/... handlers so that both
 * speak the same shapes (docs/internals/rv.md lists them), and the pieces the live stream
 * sends. Every function returns a new reference owned by the caller (json_decref), or NULL when
 * out of memory. Unknown numbers (NaN) are null; times are ISO 8601 strings (UTC, ms); money is a
 * decimal string with two decimals, as everywhere in the API; RV units are integers.
 *
 * Nothing here reads the store: the names a report shows were read by its run function, and
 * what a caller may see was decided before (rv_mask_* and the engine's masks).
 */
#ifndef KITH_IO_RV_JSON_H
#define KITH_IO_RV_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/rv.h"
#include "engine/norm.h"
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
 * One contact: {"contact_id", "contact_name", "as_of", "rv", "strength", "half_life_days",
 * "level", "stage", "first_interaction", "last_interaction", "age_days", "interactions"
 * (counted), "excluded" (voided or voiding), "bucket_days", "pattern": [{"age_days", "rv", "n",
 * "p10", "p50", "p90"}], "positions": [...]}: the pattern's norm columns are those of its first
 * position's group.
 */
json_t *rvjson_contact(const struct rv_contact_report *r);

/* {"group": key, "row", "row_age_days", "age_days", "rv", "percentile", "status", "n", "p10",
 * "p50", "p90"}. */
json_t *rvjson_position(const struct rv_snapshot *s, const struct norm_result *r,
                        const struct norm_position *p);

/*
 * {"by", "filters": [key...], "as_of", "bucket_days", "percentile_method", "groups": [{"key",
 * "members", "rows": [{"age_days", "n", "p10", "p25", "p50", "p75", "p90"}]}]}; every
 * `every`-th row.
 */
json_t *rvjson_norm(const struct rv_norm_report *r);

/* {"by", "filters", "as_of", "count", "exceptions": [{"contact_id", "contact_name",
 * ...position}]}: the shown exceptions, the name null where the report has none. */
json_t *rvjson_exceptions(const struct rv_exceptions_report *r);

/* {"reps": [{"user_id", "name", "email", "team", "rv", "cost", "rv_per_cost", ...}]}. */
json_t *rvjson_scorecards(const struct rv_reps_report *r);

/* {"k", "epsilon", "epsilon_per_statistic", "threshold", "clip": [lo, hi], "mechanisms",
 * "cells": [...]}. */
json_t *rvjson_compare(const struct rv_units_report *r);

/* {"cutoff", "window_days", "horizon_days", "outcome", "per", "population", "n", "x_mean",
 * "y_mean", "rho", "rho_ci95": [lo, hi], "resamples", "resamples_used", "seed", "auc",
 * "auc_ci95", "positives", "deciles": [...]}. */
json_t *rvjson_indicator(const struct rv_indicator_report *r);

/* The report of any RV analysis (the writer of r->def's). */
json_t *rvjson_report(const struct rv_report *r);

/* What an update changed, for the live stream: {"contact_id", "new_contact", "before": {...},
 * "after": {...}, "positions": [...]} (positions against r when not NULL). */
json_t *rvjson_update(const struct rv_snapshot *s, const struct rv_update *u,
                      const struct norm_result *r, int64_t as_of_ms);

#endif
