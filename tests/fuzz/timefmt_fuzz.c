/*
 * timefmt_fuzz.c - libFuzzer target for timefmt_parse() (src/util/timefmt.c): any bytes, as
 * ISO 8601 or Unix time. An instant it accepts within the 4-digit years is written with
 * timefmt_format() and must parse back to the same millisecond.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "util/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kith_error err = {0};
    int64_t ms, back;
    if (timefmt_parse((const char *)data, size, &ms, &err) < 0) {
        if (!memchr(err.msg, '\0', sizeof(err.msg)) || err.msg[0] == '\0')
            abort(); /* a refusal always says why */
        return 0;
    }
    char out[TIMEFMT_SIZE];
    size_t n = timefmt_format(ms, out);
    if (n >= TIMEFMT_SIZE || strlen(out) != n)
        abort();
    if (ms >= TIMEFMT_MIN_MS && ms <= TIMEFMT_MAX_MS) {
        if (timefmt_parse(out, n, &back, &err) < 0 || back != ms) {
            fprintf(stderr, "timefmt: %lld written as %s does not read back (%s)\n", (long long)ms,
                    out, err.msg);
            abort();
        }
    }
    return 0;
}
