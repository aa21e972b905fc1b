/*
 * feeds.c - the Atom feeds that keep customers in touch (issue 15, docs/voice.md "Feeds"):
 *
 *   GET /api/v1/feeds, /api/v1/feeds/community, /products/{id}, /segments: staff, signed in or
 *     with an API token (feed readers send "Authorization: Bearer"); ideas and ratings of the
 *     contacts the caller may read.
 *   GET /feeds/{token}, /feeds/{token}/community, /products/{id}, /segments: a contact's secret
 *     feed URL for readers that cannot sign in; only a hash of the token is stored, and a token
 *     revoked (or the contact's portal access revoked) is 404. The segments feed lists the posts
 *     whose segment the contact is in.
 *   POST, DELETE /api/v1/contacts/{id}/feed-token: staff give a contact with portal access its
 *     secret URL (shown once) or revoke it; POST, DELETE /portal/api/feed-token: the contact
 *     signed in to the portal does the same for itself.
 *   POST /api/v1/feed-posts: administrators and managers publish a post to the community, a
 *     product or a segment (model/feed.h checks it; the segment's filter is checked here against
 *     the contacts table).
 *
 * The feed itself is analysis/feeds.c's, shared with `kith voice feeds`. Answers are
 * application/atom+xml with an ETag; If-None-Match of the same tag is 304.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/feeds.h"
#include "api/access.h"
#include "api/audit.h"
#include "api/handlers.h"
#include "api/resource.h"
#include "model/table.h"
#include "util/buf.h"
#include "util/num.h"
#include "util/secret.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define FEED_TOKEN_PREFIX "kf_"

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const wdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

/* Unix seconds as an HTTP date (RFC 9110's IMF-fixdate) into out. */
static void http_date(int64_t secs, char *out, size_t size)
{
    char iso[TIMEFMT_SIZE];
    timefmt_format(secs * 1000, iso); /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    int y = 1970, m = 1, d = 1, hh = 0, mm = 0, ss = 0;
    sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &m, &d, &hh, &mm, &ss);
    const int64_t days = secs >= 0 ? secs / 86400 : 0;
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[days % 7], d,
             months[(m - 1) % 12], y, hh, mm, ss);
}

/* An IMF-fixdate as Unix seconds; false when it is not one. */
static bool http_date_parse(const char *s, int64_t *secs)
{
    char wd[4], mon[4];
    int d, y, hh, mm, ss;
    if (sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &d, mon, &y, &hh, &mm, &ss) != 7)
        return false;
    for (int m = 0; m < 12; m++)
        if (strcmp(mon, months[m]) == 0) {
            *secs = timefmt_days_from_civil(y, m + 1, d) * 86400 + hh * 3600 + mm * 60 + ss;
            return true;
        }
    return false;
}

/* The feed in doc as the answer: 304 when the reader has it already (If-None-Match of its ETag,
 * or without one If-Modified-Since its newest entry). */
static void answer_feed(struct api_request *req, struct api_response *res, struct feed_doc *doc)
{
    snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]), "ETag");
    snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]), "%s", doc->etag);
    snprintf(res->extra_header[1][0], sizeof(res->extra_header[1][0]), "Cache-Control");
    snprintf(res->extra_header[1][1], sizeof(res->extra_header[1][1]), "private, no-cache");
    const int64_t updated = doc->updated >= 0 ? doc->updated / 1000 : 0;
    snprintf(res->extra_header[2][0], sizeof(res->extra_header[2][0]), "Last-Modified");
    http_date(updated, res->extra_header[2][1], sizeof(res->extra_header[2][1]));
    const char *inm = api_header(req, "If-None-Match");
    const char *ims = api_header(req, "If-Modified-Since");
    int64_t since;
    if ((inm && strstr(inm, doc->etag)) ||
        (!inm && ims && doc->nentries && http_date_parse(ims, &since) && since >= updated)) {
        res->status = 304;
        feed_doc_release(doc);
        return;
    }
    res->status = 200;
    res->content_type = "application/atom+xml; charset=utf-8";
    res->text = doc->xml;
    res->text_len = doc->len;
    doc->xml = NULL;
}

