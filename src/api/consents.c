/*
 * consents.c - a contact's consent per purpose and channel, through two doors that share one
 * write (consent_record(), io/consent_receipt.h): the customer in the portal (GET and POST
 * /portal/api/consents, its own contact from its session) and staff on its behalf (GET and POST
 * /api/v1/contacts/{id}/consents, with the contact's read and change scope). Granting and
 * withdrawing are the same request with another state. Each change answers its signed receipt,
 * which GET .../consents/{receipt} gives again. docs/portal.md ("Consent").
 */
#include "api/access.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/portal.h"
#include "api/resource.h"
#include "api/rvstate.h"
#include "io/consent_receipt.h"
#include "model/consent.h"

#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define HISTORY_MAX 1000 /* records in one answer; "more" says when there are others */

/* ---- the answer of a GET ---- */

struct history {
    const struct table_def *t;
    json_t *items;
    size_t n;
    bool more;
};

static int add_record(void *ctx, const struct store_value *vals)
{
    struct history *h = ctx;
    if (h->n == HISTORY_MAX) {
        h->more = true;
        return 1;
    }
    json_t *o = resource_row_json(h->t, vals, NULL);
    if (!o || json_array_append_new(h->items, o) < 0)
        return KITH_ENOMEM;
    h->n++;
    return 0;
}

/* Every (purpose, channel) with the contact's state, whether a use is allowed, and the default. */
static json_t *current_json(const struct store_consent_latest *rows, size_t n)
{
    json_t *out = json_array();
    for (size_t p = 0; out && consent_purposes[p]; p++) {
        const char *purpose = consent_purposes[p];
        for (size_t c = 0; consent_channels[c]; c++) {
            const char *channel = consent_channels[c];
            if (!consent_purpose_has_channels(purpose) && strcmp(channel, CONSENT_ANY) != 0)
                continue;
            enum consent_state st = store_consent_fold(rows, n, purpose, channel);
            json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s}", "purpose", purpose, "channel",
                                  channel, "state", consent_state_name(st), "allowed",
                                  consent_state_allows(st, purpose), "default",
                                  consent_default_allows(purpose) ? "allowed" : "refused");
            if (!o || json_array_append_new(out, o) < 0) {
                json_decref(out);
                return NULL;
            }
        }
    }
    return out;
}

/* {"contact_id", "current": [...], "history": {"items", "more"}} of contact_id; NULL on error. */
static json_t *consents_json(struct store *s, int64_t contact_id, struct kith_error *err)
{
    struct store_consent_latest rows[STORE_CONSENT_PAIRS_MAX];
    size_t n = 0;
    const struct table_def *t = model_table("consents");
    struct history h = {.t = t, .items = json_array()};
    struct store_query q = {.nfilters = 1, .descending = true, .limit = HISTORY_MAX + 1};
    const struct store_scope all = {.all = true};
    if (!table_field(t, "contact_id", &q.filters[0].field) ||
        !table_field(t, "recorded_at", &q.sort_field))
        BUG("consents has no contact_id or recorded_at");
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_INT, .i = contact_id};
    int rc = h.items ? store_list(s, t, &q, &all, add_record, &h, err) : KITH_ENOMEM;
    if (rc >= 0)
        rc = store_consent_latest(s, contact_id, rows, STORE_CONSENT_PAIRS_MAX, &n, err);
    json_t *current = rc >= 0 ? current_json(rows, n) : NULL;
    if (rc < 0 || !current) {
        if (rc == KITH_ENOMEM || (rc >= 0 && !current))
            kith_err(err, KITH_ENOMEM, "out of memory listing consents");
        json_decref(h.items);
        json_decref(current);
        return NULL;
    }
    return json_pack("{s:I, s:s, s:o, s:{s:o, s:b}}", "contact_id", (json_int_t)contact_id, "rule",
                     "the latest record of (purpose, channel) and of (purpose, any) count; a "
                     "withdrawal in either wins; with neither, the purpose's default",
                     "current", current, "history", "items", h.items, "more", h.more);
}

static void answer_consents(struct api_request *req, int64_t contact_id, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *j = consents_json(req->store, contact_id, &err);
    if (!j) {
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, j);
}

/* ---- a change ---- */

