/*
 * buf.h - kith's one growable byte buffer, with a size cap fixed when it is made (curl's dynbuf).
 * Code that builds a string or a byte stream of a size it does not know in advance (a request
 * body, a metrics page, a CSV record, a stream's backlog) appends to a struct buf instead of
 * growing memory by hand, so that every such buffer has a limit and one failure path.
 *
 * Ownership: the struct buf belongs to its caller (usually a field or a local); the memory it
 * points to belongs to the buf until buf_release() frees it or buf_detach() hands it over.
 * The contents are always followed by a NUL byte that len does not count, so buf_str() is a
 * C string when the appended bytes hold no NUL.
 */
#ifndef KITH_UTIL_BUF_H
#define KITH_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
    char *data; /* NULL until the first append */
    size_t len; /* bytes appended, at most max */
    size_t cap; /* bytes allocated (len + 1 fit) */
    size_t max; /* the cap on len */
};

/* An empty buffer that refuses to hold more than max bytes. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/*
 * Appends p[0..n). Returns 0, KITH_ERANGE when len would pass max, or KITH_ENOMEM. On failure
 * the buffer is unchanged: what was appended before is still there. Inline for the common case
 * (room already there), as CSV fields are appended a few at a time per record.
 */
int buf_add_grow(struct buf *b, const void *p, size_t n);
static inline int buf_add(struct buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && n <= b->max - b->len) {
        if (n)
            memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return buf_add_grow(b, p, n);
}

/* Appends a C string (buf_add of its bytes). */
int buf_add_str(struct buf *b, const char *s);

/* Appends printf-formatted text; the same returns as buf_add (KITH_EINVAL on a format error). */
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vaddf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* The contents, NUL-terminated; "" (static) while nothing was appended. Valid until the next
 * append or release. */
const char *buf_str(const struct buf *b);

/* Empties the buffer, keeping its memory for the next appends. */
void buf_reset(struct buf *b);

/* Drops the bytes past len (len <= b->len; more is a caller's bug), keeping the memory. */
void buf_truncate(struct buf *b, size_t len);

/*
 * Hands the contents (NUL-terminated, *len bytes when len is non-NULL) to the caller, who frees
 * them with free(); the buffer is left empty. NULL when nothing was ever appended and memory for
 * an empty string is short.
 */
char *buf_detach(struct buf *b, size_t *len);

/* Frees the memory; the buffer is empty again, with the same max. */
void buf_release(struct buf *b);

#endif
