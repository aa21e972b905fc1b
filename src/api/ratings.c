/*
 * ratings.c - /api/v1/ratings (issue 15, docs/voice.md "Ratings"): a contact's stars (1-5) and
 * review of a product. verified is kith's, never the client's: set in the write's transaction
 * from the orders of the contact and of its account (store_ratings_verify()). Scoped through
 * the rating's contact, like interactions. After each write the contact's community role is
 * derived again (api/community.h).
 */
#include <time.h>

#include "api/community.h"
#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

static int prepare_rating(const struct api_resource *r, struct api_request *req,
                          struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    (void)req;
    (void)res;
    if (create && !resource_is_set(row, "rated_at")) { /* rated now unless said */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        resource_set_int(row, "rated_at", (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    }
    return 0;
}

static int verify_rating(const struct api_resource *r, struct api_request *req, int64_t id,
                         bool create, struct api_response *res)
{
    (void)r;
    (void)create;
    struct kith_error err = {0};
    if (store_ratings_verify(req->store, id, NULL, &err) < 0) {
        resource_answer_error(model_table("ratings"), &err, res);
        return err.code ? err.code : KITH_EDB;
    }
    return 0;
}

static void rating_committed(struct api_request *req, int64_t id, enum resource_change change)
{
    api_community_changed(req, "ratings", id, change);
}

static const char *const server_owned[] = {"verified", NULL};
static const char *const create_only[] = {"contact_id", NULL};
static const char *const search[] = {"review", NULL};

static const struct api_resource ratings = {.table = "ratings",
                                            .path = "/api/v1/ratings",
                                            .search = search,
                                            .server_owned = server_owned,
                                            .create_only = create_only,
                                            .prepare = prepare_rating,
                                            .written = verify_rating,
                                            .committed = rating_committed};

RESOURCE_DEFINE_READ(ratings, ratings)
RESOURCE_DEFINE_WRITE(ratings, ratings)
RESOURCE_DEFINE_DELETE(ratings, ratings)
