/*
 * rv_privacy_test.c - tests of src/analysis/rv_privacy.c: the seed of the noise is the same for
 * the same key, query and data version and changes when any of them changes; the data version
 * follows the members, not their order; the stream is deterministic and uniform on [0, 1); the
 * policy's JSON and its range check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/rv_privacy.h"

static const struct rv_noise_query base = {
    .k = 10, .epsilon = 1, .clip_lo = -1000, .clip_hi = 10000, .own_unit_id = 3};

static void seed_of(const uint8_t *key, const struct rv_noise_query *q, const uint8_t *version,
                    uint8_t *seed)
{
    rv_noise_seed(key, q, version, seed);
}

static void same_inputs_same_seed_any_change_another(void **state)
{
    (void)state;
    uint8_t key[RV_NOISE_KEY_BYTES], version[RV_NOISE_VERSION_BYTES];
    uint8_t s0[RV_NOISE_SEED_BYTES], s1[RV_NOISE_SEED_BYTES];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 7 + 1);
    memset(version, 0xab, sizeof(version));
    seed_of(key, &base, version, s0);
    seed_of(key, &base, version, s1);
    assert_memory_equal(s0, s1, sizeof(s0));

    struct rv_noise_query q[6];
    for (int i = 0; i < 6; i++)
        q[i] = base;
    q[0].k = 11;
    q[1].epsilon = 0.5;
    q[2].clip_lo = -999;
    q[3].clip_hi = 10001;
    q[4].own_unit_id = 4;
    q[5].own_unit_id = 0;
    for (int i = 0; i < 6; i++) {
        seed_of(key, &q[i], version, s1);
        if (memcmp(s0, s1, sizeof(s0)) == 0)
            fail_msg("query change %d kept the seed", i);
    }
    uint8_t other[RV_NOISE_VERSION_BYTES];
    memcpy(other, version, sizeof(other));
    other[31] ^= 1;
    seed_of(key, &base, other, s1);
    assert_true(memcmp(s0, s1, sizeof(s0)) != 0);
    key[0] ^= 1;
    seed_of(key, &base, version, s1);
    assert_true(memcmp(s0, s1, sizeof(s0)) != 0);

    /* -0 and 0 are the same bound */
    key[0] ^= 1;
    struct rv_noise_query z = base, mz = base;
    z.clip_lo = 0;
    mz.clip_lo = -0.0;
    seed_of(key, &z, version, s0);
    seed_of(key, &mz, version, s1);
    assert_memory_equal(s0, s1, sizeof(s0));

    /* the ledger's id follows the seed */
    uint8_t id0[RV_NOISE_QUERY_BYTES], id1[RV_NOISE_QUERY_BYTES];
    rv_noise_query_id(s0, id0);
    rv_noise_query_id(s0, id1);
    assert_memory_equal(id0, id1, sizeof(id0));
    s0[0] ^= 1;
    rv_noise_query_id(s0, id1);
    assert_true(memcmp(id0, id1, sizeof(id0)) != 0);
}

static void data_version_follows_the_members(void **state)
{
    (void)state;
    /* two cells: {1, 2, 3} and {5} */
    uint32_t off[3] = {0, 3, 4};
    double v[4] = {1, 2, 3, 5};
    struct compare_members m = {.ncells = 2, .offset = off, .sorted = v};
    uint8_t a[RV_NOISE_VERSION_BYTES], b[RV_NOISE_VERSION_BYTES];
    rv_noise_version(&m, a);
    rv_noise_version(&m, b);
    assert_memory_equal(a, b, sizeof(a));
    v[1] = 2.5; /* a member's RV changed */
    rv_noise_version(&m, b);
    assert_true(memcmp(a, b, sizeof(a)) != 0);
    v[1] = 2;
    uint32_t moved[3] = {0, 2, 4}; /* the member of RV 3 moved to the other cell */
    m.offset = moved;
    rv_noise_version(&m, b);
    assert_true(memcmp(a, b, sizeof(a)) != 0);
    m.offset = off;
    m.ncells = 1; /* a cell less */
    rv_noise_version(&m, b);
    assert_true(memcmp(a, b, sizeof(a)) != 0);
}

static void stream_is_deterministic_and_uniform(void **state)
{
    (void)state;
    uint8_t seed[RV_NOISE_SEED_BYTES] = {1, 2, 3};
    struct rv_noise_stream s1, s2;
    rv_noise_stream_init(&s1, seed);
    rv_noise_stream_init(&s2, seed);
    double sum = 0;
    const int n = 20000; /* several buffers */
    for (int i = 0; i < n; i++) {
        double u = rv_noise_uniform(&s1);
        assert_true(u == rv_noise_uniform(&s2));
        assert_true(u >= 0 && u < 1);
        sum += u;
    }
    assert_true(sum / n > 0.49 && sum / n < 0.51);
    seed[0] ^= 1;
    rv_noise_stream_init(&s2, seed);
    rv_noise_stream_init(&s1, (uint8_t[RV_NOISE_SEED_BYTES]){1, 2, 3});
    assert_true(rv_noise_uniform(&s1) != rv_noise_uniform(&s2));
}

static void policy_json_and_check(void **state)
{
    (void)state;
    struct store_privacy_policy p = {.role = "partner",
                                     .min_k = 10,
                                     .max_epsilon = 1,
                                     .require_noise = true,
                                     .daily_budget = STORE_PRIVACY_NO_LIMIT};
    json_t *j = rv_privacy_policy_json(&p);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "role")), "partner");
    assert_true(json_is_null(json_object_get(j, "daily_budget")));
    assert_true(json_is_null(json_object_get(j, "updated_at")));
    json_decref(j);
    const char *field = "x";
    struct kith_error err = {0};
    assert_int_equal(rv_privacy_policy_check(&p, &field, &err), 0);
    assert_null(field);
    p.min_k = 0;
    assert_int_equal(rv_privacy_policy_check(&p, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "min_k");
    p.min_k = 10;
    p.max_epsilon = 0;
    assert_int_equal(rv_privacy_policy_check(&p, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "max_epsilon");
    p.max_epsilon = 1;
    p.daily_budget = -3;
    assert_int_equal(rv_privacy_policy_check(&p, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "daily_budget");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_inputs_same_seed_any_change_another),
        cmocka_unit_test(data_version_follows_the_members),
        cmocka_unit_test(stream_is_deterministic_and_uniform),
        cmocka_unit_test(policy_json_and_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
