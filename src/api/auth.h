/*
 * auth.h - sign-in internals shared by auth.c (who is asking), session.c (sign-in and out) and
 * tokens.c: the session cookie, session lifetimes, CSRF tokens and the user as JSON.
 * docs/internals/auth.md explains the whole design.
 */
#ifndef KITH_API_AUTH_H
#define KITH_API_AUTH_H

#include "api/api.h"
#include "util/secret.h"

#define AUTH_COOKIE "__Host-kith"

/* Lifetimes of a session (defaults; KITH_SESSION_MAX_SECONDS / _IDLE_SECONDS override). */
#define AUTH_SESSION_MAX_S  (12 * 3600)
#define AUTH_SESSION_IDLE_S (30 * 60)

/* When a session or token was used this recently, its last-use stamp is not written again. */
#define AUTH_TOUCH_MAX_MS 60000

/* Session lifetimes in milliseconds, as read by api_auth_init() at server start. */
int64_t auth_session_max_ms(void);
int64_t auth_session_idle_ms(void);

/* expires_at of a session created at created_ms and last used at seen_ms. */
int64_t auth_session_expiry(int64_t created_ms, int64_t seen_ms);

/*
 * Sets res's Set-Cookie to the session cookie holding value (HttpOnly, SameSite=Strict,
 * Path=/, Secure under TLS); a NULL value clears the cookie in the browser.
 */
void auth_set_cookie(struct api_response *res, const char *value);

/* The session cookie's value sent with req, or NULL. Valid for the request's lifetime. */
const char *auth_cookie(const struct api_request *req);

/* The CSRF token of the session whose secret is session_secret, into out. */
void auth_csrf_token(const char *session_secret, char out[SECRET_TEXT_SIZE]);

/* {"id","email","name","role","unit_id","team_id"} of u (new reference; NULL without memory). */
json_t *auth_user_json(const struct store_user_auth *u);

/* created_at-style Unix ms as an ISO 8601 JSON string; 0 becomes null. */
json_t *auth_time_json(int64_t ms);

/* Logs err on stderr (for the operator) and answers 500 without its detail (for the client). */
void auth_internal_error(struct api_response *res, const struct kith_error *err);

/*
 * Ends user_id's credentials for why (store_user_end_credentials()) inside the caller's
 * transaction, recorded as done by req->who from req->client_addr. With keep_own, when the
 * caller is user_id, the session or token this request came with stays. After the commit, call
 * rv_stream_recheck() so that the user's live streams stop at once.
 */
int auth_end_credentials(const struct api_request *req, int64_t user_id, const char *why,
                         bool keep_own, struct kith_error *err);

/* The string member name of the JSON body (at most max bytes), or NULL with a 422 in res. */
const char *auth_body_string(const struct api_request *req, const char *name, size_t max,
                             struct api_response *res);

/*
 * The throttle of failed sign-ins (staff and portal alike): at most 10 failures per key and 50
 * per address in 15 minutes, counted from the audit rows of action `failed`. A key of "-" (a
 * sign-in link, which names no one) is counted by address only. True when the attempt must
 * stop: a 429 with Retry-After in res and an audit row of action `throttled` on table, or a 500
 * when the failures could not be counted.
 */
struct auth_throttle {
    const char *failed, *throttled; /* audit actions */
    const char *table;              /* of the throttled row: "users", "contacts" */
    const char *key_is;             /* the 429's words for the key: "account", "email" */
};
bool auth_throttled(struct api_request *req, const struct auth_throttle *t, const char *key,
                    int64_t now, struct api_response *res);

/* Lower-cases the ASCII letters of email into out (size bytes); false if it does not fit. */
bool auth_email_key(const char *email, char *out, size_t size);

#endif
