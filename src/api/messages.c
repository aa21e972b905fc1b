/*
 * messages.c - outbound messages (messages.h): the one send path, message_send(), and its door
 * POST /api/v1/messages. The interaction that records a message is written by the API's
 * interaction write path (api/interactions.h) for the API and as a plain row for the command
 * line (kith voice send, src/cmd/voice_send.c). docs/voice.md, "Messages".
 */
#include "api/messages.h"

#include <stdio.h>
#include <string.h>

#include "api/access.h"
#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/interactions.h"
#include "api/portal.h"
#include "api/rvstate.h"
#include "model/consent.h"
#include "model/message.h"

#include "util/banned.h"

/* ---- the send path ---- */

struct contact_address {
    char email[256], phone[64], name[160];
};

static void text_of(const struct table_def *t, const struct store_value *vals, const char *name,
                    char *out, size_t size)
{
    size_t i;
    out[0] = '\0';
    if (table_field(t, name, &i) && vals[i].kind == SV_TEXT)
        snprintf(out, size, "%.*s", (int)vals[i].len, vals[i].s);
}

static int read_address(void *ctx, const struct store_value *vals)
{
    struct contact_address *a = ctx;
    const struct table_def *t = model_table("contacts");
    text_of(t, vals, "email", a->email, sizeof(a->email));
    text_of(t, vals, "phone", a->phone, sizeof(a->phone));
    text_of(t, vals, "first_name", a->name, sizeof(a->name));
    return 0;
}

static int read_id(void *ctx, const struct store_value *vals)
{
    *(int64_t *)ctx = vals[0].i;
    return 1;
}

/* The id of the interaction type code into *id (0 when the catalogue has none). */
static int type_by_code(struct store *s, const char *code, int64_t *id, struct kith_error *err)
{
    const struct table_def *t = model_table("interaction_types");
    struct store_query q = {.limit = 1, .nfilters = 1};
    const struct store_scope all = {.all = true};
    if (!table_field(t, "code", &q.filters[0].field))
        BUG("interaction_types has no code");
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_TEXT, .s = code, .len = strlen(code)};
    *id = 0;
    int rc = store_list(s, t, &q, &all, read_id, id, err);
    return rc < 0 ? rc : 0;
}

