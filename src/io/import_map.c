/*
 * import_map.c - the mapping language of kith import (docs/import-export.md, "Mapping"):
 * `--map 'SRC=DST|fn(args)|fn'` and `--set 'DST=VALUE'` parsed, the transformations applied to a
 * cell's text, and the edit distance behind "did you mean".
 */
#include "io/import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/num.h"
#include "util/utf8.h"

#include "util/banned.h"

struct fn_def {
    const char *name;
    enum import_fn fn;
    size_t nargs;
};

static const struct fn_def fns[] = {
    {"trim", IMPORT_FN_TRIM, 0},     {"lower", IMPORT_FN_LOWER, 0},
    {"upper", IMPORT_FN_UPPER, 0},   {"scale", IMPORT_FN_SCALE, 1},
    {"date", IMPORT_FN_DATE, 1},     {"replace", IMPORT_FN_REPLACE, 2},
    {"prefix", IMPORT_FN_PREFIX, 1}, {"suffix", IMPORT_FN_SUFFIX, 1},
    {"slug", IMPORT_FN_SLUG, 0},     {"default", IMPORT_FN_DEFAULT, 1},
};

static const char fn_list[] = "trim, lower, upper, scale(K), date(FORMAT), replace(FROM,TO), "
                              "prefix(S), suffix(S), slug, default(S)";

/* Strips blanks off both ends of [*s, *e). */
static void strip(char **s, char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
}

/*
 * Reads one argument at *p up to ',' or ')' (a quoted one may hold them), unquoting in place.
 * The argument starts at *arg with *len bytes; *p ends on the ',' or ')'. False when malformed.
 */
static bool read_arg(char **p, const char **arg, size_t *len)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '"') {
        char *w = ++s, *start = w;
        for (;;) {
            if (!*s)
                return false;
            if (*s == '"' && s[1] == '"') {
                *w++ = '"';
                s += 2;
            } else if (*s == '"') {
                s++;
                break;
            } else {
                *w++ = *s++;
            }
        }
        *arg = start;
        *len = (size_t)(w - start);
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s != ',' && *s != ')')
            return false;
        *p = s;
        return true;
    }
    char *start = s;
    while (*s && *s != ',' && *s != ')')
        s++;
    if (!*s)
        return false;
    char *e = s;
    strip(&start, &e);
    *arg = start;
    *len = (size_t)(e - start);
    *p = s;
    return true;
}

/* Parses "fn" or "fn(args)" at *p (ending at '|' or the end) into x. */
static int parse_fn(char **p, struct import_xform *x, struct kith_error *err)
{
    char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    char *name = s;
    while (isalpha((unsigned char)*s))
        s++;
    size_t nlen = (size_t)(s - name);
    const struct fn_def *d = NULL;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
        if (strlen(fns[i].name) == nlen && strncmp(fns[i].name, name, nlen) == 0)
            d = &fns[i];
    if (!d)
        return kith_err(err, KITH_EINVAL, "unknown function '%.*s' (the functions: %s)",
                        (int)(nlen ? nlen : strcspn(name, "|")), name, fn_list);
    memset(x, 0, sizeof(*x));
    x->fn = d->fn;
    const char *args[2] = {NULL, NULL};
    size_t lens[2] = {0, 0}, nargs = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '(') {
        s++;
        for (;;) {
            const char *a;
            size_t alen;
            if (!read_arg(&s, &a, &alen))
                return kith_err(err, KITH_EINVAL, "%s(...): unterminated arguments", d->name);
            if (nargs < 2) {
                args[nargs] = a;
                lens[nargs] = alen;
            }
            nargs++;
            if (*s == ')') {
                *s++ = '\0';
                break;
            }
            *s++ = '\0';
        }
        if (nargs == 1 && lens[0] == 0 && d->nargs == 0)
            nargs = 0;
    }
    if (nargs != d->nargs)
        return kith_err(err, KITH_EINVAL, "%s takes %zu argument%s, got %zu", d->name, d->nargs,
                        d->nargs == 1 ? "" : "s", nargs);
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s && *s != '|')
        return kith_err(err, KITH_EINVAL, "unexpected '%c' after %s", *s, d->name);
    for (size_t i = 0; i < nargs; i++)
        ((char *)args[i])[lens[i]] = '\0';
    x->a = args[0];
    x->alen = lens[0];
    x->b = args[1];
    x->blen = lens[1];
    if (x->fn == IMPORT_FN_SCALE) {
        struct kith_error e;
        if (num_parse_double(x->a, x->alen, -INFINITY, INFINITY, &x->k, "scale factor", &e) < 0)
            return kith_err(err, KITH_EINVAL, "scale(%s): not a number", x->a);
    }
    if (x->fn == IMPORT_FN_REPLACE && x->alen == 0)
        return kith_err(err, KITH_EINVAL, "replace: the text to replace is empty");
    *p = s;
    return 0;
}

