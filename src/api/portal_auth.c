/*
 * portal_auth.c - who is asking on /portal/api/, and the portal's sign-in: accepting an
 * invitation (sets a password), a password, a one-time sign-in link, who am I, sign-out.
 * Portal sessions live in their own table under their own cookie and CSRF token; only hashes of
 * the secrets are stored. Failed attempts are throttled like the staff sign-in's (audit rows
 * counted per email and per client address). See docs/portal.md.
 */
#include "api/audit.h"
#include "api/auth.h"
#include "api/portal.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "util/password.h"

#include "util/banned.h"

#define LINKS_MAX_PER_ACCOUNT 5 /* sign-in links sent per email and window */
#define EMAIL_MAX             254

#define FAILED          "portal_sign_in_failed"
#define LINKS_WINDOW_MS (15 * 60 * 1000) /* sign-in links sent to one email: 5 per window */

/* ---- the cookie and the session ---- */

static void set_cookie(struct api_response *res, const char *value)
{
    /* as the staff cookie (auth.c): host-only, HttpOnly, SameSite=Strict, Secure */
    if (value)
        snprintf(res->set_cookie, sizeof(res->set_cookie),
                 PORTAL_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld; Secure",
                 value, (long long)(auth_session_max_ms() / 1000));
    else
        snprintf(res->set_cookie, sizeof(res->set_cookie),
                 PORTAL_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

static const char *portal_cookie(const struct api_request *req)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, PORTAL_COOKIE);
}

/* The portal's CSRF token of a session: derived for another purpose than the staff one. */
static void csrf_token(const char *session_secret, char out[SECRET_TEXT_SIZE])
{
    secret_derive(session_secret, strlen(session_secret), "kith portal csrf v1", out);
}

int api_portal_authenticate(struct api_request *req, struct api_principal *who,
                            struct api_response *res)
{
    struct kith_error err = {0};
    struct store_portal_session sess;
    struct store_portal_account acct;
    char hash[SECRET_HASH_HEX_SIZE];
    const char *cookie = portal_cookie(req);
    int64_t now = store_now_ms();
    if (api_header(req, MHD_HTTP_HEADER_AUTHORIZATION) || !cookie) {
        api_error(res, 401, "unauthenticated", NULL,
                  "sign in to the portal first (POST /portal/api/session); staff credentials do "
                  "not count here");
        return KITH_EINVAL;
    }
    int rc = KITH_ENOTFOUND;
    if (strlen(cookie) < SECRET_TEXT_SIZE) {
        secret_hash(cookie, strlen(cookie), hash);
        rc = store_portal_session_find(req->store, hash, now, &sess, &err);
        if (rc == 0)
            rc = store_portal_account_get(req->store, sess.contact_id, &acct, &err);
    }
    if (rc == KITH_ENOTFOUND) {
        set_cookie(res, NULL);
        api_error(res, 401, "unauthenticated", NULL,
                  "your portal session has ended (signed out, expired, idle too long or access "
                  "revoked); sign in again");
        return rc;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return rc;
    }
    int64_t granule = auth_session_idle_ms() / 10 < AUTH_TOUCH_MAX_MS ? auth_session_idle_ms() / 10
                                                                      : AUTH_TOUCH_MAX_MS;
    if (now - sess.last_seen_at >= granule &&
        store_portal_session_touch(req->store, sess.id, now,
                                   auth_session_expiry(sess.created_at, now), &err) < 0)
        fprintf(stderr, "kith serve: %s\n", err.msg);
    *who = (struct api_principal){
        .role = ROLE_CUSTOMER, .contact_id = sess.contact_id, .session_id = sess.id};
    snprintf(who->email, sizeof(who->email), "%s", acct.email);
    return 0;
}

