/*
 * users.c - /api/v1/users: the people who use kith. Admins list, create and change them; managers
 * read the users of their unit, everyone else only themselves. A "password" member (write-only)
 * is hashed with argon2id (util/password.h); the hash is never shown.
 */
#include <sodium.h>
#include <string.h>

#include "api/handlers.h"
#include "api/resource.h"
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

static const char *const search[] = {"name", "email", NULL};
static const char *const extra[] = {"password", NULL};

static const struct api_resource users = {.table = "users",
                                          .path = "/api/v1/users",
                                          .search = search,
                                          .extra = extra,
                                          .before = hash_password,
                                          .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(users, users)
RESOURCE_DEFINE_WRITE(users, users)
