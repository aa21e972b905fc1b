/*
 * validate.c - the checks of validate.h: text into typed values, and the rules that tables.c
 * declares for each field. The reader thread of an import calls these too, so nothing here
 * keeps state. The messages are those kith import has always printed after "file:line:col:
 * field: ", so that scripts reading them keep working.
 */
#include "model/validate.h"

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/money.h"
#include "util/num.h"
#include "util/timefmt.h"
#include "util/utf8.h"

#include "util/banned.h"

/*
 * ISO 4217 list one (current currency and fund codes, 2025), sorted for bsearch, with the
 * codes withdrawn since 2023 that records still carry (ANG, CUC, HRK, SLL, ZWL).
 */
static const char iso4217[][4] = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
    "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
    "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED",
    "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG",
    "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER", "ZAR", "ZMW", "ZWG",
    "ZWL",
};

static int code_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 3);
}

bool currency_is_iso4217(const char *s, size_t len)
{
    return len == 3 && bsearch(s, iso4217, sizeof(iso4217) / sizeof(iso4217[0]), sizeof(iso4217[0]),
                               code_cmp) != NULL;
}

/* ----- email addresses ---------------------------------------------------------------------- */

#define EMAIL_LOCAL_MAX 64 /* RFC 5321 4.5.3.1.1 */
#define EMAIL_LABEL_MAX 63

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext, and any byte of a non-ASCII UTF-8 character (RFC 6531). */
static bool is_local_char(unsigned char c)
{
    return is_alnum(c) || c >= 0x80 || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static bool is_domain_char(unsigned char c)
{
    return is_alnum(c) || c >= 0x80 || c == '-';
}

/* Dots only between other characters; every other byte passes ok. */
static const char *dotted_why(const char *s, size_t len, bool (*ok)(unsigned char),
                              const char *bad_char)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (i == 0 || i == len - 1 || s[i + 1] == '.')
                return "a dot at the start or end of a part, or two dots in a row";
        } else if (!ok((unsigned char)s[i])) {
            return bad_char;
        }
    }
    return NULL;
}

static const char *domain_why(const char *d, size_t len)
{
    const char *why =
        dotted_why(d, len, is_domain_char, "a character after the @ that domain names do not use");
    if (why)
        return why;
    if (!memchr(d, '.', len))
        return "the domain after the @ needs a dot, as in example.com";
    for (size_t start = 0; start < len;) {
        const char *dot = memchr(d + start, '.', len - start);
        size_t end = dot ? (size_t)(dot - d) : len;
        if (end - start > EMAIL_LABEL_MAX)
            return "a part of the domain is longer than 63 bytes";
        if (d[start] == '-' || d[end - 1] == '-')
            return "a part of the domain starts or ends with a hyphen";
        start = end + 1;
    }
    return NULL;
}

/* Why the len bytes at s are not an address email_is_valid() takes, or NULL when they are. */
static const char *email_why(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return "it has a space or a control character";
    const char *at = memchr(s, '@', len);
    if (!at)
        return "it has no @";
    size_t local = (size_t)(at - s), domain = len - local - 1;
    if (memchr(at + 1, '@', domain))
        return "it has more than one @";
    if (local == 0)
        return "nothing before the @";
    if (domain == 0)
        return "nothing after the @";
    if (local > EMAIL_LOCAL_MAX)
        return "the part before the @ is longer than 64 bytes";
    const char *why =
        dotted_why(s, local, is_local_char, "a character before the @ that addresses do not use");
    return why ? why : domain_why(at + 1, domain);
}

bool email_is_valid(const char *s, size_t len, const char **why)
{
    const char *reason = email_why(s, len);
    if (reason && why)
        *why = reason;
    return reason == NULL;
}

/* ----- messages ----------------------------------------------------------------------------- */

/* "bad <what> '<excerpt of s>': expected <expected>" */
static int bad(struct kith_error *err, const char *what, const char *s, size_t len,
               const char *expected)
{
    char ex[UTF8_EXCERPT_SIZE];
    return kith_err(err, KITH_EINVAL, "bad %s '%s': expected %s", what, utf8_excerpt(ex, s, len),
                    expected);
}

