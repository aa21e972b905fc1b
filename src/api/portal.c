/*
 * portal.c - the staff side of portal access (POST /api/v1/contacts/{id}/invitations, GET and
 * DELETE /api/v1/contacts/{id}/portal-access) and GET /portal/api/me, the signed-in contact's own
 * records. A customer reads only rows reached from its own contact id, taken from its session:
 * no identifier in a portal request names a record. See docs/portal.md.
 */
#include "api/access.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/devices.h"
#include "api/portal.h"
#include "api/resource.h"

#include <stdio.h>
#include <string.h>

#include "util/secret.h"

#include "util/banned.h"

/* ---- inviting ---- */

int portal_invite(struct store *s, int64_t contact_id, int64_t by_user, const char *client_addr,
                  struct portal_invite_result *out, struct kith_error *err)
{
    char token[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE], link[512], body[1024], detail[64];
    struct store_portal_account a;
    int64_t now = store_now_ms(), expires = now + (int64_t)PORTAL_INVITATION_S * 1000;
    int rc;
    secret_new("", token);
    secret_hash(token, strlen(token), hash);
    portal_link("accept", token, link, sizeof(link));
    if ((rc = store_begin(s, err)) < 0)
        goto out;
    if ((rc = store_portal_token_create(s, contact_id, STORE_PORTAL_INVITATION, hash, now, expires,
                                        by_user, &out->token_id, err)) < 0 ||
        (rc = store_portal_account_get(s, contact_id, &a, err)) < 0)
        goto out_rollback;
    if (!a.email[0]) {
        rc = kith_err(err, KITH_EINVAL,
                      "contact %lld has no email to send the invitation to; set its email first",
                      (long long)contact_id);
        goto out_rollback;
    }
    snprintf(detail, sizeof(detail), "invitation %lld", (long long)out->token_id);
    struct store_audit_entry e = {.created_at = now,
                                  .user_id = by_user,
                                  .action = "portal_invite",
                                  .table_name = "contacts",
                                  .record_id = contact_id,
                                  .client_addr = client_addr,
                                  .detail = detail};
    if ((rc = store_audit_insert(s, &e, NULL, err)) < 0)
        goto out_rollback;
    snprintf(body, sizeof(body),
             "Hello %s,\n\nyou are invited to the customer portal, where you can see what we "
             "hold about you. Choose your password with this link; it works once, within %d "
             "days:\n\n%s\n",
             a.name, PORTAL_INVITATION_S / 86400, link);
    struct portal_message m = {.contact_id = contact_id,
                               .kind = STORE_PORTAL_INVITATION,
                               .to = a.email,
                               .subject = "Your invitation to the customer portal",
                               .body = body};
    /* sent inside the transaction: a link that could not be sent is never valid */
    if ((rc = portal_send(store_path(s), &m, err)) < 0 || (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    snprintf(out->email, sizeof(out->email), "%s", a.email);
    out->expires_at = expires;
    goto out;

out_rollback:
    store_rollback(s);
out:
    secret_wipe(token, sizeof(token));
    secret_wipe(link, sizeof(link));
    secret_wipe(body, sizeof(body));
    return rc;
}

/* True when the caller may change contact id (inside a transaction); else the answer is in res. */
static bool may_change_contact(struct api_request *req, int64_t id, struct api_response *res)
{
    struct kith_error err = {0};
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return false;
    }
    if (resource_may_change(req, model_table("contacts"), id, res))
        return true;
    store_rollback(req->store);
    return false;
}

void api_contacts_invite(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct portal_invite_result r = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res) || !may_change_contact(req, id, res))
        return;
    store_rollback(req->store); /* portal_invite() has its own transaction */
    int rc = portal_invite(req->store, id, req->who->user_id, req->client_addr, &r, &err);
    if (rc == KITH_EINVAL) {
        api_error(res, 422, "invalid", "email", "%s", err.msg);
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 201,
             json_pack("{s:I, s:s, s:o}", "contact_id", (json_int_t)id, "sent_to", r.email,
                       "expires_at", auth_time_json(r.expires_at)));
}

void api_contacts_portal_get(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope read;
    struct store_portal_account a;
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    api_scope(req->who, model_table("contacts"), false, &read);
    int rc = store_get(req->store, model_table("contacts"), id, &read, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)id);
        return;
    }
    if (rc == 0)
        rc = store_portal_account_get(req->store, id, &a, &err);
    if (rc == KITH_ENOTFOUND) {
        api_json(res, 200, json_pack("{s:I, s:s}", "contact_id", (json_int_t)id, "state", "none"));
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    const char *state = a.revoked_at ? "revoked" : a.password_hash[0] ? "active" : "invited";
    api_json(res, 200,
             json_pack("{s:I, s:s, s:o, s:o}", "contact_id", (json_int_t)id, "state", state,
                       "since", auth_time_json(a.created_at), "revoked_at",
                       auth_time_json(a.revoked_at)));
}