int message_send(struct store *s, const struct message_out *m, message_record_fn record, void *ctx,
                 struct message_sent *out, struct kith_error *err)
{
    struct contact_address a;
    enum consent_state state;
    char notes[300], detail[160];
    int64_t type_id = 0;
    int rc;
    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    if ((rc = message_check(m->channel, m->purpose, m->subject, m->body, err)) < 0)
        return rc;
    const bool sms = strcmp(m->channel, "sms") == 0;
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    const struct store_scope all = {.all = true};
    if ((rc = store_get(s, model_table("contacts"), m->contact_id, &all, read_address, &a, err)) <
            0 ||
        (rc = store_consent_state(s, m->contact_id, m->purpose, m->channel, &state, err)) < 0)
        goto out_rollback;
    snprintf(out->state, sizeof(out->state), "%s", consent_state_name(state));
    /* at send time, inside the transaction that records it: no grant in between is missed */
    if (!consent_state_allows(state, m->purpose)) {
        out->refusal = MESSAGE_NO_CONSENT;
        rc = kith_err(err, KITH_ECONFLICT,
                      "contact %lld's consent does not allow %s on %s (its state: %s; %s needs a "
                      "grant on %s or on any channel, and no withdrawal on either)",
                      (long long)m->contact_id, m->purpose, m->channel, out->state, m->purpose,
                      m->channel);
        goto out_rollback;
    }
    /* a restriction (GDPR Art. 18) keeps the contact out of outreach until it is lifted */
    if (store_contact_is_restricted(s, m->contact_id)) {
        out->refusal = MESSAGE_RESTRICTED;
        rc = kith_err(err, KITH_ECONFLICT,
                      "contact %lld has asked for the processing of its data to be restricted:"
                      " no message until the restriction is lifted",
                      (long long)m->contact_id);
        goto out_rollback;
    }
    const char *to = sms ? a.phone : a.email;
    if (!to[0]) {
        out->refusal = MESSAGE_NO_ADDRESS;
        rc = kith_err(err, KITH_EINVAL, "contact_id: contact %lld has no %s to send %s to",
                      (long long)m->contact_id, sms ? "phone number" : "email",
                      sms ? "an SMS" : "an email");
        goto out_rollback;
    }
    if ((rc = type_by_code(s, message_type_code(m->channel), &type_id, err)) < 0)
        goto out_rollback;
    if (!type_id) {
        out->refusal = MESSAGE_NO_TYPE;
        rc = kith_err(err, KITH_ECONFLICT,
                      "the catalogue has no interaction type %s, which records sent messages "
                      "(docs/voice.md): create it (POST /api/v1/interaction-types; the demo "
                      "catalogue has it)",
                      message_type_code(m->channel));
        goto out_rollback;
    }
    out->sent_at = store_now_ms();
    snprintf(notes, sizeof(notes), "%s %s: %.200s", m->purpose, sms ? "SMS" : "email", m->body);
    if ((rc = record(ctx, m, type_id, out->sent_at, notes, &out->interaction_id, err)) < 0)
        goto out_rollback;
    snprintf(detail, sizeof(detail), "%s %s, interaction %lld", m->purpose, m->channel,
             (long long)out->interaction_id);
    struct store_audit_entry e = {.created_at = out->sent_at,
                                  .user_id = m->by_user,
                                  .action = "message_send",
                                  .table_name = "contacts",
                                  .record_id = m->contact_id,
                                  .client_addr = m->client_addr,
                                  .detail = detail};
    const struct portal_message pm = {
        .contact_id = m->contact_id,
        .kind = "message",
        .to = to,
        .subject = sms                         ? ""
                   : m->subject && *m->subject ? m->subject
                                               : "A message for you",
        .body = m->body,
        .channel = m->channel,
        .purpose = m->purpose,
    };
    if ((rc = store_audit_insert(s, &e, NULL, err)) < 0)
        goto out_rollback;
    /* sent last inside the transaction: a message that was not sent leaves nothing behind */
    if ((rc = portal_send(store_path(s), &pm, err)) < 0) {
        rc = KITH_EIO;
        goto out_rollback;
    }
    if ((rc = store_commit(s, err)) < 0)
        goto out_rollback;
    snprintf(out->to, sizeof(out->to), "%s", to);
    return 0;

out_rollback:
    store_rollback(s);
    out->interaction_id = 0;
    return rc;
}

int message_record_plain(void *ctx, const struct message_out *m, int64_t type_id, int64_t at,
                         const char *notes, int64_t *id, struct kith_error *err)
{
    struct store *s = ctx;
    const struct table_def *t = model_table("interactions");
    struct store_value vals[32] = {0};
    if (t->nfields > 32)
        BUG("interactions has %zu fields", t->nfields);
    const struct {
        const char *name;
        struct store_value v;
    } set[] = {
        {"created_at", {.kind = SV_INT, .i = at}},
        {"contact_id", {.kind = SV_INT, .i = m->contact_id}},
        {"type_id", {.kind = SV_INT, .i = type_id}},
        {"occurred_at", {.kind = SV_INT, .i = at}},
        {"channel", {.kind = SV_TEXT, .s = m->channel, .len = strlen(m->channel)}},
        {"direction", {.kind = SV_TEXT, .s = "outbound", .len = 8}},
        {"notes", {.kind = SV_TEXT, .s = notes, .len = strlen(notes)}},
        {"source", {.kind = SV_TEXT, .s = "manual", .len = 6}},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
        size_t k;
        if (!table_field(t, set[i].name, &k))
            BUG("interactions has no %s", set[i].name);
        vals[k] = set[i].v;
    }
    return store_insert(s, t, vals, id, err);
}

/* ---- POST /api/v1/messages ---- */

struct api_record {
    struct api_request *req;
    struct api_response *res;
    bool answered; /* res holds the answer already */
};

