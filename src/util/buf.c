/*
 * buf.c - the capped growable buffer (see buf.h). Capacity doubles from 256 bytes, so appending
 * n bytes in all costs O(n); a buffer never asks for more than max + 1 bytes.
 */
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"
#include "util/error.h"

#define BUF_FIRST 256

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

/* Makes room for n more bytes and the NUL after them. */
static int reserve(struct buf *b, size_t n)
{
    if (n > b->max - b->len)
        return KITH_ERANGE;
    size_t need = b->len + n + 1; /* no overflow: len + n <= max < SIZE_MAX */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : BUF_FIRST;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->max < SIZE_MAX && cap > b->max + 1)
        cap = b->max + 1; /* need <= max + 1 always */
    char *p = realloc(b->data, cap);
    if (!p)
        return KITH_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

/* The slow path of buf_add (buf.h): makes room first. */
int buf_add_grow(struct buf *b, const void *p, size_t n)
{
    int rc = reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_add_str(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = vsnprintf(b->data ? b->data + b->len : NULL, room, fmt, ap);
    if (n < 0) {
        va_end(again);
        if (b->data)
            b->data[b->len] = '\0';
        return KITH_EINVAL;
    }
    if ((size_t)n < room) {
        if ((size_t)n > b->max - b->len) { /* fitted the memory but not the cap */
            b->data[b->len] = '\0';
            va_end(again);
            return KITH_ERANGE;
        }
        b->len += (size_t)n;
        va_end(again);
        return 0;
    }
    int rc = reserve(b, (size_t)n);
    if (rc < 0) {
        if (b->data)
            b->data[b->len] = '\0';
        va_end(again);
        return rc;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len > b->len)
        BUG("buf_truncate to %zu bytes of %zu", len, b->len);
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    if (len)
        *len = p ? b->len : 0;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_release(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
