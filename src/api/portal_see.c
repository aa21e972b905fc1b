/*
 * portal_see.c - what the signed-in customer sees beyond its rows (docs/portal.md, "What the
 * customer sees"; issue 16, item 2, GDPR Art. 15(1)(h)):
 *
 *   GET /portal/api/me/inferences  what the company infers about the contact, each with what it
 *                                  is and how it is derived: the RV engine's view (RV, level,
 *                                  stage, strength, position against its peers), the value
 *                                  analyses' (value tier, RFM segment, REAP lever), look-alikes;
 *   GET /portal/api/me/access-log  the units and partners holding its data, and who looked at
 *                                  or changed it (the audit log's entries of its records);
 *   GET /portal/api/export         the data-subject export (io/dsr_export.h) for the contact
 *                                  itself: JSON, or ?format=zip. The "My data" page shows it.
 *
 * The inferences are not computed here: each comes from its analysis's one run function and its
 * one JSON writer (rv_run() and rv_report_json(), value_run() and value_report_json()), as
 * `kith rv contact` and `kith value rfm|reap --account` compute them; this file only picks the
 * contact's own figures out of them and says what they mean. Figures about other customers
 * (the norm's percentiles, segment counts) are left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "analysis/rv.h"
#include "analysis/value.h"
#include "api/alike_kept.h"
#include "api/auth.h"
#include "api/portal.h"
#include "api/rvstate.h"
#include "io/dsr_export.h"

#include "util/banned.h"

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- what each inference means ---- */

static const char rv_meaning[] =
    "Relationship Value (RV): the sum of the values of your interactions with the company. Each "
    "kind of interaction (a call, a visit, a complaint ...) carries a value in the company's "
    "catalogue, from negative (it strains the relationship) to positive (it builds it); an "
    "interaction that was voided, and the one voiding it, do not count. Strength is the same sum "
    "with each interaction's value halved every half-life days since it happened, so that recent "
    "interactions weigh more.";
static const char position_meaning[] =
    "Your position: where your cumulative RV stands, at your relationship's age, among the "
    "relationships of the same group (your team's contacts) at the same age: the percentile, and "
    "'behind' below the 10th, 'ahead' above the 90th, 'normal' between. Staff use it to see "
    "relationships that fall behind.";
static const char value_tier_meaning[] =
    "Value tier: the quintile (1 lowest to 5 highest) of your account's lifetime value among all "
    "the company's customers. Lifetime value is the margin of your account's orders to date plus "
    "the value its future orders are predicted to bring (a BG/NBD and Gamma-Gamma model fitted "
    "over all customers' orders), less the cost of serving it.";
static const char rfm_meaning[] =
    "RFM segment: your account's orders scored on recency (how recently it ordered), frequency "
    "(how often) and monetary value (how much), each from 1 to 5 as a quintile among all the "
    "company's customers; the three scores name the segment (for example 'champions', 'at risk', "
    "'lost').";
static const char reap_meaning[] =
    "REAP lever: what the company plans to do with your account's relationship: retain, "
    "extend (sell more of what you buy), acquire look-alikes (find customers like you), "
    "penetrate (offer what you do not yet buy) or serve more efficiently. It is chosen by the "
    "first of a fixed list of rules on the value tier, the probability that you are still an "
    "active customer and the products you hold; the reason says which rule applied.";
static const char lookalike_meaning[] =
    "Look-alike group: the customers most like you by your company's sector and size, what you "
    "bought and how much, and the intentions you chose to share in surveys (docs/voice.md, "
    "\"Someone like me\"). We use what they bought next to suggest products to you. Shown here: "
    "how many they are and those products; never who they are.";

static json_t *inference(const char *name, const char *label, json_t *value, const char *status,
                         const char *reason, const char *meaning)
{
    return json_pack("{s:s, s:s, s:o, s:s, s:s*, s:s}", "name", name, "label", label, "value",
                     value ? value : json_null(), "status", status, "reason", reason, "meaning",
                     meaning);
}

/* Appends o to a (stolen); false when o is NULL or out of memory. */
static bool append(json_t *a, json_t *o)
{
    return o && json_array_append_new(a, o) == 0;
}

