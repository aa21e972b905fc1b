/*
 * resource.c - the generic REST resource of resource.h: request bodies checked field by field
 * by model/validate.h (the same checks as kith import's), query strings turned into a
 * store_query, opaque keyset cursors, rows turned into JSON, and the list/get/create/update/
 * delete handlers. Each write runs in one transaction and checks the caller's scope before and
 * after it, so a refused write changes nothing.
 */
#include "api/resource.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/audit.h"
#include "model/validate.h"
#include "util/money.h"
#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define CURSOR_MAX     8192 /* bytes of cursor text accepted */
#define QUERY_ARGS_MAX 40   /* query-string arguments accepted */
#define WHY_MAX        (KITH_ERROR_MSG_MAX + 128)

const struct table_def *resource_table(const struct api_resource *r)
{
    const struct table_def *t = model_table(r->table);
    if (!t || t->nfields > RESOURCE_MAX_FIELDS)
        BUG("resource %s has no usable table", r->table);
    return t;
}

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

/* ---- rows to JSON ---- */

static json_t *text_json(const struct store_value *v)
{
    json_t *j = json_stringn(v->s ? v->s : "", v->len);
    return j ? j : json_null(); /* text that is not UTF-8 cannot be shown */
}

static json_t *value_json(const struct field_def *f, const struct store_value *v)
{
    char buf[TIMEFMT_SIZE > MONEY_SIZE ? TIMEFMT_SIZE : MONEY_SIZE];
    if (v->kind == SV_NULL)
        return json_null();
    if (v->kind == SV_TEXT && f->type != FT_TEXT && f->type != FT_ENUM && f->type != FT_JSON)
        return text_json(v); /* a stray value of another type: shown as it is */
    switch (f->type) {
    case FT_ID:
    case FT_INT:
    case FT_REF:
        return json_integer(v->kind == SV_REAL ? (json_int_t)v->r : v->i);
    case FT_REAL:
        return json_real(v->kind == SV_REAL ? v->r : (double)v->i);
    case FT_BOOL:
        return json_boolean(v->i != 0);
    case FT_TIME:
        return json_stringn(buf, timefmt_format(v->i, buf));
    case FT_MONEY:
        return json_stringn(buf, money_format(v->i, MONEY_DECIMALS, buf));
    case FT_JSON: {
        json_t *j = v->kind == SV_TEXT ? json_loadb(v->s, v->len, 0, NULL) : NULL;
        return j ? j : text_json(v);
    }
    case FT_TEXT:
    case FT_ENUM:
        break;
    }
    if (v->kind == SV_TEXT)
        return text_json(v);
    snprintf(buf, sizeof(buf), "%lld", (long long)v->i);
    return json_string(buf);
}

