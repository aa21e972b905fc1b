/*
 * resource_query.c - a list's query string turned into a store_query: limit, sort, fields,
 * filters (equal, or _from/_to ranges, each value checked by model/validate.h), q for search,
 * and the position a cursor resumes after. Arguments that are wrong are a 400.
 */
#include "api/resource_int.h"

#include <microhttpd.h>
#include <string.h>

#include "util/num.h"

#include "util/banned.h"

#define QUERY_ARGS_MAX 40 /* query-string arguments accepted */

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

bool resource_parse_fields(const struct table_def *t, const char *s, struct list_request *lr,
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

/*
 * Adds the filter key=value to q. A mistake is a 400 naming key, or, when in is set (a filter
 * written in a field of a record: a survey's audience), a 422 naming in.
 */
static bool parse_filter(const struct table_def *t, const char *key, const char *value,
                         struct store_query *q, const char *in, struct api_response *res)
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
        if (in)
            api_error(res, 422, "invalid", in, "%s: '%.100s' is not a filter of %s", in, key,
                      t->name);
        else
            api_error(res, 400, "bad_request", key, "unknown query parameter '%.100s'", key);
        return false;
    }
    if (q->nfilters == STORE_QUERY_MAX_FILTERS) {
        api_error(res, in ? 422 : 400, in ? "invalid" : "bad_request", in ? in : key,
                  "too many filters");
        return false;
    }
    struct store_filter *flt = &q->filters[q->nfilters++];
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
        if (in)
            api_error(res, 422, "invalid", in, "%s: %s: %s", in, key, err.msg);
        else
            api_error(res, 400, "bad_request", key, "%s: %s", key, err.msg);
        return false;
    }
    flt->value = store_value_of(&v);
    return true;
}

bool resource_parse_filter_text(const struct table_def *t, char *text, struct store_query *q,
                                const char *in, struct api_response *res)
{
    for (char *p = text; *p;) {
        size_t n = strcspn(p, "&");
        char *next = p + n + (p[n] == '&');
        p[n] = '\0';
        char *eq = strchr(p, '=');
        if (!eq || eq == p) {
            api_error(res, 422, "invalid", in,
                      "%s: '%.100s' is not name=value (filters are joined with &, as in a list's"
                      " query string: unit_id=3&source=web)",
                      in, p);
            return false;
        }
        *eq = '\0';
        if (!parse_filter(t, p, eq + 1, q, in, res))
            return false;
        p = next;
    }
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
bool resource_parse_list(const struct api_resource *r, const struct table_def *t,
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
            ok = resource_parse_fields(t, v, lr, res);
        else if (strcmp(k, "q") == 0)
            lr->q.search = v;
        else
            ok = parse_filter(t, k, v, &lr->q, NULL, res);
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
