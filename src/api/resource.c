/*
 * resource.c - the generic REST resource of resource.h: its table, and the list/get/create/
 * update/delete handlers. Each write runs in one transaction and checks the caller's scope before
 * and after it, so a refused write changes nothing. Bodies, query strings, cursors and JSON are
 * in the files resource_int.h lists.
 */
#include "api/resource_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/audit.h"

#include "util/banned.h"

const struct table_def *resource_table(const struct api_resource *r)
{
    const struct table_def *t = model_table(r->table);
    if (!t || t->nfields > RESOURCE_MAX_FIELDS)
        BUG("resource %s has no usable table", r->table);
    return t;
}

/* ---- lists ---- */

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
    c->last_key = resource_raw_json(&vals[c->sort_field]);
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
    if (!resource_parse_list(r, t, req, &lr, res))
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
    if (fields && !resource_parse_fields(t, fields, &lr, res))
        return;
    if (api_scope(req->who, t, false, &scope) < 0 ||
        resource_row_as_json(req->store, t, id, &scope, lr.masked ? lr.mask : NULL, &o, &err) < 0) {
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

/* The row's integers (references, ids) as they are, for the scope check of a change. */
static int copy_ints(void *ctx, const struct store_value *vals)
{
    struct resource_row *was = ctx;
    for (size_t i = 0; i < was->t->nfields; i++)
        if (vals[i].kind == SV_INT)
            was->vals[i] = vals[i];
    return 0;
}

static void answer_outside(const struct table_def *t, const char *field, const char *why,
                           struct api_response *res)
{
    if (why)
        api_error(res, 403, "forbidden", field, "%s", why);
    else
        api_error(res, 403, "forbidden", field,
                  "the %s would be outside the records you may change (check its owner, team"
                  " and unit)",
                  t->singular);
}

/*
 * Before the write: the unit, team and owner it sets (to a value the row does not already hold)
 * must be within the caller's reach (api_check_placement()), and the row as the write would
 * leave it must be in the write scope, else 403. Deciding this before the store is touched means a
 * refused write answers the same whatever the table holds: a unique key taken out of the caller's
 * sight never shows as 409.
 */
static bool placed_in_scope(struct api_request *req, const struct resource_row *row,
                            const struct store_scope *write, struct api_response *res)
{
    const struct table_def *t = row->t;
    struct kith_error err = {0};
    const char *field = NULL;
    struct resource_row after = {.t = t}; /* integers only: scope paths are references */
    bool moved[RESOURCE_MAX_FIELDS];      /* set by the write to a value the row does not hold */
    int rc = 0;
    if (row->id > 0) {
        const struct store_scope all = {.all = true};
        rc = store_get(req->store, t, row->id, &all, copy_ints, &after, &err);
    }
    for (size_t i = 0; rc == 0 && i < t->nfields; i++) {
        struct store_value v =
            row->vals[i].kind == SV_INT ? row->vals[i] : (struct store_value){.kind = SV_NULL};
        moved[i] = row->set[i] && (row->id == 0 || v.kind != after.vals[i].kind ||
                                   (v.kind == SV_INT && v.i != after.vals[i].i));
        if (row->set[i])
            after.vals[i] = v;
    }
    if (rc == 0 && (rc = api_check_placement(req->store, req->who, t, row->vals, moved, &field,
                                             &err)) == KITH_EINVAL) {
        answer_outside(t, field, err.msg, res);
        return false;
    }
    if (rc == 0 &&
        (rc = store_row_in_scope(req->store, t, after.vals, write, &err)) == KITH_ENOTFOUND) {
        answer_outside(t, NULL, NULL, res);
        return false;
    }
    if (rc < 0)
        resource_answer_error(t, &err, res);
    return rc == 0;
}

/* After the write: the row must still be one the caller may change, else 403. */
static bool still_in_scope(struct api_request *req, const struct table_def *t, int64_t id,
                           const struct store_scope *write, struct api_response *res)
{
    struct kith_error err = {0};
    int rc = store_get(req->store, t, id, write, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND)
        answer_outside(t, NULL, NULL, res);
    else if (rc < 0)
        resource_answer_error(t, &err, res);
    return rc == 0;
}

static int no_prepare(const struct api_resource *r, struct api_request *req,
                      struct resource_row *row, bool create, struct api_response *res)
{
    (void)r, (void)req, (void)row, (void)create, (void)res;
    return 0;
}

/* Inside the transaction: prepare, the checks of a new row and its insert (id in *id). */
static int insert_row(struct api_request *req, struct resource_row *row,
                      const struct store_scope *write, resource_prepare_fn prepare,
                      const struct api_resource *r, int64_t *id, struct api_response *res)
{
    struct kith_error err = {0};
    if (prepare(r, req, row, true, res) < 0 || !resource_check_required(row, true, res) ||
        !resource_check_refs(req, row, res) || !placed_in_scope(req, row, write, res))
        return KITH_EINVAL;
    if (store_insert(req->store, row->t, row->vals, id, &err) < 0) {
        resource_answer_error(row->t, &err, res);
        return err.code;
    }
    if (r->written && r->written(r, req, *id, true, res) < 0)
        return KITH_EINVAL;
    return still_in_scope(req, row->t, *id, write, res) ? 0 : KITH_ENOTFOUND;
}

int resource_insert_in(const struct api_resource *r, struct api_request *req,
                       struct resource_row *row, int64_t *id, struct api_response *res)
{
    struct store_scope write;
    if (!write_scope(req, resource_table(r), &write, res))
        return KITH_EINVAL;
    int rc = insert_row(req, row, &write, r->prepare ? r->prepare : no_prepare, r, id, res);
    if (rc == 0)
        api_audit(req, "create", row->t->name, *id, NULL);
    return rc;
}

void resource_create_as(const struct api_resource *r, const char *const *allowed,
                        resource_prepare_fn prepare, const char *action, struct api_request *req,
                        struct api_response *res)
{
    const struct table_def *t = resource_table(r);
    struct store_scope write;
    struct resource_row row = {.t = t};
    json_t *empty = NULL;
    int64_t id;
    json_t *body = req->body;
    if (!body && allowed)
        body = empty = json_object();
    if (!body) {
        api_error(res, 400, "bad_request", NULL, "a JSON object body is required");
        return;
    }
    if (!write_scope(req, t, &write, res) ||
        !resource_row_from_json(r, allowed, body, true, &row, res) ||
        (r->before && r->before(r, req, &row, true, res) < 0) || !begin(req, t, res))
        goto out;
    if (insert_row(req, &row, &write, prepare ? prepare : no_prepare, r, &id, res) < 0)
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
    if (!write_scope(req, t, &write, res) ||
        !resource_row_from_json(r, NULL, req->body, false, &row, res) ||
        (r->before && r->before(r, req, &row, false, res) < 0) || !begin(req, t, res))
        goto out;
    if (!resource_may_change(req, t, row.id, res) ||
        (r->prepare && r->prepare(r, req, &row, false, res) < 0) ||
        !resource_check_refs(req, &row, res))
        goto out_rollback;
    if (!placed_in_scope(req, &row, &write, res))
        goto out_rollback;
    if (store_update(req->store, t, row.id, row.vals, row.set, &err) < 0) {
        resource_answer_error(t, &err, res);
        goto out_rollback;
    }
    if (r->written && r->written(r, req, row.id, false, res) < 0)
        goto out_rollback;
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