/* ---- the RV engine's view of the contact ---- */

/* The contact's own part of the RV report: no percentiles of other contacts. */
static json_t *rv_own(json_t *rep)
{
    json_t *pos = json_array(), *p;
    size_t i;
    json_array_foreach(json_object_get(rep, "positions"), i, p)
    {
        json_array_append_new(pos, json_pack("{s:O*, s:O*, s:O*}", "group",
                                             json_object_get(json_object_get(p, "group"), "field"),
                                             "percentile", json_object_get(p, "percentile"),
                                             "status", json_object_get(p, "status")));
    }
    return json_pack(
        "{s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:O*, s:o}", "rv",
        json_object_get(rep, "rv"), "level", json_object_get(rep, "level"), "stage",
        json_object_get(rep, "stage"), "interactions", json_object_get(rep, "interactions"),
        "first_interaction", json_object_get(rep, "first_interaction"), "last_interaction",
        json_object_get(rep, "last_interaction"), "strength", json_object_get(rep, "strength"),
        "half_life_days", json_object_get(rep, "half_life_days"), "age_days",
        json_object_get(rep, "age_days"), "positions", pos);
}

/* Adds the RV inferences to a; false with err when the engine failed. */
static bool rv_inferences(struct api_request *req, int64_t cid, json_t *a, struct kith_error *err)
{
    const struct analysis_def *def = analysis_find(&analysis_rv, "contact");
    struct rv_params p;
    param_defaults(&analysis_rv, &p);
    p.contact_id = cid;
    const struct norm_result *live;
    const struct rv_snapshot *snap = rvstate_read_begin(&live);
    json_t *rep = NULL;
    if (snap) {
        struct rv_scope src = {.snap = snap, .store = req->store, .nthreads = 1};
        struct rv_report r = {0};
        struct rv_error rerr = {0};
        if (rv_run(def, &src, &p, &r, &rerr) == 0)
            rep = rv_report_json(&r); /* under the lock: labels come from the snapshot */
        rv_report_release(&r);
    }
    rvstate_read_end();
    json_t *own = rep ? rv_own(rep) : NULL;
    json_decref(rep);
    const char *why = snap ? "not computed yet: your relationship has no counted interaction"
                           : "the Relationship Value engine is not running";
    bool ok = append(a, inference("relationship_value", "Relationship Value (RV)", own,
                                  own ? "computed" : "not computed", own ? NULL : why, rv_meaning));
    json_t *level = own ? json_incref(json_object_get(own, "level")) : NULL;
    json_t *stage = own ? json_incref(json_object_get(own, "stage")) : NULL;
    json_t *positions = own ? json_object_get(own, "positions") : NULL;
    json_t *first = json_array_get(positions, 0);
    ok = ok &&
         append(a, inference("relationship_level", "Relationship level", level,
                             level ? "computed" : "not computed", level ? NULL : why,
                             dsr_inference_meaning("relationship_level"))) &&
         append(a, inference("lifecycle_stage", "Lifecycle stage", stage,
                             stage ? "computed" : "not computed", stage ? NULL : why,
                             dsr_inference_meaning("lifecycle_stage"))) &&
         append(a, inference("rv_position", "Position among your peers",
                             first ? json_incref(first) : NULL, first ? "computed" : "not computed",
                             first ? NULL : "no group of peers to compare with at your age",
                             position_meaning));
    if (!ok)
        kith_err(err, KITH_ENOMEM, "out of memory");
    return ok;
}

/* ---- the value analyses' view of the contact's account ---- */

