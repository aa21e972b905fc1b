/*
 * users.c - /api/v1/users: the people who use kith. Admins list, create and change them; managers
 * read the users of their unit, everyone else only themselves. A "password" member (write-only)
 * is hashed with argon2id (util/password.h); the hash is never shown. A new password, disabling,
 * or a new role, unit or team ends the user's credentials and live streams (auth.h).
 */
#include <sodium.h>
#include <string.h>

#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rv_stream.h"
#include "api/rvstate.h"
#include "util/password.h"

#include "util/banned.h"

/* Runs before the transaction: hashing takes tens of milliseconds. */
static int hash_password(const struct api_resource *r, struct api_request *req,
                         struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    (void)create;
    json_t *pw = json_object_get(req->body, "password");
    char hash[PASSWORD_HASH_SIZE];
    struct kith_error err = {0};
    if (!pw)
        return 0;
    if (!json_is_string(pw)) {
        api_error(res, 422, "invalid", "password", "password must be a string");
        return KITH_EINVAL;
    }
    int rc = password_hash(json_string_value(pw), json_string_length(pw), hash, &err);
    if (rc == 0)
        rc = resource_set_text(row, "password_hash", hash, strlen(hash));
    sodium_memzero(hash, sizeof(hash));
    if (rc == KITH_EINVAL)
        api_error(res, 422, "invalid", "password", "%s", err.msg);
    else if (rc < 0)
        api_error(res, 500, "internal", NULL, "the password could not be stored");
    return rc;
}

/* The integer that row sets field name to; 0 for null. */
static int64_t int_of(const struct resource_row *row, const char *name)
{
    const struct store_value *v = &row->vals[resource_field(row, name)];
    return v->kind == SV_INT ? v->i : 0;
}

/* True if row sets field name to something else than now (an id, 0 for none). */
static bool id_changes(const struct resource_row *row, const char *name, int64_t now)
{
    return resource_is_set(row, name) && int_of(row, name) != now;
}

static bool role_changes(const struct resource_row *row, const char *now)
{
    const struct store_value *v = &row->vals[resource_field(row, "role")];
    return resource_is_set(row, "role") && v->kind == SV_TEXT &&
           (v->len != strlen(now) || memcmp(v->s, now, v->len) != 0);
}

/*
 * Inside a PATCH's transaction: a new password, disabling, or a new role, unit or team ends the
 * user's credentials (docs/internals/auth.md, "Ending credentials"). When administrators change
 * their own password, role, unit or team, the session or token they do it with stays; disabling
 * leaves nothing. Re-enabling revives nothing: it is only audited.
 */
static int end_credentials(const struct api_resource *r, struct api_request *req,
                           struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    struct kith_error err = {0};
    struct store_user_auth u;
    const char *why = NULL;
    bool keep_own = true;
    if (create)
        return 0;
    int rc = store_user_get(req->store, row->id, &u, &err);
    if (rc < 0) {
        auth_internal_error(res, &err);
        return rc;
    }
    bool disable = resource_is_set(row, "disabled") && int_of(row, "disabled") != 0;
    if (resource_is_set(row, "disabled") && disable != u.disabled)
        api_audit(req, disable ? "user_disable" : "user_enable", "users", row->id,
                  "PATCH /api/v1/users");
    if (resource_is_set(row, "password_hash"))
        api_audit(req, "password_change", "users", row->id, "PATCH /api/v1/users");

    if (disable) {
        why = "user_disable";
        keep_own = false;
    } else if (resource_is_set(row, "password_hash")) {
        why = "password_change";
    } else if (role_changes(row, u.role)) {
        why = "role_change";
    } else if (id_changes(row, "unit_id", u.unit_id)) {
        why = "unit_change";
    } else if (id_changes(row, "team_id", u.team_id)) {
        why = "team_change";
    }
    if (why && (rc = auth_end_credentials(req, row->id, why, keep_own, &err)) < 0) {
        auth_internal_error(res, &err);
        return rc;
    }
    return 0;
}

/* After the commit: the snapshot names users; streams whose credential ended stop now. */
static void committed(struct api_request *req, int64_t id, enum resource_change change)
{
    rvstate_on_other(req, id, change);
    if (change == RESOURCE_UPDATED)
        rv_stream_recheck(req->store, id);
}

static const char *const search[] = {"name", "email", NULL};
static const char *const extra[] = {"password", NULL};

static const struct api_resource users = {.table = "users",
                                          .path = "/api/v1/users",
                                          .search = search,
                                          .extra = extra,
                                          .before = hash_password,
                                          .prepare = end_credentials,
                                          .committed = committed};

RESOURCE_DEFINE_READ(users, users)
RESOURCE_DEFINE_WRITE(users, users)
