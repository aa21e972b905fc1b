/*
 * money_fuzz.c - libFuzzer target for money_parse() (src/util/money.c): any bytes, at every
 * number of decimals it supports. An amount it accepts is written with money_format() and must
 * parse back to the same minor units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "util/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int decimals = 0; decimals <= MONEY_MAX_DECIMALS; decimals++) {
        struct kith_error err = {0};
        int64_t minor, back;
        if (money_parse((const char *)data, size, decimals, &minor, &err) < 0) {
            if (err.msg[0] == '\0')
                abort(); /* a refusal always says why */
            continue;
        }
        char out[MONEY_SIZE];
        size_t n = money_format(minor, decimals, out);
        if (n >= MONEY_SIZE || strlen(out) != n)
            abort();
        if (money_parse(out, n, decimals, &back, &err) < 0 || back != minor) {
            fprintf(stderr, "money: %lld (%d decimals) written as %s does not read back (%s)\n",
                    (long long)minor, decimals, out, err.msg);
            abort();
        }
    }
    return 0;
}