/* Runs value analysis a for account aid alone; *out the customer's row, or NULL with *why. */
static int value_row(struct store *s, enum value_analysis a, int64_t aid, json_t **out,
                     const char **why, struct kith_error *err)
{
    struct value_params p;
    char id[32];
    *out = NULL;
    param_defaults(&analysis_value, &p);
    snprintf(id, sizeof(id), "%lld", (long long)aid);
    const struct param_spec *spec =
        param_find(&analysis_value, value_def(a)->group, "account", false);
    int rc = spec ? param_set(&analysis_value, spec, &p, id, "account", err) : KITH_EINVAL;
    if (rc < 0)
        return rc;
    struct value_scope vs = {.store = s};
    struct value_report x;
    rc = value_run(a, &p, &vs, &x, err);
    if (rc < 0) {
        switch (x.failure) {
        case VALUE_FAILED_NO_CUSTOMERS:
        case VALUE_FAILED_NOT_CUSTOMER:
            *why = "not computed: your account has no orders";
            return 0;
        case VALUE_FAILED_NOT_CONVERGED:
            *why = "not computed: the company's value model could not be fitted";
            return 0;
        case VALUE_FAILED_NO_ACCOUNT:
            *why = "not computed: no account";
            return 0;
        default:
            return rc;
        }
    }
    *out = value_report_json(&x);
    value_report_release(&x);
    return *out ? 0 : kith_err(err, KITH_ENOMEM, "out of memory");
}

static bool value_inferences(struct store *s, int64_t aid, json_t *a, struct kith_error *err)
{
    json_t *rfm = NULL, *reap = NULL;
    const char *why_rfm = "not computed: you have no account with orders", *why_reap = why_rfm;
    if (aid && (value_row(s, VALUE_RFM, aid, &rfm, &why_rfm, err) < 0 ||
                value_row(s, VALUE_REAP, aid, &reap, &why_reap, err) < 0)) {
        json_decref(rfm);
        return false;
    }
    json_t *tier = reap ? json_pack("{s:O*, s:O*}", "tier", json_object_get(reap, "tier"),
                                    "p_alive", json_object_get(reap, "p_alive"))
                        : NULL;
    json_t *seg = rfm ? json_pack("{s:O*, s:O*, s:O*, s:O*, s:O*, s:O*}", "segment",
                                  json_object_get(rfm, "segment"), "r", json_object_get(rfm, "r"),
                                  "f", json_object_get(rfm, "f"), "m", json_object_get(rfm, "m"),
                                  "recency_days", json_object_get(rfm, "recency_days"), "orders",
                                  json_object_get(rfm, "orders"))
                      : NULL;
    json_t *lever =
        reap ? json_pack("{s:O*, s:O*, s:O*}", "lever", json_object_get(reap, "lever"), "rule",
                         json_object_get(reap, "rule"), "reason", json_object_get(reap, "reason"))
             : NULL;
    json_decref(rfm);
    json_decref(reap);
    bool ok =
        append(a, inference("value_segment", "Value tier", tier, tier ? "computed" : "not computed",
                            tier ? NULL : why_reap, value_tier_meaning)) &&
        append(a, inference("rfm_segment", "RFM segment", seg, seg ? "computed" : "not computed",
                            seg ? NULL : why_rfm, rfm_meaning)) &&
        append(a, inference("reap_lever", "REAP lever", lever, lever ? "computed" : "not computed",
                            lever ? NULL : why_reap, reap_meaning));
    if (!ok)
        kith_err(err, KITH_ENOMEM, "out of memory");
    return ok;
}

/* The contact's account id (0: none). */
/* ---- someone like me ---- */

/*
 * The look-alike inference of contact cid: the analysis `voice alike` over every contact (the
 * company's view, not the people map's), of which the customer is shown only the number of its
 * neighbours and the products their next purchases point to. Appends it to a; false only when
 * out of memory (a contact the analysis cannot place gets "not computed" with the reason).
 */
