/*
 * bigmem.c - malloc, calloc and realloc that advise large blocks for transparent huge pages
 * (madvise MADV_HUGEPAGE on the block's whole 2 MiB-aligned interior). See bigmem.h.
 */
#include "util/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/alloc.h"

#include "util/banned.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

static void advise(void *p, size_t bytes)
{
    if (!p || bytes < BIGMEM_MIN)
        return;
    uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(HUGE_PAGE - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_HUGEPAGE); /* a hint: failure changes nothing */
}

void *bigmem_alloc(size_t bytes)
{
    void *p = alloc_array(bytes, 1);
    advise(p, bytes);
    return p;
}

void *bigmem_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes < BIGMEM_MIN)
        return alloc_array_zero(n, size);
    /* advise before the first touch, so that zeroing faults in huge pages */
    void *p = bigmem_alloc(bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

void *bigmem_realloc(void *p, size_t bytes)
{
    void *np = alloc_array_grow(p, bytes, 1);
    advise(np, bytes);
    return np;
}

void *bigmem_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return bigmem_alloc(n * size);
}

void *bigmem_array_grow(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return bigmem_realloc(p, n * size);
}
