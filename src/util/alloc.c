/*
 * alloc.c - checked array allocation (see alloc.h).
 */
#include "util/alloc.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/banned.h"

/*
 * n * size in *bytes, and one element's worth when n is 0, as the `(n ? n : 1) * size` idiom
 * these helpers replace gave (code that keeps a capacity of one for an empty array relies on it);
 * false when the product overflows.
 */
static bool array_bytes(size_t n, size_t size, size_t *bytes)
{
    if (size && n > SIZE_MAX / size)
        return false;
    *bytes = n * size != 0 ? n * size : size != 0 ? size : 1;
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