/* The JSON array of the contacts of scope, and also of contact `also` (0: none); NULL after
 * answering (*failed). The caller frees the text. */
static char *ids_json(struct api_request *req, struct api_response *res,
                      const struct store_scope *scope, int64_t also, bool *failed)
{
    int64_t *ids = NULL;
    size_t n = 0;
    struct kith_error err = {0};
    *failed = false;
    if (store_scope_ids(req->store, model_table("contacts"), scope, &ids, &n, &err) < 0) {
        api_error_from(res, &err);
        *failed = true;
        return NULL;
    }
    struct buf b;
    buf_init(&b, (size_t)1 << 30);
    int rc = buf_add_str(&b, "[");
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = buf_addf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    if (rc == 0 && also)
        rc = buf_addf(&b, "%s%lld", n ? "," : "", (long long)also);
    if (rc == 0)
        rc = buf_add_str(&b, "]");
    free(ids);
    char *json = rc == 0 ? buf_detach(&b, NULL) : NULL;
    buf_release(&b);
    if (!json) {
        api_error(res, 500, "internal", NULL, "out of memory");
        *failed = true;
    }
    return json;
}

/* The JSON array of the contacts who may be seen by a staff caller, or NULL for every one;
 * *failed after answering. The caller frees the text. */
static char *visible_contacts(struct api_request *req, struct api_response *res, bool *failed)
{
    *failed = false;
    struct store_scope scope;
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role may not read contacts");
        *failed = true;
        return NULL;
    }
    if (scope.all && !scope.hide_private)
        return NULL;
    return ids_json(req, res, &scope, 0, failed);
}

/* A path parameter as an id, or 0 after a 404. */
static int64_t path_id(struct api_request *req, struct api_response *res, int i, const char *what)
{
    int64_t id;
    if (req->nparams <= i || num_int64(req->params[i], 1, INT64_MAX, &id, what, NULL) < 0) {
        api_error(res, 404, "not_found", NULL, "no such %s", what);
        return 0;
    }
    return id;
}

/* ---- a contact's segment ------------------------------------------------------------------- */

/* Who a segment post must reach to be listed: one contact (a secret URL's), or any contact of a
 * staff caller's scope. */
struct reader {
    struct api_request *req;
    int64_t contact_id;              /* 0: any contact in scope */
    const struct store_scope *scope; /* contact_id 0: the caller's read scope of contacts */
};

static int found_row(void *ctx, const struct store_value *vals)
{
    (void)vals;
    *(bool *)ctx = true;
    return 1;
}

/* Whether the reader is in segment (a filter of contacts in the list syntax): the contact, or
 * for staff one contact at least of their scope. */
static int reader_in(void *ctx, const char *segment, bool *in, struct kith_error *err)
{
    const struct reader *r = ctx;
    *in = false;
    if (!segment)
        return 0;
    const struct table_def *t = model_table("contacts");
    char *copy = strdup(segment);
    if (!copy)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    struct store_query q = {.limit = 1};
    struct api_response scratch = {0};
    int rc = 0;
    /* a segment that no longer parses, or has no room for the contact's id, reaches nobody */
    if (resource_parse_filter_text(t, copy, &q, "segment", &scratch) &&
        q.nfilters < STORE_QUERY_MAX_FILTERS) {
        const struct store_scope all = {.all = true};
        if (r->contact_id) {
            size_t idf;
            table_field(t, "id", &idf);
            q.filters[q.nfilters++] = (struct store_filter){
                .field = idf, .op = STORE_EQ, .value = {.kind = SV_INT, .i = r->contact_id}};
        }
        rc = store_list(r->req->store, t, &q, r->contact_id ? &all : r->scope, found_row, in, err);
        rc = rc < 0 ? rc : 0;
    }
    json_decref(scratch.json);
    free(scratch.text);
    free(copy);
    return rc;
}

/* ---- staff ---------------------------------------------------------------------------------- */

void api_get_feeds(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *o = feed_list_json(req->store, "/api/v1/feeds", &err);
    if (o)
        api_json(res, 200, o);
    else
        api_error_from(res, &err);
}

