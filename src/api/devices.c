/*
 * devices.c - the portal's routes for a customer's own devices (docs/portal.md, "Devices"):
 * register one (its token is shown once and stored hashed), list them, rename, pause or resume
 * one, delete one with every reading it sent, and read its readings. The contact comes from the
 * portal session alone; a device of another contact answers 404 as one that does not exist.
 */
#include "api/devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/auth.h"
#include "api/rvstate.h"
#include "model/reading.h"
#include "util/num.h"
#include "util/secret.h"

#include "util/banned.h"

static json_t *device_json(const struct store_device *d)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "id", (json_int_t)d->id, "name",
                     d->name, "kind", d->kind, "state", d->paused_at ? "paused" : "active",
                     "created_at", auth_time_json(d->created_at), "paused_at",
                     auth_time_json(d->paused_at), "last_seen_at", auth_time_json(d->last_seen_at),
                     "readings", (json_int_t)d->readings);
}

/* Answers a failed store call: 404 for a device that is not the contact's, else 500. */
static void answer_error(struct api_response *res, const struct kith_error *err, int64_t id)
{
    if (err->code == KITH_ENOTFOUND)
        api_error(res, 404, "not_found", NULL, "no device %lld", (long long)id);
    else
        auth_internal_error(res, err);
}

struct list {
    json_t *items;
    size_t n;
};

static int add_device(void *ctx, const struct store_device *d)
{
    struct list *l = ctx;
    l->n++;
    if (!l->items)
        return 0;
    json_t *o = device_json(d);
    return o && json_array_append_new(l->items, o) == 0 ? 0 : KITH_ENOMEM;
}

json_t *api_devices_json(struct store *s, int64_t contact_id, struct kith_error *err)
{
    struct list l = {.items = json_array()};
    int rc = l.items ? store_device_list(s, contact_id, add_device, &l, err) : KITH_ENOMEM;
    if (rc < 0) {
        json_decref(l.items);
        if (rc == KITH_ENOMEM)
            kith_err(err, rc, "out of memory listing devices");
        return NULL;
    }
    return l.items;
}

void api_portal_devices_list(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *items = api_devices_json(req->store, req->who->contact_id, &err);
    if (!items) {
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:o}", "items", items));
}

void api_portal_devices_create(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct list l = {0};
    struct store_device d;
    char token[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE], detail[64];
    int64_t cid = req->who->contact_id, id = 0;
    const char *name = auth_body_string(req, "name", DEVICE_NAME_MAX, res), *kind;
    if (!name || !(kind = auth_body_string(req, "kind", DEVICE_KIND_MAX, res)))
        return;
    if (device_fields_check(name, kind, &err) < 0) {
        api_error(res, 422, "invalid", strncmp(err.msg, "kind", 4) == 0 ? "kind" : "name", "%s",
                  err.msg);
        return;
    }
    secret_new(DEVICE_TOKEN_PREFIX, token);
    secret_hash(token, strlen(token), hash);
    int rc = store_begin(req->store, &err);
    if (rc == 0)
        rc = store_device_list(req->store, cid, add_device, &l, &err);
    if (rc == 0 && l.n >= DEVICE_PER_CONTACT) {
        store_rollback(req->store);
        api_error(res, 409, "conflict", NULL,
                  "you hold %d devices already, the most there may be; delete one first",
                  DEVICE_PER_CONTACT);
        goto out;
    }
    int64_t now = store_now_ms(), added = 0;
    if (rc == 0) /* the types its readings take, in a catalogue that had none when migrated */
        rc = store_telemetry_types_ensure(req->store, &added, &err);
    if (rc == 0)
        rc = store_device_create(req->store, cid, name, kind, hash, now, &id, &err);
    if (rc == 0)
        rc = store_device_get(req->store, id, cid, &d, &err);
    if (rc == 0) {
        snprintf(detail, sizeof(detail), "device %lld registered", (long long)id);
        api_audit(req, "device_register", "contacts", cid, detail);
        rc = store_commit(req->store, &err);
    }
    if (rc < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
        goto out;
    }
    if (added > 0) /* new types: the RV snapshot must know them before a reading arrives */
        rvstate_reload_now();
    /* the only time the token is shown: kith keeps its hash alone */
    api_json(res, 201, json_pack("{s:o, s:s}", "device", device_json(&d), "token", token));
out:
    secret_wipe(token, sizeof(token));
}

