/*
 * password.h - the password policy and argon2id hashes (libsodium's crypto_pwhash).
 *
 * Policy: 12 to 128 characters (Unicode code points) of well-formed UTF-8 without NUL bytes;
 * nothing else is imposed (NIST SP 800-63B: length beats composition rules). Hashes are
 * argon2id v1.3 with m = 19 MiB, t = 2, p = 1 (the OWASP minimum for argon2id), written in the
 * self-describing PHC string form "$argon2id$v=19$m=19456,t=2,p=1$salt$hash", so the cost can
 * be raised later and old hashes still verify.
 * A hash takes about 30-60 ms and 19 MiB of memory; callers should not hold a lock meanwhile.
 */
#ifndef KITH_UTIL_PASSWORD_H
#define KITH_UTIL_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_CHARS 128
/* Bytes a password may take: 128 code points of at most 4 bytes each. */
#define PASSWORD_MAX_BYTES (PASSWORD_MAX_CHARS * 4)

/* The cost of new hashes. */
#define PASSWORD_MEMLIMIT ((size_t)19 * 1024 * 1024)
#define PASSWORD_OPSLIMIT 2ULL

/* Room for an encoded hash with its NUL (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_SIZE 128

/* Room for password_generate()'s output with its NUL. */
#define PASSWORD_GENERATED_SIZE 32

/*
 * Checks the len bytes at pw against the policy; KITH_EINVAL with a message that says what is
 * wrong (never quoting the password) when they fail it.
 */
int password_check_policy(const char *pw, size_t len, struct kith_error *err);

/*
 * Checks the policy, then writes the argon2id hash of pw into out (PASSWORD_HASH_SIZE bytes,
 * caller-owned). KITH_ENOMEM when the 19 MiB cannot be had.
 */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_SIZE], struct kith_error *err);

/* True if pw matches hash (a string from password_hash). False for a malformed hash. */
bool password_verify(const char *hash, const char *pw, size_t len);

/*
 * Spends the time and memory of one password_verify() and returns false. Called when the
 * account does not exist, so that the answer's timing does not tell which emails have one.
 */
bool password_verify_dummy(const char *pw, size_t len);

/*
 * Writes a random password of 24 characters from a 64-symbol alphabet (144 bits) into out
 * (PASSWORD_GENERATED_SIZE bytes, caller-owned). It satisfies the policy. Wipe it after use.
 */
void password_generate(char out[PASSWORD_GENERATED_SIZE]);

#endif