static void staff_feed(struct api_request *req, struct api_response *res, int audience,
                       int64_t product_id)
{
    bool failed;
    char *ids = visible_contacts(req, res, &failed);
    if (failed)
        return;
    struct feed_request r = {.audience = audience,
                             .product_id = product_id,
                             .contact_ids_json = ids,
                             .now_ms = store_now_ms()};
    /* a caller who does not read every contact sees the posts to segments that reach one of
     * its contacts at least */
    struct store_scope scope;
    struct reader rd = {req, 0, &scope};
    if (ids && api_scope(req->who, model_table("contacts"), false, &scope) == 0) {
        r.keep = reader_in;
        r.keep_ctx = &rd;
    }
    struct feed_doc doc;
    struct kith_error err = {0};
    int rc = feed_build(req->store, &r, &doc, &err);
    free(ids);
    if (rc == KITH_ENOTFOUND)
        api_error(res, 404, "not_found", NULL, "%s", err.msg);
    else if (rc < 0)
        api_error_from(res, &err);
    else
        answer_feed(req, res, &doc);
}

void api_get_feed_community(struct api_request *req, struct api_response *res)
{
    staff_feed(req, res, FEED_COMMUNITY, 0);
}

void api_get_feed_product(struct api_request *req, struct api_response *res)
{
    const int64_t id = path_id(req, res, 0, "product");
    if (id)
        staff_feed(req, res, FEED_PRODUCT, id);
}

void api_get_feed_segments(struct api_request *req, struct api_response *res)
{
    staff_feed(req, res, FEED_SEGMENT, 0);
}

/* ---- readers with a secret URL ----------------------------------------------------------------
 */

/* The contact of the token in the path, or 0 after a 404 (unknown, revoked). */
static int64_t token_contact(struct api_request *req, struct api_response *res)
{
    char hash[SECRET_HASH_HEX_SIZE];
    const char *token = req->nparams > 0 ? req->params[0] : "";
    const size_t len = strlen(token);
    int64_t contact = 0;
    struct kith_error err = {0};
    if (len > 0 && len < SECRET_TEXT_SIZE) {
        secret_hash(token, len, hash);
        int rc = store_feed_token_find(req->store, hash, &contact, &err);
        if (rc < 0 && rc != KITH_ENOTFOUND) {
            api_error_from(res, &err);
            return 0;
        }
    }
    if (!contact)
        api_error(res, 404, "not_found", NULL, "no such feed");
    return contact;
}

static void token_feed(struct api_request *req, struct api_response *res, int audience)
{
    const int64_t contact = token_contact(req, res);
    if (!contact)
        return;
    int64_t product = 0;
    if (audience == FEED_PRODUCT && !(product = path_id(req, res, 1, "product")))
        return;
    struct reader rd = {req, contact, NULL};
    /* a member of the community reads the community's ideas and ratings (their authors are not
     * named) but those of the contacts of units that keep their detail private (other than its
     * own), the posts to the community and products, and those to its segments */
    const struct store_scope shared = {.all = true, .hide_private = true};
    bool failed;
    char *ids = ids_json(req, res, &shared, contact, &failed);
    if (failed)
        return;
    struct feed_request r = {.audience = audience,
                             .product_id = product,
                             .contact_ids_json = ids,
                             .reader_contact = contact,
                             .keep = reader_in,
                             .keep_ctx = &rd,
                             .now_ms = store_now_ms()};
    struct feed_doc doc;
    struct kith_error err = {0};
    int rc = feed_build(req->store, &r, &doc, &err);
    free(ids);
    if (rc == KITH_ENOTFOUND)
        api_error(res, 404, "not_found", NULL, "%s", err.msg);
    else if (rc < 0)
        api_error_from(res, &err);
    else
        answer_feed(req, res, &doc);
}

void api_get_token_feeds(struct api_request *req, struct api_response *res)
{
    if (!token_contact(req, res))
        return;
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "/feeds/%s", req->params[0]);
    struct kith_error err = {0};
    json_t *o = feed_list_json(req->store, prefix, &err);
    if (o)
        api_json(res, 200, o);
    else
        api_error_from(res, &err);
}

void api_get_token_feed_community(struct api_request *req, struct api_response *res)
{
    token_feed(req, res, FEED_COMMUNITY);
}