static bool lookalike_inference(struct api_request *req, int64_t cid, json_t *a,
                                struct kith_error *err)
{
    struct kith_error why = {0};
    struct voice_params p;
    char id[32];
    json_t *value = NULL;
    param_defaults(&analysis_voice, &p);
    snprintf(id, sizeof(id), "%lld", (long long)cid);
    struct kept_item *kept = NULL;
    if (param_set(&analysis_voice,
                  param_find(&analysis_voice, voice_def(VOICE_ALIKE)->group, "contact", false), &p,
                  id, "contact", &why) == 0 &&
        (kept = alike_kept_begin(req->store, ALIKE_CONTACTS, &why)) != NULL) {
        struct voice_scope vs = {.store = req->store, .role = "admin"};
        vs.models[ALIKE_CONTACTS] = kept->value;
        struct voice_report r;
        const char *param;
        if (voice_run(VOICE_ALIKE, &p, &vs, &r, &why, &param) == 0) {
            json_t *j = voice_report_json(&r);
            voice_report_release(&r);
            json_t *names = json_array(), *x;
            size_t i;
            json_array_foreach(json_object_get(j, "recommended"), i, x)
            {
                json_array_append(names, json_object_get(x, "name"));
            }
            if (j && names)
                value = json_pack("{s:I, s:O}", "customers_like_you",
                                  (json_int_t)json_array_size(json_object_get(j, "neighbours")),
                                  "their_next_purchases", names);
            json_decref(names);
            json_decref(j);
            if (!value) {
                alike_kept_end(kept);
                kith_err(err, KITH_ENOMEM, "out of memory");
                return false;
            }
        }
        alike_kept_end(kept);
    }
    return append(a, inference("lookalike_group", "Look-alike group", value,
                               value ? "computed" : "not computed", value ? NULL : why.msg,
                               lookalike_meaning));
}

static int read_account_id(void *ctx, const struct store_value *vals)
{
    size_t i;
    table_field(model_table("contacts"), "account_id", &i);
    *(int64_t *)ctx = vals[i].kind == SV_INT ? vals[i].i : 0;
    return 0;
}

void api_portal_me_inferences(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_scope all = {.all = true};
    int64_t cid = req->who->contact_id, aid = 0;
    json_t *a = json_array();
    if (!a ||
        store_get(req->store, model_table("contacts"), cid, &all, read_account_id, &aid, &err) <
            0 ||
        !rv_inferences(req, cid, a, &err) || !value_inferences(req->store, aid, a, &err) ||
        !lookalike_inference(req, cid, a, &err)) {
        json_decref(a);
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:I, s:o}", "contact_id", (json_int_t)cid, "inferences", a));
}

/* ---- who holds the data, who looked at it or changed it ---- */

#define ACCESS_LOG_MAX 500 /* entries in one answer, newest first */
#define USERS_SEEN_MAX 64  /* staff named in one answer (more: by id only) */

struct staff {
    int64_t id;
    char name[201];
    char role[32];
    char unit[201];
};

struct access_log {
    struct store *s;
    json_t *items;
    struct staff seen[USERS_SEEN_MAX];
    size_t nseen;
    int64_t unit_id;
    struct staff *cur;
    struct kith_error *err;
};

static void copy_text(const struct store_value *v, char *out, size_t size)
{
    snprintf(out, size, "%.*s", v->kind == SV_TEXT ? (int)v->len : 0,
             v->kind == SV_TEXT ? v->s : "");
}

static int read_user(void *ctx, const struct store_value *vals)
{
    struct access_log *l = ctx;
    const struct table_def *t = model_table("users");
    size_t i;
    table_field(t, "name", &i);
    copy_text(&vals[i], l->cur->name, sizeof(l->cur->name));
    table_field(t, "role", &i);
    copy_text(&vals[i], l->cur->role, sizeof(l->cur->role));
    table_field(t, "unit_id", &i);
    l->unit_id = vals[i].kind == SV_INT ? vals[i].i : 0;
    return 0;
}

static int read_unit(void *ctx, const struct store_value *vals)
{
    struct access_log *l = ctx;
    size_t i;
    table_field(model_table("units"), "name", &i);
    copy_text(&vals[i], l->cur->unit, sizeof(l->cur->unit));
    return 0;
}

/* Who user id is, as {"kind": "staff", "name", "role", "unit"}; read once per answer. */
static json_t *who_json(struct access_log *l, int64_t id)
{
    struct store_scope all = {.all = true};
    struct staff *u = NULL, one = {.id = id};
    for (size_t i = 0; i < l->nseen && !u; i++)
        if (l->seen[i].id == id)
            u = &l->seen[i];
    if (!u) {
        u = l->nseen < USERS_SEEN_MAX ? &l->seen[l->nseen++] : &one;
        *u = (struct staff){.id = id};
        l->cur = u;
        l->unit_id = 0;
        struct kith_error ignored = {0};
        store_get(l->s, model_table("users"), id, &all, read_user, l, &ignored);
        if (l->unit_id)
            store_get(l->s, model_table("units"), l->unit_id, &all, read_unit, l, &ignored);
    }
    return json_pack("{s:s, s:I, s:s, s:s, s:s}", "kind", "staff", "user_id", (json_int_t)id,
                     "name", u->name[0] ? u->name : "a former member of staff", "role", u->role,
                     "unit", u->unit);
}

