/*
 * auth.c - who is asking: the session cookie or an "Authorization: Bearer" API token becomes
 * the request's principal; cookie-authenticated changes must carry the session's CSRF token.
 * Only hashes of the secrets are looked up (util/secret.h). See docs/internals/auth.md.
 */
#include "api/auth.h"
#include "api/audit.h"
#include "api/devices.h"
#include "api/portal.h"
#include "api/server_int.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define LIFETIME_MAX_S (366 * 24 * 3600)

static bool g_tls;
static int64_t g_max_ms = (int64_t)AUTH_SESSION_MAX_S * 1000;
static int64_t g_idle_ms = (int64_t)AUTH_SESSION_IDLE_S * 1000;

void api_set_tls(bool on)
{
    g_tls = on;
}

bool api_tls(void)
{
    return g_tls;
}

/* Reads a lifetime in seconds from the environment variable name into *ms, if it is set. */
static int env_seconds(const char *name, int64_t *ms, struct kith_error *err)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    int64_t s;
    if (num_int64(v, 0, LIFETIME_MAX_S, &s, name, NULL) < 0)
        return kith_err(err, KITH_EINVAL,
                        "%s must be a whole number of seconds from 0 to %d; got '%s'", name,
                        LIFETIME_MAX_S, v);
    *ms = (int64_t)s * 1000;
    return 0;
}

int api_auth_init(struct kith_error *err)
{
    int64_t max_ms = (int64_t)AUTH_SESSION_MAX_S * 1000,
            idle_ms = (int64_t)AUTH_SESSION_IDLE_S * 1000;
    int rc;
    if ((rc = env_seconds("KITH_SESSION_MAX_SECONDS", &max_ms, err)) < 0 ||
        (rc = env_seconds("KITH_SESSION_IDLE_SECONDS", &idle_ms, err)) < 0)
        return rc;
    g_max_ms = max_ms;
    g_idle_ms = idle_ms;
    return 0;
}

int64_t auth_session_max_ms(void)
{
    return g_max_ms;
}

int64_t auth_session_idle_ms(void)
{
    return g_idle_ms;
}

int64_t auth_session_expiry(int64_t created_ms, int64_t seen_ms)
{
    int64_t absolute = created_ms + g_max_ms, idle = seen_ms + g_idle_ms;
    return absolute < idle ? absolute : idle;
}

void auth_set_cookie(struct api_response *res, const char *value)
{
    /*
     * The __Host- prefix makes browsers refuse the cookie unless it is host-only with Path=/
     * and Secure, so a sibling subdomain cannot plant or shadow it. Secure is set even without
     * TLS: browsers treat http://127.0.0.1 and http://localhost as secure contexts and keep the
     * cookie there, and anywhere else a browser must reach kith over HTTPS anyway.
     */
    if (value)
        snprintf(res->set_cookie, sizeof(res->set_cookie),
                 AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld; Secure", value,
                 (long long)(g_max_ms / 1000));
    else
        snprintf(res->set_cookie, sizeof(res->set_cookie),
                 AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
}

const char *auth_cookie(const struct api_request *req)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, AUTH_COOKIE);
}

void auth_csrf_token(const char *session_secret, char out[SECRET_TEXT_SIZE])
{
    secret_derive(session_secret, strlen(session_secret), "kith csrf v1", out);
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

json_t *auth_user_json(const struct store_user_auth *u)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)u->id, "email", u->email,
                     "name", u->name, "role", u->role, "unit_id", id_or_null(u->unit_id), "team_id",
                     id_or_null(u->team_id));
}

json_t *auth_time_json(int64_t ms)
{
    char buf[TIMEFMT_SIZE];
    if (!ms)
        return json_null();
    timefmt_format(ms, buf);
    return json_string(buf);
}

bool auth_email_key(const char *email, char *out, size_t size)
{
    size_t n = strlen(email);
    if (n >= size)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = (email[i] >= 'A' && email[i] <= 'Z') ? (char)(email[i] - 'A' + 'a') : email[i];
    return true;
}

static void fill_principal(struct api_principal *who, const struct store_user_auth *u)
{
    who->user_id = u->id;
    who->role = api_role_parse(u->role);
    who->unit_id = u->unit_id;
    who->team_id = u->team_id;
    snprintf(who->email, sizeof(who->email), "%s", u->email);
}