void api_get_token_feed_product(struct api_request *req, struct api_response *res)
{
    token_feed(req, res, FEED_PRODUCT);
}

void api_get_token_feed_segments(struct api_request *req, struct api_response *res)
{
    token_feed(req, res, FEED_SEGMENT);
}

/* ---- giving and revoking a contact's secret URL ---------------------------------------------- */

/* The contact of the path, one the caller may change; 0 after answering. */
static int64_t writable_contact(struct api_request *req, struct api_response *res)
{
    const int64_t id = path_id(req, res, 0, "contact");
    if (!id)
        return 0;
    struct store_scope scope;
    struct kith_error err = {0};
    if (api_scope(req->who, model_table("contacts"), true, &scope) < 0 ||
        store_get(req->store, model_table("contacts"), id, &scope, NULL, NULL, &err) < 0) {
        api_error(res, 404, "not_found", NULL, "no such contact");
        return 0;
    }
    return id;
}

/* A new secret feed URL of contact id (which has portal access, else 409), answered 201 with the
 * token shown once. */
static void make_token(struct api_request *req, struct api_response *res, int64_t id)
{
    struct store_portal_account a;
    struct kith_error err = {0};
    int rc = store_portal_account_get(req->store, id, &a, &err);
    if (rc == KITH_ENOTFOUND || (rc == 0 && a.revoked_at)) {
        api_error(res, 409, "conflict", NULL,
                  "the contact has no portal access: invite it to the portal first");
        return;
    }
    if (rc < 0) {
        api_error_from(res, &err);
        return;
    }
    char token[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE];
    secret_new(FEED_TOKEN_PREFIX, token);
    secret_hash(token, strlen(token), hash);
    if (store_begin(req->store, &err) < 0 ||
        store_feed_token_create(req->store, id, hash, store_now_ms(), req->who->user_id, &err) <
            0) {
        store_rollback(req->store);
        secret_wipe(token, sizeof(token));
        api_error_from(res, &err);
        return;
    }
    api_audit(req, "create", "feed_tokens", id, "a new secret feed URL (the old one revoked)");
    if (store_commit(req->store, &err) < 0) {
        store_rollback(req->store);
        secret_wipe(token, sizeof(token));
        api_error_from(res, &err);
        return;
    }
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "/feeds/%s", token);
    json_t *list = feed_list_json(req->store, prefix, &err);
    json_t *o = list ? json_pack("{s:I, s:s, s:s, s:o}", "contact_id", (json_int_t)id, "token",
                                 token, "url", prefix, "feeds", json_object_get(list, "feeds"))
                     : NULL;
    if (o)
        json_incref(json_object_get(list, "feeds"));
    json_decref(list);
    secret_wipe(token, sizeof(token));
    if (o)
        api_json(res, 201, o);
    else
        api_error(res, 500, "internal", NULL, "out of memory");
}

void api_post_feed_token(struct api_request *req, struct api_response *res)
{
    const int64_t id = writable_contact(req, res);
    if (id)
        make_token(req, res, id);
}

/* Revokes contact id's secret feed URL: 204, or 404 when it has none. */
static void revoke_token(struct api_request *req, struct api_response *res, int64_t id)
{
    struct kith_error err = {0};
    int revoked = 0;
    if (store_begin(req->store, &err) < 0 ||
        store_feed_token_revoke(req->store, id, store_now_ms(), &revoked, &err) < 0) {
        store_rollback(req->store);
        api_error_from(res, &err);
        return;
    }
    if (!revoked) {
        store_rollback(req->store);
        api_error(res, 404, "not_found", NULL, "the contact has no feed URL");
        return;
    }
    api_audit(req, "revoke", "feed_tokens", id, "the secret feed URL revoked");
    if (store_commit(req->store, &err) < 0) {
        store_rollback(req->store);
        api_error_from(res, &err);
        return;
    }
    res->status = 204;
}

void api_delete_feed_token(struct api_request *req, struct api_response *res)
{
    const int64_t id = writable_contact(req, res);
    if (id)
        revoke_token(req, res, id);
}

/* The portal: the signed-in contact makes or revokes its own secret feed URL. */
void api_portal_post_feed_token(struct api_request *req, struct api_response *res)
{
    make_token(req, res, req->who->contact_id);
}

