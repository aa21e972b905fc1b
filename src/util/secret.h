/*
 * secret.h - random bearer secrets (session ids, CSRF tokens, API tokens) and their hashes.
 *
 * A secret is 32 bytes from the CSPRNG (randombytes_buf, 256 bits), written as unpadded
 * base64url, optionally after a prefix ("kith_" for API tokens, so secret scanners know them).
 * Only its hash is stored: BLAKE2b-256 (crypto_generichash) in lowercase hex. A fast hash is
 * right here, unlike for passwords: a 256-bit random value cannot be guessed, so a stolen hash
 * column gives nothing to brute-force, and a fast hash keeps each authenticated request cheap.
 */
#ifndef KITH_UTIL_SECRET_H
#define KITH_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_RANDOM_BYTES 32
/* Room for a hex hash with its NUL. */
#define SECRET_HASH_HEX_SIZE 65
/* Longest secret this module writes or accepts: prefix (at most 15 bytes) + 43 + NUL. */
#define SECRET_TEXT_SIZE 64

/*
 * Writes prefix (may be "") followed by 32 random bytes in base64url into out (SECRET_TEXT_SIZE
 * bytes, caller-owned). Aborts (BUG) if libsodium has no random source, as nothing can be safe
 * then.
 */
void secret_new(const char *prefix, char out[SECRET_TEXT_SIZE]);

/* Writes the hex BLAKE2b-256 of the len bytes at s into out (SECRET_HASH_HEX_SIZE bytes). */
void secret_hash(const char *s, size_t len, char out[SECRET_HASH_HEX_SIZE]);

/*
 * Derives a second secret from secret and a purpose label (keyed BLAKE2b, the secret as key),
 * in base64url, into out (SECRET_TEXT_SIZE bytes). Used for the CSRF token of a session, so
 * that GET /api/v1/session can tell it again to a page that was reloaded.
 */
void secret_derive(const char *secret, size_t len, const char *purpose, char out[SECRET_TEXT_SIZE]);

/* Constant-time equality of two hex hashes (sodium_memcmp); false when either is malformed. */
bool secret_hash_equal(const char *a, const char *b);

/* Overwrites size bytes at p with zeros in a way the compiler keeps (sodium_memzero). */
void secret_wipe(void *p, size_t size);

#endif
