/*
 * corrections.c - corrections the customer proposes to its own fields (docs/portal.md,
 * "Corrections"; issue 16, item 3): POST and GET /portal/api/corrections for the signed-in
 * contact, and for staff the review queue GET /api/v1/corrections[/{id}] with
 * POST /api/v1/corrections/{id}/accept and /reject.
 *
 * A proposal and an accepted correction are checked by the contact's own field rules, through
 * the same row reader as PATCH /api/v1/contacts/{id} (resource_row_from_json(), which calls
 * model/validate.h): a value no other door would take is refused when proposed, and checked again
 * when accepted (the contact may have changed meanwhile). Accepting applies the value to the
 * contact, audits the change as an "update" of the contact and the decision as
 * "correction_accept", in one transaction. Audit details name the field, never its value.
 */
#include <stdio.h>
#include <string.h>

#include "api/access.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/portal.h"
#include "api/resource_int.h"
#include "api/rvstate.h"

#include "util/banned.h"

/* Pending proposals one contact may have at once: the queue is staff's time. */
#define CORRECTIONS_PENDING_MAX 20
/* Corrections of one contact shown in the portal, newest first. */
#define CORRECTIONS_LIST_MAX 200

static const char *const search[] = {NULL};
static const char *const server_owned[] = {"contact_id", "previous", "status", "decided_at",
                                           "decided_by", "reason",   NULL};
static const char *const create_only[] = {"field", "value", "note", NULL};

/* The staff side reads through the generic resource (scope: through the contact). */
static const struct api_resource corrections = {.table = "corrections",
                                                .path = "/api/v1/corrections",
                                                .search = search,
                                                .server_owned = server_owned,
                                                .create_only = create_only};

/* The contact's fields as PATCH /api/v1/contacts/{id} writes them (the checks of that door). */
static const struct api_resource contacts = {.table = "contacts", .path = "/api/v1/contacts"};

RESOURCE_DEFINE_READ(corrections, corrections)

/* One correction as read from the store (text copied). */
struct correction {
    int64_t id, contact_id;
    char field[32];
    char value[256];
    bool has_value;
    char status[16];
};

static void text_of(const struct store_value *v, char *out, size_t size)
{
    snprintf(out, size, "%.*s", v->kind == SV_TEXT ? (int)v->len : 0,
             v->kind == SV_TEXT ? v->s : "");
}

static int read_correction(void *ctx, const struct store_value *vals)
{
    struct correction *c = ctx;
    const struct table_def *t = model_table("corrections");
    size_t i;
    c->id = vals[0].i;
    table_field(t, "contact_id", &i);
    c->contact_id = vals[i].i;
    table_field(t, "field", &i);
    text_of(&vals[i], c->field, sizeof(c->field));
    table_field(t, "value", &i);
    c->has_value = vals[i].kind == SV_TEXT;
    text_of(&vals[i], c->value, sizeof(c->value));
    table_field(t, "status", &i);
    text_of(&vals[i], c->status, sizeof(c->status));
    return 0;
}

/* What the contact's field holds now, as text (empty when null). */
struct current {
    const char *field;
    char text[256];
    bool has;
};

static int read_current(void *ctx, const struct store_value *vals)
{
    struct current *c = ctx;
    size_t i;
    table_field(model_table("contacts"), c->field, &i);
    c->has = vals[i].kind == SV_TEXT;
    text_of(&vals[i], c->text, sizeof(c->text));
    return 0;
}

/*
 * Reads {field: value} into row as PATCH of the contact would: false with the answer in res
 * (for the portal, its "field" member is renamed "value": the customer typed the value).
 */
static bool contact_row(const char *field, json_t *value, bool portal, struct resource_row *row,
                        struct api_response *res)
{
    const char *const allowed[] = {field, NULL};
    json_t *body = json_object();
    if (!body || json_object_set(body, field, value) < 0) {
        json_decref(body);
        api_error(res, 500, "internal", NULL, "out of memory");
        return false;
    }
    bool ok = resource_row_from_json(&contacts, allowed, body, false, row, res);
    json_decref(body);
    if (!ok && portal && res->json) {
        json_t *e = json_object_get(res->json, "error");
        if (json_is_object(e))
            json_object_set_new(e, "field", json_string("value"));
    }
    return ok;
}

/* ---- the portal ---- */

struct count {
    size_t n;
};

static int count_row(void *ctx, const struct store_value *vals)
{
    (void)vals;
    ((struct count *)ctx)->n++;
    return 0;
}

