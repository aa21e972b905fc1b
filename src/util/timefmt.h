/*
 * timefmt.h - instants as text: ISO 8601 in, ISO 8601 out, Unix seconds or milliseconds in.
 *
 * kith stores every instant as Unix milliseconds UTC (int64). Accepted on input:
 *   - ISO 8601 extended format: 2024-05-01 (midnight UTC), 2024-05-01T12:00, 2024-05-01T12:00:00,
 *     with a fraction of any length (".5", ".123456"; cut to milliseconds, never rounded up),
 *     'T', 't' or one space between date and time, and an offset "Z", "+02:00", "-0530" or "+02".
 *     A time without an offset is taken as UTC. Years 0000..9999.
 *   - Unix time, decided by magnitude: an integer whose absolute value is below 10^11 is seconds
 *     (10^11 s is the year 5138), anything larger is milliseconds (10^11 ms is 1973-03-03).
 *     Seconds may carry a fraction of up to 3 digits ("1714564800.25"). So milliseconds before
 *     1973-03-03 cannot be written as Unix milliseconds; use ISO 8601 for them.
 *     Exactly four digits ("2011") are refused: that is a year, not 2011 s after 1970 (the
 *     first three hours of 1970 are written with a sign, "+2011", or as ISO 8601).
 * Written: 2024-05-01T12:00:00.000Z, always UTC with milliseconds.
 */
#ifndef KITH_UTIL_TIMEFMT_H
#define KITH_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Below this absolute value a Unix integer is seconds, from it on milliseconds. */
#define TIMEFMT_UNIX_MS_FROM 100000000000LL

/* The instants that ISO 8601 with a 4-digit year can write: 0000-01-01 .. 9999-12-31. */
#define TIMEFMT_MIN_MS (-62167219200000LL)
#define TIMEFMT_MAX_MS 253402300799999LL

/* Room for any output of timefmt_format(), with its NUL. */
#define TIMEFMT_SIZE 40

/*
 * Parses the len bytes at s (no surrounding spaces) into Unix milliseconds *ms.
 * KITH_EINVAL with a message that quotes the input and says what was expected.
 */
int timefmt_parse(const char *s, size_t len, int64_t *ms, struct kith_error *err);

/*
 * Writes ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out (TIMEFMT_SIZE bytes, caller-owned) and
 * returns the length. Years beyond 0000..9999 use ISO 8601's expanded form ("+12345-...").
 */
size_t timefmt_format(int64_t ms, char *out);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31). */
int64_t timefmt_days_from_civil(int64_t y, int m, int d);

#endif
