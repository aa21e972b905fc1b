/*
 * units.c - /api/v1/units: business units, partners, distributors and dealers (the value
 * network). Read by every role, changed by admins; a unit cannot become its own ancestor.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

#define UNIT_DEPTH_MAX 64

static int parent_of(void *ctx, const struct store_value *vals)
{
    size_t i;
    const struct table_def *t = model_table("units");
    table_field(t, "parent_id", &i);
    *(int64_t *)ctx = vals[i].kind == SV_INT ? vals[i].i : 0;
    return 0;
}

/* A PATCH that sets parent_id must not make a cycle: walk up from the new parent. */
static int check_parent(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    size_t f = resource_field(row, "parent_id");
    if (create || !resource_has(row, "parent_id"))
        return 0;
    int64_t up = row->vals[f].i;
    for (int depth = 0; up > 0 && depth < UNIT_DEPTH_MAX; depth++) {
        if (up == row->id) {
            api_error(res, 422, "invalid", "parent_id",
                      "parent_id: unit %lld would become its own ancestor", (long long)row->id);
            return KITH_EINVAL;
        }
        int64_t next = 0;
        struct kith_error err = {0};
        const struct store_scope all = {.all = true};
        if (store_get(req->store, resource_table(r), up, &all, parent_of, &next, &err) < 0)
            break; /* a missing parent is reported by the reference check */
        up = next;
    }
    return 0;
}

static const char *const search[] = {"name", NULL};

static const struct api_resource units = {.table = "units",
                                          .path = "/api/v1/units",
                                          .search = search,
                                          .prepare = check_parent,
                                          .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(units, units)
RESOURCE_DEFINE_WRITE(units, units)
RESOURCE_DEFINE_DELETE(units, units)