/* Records the body's {purpose, channel, state} for contact_id by by_user (0: the contact). */
static void record(struct api_request *req, int64_t contact_id, int64_t by_user,
                   struct api_response *res)
{
    struct kith_error err = {0};
    const char *purpose = auth_body_string(req, "purpose", 32, res);
    if (!purpose)
        return;
    json_t *jc = json_object_get(req->body, "channel");
    if (jc && !json_is_string(jc) && !json_is_null(jc)) {
        api_error(res, 422, "invalid", "channel",
                  "channel: a string: email, sms, phone, post, "
                  "feed or any");
        return;
    }
    /* purposes without channels need not name one */
    const char *channel = json_is_string(jc) ? json_string_value(jc) : CONSENT_ANY;
    const char *state = auth_body_string(req, "state", 16, res);
    if (!state)
        return;
    if (consent_check(purpose, channel, state, &err) < 0) {
        const char *field = strncmp(err.msg, "channel", 7) == 0 ? "channel"
                            : strncmp(err.msg, "state", 5) == 0 ? "state"
                                                                : "purpose";
        api_error(res, 422, "invalid", field, "%s", err.msg);
        return;
    }
    const struct consent_change c = {.contact_id = contact_id,
                                     .purpose = purpose,
                                     .channel = channel,
                                     .state = state,
                                     .by_user = by_user,
                                     .client_addr = req->client_addr};
    struct consent_recorded r;
    int rc = consent_record(req->store, &c, &r, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)contact_id);
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    if (strcmp(purpose, CONSENT_ANALYTICS) == 0)
        rvstate_changed("a contact's consent to analytics changed");
    json_t *receipt = consent_receipt_payload(r.jws);
    api_json(res, 201,
             json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:s, s:b}", "id",
                       (json_int_t)r.id, "contact_id", (json_int_t)contact_id, "purpose", purpose,
                       "channel", channel, "state", state, "recorded_at",
                       auth_time_json(r.recorded_at), "receipt_id", r.receipt_id, "receipt_jws",
                       r.jws, "receipt", receipt ? receipt : json_null(), "effective",
                       consent_state_name(r.state), "allowed",
                       consent_state_allows(r.state, purpose)));
    consent_recorded_release(&r);
}

/* The receipt named by path parameter i, if it is contact_id's; as JSON or, with
 * ?format=jws, as the bare JWS (application/jose). */
static void answer_receipt(struct api_request *req, int i, int64_t contact_id,
                           struct api_response *res)
{
    struct kith_error err = {0};
    int64_t owner = 0;
    char *jws = NULL;
    const char *id = req->params[i];
    int rc = strlen(id) < CONSENT_RECEIPT_ID_SIZE
                 ? store_consent_receipt_get(req->store, id, &owner, &jws, &err)
                 : KITH_ENOTFOUND;
    if (rc == KITH_ENOTFOUND || (rc == 0 && owner != contact_id)) {
        free(jws);
        api_error(res, 404, "not_found", NULL, "no consent receipt %.40s of this contact", id);
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    const char *format = api_query(req, "format");
    if (format && strcmp(format, "jws") == 0) {
        res->status = 200;
        res->text = jws;
        res->text_len = strlen(jws);
        res->content_type = "application/jose";
        return;
    }
    json_t *payload = consent_receipt_payload(jws);
    api_json(res, 200,
             json_pack("{s:s, s:s, s:o}", "receipt_id", id, "receipt_jws", jws, "receipt",
                       payload ? payload : json_null()));
    free(jws);
}

/* ---- staff on the contact's behalf ---- */

/* True when the caller may read contact id; else the answer (404) is in res. */
static bool may_read_contact(struct api_request *req, int64_t id, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope read;
    api_scope(req->who, model_table("contacts"), false, &read);
    int rc = store_get(req->store, model_table("contacts"), id, &read, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND)
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)id);
    else if (rc < 0)
        auth_internal_error(res, &err);
    return rc == 0;
}

void api_contacts_consents_list(struct api_request *req, struct api_response *res)
{
    int64_t id;
    if (api_param_id(req, 0, &id, res) && may_read_contact(req, id, res))
        answer_consents(req, id, res);
}

void api_contacts_consents_create(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    bool ok = resource_may_change(req, model_table("contacts"), id, res);
    store_rollback(req->store); /* consent_record() has its own transaction */
    if (ok)
        record(req, id, req->who->user_id, res);
}

void api_contacts_consents_receipt(struct api_request *req, struct api_response *res)
{
    int64_t id;
    if (api_param_id(req, 0, &id, res) && may_read_contact(req, id, res))
        answer_receipt(req, 1, id, res);
}

/* ---- the customer in the portal ---- */

void api_portal_consents_list(struct api_request *req, struct api_response *res)
{
    answer_consents(req, req->who->contact_id, res);
}

void api_portal_consents_create(struct api_request *req, struct api_response *res)
{
    record(req, req->who->contact_id, 0, res);
}

void api_portal_consents_receipt(struct api_request *req, struct api_response *res)
{
    answer_receipt(req, 0, req->who->contact_id, res);
}
