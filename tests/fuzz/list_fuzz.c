/*
 * list_fuzz.c - libFuzzer target for the query string of the API's lists: filters
 * (field=value, field_from=, field_to=), sort, fields, q, limit and the keyset cursor. The
 * parsing is static in src/api/resource.c, so it is fuzzed through the nearest public doors,
 * the GET handlers of the resources (resource_list()) and of a contact's timeline, as the
 * administrator on the in-memory demo database. The first byte picks the handler; the rest is
 * the query string.
 */
#include <stdio.h>
#include <stdlib.h>

#include "api/handlers.h"
#include "support.h"

static const api_handler handlers[] = {
    api_contacts_list, api_accounts_list, api_interactions_list,      api_orders_list,
    api_events_list,   api_products_list, api_interaction_types_list, api_units_list,
    api_teams_list,    api_users_list,    api_contacts_timeline,      api_get_audit,
};
#define NHANDLERS (sizeof(handlers) / sizeof(handlers[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    api_handler fn = handlers[data[0] % NHANDLERS];
    struct fuzz_query q;
    fuzz_query_init(&q, (const char *)data + 1, size - 1);
    struct api_request req = {.method = "GET",
                              .path = "/api/v1/fuzz",
                              .params = {"1"},
                              .nparams = 1,
                              .who = &fuzz_admin,
                              .store = fuzz_store(),
                              .client_addr = "127.0.0.1",
                              .conn = &q};
    struct api_response res = {0};
    fn(&req, &res);
    if (getenv("KITH_FUZZ_VERBOSE"))
        fuzz_show_response(&res);
    /* A list answers 200 or says what was wrong with the query (400; the audit log says 422):
     * no answer or a 5xx is a fault. */
    if (res.status != 200 && (res.status < 400 || res.status >= 500))
        abort();
    json_decref(res.json);
    free(res.text);
    fuzz_query_release(&q);
    return 0;
}
