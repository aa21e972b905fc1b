/*
 * session.c - /api/v1/session: sign in with email and password (throttled per account and per
 * client address), who am I, and sign out. A sign-in makes a fresh session id; only its hash
 * and its CSRF token's hash are stored. See docs/internals/auth.md.
 */
#include "api/audit.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/rv_stream.h"

#include <stdio.h>
#include <string.h>

#include "util/password.h"

#include "util/banned.h"

/*
 * Throttling: failed sign-ins are rows of the audit log (action "sign_in_failed", detail the
 * lower-cased email), so the count survives restarts and is shared by every server process on
 * the database. Attempts refused by the throttle are audited as "sign_in_throttled" and do not
 * count, so the window really ends 15 minutes after the failures.
 */
#define SIGNIN_EMAIL_MAX 254

static const char bad_credentials[] = "wrong email or password";

/* Ends the session of the cookie the request came with, if any (a new sign-in replaces it). */
static const struct auth_throttle staff_throttle = {"sign_in_failed", "sign_in_throttled", "users",
                                                    "account"};

static void end_previous_session(struct api_request *req, int64_t now)
{
    struct kith_error err = {0};
    struct store_session old;
    char hash[SECRET_HASH_HEX_SIZE];
    const char *cookie = auth_cookie(req);
    if (!cookie || strlen(cookie) >= SECRET_TEXT_SIZE)
        return;
    secret_hash(cookie, strlen(cookie), hash);
    if (store_session_find(req->store, hash, now, &old, NULL, &err) == 0)
        store_session_delete(req->store, old.id, &err);
}

/* Creates the session of user and answers 200 with the user, the CSRF token and the cookie. */
static void start_session(struct api_request *req, const struct store_user_auth *user, int64_t now,
                          struct api_response *res)
{
    struct kith_error err = {0};
    char secret[SECRET_TEXT_SIZE], csrf[SECRET_TEXT_SIZE];
    char secret_hash_hex[SECRET_HASH_HEX_SIZE], csrf_hash[SECRET_HASH_HEX_SIZE];
    int64_t sid = 0, expires = auth_session_expiry(now, now);
    secret_new("", secret);
    auth_csrf_token(secret, csrf);
    secret_hash(secret, strlen(secret), secret_hash_hex);
    secret_hash(csrf, strlen(csrf), csrf_hash);

    if (store_begin(req->store, &err) < 0)
        goto out_error;
    end_previous_session(req, now);
    store_sessions_purge(req->store, now, NULL, &err);
    if (store_session_create(req->store, user->id, secret_hash_hex, csrf_hash, now, expires, &sid,
                             &err) < 0)
        goto out_rollback;
    api_audit_as(req, user->id, "sign_in", "sessions", sid, NULL);
    if (store_commit(req->store, &err) < 0)
        goto out_rollback;

    json_t *body = json_pack("{s:o, s:s, s:o}", "user", auth_user_json(user), "csrf_token", csrf,
                             "expires_at", auth_time_json(expires));
    if (!body) {
        api_error(res, 500, "internal", NULL, "out of memory");
        goto out_wipe;
    }
    auth_set_cookie(res, secret);
    api_json(res, 200, body);
    res->audit_user_id = user->id;
    goto out_wipe;

out_rollback:
    store_rollback(req->store);
out_error:
    auth_internal_error(res, &err);
out_wipe:
    secret_wipe(secret, sizeof(secret));
    secret_wipe(csrf, sizeof(csrf));
}

void api_post_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_user_auth user = {0};
    char key[SIGNIN_EMAIL_MAX + 1];
    const char *email = auth_body_string(req, "email", SIGNIN_EMAIL_MAX, res);
    if (!email)
        return;
    /* Longer than the policy allows: it cannot match, but still costs a failure below. */
    const char *password = auth_body_string(req, "password", 64 * 1024, res);
    if (!password)
        return;
    size_t pwlen = strlen(password);
    if (!auth_email_key(email, key, sizeof(key)))
        BUG("email longer than checked");
    int64_t now = store_now_ms();
    if (auth_throttled(req, &staff_throttle, key, now, res))
        return;

    int rc = store_user_find_by_email(req->store, email, &user, &err);
    if (rc < 0 && rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return;
    }
    bool known = rc == 0 && user.password_hash[0];
    bool ok;
    if (pwlen > PASSWORD_MAX_BYTES)
        ok = false;
    else if (known)
        ok = password_verify(user.password_hash, password, pwlen) && !user.disabled;
    else
        ok = password_verify_dummy(password, pwlen);
    if (!ok) {
        /*
         * The same answer for an unknown email, a wrong password and a disabled account. Nobody
         * is signed in, so the entry's user is none; the account tried is its record.
         */
        api_audit_as(req, 0, "sign_in_failed", "users", rc == 0 ? user.id : 0, key);
        api_error(res, 401, "bad_credentials", NULL, bad_credentials);
        return;
    }
    start_session(req, &user, now, res);
}

void api_get_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_user_auth user;
    struct store_session sess = {0};
    char csrf[SECRET_TEXT_SIZE];
    if (store_user_get(req->store, req->who->user_id, &user, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    json_t *csrf_json = json_null();
    if (req->who->session_id) {
        const char *cookie = auth_cookie(req);
        if (store_session_get(req->store, req->who->session_id, &sess, &err) < 0 || !cookie) {
            auth_internal_error(res, &err);
            return;
        }
        auth_csrf_token(cookie, csrf);
        csrf_json = json_string(csrf);
        secret_wipe(csrf, sizeof(csrf));
    }
    api_json(res, 200,
             json_pack("{s:o, s:o, s:s, s:o}", "user", auth_user_json(&user), "csrf_token",
                       csrf_json, "via", req->who->via_token ? "token" : "session", "expires_at",
                       auth_time_json(sess.expires_at)));
}

/*
 * Signing out ends everything the user holds: this session, their other sessions and their API
 * tokens, and with them their live streams (docs/internals/auth.md, "Ending credentials").
 */
void api_delete_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t sid = req->who->session_id, uid = req->who->user_id;
    if (store_begin(req->store, &err) < 0)
        goto out_error;
    if (sid) {
        int rc = store_session_delete(req->store, sid, &err);
        if (rc < 0 && rc != KITH_ENOTFOUND)
            goto out_rollback;
        if (rc == 0)
            api_audit(req, "sign_out", "sessions", sid, NULL);
    }
    if (auth_end_credentials(req, uid, "sign_out", false, &err) < 0 ||
        store_commit(req->store, &err) < 0)
        goto out_rollback;
    rv_stream_recheck(req->store, uid);
    auth_set_cookie(res, NULL);
    res->status = 204;
    return;

out_rollback:
    store_rollback(req->store);
out_error:
    auth_internal_error(res, &err);
}
