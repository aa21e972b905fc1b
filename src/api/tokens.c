/*
 * tokens.c - /api/v1/tokens: API tokens for scripts and integrations ("Authorization: Bearer").
 * A token is shown once, when it is created; the store keeps only its hash. Users list and
 * revoke their own tokens; administrators may list and revoke anyone's.
 */
#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/rv_stream.h"
#include "util/num.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define TOKEN_NAME_MAX  100
#define TOKENS_PER_USER 100 /* active tokens one user may hold */
#define TOKEN_PREFIX    "kith_"

static json_t *token_json(const struct store_token *t)
{
    return json_pack("{s:I, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)t->id, "user_id",
                     (json_int_t)t->user_id, "name", t->name, "created_at",
                     auth_time_json(t->created_at), "last_used_at", auth_time_json(t->last_used_at),
                     "revoked_at", auth_time_json(t->revoked_at));
}

static int add_token(void *ctx, const struct store_token *t)
{
    json_t *item = token_json(t);
    if (!item || json_array_append_new(ctx, item) < 0)
        return KITH_ENOMEM;
    return 0;
}

void api_get_tokens(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t user_id = req->who->user_id;
    const char *q = api_query(req, "user_id");
    if (q) {
        int64_t v;
        if (num_int64(q, 1, INT64_MAX, &v, "user_id", NULL) < 0) {
            api_error(res, 422, "invalid", "user_id", "user_id must be a positive whole number");
            return;
        }
        if (v != user_id && !api_role_in(req->who, ROLE_ADMIN)) {
            api_error(res, 403, "forbidden", "user_id",
                      "only administrators may list other users' tokens");
            return;
        }
        struct store_user_auth u;
        int rc = store_user_get(req->store, v, &u, &err);
        if (rc < 0) {
            if (rc == KITH_ENOTFOUND)
                api_error_from(res, &err);
            else
                auth_internal_error(res, &err);
            return;
        }
        user_id = v;
    }
    json_t *items = json_array();
    int rc = items ? store_token_list(req->store, user_id, add_token, items, &err) : KITH_ENOMEM;
    if (rc < 0) {
        json_decref(items);
        if (rc == KITH_ENOMEM)
            kith_err(&err, rc, "out of memory listing tokens");
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 200, json_pack("{s:o}", "items", items));
}

void api_post_token(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    json_t *v = json_is_object(req->body) ? json_object_get(req->body, "name") : NULL;
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        json_string_length(v) > TOKEN_NAME_MAX) {
        api_error(res, 422, "invalid", "name",
                  "the body must be a JSON object with a 'name' of 1 to %d bytes", TOKEN_NAME_MAX);
        return;
    }
    const char *name = json_string_value(v);
    if (strlen(name) != json_string_length(v)) {
        api_error(res, 422, "invalid", "name", "'name' must not contain NUL characters");
        return;
    }
    int64_t active = 0, id = 0, now = store_now_ms();
    char secret[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE];
    secret_new(TOKEN_PREFIX, secret);
    secret_hash(secret, strlen(secret), hash);

    if (store_begin(req->store, &err) < 0)
        goto out_error;
    if (store_token_count_active(req->store, req->who->user_id, &active, &err) < 0)
        goto out_rollback;
    if (active >= TOKENS_PER_USER) {
        store_rollback(req->store);
        api_error(res, 409, "too_many_tokens", NULL,
                  "you have %d active API tokens, the most allowed; revoke one first",
                  TOKENS_PER_USER);
        goto out_wipe;
    }
    if (store_token_create(req->store, req->who->user_id, name, hash, now, &id, &err) < 0)
        goto out_rollback;
    api_audit(req, "token_create", "api_tokens", id, name);
    if (store_commit(req->store, &err) < 0)
        goto out_rollback;
    api_json(res, 201,
             json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id, "name", name, "token", secret,
                       "created_at", auth_time_json(now)));
    goto out_wipe;

out_rollback:
    store_rollback(req->store);
out_error:
    auth_internal_error(res, &err);
out_wipe:
    secret_wipe(secret, sizeof(secret));
}

void api_delete_token(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_token t;
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    int rc = store_token_get(req->store, id, &t, &err);
    /* Someone else's token is "not found" to a non-administrator: ids tell nothing. */
    if (rc == KITH_ENOTFOUND ||
        (rc == 0 && t.user_id != req->who->user_id && !api_role_in(req->who, ROLE_ADMIN))) {
        api_error(res, 404, "not_found", NULL, "no API token %lld", (long long)id);
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    /*
     * Revoking a token ends every credential of its owner (docs/internals/auth.md, "Ending
     * credentials"), but the one this request came with when its owner revokes it. Revoking a
     * revoked token again is not an error and ends nothing more.
     */
    if (!t.revoked_at) {
        if (store_begin(req->store, &err) < 0)
            goto out_error;
        rc = store_token_revoke(req->store, id, store_now_ms(), &err);
        if (rc == 0)
            api_audit(req, "token_revoke", "api_tokens", id, NULL);
        if ((rc < 0 && rc != KITH_ENOTFOUND) ||
            auth_end_credentials(req, t.user_id, "token_revoke", true, &err) < 0 ||
            store_commit(req->store, &err) < 0) {
            store_rollback(req->store);
            goto out_error;
        }
        rv_stream_recheck(req->store, t.user_id);
    }
    res->status = 204;
    return;

out_error:
    auth_internal_error(res, &err);
}
