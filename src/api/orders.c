/*
 * orders.c - /api/v1/orders: what an account (through a contact) bought. Scoped through the
 * order's contact, or its account when it has no contact.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

static const struct api_resource orders = {
    .table = "orders", .path = "/api/v1/orders", .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(orders, orders)
RESOURCE_DEFINE_WRITE(orders, orders)
RESOURCE_DEFINE_DELETE(orders, orders)
