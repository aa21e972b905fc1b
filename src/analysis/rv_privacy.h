/*
 * rv_privacy.h - the noise of the comparison of units, made repeatable: seeded through a keyed
 * hash (BLAKE2b, libsodium's crypto_generichash, keyed with the server's secret) from the data
 * version and the normalised query, and drawn from a ChaCha20 stream. One query over one data
 * version therefore gets the same noise on every call and cannot be averaged away; any change of
 * the data, of the query or of the caller's unit gives unrelated noise. The policy that decides
 * k and epsilon is applied by rv_units_run() (rv_report.c). docs/internals/rv.md, "Privacy
 * policy".
 */
#ifndef KITH_ANALYSIS_RV_PRIVACY_H
#define KITH_ANALYSIS_RV_PRIVACY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/compare.h"
#include "store/store.h"

#define RV_NOISE_KEY_BYTES     32
#define RV_NOISE_SEED_BYTES    32
#define RV_NOISE_VERSION_BYTES 32
#define RV_NOISE_QUERY_BYTES   16

/* The ranges of a policy's values, for `kith privacy set` and PATCH /api/v1/privacy alike. */
#define RV_PRIVACY_MIN_K_MAX   1000000 /* the k parameter's own upper bound */
#define RV_PRIVACY_EPSILON_MAX 1000.0  /* the epsilon parameter's own upper bound */
#define RV_PRIVACY_BUDGET_MAX  1e6

/*
 * The JSON of one role's policy (GET /api/v1/privacy, `kith privacy show --json`): {"role",
 * "min_k", "max_epsilon", "require_noise", "daily_budget" (null: no limit), "updated_at" (null:
 * never changed), "updated_by"}. A new reference, or NULL when out of memory.
 */
json_t *rv_privacy_policy_json(const struct store_privacy_policy *p);

/* {"roles": [policy, ...]} of n policies: what `kith privacy show --json` prints and GET
 * /api/v1/privacy answers. A new reference, or NULL when out of memory. */
json_t *rv_privacy_policies_json(const struct store_privacy_policy *pol, size_t n);

/*
 * Checks the values of p against the ranges above; returns 0, or KITH_EINVAL with *field the
 * name of the first value at fault and err saying why.
 */
/*
 * The audit log's description of a change from before to after into buf ("privacy policy of
 * partner: min_k 10 -> 20, max_epsilon 1 -> 1, ..."), truncated to size; the doors' one text.
 */
void rv_privacy_policy_change(const struct store_privacy_policy *before,
                              const struct store_privacy_policy *after, char *buf, size_t size);

int rv_privacy_policy_check(const struct store_privacy_policy *p, const char **field,
                            struct kith_error *err);

/* The normalised query: the values applied after the policy, not the ones asked for. */
struct rv_noise_query {
    int64_t k;
    double epsilon;
    double clip_lo, clip_hi;
    int64_t own_unit_id; /* the unit shown exactly (the caller's); 0: none */
};

/*
 * The data version of a comparison: BLAKE2b-256 of its members (every cell's count and sorted
 * RV values, compare_members). Equal members, equal version, whatever the order of the contacts
 * or the process that loaded them; any member added, removed, moved or changed, another version.
 */
void rv_noise_version(const struct compare_members *m, uint8_t version[RV_NOISE_VERSION_BYTES]);

/*
 * The seed of the noise: BLAKE2b-256 keyed with key over a domain string, q's fields (fixed
 * width, little-endian) and version. The same inputs give the same seed; a change of any gives
 * an unrelated one.
 */
void rv_noise_seed(const uint8_t key[RV_NOISE_KEY_BYTES], const struct rv_noise_query *q,
                   const uint8_t version[RV_NOISE_VERSION_BYTES],
                   uint8_t seed[RV_NOISE_SEED_BYTES]);

/* The id of a query in the budget's ledger, derived from its seed (the seed is not stored). */
void rv_noise_query_id(const uint8_t seed[RV_NOISE_SEED_BYTES], uint8_t id[RV_NOISE_QUERY_BYTES]);

/* A deterministic uniform source: the ChaCha20 keystream of a seed, 53 bits a draw. */
struct rv_noise_stream {
    uint8_t seed[RV_NOISE_SEED_BYTES];
    uint64_t block; /* the nonce of the next buffer */
    size_t pos;     /* bytes of buf used */
    uint8_t buf[512];
};

void rv_noise_stream_init(struct rv_noise_stream *s, const uint8_t seed[RV_NOISE_SEED_BYTES]);

/* A compare_uniform_fn: ctx is a struct rv_noise_stream. Uniform on [0, 1). */
double rv_noise_uniform(void *ctx);

#endif
