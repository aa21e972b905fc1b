/*
 * alloc.h - array allocation with the multiplication checked. Each returns room for at least one
 * element, so that an empty array is not mistaken for a failed allocation, and NULL when n * size
 * overflows size_t or memory is short. The caller owns the result and frees it with free().
 */
#ifndef KITH_UTIL_ALLOC_H
#define KITH_UTIL_ALLOC_H

#include <stddef.h>

/* n elements of size bytes, uninitialised. */
void *alloc_array(size_t n, size_t size);

/* n elements of size bytes, zeroed. */
void *alloc_array_zero(size_t n, size_t size);

/* p resized to n elements of size bytes (realloc's contract: p stays valid on failure). */
void *alloc_array_grow(void *p, size_t n, size_t size);

#endif
