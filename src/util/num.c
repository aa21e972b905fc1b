/*
 * num.c - strict number parsing with ranges (see num.h). strtoll/strtod accept leading blanks,
 * "0x1p3", "inf" and "nan", and report overflow only through errno; this wraps them so that
 * every door reads numbers the same way.
 */
#include "util/num.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define NUM_TEXT_MAX 64 /* longer text is not a number any door takes */

/* Copies s[0..len) into buf when it has only the characters a decimal number may have. */
static bool plain_text(const char *s, size_t len, bool decimal, char *buf)
{
    if (len == 0 || len >= NUM_TEXT_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= '0' && c <= '9') || ((c == '-' || c == '+') && (i == 0 || decimal)) ||
                  (decimal && (c == '.' || c == 'e' || c == 'E'));
        if (!ok)
            return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    return true;
}

int num_parse_int64(const char *s, size_t len, int64_t lo, int64_t hi, int64_t *out,
                    const char *what, struct kith_error *err)
{
    char buf[NUM_TEXT_MAX];
    int shown = len > 40 ? 40 : (int)len;
    if (!plain_text(s, len, false, buf))
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a whole number from %lld to %lld",
                        what, shown, s, (long long)lo, (long long)hi);
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || *end)
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a whole number from %lld to %lld",
                        what, shown, s, (long long)lo, (long long)hi);
    if (errno == ERANGE || v < lo || v > hi)
        return kith_err(err, KITH_ERANGE, "%s '%.*s' must be a whole number from %lld to %lld",
                        what, shown, s, (long long)lo, (long long)hi);
    *out = (int64_t)v;
    return 0;
}

int num_parse_uint64(const char *s, size_t len, uint64_t lo, uint64_t hi, uint64_t *out,
                     const char *what, struct kith_error *err)
{
    char buf[NUM_TEXT_MAX];
    int shown = len > 40 ? 40 : (int)len;
    /* strtoull takes "-1" as 2^64-1: only digits (and one leading '+') are let through */
    if (!plain_text(s, len, false, buf) || buf[0] == '-')
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a whole number from %llu to %llu",
                        what, shown, s, (unsigned long long)lo, (unsigned long long)hi);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (end == buf || *end)
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a whole number from %llu to %llu",
                        what, shown, s, (unsigned long long)lo, (unsigned long long)hi);
    if (errno == ERANGE || v < lo || v > hi)
        return kith_err(err, KITH_ERANGE, "%s '%.*s' must be a whole number from %llu to %llu",
                        what, shown, s, (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)v;
    return 0;
}

int num_parse_double(const char *s, size_t len, double lo, double hi, double *out, const char *what,
                     struct kith_error *err)
{
    char buf[NUM_TEXT_MAX];
    int shown = len > 40 ? 40 : (int)len;
    if (!plain_text(s, len, true, buf))
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a number from %g to %g", what, shown,
                        s, lo, hi);
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end == buf || *end)
        return kith_err(err, KITH_EINVAL, "%s '%.*s' must be a number from %g to %g", what, shown,
                        s, lo, hi);
    if (errno == ERANGE || !isfinite(v) || !(v >= lo && v <= hi))
        return kith_err(err, KITH_ERANGE, "%s '%.*s' must be a number from %g to %g", what, shown,
                        s, lo, hi);
    *out = v;
    return 0;
}

int num_int64(const char *s, int64_t lo, int64_t hi, int64_t *out, const char *what,
              struct kith_error *err)
{
    return num_parse_int64(s, strlen(s), lo, hi, out, what, err);
}

int num_uint64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out, const char *what,
               struct kith_error *err)
{
    return num_parse_uint64(s, strlen(s), lo, hi, out, what, err);
}

int num_double(const char *s, double lo, double hi, double *out, const char *what,
               struct kith_error *err)
{
    return num_parse_double(s, strlen(s), lo, hi, out, what, err);
}
