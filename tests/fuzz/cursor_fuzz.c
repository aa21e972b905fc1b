/*
 * cursor_fuzz.c - libFuzzer target for the keyset pagination cursors of the API
 * (resource_cursor_decode() in src/api/resource.c, the only public door: the checks of a
 * decoded cursor against a list are static and fuzzed through list_fuzz.c). Any bytes are
 * decoded as a cursor; and any JSON among them is encoded as one and must decode to itself.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/resource.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    json_decref(resource_cursor_decode(text));

    json_t *state = json_loadb(text, size, JSON_DECODE_ANY, NULL);
    if (state) {
        char *c = resource_cursor_encode(state);
        json_t *back = c ? resource_cursor_decode(c) : NULL;
        /* A cursor longer than the decoder takes is refused, never misread. */
        if (back && !json_equal(state, back))
            abort();
        free(c);
        json_decref(back);
        json_decref(state);
    }
    free(text);
    return 0;
}