int import_map_parse(char *spec, bool is_set, struct import_map *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return kith_err(err, KITH_EINVAL, is_set ? "want FIELD=VALUE" : "want SRC=FIELD");
    *eq = '\0';
    char *rhs = eq + 1;
    char *target;
    if (is_set) {
        target = spec;
        out->value = rhs;
    } else {
        out->from = spec;
        char *bar = strchr(rhs, '|');
        if (bar)
            *bar = '\0';
        char *s = rhs, *e = rhs + strlen(rhs);
        strip(&s, &e);
        *e = '\0';
        target = s;
        for (char *p = bar; p;) {
            p++; /* past the '|' */
            if (out->nxf == IMPORT_MAX_XFORMS)
                return kith_err(err, KITH_EINVAL, "more than %d functions", IMPORT_MAX_XFORMS);
            int rc = parse_fn(&p, &out->xf[out->nxf++], err);
            if (rc < 0)
                return rc;
            p = *p == '|' ? p : NULL;
        }
    }
    if (!*target)
        return kith_err(err, KITH_EINVAL, "no field named");
    char *dot = strchr(target, '.');
    if (dot) {
        *dot = '\0';
        out->created = model_table(target);
        if (!out->created || !dot[1])
            return kith_err(err, KITH_EINVAL,
                            "'%s.%s': TABLE.FIELD names a field of the rows --create-missing"
                            " TABLE creates, and '%s' is no table",
                            target, dot + 1, target);
        target = dot + 1;
    }
    out->to = target;
    return 0;
}

/* ----- applying ---------------------------------------------------------------------------- */

/* A result being written into a caller's buffer. */
struct out {
    char *buf;
    size_t cap, len;
    bool over;
};

static void put(struct out *o, const char *s, size_t len)
{
    if (o->len + len >= o->cap) {
        o->over = true;
        return;
    }
    memcpy(o->buf + o->len, s, len);
    o->len += len;
}

/* The shortest plain decimal of x: no exponent, at most 6 decimals, no trailing zeros. */
static size_t format_number(double x, char *out, size_t cap)
{
    int w = snprintf(out, cap, "%.6f", x);
    if (w < 0 || (size_t)w >= cap)
        return 0;
    size_t n = (size_t)w;
    if (memchr(out, '.', n)) {
        while (n > 0 && out[n - 1] == '0')
            n--;
        if (n > 0 && out[n - 1] == '.')
            n--;
    }
    if (n == 2 && out[0] == '-' && out[1] == '0')
        out[0] = '0', n = 1;
    out[n] = '\0';
    return n;
}

/* strptime's FORMAT over the whole of s; "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" into o. */
static int apply_date(const struct import_xform *x, const char *s, size_t len, struct out *o,
                      struct kith_error *err)
{
    char in[256], ex[UTF8_EXCERPT_SIZE];
    if (len >= sizeof(in))
        return kith_err(err, KITH_EINVAL, "date: '%s' is too long for a date",
                        utf8_excerpt(ex, s, len));
    memcpy(in, s, len);
    in[len] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_mday = 1;
    const char *end = strptime(in, x->a, &tm);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    if (!end || *end)
        return kith_err(err, KITH_EINVAL, "date: '%s' does not match the format '%s'",
                        utf8_excerpt(ex, s, len), x->a);
    char buf[64];
    bool has_time = strpbrk(x->a, "HIMSTRrcs") != NULL;
    int w = has_time
                ? snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
                : snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                           tm.tm_mday);
    put(o, buf, (size_t)w);
    return 0;
}

/* One transformation of [s, s + len) into o. */
static int apply_one(const struct import_xform *x, const char *s, size_t len, struct out *o,
                     struct kith_error *err)
{
    char ex[UTF8_EXCERPT_SIZE];
    switch (x->fn) {
    case IMPORT_FN_TRIM:
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        put(o, s, len);
        return 0;
    case IMPORT_FN_LOWER:
    case IMPORT_FN_UPPER:
        for (size_t i = 0; i < len; i++) {
            char c = s[i];
            if (c >= 'A' && c <= 'Z' && x->fn == IMPORT_FN_LOWER)
                c = (char)(c - 'A' + 'a');
            else if (c >= 'a' && c <= 'z' && x->fn == IMPORT_FN_UPPER)
                c = (char)(c - 'a' + 'A');
            put(o, &c, 1);
        }
        return 0;
    case IMPORT_FN_SLUG: {
        bool sep = false;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (isalnum(c) || c >= 0x80) {
                if (sep && o->len)
                    put(o, ".", 1);
                sep = false;
                char l = (char)tolower(c);
                put(o, c >= 0x80 ? &s[i] : &l, 1);
            } else {
                sep = true;
            }
        }
        return 0;
    }
    case IMPORT_FN_SCALE: {
        if (len == 0)
            return 0; /* empty stays empty: a NULL */
        double v;
        struct kith_error e;
        if (num_parse_double(s, len, -INFINITY, INFINITY, &v, "number", &e) < 0)
            return kith_err(err, KITH_EINVAL, "scale: '%s' is not a number",
                            utf8_excerpt(ex, s, len));
        char buf[400];
        size_t n = format_number(v * x->k, buf, sizeof(buf));
        if (!n)
            return kith_err(err, KITH_EINVAL, "scale: '%s' times %s is out of range",
                            utf8_excerpt(ex, s, len), x->a);
        put(o, buf, n);
        return 0;
    }
    case IMPORT_FN_DATE:
        if (len == 0)
            return 0;
        return apply_date(x, s, len, o, err);
    case IMPORT_FN_REPLACE:
        for (size_t i = 0; i < len;) {
            if (len - i >= x->alen && memcmp(s + i, x->a, x->alen) == 0) {
                put(o, x->b, x->blen);
                i += x->alen;
            } else {
                put(o, s + i, 1);
                i++;
            }
        }
        return 0;
    case IMPORT_FN_PREFIX:
        if (len)
            put(o, x->a, x->alen);
        put(o, s, len);
        return 0;
    case IMPORT_FN_SUFFIX:
        put(o, s, len);
        if (len)
            put(o, x->a, x->alen);
        return 0;
    case IMPORT_FN_DEFAULT:
        if (len)
            put(o, s, len);
        else
            put(o, x->a, x->alen);
        return 0;
    }
    return 0;
}