/* A sentence for an audit action on the contact's records. */
static const char *what_of(const char *action, const char *table)
{
    static const struct {
        const char *action, *table, *what;
    } w[] = {
        {"create", "contacts", "created your record"},
        {"update", "contacts", "changed your record"},
        {"export", "contacts", "exported everything held about you"},
        {"portal_invite", "contacts", "invited you to this portal"},
        {"portal_revoke", "contacts", "ended your access to this portal"},
        {"portal_accept", "contacts", "you accepted your invitation and chose a password"},
        {"portal_sign_in", "contacts", "you signed in to this portal"},
        {"portal_sign_out", "contacts", "you signed out of this portal"},
        {"portal_link_sent", "contacts", "a sign-in link was sent to your email"},
        {"portal_sign_in_failed", "contacts", "a sign-in to your portal access failed"},
        {"portal_sign_in_throttled", "contacts", "sign-ins to your portal access were paused"},
        {"correction_propose", "corrections", "you proposed a correction"},
        {"correction_accept", "corrections", "accepted your correction"},
        {"correction_reject", "corrections", "rejected your correction"},
    };
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
        if (strcmp(w[i].action, action) == 0 && strcmp(w[i].table, table) == 0)
            return w[i].what;
    return action;
}

static int add_entry(void *ctx, const struct store_audit_entry *e)
{
    struct access_log *l = ctx;
    if (json_array_size(l->items) >= ACCESS_LOG_MAX)
        return 1;
    json_t *by = e->user_id ? who_json(l, e->user_id)
                            : json_pack("{s:s}", "kind",
                                        strncmp(e->action, "portal_", 7) == 0 ||
                                                strcmp(e->action, "correction_propose") == 0
                                            ? "you"
                                            : "system");
    json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:I, s:s*, s:o}", "id", (json_int_t)e->id,
                          "at", auth_time_json(e->created_at), "action", e->action, "what",
                          what_of(e->action, e->table_name ? e->table_name : ""), "table",
                          e->table_name ? e->table_name : "", "record_id", (json_int_t)e->record_id,
                          "detail", e->detail, "by", by);
    if (!o || json_array_append_new(l->items, o) < 0)
        return kith_err(l->err, KITH_ENOMEM, "out of memory");
    return 0;
}

static int add_holder(void *ctx, const struct store_holder *h)
{
    json_t *why = json_array();
    if (h->why & STORE_HOLDS_RECORD)
        json_array_append_new(why, json_string("your record is kept by this unit"));
    if (h->why & STORE_HOLDS_ACCOUNT)
        json_array_append_new(why, json_string("your account is kept by this unit"));
    if (h->why & STORE_HOLDS_INTERACTIONS)
        json_array_append_new(why, json_string("its staff recorded interactions with you"));
    if (h->why & STORE_HOLDS_DEALS)
        json_array_append_new(why, json_string("it keeps a deal with you"));
    if (h->why & STORE_HOLDS_ORDERS)
        json_array_append_new(why, json_string("its staff sold your orders"));
    json_t *o = json_pack(
        "{s:I, s:s, s:s, s:b, s:o}", "unit_id", (json_int_t)h->unit_id, "name", h->name, "kind",
        h->kind, "partner",
        strcmp(h->kind, "manufacturer") != 0 && strcmp(h->kind, "business_unit") != 0, "why", why);
    return o && json_array_append_new(ctx, o) == 0 ? 0 : KITH_ENOMEM;
}

/* Newest-first merge of two arrays of entries by "id". */
static int by_id_desc(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
    return (y > x) - (y < x);
}

struct ids {
    int64_t v[200];
    size_t n;
};

static int add_id(void *ctx, const struct store_value *vals)
{
    struct ids *ids = ctx;
    if (ids->n < sizeof(ids->v) / sizeof(ids->v[0]))
        ids->v[ids->n++] = vals[0].i;
    return 0;
}

