/*
 * interaction_types.c - /api/v1/interaction-types: the catalogue of interactions (the
 * relationship process model, DESIGN.md §4) with their RV, cost, touch and tech. Read by every
 * role, changed by admins; a type that interactions use cannot be deleted.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

/* touch and tech are weights from 0 to 1. */
static int check_weights(const struct api_resource *r, struct api_request *req,
                         struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    (void)req;
    (void)create;
    static const char *const weights[] = {"touch", "tech"};
    for (int k = 0; k < 2; k++) {
        size_t i = resource_field(row, weights[k]);
        if (resource_has(row, weights[k]) && !(row->vals[i].r >= 0.0 && row->vals[i].r <= 1.0)) {
            api_error(res, 422, "invalid", weights[k], "%s must be a number from 0 to 1",
                      weights[k]);
            return KITH_EINVAL;
        }
    }
    return 0;
}

static const char *const search[] = {"code", "name", NULL};

static const struct api_resource interaction_types = {.table = "interaction_types",
                                                      .path = "/api/v1/interaction-types",
                                                      .search = search,
                                                      .before = check_weights,
                                                      .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(interaction_types, interaction_types)
RESOURCE_DEFINE_WRITE(interaction_types, interaction_types)
RESOURCE_DEFINE_DELETE(interaction_types, interaction_types)
