/*
 * rv_privacy.c - repeatable noise for the comparison of units (rv_privacy.h): the data version,
 * the keyed seed, the ledger id of a query and the ChaCha20 uniform source.
 */
#include "analysis/rv_privacy.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "io/rv_json.h"

#include "util/banned.h"

static void put_u64(crypto_generichash_state *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    crypto_generichash_update(h, b, sizeof(b));
}

/* A double by its bits, with -0 as 0 so that equal values hash equal. */
static void put_double(crypto_generichash_state *h, double v)
{
    uint64_t bits;
    v += 0.0;
    memcpy(&bits, &v, sizeof(bits));
    put_u64(h, bits);
}

void rv_noise_version(const struct compare_members *m, uint8_t version[RV_NOISE_VERSION_BYTES])
{
    static const char domain[] = "kith rv units members v1";
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, RV_NOISE_VERSION_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)domain, sizeof(domain));
    put_u64(&h, m->ncells);
    for (size_t i = 0; i < m->ncells; i++) {
        put_u64(&h, m->offset[i + 1] - m->offset[i]);
        for (uint32_t j = m->offset[i]; j < m->offset[i + 1]; j++)
            put_double(&h, m->sorted[j]);
    }
    crypto_generichash_final(&h, version, RV_NOISE_VERSION_BYTES);
}

void rv_noise_seed(const uint8_t key[RV_NOISE_KEY_BYTES], const struct rv_noise_query *q,
                   const uint8_t version[RV_NOISE_VERSION_BYTES], uint8_t seed[RV_NOISE_SEED_BYTES])
{
    static const char domain[] = "kith rv units noise v1";
    crypto_generichash_state h;
    crypto_generichash_init(&h, key, RV_NOISE_KEY_BYTES, RV_NOISE_SEED_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)domain, sizeof(domain));
    put_u64(&h, (uint64_t)q->k);
    put_double(&h, q->epsilon);
    put_double(&h, q->clip_lo);
    put_double(&h, q->clip_hi);
    put_u64(&h, (uint64_t)q->own_unit_id);
    crypto_generichash_update(&h, version, RV_NOISE_VERSION_BYTES);
    crypto_generichash_final(&h, seed, RV_NOISE_SEED_BYTES);
}

void rv_noise_query_id(const uint8_t seed[RV_NOISE_SEED_BYTES], uint8_t id[RV_NOISE_QUERY_BYTES])
{
    static const char domain[] = "kith rv units budget v1";
    crypto_generichash(id, RV_NOISE_QUERY_BYTES, (const uint8_t *)domain, sizeof(domain), seed,
                       RV_NOISE_SEED_BYTES);
}

void rv_noise_stream_init(struct rv_noise_stream *s, const uint8_t seed[RV_NOISE_SEED_BYTES])
{
    memset(s, 0, sizeof(*s));
    memcpy(s->seed, seed, RV_NOISE_SEED_BYTES);
    s->pos = sizeof(s->buf); /* empty: the first draw fills it */
}

double rv_noise_uniform(void *ctx)
{
    struct rv_noise_stream *s = ctx;
    if (s->pos + 8 > sizeof(s->buf)) {
        uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
        for (size_t i = 0; i < sizeof(nonce) && i < 8; i++)
            nonce[i] = (uint8_t)(s->block >> (8 * i));
        crypto_stream_chacha20(s->buf, sizeof(s->buf), nonce, s->seed);
        s->block++;
        s->pos = 0;
    }
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)s->buf[s->pos + (size_t)i] << (8 * i);
    s->pos += 8;
    return (double)(x >> 11) * 0x1.0p-53;
}

json_t *rv_privacy_policy_json(const struct store_privacy_policy *p)
{
    json_t *o = json_object();
    if (!rvjson_put(o, "role", json_string(p->role)) ||
        !rvjson_put(o, "min_k", json_integer(p->min_k)) ||
        !rvjson_put(o, "max_epsilon", json_real(p->max_epsilon)) ||
        !rvjson_put(o, "require_noise", json_boolean(p->require_noise)) ||
        !rvjson_put(o, "daily_budget",
                    p->daily_budget == STORE_PRIVACY_NO_LIMIT ? json_null()
                                                              : json_real(p->daily_budget)) ||
        !rvjson_put(o, "updated_at", p->updated_at ? rvjson_ms(p->updated_at) : json_null()) ||
        !rvjson_put(o, "updated_by", p->updated_by ? json_integer(p->updated_by) : json_null()))
        return rvjson_fail(o);
    return o;
}

int rv_privacy_policy_check(const struct store_privacy_policy *p, const char **field,
                            struct kith_error *err)
{
    if (p->min_k < 1 || p->min_k > RV_PRIVACY_MIN_K_MAX) {
        *field = "min_k";
        return kith_err(err, KITH_EINVAL, "must be a whole number from 1 to %d",
                        RV_PRIVACY_MIN_K_MAX);
    }
    if (!(p->max_epsilon > 0 && p->max_epsilon <= RV_PRIVACY_EPSILON_MAX)) {
        *field = "max_epsilon";
        return kith_err(err, KITH_EINVAL, "must be a number above 0 and at most %g",
                        RV_PRIVACY_EPSILON_MAX);
    }
    if (p->daily_budget != STORE_PRIVACY_NO_LIMIT &&
        !(p->daily_budget >= 0 && p->daily_budget <= RV_PRIVACY_BUDGET_MAX)) {
        *field = "daily_budget";
        return kith_err(err, KITH_EINVAL, "must be a number from 0 to %g, or none (no limit)",
                        RV_PRIVACY_BUDGET_MAX);
    }
    *field = NULL;
    return 0;
}

/* A budget as text: "none" for no limit. */
static const char *budget_text(double v, char *buf, size_t size)
{
    if (v == STORE_PRIVACY_NO_LIMIT)
        return "none";
    snprintf(buf, size, "%g", v);
    return buf;
}

void rv_privacy_policy_change(const struct store_privacy_policy *before,
                              const struct store_privacy_policy *after, char *buf, size_t size)
{
    char b0[32], b1[32];
    snprintf(buf, size,
             "privacy policy of %s: min_k %lld -> %lld, max_epsilon %g -> %g, require_noise %s ->"
             " %s, daily_budget %s -> %s",
             after->role, (long long)before->min_k, (long long)after->min_k, before->max_epsilon,
             after->max_epsilon, before->require_noise ? "yes" : "no",
             after->require_noise ? "yes" : "no", budget_text(before->daily_budget, b0, sizeof(b0)),
             budget_text(after->daily_budget, b1, sizeof(b1)));
}

json_t *rv_privacy_policies_json(const struct store_privacy_policy *pol, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, rv_privacy_policy_json(&pol[i])) < 0) {
            json_decref(a);
            a = NULL;
        }
    return a ? json_pack("{s:o}", "roles", a) : NULL;
}
