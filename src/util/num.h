/*
 * num.h - the one parser of numbers that come from outside (command-line options, query
 * parameters, CSV fields). The whole text must be the number: no blanks, no trailing text, no
 * hexadecimal or infinities; overflow and values outside [lo, hi] are refused. Every error
 * names `what` (an option, parameter or column, as the caller wants it shown) and the range.
 */
#ifndef KITH_UTIL_NUM_H
#define KITH_UTIL_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/*
 * Parses s[0..len) as a base-10 whole number in [lo, hi] into *out. Returns 0, or KITH_EINVAL
 * (not a whole number) / KITH_ERANGE (outside [lo, hi], overflow) with "<what> '<s>' must be a
 * whole number from lo to hi" in err. *out is left alone on failure.
 */
int num_parse_int64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out,
                    const char *what, struct kith_error *err);

/* The same for a finite decimal number (123, -1.5, 2e-3) in [lo, hi]. */
int num_parse_double(const char *s, size_t len, double lo, double hi, double *out, const char *what,
                     struct kith_error *err);

/* The same for an unsigned whole number in [lo, hi] (seeds, which take all of 0 .. 2^64-1). */
int num_parse_uint64(const char *s, size_t len, uint64_t lo, uint64_t hi, uint64_t *out,
                     const char *what, struct kith_error *err);

/* NUL-terminated forms of the three above. */
int num_int64(const char *s, int64_t lo, int64_t hi, int64_t *out, const char *what,
              struct kith_error *err);
int num_uint64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, const char *what,
               struct kith_error *err);
int num_double(const char *s, double lo, double hi, double *out, const char *what,
               struct kith_error *err);

#endif