/* The token of "Bearer <token>" (scheme case-insensitive), or NULL for another form. */
static const char *bearer_token(const char *authz)
{
    if (strncasecmp(authz, "Bearer ", 7) != 0)
        return NULL;
    authz += 7;
    while (*authz == ' ')
        authz++;
    return *authz ? authz : NULL;
}

void auth_internal_error(struct api_response *res, const struct kith_error *err)
{
    fprintf(stderr, "kith serve: %s\n", err->msg);
    api_error(res, 500, "internal", NULL, "the server could not complete the request");
}

/* Answers a failed look-up of a credential: 401 saying why when there is none, else 500. */
static int refuse(int rc, const struct kith_error *err, const char *why, struct api_response *res)
{
    if (rc == KITH_ENOTFOUND)
        api_error(res, 401, "unauthenticated", NULL, "%s", why);
    else
        auth_internal_error(res, err);
    return rc;
}

static int by_token(struct api_request *req, const char *authz, struct api_principal *who,
                    struct api_response *res)
{
    struct kith_error err = {0};
    struct store_user_auth user;
    struct store_token tok;
    char hash[SECRET_HASH_HEX_SIZE];
    const char *secret = bearer_token(authz);
    if (!secret || strlen(secret) >= SECRET_TEXT_SIZE) {
        api_error(res, 401, "unauthenticated", NULL,
                  "the Authorization header must be 'Bearer <API token>'");
        return KITH_EINVAL;
    }
    secret_hash(secret, strlen(secret), hash);
    int rc = store_token_find(req->store, hash, &tok, &user, &err);
    if (rc < 0)
        return refuse(rc, &err,
                      "the API token is not valid (unknown or revoked, or its user is disabled)",
                      res);
    int64_t now = store_now_ms();
    if (now - tok.last_used_at >= AUTH_TOUCH_MAX_MS &&
        store_token_touch(req->store, tok.id, now, &err) < 0)
        fprintf(stderr, "kith serve: %s\n", err.msg); /* the request may still go on */
    fill_principal(who, &user);
    who->via_token = true;
    who->token_id = tok.id;
    return 0;
}

static int by_cookie(struct api_request *req, const char *cookie, struct api_principal *who,
                     struct api_response *res)
{
    struct kith_error err = {0};
    struct store_user_auth user;
    struct store_session sess;
    char hash[SECRET_HASH_HEX_SIZE];
    int64_t now = store_now_ms();
    int rc = KITH_ENOTFOUND;
    if (strlen(cookie) < SECRET_TEXT_SIZE) {
        secret_hash(cookie, strlen(cookie), hash);
        rc = store_session_find(req->store, hash, now, &sess, &user, &err);
    }
    if (rc == KITH_ENOTFOUND)
        auth_set_cookie(res, NULL); /* the browser may drop the dead cookie */
    if (rc < 0)
        return refuse(
            rc, &err,
            "your session has ended (signed out, expired or idle too long); sign in again", res);
    /* Writing last_seen_at at most once per granule keeps reads from becoming writes. */
    int64_t granule = g_idle_ms / 10 < AUTH_TOUCH_MAX_MS ? g_idle_ms / 10 : AUTH_TOUCH_MAX_MS;
    if (now - sess.last_seen_at >= granule &&
        store_session_touch(req->store, sess.id, now, auth_session_expiry(sess.created_at, now),
                            &err) < 0)
        fprintf(stderr, "kith serve: %s\n", err.msg);
    fill_principal(who, &user);
    who->session_id = sess.id;
    return 0;
}

/*
 * A device token (docs/portal.md, "Devices"): authenticates POST /api/v1/streams only, as the
 * device and its contact. A paused device is authenticated: the handler refuses it, naming why.
 */
static int by_device(struct api_request *req, struct api_principal *who, struct api_response *res)
{
    struct kith_error err = {0};
    struct store_device d;
    char hash[SECRET_HASH_HEX_SIZE];
    const char *authz = api_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *secret = authz ? bearer_token(authz) : NULL;
    if (!secret || strlen(secret) >= SECRET_TEXT_SIZE) {
        api_error(res, 401, "unauthenticated", NULL,
                  "send the device's token: 'Authorization: Bearer <device token>'");
        return KITH_EINVAL;
    }
    secret_hash(secret, strlen(secret), hash);
    int rc = store_device_find(req->store, hash, &d, &err);
    if (rc < 0)
        return refuse(rc, &err,
                      "the device token is not valid (unknown, or its device was deleted)", res);
    who->role = ROLE_DEVICE;
    who->contact_id = d.contact_id;
    who->device_id = d.id;
    who->via_token = true;
    return 0;
}

