/*
 * password.c - password policy, argon2id hashing and verification on libsodium; see password.h
 * for the policy and the cost parameters and why they were chosen.
 */
#include "util/password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/utf8.h"

#include "util/banned.h"

_Static_assert(PASSWORD_HASH_SIZE == crypto_pwhash_STRBYTES, "hash buffer size");
_Static_assert(PASSWORD_MEMLIMIT >= crypto_pwhash_MEMLIMIT_MIN, "memory cost");

/* sodium_init() is idempotent and thread-safe; it only fails when the system has no RNG. */
static int crypto_ready(struct kith_error *err)
{
    if (sodium_init() < 0)
        return kith_err(err, KITH_EIO, "libsodium cannot initialise (no random source?)");
    return 0;
}

static size_t count_code_points(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

int password_check_policy(const char *pw, size_t len, struct kith_error *err)
{
    if (len > PASSWORD_MAX_BYTES)
        return kith_err(err, KITH_EINVAL, "the password is longer than %d characters",
                        PASSWORD_MAX_CHARS);
    if (!utf8_is_valid(pw, len, NULL))
        return kith_err(err, KITH_EINVAL,
                        "the password must be UTF-8 text (without NUL characters)");
    size_t chars = count_code_points(pw, len);
    if (chars < PASSWORD_MIN_CHARS)
        return kith_err(err, KITH_EINVAL,
                        "the password is too short: it needs at least %d characters, it has %zu",
                        PASSWORD_MIN_CHARS, chars);
    if (chars > PASSWORD_MAX_CHARS)
        return kith_err(err, KITH_EINVAL, "the password is longer than %d characters",
                        PASSWORD_MAX_CHARS);
    return 0;
}

int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_SIZE], struct kith_error *err)
{
    int rc;
    if ((rc = password_check_policy(pw, len, err)) < 0)
        return rc;
    if ((rc = crypto_ready(err)) < 0)
        return rc;
    if (crypto_pwhash_str_alg(out, pw, len, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return kith_err(err, KITH_ENOMEM, "not enough memory to hash the password (%zu MiB)",
                        PASSWORD_MEMLIMIT / (1024 * 1024));
    return 0;
}

bool password_verify(const char *hash, const char *pw, size_t len)
{
    if (!hash || !*hash || crypto_ready(NULL) < 0)
        return false;
    /* Only argon2id hashes are accepted: a weaker algorithm in the column is not a password. */
    if (strncmp(hash, crypto_pwhash_argon2id_STRPREFIX, strlen(crypto_pwhash_argon2id_STRPREFIX)))
        return false;
    return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

static pthread_once_t g_dummy_once = PTHREAD_ONCE_INIT;
static char g_dummy_hash[PASSWORD_HASH_SIZE];

static void dummy_hash_init(void)
{
    unsigned char random[16];
    char pw[2 * sizeof(random) + 1];
    randombytes_buf(random, sizeof(random));
    sodium_bin2hex(pw, sizeof(pw), random, sizeof(random));
    if (crypto_pwhash_str_alg(g_dummy_hash, pw, strlen(pw), PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        g_dummy_hash[0] = '\0';
    sodium_memzero(pw, sizeof(pw));
}

bool password_verify_dummy(const char *pw, size_t len)
{
    if (crypto_ready(NULL) < 0)
        return false;
    pthread_once(&g_dummy_once, dummy_hash_init);
    /* The result is thrown away on purpose: only the time it takes matters. */
    volatile int sink = g_dummy_hash[0] ? crypto_pwhash_str_verify(g_dummy_hash, pw, len) : 0;
    (void)sink;
    return false;
}

void password_generate(char out[PASSWORD_GENERATED_SIZE])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    _Static_assert(sizeof(alphabet) - 1 == 64, "64 symbols: a byte's low 6 bits pick one evenly");
    unsigned char random[24];
    if (crypto_ready(NULL) < 0)
        BUG("libsodium cannot initialise");
    randombytes_buf(random, sizeof(random));
    for (size_t i = 0; i < sizeof(random); i++)
        out[i] = alphabet[random[i] & 63];
    out[sizeof(random)] = '\0';
    sodium_memzero(random, sizeof(random));
}
