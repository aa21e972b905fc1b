/*
 * audit.c - writing the audit log for the API (api_audit) and reading it back for
 * administrators: GET /api/v1/audit with filters and newest-first cursor pagination.
 */
#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX     1000
#define AUDIT_TEXT_MAX      64 /* longest action or table name a filter may give */

void api_audit_as(const struct api_request *req, int64_t user_id, const char *action,
                  const char *table, int64_t record_id, const char *detail)
{
    char cut[API_AUDIT_DETAIL_MAX + 1];
    if (detail && strlen(detail) > API_AUDIT_DETAIL_MAX) {
        size_t n = API_AUDIT_DETAIL_MAX;
        while (n > 0 && ((unsigned char)detail[n] & 0xC0) == 0x80)
            n--; /* do not split a UTF-8 character */
        memcpy(cut, detail, n);
        cut[n] = '\0';
        detail = cut;
    }
    struct store_audit_entry e = {
        .user_id = user_id,
        .action = action,
        .table_name = table,
        .record_id = record_id,
        .client_addr = req->client_addr && *req->client_addr ? req->client_addr : NULL,
        .detail = detail,
    };
    struct kith_error err = {0};
    if (store_audit_insert(req->store, &e, NULL, &err) < 0)
        fprintf(stderr, "kith serve: audit log: %s\n", err.msg);
}

void api_audit(const struct api_request *req, const char *action, const char *table,
               int64_t record_id, const char *detail)
{
    api_audit_as(req, req->who ? req->who->user_id : 0, action, table, record_id, detail);
}

/* A positive integer query argument; false (and a 422 naming it in res) when it is not one. */
static bool query_positive(const struct api_request *req, const char *name, int64_t max,
                           int64_t *out, struct api_response *res)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    int64_t n;
    if (num_int64(v, 1, max, &n, name, NULL) < 0) {
        api_error(res, 422, "invalid", name, "%s must be a whole number from 1 to %lld", name,
                  (long long)max);
        return false;
    }
    *out = n;
    return true;
}

static bool query_time(const struct api_request *req, const char *name, int64_t *out,
                       struct api_response *res)
{
    const char *v = api_query(req, name);
    struct kith_error err = {0};
    if (!v)
        return true;
    if (timefmt_parse(v, strlen(v), out, &err) < 0) {
        api_error(res, 422, "invalid", name, "%s: %s", name, err.msg);
        return false;
    }
    if (*out == 0)
        *out = 1; /* 0 means "no filter" to the store; 1970-01-01T00:00:00.001Z is the same */
    return true;
}

static bool query_text(const struct api_request *req, const char *name, const char **out,
                       struct api_response *res)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    if (!*v || strlen(v) > AUDIT_TEXT_MAX) {
        api_error(res, 422, "invalid", name, "%s must be 1 to %d characters", name, AUDIT_TEXT_MAX);
        return false;
    }
    *out = v;
    return true;
}

struct page {
    json_t *items;
    int want; /* rows to answer; one more is read to know whether a next page exists */
    int got;
    int64_t last_id;
    bool more;
};

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static int add_entry(void *ctx, const struct store_audit_entry *e)
{
    struct page *p = ctx;
    if (p->got == p->want) {
        p->more = true;
        return 1;
    }
    json_t *item =
        json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)e->id, "created_at",
                  auth_time_json(e->created_at), "user_id", id_or_null(e->user_id), "action",
                  text_or_null(e->action), "table", text_or_null(e->table_name), "record_id",
                  id_or_null(e->record_id), "client_addr", text_or_null(e->client_addr), "detail",
                  text_or_null(e->detail));
    if (!item || json_array_append_new(p->items, item) < 0)
        return KITH_ENOMEM;
    p->got++;
    p->last_id = e->id;
    return 0;
}

void api_get_audit(struct api_request *req, struct api_response *res)
{
    struct store_audit_filter f = {.limit = 0};
    int64_t limit = AUDIT_LIMIT_DEFAULT;
    if (!query_positive(req, "user_id", INT64_MAX, &f.user_id, res) ||
        !query_positive(req, "record_id", INT64_MAX, &f.record_id, res) ||
        !query_positive(req, "cursor", INT64_MAX, &f.before_id, res) ||
        !query_positive(req, "limit", AUDIT_LIMIT_MAX, &limit, res) ||
        !query_text(req, "action", &f.action, res) ||
        !query_text(req, "table", &f.table_name, res) ||
        !query_time(req, "since", &f.since_ms, res) || !query_time(req, "until", &f.until_ms, res))
        return;
    struct page p = {.items = json_array(), .want = (int)limit};
    f.limit = p.want + 1;
    struct kith_error err = {0};
    int rc = p.items ? store_audit_query(req->store, &f, add_entry, &p, &err) : KITH_ENOMEM;
    if (rc < 0) {
        json_decref(p.items);
        if (rc == KITH_ENOMEM)
            kith_err(&err, KITH_ENOMEM, "out of memory reading the audit log");
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200,
             json_pack("{s:o, s:o}", "items", p.items, "next_cursor",
                       p.more ? json_integer(p.last_id) : json_null()));
}
