/*
 * ideas.c - /api/v1/ideas and /api/v1/idea-votes (issue 15, docs/voice.md "Ideas"): the
 * community's ideas and the contacts' votes on them, scoped through the contact like its other
 * records (a partner sees its own contacts' ideas and votes; an idea without a contact, posted by
 * staff, only those who read every contact).
 *
 * Every idea starts "new"; only staff with write rights (admins, managers, frontline staff, not
 * partners) move its status (planned, done, declined). A contact votes once on an idea (+1 or
 * -1): a second vote is a 409, the vote is changed by PATCH of its row. One may vote only on an
 * idea one can read. After each write the community role of the contact is derived again
 * (api/community.h).
 */
#include <string.h>

#include "api/access.h"
#include "api/community.h"
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

/* Staff who may move an idea's status: the writers that are not partners. */
#define IDEA_STATUS_ROLES (ROLE_ADMIN | ROLE_MANAGER | ROLE_FRONTLINE)

static int prepare_idea(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    const size_t st = resource_field(row, "status");
    if (create) {
        if (resource_has(row, "status") &&
            (row->vals[st].len != 3 || memcmp(row->vals[st].s, "new", 3) != 0)) {
            api_error(res, 422, "read_only", "status",
                      "a new idea's status is new; staff move it once it is written");
            return KITH_EINVAL;
        }
        return resource_set_text(row, "status", "new", 3) < 0 ? KITH_ENOMEM : 0;
    }
    if (resource_is_set(row, "status")) {
        if (!(req->who->role & IDEA_STATUS_ROLES)) {
            api_error(res, 403, "forbidden", "status",
                      "only staff with write rights (admins, managers, frontline) change an "
                      "idea's status");
            return KITH_EINVAL;
        }
        if (!resource_has(row, "status")) {
            api_error(res, 422, "invalid", "status",
                      "status: one of new, planned, done, declined (not null)");
            return KITH_EINVAL;
        }
    }
    return 0;
}

static void idea_committed(struct api_request *req, int64_t id, enum resource_change change)
{
    api_community_changed(req, "ideas", id, change);
}

static const char *const idea_search[] = {"title", NULL};
static const char *const contact_create_only[] = {"contact_id", NULL};

static const struct api_resource ideas = {.table = "ideas",
                                          .path = "/api/v1/ideas",
                                          .search = idea_search,
                                          .create_only = contact_create_only,
                                          .prepare = prepare_idea,
                                          .committed = idea_committed};

RESOURCE_DEFINE_READ(ideas, ideas)
RESOURCE_DEFINE_WRITE(ideas, ideas)
RESOURCE_DEFINE_DELETE(ideas, ideas)

/* ---- votes ------------------------------------------------------------------------------ */

/*
 * A vote is +1 or -1 (the table's range lets 0 through: a vote of nothing, refused here, the
 * only door that writes votes). On create the idea voted on must be one the caller can read
 * (else 404 naming idea_id).
 */
static int prepare_vote(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    if (resource_has(row, "value") && row->vals[resource_field(row, "value")].i == 0) {
        api_error(res, 422, "invalid", "value",
                  "value: 1 (up) or -1 (down); withdraw a vote "
                  "by deleting it");
        return KITH_EINVAL;
    }
    if (!create || !resource_has(row, "idea_id"))
        return 0;
    const int64_t idea = row->vals[resource_field(row, "idea_id")].i;
    const struct table_def *t = model_table("ideas");
    struct store_scope read;
    struct kith_error err = {0};
    if (api_scope(req->who, t, false, &read) < 0) {
        api_error(res, 403, "forbidden", "idea_id", "your role may not read ideas");
        return KITH_EINVAL;
    }
    int rc = store_get(req->store, t, idea, &read, NULL, NULL, &err);
    if (rc == KITH_ENOTFOUND) {
        api_error(res, 404, "not_found", "idea_id", "no idea %lld", (long long)idea);
        return rc;
    }
    if (rc < 0)
        resource_answer_error(t, &err, res);
    return rc;
}

static void vote_committed(struct api_request *req, int64_t id, enum resource_change change)
{
    api_community_changed(req, "idea_votes", id, change);
}

static const char *const vote_create_only[] = {"idea_id", "contact_id", NULL};

static const struct api_resource idea_votes = {.table = "idea_votes",
                                               .path = "/api/v1/idea-votes",
                                               .create_only = vote_create_only,
                                               .prepare = prepare_vote,
                                               .committed = vote_committed};

RESOURCE_DEFINE_READ(idea_votes, idea_votes)
RESOURCE_DEFINE_WRITE(idea_votes, idea_votes)
RESOURCE_DEFINE_DELETE(idea_votes, idea_votes)
