/*
 * events.c - /api/v1/events: outcomes of contacts and accounts (repeat, referral, upsell,
 * churn ...). Scoped through the event's contact, or its account when it has no contact.
 */
#include "api/community.h"
#include "api/handlers.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

/* A referral counts toward the community role of the contact who made it (docs/voice.md). */
static void events_committed(struct api_request *req, int64_t id, enum resource_change change)
{
    rvstate_on_other(req, id, change);
    api_community_changed(req, "events", id, change);
}

static const struct api_resource events = {
    .table = "events", .path = "/api/v1/events", .committed = events_committed};

RESOURCE_DEFINE_READ(events, events)
RESOURCE_DEFINE_WRITE(events, events)
RESOURCE_DEFINE_DELETE(events, events)