bool api_portal_csrf_ok(const struct api_request *req, const struct api_principal *who)
{
    struct kith_error err = {0};
    struct store_portal_session sess;
    char hash[SECRET_HASH_HEX_SIZE];
    const char *token = api_header(req, "X-CSRF-Token");
    if (!token || !who->session_id || strlen(token) >= SECRET_TEXT_SIZE)
        return false;
    if (store_portal_session_get(req->store, who->session_id, &sess, &err) < 0)
        return false;
    secret_hash(token, strlen(token), hash);
    return secret_hash_equal(hash, sess.csrf_hash);
}

/* {"id","name","email","account_id"} of the signed-in contact. */
static json_t *contact_json(const struct store_portal_account *a)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)a->contact_id, "name", a->name,
                     "email", a->email, "account_id",
                     a->account_id ? json_integer(a->account_id) : json_null());
}

/*
 * Inside the caller's transaction: creates a portal session of a (ending the one the request
 * came with, if any), audits it as how ("sign_in", "accept", "link"), commits and answers 200
 * with the contact, the CSRF token and the cookie. Rolls back and answers 500 on failure.
 */
static void start_session(struct api_request *req, const struct store_portal_account *a,
                          const char *how, int64_t now, struct api_response *res)
{
    struct kith_error err = {0};
    char secret[SECRET_TEXT_SIZE], csrf[SECRET_TEXT_SIZE];
    char secret_hash_hex[SECRET_HASH_HEX_SIZE], csrf_hash[SECRET_HASH_HEX_SIZE];
    char detail[64];
    int64_t sid = 0, expires = auth_session_expiry(now, now);
    secret_new("", secret);
    csrf_token(secret, csrf);
    secret_hash(secret, strlen(secret), secret_hash_hex);
    secret_hash(csrf, strlen(csrf), csrf_hash);

    const char *old = portal_cookie(req);
    struct store_portal_session prev;
    char old_hash[SECRET_HASH_HEX_SIZE];
    if (old && strlen(old) < SECRET_TEXT_SIZE) {
        secret_hash(old, strlen(old), old_hash);
        if (store_portal_session_find(req->store, old_hash, now, &prev, &err) == 0)
            store_portal_session_delete(req->store, prev.id, &err); /* a new sign-in replaces it */
    }
    if (store_portal_session_create(req->store, a->contact_id, secret_hash_hex, csrf_hash, now,
                                    expires, &sid, &err) < 0)
        goto out_rollback;
    snprintf(detail, sizeof(detail), "portal %s, session %lld", how, (long long)sid);
    api_audit_as(req, 0, "portal_sign_in", "contacts", a->contact_id, detail);
    if (store_commit(req->store, &err) < 0)
        goto out_rollback;
    json_t *body = json_pack("{s:o, s:s, s:o}", "contact", contact_json(a), "csrf_token", csrf,
                             "expires_at", auth_time_json(expires));
    if (!body)
        api_error(res, 500, "internal", NULL, "out of memory");
    else {
        set_cookie(res, secret);
        api_json(res, 200, body);
    }
    goto out_wipe;

out_rollback:
    store_rollback(req->store);
    auth_internal_error(res, &err);
out_wipe:
    secret_wipe(secret, sizeof(secret));
    secret_wipe(csrf, sizeof(csrf));
}

/* ---- throttling ---- */

static const struct auth_throttle portal_throttle = {FAILED, "portal_sign_in_throttled", "contacts",
                                                     "email"};

/* ---- signing in ---- */

void api_portal_post_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_portal_account a = {0};
    char key[EMAIL_MAX + 1];
    const char *email = auth_body_string(req, "email", EMAIL_MAX, res);
    if (!email)
        return;
    const char *password = auth_body_string(req, "password", 64 * 1024, res);
    if (!password)
        return;
    size_t pwlen = strlen(password);
    if (!auth_email_key(email, key, sizeof(key)))
        BUG("email longer than checked");
    int64_t now = store_now_ms();
    if (auth_throttled(req, &portal_throttle, key, now, res))
        return;
    int rc = store_portal_account_find_by_email(req->store, email, &a, &err);
    if (rc < 0 && rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return;
    }
    bool known = rc == 0 && a.password_hash[0] && !a.revoked_at;
    bool ok;
    if (pwlen > PASSWORD_MAX_BYTES)
        ok = false;
    else if (known)
        ok = password_verify(a.password_hash, password, pwlen);
    else
        ok = password_verify_dummy(password, pwlen);
    if (!ok) {
        /* one answer for an unknown email, a wrong password and revoked access */
        api_audit_as(req, 0, FAILED, "contacts", rc == 0 ? a.contact_id : 0, key);
        api_error(res, 401, "bad_credentials", NULL, "wrong email or password");
        return;
    }
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    start_session(req, &a, "password", now, res);
}

