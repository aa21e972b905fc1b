/*
 * server_int.h - what server.c needs from the rest of src/api: authentication (auth.c), CSRF,
 * metrics (metrics.c), and the per-thread store. Not for handlers; they see api.h only.
 */
#ifndef KITH_API_SERVER_INT_H
#define KITH_API_SERVER_INT_H

#include "api/api.h"

/*
 * Identifies the caller from the session cookie or an "Authorization: Bearer" token and fills
 * who. Returns 0 when signed in; otherwise fills res with a 401 (or 429 when throttled) and
 * returns a negative KITH_E code.
 */
int api_authenticate(struct api_request *req, struct api_principal *who, struct api_response *res);

/*
 * Reads the session lifetimes from KITH_SESSION_MAX_SECONDS and KITH_SESSION_IDLE_SECONDS
 * (whole seconds; defaults 12 h and 30 min) at server start; KITH_EINVAL for a bad value.
 */
int api_auth_init(struct kith_error *err);

/* True if a cookie-authenticated state-changing request carries the session's CSRF token. */
bool api_csrf_ok(const struct api_request *req, const struct api_principal *who);

/* Counts one answered request for GET /metrics. route is the pattern ("(no route)" for 404s). */
void api_metrics_record(const char *route, int status, double seconds);

/* Whether the server runs under TLS (set by api_serve from --tls-cert/--tls-key). */
void api_set_tls(bool on);
bool api_tls(void);

/* This worker thread's store connection, opened on first use; NULL (err filled) on failure. */
struct store *api_thread_store(struct kith_error *err);

#endif