/* The shortest text of r that reads back as r, as JSON writers print it. */
static void real_text(double r, char *buf, size_t size)
{
    for (int digits = 1; digits <= 17; digits++) {
        double back;
        snprintf(buf, size, "%.*g", digits, r);
        if (num_double(buf, -DBL_MAX, DBL_MAX, &back, "", NULL) == 0 && back == r)
            return;
    }
}

/* "from 0 to 1", "0.00 or more": the range of f, money in currency units. */
static void range_text(const struct field_def *f, char *buf, size_t size)
{
    char lo[MONEY_SIZE + 8], hi[MONEY_SIZE + 8];
    if (f->type == FT_MONEY) {
        money_format(isfinite(f->lo) ? (int64_t)llround(f->lo * 100) : 0, MONEY_DECIMALS, lo);
        money_format(isfinite(f->hi) ? (int64_t)llround(f->hi * 100) : 0, MONEY_DECIMALS, hi);
    } else {
        snprintf(lo, sizeof(lo), "%g", f->lo);
        snprintf(hi, sizeof(hi), "%g", f->hi);
    }
    if (isfinite(f->lo) && isfinite(f->hi))
        snprintf(buf, size, "from %s to %s", lo, hi);
    else if (isfinite(f->lo))
        snprintf(buf, size, "%s or more", lo);
    else
        snprintf(buf, size, "%s or less", hi);
}

static int out_of_range(const struct field_def *f, const char *text, struct kith_error *err)
{
    char range[2 * MONEY_SIZE + 32];
    range_text(f, range, sizeof(range));
    if (f->type == FT_INT)
        return kith_err(err, KITH_EINVAL, "bad number '%s': expected a whole number %s", text,
                        range);
    if (f->type == FT_REAL)
        return kith_err(err, KITH_EINVAL, "bad number '%s': expected a number %s", text, range);
    return kith_err(err, KITH_EINVAL, "bad amount '%s': expected %s", text, range);
}

