/*
 * money.c - decimal text <-> minor units in integer arithmetic only (see money.h for the
 * accepted forms). Overflow is checked digit by digit, so any text is safe to pass.
 */
#include "util/money.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/utf8.h"

#include "util/banned.h"

static const char expected[] = "expected a decimal amount like 1234.56 or -3";

static int bad(struct kith_error *err, int code, const char *s, size_t len, const char *why)
{
    char ex[UTF8_EXCERPT_SIZE];
    return kith_err(err, code, "bad amount '%s': %s", utf8_excerpt(ex, s, len), why);
}

/* *acc = *acc * 10 + digit, false on overflow of the magnitude (kept negative-safe). */
static bool push_digit(uint64_t *acc, int digit, uint64_t limit)
{
    if (*acc > (limit - (uint64_t)digit) / 10)
        return false;
    *acc = *acc * 10 + (uint64_t)digit;
    return true;
}

int money_parse(const char *s, size_t len, int decimals, int64_t *minor, struct kith_error *err)
{
    if (decimals < 0 || decimals > MONEY_MAX_DECIMALS)
        BUG("money_parse: %d decimals", decimals);
    size_t i = 0;
    bool neg = false;
    if (len > 0 && (s[0] == '-' || s[0] == '+'))
        neg = s[i++] == '-';
    /* The magnitude may reach 2^63 for INT64_MIN. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t acc = 0;
    size_t int_digits = 0, frac_digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, int_digits++)
        if (!push_digit(&acc, s[i] - '0', limit))
            return bad(err, KITH_ERANGE, s, len, "too large");
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, frac_digits++) {
            if ((int)frac_digits < decimals) {
                if (!push_digit(&acc, s[i] - '0', limit))
                    return bad(err, KITH_ERANGE, s, len, "too large");
            } else if (s[i] != '0') {
                char why[64];
                snprintf(why, sizeof(why), "at most %d decimals after the point", decimals);
                return bad(err, KITH_EINVAL, s, len, why);
            }
        }
    }
    if (i != len || int_digits + frac_digits == 0) {
        if (i < len && s[i] == ',')
            return bad(err, KITH_EINVAL, s, len,
                       "no thousands separators; use a point for decimals, like 1234.56");
        return bad(err, KITH_EINVAL, s, len, expected);
    }
    for (size_t k = frac_digits; (int)k < decimals; k++)
        if (!push_digit(&acc, 0, limit))
            return bad(err, KITH_ERANGE, s, len, "too large");
    *minor = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 0;
}

size_t money_format(int64_t minor, int decimals, char *out)
{
    if (decimals < 0 || decimals > MONEY_MAX_DECIMALS)
        BUG("money_format: %d decimals", decimals);
    /* Digits are produced from the end; the magnitude as uint64 covers INT64_MIN. */
    uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
    char tmp[MONEY_SIZE];
    size_t n = 0;
    for (int k = 0; k < decimals; k++, mag /= 10)
        tmp[n++] = (char)('0' + mag % 10);
    if (decimals > 0)
        tmp[n++] = '.';
    do {
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    size_t o = 0;
    if (minor < 0)
        out[o++] = '-';
    while (n)
        out[o++] = tmp[--n];
    out[o] = '\0';
    return o;
}