void api_portal_corrections_create(struct api_request *req, struct api_response *res)
{
    const struct table_def *t = model_table("corrections");
    struct kith_error err = {0};
    struct store_scope all = {.all = true};
    int64_t cid = req->who->contact_id, id = 0;
    json_t *body = req->body;
    if (!json_is_object(body)) {
        api_error(res, 400, "bad_request", NULL,
                  "the body must be a JSON object {\"field\", \"value\", \"note\"}");
        return;
    }
    const char *key;
    json_t *j;
    json_object_foreach(body, key, j)
    {
        if (strcmp(key, "field") != 0 && strcmp(key, "value") != 0 && strcmp(key, "note") != 0) {
            api_error(res, 422, "unknown_field", key,
                      "a correction has field, value and note; not '%.100s'", key);
            return;
        }
    }
    /* the field and the note by the corrections table's rules */
    struct resource_row row = {.t = t};
    const char *const mine[] = {"field", "note", NULL};
    json_t *own = json_pack("{s:O*, s:O*}", "field", json_object_get(body, "field"), "note",
                            json_object_get(body, "note"));
    bool ok = own && resource_row_from_json(&corrections, mine, own, true, &row, res);
    json_decref(own);
    if (!ok)
        goto out;
    if (!resource_has(&row, "field")) {
        api_error(res, 422, "invalid", "field",
                  "field: say which of your fields to correct (first_name, last_name, email, "
                  "phone or title)");
        goto out;
    }
    const char *field = row.vals[resource_field(&row, "field")].s;
    json_t *value = json_object_get(body, "value");
    if (!value)
        value = json_null();
    /* the value by the contact's own rules, as every door checks it */
    struct resource_row crow = {.t = model_table("contacts"), .id = cid};
    ok = contact_row(field, value, true, &crow, res);
    size_t vi = resource_field(&crow, field);
    struct store_value proposed = crow.vals[vi];
    if (!ok) {
        resource_row_release(&crow);
        goto out;
    }
    if (store_begin(req->store, &err) < 0) {
        resource_row_release(&crow);
        auth_internal_error(res, &err);
        goto out;
    }
    struct current cur = {.field = field};
    struct count pending = {0};
    struct store_query q = {.nfilters = 2, .limit = CORRECTIONS_PENDING_MAX + 1};
    table_field(t, "contact_id", &q.filters[0].field);
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_INT, .i = cid};
    table_field(t, "status", &q.filters[1].field);
    q.filters[1].op = STORE_EQ;
    q.filters[1].value = (struct store_value){.kind = SV_TEXT, .s = "pending", .len = 7};
    if (store_get(req->store, model_table("contacts"), cid, &all, read_current, &cur, &err) < 0 ||
        store_list(req->store, t, &q, &all, count_row, &pending, &err) < 0) {
        resource_row_release(&crow);
        goto out_error;
    }
    bool same = proposed.kind == SV_NULL ? !cur.has
                                         : cur.has && strlen(cur.text) == proposed.len &&
                                               memcmp(cur.text, proposed.s, proposed.len) == 0;
    if (same) {
        resource_row_release(&crow);
        store_rollback(req->store);
        api_error(res, 422, "unchanged", "value", "value: your %s already holds this value", field);
        goto out;
    }
    if (pending.n >= CORRECTIONS_PENDING_MAX) {
        resource_row_release(&crow);
        store_rollback(req->store);
        api_error(res, 429, "too_many", NULL,
                  "you have %d corrections waiting for review; wait for staff to decide them",
                  CORRECTIONS_PENDING_MAX);
        goto out;
    }
    resource_set_int(&row, "contact_id", cid);
    row.vals[resource_field(&row, "value")] = proposed; /* crow owns the text until the insert */
    row.set[resource_field(&row, "value")] = true;
    if (cur.has && resource_set_text(&row, "previous", cur.text, strlen(cur.text)) < 0) {
        resource_row_release(&crow);
        kith_err(&err, KITH_ENOMEM, "out of memory");
        goto out_error;
    }
    resource_set_text(&row, "status", "pending", 7);
    int rc = store_insert(req->store, t, row.vals, &id, &err);
    resource_row_release(&crow);
    if (rc < 0)
        goto out_error;
    char detail[64];
    snprintf(detail, sizeof(detail), "proposed by the contact: %s", field);
    api_audit(req, "correction_propose", "corrections", id, detail);
    if (store_commit(req->store, &err) < 0)
        goto out_error;
    resource_answer_row(&corrections, req, id, 201, res);
    goto out;
out_error:
    store_rollback(req->store);
    auth_internal_error(res, &err);
out:
    row.vals[resource_field(&row, "value")] = (struct store_value){.kind = SV_NULL};
    resource_row_release(&row);
}

struct rows {
    const struct table_def *t;
    json_t *items;
};

static int add_row(void *ctx, const struct store_value *vals)
{
    struct rows *r = ctx;
    json_t *o = resource_row_json(r->t, vals, NULL);
    if (!o || json_array_append_new(r->items, o) < 0)
        return KITH_ENOMEM;
    return 0;
}