void api_portal_delete_feed_token(struct api_request *req, struct api_response *res)
{
    revoke_token(req, res, req->who->contact_id);
}

/* ---- publishing a post --------------------------------------------------------------------- */

static const char *body_text(json_t *body, const char *key, bool *bad)
{
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

void api_post_feed_post(struct api_request *req, struct api_response *res)
{
    json_t *body = req->body;
    if (!json_is_object(body)) {
        api_error(res, 422, "invalid", NULL,
                  "the body must be a JSON object: {\"title\", \"body\", \"audience\","
                  " \"product_id\", \"segment\", \"published_at\"}");
        return;
    }
    static const char *const keys[] = {"title",   "body",         "audience", "product_id",
                                       "segment", "published_at", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            known |= strcmp(key, keys[i]) == 0;
        if (!known) {
            api_error(res, 422, "invalid", key, "'%.64s' is not a field of a post", key);
            return;
        }
    }
    struct feed_post p = {.published_at = store_now_ms(), .user_id = req->who->user_id};
    bool bad = false;
    const char *field = NULL;
    p.title = body_text(body, "title", &bad);
    if (bad)
        field = "title";
    p.body = body_text(body, "body", &bad);
    if (bad && !field)
        field = "body";
    const char *audience = body_text(body, "audience", &bad);
    if (bad && !field)
        field = "audience";
    p.audience = feed_audience_from_name(audience);
    p.segment = body_text(body, "segment", &bad);
    if (bad && !field)
        field = "segment";
    if (field) {
        api_error(res, 422, "invalid", field, "'%s' must be text", field);
        return;
    }
    if ((v = json_object_get(body, "product_id")) && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            api_error(res, 422, "invalid", "product_id", "'product_id' must be a product's id");
            return;
        }
        p.product_id = json_integer_value(v);
    }
    if ((v = json_object_get(body, "published_at")) && !json_is_null(v)) {
        struct kith_error terr = {0};
        if (!json_is_string(v) || timefmt_parse(json_string_value(v), json_string_length(v),
                                                &p.published_at, &terr) < 0) {
            api_error(res, 422, "invalid", "published_at",
                      "'published_at' must be a time (ISO 8601)");
            return;
        }
    }
    struct kith_error err = {0};
    if (feed_post_check(&p, &field, &err) < 0) {
        api_error(res, 422, "invalid", field, "'%s' %s", field, err.msg);
        return;
    }
    if (p.product_id) {
        char name[8];
        if (store_feed_product_name(req->store, p.product_id, name, sizeof(name), &err) < 0) {
            api_error(res, 422, "invalid", "product_id", "no product %lld",
                      (long long)p.product_id);
            return;
        }
    }
    if (p.segment) { /* the segment must be a filter of contacts the API can read */
        char *copy = strdup(p.segment);
        struct store_query q = {.limit = 1};
        if (!copy) {
            api_error(res, 500, "internal", NULL, "out of memory");
            return;
        }
        bool ok = resource_parse_filter_text(model_table("contacts"), copy, &q, "segment", res);
        free(copy);
        if (!ok)
            return;
    }
    int64_t id = 0;
    if (store_begin(req->store, &err) < 0 ||
        store_feed_post_add(req->store, &p, store_now_ms(), &id, &field, &err) < 0) {
        store_rollback(req->store);
        if (field)
            api_error(res, 422, "invalid", field, "'%s' %s", field, err.msg);
        else
            api_error_from(res, &err);
        return;
    }
    api_audit(req, "create", "feed_posts", id, feed_audience_name(p.audience));
    if (store_commit(req->store, &err) < 0) {
        store_rollback(req->store);
        api_error_from(res, &err);
        return;
    }
    char at[TIMEFMT_SIZE];
    timefmt_format(p.published_at, at);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s}", "id", (json_int_t)id, "title",
                          p.title, "audience", feed_audience_name(p.audience), "body", p.body,
                          "segment", p.segment, "published_at", at);
    if (o && p.product_id)
        json_object_set_new(o, "product_id", json_integer(p.product_id));
    if (o)
        api_json(res, 201, o);
    else
        api_error(res, 500, "internal", NULL, "out of memory");
}
