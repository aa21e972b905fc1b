/*
 * teams.c - /api/v1/teams: virtual account teams and stage teams of a unit. Read by every role,
 * changed by admins.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

static const char *const search[] = {"name", NULL};

static const struct api_resource teams = {
    .table = "teams", .path = "/api/v1/teams", .search = search, .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(teams, teams)
RESOURCE_DEFINE_WRITE(teams, teams)
RESOURCE_DEFINE_DELETE(teams, teams)
