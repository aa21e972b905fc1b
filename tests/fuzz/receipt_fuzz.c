/*
 * receipt_fuzz.c - libFuzzer target for consent_receipt_verify() and consent_receipt_payload()
 * (src/io/consent_receipt.c), which read a file a user hands to kith consent verify: any bytes,
 * as a compact JWS, against a fixed key. Nothing it was not signed with that key may pass, and a
 * refusal always says why.
 */
#include <stdlib.h>
#include <string.h>

#include "io/consent_receipt.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char pk[STORE_SIGN_PK] = {1, 2, 3, 4, 5, 6, 7, 8};
    char *text = fuzz_strndup(data, size);
    struct kith_error err = {0};
    json_t *payload = NULL;
    if (consent_receipt_verify(text, pk, &payload, &err) == 0)
        abort(); /* no signature by this key can be forged by chance */
    if (payload || err.msg[0] == '\0')
        abort();
    json_decref(consent_receipt_payload(text));
    free(text);
    return 0;
}