void api_portal_devices_update(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_device d;
    char detail[64];
    int64_t id, cid = req->who->contact_id;
    const char *name = NULL, *key;
    json_t *v;
    int pause = -1;
    if (!api_param_id(req, 0, &id, res))
        return;
    if (!json_is_object(req->body) || json_object_size(req->body) == 0) {
        api_error(res, 422, "invalid", NULL,
                  "send a JSON object with \"paused\" (true or false) and/or \"name\"");
        return;
    }
    json_object_foreach(req->body, key, v)
    {
        if (strcmp(key, "paused") == 0 && json_is_boolean(v)) {
            pause = json_is_true(v) ? 1 : 0;
        } else if (strcmp(key, "name") == 0 && json_is_string(v)) {
            name = json_string_value(v);
            if (device_fields_check(name, NULL, &err) < 0) {
                api_error(res, 422, "invalid", "name", "%s", err.msg);
                return;
            }
        } else {
            api_error(res, 422, "invalid", key,
                      "%s: a device changes only \"paused\" (true or false) and \"name\" (text)",
                      key);
            return;
        }
    }
    int rc = store_begin(req->store, &err);
    if (rc == 0)
        rc = store_device_update(req->store, id, cid, name, pause, store_now_ms(), &err);
    if (rc == 0)
        rc = store_device_get(req->store, id, cid, &d, &err);
    if (rc == 0) {
        snprintf(detail, sizeof(detail), "device %lld %s", (long long)id,
                 pause == 1   ? "paused"
                 : pause == 0 ? "resumed"
                              : "renamed");
        api_audit(req, "device_change", "contacts", cid, detail);
        rc = store_commit(req->store, &err);
    }
    if (rc < 0) {
        store_rollback(req->store);
        answer_error(res, &err, id);
        return;
    }
    api_json(res, 200, device_json(&d));
}

void api_portal_devices_delete(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    char detail[96];
    int64_t id, cid = req->who->contact_id, readings = 0;
    if (!api_param_id(req, 0, &id, res))
        return;
    int rc = store_begin(req->store, &err);
    if (rc == 0)
        rc = store_device_delete(req->store, id, cid, &readings, &err);
    if (rc == 0) {
        snprintf(detail, sizeof(detail), "device %lld deleted with %lld readings", (long long)id,
                 (long long)readings);
        api_audit(req, "device_delete", "contacts", cid, detail);
        rc = store_commit(req->store, &err);
    }
    if (rc < 0) {
        store_rollback(req->store);
        answer_error(res, &err, id);
        return;
    }
    device_rate_forget(id);
    /* the readings were interactions: RV is recomputed without them before the answer */
    if (readings > 0)
        rvstate_reload_now();
    api_json(
        res, 200,
        json_pack("{s:I, s:I}", "id", (json_int_t)id, "readings_deleted", (json_int_t)readings));
}

struct page {
    json_t *items;
    int64_t last_id;
    size_t n;
};

static int add_reading(void *ctx, const struct store_reading *r)
{
    struct page *p = ctx;
    json_error_t jerr;
    json_t *value = json_loads(r->value, JSON_DECODE_ANY, &jerr);
    if (!value) /* notes edited into something else than JSON: shown as text */
        value = json_string(r->value);
    json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)r->id, "type", r->type,
                          "at", auth_time_json(r->at), "received_at",
                          auth_time_json(r->received_at), "value", value ? value : json_null());
    if (!o || json_array_append_new(p->items, o) < 0)
        return KITH_ENOMEM;
    p->last_id = r->id;
    p->n++;
    return 0;
}

void api_portal_devices_readings(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_device d;
    struct page p = {0};
    int64_t id, limit = 100, before = 0;
    const char *q;
    if (!api_param_id(req, 0, &id, res))
        return;
    if ((q = api_query(req, "limit")) &&
        num_int64(q, 1, READINGS_LIST_MAX, &limit, "limit", &err) < 0) {
        api_error(res, 400, "bad_parameter", "limit", "limit: a whole number from 1 to %d",
                  READINGS_LIST_MAX);
        return;
    }
    if ((q = api_query(req, "before")) && num_int64(q, 1, INT64_MAX, &before, "before", &err) < 0) {
        api_error(res, 400, "bad_parameter", "before",
                  "before: the id of a reading (next_before of the previous page)");
        return;
    }
    int rc = store_device_get(req->store, id, req->who->contact_id, &d, &err);
    if (rc < 0) {
        answer_error(res, &err, id);
        return;
    }
    if (!(p.items = json_array())) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    rc = store_device_readings_list(req->store, id, before, limit, add_reading, &p, &err);
    if (rc < 0) {
        json_decref(p.items);
        if (rc == KITH_ENOMEM)
            kith_err(&err, rc, "out of memory listing readings");
        auth_internal_error(res, &err);
        return;
    }
    /* a full page may have a next one (which may then be empty) */
    bool more = (int64_t)p.n == limit;
    api_json(res, 200,
             json_pack("{s:o, s:o, s:o}", "device", device_json(&d), "items", p.items,
                       "next_before", more ? json_integer(p.last_id) : json_null()));
}
