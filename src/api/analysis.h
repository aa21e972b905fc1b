/*
 * analysis.h - the API's door to the analyses of src/analysis/: reads a request's query string
 * into an analysis's parameter struct through the family's table (analysis/param.h), so that a
 * route takes exactly the parameters `kith <family> <analysis>` takes, with the same defaults,
 * ranges and messages.
 */
#ifndef KITH_API_ANALYSIS_H
#define KITH_API_ANALYSIS_H

#include <stdbool.h>

#include "analysis/param.h"
#include "api/api.h"

/*
 * Fills params (defaults first) from the query string of req for analysis def of family f.
 * An unknown parameter, one given twice, a malformed value or a missing required one answers
 * 400 {"error": {"code": "invalid", "field": name}} in res and returns false.
 */
bool api_analysis_params(const struct api_request *req, struct api_response *res,
                         const struct analysis_family *f, const struct analysis_def *def,
                         void *params);

/*
 * Answers a failed analysis run: when param (a query parameter) is at fault, 400 {"code":
 * "invalid", "field": param}; another KITH_EINVAL (the engine refused the request) 400 without
 * a field; anything else as api_error_from() maps it (404 for KITH_ENOTFOUND, 500 ...).
 */
void api_analysis_fail(struct api_response *res, const char *param, const struct kith_error *err);

#endif
