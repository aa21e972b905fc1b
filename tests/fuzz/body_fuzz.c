/*
 * body_fuzz.c - libFuzzer target for the validation of request bodies against a table's
 * definition (value_from_json() and row_from_json() in src/api/resource.c, with model/table.h's
 * field descriptions). They are static, so they are fuzzed through the nearest public doors:
 * the POST and PATCH handlers of the resources (resource_create() / resource_update()), as the
 * administrator on the in-memory demo database, with the body parsed as the server parses it
 * (size cap, depth check, duplicate keys refused); the server's depth check (api_json_depth_ok(),
 * which reads the text without parsing it) must agree with the depth of what jansson parses. The
 * first byte picks the handler, the rest is the body. Users are left out: creating one hashes a
 * password (argon2id), far too slow here. A body that passes is written, so the database grows and
 * changes during a run.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/handlers.h"
#include "support.h"

static const api_handler handlers[] = {
    api_contacts_create,
    api_contacts_update,
    api_accounts_create,
    api_accounts_update,
    api_interactions_create,
    api_interactions_void,
    api_orders_create,
    api_orders_update,
    api_events_create,
    api_events_update,
    api_products_create,
    api_products_update,
    api_interaction_types_create,
    api_interaction_types_update,
    api_units_create,
    api_units_update,
    api_teams_create,
    api_teams_update,
};
#define NHANDLERS (sizeof(handlers) / sizeof(handlers[0]))

/* Nesting of arrays and objects: 0 for a scalar, 1 for [] or {}. */
static int json_depth(json_t *j)
{
    int max = 0;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            int d = json_depth(json_array_get(j, i));
            max = d > max ? d : max;
        }
        return max + 1;
    }
    if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            int d = json_depth(v);
            max = d > max ? d : max;
        }
        return max + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > API_BODY_MAX)
        return 0;
    api_handler fn = handlers[data[0] % NHANDLERS];
    char *text = fuzz_strndup(data + 1, size - 1);
    struct fuzz_query q = {0};
    struct api_request req = {.method = "POST",
                              .path = "/api/v1/fuzz",
                              .params = {"1"},
                              .nparams = 1,
                              .raw_body = text,
                              .body_len = size - 1,
                              .who = &fuzz_admin,
                              .store = fuzz_store(),
                              .client_addr = "127.0.0.1",
                              .conn = &q};
    struct api_response res = {0};
    /* As server.c: no body, or one within the depth that parses; else the server answers 400
     * before any handler runs. The server's depth check reads the text without parsing it: on
     * JSON that parses it must agree with the parsed depth. */
    bool depth_ok = api_json_depth_ok(text, size - 1, API_JSON_DEPTH_MAX);
    json_t *body = size > 1 ? json_loadb(text, size - 1, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (body && depth_ok != (json_depth(body) <= API_JSON_DEPTH_MAX))
        abort();
    if (size == 1)
        req.raw_body = NULL;
    else if (depth_ok)
        req.body = body;
    if (size == 1 || req.body) {
        fn(&req, &res);
        if (getenv("KITH_FUZZ_VERBOSE"))
            fuzz_show_response(&res);
        /* Written, or refused with a client error; a 500 is a fault. */
        if (res.status < 200 || res.status >= 500)
            abort();
    }
    json_decref(body);
    json_decref(res.json);
    free(res.text);
    free(text);
    return 0;
}
