/*
 * money.h - amounts as decimal text <-> int64 minor units, without floating point.
 *
 * kith stores money in minor units (cents) with MONEY_DECIMALS digits after the point for
 * every currency for now. Accepted on input: an optional sign, digits, and an optional point
 * followed by digits: "1234.56", "-3", "+0.5", ".25", "7.". More decimals than allowed are
 * refused unless the extra digits are zeros ("1.230" is 1.23, "1.234" is an error). Thousands
 * separators, currency symbols, exponents and spaces are refused. Written: "-3.00", "1234.56".
 */
#ifndef KITH_UTIL_MONEY_H
#define KITH_UTIL_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MONEY_DECIMALS 2

/* The most decimals money_parse() and money_format() handle. */
#define MONEY_MAX_DECIMALS 6

/* Room for any output of money_format(), with its NUL. */
#define MONEY_SIZE 32

/*
 * Parses the len bytes at s into *minor, in units of 10^-decimals (0..MONEY_MAX_DECIMALS).
 * KITH_EINVAL with a message that quotes the input and says what was expected; KITH_ERANGE
 * when the amount does not fit in int64 minor units.
 */
int money_parse(const char *s, size_t len, int decimals, int64_t *minor, struct kith_error *err);

/* Writes minor as decimal text with exactly decimals digits after the point into out
 * (MONEY_SIZE bytes, caller-owned); returns the length. */
size_t money_format(int64_t minor, int decimals, char *out);

#endif
