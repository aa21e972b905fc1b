/*
 * dsrs.c - /api/v1/dsrs: the staff side of data-subject requests (docs/portal.md,
 * "Data-subject requests"; docs/api.md). Staff log requests received by letter or phone, see the
 * queue sorted by due date with overdue ones flagged, and extend, complete, reject or lift them
 * through api/dsrs.h. A request is as visible as its contact: whoever may read the contact may
 * read its requests (others get 404), whoever may change it may act on them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/access.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/dsrs.h"
#include "api/handlers.h"
#include "api/resource.h"
#include "io/dsr_export.h"
#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

static bool contact_readable(struct api_request *req, int64_t contact_id)
{
    struct store_scope scope;
    struct kith_error err = {0};
    return api_scope(req->who, model_table("contacts"), false, &scope) == 0 &&
           store_get(req->store, model_table("contacts"), contact_id, &scope, NULL, NULL, &err) ==
               0;
}

/* True when the caller may change contact_id; else res holds 404 or 403. */
static bool contact_changeable(struct api_request *req, int64_t contact_id,
                               struct api_response *res)
{
    struct kith_error err = {0};
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return false;
    }
    bool ok = resource_may_change(req, model_table("contacts"), contact_id, res);
    store_rollback(req->store);
    return ok;
}

/* The request of the path's id when the caller may read its contact; else 404 in res. */
static bool load_readable(struct api_request *req, struct api_response *res, struct store_dsr *d)
{
    struct kith_error err = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return false;
    int rc = store_dsr_get(req->store, id, d, &err);
    if (rc == 0 && contact_readable(req, d->contact_id))
        return true;
    if (rc < 0 && rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return false;
    }
    api_error(res, 404, "not_found", NULL, "no data-subject request %lld", (long long)id);
    return false;
}

/* A failure of the rules (KITH_EINVAL "field: why") as 422 naming the field. */
static void answer_failure(struct api_response *res, const struct kith_error *err)
{
    if (err->code == KITH_EINVAL) {
        char field[32] = "";
        const char *colon = strchr(err->msg, ':');
        if (colon && (size_t)(colon - err->msg) < sizeof(field) &&
            strspn(err->msg, "abcdefghijklmnopqrstuvwxyz_") == (size_t)(colon - err->msg))
            snprintf(field, sizeof(field), "%.*s", (int)(colon - err->msg), err->msg);
        api_error(res, 422, "invalid", field[0] ? field : NULL, "%s", err->msg);
        return;
    }
    if (err->code == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", NULL, "%s", err->msg);
        return;
    }
    auth_internal_error(res, err);
}

static struct dsr_actor staff(const struct api_request *req)
{
    return (struct dsr_actor){.user_id = req->who->user_id, .client_addr = req->client_addr};
}

struct list_ctx {
    struct api_request *req;
    bool all;
    json_t *items;
    int64_t now, overdue;
    int rc;
};

static int add_item(void *ctx, const struct store_dsr *d)
{
    struct list_ctx *l = ctx;
    if (!l->all && !contact_readable(l->req, d->contact_id))
        return 0;
    json_t *o = dsr_json(d, l->now);
    if (!o || json_array_append_new(l->items, o) < 0)
        return l->rc = KITH_ENOMEM;
    l->overdue += dsr_is_overdue(d, l->now);
    return 0;
}

