/*
 * gzip.c - gzip_compress() on zlib's deflate with a gzip wrapper (windowBits 15 + 16).
 *
 * Starting a deflate stream allocates and clears some 270 kB, more than compressing a page of
 * JSON costs; so each thread keeps one stream per level and resets it between calls.
 */
#include "util/gzip.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "util/banned.h"

#define LEVELS 10 /* zlib levels 0..9 */

struct thread_streams {
    z_stream zs[LEVELS];
    bool ready[LEVELS];
};

static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

static void streams_free(void *p)
{
    struct thread_streams *t = p;
    for (int i = 0; i < LEVELS; i++)
        if (t->ready[i])
            deflateEnd(&t->zs[i]);
    free(t);
}

static void key_create(void)
{
    pthread_key_create(&g_key, streams_free);
}

/* This thread's stream for level, reset; NULL when out of memory. */
static z_stream *thread_stream(int level)
{
    pthread_once(&g_key_once, key_create);
    struct thread_streams *t = pthread_getspecific(g_key);
    if (!t) {
        if (!(t = calloc(1, sizeof(*t))))
            return NULL;
        pthread_setspecific(g_key, t);
    }
    z_stream *zs = &t->zs[level];
    if (t->ready[level])
        return deflateReset(zs) == Z_OK ? zs : NULL;
    if (deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    t->ready[level] = true;
    return zs;
}

int gzip_compress(const void *in, size_t n, int level, char **out, size_t *out_len,
                  struct kith_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (n > UINT32_MAX)
        return kith_err(err, KITH_ERANGE, "gzip: %zu bytes are more than one call takes", n);
    if (level < 0 || level >= LEVELS)
        return kith_err(err, KITH_EINVAL, "gzip: no level %d", level);
    z_stream *zs = thread_stream(level);
    if (!zs)
        return kith_err(err, KITH_ENOMEM, "gzip: cannot start zlib");
    uLong bound = deflateBound(zs, (uLong)n);
    char *buf = malloc(bound);
    if (!buf)
        return kith_err(err, KITH_ENOMEM, "gzip: out of memory for %lu bytes", bound);
    zs->next_in = (Bytef *)(uintptr_t)in; /* zlib does not write through next_in */
    zs->avail_in = (uInt)n;
    zs->next_out = (Bytef *)buf;
    zs->avail_out = (uInt)bound;
    int rc = deflate(zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        free(buf);
        return kith_err(err, KITH_EIO, "gzip: deflate failed (%d)", rc);
    }
    *out = buf;
    *out_len = zs->total_out;
    return 0;
}