/*
 * Spends the single-use token of kind in the body's "token" inside a new transaction; fills
 * *a with its contact. False (rolled back, with the answer in res) when it is not valid. The
 * caller has checked auth_throttled(req, &portal_throttle, "-", ...).
 */
static bool spend_token(struct api_request *req, const char *kind, int64_t now,
                        struct store_portal_account *a, struct api_response *res)
{
    struct kith_error err = {0};
    char hash[SECRET_HASH_HEX_SIZE];
    int64_t contact_id = 0;
    const char *token = auth_body_string(req, "token", SECRET_TEXT_SIZE - 1, res);
    if (!token)
        return false;
    secret_hash(token, strlen(token), hash);
    if (store_begin(req->store, &err) < 0) {
        auth_internal_error(res, &err);
        return false;
    }
    int rc = store_portal_token_use(req->store, kind, hash, now, &contact_id, &err);
    if (rc == 0)
        rc = store_portal_account_get(req->store, contact_id, a, &err);
    if (rc == 0)
        return true;
    store_rollback(req->store);
    if (rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return false;
    }
    api_audit_as(req, 0, FAILED, "contacts", 0, "-");
    api_error(res, 401, "bad_link", "token",
              "this link is not valid: it was used already, has expired or was withdrawn; ask "
              "for a new one");
    return false;
}

void api_portal_accept(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_portal_account a;
    char hash[PASSWORD_HASH_SIZE];
    int64_t now = store_now_ms();
    const char *password = auth_body_string(req, "password", PASSWORD_MAX_BYTES + 1, res);
    if (!password || auth_throttled(req, &portal_throttle, "-", now, res))
        return;
    /* hashed before the transaction: argon2id takes tens of milliseconds */
    int rc = password_hash(password, strlen(password), hash, &err);
    if (rc == KITH_EINVAL) {
        api_error(res, 422, "invalid", "password", "%s", err.msg);
        return;
    }
    if (rc < 0) {
        auth_internal_error(res, &err);
        return;
    }
    if (!spend_token(req, STORE_PORTAL_INVITATION, now, &a, res))
        return;
    if (store_portal_set_password(req->store, a.contact_id, hash, now, 0, NULL, &err) < 0) {
        store_rollback(req->store);
        auth_internal_error(res, &err);
        return;
    }
    api_audit_as(req, 0, "portal_accept", "contacts", a.contact_id, NULL);
    start_session(req, &a, "invitation", now, res);
}

void api_portal_link_session(struct api_request *req, struct api_response *res)
{
    struct store_portal_account a;
    int64_t now = store_now_ms();
    if (!auth_throttled(req, &portal_throttle, "-", now, res) &&
        spend_token(req, STORE_PORTAL_SIGN_IN, now, &a, res))
        start_session(req, &a, "link", now, res);
}

/*
 * Sends a one-time sign-in link to the email when it has portal access. The answer is the same
 * whether or not it has (202), so that it tells nobody which emails have access.
 */
