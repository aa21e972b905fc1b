/*
 * rv_json.h - the pieces of Relationship Value JSON (jansson): times, money, group keys,
 * positions, contact states and the updates the live stream sends. The writer of each report
 * (rv_report_json(), analysis/rv_json.c) assembles them, so `kith rv --json` and the API's
 * /api/v1/rv/... speak the same shapes (docs/internals/rv.md lists them). Every function returns a
 * new reference owned by the caller (json_decref), or NULL when out of memory. Unknown numbers
 * (NaN) are null; times are ISO 8601 strings (UTC, ms); money is a decimal string with two
 * decimals, as everywhere in the API; RV units are integers.
 *
 * Nothing here reads the store: the names a report shows were read by its run function, and
 * what a caller may see was decided before (rv_mask_* and the engine's masks).
 */
#ifndef KITH_IO_RV_JSON_H
#define KITH_IO_RV_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/norm.h"
#include "engine/snapshot.h"

/* json_object_set_new / json_array_append_new that say whether it worked (v is consumed). */
bool rvjson_put(json_t *o, const char *k, json_t *v);
bool rvjson_push(json_t *a, json_t *v);

/* Releases o and returns NULL: how a builder gives up. */
json_t *rvjson_fail(json_t *o);

/* Unix milliseconds as ISO 8601. */
json_t *rvjson_ms(int64_t ms);

/* A stage's name, null for RV_STAGE_NONE. */
json_t *rvjson_stage(int st);

/* {"rv", "level", "stage", "interactions", "first_interaction", "last_interaction"}. */
json_t *rvjson_state(const struct rv_snapshot *s, const struct rv_contact_state *st);

/* A snapshot time as ISO 8601, null for RV_TIME_MIN / RV_TIME_MAX (none). */
json_t *rvjson_time(int32_t t);

/* A number, null when NaN. */
json_t *rvjson_number(double v);

/* Cents as "1234.50". */
json_t *rvjson_money(int64_t cents);

/* {"field": "team", "value": "Alpha", "id": 3} (id only for team, rep, unit). */
json_t *rvjson_key(const struct rv_snapshot *s, enum norm_dim dim, int32_t key);

/* {"group": key, "row", "row_age_days", "age_days", "rv", "percentile", "status", "n", "p10",
 * "p50", "p90"}. */
json_t *rvjson_position(const struct rv_snapshot *s, const struct norm_result *r,
                        const struct norm_position *p);

/* What an update changed, for the live stream: {"contact_id", "new_contact", "before": {...},
 * "after": {...}, "positions": [...]} (positions against r when not NULL). */
json_t *rvjson_update(const struct rv_snapshot *s, const struct rv_update *u,
                      const struct norm_result *r, int64_t as_of_ms);

#endif
