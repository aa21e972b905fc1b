/*
 * accounts.c - /api/v1/accounts: companies (B2B). Scoped like contacts by unit, team and owner;
 * a new account is owned by its creator and in the creator's unit unless the body says otherwise.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

static const char *const search[] = {"name", NULL};

static const struct api_resource accounts = {.table = "accounts",
                                             .path = "/api/v1/accounts",
                                             .search = search,
                                             .prepare = resource_prepare_owned,
                                             .committed = rvstate_on_account};

RESOURCE_DEFINE_READ(accounts, accounts)
RESOURCE_DEFINE_WRITE(accounts, accounts)
RESOURCE_DEFINE_DELETE(accounts, accounts)
