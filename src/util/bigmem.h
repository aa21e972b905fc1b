/*
 * bigmem.h - large arrays that are read or written at random (the RV snapshot, its norms):
 * plain malloc'd memory advised to the kernel for transparent huge pages, so that random access
 * takes far fewer TLB misses and page faults. On a virtual machine, where every TLB miss walks
 * two page tables, this halves the norm kernels (docs/BENCHMARKS.md). The advice is a hint:
 * where the kernel offers no huge pages, nothing changes.
 *
 * Memory from these functions is freed with free(), like any malloc'd memory.
 */
#ifndef KITH_UTIL_BIGMEM_H
#define KITH_UTIL_BIGMEM_H

#include <stddef.h>

/* Below this size nothing is advised (a huge page is 2 MiB). */
#define BIGMEM_MIN (4u << 20)

/* malloc(bytes) (at least 1), advised when large. NULL when out of memory. */
void *bigmem_alloc(size_t bytes);

/* calloc-like: zeroed. */
void *bigmem_calloc(size_t n, size_t size);

/* realloc(p, bytes) (at least 1), advised when large; on failure p is untouched and NULL. */
void *bigmem_realloc(void *p, size_t bytes);

/* The array forms: n elements of size bytes, NULL when n * size overflows (as alloc.h). */
void *bigmem_array(size_t n, size_t size);
void *bigmem_array_grow(void *p, size_t n, size_t size);

#endif
