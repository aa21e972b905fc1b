/*
 * resource_json.c - what a resource sends back: a row as JSON (times and money as text, secret
 * fields never, a projection when asked), a value as the store holds it for cursors, a row read
 * from the store as the answer to a write, and a store error as the HTTP error it stands for.
 */
#include "api/resource_int.h"

#include <stdio.h>
#include <string.h>

#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

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
json_t *resource_raw_json(const struct store_value *v)
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
int resource_row_as_json(struct store *s, const struct table_def *t, int64_t id,
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
    if (resource_row_as_json(req->store, t, id, &all, NULL, &o, &err) < 0) {
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