int api_authenticate(struct api_request *req, struct api_principal *who, struct api_response *res)
{
    /* a device's route knows only device tokens, and device tokens no other route */
    if (strcmp(req->path, DEVICE_STREAMS_PATH) == 0)
        return by_device(req, who, res);
    /* the portal's routes know only portal sessions; the others never know them */
    if (strncmp(req->path, PORTAL_API_PREFIX, strlen(PORTAL_API_PREFIX)) == 0)
        return api_portal_authenticate(req, who, res);
    const char *authz = api_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
    if (authz)
        return by_token(req, authz, who, res);
    const char *cookie = auth_cookie(req);
    if (cookie)
        return by_cookie(req, cookie, who, res);
    api_error(res, 401, "unauthenticated", NULL,
              "sign in first (POST /api/v1/session) or send 'Authorization: Bearer <API token>'");
    return KITH_EINVAL;
}

int auth_end_credentials(const struct api_request *req, int64_t user_id, const char *why,
                         bool keep_own, struct kith_error *err)
{
    bool own = keep_own && req->who && req->who->user_id == user_id;
    struct store_credential_end e = {.user_id = user_id,
                                     .why = why,
                                     .keep_session = own ? req->who->session_id : 0,
                                     .keep_token = own ? req->who->token_id : 0,
                                     .actor_id = req->who ? req->who->user_id : 0,
                                     .client_addr = req->client_addr};
    return store_user_end_credentials(req->store, &e, store_now_ms(), NULL, err);
}

bool api_csrf_ok(const struct api_request *req, const struct api_principal *who)
{
    struct kith_error err = {0};
    struct store_session sess;
    char hash[SECRET_HASH_HEX_SIZE];
    if (who->role == ROLE_CUSTOMER)
        return api_portal_csrf_ok(req, who);
    const char *token = api_header(req, "X-CSRF-Token");
    if (!token || !who->session_id || strlen(token) >= SECRET_TEXT_SIZE)
        return false;
    if (store_session_get(req->store, who->session_id, &sess, &err) < 0)
        return false;
    secret_hash(token, strlen(token), hash);
    return secret_hash_equal(hash, sess.csrf_hash);
}

const char *auth_body_string(const struct api_request *req, const char *name, size_t max,
                             struct api_response *res)
{
    json_t *v = json_is_object(req->body) ? json_object_get(req->body, name) : NULL;
    if (!json_is_string(v) || json_string_length(v) == 0) {
        api_error(res, 422, "invalid", name, "the body must be a JSON object with a string '%s'",
                  name);
        return NULL;
    }
    if (json_string_length(v) > max) {
        api_error(res, 422, "invalid", name, "'%s' is longer than %zu bytes", name, max);
        return NULL;
    }
    return json_string_value(v);
}

#define SIGNIN_WINDOW_MS       (15 * 60 * 1000)
#define SIGNIN_MAX_PER_KEY     10
#define SIGNIN_MAX_PER_ADDRESS 50

bool auth_throttled(struct api_request *req, const struct auth_throttle *t, const char *key,
                    int64_t now, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t by_key = 0, by_address = 0;
    if (store_audit_recent_counts(req->store, t->failed, now - SIGNIN_WINDOW_MS, key,
                                  req->client_addr, &by_key, &by_address, &err) < 0) {
        auth_internal_error(res, &err);
        return true;
    }
    bool key_over = by_key >= SIGNIN_MAX_PER_KEY && strcmp(key, "-") != 0;
    if (!key_over && by_address < SIGNIN_MAX_PER_ADDRESS)
        return false;
    api_audit_as(req, 0, t->throttled, t->table, 0, key);
    snprintf(res->extra_header[0][0], sizeof(res->extra_header[0][0]), "Retry-After");
    snprintf(res->extra_header[0][1], sizeof(res->extra_header[0][1]), "%d",
             SIGNIN_WINDOW_MS / 1000);
    api_error(res, 429, "throttled", NULL,
              "too many failed sign-ins %s%s; try again in up to %d minutes",
              key_over ? "for this " : "from this address", key_over ? t->key_is : "",
              SIGNIN_WINDOW_MS / 60000);
    return true;
}