void api_portal_corrections_list(struct api_request *req, struct api_response *res)
{
    const struct table_def *t = model_table("corrections");
    struct kith_error err = {0};
    struct store_scope all = {.all = true};
    struct rows r = {.t = t, .items = json_array()};
    struct store_query q = {.nfilters = 1, .descending = true, .limit = CORRECTIONS_LIST_MAX};
    table_field(t, "contact_id", &q.filters[0].field);
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_INT, .i = req->who->contact_id};
    int rc = r.items ? store_list(req->store, t, &q, &all, add_row, &r, &err) : KITH_ENOMEM;
    if (rc < 0) {
        json_decref(r.items);
        if (rc == KITH_ENOMEM)
            kith_err(&err, rc, "out of memory");
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:o}", "items", r.items));
}

/* ---- staff: accept or reject ---- */

/*
 * Begins a transaction and reads pending correction id into c, checking the caller may change
 * its contact: false with the answer in res (and the transaction rolled back).
 */
static bool begin_decision(struct api_request *req, int64_t id, struct correction *c,
                           struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope read;
    api_scope(req->who, model_table("corrections"), false, &read);
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return false;
    }
    int rc = store_get(req->store, model_table("corrections"), id, &read, read_correction, c, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", NULL, "no correction %lld", (long long)id);
        goto out_rollback;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        goto out_rollback;
    }
    if (!resource_may_change(req, model_table("contacts"), c->contact_id, res))
        goto out_rollback;
    if (strcmp(c->status, "pending") != 0) {
        api_error(res, 409, "decided", NULL, "correction %lld was %s already", (long long)id,
                  c->status);
        goto out_rollback;
    }
    return true;
out_rollback:
    store_rollback(req->store);
    return false;
}

/* Sets the decision fields of row and stores them; 0 or a negative code with err. */
static int store_decision(struct api_request *req, int64_t id, const char *status,
                          struct resource_row *row, struct kith_error *err)
{
    resource_set_text(row, "status", status, strlen(status));
    resource_set_int(row, "decided_at", store_now_ms());
    resource_set_int(row, "decided_by", req->who->user_id);
    return store_update(req->store, row->t, id, row->vals, row->set, err);
}

static void decide(struct api_request *req, struct api_response *res, bool accept)
{
    const struct table_def *t = model_table("corrections");
    struct kith_error err = {0};
    struct correction c = {0};
    struct resource_row row = {.t = t};
    struct resource_row crow = {.t = model_table("contacts")};
    int64_t id;
    char detail[96];
    if (!api_param_id(req, 0, &id, res))
        return;
    /* "reason" is server-owned for the portal's create; staff set it here */
    static const struct api_resource decision = {.table = "corrections"};
    const char *const allowed[] = {"reason", NULL};
    json_t *body = req->body ? json_incref(req->body) : json_object();
    bool ok = body && resource_row_from_json(&decision, allowed, body, false, &row, res);
    json_decref(body);
    if (!ok)
        goto out;
    if (!accept && !resource_has(&row, "reason")) {
        api_error(res, 422, "invalid", "reason",
                  "reason: say why the correction is rejected; the customer reads it");
        goto out;
    }
    if (!begin_decision(req, id, &c, res))
        goto out;
    if (accept) {
        crow.id = c.contact_id;
        /* crow points into value's text: value lives until the update is made */
        json_t *value = c.has_value ? json_string(c.value) : json_null();
        ok = value && contact_row(c.field, value, false, &crow, res);
        if (ok && store_update(req->store, crow.t, c.contact_id, crow.vals, crow.set, &err) < 0) {
            resource_answer_error(crow.t, &err, res);
            ok = false;
        }
        json_decref(value);
        if (!ok)
            goto out_rollback;
        snprintf(detail, sizeof(detail), "%s (correction %lld)", c.field, (long long)id);
        api_audit(req, "update", "contacts", c.contact_id, detail);
    }
    if (store_decision(req, id, accept ? "accepted" : "rejected", &row, &err) < 0) {
        auth_internal_error(res, &err);
        goto out_rollback;
    }
    snprintf(detail, sizeof(detail), "%s of contact %lld", c.field, (long long)c.contact_id);
    api_audit(req, accept ? "correction_accept" : "correction_reject", "corrections", id, detail);
    if (store_commit(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        goto out_rollback;
    }
    if (accept)
        rvstate_on_contact(req, c.contact_id, RESOURCE_UPDATED);
    resource_answer_row(&corrections, req, id, 200, res);
    goto out;
out_rollback:
    store_rollback(req->store);
out:
    resource_row_release(&crow);
    resource_row_release(&row);
}

void api_corrections_accept(struct api_request *req, struct api_response *res)
{
    decide(req, res, true);
}

void api_corrections_reject(struct api_request *req, struct api_response *res)
{
    decide(req, res, false);
}
