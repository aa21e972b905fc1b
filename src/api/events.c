/*
 * events.c - /api/v1/events: outcomes of contacts and accounts (repeat, referral, upsell,
 * churn ...). Scoped through the event's contact, or its account when it has no contact.
 */
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

static const struct api_resource events = {
    .table = "events", .path = "/api/v1/events", .committed = rvstate_on_other};

RESOURCE_DEFINE_READ(events, events)
RESOURCE_DEFINE_WRITE(events, events)
RESOURCE_DEFINE_DELETE(events, events)
