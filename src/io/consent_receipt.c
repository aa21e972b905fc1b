/*
 * consent_receipt.c - a consent's record and its signed Kantara Consent Receipt v1.1
 * (consent_receipt.h). The receipt is a JSON object with every field the specification requires
 * (version, jurisdiction, consentTimestamp, collectionMethod, consentReceiptID, publicKey,
 * language, piiPrincipalId, piiControllers, policyUrl, services with their purposes, sensitive,
 * spiCat) and kith's own "kith" member (contact, purpose, channel, state, record), sent as a
 * compact JWS (RFC 7515) signed with Ed25519 (RFC 8037, alg "EdDSA"). docs/portal.md
 * ("Consent receipts") shows one.
 */
#include "io/consent_receipt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/consent.h"
#include "model/table.h"

#include "util/banned.h"

void consent_recorded_release(struct consent_recorded *r)
{
    free(r->jws);
    r->jws = NULL;
}

/* ---- base64url ---- */

/* base64url without padding of bin into a malloc'd string; NULL when out of memory. */
static char *b64url(const unsigned char *bin, size_t len)
{
    size_t size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(size);
    if (out)
        sodium_bin2base64(out, size, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* Decodes the len characters at s (base64url, no padding) into a malloc'd buffer with a NUL
 * after its *n bytes; NULL when it is not base64url. */
static unsigned char *b64url_decode(const char *s, size_t len, size_t *n)
{
    unsigned char *out = malloc(len + 1);
    if (!out)
        return NULL;
    if (sodium_base642bin(out, len, s, len, NULL, n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
        free(out);
        return NULL;
    }
    out[*n] = '\0';
    return out;
}

/* ---- the key ---- */

void consent_key_id(const unsigned char pk[STORE_SIGN_PK], char out[44])
{
    char x[64], jwk[128];
    unsigned char h[crypto_hash_sha256_BYTES];
    sodium_bin2base64(x, sizeof(x), pk, STORE_SIGN_PK, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    /* RFC 7638: the required members in lexicographic order, no blanks */
    int n = snprintf(jwk, sizeof(jwk), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
    crypto_hash_sha256(h, (const unsigned char *)jwk, (unsigned long long)n);
    sodium_bin2base64(out, 44, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int consent_key_ensure(struct store *s, unsigned char pk[STORE_SIGN_PK],
                       unsigned char sk[STORE_SIGN_SK], struct kith_error *err)
{
    if (sodium_init() < 0)
        return kith_err(err, KITH_EIO, "libsodium cannot start (no random source)");
    int rc = store_signing_key_get(s, pk, sk, err);
    if (rc != KITH_ENOTFOUND)
        return rc;
    unsigned char npk[STORE_SIGN_PK], nsk[STORE_SIGN_SK];
    crypto_sign_keypair(npk, nsk);
    rc = store_signing_key_put(s, npk, nsk, store_now_ms(), err);
    sodium_memzero(nsk, sizeof(nsk));
    return rc < 0 ? rc : store_signing_key_get(s, pk, sk, err);
}

/* ---- signing ---- */

/* The compact JWS of payload signed with sk (malloc'd), or NULL when out of memory. */
static char *jws_sign(const json_t *payload, const unsigned char pk[STORE_SIGN_PK],
                      const unsigned char sk[STORE_SIGN_SK])
{
    char kid[44];
    consent_key_id(pk, kid);
    json_t *hdr = json_pack("{s:s, s:s, s:s}", "alg", "EdDSA", "typ", "JWT", "kid", kid);
    char *h = hdr ? json_dumps(hdr, JSON_COMPACT) : NULL;
    char *p = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(hdr);
    char *hb = h ? b64url((const unsigned char *)h, strlen(h)) : NULL;
    char *pb = p ? b64url((const unsigned char *)p, strlen(p)) : NULL;
    char *out = NULL;
    if (hb && pb) {
        size_t lh = strlen(hb), lp = strlen(pb);
        char *input = malloc(lh + 1 + lp + 1);
        if (input) {
            snprintf(input, lh + 1 + lp + 1, "%s.%s", hb, pb);
            unsigned char sig[crypto_sign_BYTES];
            crypto_sign_detached(sig, NULL, (const unsigned char *)input, lh + 1 + lp, sk);
            char *sb = b64url(sig, sizeof(sig));
            if (sb) {
                size_t size = lh + 1 + lp + 1 + strlen(sb) + 1;
                if ((out = malloc(size)))
                    snprintf(out, size, "%s.%s", input, sb);
                free(sb);
            }
            free(input);
        }
    }
    free(h);
    free(p);
    free(hb);
    free(pb);
    return out;
}

/* ---- the receipt ---- */

static const char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v && *v ? v : def;
}

/* The purpose's categories as Kantara's purposeCategory names them. */
static const char *purpose_category(const char *purpose)
{
    if (strcmp(purpose, CONSENT_MARKETING) == 0)
        return "Marketing";
    if (strcmp(purpose, CONSENT_ANALYTICS) == 0)
        return "Research and development";
    if (strcmp(purpose, CONSENT_PROFILING) == 0)
        return "Personalization";
    if (strcmp(purpose, CONSENT_SHARING) == 0)
        return "Disclosure to third parties";
    return "Customer feedback";
}

/* What the contact agrees (or no longer agrees) to for the receipt's JSON; NULL on no memory. */
static json_t *receipt_json(const struct consent_change *c, const struct consent_recorded *r,
                            const char *pk_b64, int64_t contact_id)
{
    char principal[64], service[96], method[96], policy[512];
    snprintf(principal, sizeof(principal), "urn:kith:contact:%lld", (long long)contact_id);
    snprintf(service, sizeof(service), "kith customer relationship: %s on %s", c->purpose,
             c->channel);
    if (c->by_user)
        snprintf(method, sizeof(method), "recorded by staff (user %lld) on the customer's behalf",
                 (long long)c->by_user);
    else
        snprintf(method, sizeof(method), "customer portal, self-service");
    const char *base = getenv("KITH_PORTAL_URL");
    snprintf(policy, sizeof(policy), "%s/portal/privacy", base && *base ? base : "");
    const bool sharing = strcmp(c->purpose, CONSENT_SHARING) == 0;
    const bool granted = strcmp(c->state, "granted") == 0;
    json_t *purposes =
        json_pack("[{s:s, s:[s], s:s, s:[s, s], s:b, s:s, s:b, s:s}]", "purpose",
                  consent_purpose_text(c->purpose), "purposeCategory", purpose_category(c->purpose),
                  "consentType", "EXPLICIT", "piiCategory", "Contact details",
                  "Interaction history", "primaryPurpose", false, "termination",
                  "Until withdrawn: withdraw it in the customer portal, the same way it was given.",
                  "thirdPartyDisclosure", sharing, "thirdPartyName",
                  sharing ? "the company's partners (dealers and distributors)" : "");
    json_t *controller =
        json_pack("{s:s, s:b, s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "piiController",
                  env_or("KITH_CONTROLLER_NAME", "kith operator"), "onBehalf", false, "contact",
                  env_or("KITH_CONTROLLER_CONTACT", "Data protection officer"), "address",
                  "streetAddress", env_or("KITH_CONTROLLER_ADDRESS", "not configured"),
                  "addressCountry", env_or("KITH_CONTROLLER_COUNTRY", "EU"), "email",
                  env_or("KITH_CONTROLLER_EMAIL", "privacy@invalid"), "phone",
                  env_or("KITH_CONTROLLER_PHONE", "not configured"), "piiControllerUrl",
                  env_or("KITH_PORTAL_URL", "/portal/"));
    if (!purposes || !controller) {
        json_decref(purposes);
        json_decref(controller);
        return NULL;
    }
    return json_pack(
        "{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:[o], s:s, s:[{s:s, s:o}], s:b, s:[],"
        " s:{s:I, s:s, s:s, s:s, s:I, s:I}}",
        "version", CONSENT_RECEIPT_VERSION, "jurisdiction", env_or("KITH_JURISDICTION", "EU"),
        "consentTimestamp", (json_int_t)(r->recorded_at / 1000), "collectionMethod", method,
        "consentReceiptID", r->receipt_id, "publicKey", pk_b64, "language", "en", "piiPrincipalId",
        principal, "piiControllers", controller, "policyUrl", env_or("KITH_POLICY_URL", policy),
        "services", "service", service, "purposes", purposes, "sensitive", false, "spiCat", "kith",
        "contactId", (json_int_t)contact_id, "purpose", c->purpose, "channel", c->channel, "state",
        granted ? "granted" : "withdrawn", "recordId", (json_int_t)r->id, "recordedAt",
        (json_int_t)r->recorded_at);
}

/* A random (version 4) UUID into out. */
static void uuid4(char out[CONSENT_RECEIPT_ID_SIZE])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    snprintf(out, CONSENT_RECEIPT_ID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* Appends the consents row of c; its id into out->id. */
static int insert_row(struct store *s, const struct consent_change *c, struct consent_recorded *out,
                      struct kith_error *err)
{
    const struct table_def *t = model_table("consents");
    struct store_value vals[16] = {0};
    char by[64];
    if (t->nfields > 16)
        BUG("consents has %zu fields", t->nfields);
    if (c->by_user)
        snprintf(by, sizeof(by), "staff:user %lld", (long long)c->by_user);
    else
        snprintf(by, sizeof(by), "customer:portal");
    const struct {
        const char *name;
        struct store_value v;
    } set[] = {
        {"created_at", {.kind = SV_INT, .i = out->recorded_at}},
        {"contact_id", {.kind = SV_INT, .i = c->contact_id}},
        {"purpose", {.kind = SV_TEXT, .s = c->purpose, .len = strlen(c->purpose)}},
        {"channel", {.kind = SV_TEXT, .s = c->channel, .len = strlen(c->channel)}},
        {"state", {.kind = SV_TEXT, .s = c->state, .len = strlen(c->state)}},
        {"recorded_at", {.kind = SV_INT, .i = out->recorded_at}},
        {"collected_by", {.kind = SV_TEXT, .s = by, .len = strlen(by)}},
        {"receipt_id", {.kind = SV_TEXT, .s = out->receipt_id, .len = strlen(out->receipt_id)}},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
        size_t k;
        if (!table_field(t, set[i].name, &k))
            BUG("consents has no %s", set[i].name);
        vals[k] = set[i].v;
    }
    return store_insert(s, t, vals, &out->id, err);
}

int consent_record(struct store *s, const struct consent_change *c, struct consent_recorded *out,
                   struct kith_error *err)
{
    unsigned char pk[STORE_SIGN_PK], sk[STORE_SIGN_SK];
    char *pk_b64 = NULL, detail[160];
    json_t *receipt = NULL;
    int rc;
    memset(out, 0, sizeof(*out));
    if ((rc = consent_check(c->purpose, c->channel, c->state, err)) < 0)
        return rc;
    if (sodium_init() < 0)
        return kith_err(err, KITH_EIO, "libsodium cannot start (no random source)");
    if ((rc = store_begin(s, err)) < 0)
        return rc;
    const struct store_scope all = {.all = true};
    if ((rc = store_get(s, model_table("contacts"), c->contact_id, &all, NULL, NULL, err)) < 0 ||
        (rc = consent_key_ensure(s, pk, sk, err)) < 0)
        goto out_rollback;
    out->recorded_at = store_now_ms();
    uuid4(out->receipt_id);
    if ((rc = insert_row(s, c, out, err)) < 0)
        goto out_rollback;
    rc = KITH_ENOMEM;
    if (!(pk_b64 = b64url(pk, sizeof(pk))) ||
        !(receipt = receipt_json(c, out, pk_b64, c->contact_id)) ||
        !(out->jws = jws_sign(receipt, pk, sk))) {
        kith_err(err, rc, "out of memory issuing a consent receipt");
        goto out_rollback;
    }
    snprintf(detail, sizeof(detail), "%s %s on %s, receipt %s", c->state, c->purpose, c->channel,
             out->receipt_id);
    struct store_audit_entry e = {.created_at = out->recorded_at,
                                  .user_id = c->by_user,
                                  .action = strcmp(c->state, "granted") == 0 ? "consent_grant"
                                                                             : "consent_withdraw",
                                  .table_name = "contacts",
                                  .record_id = c->contact_id,
                                  .client_addr = c->client_addr,
                                  .detail = detail};
    if ((rc = store_consent_receipt_insert(s, out->receipt_id, c->contact_id, out->jws,
                                           out->recorded_at, err)) < 0 ||
        (rc = store_audit_insert(s, &e, NULL, err)) < 0 ||
        (rc = store_consent_state(s, c->contact_id, c->purpose, c->channel, &out->state, err)) <
            0 ||
        (rc = store_commit(s, err)) < 0)
        goto out_rollback;
    goto out;

out_rollback:
    store_rollback(s);
    consent_recorded_release(out);
out:
    sodium_memzero(sk, sizeof(sk));
    free(pk_b64);
    json_decref(receipt);
    return rc;
}

/* ---- verifying ---- */

json_t *consent_receipt_payload(const char *jws)
{
    const char *d1 = strchr(jws, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    size_t n;
    if (!d2)
        return NULL;
    unsigned char *p = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &n);
    json_t *j = p ? json_loadb((const char *)p, n, 0, NULL) : NULL;
    free(p);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static const char *const required[] = {"version",          "jurisdiction",
                                       "consentTimestamp", "collectionMethod",
                                       "consentReceiptID", "publicKey",
                                       "language",         "piiPrincipalId",
                                       "piiControllers",   "policyUrl",
                                       "services",         "sensitive",
                                       "spiCat",           NULL};

int consent_receipt_verify(const char *jws, const unsigned char pk[STORE_SIGN_PK], json_t **payload,
                           struct kith_error *err)
{
    *payload = NULL;
    size_t len = strnlen(jws, CONSENT_JWS_MAX + 1);
    if (len > CONSENT_JWS_MAX)
        return kith_err(err, KITH_EINVAL, "the receipt is longer than %d bytes", CONSENT_JWS_MAX);
    while (len && (jws[len - 1] == '\n' || jws[len - 1] == '\r' || jws[len - 1] == ' '))
        len--;
    const char *d1 = memchr(jws, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jws)) : NULL;
    if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jws)))
        return kith_err(err, KITH_EINVAL,
                        "not a compact JWS: it must be three base64url parts joined by dots");
    size_t nh, ns;
    unsigned char *h = b64url_decode(jws, (size_t)(d1 - jws), &nh);
    unsigned char *sig = b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - jws), &ns);
    json_t *hdr = h ? json_loadb((const char *)h, nh, 0, NULL) : NULL;
    int rc = 0;
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    if (!hdr || !alg)
        rc = kith_err(err, KITH_EINVAL, "the JWS header is not JSON with an alg");
    else if (strcmp(alg, "EdDSA") != 0)
        rc = kith_err(err, KITH_EINVAL, "the JWS is signed with %s, not EdDSA", alg);
    else if (!sig || ns != crypto_sign_BYTES)
        rc = kith_err(err, KITH_EINVAL, "the JWS signature is not an Ed25519 signature");
    else if (sodium_init() < 0 ||
             crypto_sign_verify_detached(sig, (const unsigned char *)jws,
                                         (unsigned long long)(d2 - jws), pk) != 0)
        rc = kith_err(err, KITH_EINVAL,
                      "bad signature: the receipt was changed or not signed with this key");
    free(h);
    free(sig);
    json_decref(hdr);
    if (rc < 0)
        return rc;
    size_t np;
    unsigned char *p = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &np);
    json_t *j = p ? json_loadb((const char *)p, np, 0, NULL) : NULL;
    free(p);
    if (!json_is_object(j)) {
        json_decref(j);
        return kith_err(err, KITH_EINVAL, "the signed payload is not a JSON object");
    }
    for (size_t i = 0; required[i]; i++)
        if (!json_object_get(j, required[i])) {
            json_decref(j);
            return kith_err(err, KITH_EINVAL,
                            "the signed payload is not a consent receipt v1.1: no %s", required[i]);
        }
    char *want = b64url(pk, STORE_SIGN_PK);
    const char *got = json_string_value(json_object_get(j, "publicKey"));
    bool same = want && got && strcmp(want, got) == 0;
    free(want);
    if (!same) {
        json_decref(j);
        return kith_err(err, KITH_EINVAL, "the receipt names another publicKey than the signer's");
    }
    *payload = j;
    return 0;
}
