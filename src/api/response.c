/*
 * response.c - building API answers: the one error shape, KITH_E codes mapped to HTTP status,
 * query and path helpers, role names, and the JSON depth guard.
 */
#include "api/api.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/num.h"

#include "util/banned.h"

void api_json(struct api_response *res, int status, json_t *body)
{
    if (res->json)
        json_decref(res->json);
    res->status = status;
    res->json = body;
}

void api_error(struct api_response *res, int status, const char *code, const char *field,
               const char *fmt, ...)
{
    char msg[KITH_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", code, "message", msg, "field",
                          field ? json_string(field) : json_null());
    api_json(res, status, json_pack("{s:o}", "error", e));
}

void api_error_from(struct api_response *res, const struct kith_error *err)
{
    switch (err->code) {
    case KITH_EINVAL:
    case KITH_ERANGE:
        api_error(res, 422, "invalid", NULL, "%s", err->msg);
        break;
    case KITH_ENOTFOUND:
        api_error(res, 404, "not_found", NULL, "%s", err->msg);
        break;
    case KITH_ECONFLICT:
        api_error(res, 409, "conflict", NULL, "%s", err->msg);
        break;
    case KITH_ELIMIT:
        api_error(res, 429, "limit", NULL, "%s", err->msg);
        break;
    default:
        api_error(res, 500, "internal", NULL, "the server could not complete the request");
        break;
    }
}

const char *api_query(const struct api_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_all {
    const char *name;
    const char **out;
    size_t max, n;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    struct query_all *q = cls;
    if (key && strcmp(key, q->name) == 0) {
        if (q->n < q->max)
            q->out[q->n] = value ? value : "";
        q->n++;
    }
    return MHD_YES;
}

size_t api_query_all(const struct api_request *req, const char *name, const char **out, size_t max)
{
    struct query_all q = {name, out, max, 0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect, &q);
    return q.n;
}

const char *api_header(const struct api_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

bool api_param_id(const struct api_request *req, int i, int64_t *id, struct api_response *res)
{
    const char *p = i < req->nparams ? req->params[i] : NULL;
    int64_t v;
    if (!p || num_int64(p, 1, INT64_MAX, &v, "id", NULL) < 0) {
        api_error(res, 404, "not_found", NULL, "no such record");
        return false;
    }
    *id = v;
    return true;
}

bool api_role_in(const struct api_principal *who, int mask)
{
    return who && ((int)who->role & mask) != 0;
}

static const struct {
    const char *name;
    enum api_role role;
} role_names[] = {
    {"admin", ROLE_ADMIN},         {"executive", ROLE_EXECUTIVE}, {"manager", ROLE_MANAGER},
    {"frontline", ROLE_FRONTLINE}, {"partner", ROLE_PARTNER},     {"analyst", ROLE_ANALYST},
};

enum api_role api_role_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (strcmp(role_names[i].name, name) == 0)
            return role_names[i].role;
    return ROLE_NONE;
}

const char *api_role_name(enum api_role role)
{
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++)
        if (role_names[i].role == role)
            return role_names[i].name;
    return "none";
}

bool api_json_depth_ok(const char *text, size_t len, int max)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max)
                return false;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}
