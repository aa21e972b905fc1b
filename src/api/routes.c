/*
 * routes.c - the one route table of the API: method, path, handler, roles allowed, summary.
 * Nothing else registers routes; docs/openapi.json must list every row (a test checks it).
 */
#include "api/handlers.h"

#include "util/banned.h"

const struct api_route api_routes[] = {
    {"GET", "/healthz", api_get_healthz, 0, "liveness and database check"},
    {"GET", "/metrics", api_get_metrics, 0, "Prometheus metrics"},
    {NULL, NULL, NULL, 0, NULL},
};
