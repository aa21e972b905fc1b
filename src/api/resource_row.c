/*
 * resource_row.c - the row a resource write sets: fields set by name (the hooks use these), and
 * the row filled from a JSON request body field by field, checked by model/validate.h (the same
 * checks as kith import's), then its required fields and the rows its references name.
 */
#include "api/resource_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"

#include "util/banned.h"

#define WHY_MAX (KITH_ERROR_MSG_MAX + 128)

size_t resource_field(const struct resource_row *row, const char *name)
{
    size_t i;
    if (!table_field(row->t, name, &i))
        BUG("%s has no field %s", row->t->name, name);
    return i;
}

bool resource_is_set(const struct resource_row *row, const char *name)
{
    return row->set[resource_field(row, name)];
}

bool resource_has(const struct resource_row *row, const char *name)
{
    size_t i = resource_field(row, name);
    return row->set[i] && row->vals[i].kind != SV_NULL;
}

static void row_clear(struct resource_row *row, size_t i)
{
    free(row->owned[i]);
    row->owned[i] = NULL;
    memset(&row->vals[i], 0, sizeof(row->vals[i]));
}

void resource_set_int(struct resource_row *row, const char *name, int64_t i)
{
    size_t f = resource_field(row, name);
    row_clear(row, f);
    row->vals[f] = (struct store_value){.kind = SV_INT, .i = i};
    row->set[f] = true;
}

int resource_set_text(struct resource_row *row, const char *name, const char *s, size_t len)
{
    size_t f = resource_field(row, name);
    char *copy = malloc(len + 1);
    if (!copy)
        return KITH_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    row_clear(row, f);
    row->owned[f] = copy;
    row->vals[f] = (struct store_value){.kind = SV_TEXT, .s = copy, .len = len};
    row->set[f] = true;
    return 0;
}

void resource_row_release(struct resource_row *row)
{
    for (size_t i = 0; i < RESOURCE_MAX_FIELDS; i++) {
        free(row->owned[i]);
        row->owned[i] = NULL;
    }
}

