/*
 * deals.c - /api/v1/deals: the sales pipeline's opportunities. Scoped like accounts by unit, team
 * and owner. The stage rules are the store's, shared with `kith deals add|move|win|lose|reopen`
 * (store_deal_stage_rules(), store/deal_write.c): a PATCH that moves a deal to another stage
 * records the move in deal_stage_changes (who, when, from, to) in the write's transaction and
 * makes outcome and closed_at follow the new stage's kind: won or lost closes the deal, an open
 * stage reopens it. The first row of a deal's history is the store's trigger's, naming the
 * creator. Deals are not deleted: a lost deal keeps its history. docs/api.md, "Deals".
 */
#include <string.h>

#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

/*
 * Defaults and the stage rules of a deal, inside the write's transaction. On create: unit and
 * owner as for accounts. Then the rules every door applies (store_deal_stage_rules(): the
 * stage serves the deal's unit, outcome, probability and closed_at follow a new stage, a move is
 * recorded with the caller as who made it); a rule broken is 422 naming the field.
 */
static int prepare_deal(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    struct kith_error err = {0};
    const char *field = NULL;
    int rc;
    if (create && (rc = resource_prepare_owned(r, req, row, create, res)) < 0)
        return rc;
    rc = store_deal_stage_rules(req->store, create ? 0 : row->id, row->vals, row->set,
                                req->who->user_id, store_now_ms(), &field, &err);
    if (rc == KITH_EINVAL && field) {
        api_error(res, 422, "invalid", field, "%s: %s", field, err.msg);
        return rc;
    }
    if (rc < 0)
        resource_answer_error(model_table("deals"), &err, res);
    return rc;
}

/* After the insert, in its transaction: the creator is who put the deal in its first stage. */
static int written_deal(const struct api_resource *r, struct api_request *req, int64_t id,
                        bool create, struct api_response *res)
{
    struct kith_error err = {0};
    (void)r;
    if (!create || store_deal_created(req->store, id, req->who->user_id, &err) == 0)
        return 0;
    resource_answer_error(model_table("deals"), &err, res);
    return err.code ? err.code : KITH_EDB;
}

static const char *const search[] = {"name", NULL};

static const struct api_resource deals = {.table = "deals",
                                          .path = "/api/v1/deals",
                                          .search = search,
                                          .prepare = prepare_deal,
                                          .written = written_deal};

RESOURCE_DEFINE_READ(deals, deals)
RESOURCE_DEFINE_WRITE(deals, deals)
