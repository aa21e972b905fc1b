/*
 * reading_fuzz.c - libFuzzer target for reading_parse() (src/model/reading.c), the parser of a
 * device's reading lines: any bytes as one line. An accepted reading has a telemetry type within
 * its limits, a time not past the allowed drift, and a value that is compact JSON of at most
 * READING_VALUE_MAX bytes which parses again and writes back the same.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/reading.h"
#include "support.h"

#define NOW 1777636800000LL /* 2026-05-01T12:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kith_error err = {0};
    struct reading r;
    if (reading_parse((const char *)data, size, NOW, &r, &err) < 0) {
        if (err.code != KITH_EINVAL || !memchr(err.msg, '\0', sizeof(err.msg)) || !err.msg[0])
            abort(); /* a refusal is always KITH_EINVAL and says why */
        return 0;
    }
    size_t tlen = strlen(r.type);
    if (tlen > READING_TYPE_MAX || strncmp(r.type, READING_TYPE_PREFIX, 7) != 0 ||
        r.at > NOW + READING_FUTURE_MS || r.value_len > READING_VALUE_MAX ||
        strlen(r.value) != r.value_len)
        abort();
    json_error_t jerr;
    json_t *v = json_loadb(r.value, r.value_len, JSON_DECODE_ANY, &jerr);
    if (!v) {
        fprintf(stderr, "reading: value %s does not parse again: %s\n", r.value, jerr.text);
        abort();
    }
    char again[READING_VALUE_MAX + 1];
    size_t n = json_dumpb(v, again, sizeof(again),
                          JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    json_decref(v);
    if (n != r.value_len || memcmp(again, r.value, n) != 0) {
        fprintf(stderr, "reading: value %s writes back as %.*s\n", r.value, (int)n, again);
        abort();
    }
    return 0;
}
