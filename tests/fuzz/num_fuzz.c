/*
 * num_fuzz.c - libFuzzer target for the number parser of src/util/num.c: any bytes as a whole
 * number and as a decimal number, over the whole range and a narrow one. What it accepts must
 * be in the range asked for, and a whole number must read back from its decimal form.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "util/num.h"

static void check_int(const char *s, size_t len, int64_t lo, int64_t hi)
{
    struct kith_error err = {0};
    int64_t v = 42, back;
    if (num_parse_int64(s, len, lo, hi, &v, "fuzz", &err) < 0) {
        if (v != 42 || err.msg[0] == '\0')
            abort(); /* left alone, and a refusal says why */
        return;
    }
    if (v < lo || v > hi)
        abort();
    char out[32];
    int n = snprintf(out, sizeof(out), "%" PRId64, v);
    if (num_parse_int64(out, (size_t)n, lo, hi, &back, "fuzz", &err) < 0 || back != v)
        abort();
}

static void check_double(const char *s, size_t len, double lo, double hi)
{
    struct kith_error err = {0};
    double v = 42;
    if (num_parse_double(s, len, lo, hi, &v, "fuzz", &err) < 0) {
        if (v != 42 || err.msg[0] == '\0')
            abort();
        return;
    }
    if (!isfinite(v) || v < lo || v > hi)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_int(s, size, INT64_MIN, INT64_MAX);
    check_int(s, size, -5, 1200);
    check_double(s, size, -HUGE_VAL, HUGE_VAL);
    check_double(s, size, 0, 1);

    /* The NUL-terminated forms agree with the counted ones when there is no NUL inside. */
    if (!memchr(data, '\0', size)) {
        char *z = fuzz_strndup(data, size);
        struct kith_error err = {0};
        int64_t a = 0, b = 0;
        double x = 0, y = 0;
        int ra = num_int64(z, INT64_MIN, INT64_MAX, &a, "fuzz", &err);
        int rb = num_parse_int64(s, size, INT64_MIN, INT64_MAX, &b, "fuzz", &err);
        if (ra != rb || a != b)
            abort();
        ra = num_double(z, -1e300, 1e300, &x, "fuzz", &err);
        rb = num_parse_double(s, size, -1e300, 1e300, &y, "fuzz", &err);
        if (ra != rb || (ra == 0 && x != y))
            abort();
        free(z);
    }
    return 0;
}
