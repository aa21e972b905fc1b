/*
 * secret.c - random bearer secrets and their BLAKE2b hashes on libsodium; see secret.h for why
 * a fast hash is the right one for 256-bit random secrets.
 */
#include "util/secret.h"

#include <sodium.h>
#include <string.h>

#include "util/error.h"

#include "util/banned.h"

#define HASH_BYTES 32
#define B64_LEN    43 /* unpadded base64 of 32 bytes */

_Static_assert(HASH_BYTES >= crypto_generichash_BYTES_MIN, "BLAKE2b output size");
_Static_assert(2 * HASH_BYTES + 1 == SECRET_HASH_HEX_SIZE, "hex hash size");

static void crypto_ready(void)
{
    if (sodium_init() < 0)
        BUG("libsodium cannot initialise (no random source?)");
}

static void b64(const unsigned char *bin, size_t len, char *out, size_t size)
{
    sodium_bin2base64(out, size, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void secret_new(const char *prefix, char out[SECRET_TEXT_SIZE])
{
    unsigned char random[SECRET_RANDOM_BYTES];
    size_t plen = strlen(prefix);
    if (plen + B64_LEN + 1 > SECRET_TEXT_SIZE)
        BUG("secret prefix '%s' too long", prefix);
    crypto_ready();
    randombytes_buf(random, sizeof(random));
    memcpy(out, prefix, plen);
    b64(random, sizeof(random), out + plen, SECRET_TEXT_SIZE - plen);
    sodium_memzero(random, sizeof(random));
}

void secret_hash(const char *s, size_t len, char out[SECRET_HASH_HEX_SIZE])
{
    unsigned char h[HASH_BYTES];
    crypto_ready();
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, len, NULL, 0);
    sodium_bin2hex(out, SECRET_HASH_HEX_SIZE, h, sizeof(h));
}

void secret_derive(const char *secret, size_t len, const char *purpose, char out[SECRET_TEXT_SIZE])
{
    unsigned char key[crypto_generichash_KEYBYTES];
    unsigned char h[SECRET_RANDOM_BYTES];
    crypto_ready();
    /* Any secret length becomes a proper BLAKE2b key by hashing it first. */
    crypto_generichash(key, sizeof(key), (const unsigned char *)secret, len, NULL, 0);
    crypto_generichash(h, sizeof(h), (const unsigned char *)purpose, strlen(purpose), key,
                       sizeof(key));
    b64(h, sizeof(h), out, SECRET_TEXT_SIZE);
    sodium_memzero(key, sizeof(key));
    sodium_memzero(h, sizeof(h));
}

bool secret_hash_equal(const char *a, const char *b)
{
    if (!a || !b || strlen(a) != 2 * HASH_BYTES || strlen(b) != 2 * HASH_BYTES)
        return false;
    return sodium_memcmp(a, b, 2 * HASH_BYTES) == 0;
}

void secret_wipe(void *p, size_t size)
{
    sodium_memzero(p, size);
}