void api_portal_post_link(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_portal_account a;
    char key[EMAIL_MAX + 1], token[SECRET_TEXT_SIZE], hash[SECRET_HASH_HEX_SIZE], link[512],
        body[1024];
    const char *email = auth_body_string(req, "email", EMAIL_MAX, res);
    if (!email)
        return;
    if (!auth_email_key(email, key, sizeof(key)))
        BUG("email longer than checked");
    int64_t now = store_now_ms(), sent = 0, by_address = 0;
    if (auth_throttled(req, &portal_throttle, key, now, res))
        return;
    if (store_audit_recent_counts(req->store, "portal_link_sent", now - LINKS_WINDOW_MS, key,
                                  req->client_addr, &sent, &by_address, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    int rc = sent >= LINKS_MAX_PER_ACCOUNT
                 ? KITH_ENOTFOUND
                 : store_portal_account_find_by_email(req->store, email, &a, &err);
    if (rc == 0 && !a.revoked_at) {
        secret_new("", token);
        secret_hash(token, strlen(token), hash);
        portal_link("sign-in", token, link, sizeof(link));
        snprintf(body, sizeof(body),
                 "Hello %s,\n\nsign in to your portal with this link; it works once, within %d "
                 "minutes:\n\n%s\n\nIf you did not ask for it, ignore this message.",
                 a.name, PORTAL_SIGN_IN_S / 60, link);
        struct portal_message m = {.contact_id = a.contact_id,
                                   .kind = STORE_PORTAL_SIGN_IN,
                                   .to = a.email,
                                   .subject = "Your sign-in link",
                                   .body = body};
        if (store_begin(req->store, &err) < 0 ||
            store_portal_token_create(req->store, a.contact_id, STORE_PORTAL_SIGN_IN, hash, now,
                                      now + (int64_t)PORTAL_SIGN_IN_S * 1000, 0, NULL, &err) < 0 ||
            portal_send(store_path(req->store), &m, &err) < 0) {
            store_rollback(req->store);
            secret_wipe(token, sizeof(token));
            secret_wipe(body, sizeof(body));
            secret_wipe(link, sizeof(link));
            auth_internal_error(res, &err);
            return;
        }
        api_audit_as(req, 0, "portal_link_sent", "contacts", a.contact_id, key);
        rc = store_commit(req->store, &err);
        secret_wipe(token, sizeof(token));
        secret_wipe(body, sizeof(body));
        secret_wipe(link, sizeof(link));
        if (rc < 0) {
            store_rollback(req->store);
            auth_internal_error(res, &err);
            return;
        }
    } else if (rc < 0 && rc != KITH_ENOTFOUND) {
        auth_internal_error(res, &err);
        return;
    }
    api_json(res, 202,
             json_pack("{s:s}", "message",
                       "if this email has portal access, a sign-in link is on its way"));
}

/* ---- who am I, sign-out ---- */

void api_portal_get_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_portal_account a;
    struct store_portal_session sess;
    char csrf[SECRET_TEXT_SIZE];
    const char *cookie = portal_cookie(req);
    if (!cookie || store_portal_account_get(req->store, req->who->contact_id, &a, &err) < 0 ||
        store_portal_session_get(req->store, req->who->session_id, &sess, &err) < 0) {
        auth_internal_error(res, &err);
        return;
    }
    csrf_token(cookie, csrf);
    api_json(res, 200,
             json_pack("{s:o, s:s, s:o}", "contact", contact_json(&a), "csrf_token", csrf,
                       "expires_at", auth_time_json(sess.expires_at)));
    secret_wipe(csrf, sizeof(csrf));
}

/* Signing out ends this session (the contact's others stay; staff revocation ends them all). */
void api_portal_delete_session(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    if (store_begin(req->store, &err) < 0)
        goto out_error;
    int rc = store_portal_session_delete(req->store, req->who->session_id, &err);
    if (rc < 0 && rc != KITH_ENOTFOUND)
        goto out_rollback;
    api_audit_as(req, 0, "portal_sign_out", "contacts", req->who->contact_id, NULL);
    if (store_commit(req->store, &err) < 0)
        goto out_rollback;
    set_cookie(res, NULL);
    res->status = 204;
    return;

out_rollback:
    store_rollback(req->store);
out_error:
    auth_internal_error(res, &err);
}
