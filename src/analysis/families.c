/*
 * families.c - the list of analysis families, for whatever reads them all (the OpenAPI check,
 * `kith help`). Add a family here when you add one (docs/internals/analysis.md).
 */
#include "analysis/deals.h"
#include "analysis/param.h"
#include "analysis/v2t2.h"
#include "analysis/value.h"
#include "analysis/voice.h"

#include "util/banned.h"

extern const struct analysis_family analysis_rv;

const struct analysis_family *const analysis_families[] = {
    &analysis_value, &analysis_rv, &analysis_deals, &analysis_voice, &analysis_v2t2, NULL,
};
