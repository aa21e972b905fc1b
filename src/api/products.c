/*
 * products.c - /api/v1/products: the catalogue of what is sold. Read by every role, changed by
 * admins; a product on an order line cannot be deleted.
 */
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static const char *const search[] = {"sku", "name", NULL};

static const struct api_resource products = {
    .table = "products", .path = "/api/v1/products", .search = search};

RESOURCE_DEFINE_READ(products, products)
RESOURCE_DEFINE_WRITE(products, products)
RESOURCE_DEFINE_DELETE(products, products)
