/*
 * resource_int.h - what the files of the generic REST resource share and nobody else sees: a
 * list request, the conversion of a checked value to a store value, and the pieces the handlers
 * (resource.c) take from the other files. The public interface is resource.h.
 *
 *   resource.c         the resource's table and the list/get/create/update/delete handlers
 *   resource_row.c     the row a write sets: fields set by name, and filled from a JSON body
 *                      with model/validate.h's checks, required fields and references
 *   resource_query.c   query strings to a store_query: limit, sort, fields, filters, cursor
 *   resource_cursor.c  opaque keyset cursors
 *   resource_json.c    rows to JSON, and the answers: a row, or a store error as HTTP
 */
#ifndef KITH_API_RESOURCE_INT_H
#define KITH_API_RESOURCE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/resource.h"
#include "model/validate.h"

/* A list request: the store query, the projection and the cursor's JSON (kept alive for q). */
struct list_request {
    struct store_query q;
    bool mask[RESOURCE_MAX_FIELDS];
    bool masked;
    size_t limit;
    json_t *cursor;
};

/* The store value of v; text is not copied. */
static inline struct store_value store_value_of(const struct field_value *v)
{
    switch (v->kind) {
    case FV_INT:
        return (struct store_value){.kind = SV_INT, .i = v->i};
    case FV_REAL:
        return (struct store_value){.kind = SV_REAL, .r = v->r};
    case FV_TEXT:
        return (struct store_value){.kind = SV_TEXT, .s = v->s, .len = v->len};
    case FV_NULL:
        break;
    }
    return (struct store_value){.kind = SV_NULL};
}

/* ---- the row (resource_row.c) -----------------------------------------------------------------
 */

/*
 * Fills row from the JSON object body, whose members must be fields of the table (only those
 * in allowed, when non-NULL) or r's extras; false with a 400/422 in res when it does not fit.
 */
bool resource_row_from_json(const struct api_resource *r, const char *const *allowed, json_t *body,
                            bool create, struct resource_row *row, struct api_response *res);

/* On create, every required field must be set (model/validate.h); booleans default to false. */
bool resource_check_required(struct resource_row *row, bool create, struct api_response *res);

/* Every reference the row sets must name a row that exists and that the caller may read. */
bool resource_check_refs(struct api_request *req, const struct resource_row *row,
                         struct api_response *res);

/* ---- query strings (resource_query.c) ---------------------------------------------------------
 */

/* ?fields=a,b: the projection into lr->mask; false with a 400 in res. */
bool resource_parse_fields(const struct table_def *t, const char *s, struct list_request *lr,
                           struct api_response *res);

/* Turns the query string into lr; false with a 400 in res when an argument is wrong. */
bool resource_parse_list(const struct api_resource *r, const struct table_def *t,
                         struct api_request *req, struct list_request *lr,
                         struct api_response *res);

/* ---- JSON (resource_json.c) -------------------------------------------------------------------
 */

/* The value as the store holds it (times and money as integers), for cursors. */
json_t *resource_raw_json(const struct store_value *v);

/* Reads row id of t in scope as JSON (projected by mask) into *out. */
int resource_row_as_json(struct store *s, const struct table_def *t, int64_t id,
                         const struct store_scope *scope, const bool *mask, json_t **out,
                         struct kith_error *err);

#endif