static bool in_list(const char *const *list, const char *name)
{
    for (; list && *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

/* ---- text and JSON to values (model/validate.h checks them) ---- */

/*
 * Converts JSON member j to field i of row: JSON numbers, booleans and objects are checked as
 * they are, strings read as field_parse() reads any text. -1 with why ("<field>: <reason>")
 * when it does not fit the field.
 */
static int value_from_json(struct resource_row *row, size_t i, json_t *j, char *why, size_t size)
{
    const struct field_def *f = &row->t->fields[i];
    struct field_value v = {.kind = FV_NULL};
    struct kith_error err = {0};
    bool typed = true; /* a JSON value of its own type, not text: field_check() it */
    row_clear(row, i);
    row->set[i] = true;
    if (json_is_null(j)) {
        if (f->type == FT_BOOL) {
            snprintf(why, size, "%s must be true or false", f->name);
            return -1;
        }
        goto out_given;
    }
    switch (f->type) {
    case FT_INT:
    case FT_REF:
        if (!json_is_integer(j))
            goto out_type;
        v = (struct field_value){.kind = FV_INT, .i = json_integer_value(j)};
        break;
    case FT_REAL:
        if (!json_is_number(j))
            goto out_type;
        v = (struct field_value){.kind = FV_REAL, .r = json_number_value(j)};
        break;
    case FT_BOOL:
        if (!json_is_boolean(j))
            goto out_type;
        v = (struct field_value){.kind = FV_INT, .i = json_is_true(j)};
        break;
    case FT_JSON: {
        if (!json_is_object(j))
            goto out_type;
        char *text = json_dumps(j, JSON_COMPACT);
        if (!text) {
            snprintf(why, size, "%s could not be stored", f->name);
            return -1;
        }
        row->owned[i] = text;
        v = (struct field_value){.kind = FV_TEXT, .s = text, .len = strlen(text)};
        break;
    }
    case FT_TEXT:
    case FT_ENUM:
    case FT_TIME:
    case FT_MONEY:
        if (!json_is_string(j))
            goto out_type;
        typed = false;
        if (field_parse(f, json_string_value(j), json_string_length(j), &v, &err) < 0)
            goto out_invalid;
        break;
    case FT_ID:
        goto out_type;
    }
    if (typed && field_check(f, &v, &err) < 0)
        goto out_invalid;
out_given:
    if (field_check_required(f, v.kind != FV_NULL && !(v.kind == FV_TEXT && v.len == 0), &err) < 0)
        goto out_invalid;
    if (v.kind == FV_TEXT && v.len == 0 && f->type == FT_TEXT)
        v.kind = FV_NULL; /* an empty optional text is stored as null */
    row->vals[i] = store_value_of(&v);
    return 0;
out_invalid:
    snprintf(why, size, "%s: %s", f->name, err.msg);
    return -1;
out_type:
    snprintf(why, size, "%s must be %s", f->name,
             f->type == FT_REF     ? "the id of a row of the referenced table (an integer)"
             : f->type == FT_INT   ? "an integer"
             : f->type == FT_REAL  ? "a number"
             : f->type == FT_BOOL  ? "true or false"
             : f->type == FT_JSON  ? "a JSON object"
             : f->type == FT_TIME  ? "an ISO 8601 time string like \"2024-05-01T12:00:00Z\""
             : f->type == FT_MONEY ? "a decimal string like \"12.34\""
                                   : "a string");
    return -1;
}

/*
 * Fills row from the JSON object body, whose members must be fields of the table (only those
 * in allowed, when non-NULL) or r's extras; false with a 400/422 in res when it does not fit.
 */
bool resource_row_from_json(const struct api_resource *r, const char *const *allowed, json_t *body,
                            bool create, struct resource_row *row, struct api_response *res)
{
    char why[WHY_MAX];
    const char *key;
    json_t *j;
    if (!json_is_object(body)) {
        api_error(res, 400, "bad_request", NULL, "the body must be a JSON object");
        return false;
    }
    json_object_foreach(body, key, j)
    {
        if (in_list(r->extra, key))
            continue;
        size_t i;
        const struct field_def *f = table_field(row->t, key, &i);
        if (!f || f->secret || (allowed && !in_list(allowed, key))) {
            api_error(res, 422, "unknown_field", key, "%s has no field '%.100s'", row->t->name,
                      key);
            return false;
        }
        if (f->type == FT_ID || strcmp(key, "created_at") == 0 || in_list(r->server_owned, key)) {
            api_error(res, 422, "read_only", key, "%s is set by the server", key);
            return false;
        }
        if (f->derived) {
            if (f->derived_from)
                api_error(res, 422, "read_only", key,
                          "%s is derived by kith from %s and cannot be written", key,
                          f->derived_from);
            else
                api_error(res, 422, "read_only", key,
                          "%s is derived from the %s's interactions by the RV engine and cannot "
                          "be written (docs/internals/rv.md, \"Level and stage\")",
                          key, row->t->singular);
            return false;
        }
        if (!create && in_list(r->create_only, key)) {
            api_error(res, 422, "read_only", key, "%s cannot be changed once set", key);
            return false;
        }
        if (value_from_json(row, i, j, why, sizeof(why)) < 0) {
            api_error(res, 422, "invalid", key, "%s", why);
            return false;
        }
    }
    return true;
}

/* On create, every required field must be set (model/validate.h); booleans default to false. */
bool resource_check_required(struct resource_row *row, bool create, struct api_response *res)
{
    bool given[RESOURCE_MAX_FIELDS];
    struct kith_error err = {0};
    size_t at = 0;
    if (!create)
        return true;
    for (size_t i = 0; i < row->t->nfields; i++) {
        if (row->t->fields[i].type == FT_BOOL && !row->set[i])
            resource_set_int(row, row->t->fields[i].name, 0);
        given[i] = row->set[i] && row->vals[i].kind != SV_NULL;
    }
    if (table_check_required(row->t, given, &at, &err) == 0)
        return true;
    const char *name = row->t->fields[at].name;
    api_error(res, 422, "invalid", name, "%s: %s", name, err.msg);
    return false;
}

/* Every reference the row sets must name a row that exists and that the caller may read. */
bool resource_check_refs(struct api_request *req, const struct resource_row *row,
                         struct api_response *res)
{
    for (size_t i = 0; i < row->t->nfields; i++) {
        const struct field_def *f = &row->t->fields[i];
        if (f->type != FT_REF || !row->set[i] || row->vals[i].kind != SV_INT)
            continue;
        const struct table_def *target = model_table(f->ref_table);
        struct store_scope scope;
        struct kith_error err = {0};
        int rc = target ? api_scope(req->who, target, false, &scope) : KITH_EINVAL;
        if (rc == 0)
            rc = store_get(req->store, target, row->vals[i].i, &scope, NULL, NULL, &err);
        if (rc == KITH_EINVAL || rc == KITH_ENOTFOUND) {
            api_error(res, 404, "not_found", f->name, "%s: no %s %lld", f->name,
                      target ? target->singular : f->ref_table, (long long)row->vals[i].i);
            return false;
        }
        if (rc < 0) {
            resource_answer_error(row->t, &err, res);
            return false;
        }
    }
    return true;
}
