/*
 * password_test.c - tests of src/util/password.c (policy, argon2id hash and verify, generated
 * passwords) and src/util/secret.c (random secrets, their hashes, derived CSRF tokens).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "util/password.h"
#include "util/secret.h"

static void policy_counts_characters_not_bytes(void **state)
{
    (void)state;
    struct kith_error err = {0};
    assert_int_equal(password_check_policy("12345678901", 11, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "at least 12"));
    assert_null(strstr(err.msg, "12345678901")); /* never quotes the password */
    assert_int_equal(password_check_policy("123456789012", 12, &err), 0);
    /* 11 characters in 22 bytes: too short although 22 bytes. */
    const char *greek = "αβγδεζηθικλ";
    assert_int_equal(password_check_policy(greek, strlen(greek), &err), KITH_EINVAL);
    /* 12 two-byte characters: long enough. */
    const char *greek12 = "αβγδεζηθικλμ";
    assert_int_equal(password_check_policy(greek12, strlen(greek12), &err), 0);
}

static void policy_caps_length_and_refuses_bad_text(void **state)
{
    (void)state;
    struct kith_error err = {0};
    char pw[PASSWORD_MAX_BYTES + 2];
    memset(pw, 'a', sizeof(pw));
    assert_int_equal(password_check_policy(pw, 128, &err), 0);
    assert_int_equal(password_check_policy(pw, 129, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 128"));
    assert_int_equal(password_check_policy(pw, sizeof(pw), &err), KITH_EINVAL);
    assert_int_equal(password_check_policy("abcdef\0ghijklmn", 15, &err), KITH_EINVAL);
    assert_int_equal(password_check_policy("abcdefghijkl\xff", 13, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
}

static void hash_is_argon2id_with_the_stated_cost(void **state)
{
    (void)state;
    struct kith_error err = {0};
    char h1[PASSWORD_HASH_SIZE], h2[PASSWORD_HASH_SIZE];
    const char *pw = "correct horse battery staple";
    assert_int_equal(password_hash(pw, strlen(pw), h1, &err), 0);
    assert_non_null(strstr(h1, "$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_int_equal(strncmp(h1, "$argon2id$", 10), 0);
    assert_true(password_verify(h1, pw, strlen(pw)));
    assert_false(password_verify(h1, "correct horse battery stapler", 29));
    assert_false(password_verify(h1, pw, strlen(pw) - 1));
    /* Salted: the same password hashes differently each time. */
    assert_int_equal(password_hash(pw, strlen(pw), h2, &err), 0);
    assert_string_not_equal(h1, h2);
    assert_true(password_verify(h2, pw, strlen(pw)));
}

static void hash_refuses_a_password_against_the_policy(void **state)
{
    (void)state;
    struct kith_error err = {0};
    char h[PASSWORD_HASH_SIZE];
    assert_int_equal(password_hash("short", 5, h, &err), KITH_EINVAL);
}

static void verify_refuses_malformed_and_foreign_hashes(void **state)
{
    (void)state;
    assert_false(password_verify("", "correct horse battery staple", 28));
    assert_false(password_verify(NULL, "correct horse battery staple", 28));
    assert_false(password_verify("$argon2id$garbage", "correct horse battery staple", 28));
    /* A scrypt or argon2i string is not accepted even if libsodium could check it. */
    assert_false(password_verify("$argon2i$v=19$m=32768,t=4,p=1$c2FsdHNhbHQ$aGFzaA",
                                 "correct horse battery staple", 28));
    assert_false(password_verify_dummy("correct horse battery staple", 28));
}

static void generated_passwords_pass_the_policy_and_differ(void **state)
{
    (void)state;
    char a[PASSWORD_GENERATED_SIZE], b[PASSWORD_GENERATED_SIZE];
    struct kith_error err = {0};
    password_generate(a);
    password_generate(b);
    assert_int_equal(strlen(a), 24);
    assert_int_equal(password_check_policy(a, strlen(a), &err), 0);
    assert_string_not_equal(a, b);
}

static void secrets_are_random_base64url_with_prefix(void **state)
{
    (void)state;
    char a[SECRET_TEXT_SIZE], b[SECRET_TEXT_SIZE];
    secret_new("", a);
    secret_new("kith_", b);
    assert_int_equal(strlen(a), 43); /* 256 bits */
    assert_int_equal(strlen(b), 5 + 43);
    assert_int_equal(strncmp(b, "kith_", 5), 0);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    assert_string_not_equal(a, b + 5);
}

static void secret_hashes_are_stable_hex_and_compare(void **state)
{
    (void)state;
    char h1[SECRET_HASH_HEX_SIZE], h2[SECRET_HASH_HEX_SIZE], h3[SECRET_HASH_HEX_SIZE];
    secret_hash("abc", 3, h1);
    secret_hash("abc", 3, h2);
    secret_hash("abd", 3, h3);
    /* BLAKE2b-256("abc"), as Python's hashlib.blake2b(b"abc", digest_size=32) gives it. */
    assert_string_equal(h1, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    assert_true(secret_hash_equal(h1, h2));
    assert_false(secret_hash_equal(h1, h3));
    assert_false(secret_hash_equal(h1, "bddd"));
    assert_false(secret_hash_equal(NULL, h1));
}

static void derived_secrets_depend_on_secret_and_purpose(void **state)
{
    (void)state;
    char a[SECRET_TEXT_SIZE], b[SECRET_TEXT_SIZE], c[SECRET_TEXT_SIZE], d[SECRET_TEXT_SIZE];
    secret_derive("session-one", 11, "csrf", a);
    secret_derive("session-one", 11, "csrf", b);
    secret_derive("session-two", 11, "csrf", c);
    secret_derive("session-one", 11, "other", d);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strlen(a), 43);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_counts_characters_not_bytes),
        cmocka_unit_test(policy_caps_length_and_refuses_bad_text),
        cmocka_unit_test(hash_is_argon2id_with_the_stated_cost),
        cmocka_unit_test(hash_refuses_a_password_against_the_policy),
        cmocka_unit_test(verify_refuses_malformed_and_foreign_hashes),
        cmocka_unit_test(generated_passwords_pass_the_policy_and_differ),
        cmocka_unit_test(secrets_are_random_base64url_with_prefix),
        cmocka_unit_test(secret_hashes_are_stable_hex_and_compare),
        cmocka_unit_test(derived_secrets_depend_on_secret_and_purpose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
