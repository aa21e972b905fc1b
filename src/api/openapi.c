/*
 * openapi.c - GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, docs/openapi.json,
 * which CMake embeds in the binary at build time (cmake/embed.cmake). No sign-in needed.
 * tests/unit/api/openapi_test.c checks that it lists every route of routes.c.
 */
#include "api/handlers.h"

#include "util/banned.h"

/* Generated from docs/openapi.json (build/generated/openapi_json.c). */
extern const unsigned char kith_openapi_json[];
extern const size_t kith_openapi_json_len;

void api_get_openapi(struct api_request *req, struct api_response *res)
{
    (void)req;
    res->static_body = kith_openapi_json; /* sent from the binary, never copied nor freed */
    res->static_len = kith_openapi_json_len;
    res->content_type = "application/json";
    res->status = 200;
}