/* The API's interaction write path: the caller as user, source "api", its write scope. */
static int record_api(void *ctx, const struct message_out *m, int64_t type_id, int64_t at,
                      const char *notes, int64_t *id, struct kith_error *err)
{
    struct api_record *r = ctx;
    struct resource_row it = {.t = model_table("interactions")};
    resource_set_int(&it, "contact_id", m->contact_id);
    resource_set_int(&it, "type_id", type_id);
    resource_set_int(&it, "occurred_at", at);
    int rc = resource_set_text(&it, "direction", "outbound", 8) < 0 ||
                     resource_set_text(&it, "channel", m->channel, strlen(m->channel)) < 0 ||
                     resource_set_text(&it, "notes", notes, strlen(notes)) < 0
                 ? KITH_ENOMEM
                 : api_interaction_insert(r->req, &it, id, r->res);
    resource_row_release(&it);
    if (rc < 0) {
        r->answered = rc != KITH_ENOMEM;
        return kith_err(err, rc, "the message's interaction was not recorded");
    }
    return 0;
}

/* The field an EINVAL message names ("body: ..."), or NULL. */
static const char *field_of(const char *msg)
{
    static const char *const fields[] = {"channel", "purpose",    "body",
                                         "subject", "contact_id", NULL};
    for (size_t i = 0; fields[i]; i++) {
        size_t n = strlen(fields[i]);
        if (strncmp(msg, fields[i], n) == 0 && msg[n] == ':')
            return fields[i];
    }
    return NULL;
}

void api_messages_create(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *cid = json_object_get(req->body, "contact_id");
    if (!json_is_integer(cid) || json_integer_value(cid) <= 0) {
        api_error(res, 422, "invalid", "contact_id", "contact_id: the id of the contact");
        return;
    }
    const struct message_out m = {
        .contact_id = json_integer_value(cid),
        .channel = json_string_value(json_object_get(req->body, "channel")),
        .purpose = json_string_value(json_object_get(req->body, "purpose")),
        .subject = json_string_value(json_object_get(req->body, "subject")),
        .body = json_string_value(json_object_get(req->body, "body")),
        .by_user = req->who->user_id,
        .client_addr = req->client_addr,
    };
    /* a contact the caller cannot read is not there, whatever its consent */
    struct store_scope read;
    api_scope(req->who, model_table("contacts"), false, &read);
    int rc = store_get(req->store, model_table("contacts"), m.contact_id, &read, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", "contact_id", "no contact %lld", (long long)m.contact_id);
        return;
    }
    struct api_record r = {.req = req, .res = res};
    struct message_sent sent;
    memset(&sent, 0, sizeof(sent));
    if (rc == 0)
        rc = message_send(req->store, &m, record_api, &r, &sent, &err);
    if (rc == 0) {
        rvstate_on_interaction(req, sent.interaction_id, RESOURCE_CREATED);
        api_json(res, 201,
                 json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:s}", "contact_id",
                           (json_int_t)m.contact_id, "channel", m.channel, "purpose", m.purpose,
                           "to", sent.to, "interaction_id", (json_int_t)sent.interaction_id,
                           "sent_at", auth_time_json(sent.sent_at), "consent", sent.state));
        return;
    }
    if (r.answered)
        return;
    char detail[120];
    switch (rc) {
    case KITH_EINVAL:
        api_error(res, 422, "invalid", field_of(err.msg), "%s", err.msg);
        return;
    case KITH_ECONFLICT:
        if (sent.refusal == MESSAGE_NO_CONSENT) {
            snprintf(detail, sizeof(detail), "refused: no consent to %s on %s (%s)", m.purpose,
                     m.channel, sent.state);
            api_audit(req, "message_refused", "contacts", m.contact_id, detail);
            api_error(res, 409, "no_consent", "purpose", "%s", err.msg);
        } else if (sent.refusal == MESSAGE_RESTRICTED) {
            api_audit(req, "message_refused", "contacts", m.contact_id, "refused: restricted");
            api_error(res, 409, "restricted", "contact_id", "%s", err.msg);
        } else {
            api_error(res, 409, "conflict", NULL, "%s", err.msg);
        }
        return;
    case KITH_ENOTFOUND:
        api_error(res, 404, "not_found", "contact_id", "no contact %lld", (long long)m.contact_id);
        return;
    case KITH_EIO:
        api_error(res, 502, "sender_failed", NULL, "the message was not sent: %s", err.msg);
        return;
    default:
        auth_internal_error(res, &err);
    }
}
