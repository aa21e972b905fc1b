/*
 * deal_lines.c - /api/v1/deal-lines: the products of a deal with quantity and amount. Scoped
 * through the deal (docs/internals/access.md): whoever may change the deal may change its lines.
 */
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static const struct api_resource deal_lines = {.table = "deal_lines", .path = "/api/v1/deal-lines"};

RESOURCE_DEFINE_READ(deal_lines, deal_lines)
RESOURCE_DEFINE_WRITE(deal_lines, deal_lines)
RESOURCE_DEFINE_DELETE(deal_lines, deal_lines)
