/*
 * alloc.c - checked array allocation (see alloc.h).
 */
#include "util/alloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/banned.h"

/* n * size in *bytes (at least 1); false when the product overflows. */
static bool array_bytes(size_t n, size_t size, size_t *bytes)
{
    if (size && n > SIZE_MAX / size)
        return false;
    *bytes = n * size == 0 ? 1 : n * size;
    return true;
}

void *alloc_array(size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) ? malloc(bytes) : NULL;
}

void *alloc_array_zero(size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) ? calloc(1, bytes) : NULL;
}

void *alloc_array_grow(void *p, size_t n, size_t size)
{
    size_t bytes;
    return array_bytes(n, size, &bytes) ? realloc(p, bytes) : NULL;
}