json_t *resource_row_json(const struct table_def *t, const struct store_value *vals,
                          const bool *mask)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < t->nfields; i++) {
        const struct field_def *f = &t->fields[i];
        if (f->secret || (mask && !mask[i] && f->type != FT_ID))
            continue;
        if (json_object_set_new(o, f->name, value_json(f, &vals[i])) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* The value as the store holds it (times and money as integers), for cursors. */
static json_t *raw_json(const struct store_value *v)
{
    switch (v->kind) {
    case SV_INT:
        return json_integer(v->i);
    case SV_REAL:
        return json_real(v->r);
    case SV_TEXT:
        return text_json(v);
    case SV_NULL:
        break;
    }
    return json_null();
}

/* ---- text and JSON to values (model/validate.h checks them) ---- */

/* The store value of v; text is not copied. */
static struct store_value store_value_of(const struct field_value *v)
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
static bool row_from_json(const struct api_resource *r, const char *const *allowed, json_t *body,
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
            api_error(res, 422, "read_only", key,
                      "%s is derived from the %s's interactions by the RV engine and cannot be "
                      "written (docs/internals/rv.md, \"Level and stage\")",
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
static bool check_required(struct resource_row *row, bool create, struct api_response *res)
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
static bool check_refs(struct api_request *req, const struct resource_row *row,
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

/* ---- answers ---- */

/* The field a store message names as "<table>.<field>", copied into buf; NULL if none. */
static const char *message_field(const struct table_def *t, const char *msg, char *buf, size_t size)
{
    char prefix[80];
    snprintf(prefix, sizeof(prefix), "%s.", t->name);
    const char *p = strstr(msg, prefix);
    if (!p)
        return NULL;
    p += strlen(prefix);
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
    if (n == 0 || n >= size)
        return NULL;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return table_field(t, buf, NULL) ? buf : NULL;
}

void resource_answer_error(const struct table_def *t, const struct kith_error *err,
                           struct api_response *res)
{
    char field[64];
    const char *name = message_field(t, err->msg, field, sizeof(field));
    switch (err->code) {
    case KITH_ECONFLICT:
        api_error(res, 409, "conflict", name, "%s", err->msg);
        return;
    case KITH_EINVAL:
    case KITH_ERANGE:
        api_error(res, 422, "invalid", name, "%s", err->msg);
        return;
    case KITH_ENOTFOUND:
        api_error(res, 404, "not_found", NULL, "%s", err->msg);
        return;
    default:
        fprintf(stderr, "kith serve: %s: %s\n", t->name, err->msg);
        api_error_from(res, err);
    }
}

static int capture_json(void *ctx, const struct store_value *vals)
{
    void **p = ctx;
    const struct table_def *t = p[0];
    p[1] = resource_row_json(t, vals, p[2]);
    return p[1] ? 0 : KITH_ENOMEM;
}

/* Reads row id of t in scope as JSON (projected by mask) into *out. */
static int row_as_json(struct store *s, const struct table_def *t, int64_t id,
                       const struct store_scope *scope, const bool *mask, json_t **out,
                       struct kith_error *err)
{
    void *p[3] = {(void *)t, NULL, (void *)mask};
    int rc = store_get(s, t, id, scope, capture_json, p, err);
    if (rc == KITH_ENOMEM)
        kith_err(err, rc, "out of memory reading %s", t->name);
    *out = p[1];
    return rc;
}

void resource_answer_row(const struct api_resource *r, struct api_request *req, int64_t id,
                         int status, struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    const struct store_scope all = {.all = true};
    struct kith_error err = {0};
    json_t *o;
    if (row_as_json(req->store, t, id, &all, NULL, &o, &err) < 0) {
        resource_answer_error(t, &err, res);
        return;
    }
    api_json(res, status, o);
    if (status == 201) {
        snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]), "Location");
        snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]), "%s/%lld", r->path,
                 (long long)id);
    }
}

/* ---- cursors ---- */

