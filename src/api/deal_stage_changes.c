/*
 * deal_stage_changes.c - /api/v1/deal-stage-changes: the history of deals' stages (who, when,
 * from, to), read only. Its rows are written by the store when a deal is inserted (its first
 * stage) and by a PATCH of a deal's stage_id (deals.c); scoped through the deal.
 */
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static const struct api_resource deal_stage_changes = {.table = "deal_stage_changes",
                                                       .path = "/api/v1/deal-stage-changes"};

RESOURCE_DEFINE_READ(deal_stage_changes, deal_stage_changes)