int import_map_apply(const struct import_map *m, const char *s, size_t len, char *buf, size_t cap,
                     const char **out, size_t *outlen, struct kith_error *err)
{
    *out = s;
    *outlen = len;
    if (m->nxf == 0)
        return 0;
    /* Two halves of buf: each step reads one and writes the other. */
    size_t half = cap / 2;
    char *bufs[2] = {buf, buf + half};
    const char *cur = s;
    size_t curlen = len;
    for (size_t i = 0; i < m->nxf; i++) {
        struct out o = {bufs[i % 2], half, 0, false};
        int rc = apply_one(&m->xf[i], cur, curlen, &o, err);
        if (rc < 0)
            return rc;
        if (o.over)
            return kith_err(err, KITH_EINVAL,
                            "the value is too long after the mapping's "
                            "functions");
        o.buf[o.len] = '\0';
        cur = o.buf;
        curlen = o.len;
    }
    *out = cur;
    *outlen = curlen;
    return 0;
}

/* ----- edit distance ------------------------------------------------------------------------ */

static unsigned char fold(char c)
{
    return (unsigned char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

size_t import_edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t max)
{
    size_t diff = alen > blen ? alen - blen : blen - alen;
    if (diff > max)
        return max + 1;
    if (blen > 255)
        return max + 1; /* names, codes, emails: longer keys are not compared */
    size_t row[256];
    for (size_t j = 0; j <= blen; j++)
        row[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t prev = row[0], best = i;
        row[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
            size_t v = prev + cost;
            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            prev = row[j];
            row[j] = v;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[blen] > max ? max + 1 : row[blen];
}

/* ----- rounding amounts ---------------------------------------------------------------------- */

int import_round_half_even(const char *s, size_t len, int decimals, char *out, size_t cap,
                           size_t *outlen)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t i = 0;
    char sign = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        sign = s[i++];
    size_t int_start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_len = i - int_start;
    if (i == len || s[i] != '.')
        return 0;
    size_t frac_start = ++i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t frac_len = i - frac_start;
    if (i != len || frac_len <= (size_t)decimals || int_len + frac_len == 0)
        return 0; /* not a plain decimal with too many digits: field_parse says what it is */
    const char *rest = s + frac_start + decimals;
    size_t nrest = frac_len - (size_t)decimals;
    bool nonzero_after = false;
    for (size_t k = 1; k < nrest; k++)
        nonzero_after |= rest[k] != '0';
    if (rest[0] == '0' && !nonzero_after)
        return 0; /* only zeros: nothing to round */
    /* The kept digits, integer and fraction together, to be rounded as one number. */
    char digits[128];
    size_t nd = 0;
    if (int_len + (size_t)decimals + 2 > sizeof(digits) || cap < int_len + (size_t)decimals + 4)
        return 0;
    digits[nd++] = '0'; /* room for a carry */
    memcpy(digits + nd, s + int_start, int_len);
    nd += int_len;
    memcpy(digits + nd, s + frac_start, (size_t)decimals);
    nd += (size_t)decimals;
    bool up = rest[0] > '5' || (rest[0] == '5' && nonzero_after) ||
              (rest[0] == '5' && !nonzero_after && (digits[nd - 1] - '0') % 2 == 1);
    for (size_t k = nd; up && k-- > 0;) {
        if (digits[k] == '9') {
            digits[k] = '0';
        } else {
            digits[k]++;
            up = false;
        }
    }
    size_t o = 0, first = digits[0] == '0' ? 1 : 0;
    if (sign == '-')
        out[o++] = '-';
    size_t ilen = nd - (size_t)decimals - first;
    if (ilen == 0)
        out[o++] = '0';
    memcpy(out + o, digits + first, ilen);
    o += ilen;
    if (decimals > 0) {
        out[o++] = '.';
        memcpy(out + o, digits + nd - (size_t)decimals, (size_t)decimals);
        o += (size_t)decimals;
    }
    out[o] = '\0';
    *outlen = o;
    return 1;
}
