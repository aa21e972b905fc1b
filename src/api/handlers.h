/*
 * handlers.h - every route handler, one group per resource file in src/api/. routes.c is the
 * only place that maps them to methods and paths.
 */
#ifndef KITH_API_HANDLERS_H
#define KITH_API_HANDLERS_H

#include "api/api.h"

/* health.c, metrics.c */
void api_get_healthz(struct api_request *req, struct api_response *res);
void api_get_metrics(struct api_request *req, struct api_response *res);

#endif