void api_dsrs_list(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope scope;
    struct store_dsr_filter f = {.status = -1, .kind = -1, .limit = STORE_DSR_LIST_MAX};
    const char *status = api_query(req, "status"), *kind = api_query(req, "kind");
    const char *sort = api_query(req, "sort"), *contact = api_query(req, "contact_id");
    const char *limit = api_query(req, "limit");
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read contacts");
        return;
    }
    /* status=open is the queue: what is still to be answered, open or extended */
    if (status && strcmp(status, "open") == 0)
        f.open_only = true;
    else if (status && (f.status = dsr_status_parse(status)) < 0) {
        api_error(res, 400, "bad_request", "status",
                  "status must be open, extended, completed, rejected or lifted");
        return;
    }
    if (kind && (f.kind = dsr_kind_parse(kind)) < 0) {
        api_error(res, 400, "bad_request", "kind",
                  "kind must be access, rectification, erasure, restriction, objection or "
                  "portability");
        return;
    }
    if (sort && strcmp(sort, "due_at") != 0 && strcmp(sort, "-received_at") != 0) {
        api_error(res, 400, "bad_request", "sort", "sort must be due_at or -received_at");
        return;
    }
    f.by_receipt = sort && strcmp(sort, "-received_at") == 0;
    uint64_t n;
    if (contact) {
        if (num_uint64(contact, 1, INT64_MAX, &n, "contact_id", &err) < 0) {
            api_error(res, 400, "bad_request", "contact_id", "%s", err.msg);
            return;
        }
        f.contact_id = (int64_t)n;
    }
    if (limit) {
        if (num_uint64(limit, 1, STORE_DSR_LIST_MAX, &n, "limit", &err) < 0) {
            api_error(res, 400, "bad_request", "limit", "%s", err.msg);
            return;
        }
        f.limit = (int64_t)n;
    }
    struct list_ctx l = {.req = req,
                         .all = scope.all && !scope.hide_private,
                         .items = json_array(),
                         .now = store_now_ms()};
    int rc = l.items ? store_dsr_list(req->store, &f, add_item, &l, &err) : KITH_ENOMEM;
    if (rc < 0 || l.rc < 0) {
        json_decref(l.items);
        if (rc == KITH_ENOMEM || l.rc == KITH_ENOMEM)
            kith_err(&err, KITH_ENOMEM, "out of memory listing requests");
        auth_internal_error(res, &err);
        return;
    }
    size_t count = json_array_size(l.items);
    api_json(res, 200,
             json_pack("{s:o, s:I, s:I}", "items", l.items, "count", (json_int_t)count, "overdue",
                       (json_int_t)l.overdue));
}

