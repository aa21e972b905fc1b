/*
 * dsr_export_zip.c - writes a zip archive in memory (dsr_export_zip.h): local header and data of
 * each file as it is added, the central directory kept beside and appended by dsr_zip_finish().
 */
#include "io/dsr_export_zip.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "util/buf.h"

#include "util/banned.h"

#define SIG_LOCAL      0x04034b50u
#define SIG_CENTRAL    0x02014b50u
#define SIG_END        0x06054b50u
#define VERSION        20u                 /* 2.0: deflate */
#define MADE_BY        (3u << 8 | VERSION) /* Unix, so the external attributes are a file mode */
#define FLAG_UTF8      0x0800u
#define METHOD_STORE   0u
#define METHOD_DEFLATE 8u

struct dsr_zip {
    struct buf body;    /* local headers and data */
    struct buf central; /* the central directory so far */
    size_t nfiles;
};

struct dsr_zip *dsr_zip_new(void)
{
    struct dsr_zip *z = calloc(1, sizeof(*z));
    if (z) {
        buf_init(&z->body, DSR_ZIP_MAX);
        buf_init(&z->central, DSR_ZIP_MAX);
    }
    return z;
}

void dsr_zip_free(struct dsr_zip *z)
{
    if (!z)
        return;
    buf_release(&z->body);
    buf_release(&z->central);
    free(z);
}

static int put16(struct buf *b, uint32_t v)
{
    unsigned char p[2] = {(unsigned char)(v & 0xff), (unsigned char)(v >> 8 & 0xff)};
    return buf_add(b, p, 2);
}

static int put32(struct buf *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)(v & 0xff), (unsigned char)(v >> 8 & 0xff),
                          (unsigned char)(v >> 16 & 0xff), (unsigned char)(v >> 24 & 0xff)};
    return buf_add(b, p, 4);
}

