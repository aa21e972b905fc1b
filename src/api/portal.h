/*
 * portal.h - the customer portal (docs/portal.md): contacts invited by staff sign in to
 * /portal/api/ with their own sessions (cookie PORTAL_COOKIE, own CSRF token), apart from staff
 * sessions. portal_auth.c authenticates and signs in and out, portal.c serves the staff routes
 * (invite, revoke) and the contact's own records, portal_outbox.c sends the links.
 */
#ifndef KITH_API_PORTAL_H
#define KITH_API_PORTAL_H

#include "api/api.h"

#define PORTAL_API_PREFIX "/portal/api/"
#define PORTAL_COOKIE     "__Host-kith-portal"

/* Lifetimes of the single-use links. */
#define PORTAL_INVITATION_S (7 * 24 * 3600)
#define PORTAL_SIGN_IN_S    (15 * 60)

/*
 * Who is asking on a /portal/api/ route: the portal session cookie only (a staff cookie or an
 * API token never counts). Fills who (role ROLE_CUSTOMER, contact_id, session_id) or answers 401.
 */
int api_portal_authenticate(struct api_request *req, struct api_principal *who,
                            struct api_response *res);

/* True when req carries the X-CSRF-Token of who's portal session. */
bool api_portal_csrf_ok(const struct api_request *req, const struct api_principal *who);

/* ---- sending links (portal_outbox.c) ---- */

/* A message to a contact; every string is the caller's. */
struct portal_message {
    int64_t contact_id;
    const char *kind; /* STORE_PORTAL_INVITATION, STORE_PORTAL_SIGN_IN or "message" */
    const char *to;   /* the contact's email, or its phone number for an SMS */
    const char *subject;
    const char *body;
    const char *channel; /* "email" or "sms"; NULL: email (the portal's links) */
    const char *purpose; /* an outbound message's purpose (docs/voice.md); NULL for links */
};

/*
 * A sender delivers one message; returns 0 or a negative KITH_E code with err filled. ctx is the
 * one given to portal_set_sender(); db_path the database the message is about.
 */
typedef int (*portal_sender_fn)(void *ctx, const char *db_path, const struct portal_message *m,
                                struct kith_error *err);

/*
 * Replaces the sender (NULL: back to the outbox). Call before serving; not thread-safe. The
 * default, the outbox, writes each message as a file into $KITH_OUTBOX_DIR, or else into the
 * directory "<database>.outbox" beside the database (docs/portal.md, "The outbox").
 */
void portal_set_sender(portal_sender_fn fn, void *ctx);

/*
 * The link to page ("accept", "sign-in") of the portal carrying token, into out (size bytes):
 * "$KITH_PORTAL_URL/portal/<page>#token=<token>" (without the variable, a path from the server's
 * root). The token rides in the fragment, which browsers send to no server and no Referer.
 */
void portal_link(const char *page, const char *token, char *out, size_t size);

/* Sends m through the current sender. */
int portal_send(const char *db_path, const struct portal_message *m, struct kith_error *err);

/*
 * Chooses the sender from spec (kith serve --sender): "outbox" (the default), or
 * "webhook:http://HOST:PORT/PATH", which POSTs each message as a JSON object {"kind", "channel",
 * "purpose", "contact_id", "to", "subject", "body"} and counts any 2xx answer as delivered
 * (sender_webhook.c; docs/voice.md "Messages"). Call before serving. KITH_EINVAL for a spec it
 * cannot use, saying why.
 */
int portal_sender_configure(const char *spec, struct kith_error *err);

/* ---- inviting (portal.c), shared by the API and `kith portal invite` ---- */

struct portal_invite_result {
    char email[256];    /* where the invitation went */
    int64_t expires_at; /* Unix ms */
    int64_t token_id;
};

/*
 * Invites contact_id to the portal for user by_user (0: the command line) from client_addr
 * (NULL: none): gives it access (reviving revoked access), stores the hash of a new invitation
 * valid PORTAL_INVITATION_S, audits "portal_invite" and sends the link, all or nothing, in its own
 * transaction. KITH_ENOTFOUND when there is no such contact, KITH_EINVAL when it has no email.
 */
int portal_invite(struct store *s, int64_t contact_id, int64_t by_user, const char *client_addr,
                  struct portal_invite_result *out, struct kith_error *err);

/* ---- handlers (routes.c) ---- */

void api_portal_accept(struct api_request *req, struct api_response *res);
void api_portal_post_session(struct api_request *req, struct api_response *res);
void api_portal_get_session(struct api_request *req, struct api_response *res);
void api_portal_delete_session(struct api_request *req, struct api_response *res);
void api_portal_post_link(struct api_request *req, struct api_response *res);
void api_portal_link_session(struct api_request *req, struct api_response *res);
void api_portal_get_me(struct api_request *req, struct api_response *res);
void api_portal_me_inferences(struct api_request *req, struct api_response *res);
void api_portal_me_access_log(struct api_request *req, struct api_response *res);
void api_portal_export(struct api_request *req, struct api_response *res);
void api_portal_corrections_create(struct api_request *req, struct api_response *res);
void api_portal_corrections_list(struct api_request *req, struct api_response *res);
void api_portal_get_alike(struct api_request *req, struct api_response *res);
void api_portal_put_findable(struct api_request *req, struct api_response *res);
/* The contact's own data-subject requests (portal_requests.c). */
void api_portal_requests_create(struct api_request *req, struct api_response *res);
void api_portal_requests_list(struct api_request *req, struct api_response *res);
void api_portal_requests_export(struct api_request *req, struct api_response *res);
void api_contacts_invite(struct api_request *req, struct api_response *res);
void api_contacts_portal_get(struct api_request *req, struct api_response *res);
void api_contacts_portal_revoke(struct api_request *req, struct api_response *res);

#endif
