/*
 * interactions.c - /api/v1/interactions: the facts of the relationship. Never edited nor
 * deleted: POST /api/v1/interactions/{id}/void records a voiding interaction (negated rv and
 * cost, same contact and type, voids_id set) instead. A new interaction without rv or cost
 * takes them from its interaction type (DESIGN.md §4); scope goes through the contact. What a
 * void may void is model/voids.h's to say, as for kith import.
 */
#include <string.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/interactions.h"
#include "api/resource.h"
#include "api/rvstate.h"

#include "util/banned.h"

/* Copies a field of a row read from the store into the row being written, unless it is set. */
struct copy {
    struct resource_row *row;
    const struct table_def *from;
    const char *const *fields; /* NULL-terminated; names in both tables */
    bool negate;               /* integers are negated (rv, cost of a void) */
    bool overwrite;            /* copy even into fields already set */
};

static int copy_fields(void *ctx, const struct store_value *vals)
{
    struct copy *c = ctx;
    for (const char *const *name = c->fields; *name; name++) {
        size_t i;
        table_field(c->from, *name, &i);
        const struct store_value *v = &vals[i];
        if (resource_is_set(c->row, *name) && !c->overwrite)
            continue;
        if (v->kind == SV_INT)
            resource_set_int(c->row, *name, c->negate ? -v->i : v->i);
        else if (v->kind == SV_TEXT && resource_set_text(c->row, *name, v->s, v->len) < 0)
            return KITH_ENOMEM;
    }
    return 0;
}

static const char *const from_type[] = {"rv", "cost", "channel", NULL};

/* Defaults of a new interaction: rv, cost and channel of its type; the caller; source "api". */
static int prepare_interaction(const struct api_resource *r, struct api_request *req,
                               struct resource_row *row, bool create, struct api_response *res)
{
    (void)r;
    (void)create;
    const struct store_scope all = {.all = true};
    struct kith_error err = {0};
    if (resource_has(row, "type_id")) {
        struct copy c = {row, model_table("interaction_types"), from_type, false, false};
        int64_t type = row->vals[resource_field(row, "type_id")].i;
        int rc = store_get(req->store, c.from, type, &all, copy_fields, &c, &err);
        if (rc < 0 && rc != KITH_ENOTFOUND) { /* a missing type is the reference check's */
            resource_answer_error(c.from, &err, res);
            return rc;
        }
    }
    if (!resource_is_set(row, "user_id"))
        resource_set_int(row, "user_id", req->who->user_id);
    if (!resource_is_set(row, "source") && resource_set_text(row, "source", "api", 3) < 0) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    return 0;
}

static const char *const same_as_voided[] = {"contact_id", "type_id", "channel", "direction", NULL};
static const char *const negated[] = {"rv", "cost", NULL};
static const char *const void_body[] = {"notes", "outcome", NULL};

/* Answers a void refused by model/voids.h as every door words it: "voids_id: <why>". */
static int refuse_void(const struct kith_error *err, struct api_response *res)
{
    switch (err->code) {
    case KITH_ENOTFOUND:
        api_error(res, 404, "not_found", "voids_id", "voids_id: %s", err->msg);
        break;
    case KITH_ECONFLICT:
        api_error(res, 409, "conflict", "voids_id", "voids_id: %s", err->msg);
        break;
    default:
        api_error(res, 422, "invalid", "voids_id", "voids_id: %s", err->msg);
    }
    return err->code;
}

/*
 * The voiding interaction of interaction {id}: readable (404) and changeable (403) by the caller,
 * and one that model/voids.h lets be voided (not a void itself, not voided before: 409), as kith
 * import checks every void it reads.
 */
static int prepare_void(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    (void)create;
    const struct table_def *t = resource_table(r);
    const struct store_scope all = {.all = true};
    struct store_scope read;
    struct kith_error err = {0};
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return KITH_ENOTFOUND;
    /* One the caller may not read is as missing as one that is not there. */
    struct void_target target = {.id = id};
    api_scope(req->who, t, false, &read);
    int rc = store_get(req->store, t, id, &read, NULL, NULL, &err);
    if (rc == 0)
        rc = store_void_target(req->store, id, &target, &err);
    if (rc < 0 && rc != KITH_ENOTFOUND) {
        resource_answer_error(t, &err, res);
        return rc;
    }
    if (!target.found) {
        interaction_void_check(&target, 0, 0, &err);
        return refuse_void(&err, res);
    }
    if (!resource_may_change(req, t, id, res))
        return KITH_ENOTFOUND; /* res holds the 404 or 403 */
    struct copy same = {row, t, same_as_voided, false, true};
    struct copy neg = {row, t, negated, true, true};
    if (store_get(req->store, t, id, &all, copy_fields, &same, &err) < 0 ||
        store_get(req->store, t, id, &all, copy_fields, &neg, &err) < 0) {
        resource_answer_error(t, &err, res);
        return err.code;
    }
    /* The void takes the contact of the interaction it voids: the rule holds by construction. */
    if (interaction_void_check(&target, 0, row->vals[resource_field(row, "contact_id")].i, &err) <
        0)
        return refuse_void(&err, res);
    resource_set_int(row, "voids_id", id);
    resource_set_int(row, "occurred_at", store_now_ms());
    resource_set_int(row, "user_id", req->who->user_id);
    if (resource_set_text(row, "source", "api", 3) < 0) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    return 0;
}

static const char *const server_owned[] = {"voids_id", NULL};

static const struct api_resource interactions = {.table = "interactions",
                                                 .path = "/api/v1/interactions",
                                                 .server_owned = server_owned,
                                                 .prepare = prepare_interaction,
                                                 .committed = rvstate_on_interaction};

RESOURCE_DEFINE_READ(interactions, interactions)

void api_interactions_create(struct api_request *req, struct api_response *res)
{
    resource_create(&interactions, req, res);
}

int api_interaction_insert(struct api_request *req, struct resource_row *row, int64_t *id,
                           struct api_response *res)
{
    if (row->t != resource_table(&interactions))
        BUG("api_interaction_insert: a row of %s", row->t->name);
    return resource_insert_in(&interactions, req, row, id, res);
}

void api_interactions_void(struct api_request *req, struct api_response *res)
{
    resource_create_as(&interactions, void_body, prepare_void, "void", req, res);
}
