/*
 * resource_cursor.c - the opaque keyset cursors of the lists: the position after a page (sort
 * field, direction, last key and id) as compact JSON in URL-safe base64, and back.
 */
#include "api/resource_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define CURSOR_MAX 8192 /* bytes of cursor text accepted */

char *resource_cursor_encode(json_t *state)
{
    char *text = json_dumps(state, JSON_COMPACT);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(size);
    if (out)
        sodium_bin2base64(out, size, (const unsigned char *)text, n,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(text);
    return out;
}

json_t *resource_cursor_decode(const char *text)
{
    size_t n = strlen(text), len;
    if (n == 0 || n > CURSOR_MAX)
        return NULL;
    unsigned char *bin = malloc(n);
    if (!bin)
        return NULL;
    json_t *state = NULL;
    if (sodium_base642bin(bin, n, text, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
        state = json_loadb((const char *)bin, len, 0, NULL);
    free(bin);
    return state;
}
