/*
 * dsr_export_zip.h - a small zip writer for the data-subject export (io/dsr_export.h): files
 * compressed with deflate through zlib (stored when deflate would not shrink them), each with
 * its local header and CRC-32, then the central directory and its end record (APPNOTE.TXT 6.3,
 * no zip64: an archive stays under 4 GiB and 65,535 files). Names are UTF-8 (flag bit 11).
 * Debian packages no libzip or minizip that kith depends on; zlib it already has (gzip answers).
 */
#ifndef KITH_IO_DSR_EXPORT_ZIP_H
#define KITH_IO_DSR_EXPORT_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* The archive's size, at most (below zip's 32-bit offsets). */
#define DSR_ZIP_MAX       ((size_t)0xFFFFFFF0u)
#define DSR_ZIP_NAME_MAX  255
#define DSR_ZIP_FILES_MAX 1024

/* An archive being written. dsr_zip_new() returns it (NULL: out of memory); the caller frees it
 * with dsr_zip_free() whatever happens. */
struct dsr_zip;
struct dsr_zip *dsr_zip_new(void);
void dsr_zip_free(struct dsr_zip *z);

/* Adds the file name (at most DSR_ZIP_NAME_MAX bytes, no NUL) with the len bytes at data,
 * modified at mtime_ms (Unix ms, UTC; zip keeps 2-second local time, written as UTC). */
int dsr_zip_add(struct dsr_zip *z, const char *name, const void *data, size_t len, int64_t mtime_ms,
                struct kith_error *err);

/* Writes the central directory and hands the archive to the caller: *data (free()) of *len
 * bytes. z is then empty; it must still be freed. */
int dsr_zip_finish(struct dsr_zip *z, unsigned char **data, size_t *len, struct kith_error *err);

#endif
