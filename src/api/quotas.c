/*
 * quotas.c - /api/v1/quotas: sales quotas, what a user is expected to win in a period
 * (model: quota_fields in model/tables.c; the analysis: `kith deals quota`, docs/deals.md).
 * Scoped through the quota's user as records are (a manager reads and sets the quotas of the
 * users of their unit and team); routes.c lets only admins and managers write them. A period
 * must end after it starts (the store's rule) and a user has one quota per period (409).
 */
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static const struct api_resource quotas = {.table = "quotas", .path = "/api/v1/quotas"};

RESOURCE_DEFINE_READ(quotas, quotas)
RESOURCE_DEFINE_WRITE(quotas, quotas)
RESOURCE_DEFINE_DELETE(quotas, quotas)