void api_dsrs_summary(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_dsr_counts c;
    int64_t now = store_now_ms();
    if (store_dsr_counts(req->store, now, &c, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200,
             json_pack("{s:I, s:I, s:o}", "open", (json_int_t)c.open, "overdue",
                       (json_int_t)c.overdue, "next_due_at", auth_time_json(c.next_due_at)));
}

void api_dsrs_get(struct api_request *req, struct api_response *res)
{
    struct store_dsr d;
    if (load_readable(req, res, &d))
        api_json(res, 200, dsr_json(&d, store_now_ms()));
}

void api_dsrs_create(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_dsr d;
    json_t *b = req->body;
    json_t *jc = json_object_get(b, "contact_id"), *jk = json_object_get(b, "kind");
    json_t *jr = json_object_get(b, "received_at"), *jn = json_object_get(b, "notes");
    if (!json_is_object(b) || !json_is_integer(jc) || json_integer_value(jc) < 1) {
        api_error(res, 422, "invalid", "contact_id", "contact_id: a contact's id is required");
        return;
    }
    int kind = json_is_string(jk) ? dsr_kind_parse(json_string_value(jk)) : -1;
    if (kind < 0) {
        api_error(res, 422, "invalid", "kind",
                  "kind: access, rectification, erasure, restriction, objection or portability");
        return;
    }
    int64_t received = 0;
    if (jr && !json_is_null(jr)) {
        const char *t = json_string_value(jr);
        if (!t || timefmt_parse(t, strlen(t), &received, &err) < 0) {
            api_error(res, 422, "invalid", "received_at", "received_at: %s",
                      t ? err.msg : "an ISO 8601 time");
            return;
        }
    }
    if (jn && !json_is_null(jn) && !json_is_string(jn)) {
        api_error(res, 422, "invalid", "notes", "notes: text");
        return;
    }
    int64_t cid = json_integer_value(jc);
    if (!contact_changeable(req, cid, res))
        return;
    struct dsr_actor who = staff(req);
    if (dsr_file(req->store, &who, cid, (enum dsr_kind)kind, received,
                 jn ? json_string_value(jn) : NULL, &d, &err) < 0) {
        answer_failure(res, &err);
        return;
    }
    api_json(res, 201, dsr_json(&d, store_now_ms()));
}

/* The step of verb on the path's request, with what the body gives. */
static void step(struct api_request *req, struct api_response *res, enum dsr_verb verb)
{
    struct kith_error err = {0};
    struct store_dsr d;
    struct dsr_step_in in = {.verb = verb};
    json_t *b = req->body;
    if (!load_readable(req, res, &d) || !contact_changeable(req, d.contact_id, res))
        return;
    json_t *jm = json_object_get(b, "months"), *jr = json_object_get(b, "reason");
    json_t *ja = json_object_get(b, "answer");
    if (verb == DSR_EXTEND) {
        if (!json_is_integer(jm) || json_integer_value(jm) < -1000 ||
            json_integer_value(jm) > 1000) {
            api_error(res, 422, "invalid", "months", "months: 1 or 2");
            return;
        }
        in.months = (int)json_integer_value(jm);
    }
    if ((jr && !json_is_null(jr) && !json_is_string(jr)) ||
        (ja && !json_is_null(ja) && !json_is_string(ja))) {
        api_error(res, 422, "invalid", jr && !json_is_string(jr) ? "reason" : "answer",
                  "reason and answer are text");
        return;
    }
    in.reason = json_string_value(jr);
    in.answer = json_string_value(ja);
    struct dsr_actor who = staff(req);
    if (dsr_step(req->store, &who, d.id, &in, &d, NULL, &err) < 0) {
        answer_failure(res, &err);
        return;
    }
    api_json(res, 200, dsr_json(&d, store_now_ms()));
}

void api_dsrs_extend(struct api_request *req, struct api_response *res)
{
    step(req, res, DSR_EXTEND);
}

void api_dsrs_complete(struct api_request *req, struct api_response *res)
{
    step(req, res, DSR_COMPLETE);
}

void api_dsrs_reject(struct api_request *req, struct api_response *res)
{
    step(req, res, DSR_REJECT);
}

void api_dsrs_lift(struct api_request *req, struct api_response *res)
{
    step(req, res, DSR_LIFT);
}

/* The export answering an access or portability request, as JSON or ?format=zip. */
void dsr_answer_export(struct api_request *req, struct api_response *res, const struct store_dsr *d,
                       enum dsr_export_audience audience)
{
    struct kith_error err = {0};
    const char *format = api_query(req, "format");
    bool zip = format && strcmp(format, "zip") == 0;
    if (format && !zip && strcmp(format, "json") != 0) {
        api_error(res, 400, "bad_request", "format", "format must be json or zip");
        return;
    }
    if ((d->kind != DSR_ACCESS && d->kind != DSR_PORTABILITY) || d->status != DSR_COMPLETED) {
        api_error(res, 409, "conflict", NULL,
                  "request %lld is a %s request (%s): only completed access and portability "
                  "requests are answered with an export",
                  (long long)d->id, dsr_kind_name(d->kind), dsr_status_name(d->status));
        return;
    }
    int64_t now = store_now_ms();
    int rc;
    if (zip) {
        unsigned char *data = NULL;
        size_t len = 0;
        if ((rc = dsr_export_zip(req->store, d->contact_id, now, audience, &data, &len, &err)) ==
            0) {
            res->status = 200;
            res->text = (char *)data;
            res->text_len = len;
            res->content_type = "application/zip";
            snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]),
                     "Content-Disposition");
            snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]),
                     "attachment; filename=\"request-%lld-export.zip\"", (long long)d->id);
        }
    } else {
        json_t *doc = NULL;
        if ((rc = dsr_export_json(req->store, d->contact_id, now, audience, &doc, &err)) == 0)
            api_json(res, 200, doc);
    }
    if (rc < 0) {
        api_error_from(res, &err);
        return;
    }
    char detail[96];
    snprintf(detail, sizeof(detail), "export answering request %lld (%s)", (long long)d->id,
             zip ? "zip" : "json");
    api_audit(req, "export", "contacts", d->contact_id, detail);
}

void api_dsrs_export(struct api_request *req, struct api_response *res)
{
    struct store_dsr d;
    if (load_readable(req, res, &d))
        dsr_answer_export(req, res, &d, DSR_FOR_STAFF);
}
