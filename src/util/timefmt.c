/*
 * timefmt.c - ISO 8601 and Unix time parsing and formatting (see timefmt.h for the forms).
 * Calendar arithmetic is Howard Hinnant's days_from_civil / civil_from_days: exact for every
 * int64 day count, independent of the process's time zone and locale, and fast.
 */
#include "util/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

#include "util/banned.h"

#define MS_PER_DAY 86400000LL

static const char expected[] =
    "expected ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T12:00:00.000+02:00) or"
    " Unix seconds or milliseconds";

int64_t timefmt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly n digits at s[*i] into *v. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *v)
{
    int x = 0;
    for (int k = 0; k < n; k++, (*i)++) {
        if (*i >= len || !is_digit(s[*i]))
            return false;
        x = x * 10 + (s[*i] - '0');
    }
    *v = x;
    return true;
}

static int bad(struct kith_error *err, const char *s, size_t len, const char *why)
{
    char ex[UTF8_EXCERPT_SIZE];
    return kith_err(err, KITH_EINVAL, "bad time '%s': %s", utf8_excerpt(ex, s, len), why);
}

/*
 * Four digits and nothing else: a year ("2011" in a year-only column), which as Unix seconds would
 * be a moment of 1970-01-01. Refused rather than read as the year's first day: a date made up to
 * the day would put every such account in January (acquisition and cohort periods).
 */
static bool is_bare_year(const char *s, size_t len)
{
    if (len != 4)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

static int parse_unix(const char *s, size_t len, int64_t *ms, struct kith_error *err)
{
    if (is_bare_year(s, len))
        return bad(err, s, len,
                   "a year alone is not a time; write a date such as 2011-01-01 (Unix seconds "
                   "have more digits)");
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+')
        neg = s[i++] == '-';
    int64_t n = 0;
    size_t start = i;
    for (; i < len && is_digit(s[i]); i++) {
        if (n > (INT64_MAX - 9) / 10)
            return bad(err, s, len, "out of range");
        n = n * 10 + (s[i] - '0');
    }
    if (i == start)
        return bad(err, s, len, expected);
    int64_t frac = 0;
    if (i < len && s[i] == '.') {
        size_t f0 = ++i;
        for (; i < len && is_digit(s[i]); i++)
            if (i - f0 < 3)
                frac = frac * 10 + (s[i] - '0');
        if (i == f0 || i - f0 > 3 || n >= TIMEFMT_UNIX_MS_FROM)
            return bad(err, s, len, "a fraction of 1 to 3 digits is allowed on Unix seconds only");
        for (size_t k = i - f0; k < 3; k++)
            frac *= 10;
    }
    if (i != len)
        return bad(err, s, len, expected);
    int64_t v;
    if (n < TIMEFMT_UNIX_MS_FROM)
        v = n * 1000 + frac;
    else
        v = n;
    if (neg)
        v = -v;
    if (v < TIMEFMT_MIN_MS || v > TIMEFMT_MAX_MS)
        return bad(err, s, len, "outside the years 0000 to 9999");
    *ms = v;
    return 0;
}

int timefmt_parse(const char *s, size_t len, int64_t *ms, struct kith_error *err)
{
    if (len == 0)
        return bad(err, s, len, expected);
    /* ISO dates have '-' at offset 4; a Unix time never does. */
    if (len < 10 || s[4] != '-')
        return parse_unix(s, len, ms, err);

    size_t i = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, msec = 0;
    if (!digits(s, len, &i, 4, &y) || s[i++] != '-' || !digits(s, len, &i, 2, &mo) || i >= len ||
        s[i++] != '-' || !digits(s, len, &i, 2, &d))
        return bad(err, s, len, expected);
    if (mo < 1 || mo > 12)
        return bad(err, s, len, "month out of range 01..12");
    if (d < 1 || d > days_in_month(y, mo))
        return bad(err, s, len, "no such day in that month");
    int64_t offset_min = 0;
    if (i < len) {
        if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
            return bad(err, s, len, expected);
        i++;
        if (!digits(s, len, &i, 2, &h) || i >= len || s[i++] != ':' || !digits(s, len, &i, 2, &mi))
            return bad(err, s, len, expected);
        if (i < len && s[i] == ':') {
            i++;
            if (!digits(s, len, &i, 2, &sec))
                return bad(err, s, len, expected);
            if (i < len && (s[i] == '.' || s[i] == ',')) {
                size_t f0 = ++i;
                for (; i < len && is_digit(s[i]); i++)
                    if (i - f0 < 3)
                        msec = msec * 10 + (s[i] - '0');
                if (i == f0)
                    return bad(err, s, len, "a fraction needs digits after the point");
                for (size_t k = i - f0; k < 3; k++)
                    msec *= 10;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return bad(err, s, len, "hour, minute or second out of range");
        if (i < len) {
            if (s[i] == 'Z' || s[i] == 'z') {
                i++;
            } else if (s[i] == '+' || s[i] == '-') {
                int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
                if (!digits(s, len, &i, 2, &oh))
                    return bad(err, s, len, "an offset is +hh:mm, +hhmm or +hh");
                bool colon = i < len && s[i] == ':';
                i += colon;
                if ((colon || i < len) && !digits(s, len, &i, 2, &om))
                    return bad(err, s, len, "an offset is +hh:mm, +hhmm or +hh");
                if (oh > 23 || om > 59)
                    return bad(err, s, len, "offset out of range");
                offset_min = sign * (oh * 60 + om);
            }
        }
        if (i != len)
            return bad(err, s, len, expected);
    }
    int64_t v = timefmt_days_from_civil(y, mo, d) * MS_PER_DAY +
                ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + msec - offset_min * 60000;
    if (v < TIMEFMT_MIN_MS || v > TIMEFMT_MAX_MS)
        return bad(err, s, len, "outside the years 0000 to 9999 once in UTC");
    *ms = v;
    return 0;
}

size_t timefmt_format(int64_t ms, char *out)
{
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60),
        f = (int)(rem % 1000);
    if (y >= 0 && y <= 9999) {
        /* by hand: an export writes one for each time of each row */
        static const char pattern[] = "0000-00-00T00:00:00.000Z";
        const int parts[][3] = {{0, (int)y, 4}, {5, m, 2},  {8, d, 2}, {11, h, 2},
                                {14, mi, 2},    {17, s, 2}, {20, f, 3}};
        memcpy(out, pattern, sizeof(pattern));
        for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
            for (int k = parts[i][2] - 1, v = parts[i][1]; k >= 0; k--, v /= 10)
                out[parts[i][0] + k] = (char)('0' + v % 10);
        return sizeof(pattern) - 1;
    }
    int n = snprintf(out, TIMEFMT_SIZE, "%c%06lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
                     y < 0 ? '-' : '+', (long long)(y < 0 ? -y : y), m, d, h, mi, s, f);
    return n > 0 ? (size_t)n : 0;
}
