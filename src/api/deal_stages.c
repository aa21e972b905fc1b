/*
 * deal_stages.c - /api/v1/deal-stages: the stage lists of the sales pipeline. unit_id null is
 * the company's default list (the store's migrations seed Prospecting to Lost), a unit may keep
 * its own. Read by every role, changed by admins, like the rest of the catalogue; a stage that
 * deals or their history refer to cannot be deleted.
 */
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static const char *const search[] = {"name", NULL};

static const struct api_resource deal_stages = {
    .table = "deal_stages", .path = "/api/v1/deal-stages", .search = search};

RESOURCE_DEFINE_READ(deal_stages, deal_stages)
RESOURCE_DEFINE_WRITE(deal_stages, deal_stages)
RESOURCE_DEFINE_DELETE(deal_stages, deal_stages)
