/*
 * portal_requests.c - /portal/api/requests: the signed-in contact files its own data-subject
 * requests and follows them (docs/portal.md, "Data-subject requests"). Access and portability
 * are answered at once with the export (GET /portal/api/requests/{id}/export). A request is
 * reached only when it is the session's contact's own: any other id answers 404, as a request
 * that does not exist.
 */
#include <string.h>

#include "api/audit.h"
#include "api/auth.h"
#include "api/dsrs.h"
#include "api/portal.h"

#include "util/banned.h"

void api_portal_requests_create(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_dsr d;
    json_t *jk = json_object_get(req->body, "kind"), *jn = json_object_get(req->body, "notes");
    int kind = json_is_string(jk) ? dsr_kind_parse(json_string_value(jk)) : -1;
    if (kind < 0) {
        api_error(res, 422, "invalid", "kind",
                  "kind: access, rectification, erasure, restriction, objection or portability");
        return;
    }
    if (jn && !json_is_null(jn) && !json_is_string(jn)) {
        api_error(res, 422, "invalid", "notes", "notes: text");
        return;
    }
    struct dsr_actor who = {.customer = true, .client_addr = req->client_addr};
    if (dsr_file(req->store, &who, req->who->contact_id, (enum dsr_kind)kind, 0,
                 json_string_value(jn), &d, &err) < 0) {
        if (err.code == KITH_EINVAL)
            api_error(res, 422, "invalid", NULL, "%s", err.msg);
        else
            auth_internal_error(res, &err);
        return;
    }
    api_json(res, 201, dsr_json(&d, store_now_ms()));
}

struct own {
    json_t *items;
    int64_t now;
    int rc;
};

static int add_own(void *ctx, const struct store_dsr *d)
{
    struct own *o = ctx;
    json_t *j = dsr_json(d, o->now);
    if (!j || json_array_append_new(o->items, j) < 0)
        return o->rc = KITH_ENOMEM;
    return 0;
}

void api_portal_requests_list(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_dsr_filter f = {.contact_id = req->who->contact_id,
                                 .status = -1,
                                 .kind = -1,
                                 .by_receipt = true,
                                 .limit = STORE_DSR_LIST_MAX};
    struct own o = {.items = json_array(), .now = store_now_ms()};
    int rc = o.items ? store_dsr_list(req->store, &f, add_own, &o, &err) : KITH_ENOMEM;
    if (rc < 0 || o.rc < 0) {
        json_decref(o.items);
        kith_err(&err, rc < 0 ? rc : o.rc, "listing the contact's requests: %s", err.msg);
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:o}", "items", o.items));
}

void api_portal_requests_export(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_dsr d;
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    int rc = store_dsr_get(req->store, id, &d, &err);
    if (rc < 0 && rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return;
    }
    if (rc == KITH_ENOTFOUND || d.contact_id != req->who->contact_id) {
        api_error(res, 404, "not_found", NULL, "no request %lld", (long long)id);
        return;
    }
    dsr_answer_export(req, res, &d, DSR_FOR_SUBJECT);
}