char *resource_cursor_encode(json_t *state)
{
    char *text = json_dumps(state, JSON_COMPACT);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(size);
    if (out)
        sodium_bin2base64(out, size, (const unsigned char *)text, n,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    return out;
}

json_t *resource_cursor_decode(const char *text)
{
    size_t n = strlen(text), len;
    if (n == 0 || n > CURSOR_MAX)
        return NULL;
    unsigned char *bin = malloc(n);
    if (!bin)
        return NULL;
    json_t *state = NULL;
    if (sodium_base642bin(bin, n, text, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        state = json_loadb((const char *)bin, len, 0, NULL);
    free(bin);
    return state;
}

/* ---- lists ---- */

struct query_args {
    const char *key[QUERY_ARGS_MAX];
    const char *value[QUERY_ARGS_MAX];
    size_t n;
    bool too_many;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct query_args *a = cls;
    if (a->n == QUERY_ARGS_MAX) {
        a->too_many = true;
        return MHD_NO;
    }
    a->key[a->n] = key;
    a->value[a->n++] = value ? value : "";
    return MHD_YES;
}

bool resource_limit(const struct api_request *req, size_t *limit, struct api_response *res)
{
    const char *s = api_query(req, "limit");
    int64_t v = RESOURCE_LIMIT_DEFAULT;
    struct kith_error err = {0};
    if (s && num_int64(s, 1, RESOURCE_LIMIT_MAX, &v, "limit", &err) < 0) {
        api_error(res, 400, "bad_request", "limit", "%s", err.msg);
        return false;
    }
    *limit = (size_t)v;
    return true;
}

/* A list request: the store query, the projection and the cursor's JSON (kept alive for q). */
struct list_request {
    struct store_query q;
    bool mask[RESOURCE_MAX_FIELDS];
    bool masked;
    size_t limit;
    json_t *cursor;
};

static bool is_rangeable(const struct field_def *f)
{
    return f->type == FT_INT || f->type == FT_REAL || f->type == FT_TIME || f->type == FT_MONEY;
}

static bool parse_sort(const struct table_def *t, const char *s, struct list_request *lr,
                       struct api_response *res)
{
    size_t i;
    lr->q.descending = s[0] == '-';
    const struct field_def *f = table_field(t, s + (s[0] == '-' || s[0] == '+'), &i);
    if (!f || f->secret || f->type == FT_JSON) {
        api_error(res, 400, "bad_request", "sort",
                  "sort wants a field of %s, with '-' in front for descending order", t->name);
        return false;
    }
    lr->q.sort_field = i;
    return true;
}

static bool parse_fields(const struct table_def *t, const char *s, struct list_request *lr,
                         struct api_response *res)
{
    lr->masked = true;
    while (*s) {
        size_t n = strcspn(s, ",");
        size_t i;
        char name[64];
        if (n > 0 && n < sizeof(name)) {
            memcpy(name, s, n);
            name[n] = '\0';
        }
        const struct field_def *f = n > 0 && n < sizeof(name) ? table_field(t, name, &i) : NULL;
        if (!f || f->secret) {
            api_error(res, 400, "bad_request", "fields",
                      "fields wants a comma-separated list of fields of %s; '%.*s' is not one",
                      t->name, (int)(n < 64 ? n : 64), s);
            return false;
        }
        lr->mask[i] = true;
        s += n + (s[n] == ',');
    }
    return true;
}

static bool parse_filter(const struct table_def *t, const char *key, const char *value,
                         struct list_request *lr, struct api_response *res)
{
    char name[64];
    size_t klen = strlen(key), i;
    enum store_op op = STORE_EQ;
    const struct field_def *f = table_field(t, key, &i);
    if (!f && klen < sizeof(name)) {
        size_t base = 0;
        if (klen > 5 && strcmp(key + klen - 5, "_from") == 0) {
            op = STORE_GE;
            base = klen - 5;
        } else if (klen > 3 && strcmp(key + klen - 3, "_to") == 0) {
            op = STORE_LE;
            base = klen - 3;
        }
        memcpy(name, key, base);
        name[base] = '\0';
        f = base ? table_field(t, name, &i) : NULL;
        if (f && !is_rangeable(f))
            f = NULL;
    }
    if (!f || f->secret || f->type == FT_JSON) {
        api_error(res, 400, "bad_request", key, "unknown query parameter '%.100s'", key);
        return false;
    }
    if (lr->q.nfilters == STORE_QUERY_MAX_FILTERS) {
        api_error(res, 400, "bad_request", key, "too many filters");
        return false;
    }
    struct store_filter *flt = &lr->q.filters[lr->q.nfilters++];
    struct field_value v;
    struct kith_error err = {0};
    flt->field = i;
    flt->op = op;
    /* A value no row can hold is a mistake; a bound of a range may lie outside the values. */
    int rc = op == STORE_EQ ? field_parse(f, value, strlen(value), &v, &err)
                            : field_parse_type(f, value, strlen(value), &v, &err);
    if (rc == 0 && v.kind == FV_NULL)
        rc = kith_err(&err, KITH_EINVAL, "expected a value");
    if (rc < 0) {
        api_error(res, 400, "bad_request", key, "%s: %s", key, err.msg);
        return false;
    }
    flt->value = store_value_of(&v);
    return true;
}

/* Resumes after the position in lr->cursor, which must come from a list with the same sort. */
static bool apply_cursor(const struct table_def *t, const char *text, struct list_request *lr,
                         struct api_response *res)
{
    lr->cursor = resource_cursor_decode(text);
    json_t *s = json_object_get(lr->cursor, "s"), *d = json_object_get(lr->cursor, "d");
    json_t *k = json_object_get(lr->cursor, "k"), *id = json_object_get(lr->cursor, "i");
    if (!json_is_string(s) || strcmp(json_string_value(s), t->fields[lr->q.sort_field].name) != 0 ||
        !json_is_boolean(d) || json_is_true(d) != lr->q.descending || !json_is_integer(id) || !k ||
        json_is_object(k) || json_is_array(k) || json_is_boolean(k)) {
        api_error(res, 400, "bad_request", "cursor",
                  "cursor is not one this list gave out (a cursor only works with the same sort)");
        return false;
    }
    struct store_value *v = &lr->q.after_key;
    if (json_is_integer(k))
        *v = (struct store_value){.kind = SV_INT, .i = json_integer_value(k)};
    else if (json_is_real(k))
        *v = (struct store_value){.kind = SV_REAL, .r = json_real_value(k)};
    else if (json_is_string(k))
        *v = (struct store_value){
            .kind = SV_TEXT, .s = json_string_value(k), .len = json_string_length(k)};
    lr->q.after = true;
    lr->q.after_id = json_integer_value(id);
    return true;
}

/* Turns the query string into lr; false with a 400 in res when an argument is wrong. */
static bool parse_list(const struct api_resource *r, const struct table_def *t,
                       struct api_request *req, struct list_request *lr, struct api_response *res)
{
    struct query_args a = {.n = 0};
    const char *cursor = NULL;
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (a.too_many) {
        api_error(res, 400, "bad_request", NULL, "more than %d query parameters", QUERY_ARGS_MAX);
        return false;
    }
    if (!resource_limit(req, &lr->limit, res))
        return false;
    for (size_t i = 0; i < a.n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (strcmp(a.key[i], a.key[j]) == 0) {
                api_error(res, 400, "bad_request", a.key[i], "%.100s is given twice", a.key[i]);
                return false;
            }
        }
    }
    for (size_t i = 0; i < a.n; i++) {
        const char *k = a.key[i], *v = a.value[i];
        bool ok = true;
        if (strcmp(k, "limit") == 0)
            continue;
        if (strcmp(k, "cursor") == 0)
            cursor = v;
        else if (strcmp(k, "sort") == 0)
            ok = parse_sort(t, v, lr, res);
        else if (strcmp(k, "fields") == 0)
            ok = parse_fields(t, v, lr, res);
        else if (strcmp(k, "q") == 0)
            lr->q.search = v;
        else
            ok = parse_filter(t, k, v, lr, res);
        if (!ok)
            return false;
    }
    if (lr->q.search && *lr->q.search) {
        if (!r->search) {
            api_error(res, 400, "bad_request", "q", "%s cannot be searched with q", t->name);
            return false;
        }
        for (const char *const *s = r->search; *s; s++) {
            if (lr->q.nsearch == STORE_QUERY_MAX_SEARCH)
                BUG("%s searches more than %d fields", t->name, STORE_QUERY_MAX_SEARCH);
            table_field(t, *s, &lr->q.search_fields[lr->q.nsearch++]);
        }
    }
    lr->q.limit = lr->limit + 1; /* one more than the page tells whether there is a next one */
    return !cursor || apply_cursor(t, cursor, lr, res);
}

struct list_ctx {
    const struct table_def *t;
    const bool *mask;
    size_t sort_field, limit, n;
    bool more;
    json_t *items, *last_key;
    int64_t last_id;
};

static int list_row(void *ctx, const struct store_value *vals)
{
    struct list_ctx *c = ctx;
    if (c->n == c->limit) {
        c->more = true;
        return 1;
    }
    json_t *o = resource_row_json(c->t, vals, c->mask);
    if (!o || json_array_append_new(c->items, o) < 0)
        return KITH_ENOMEM;
    c->n++;
    json_decref(c->last_key);
    c->last_key = raw_json(&vals[c->sort_field]);
    c->last_id = vals[0].i;
    return 0;
}

static json_t *next_cursor(const struct table_def *t, const struct list_request *lr,
                           const struct list_ctx *c)
{
    if (!c->more)
        return json_null();
    json_t *state = json_pack("{s:s, s:b, s:O, s:I}", "s", t->fields[lr->q.sort_field].name, "d",
                              lr->q.descending, "k", c->last_key, "i", (json_int_t)c->last_id);
    char *text = state ? resource_cursor_encode(state) : NULL;
    json_decref(state);
    json_t *j = text ? json_string(text) : NULL;
    free(text);
    return j;
}

void resource_list(const struct api_resource *r, struct api_request *req, struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope scope;
    struct list_request lr = {.q.sort_field = 0};
    struct kith_error err = {0};
    if (api_scope(req->who, t, false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read %s", t->name);
        return;
    }
    if (!parse_list(r, t, req, &lr, res))
        goto out;
    struct list_ctx c = {.t = t,
                         .mask = lr.masked ? lr.mask : NULL,
                         .sort_field = lr.q.sort_field,
                         .limit = lr.limit,
                         .items = json_array()};
    int rc = c.items ? store_list(req->store, t, &lr.q, &scope, list_row, &c, &err)
                     : kith_err(&err, KITH_ENOMEM, "out of memory");
    if (rc < 0) {
        if (rc == KITH_EINVAL)
            api_error(res, 400, "bad_request", NULL, "%s", err.msg);
        else
            resource_answer_error(t, &err, res);
        json_decref(c.items);
    } else {
        json_t *next = next_cursor(t, &lr, &c);
        api_json(res, 200, json_pack("{s:o, s:o*}", "items", c.items, "next_cursor", next));
    }
    json_decref(c.last_key);
out:
    json_decref(lr.cursor);
}

/* ---- one record ---- */

void resource_get(const struct api_resource *r, struct api_request *req, struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope scope;
    struct list_request lr = {.masked = false};
    struct kith_error err = {0};
    int64_t id;
    json_t *o;
    if (!api_param_id(req, 0, &id, res))
        return;
    const char *fields = api_query(req, "fields");
    if (fields && !parse_fields(t, fields, &lr, res))
        return;
    if (api_scope(req->who, t, false, &scope) < 0 ||
        row_as_json(req->store, t, id, &scope, lr.masked ? lr.mask : NULL, &o, &err) < 0) {
        if (err.code && err.code != KITH_ENOTFOUND)
            resource_answer_error(t, &err, res);
        else
            api_error(res, 404, "not_found", NULL, "no %s %lld", t->singular, (long long)id);
        return;
    }
    api_json(res, 200, o);
}

/*
 * Checks, inside the transaction, that row id of t is one the caller may read (else 404) and
 * change (else 403).
 */
bool resource_may_change(struct api_request *req, const struct table_def *t, int64_t id,
                         struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope read, write;
    if (api_scope(req->who, t, true, &write) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not change %s", t->name);
        return false;
    }
    api_scope(req->who, t, false, &read);
    int rc = store_get(req->store, t, id, &read, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", NULL, "no %s %lld", t->singular, (long long)id);
        return false;
    }
    if (rc == 0 &&
        (rc = store_get(req->store, t, id, &write, NULL, NULL, &err)) == KITH_ENOTFOUND) {
        api_error(res, 403, "forbidden", NULL, "you may read %s %lld but not change it",
                  t->singular, (long long)id);
        return false;
    }
    if (rc < 0)
        resource_answer_error(t, &err, res);
    return rc == 0;
}

/* The scope of a write; false with a 403 when the role may not change t at all. */
static bool write_scope(struct api_request *req, const struct table_def *t,
                        struct store_scope *write, struct api_response *res)
{
    if (api_scope(req->who, t, true, write) < 0 || store_scope_is_empty(write)) {
        api_error(res, 403, "forbidden", NULL, "your role may not change %s", t->name);
        return false;
    }
    return true;
}

static bool begin(struct api_request *req, const struct table_def *t, struct api_response *res)
{
    struct kith_error err = {0};
    if (store_begin(req->store, &err) == 0)
        return true;
    resource_answer_error(t, &err, res);
    return false;
}

static bool commit(struct api_request *req, const struct table_def *t, struct api_response *res)
{
    struct kith_error err = {0};
    if (store_commit(req->store, &err) == 0)
        return true;
    resource_answer_error(t, &err, res);
    return false;
}

/* After the write: the row must still be one the caller may change, else 403. */
static bool still_in_scope(struct api_request *req, const struct table_def *t, int64_t id,
                           const struct store_scope *write, struct api_response *res)
{
    struct kith_error err = {0};
    int rc = store_get(req->store, t, id, write, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND)
        api_error(res, 403, "forbidden", NULL,
                  "the %s would be outside the records you may change (check its owner, team"
                  " and unit)",
                  t->singular);
    else if (rc < 0)
        resource_answer_error(t, &err, res);
    return rc == 0;
}

void resource_create_as(const struct api_resource *r, const char *const *allowed,
                        resource_prepare_fn prepare, const char *action, struct api_request *req,
                        struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope write;
    struct resource_row row = {.t = t};
    struct kith_error err = {0};
    json_t *empty = NULL;
    int64_t id;
    json_t *body = req->body;
    if (!body && allowed)
        body = empty = json_object();
    if (!body) {
        api_error(res, 400, "bad_request", NULL, "a JSON object body is required");
        return;
    }
    if (!write_scope(req, t, &write, res) || !row_from_json(r, allowed, body, true, &row, res) ||
        (r->before && r->before(r, req, &row, true, res) < 0) || !begin(req, t, res))
        goto out;
    if ((prepare && prepare(r, req, &row, true, res) < 0) || !check_required(&row, true, res) ||
        !check_refs(req, &row, res))
        goto out_rollback;
    if (store_insert(req->store, t, row.vals, &id, &err) < 0) {
        resource_answer_error(t, &err, res);
        goto out_rollback;
    }
    if (!still_in_scope(req, t, id, &write, res))
        goto out_rollback;
    api_audit(req, action, t->name, id, NULL);
    if (!commit(req, t, res))
        goto out_rollback;
    if (r->committed)
        r->committed(req, id, RESOURCE_CREATED);
    resource_answer_row(r, req, id, 201, res);
    goto out;
out_rollback:
    store_rollback(req->store);
out:
    json_decref(empty);
    resource_row_release(&row);
}

void resource_create(const struct api_resource *r, struct api_request *req,
                     struct api_response *res)
{
    resource_create_as(r, NULL, r->prepare, "create", req, res);
}

/* "changed: a, b" for the audit log: the names of the fields a PATCH set, never their values. */
static void changed_fields(const struct resource_row *row, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "changed:");
    for (size_t i = 0; i < row->t->nfields && n < size; i++)
        if (row->set[i])
            n += (size_t)snprintf(buf + n, size - n, "%s %s", n > 8 ? "," : "",
                                  row->t->fields[i].name);
}

void resource_update(const struct api_resource *r, struct api_request *req,
                     struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope write;
    struct resource_row row = {.t = t};
    struct kith_error err = {0};
    char detail[400];
    if (!api_param_id(req, 0, &row.id, res))
        return;
    if (!req->body) {
        api_error(res, 400, "bad_request", NULL, "a JSON object body is required");
        return;
    }
    if (!write_scope(req, t, &write, res) || !row_from_json(r, NULL, req->body, false, &row, res) ||
        (r->before && r->before(r, req, &row, false, res) < 0) || !begin(req, t, res))
        goto out;
    if (!resource_may_change(req, t, row.id, res) ||
        (r->prepare && r->prepare(r, req, &row, false, res) < 0) || !check_refs(req, &row, res))
        goto out_rollback;
    if (store_update(req->store, t, row.id, row.vals, row.set, &err) < 0) {
        resource_answer_error(t, &err, res);
        goto out_rollback;
    }
    if (!still_in_scope(req, t, row.id, &write, res))
        goto out_rollback;
    changed_fields(&row, detail, sizeof(detail));
    api_audit(req, "update", t->name, row.id, detail);
    if (!commit(req, t, res))
        goto out_rollback;
    if (r->committed)
        r->committed(req, row.id, RESOURCE_UPDATED);
    resource_answer_row(r, req, row.id, 200, res);
    goto out;
out_rollback:
    store_rollback(req->store);
out:
    resource_row_release(&row);
}

void resource_delete(const struct api_resource *r, struct api_request *req,
                     struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope write;
    struct kith_error err = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res) || !write_scope(req, t, &write, res) || !begin(req, t, res))
        return;
    if (!resource_may_change(req, t, id, res))
        goto out_rollback;
    if (store_delete(req->store, t, id, &err) < 0) {
        resource_answer_error(t, &err, res);
        goto out_rollback;
    }
    api_audit(req, "delete", t->name, id, NULL);
    if (!commit(req, t, res))
        goto out_rollback;
    if (r->committed)
        r->committed(req, id, RESOURCE_DELETED);
    res->status = 204;
    return;
out_rollback:
    store_rollback(req->store);
}

int resource_prepare_owned(const struct api_resource *r, struct api_request *req,
                           struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    (void)res;
    if (!create)
        return 0;
    if (!resource_is_set(row, "unit_id") && req->who->unit_id > 0)
        resource_set_int(row, "unit_id", req->who->unit_id);
    if (!resource_is_set(row, "owner_id") && req->who->role != ROLE_ADMIN)
        resource_set_int(row, "owner_id", req->who->user_id);
    return 0;
}
