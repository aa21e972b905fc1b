/*
 * health.c - GET /healthz: answers 200 when the server can read its database.
 */
#include "api/handlers.h"

#include "util/banned.h"

void api_get_healthz(struct api_request *req, struct api_response *res)
{
    struct kith_error err = {0};
    int64_t bytes;
    if (store_size(req->store, &bytes, &err) < 0) {
        api_error(res, 503, "unavailable", NULL, "the database cannot be read");
        return;
    }
    api_json(res, 200,
             json_pack("{s:s, s:i}", "status", "ok", "schema", store_schema_version(req->store)));
}
