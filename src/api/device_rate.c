/*
 * device_rate.c - the token bucket of each device posting to /api/v1/streams (docs/portal.md,
 * "Devices"): a device may send KITH_DEVICE_RATE readings a second on average and
 * KITH_DEVICE_BURST at once. Buckets live in a fixed table of BUCKETS slots (no allocation per
 * device); when the slots a device hashes to are all taken, the one idle longest is reused, so a
 * flood of devices costs memory nobody but this table, and at worst gives an evicted device a
 * full bucket again (the bound per device then holds per table turnover, not exactly).
 */
#include "api/devices.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/num.h"

#include "util/banned.h"

#define BUCKETS   4096 /* a power of two */
#define PROBES    16
#define RATE_MAX  10000000
#define RATE_DEF  1000
#define BURST_DEF 5000

struct bucket {
    int64_t device_id; /* 0: free */
    int64_t last_ms;   /* when tokens was last brought up to date */
    double tokens;
};

static struct bucket g_buckets[BUCKETS];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static double g_rate = RATE_DEF, g_burst = BURST_DEF;

static int env_number(const char *name, int64_t lo, int64_t def, int64_t *out,
                      struct kith_error *err)
{
    const char *v = getenv(name);
    *out = def;
    if (v && *v && num_int64(v, lo, RATE_MAX, out, name, NULL) < 0)
        return kith_err(err, KITH_EINVAL, "%s=%s: expected a whole number from %lld to %d", name, v,
                        (long long)lo, RATE_MAX);
    return 0;
}

int device_rate_init(struct kith_error *err)
{
    int64_t rate, burst;
    int rc;
    if ((rc = env_number("KITH_DEVICE_RATE", 1, RATE_DEF, &rate, err)) < 0 ||
        (rc = env_number("KITH_DEVICE_BURST", STREAMS_LINES_MAX, BURST_DEF, &burst, err)) < 0)
        return rc;
    pthread_mutex_lock(&g_mu);
    g_rate = (double)rate;
    g_burst = (double)burst;
    for (size_t i = 0; i < BUCKETS; i++)
        g_buckets[i].device_id = 0;
    pthread_mutex_unlock(&g_mu);
    return 0;
}

static size_t slot_of(int64_t device_id)
{
    uint64_t h = (uint64_t)device_id * 0x9E3779B97F4A7C15ull; /* Fibonacci hashing */
    return (size_t)(h >> 52) & (BUCKETS - 1);
}

/* The bucket of device_id (made full when it had none); call with g_mu held. */
static struct bucket *bucket_of(int64_t device_id, int64_t now_ms)
{
    size_t first = slot_of(device_id);
    struct bucket *stalest = NULL;
    for (size_t k = 0; k < PROBES; k++) {
        struct bucket *b = &g_buckets[(first + k) & (BUCKETS - 1)];
        if (b->device_id == device_id)
            return b;
        if (!stalest || b->device_id == 0 ||
            (stalest->device_id != 0 && b->last_ms < stalest->last_ms))
            stalest = b;
    }
    *stalest = (struct bucket){.device_id = device_id, .last_ms = now_ms, .tokens = g_burst};
    return stalest;
}

bool device_rate_take(int64_t device_id, unsigned n, int64_t now_ms, unsigned *retry_s)
{
    pthread_mutex_lock(&g_mu);
    struct bucket *b = bucket_of(device_id, now_ms);
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * g_rate / 1000.0;
        if (b->tokens > g_burst)
            b->tokens = g_burst;
        b->last_ms = now_ms;
    }
    bool ok = b->tokens >= (double)n;
    if (ok) {
        b->tokens -= (double)n;
    } else {
        double wait = ((double)n - b->tokens) / g_rate;
        *retry_s = wait < 1.0 ? 1u : (unsigned)wait + ((double)(unsigned)wait < wait);
    }
    pthread_mutex_unlock(&g_mu);
    return ok;
}

void device_rate_forget(int64_t device_id)
{
    pthread_mutex_lock(&g_mu);
    size_t first = slot_of(device_id);
    for (size_t k = 0; k < PROBES; k++) {
        struct bucket *b = &g_buckets[(first + k) & (BUCKETS - 1)];
        if (b->device_id == device_id)
            b->device_id = 0;
    }
    pthread_mutex_unlock(&g_mu);
}