/* "one of a, b, c" */
static void enum_list(const struct field_def *f, char *out, size_t cap)
{
    size_t o = (size_t)snprintf(out, cap, "one of ");
    for (const char *const *v = f->enum_values; *v && o < cap; v++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", v == f->enum_values ? "" : ", ", *v);
}

/* ----- the rules of a field ----------------------------------------------------------------- */

static void expect_kind(const struct field_def *f, const struct field_value *v,
                        enum field_value_kind kind)
{
    if (v->kind != kind)
        BUG("field %s (%s) given a value of kind %d", f->name, field_type_name(f->type),
            (int)v->kind);
}

/* The static spelling of the enumeration value of f equal to the len bytes at s, or NULL. */
static const char *enum_value(const struct field_def *f, const char *s, size_t len)
{
    for (const char *const *e = f->enum_values; e && *e; e++)
        if (strlen(*e) == len && memcmp(*e, s, len) == 0)
            return *e;
    return NULL;
}

static int check_format(const struct field_def *f, const char *s, size_t len,
                        struct kith_error *err)
{
    char ex[UTF8_EXCERPT_SIZE];
    const char *why;
    if (len == 0)
        return 0; /* the empty text has no format: whether it may be empty is "required" */
    switch (f->format) {
    case FF_NONE:
        return 0;
    case FF_EMAIL:
        if (email_is_valid(s, len, &why))
            return 0;
        return kith_err(err, KITH_EINVAL,
                        "bad email address '%s': %s; expected one like"
                        " name@example.com",
                        utf8_excerpt(ex, s, len), why);
    case FF_CURRENCY: {
        if (currency_is_iso4217(s, len))
            return 0;
        char upper[3];
        for (size_t i = 0; len == 3 && i < 3; i++)
            upper[i] = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (len == 3 && currency_is_iso4217(upper, 3))
            return kith_err(err, KITH_EINVAL,
                            "bad currency '%s': ISO 4217 codes are written in capitals (%.3s)",
                            utf8_excerpt(ex, s, len), upper);
        return kith_err(err, KITH_EINVAL,
                        "bad currency '%s': expected an ISO 4217 currency code like EUR, USD"
                        " or JPY",
                        utf8_excerpt(ex, s, len));
    }
    }
    return 0;
}

/* UTF-8 without NUL, at most the field's length. */
static int check_text(const struct field_def *f, const char *s, size_t len, struct kith_error *err)
{
    size_t at;
    if (!utf8_is_valid(s, len, &at))
        return kith_err(err, KITH_EINVAL, "not valid UTF-8 (byte %zu of the field)", at + 1);
    if (len > (size_t)field_max_len(f))
        return kith_err(err, KITH_EINVAL, "too long: %zu bytes, at most %d", len, field_max_len(f));
    return 0;
}

int field_check(const struct field_def *f, const struct field_value *v, struct kith_error *err)
{
    char text[MONEY_SIZE > 40 ? MONEY_SIZE : 40];
    if (v->kind == FV_NULL)
        return 0;
    switch (f->type) {
    case FT_ID:
    case FT_REF:
        expect_kind(f, v, FV_INT);
        if (v->i > 0)
            return 0;
        snprintf(text, sizeof(text), "%lld", (long long)v->i);
        return bad(err, "id", text, strlen(text), "a positive whole number");
    case FT_INT:
        expect_kind(f, v, FV_INT);
        if (!f->ranged || ((double)v->i >= f->lo && (double)v->i <= f->hi))
            return 0;
        snprintf(text, sizeof(text), "%lld", (long long)v->i);
        return out_of_range(f, text, err);
    case FT_REAL:
        expect_kind(f, v, FV_REAL);
        if (!isfinite(v->r))
            return kith_err(err, KITH_EINVAL, "bad number: expected a finite number");
        if (!f->ranged || (v->r >= f->lo && v->r <= f->hi))
            return 0;
        real_text(v->r, text, sizeof(text));
        return out_of_range(f, text, err);
    case FT_MONEY:
        expect_kind(f, v, FV_INT);
        if (!f->ranged || ((double)v->i >= f->lo * 100 && (double)v->i <= f->hi * 100))
            return 0;
        money_format(v->i, MONEY_DECIMALS, text);
        return out_of_range(f, text, err);
    case FT_BOOL:
        expect_kind(f, v, FV_INT);
        if (v->i != 0 && v->i != 1)
            BUG("boolean %s given %lld", f->name, (long long)v->i);
        return 0;
    case FT_TIME:
        expect_kind(f, v, FV_INT);
        return 0;
    case FT_ENUM: {
        expect_kind(f, v, FV_TEXT);
        if (enum_value(f, v->s, v->len))
            return 0;
        char list[KITH_ERROR_MSG_MAX / 2];
        enum_list(f, list, sizeof(list));
        return bad(err, "value", v->s, v->len, list);
    }
    case FT_TEXT:
        expect_kind(f, v, FV_TEXT);
        if (check_text(f, v->s, v->len, err) < 0)
            return KITH_EINVAL;
        return check_format(f, v->s, v->len, err);
    case FT_JSON:
        expect_kind(f, v, FV_TEXT);
        return check_text(f, v->s, v->len, err);
    }
    BUG("field %s has no type", f->name);
}

int field_check_required(const struct field_def *f, bool given, struct kith_error *err)
{
    if (!f->required || given)
        return 0;
    return kith_err(err, KITH_EINVAL, "missing required value (%s)", field_type_name(f->type));
}

int table_check_required(const struct table_def *t, const bool *given, size_t *at,
                         struct kith_error *err)
{
    for (size_t i = *at; i < t->nfields; i++) {
        if (field_check_required(&t->fields[i], given[i], err) < 0) {
            *at = i;
            return KITH_EINVAL;
        }
    }
    *at = t->nfields;
    return 0;
}

/* ----- text into values --------------------------------------------------------------------- */

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static bool parse_bool(const char *s, size_t len, int64_t *out)
{
    static const char *const yes[] = {"true", "1", "yes"}, *const no[] = {"false", "0", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strlen(yes[i]) == len && strncasecmp(s, yes[i], len) == 0) {
            *out = 1;
            return true;
        }
        if (strlen(no[i]) == len && strncasecmp(s, no[i], len) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* One JSON object (no duplicate keys), else KITH_EINVAL saying why. */
static int check_json_object(const char *s, size_t len, struct kith_error *err)
{
    char ex[UTF8_EXCERPT_SIZE];
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return kith_err(err, KITH_EINVAL, "bad JSON at character %d: %s", je.position, je.text);
    bool is_object = json_is_object(j);
    json_decref(j);
    if (!is_object)
        return kith_err(err, KITH_EINVAL, "expected a JSON object ({...}), got '%s'",
                        utf8_excerpt(ex, s, len));
    return 0;
}

/* err's message stays; its code becomes KITH_EINVAL, the one code of a value refused. */
static int invalid(struct kith_error *err)
{
    if (err)
        err->code = KITH_EINVAL;
    return KITH_EINVAL;
}

static int parse(const struct field_def *f, const char *s, size_t len, bool rules,
                 struct field_value *out, struct kith_error *err)
{
    struct field_value v = {.kind = FV_INT};
    *out = (struct field_value){.kind = FV_NULL};
    if (f->type != FT_TEXT && f->type != FT_JSON)
        trim(&s, &len);
    if (len == 0 && f->type != FT_TEXT)
        return 0; /* "" is no value for anything but text */
    switch (f->type) {
    case FT_ID:
    case FT_REF:
        if (num_parse_int64(s, len, 1, INT64_MAX, &v.i, f->name, NULL) < 0)
            return bad(err, "id", s, len, "a positive whole number");
        break;
    case FT_INT:
        if (num_parse_int64(s, len, INT64_MIN, INT64_MAX, &v.i, f->name, NULL) < 0)
            return bad(err, "number", s, len, "a whole number like 42 or -7");
        break;
    case FT_REAL:
        v.kind = FV_REAL;
        if (num_parse_double(s, len, -DBL_MAX, DBL_MAX, &v.r, f->name, NULL) < 0)
            return bad(err, "number", s, len, "a decimal number like 0.25 or 1e-3");
        break;
    case FT_BOOL:
        if (!parse_bool(s, len, &v.i))
            return bad(err, "boolean", s, len, "true/false, 1/0 or yes/no");
        break;
    case FT_TIME:
        if (timefmt_parse(s, len, &v.i, err) < 0)
            return invalid(err);
        break;
    case FT_MONEY:
        if (money_parse(s, len, MONEY_DECIMALS, &v.i, err) < 0)
            return invalid(err); /* an amount too large for int64 cents is invalid too */
        break;
    case FT_ENUM: {
        const char *e = enum_value(f, s, len);
        v = (struct field_value){.kind = FV_TEXT, .s = e ? e : s, .len = len};
        if (!e) /* the list is the type itself, so this is checked without the rules too */
            return field_check(f, &v, err);
        break;
    }
    case FT_TEXT:
        v = (struct field_value){.kind = FV_TEXT, .s = s, .len = len};
        break;
    case FT_JSON:
        /* Kept as written once checked, so that it exports as it came. */
        v = (struct field_value){.kind = FV_TEXT, .s = s, .len = len};
        if (check_text(f, s, len, err) < 0 || check_json_object(s, len, err) < 0)
            return KITH_EINVAL;
        *out = v;
        return 0;
    }
    if (rules && field_check(f, &v, err) < 0)
        return KITH_EINVAL;
    *out = v;
    return 0;
}

int field_parse(const struct field_def *f, const char *s, size_t len, struct field_value *out,
                struct kith_error *err)
{
    return parse(f, s, len, true, out, err);
}

int field_parse_type(const struct field_def *f, const char *s, size_t len, struct field_value *out,
                     struct kith_error *err)
{
    return parse(f, s, len, false, out, err);
}