void api_contacts_portal_revoke(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t id, ended = 0;
    char detail[64];
    if (!api_param_id(req, 0, &id, res) || !may_change_contact(req, id, res))
        return;
    int rc = store_portal_revoke(req->store, id, store_now_ms(), &ended, &err);
    if (rc == KITH_ENOTFOUND) {
        store_rollback(req->store);
        api_error(res, 404, "not_found", NULL, "contact %lld holds no portal access",
                  (long long)id);
        return;
    }
    snprintf(detail, sizeof(detail), "%lld portal session%s ended", (long long)ended,
             ended == 1 ? "" : "s");
    if (rc == 0) {
        api_audit(req, "portal_revoke", "contacts", id, detail);
        rc = store_commit(req->store, &err);
    }
    if (rc < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
        return;
    }
    res->status = 204;
}

/* ---- the contact's own records ---- */

#define ME_LIST_MAX 1000 /* rows of each list in one answer; "more" says when there are others */

struct rows {
    const struct table_def *t;
    json_t *items;
    size_t n;
    bool more;
};

static int add_row(void *ctx, const struct store_value *vals)
{
    struct rows *r = ctx;
    if (r->n == ME_LIST_MAX) {
        r->more = true;
        return 1;
    }
    json_t *o = resource_row_json(r->t, vals, NULL);
    if (!o || json_array_append_new(r->items, o) < 0)
        return KITH_ENOMEM;
    r->n++;
    return 0;
}

static int set_one(void *ctx, const struct store_value *vals)
{
    struct rows *r = ctx;
    r->items = resource_row_json(r->t, vals, NULL);
    return r->items ? 0 : KITH_ENOMEM;
}

/*
 * The rows of table whose field equals id (the contact's own id or its account's), newest first
 * by sort, as {"items": [...], "more": bool}; NULL with err filled on failure.
 */
static json_t *own_rows(struct store *s, const char *table, const char *field, int64_t id,
                        const char *sort, struct kith_error *err)
{
    const struct table_def *t = model_table(table);
    struct store_query q = {.nfilters = 1, .descending = true, .limit = ME_LIST_MAX + 1};
    struct store_scope all = {.all = true};
    struct rows r = {.t = t, .items = json_array()};
    if (!table_field(t, field, &q.filters[0].field) || !table_field(t, sort, &q.sort_field))
        BUG("%s has no %s or %s", table, field, sort);
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_INT, .i = id};
    int rc = r.items ? store_list(s, t, &q, &all, add_row, &r, err) : KITH_ENOMEM;
    if (rc < 0) {
        if (rc == KITH_ENOMEM)
            kith_err(err, rc, "out of memory");
        json_decref(r.items);
        return NULL;
    }
    return json_pack("{s:o, s:b}", "items", r.items, "more", r.more);
}

void api_portal_get_me(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope all = {.all = true};
    struct rows contact = {.t = model_table("contacts")}, account = {.t = model_table("accounts")};
    int64_t cid = req->who->contact_id, aid = 0;
    json_t *interactions = NULL, *orders = NULL, *consents = NULL, *devices = NULL;
    int rc = store_get(req->store, contact.t, cid, &all, set_one, &contact, &err);
    if (rc < 0)
        goto out_error;
    json_t *acc = json_object_get(contact.items, "account_id");
    aid = json_is_integer(acc) ? json_integer_value(acc) : 0;
    if (aid && (rc = store_get(req->store, account.t, aid, &all, set_one, &account, &err)) < 0)
        goto out_error;
    rc = KITH_EDB;
    if (!(interactions =
              own_rows(req->store, "interactions", "contact_id", cid, "occurred_at", &err)) ||
        !(consents = own_rows(req->store, "consents", "contact_id", cid, "recorded_at", &err)) ||
        !(devices = api_devices_json(req->store, cid, &err)))
        goto out_error;
    /* the orders of its account; without an account, the ones placed as this contact */
    orders = aid ? own_rows(req->store, "orders", "account_id", aid, "ordered_at", &err)
                 : own_rows(req->store, "orders", "contact_id", cid, "ordered_at", &err);
    if (!orders)
        goto out_error;
    json_t *acc_json = account.items
                           ? json_pack("{s:O, s:O}", "id", json_object_get(account.items, "id"),
                                       "name", json_object_get(account.items, "name"))
                           : json_null();
    json_decref(account.items);
    /* not audited: the contact reading its own data is no access by anyone else
       (docs/portal.md, "What is audited") */
    api_json(res, 200,
             json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:b}}", "contact", contact.items,
                       "account", acc_json, "interactions", interactions, "orders", orders,
                       "consents", consents, "devices", "items", devices, "more", 0));
    return;

out_error:
    json_decref(contact.items);
    json_decref(account.items);
    json_decref(interactions);
    json_decref(orders);
    json_decref(consents);
    json_decref(devices);
    auth_internal_error(res, &err);
}
