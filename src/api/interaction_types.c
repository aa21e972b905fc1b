/*
 * interaction_types.c - /api/v1/interaction-types: the catalogue of interactions (the
 * relationship process model, DESIGN.md §4) with their RV, cost, touch and tech. Read by every
 * role, changed by admins; a type that interactions use cannot be deleted. What its fields
 * must hold (touch and tech from 0 to 1, a level of the catalogue, ...) is declared in
 * model/tables.c and checked by model/validate.h, for kith import as for this resource.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

static const char *const search[] = {"code", "name", NULL};

static const struct api_resource interaction_types = {.table = "interaction_types",
                                                      .path = "/api/v1/interaction-types",
                                                      .search = search,
                                                      .committed = rvstate_on_catalogue};

RESOURCE_DEFINE_READ(interaction_types, interaction_types)
RESOURCE_DEFINE_WRITE(interaction_types, interaction_types)
RESOURCE_DEFINE_DELETE(interaction_types, interaction_types)
