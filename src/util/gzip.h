/*
 * gzip.h - one buffer compressed into a gzip member (RFC 1952) with zlib, for HTTP answers sent
 * with Content-Encoding: gzip.
 */
#ifndef KITH_UTIL_GZIP_H
#define KITH_UTIL_GZIP_H

#include <stddef.h>

#include "util/error.h"

/*
 * Compresses in[0..n) at zlib level (1 fastest .. 9 smallest) into a new buffer *out of *out_len
 * bytes, which the caller frees. KITH_ENOMEM or KITH_EIO (a zlib failure) with *out NULL.
 */
int gzip_compress(const void *in, size_t n, int level, char **out, size_t *out_len,
                  struct kith_error *err);

#endif