/* MS-DOS time and date of ms (UTC); 1980-01-01 for anything earlier. */
static void dos_time(int64_t ms, uint32_t *time_out, uint32_t *date_out)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year < 80) {
        *time_out = 0;
        *date_out = (0u << 9) | (1u << 5) | 1u;
        return;
    }
    *time_out = (uint32_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    *date_out = (uint32_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

/* Raw deflate of data into *out (malloc'd, *out_len bytes); 0, or KITH_ENOMEM / KITH_ERANGE. */
static int deflate_raw(const void *data, size_t len, unsigned char **out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (len > 0xFFFFFFF0u)
        return KITH_ERANGE;
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return KITH_ENOMEM;
    uLong bound = deflateBound(&zs, (uLong)len);
    unsigned char *dst = malloc(bound ? bound : 1);
    if (!dst) {
        deflateEnd(&zs);
        return KITH_ENOMEM;
    }
    zs.next_in = (Bytef *)(uintptr_t)data; /* zlib's API is not const; it does not write */
    zs.avail_in = (uInt)len;
    zs.next_out = dst;
    zs.avail_out = (uInt)bound;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(dst);
        return KITH_ENOMEM;
    }
    *out = dst;
    return 0;
}

/* The header fields shared by the local and the central header, from "version needed" on. */
static int put_common(struct buf *b, uint32_t method, uint32_t tm, uint32_t dt, uint32_t crc,
                      size_t csize, size_t usize, size_t name_len)
{
    int rc = put16(b, VERSION);
    rc = rc ? rc : put16(b, FLAG_UTF8);
    rc = rc ? rc : put16(b, method);
    rc = rc ? rc : put16(b, tm);
    rc = rc ? rc : put16(b, dt);
    rc = rc ? rc : put32(b, crc);
    rc = rc ? rc : put32(b, (uint32_t)csize);
    rc = rc ? rc : put32(b, (uint32_t)usize);
    rc = rc ? rc : put16(b, (uint32_t)name_len);
    rc = rc ? rc : put16(b, 0); /* extra field length */
    return rc;
}

int dsr_zip_add(struct dsr_zip *z, const char *name, const void *data, size_t len, int64_t mtime_ms,
                struct kith_error *err)
{
    size_t name_len = strlen(name);
    if (name_len == 0 || name_len > DSR_ZIP_NAME_MAX)
        return kith_err(err, KITH_EINVAL, "a zip entry's name must have 1 to %d bytes",
                        DSR_ZIP_NAME_MAX);
    if (z->nfiles >= DSR_ZIP_FILES_MAX)
        return kith_err(err, KITH_ERANGE, "a zip of more than %d files", DSR_ZIP_FILES_MAX);
    if (len > DSR_ZIP_MAX)
        return kith_err(err, KITH_ERANGE, "%s is too large for a zip without zip64", name);
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    /* crc32() takes uInt lengths: feed it in pieces */
    for (size_t off = 0; off < len;) {
        size_t n = len - off < 0x40000000u ? len - off : 0x40000000u;
        crc = (uint32_t)crc32(crc, (const Bytef *)data + off, (uInt)n);
        off += n;
    }
    unsigned char *packed = NULL;
    size_t packed_len = 0;
    int rc = len ? deflate_raw(data, len, &packed, &packed_len) : 0;
    if (rc < 0)
        return kith_err(err, rc, "out of memory compressing %s", name);
    uint32_t method = METHOD_DEFLATE;
    const void *payload = packed;
    if (!packed || packed_len >= len) { /* deflate would not shrink it: store */
        method = METHOD_STORE;
        payload = data;
        packed_len = len;
    }
    uint32_t tm, dt;
    dos_time(mtime_ms, &tm, &dt);
    size_t offset = z->body.len;
    rc = put32(&z->body, SIG_LOCAL);
    rc = rc ? rc : put_common(&z->body, method, tm, dt, crc, packed_len, len, name_len);
    rc = rc ? rc : buf_add(&z->body, name, name_len);
    rc = rc ? rc : buf_add(&z->body, payload, packed_len);
    free(packed);
    rc = rc ? rc : put32(&z->central, SIG_CENTRAL);
    rc = rc ? rc : put16(&z->central, MADE_BY);
    rc = rc ? rc : put_common(&z->central, method, tm, dt, crc, packed_len, len, name_len);
    rc = rc ? rc : put16(&z->central, 0);              /* comment length */
    rc = rc ? rc : put16(&z->central, 0);              /* disk number */
    rc = rc ? rc : put16(&z->central, 0);              /* internal attributes */
    rc = rc ? rc : put32(&z->central, 0100644u << 16); /* a regular file, rw-r--r-- */
    rc = rc ? rc : put32(&z->central, (uint32_t)offset);
    rc = rc ? rc : buf_add(&z->central, name, name_len);
    if (rc < 0)
        return kith_err(err, rc,
                        rc == KITH_ERANGE ? "the zip would pass %zu bytes"
                                          : "out of memory writing a zip of %zu bytes",
                        DSR_ZIP_MAX);
    z->nfiles++;
    return 0;
}

int dsr_zip_finish(struct dsr_zip *z, unsigned char **data, size_t *len, struct kith_error *err)
{
    size_t cd_offset = z->body.len, cd_size = z->central.len;
    int rc = cd_offset + cd_size + 22 > DSR_ZIP_MAX ? KITH_ERANGE : 0;
    rc = rc ? rc : buf_add(&z->body, z->central.data ? z->central.data : "", cd_size);
    rc = rc ? rc : put32(&z->body, SIG_END);
    rc = rc ? rc : put16(&z->body, 0); /* this disk */
    rc = rc ? rc : put16(&z->body, 0); /* the disk of the central directory */
    rc = rc ? rc : put16(&z->body, (uint32_t)z->nfiles);
    rc = rc ? rc : put16(&z->body, (uint32_t)z->nfiles);
    rc = rc ? rc : put32(&z->body, (uint32_t)cd_size);
    rc = rc ? rc : put32(&z->body, (uint32_t)cd_offset);
    rc = rc ? rc : put16(&z->body, 0); /* comment length */
    if (rc < 0)
        return kith_err(err, rc, "cannot finish the zip: %s",
                        rc == KITH_ERANGE ? "too large" : "out of memory");
    *data = (unsigned char *)buf_detach(&z->body, len);
    buf_release(&z->central);
    z->nfiles = 0;
    if (!*data)
        return kith_err(err, KITH_ENOMEM, "out of memory finishing the zip");
    return 0;
}