void api_portal_me_access_log(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t cid = req->who->contact_id;
    struct access_log *l = calloc(1, sizeof(*l));
    json_t *holders = json_array();
    if (!l || !holders) {
        free(l);
        json_decref(holders);
        api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    *l = (struct access_log){.s = req->store, .items = json_array(), .err = &err};
    /* the contact's record, then its corrections (at most the newest 200) */
    struct store_audit_filter f = {
        .table_name = "contacts", .record_id = cid, .limit = ACCESS_LOG_MAX};
    int rc = l->items ? store_audit_query(req->store, &f, add_entry, l, &err) : KITH_ENOMEM;
    if (rc == 1)
        rc = 0;
    struct ids ids = {0};
    const struct table_def *t = model_table("corrections");
    struct store_query q = {.nfilters = 1, .descending = true, .limit = 200};
    struct store_scope all = {.all = true};
    table_field(t, "contact_id", &q.filters[0].field);
    q.filters[0].op = STORE_EQ;
    q.filters[0].value = (struct store_value){.kind = SV_INT, .i = cid};
    if (rc == 0)
        rc = store_list(req->store, t, &q, &all, add_id, &ids, &err);
    for (size_t i = 0; i < ids.n && rc == 0; i++) {
        struct store_audit_filter fc = {
            .table_name = "corrections", .record_id = ids.v[i], .limit = 10};
        rc = store_audit_query(req->store, &fc, add_entry, l, &err);
        if (rc == 1)
            rc = 0;
    }
    if (rc == 0)
        rc = store_portal_holders(req->store, cid, add_holder, holders, &err);
    if (rc < 0) {
        json_decref(l->items);
        json_decref(holders);
        free(l);
        if (rc == KITH_ENOMEM)
            kith_err(&err, rc, "out of memory");
        auth_internal_error(res, &err);
        return;
    }
    /* newest first across both queries */
    size_t n = json_array_size(l->items);
    json_t **v = malloc((n ? n : 1) * sizeof(*v));
    json_t *items = json_array();
    if (v && items) {
        for (size_t i = 0; i < n; i++)
            v[i] = json_array_get(l->items, i);
        qsort(v, n, sizeof(*v), by_id_desc);
        for (size_t i = 0; i < n && i < ACCESS_LOG_MAX; i++)
            json_array_append(items, v[i]);
    }
    free(v);
    json_decref(l->items);
    free(l);
    api_json(res, 200,
             json_pack("{s:I, s:o, s:o, s:s}", "contact_id", (json_int_t)cid, "holders", holders,
                       "entries", items ? items : json_array(), "note",
                       "Staff reading your record on screen is not logged one view at a time; "
                       "exports, changes, invitations and decisions on your corrections are. "
                       "Your own visits to this portal are not listed."));
}

/* ---- the export for the contact itself ---- */

void api_portal_export(struct api_request *req, struct api_response *res)
{
    const char *format = api_query(req, "format");
    struct kith_error err = {0};
    int64_t cid = req->who->contact_id;
    bool zip = format && strcmp(format, "zip") == 0;
    if (format && !zip && strcmp(format, "json") != 0) {
        api_error(res, 400, "bad_request", "format", "format must be json or zip");
        return;
    }
    int rc;
    if (zip) {
        unsigned char *data = NULL;
        size_t len = 0;
        rc = dsr_export_zip(req->store, cid, now_ms(), DSR_FOR_SUBJECT, &data, &len, &err);
        if (rc == 0) {
            res->status = 200;
            res->text = (char *)data;
            res->text_len = len;
            res->content_type = "application/zip";
            snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]),
                     "Content-Disposition");
            snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]),
                     "attachment; filename=\"my-data.zip\"");
        }
    } else {
        json_t *doc = NULL;
        rc = dsr_export_json(req->store, cid, now_ms(), DSR_FOR_SUBJECT, &doc, &err);
        if (rc == 0)
            api_json(res, 200, doc);
    }
    /* not audited: the contact reading its own data is no access by anyone else (the portal's
       "My data" page reads this); docs/portal.md, "What is audited" */
    if (rc < 0)
        api_error_from(res, &err);
}
