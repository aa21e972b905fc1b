/*
 * consent_receipt.h - recording a consent and its Kantara Consent Receipt v1.1 (issue 16,
 * docs/portal.md "Consent"): consent_record() is the one way a grant or a withdrawal is written,
 * shared by the portal (the customer) and staff acting on its behalf; each record issues a
 * receipt signed as a compact JWS (alg EdDSA, Ed25519 with libsodium) with the server's key,
 * which consent_receipt_verify() (kith consent verify) and any JWS library check.
 */
#ifndef KITH_IO_CONSENT_RECEIPT_H
#define KITH_IO_CONSENT_RECEIPT_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"

#define CONSENT_RECEIPT_VERSION "KI-CR-v1.1.0"
#define CONSENT_RECEIPT_ID_SIZE 37          /* a UUID with its NUL */
#define CONSENT_JWS_MAX         (64 * 1024) /* a receipt larger than this is refused */

/* A change to record; every string is the caller's. */
struct consent_change {
    int64_t contact_id;
    const char *purpose; /* model/consent.h */
    const char *channel;
    const char *state;       /* "granted" or "withdrawn" */
    int64_t by_user;         /* staff acting on the contact's behalf; 0: the contact itself */
    const char *client_addr; /* for the audit log; NULL: none */
};

/* What was recorded. jws is malloc'd: release with consent_recorded_release(). */
struct consent_recorded {
    int64_t id;          /* the consents row */
    int64_t recorded_at; /* Unix ms */
    char receipt_id[CONSENT_RECEIPT_ID_SIZE];
    char *jws;                /* the signed receipt */
    enum consent_state state; /* the contact's state for (purpose, channel) afterwards */
};

void consent_recorded_release(struct consent_recorded *r);

/*
 * Records c in one transaction of its own: checks it (consent_check(); KITH_EINVAL), that the
 * contact exists (KITH_ENOTFOUND), appends the consents row, issues the receipt (making the
 * server's key if the database has none), stores it and audits "consent_grant" or
 * "consent_withdraw" on the contact. All or nothing. On success out is the caller's to release.
 */
int consent_record(struct store *s, const struct consent_change *c, struct consent_recorded *out,
                   struct kith_error *err);

/*
 * The server's signing key: read, or made and stored when the database has none (kith init
 * makes it). sk may be NULL. Whoever passes sk wipes it after use (sodium_memzero).
 */
int consent_key_ensure(struct store *s, unsigned char pk[STORE_SIGN_PK],
                       unsigned char sk[STORE_SIGN_SK], struct kith_error *err);

/* The key id of pk: its RFC 7638 JWK thumbprint (SHA-256, base64url), into out (44 bytes). */
void consent_key_id(const unsigned char pk[STORE_SIGN_PK], char out[44]);

/*
 * Verifies the compact JWS jws (header alg EdDSA) with pk, and that it is a consent receipt: the
 * payload is a JSON object with every required field of Kantara v1.1 and its publicKey is pk.
 * Returns 0 with *payload the receipt (the caller decrefs it), or KITH_EINVAL saying what is
 * wrong (a bad signature says so).
 */
int consent_receipt_verify(const char *jws, const unsigned char pk[STORE_SIGN_PK], json_t **payload,
                           struct kith_error *err);

/* The payload of jws without checking anything but its form (for listing receipts); NULL when
 * it is not a JWS of a JSON object. The caller decrefs it. */
json_t *consent_receipt_payload(const char *jws);

#endif
