/*
 * deals.c - /api/v1/deals: the sales pipeline's opportunities. Scoped like accounts by unit, team
 * and owner. A PATCH that moves a deal to another stage records the move in deal_stage_changes
 * (who, when, from, to) in the write's transaction and makes outcome and closed_at follow the
 * new stage's kind: won or lost closes the deal, an open stage reopens it. The first row of a
 * deal's history is the store's (trigger deals_first_stage, store/migrations.c). Deals are not
 * deleted: a lost deal keeps its history. docs/api.md, "Deals".
 */
#include <string.h>

#include "api/handlers.h"
#include "api/resource.h"

#include "util/banned.h"

/* What a deal's stage says about it. */
struct stage_info {
    bool found;
    int64_t unit_id; /* 0: a company default stage */
    double probability;
    char kind[8]; /* open, won or lost */
};

static int read_stage(void *ctx, const struct store_value *vals)
{
    struct stage_info *st = ctx;
    const struct table_def *t = model_table("deal_stages");
    size_t unit, prob, kind;
    table_field(t, "unit_id", &unit);
    table_field(t, "probability", &prob);
    table_field(t, "kind", &kind);
    st->found = true;
    st->unit_id = vals[unit].kind == SV_INT ? vals[unit].i : 0;
    st->probability = vals[prob].kind == SV_REAL ? vals[prob].r : (double)vals[prob].i;
    if (vals[kind].kind == SV_TEXT && vals[kind].len < sizeof(st->kind)) {
        memcpy(st->kind, vals[kind].s, vals[kind].len);
        st->kind[vals[kind].len] = '\0';
    }
    return 0;
}

/* The deal as it is before the write: its stage, unit and outcome. */
struct deal_now {
    int64_t stage_id, unit_id;
    char outcome[8];
};

static int read_deal(void *ctx, const struct store_value *vals)
{
    struct deal_now *d = ctx;
    const struct table_def *t = model_table("deals");
    size_t stage, unit, outcome;
    table_field(t, "stage_id", &stage);
    table_field(t, "unit_id", &unit);
    table_field(t, "outcome", &outcome);
    d->stage_id = vals[stage].kind == SV_INT ? vals[stage].i : 0;
    d->unit_id = vals[unit].kind == SV_INT ? vals[unit].i : 0;
    if (vals[outcome].kind == SV_TEXT && vals[outcome].len < sizeof(d->outcome)) {
        memcpy(d->outcome, vals[outcome].s, vals[outcome].len);
        d->outcome[vals[outcome].len] = '\0';
    }
    return 0;
}

/* The integer row sets field name to, or dflt when the body leaves it as it is; 0 for null. */
static int64_t int_or(const struct resource_row *row, const char *name, int64_t dflt)
{
    if (!resource_is_set(row, name))
        return dflt;
    const struct store_value *v = &row->vals[resource_field(row, name)];
    return v->kind == SV_INT ? v->i : 0;
}

static void set_null(struct resource_row *row, const char *name)
{
    size_t i = resource_field(row, name);
    row->vals[i] = (struct store_value){.kind = SV_NULL};
    row->set[i] = true;
}

/* Inside the transaction: one row of deal_stage_changes for a PATCH that moves deal id. */
static int record_move(struct api_request *req, int64_t id, int64_t from, int64_t to, int64_t now,
                       struct api_response *res)
{
    const struct table_def *t = model_table("deal_stage_changes");
    struct store_value vals[8];
    struct kith_error err = {0};
    if (t->nfields > sizeof(vals) / sizeof(vals[0]))
        BUG("deal_stage_changes has %zu fields", t->nfields);
    for (size_t i = 0; i < t->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    const struct {
        const char *name;
        int64_t value;
    } cols[] = {{"deal_id", id},
                {"from_stage_id", from},
                {"to_stage_id", to},
                {"user_id", req->who->user_id},
                {"changed_at", now}};
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
        size_t i;
        if (!table_field(t, cols[c].name, &i))
            BUG("deal_stage_changes has no %s", cols[c].name);
        if (cols[c].value > 0 || strcmp(cols[c].name, "changed_at") == 0)
            vals[i] = (struct store_value){.kind = SV_INT, .i = cols[c].value};
    }
    if (store_insert(req->store, t, vals, NULL, &err) < 0) {
        resource_answer_error(t, &err, res);
        return err.code ? err.code : KITH_EINVAL;
    }
    return 0;
}

/*
 * Defaults and the stage rules of a deal, inside the write's transaction. On create: unit and
 * owner as for accounts; probability, outcome and (for a won or lost stage) closed_at from the
 * stage. On a PATCH that changes stage_id: the move is recorded, and probability, outcome and
 * closed_at follow the new stage unless the body sets them. Always: a stage of a unit serves only
 * deals of that unit, and the outcome is the stage's kind (422 otherwise).
 */
static int prepare_deal(const struct api_resource *r, struct api_request *req,
                        struct resource_row *row, bool create, struct api_response *res)
{
    const struct store_scope all = {.all = true};
    struct deal_now now_deal = {0};
    struct stage_info stage = {0};
    struct kith_error err = {0};
    int rc;
    if (create && (rc = resource_prepare_owned(r, req, row, create, res)) < 0)
        return rc;
    if (!create && (rc = store_get(req->store, model_table("deals"), row->id, &all, read_deal,
                                   &now_deal, &err)) < 0) {
        resource_answer_error(model_table("deals"), &err, res);
        return rc;
    }
    int64_t stage_id = int_or(row, "stage_id", now_deal.stage_id);
    if (stage_id <= 0)
        return 0; /* a missing stage is the required-field check's */
    rc =
        store_get(req->store, model_table("deal_stages"), stage_id, &all, read_stage, &stage, &err);
    if (rc == KITH_ENOTFOUND)
        return 0; /* the reference check answers 404 naming stage_id */
    if (rc < 0) {
        resource_answer_error(model_table("deal_stages"), &err, res);
        return rc;
    }
    int64_t unit_id = int_or(row, "unit_id", now_deal.unit_id);
    if (stage.unit_id > 0 && stage.unit_id != unit_id) {
        api_error(res, 422, "invalid", "stage_id",
                  "stage_id: stage %lld belongs to unit %lld, not to the deal's unit",
                  (long long)stage_id, (long long)stage.unit_id);
        return KITH_EINVAL;
    }
    bool moves = create || stage_id != now_deal.stage_id;
    int64_t now = store_now_ms();
    if (moves && !create &&
        (rc = record_move(req, row->id, now_deal.stage_id, stage_id, now, res)) < 0)
        return rc;
    if (moves) {
        if (!resource_is_set(row, "probability")) {
            size_t i = resource_field(row, "probability");
            row->vals[i] = (struct store_value){.kind = SV_REAL, .r = stage.probability};
            row->set[i] = true;
        }
        if (!resource_is_set(row, "outcome") &&
            resource_set_text(row, "outcome", stage.kind, strlen(stage.kind)) < 0) {
            api_error(res, 500, "internal", NULL, "out of memory");
            return KITH_ENOMEM;
        }
        if (!resource_is_set(row, "closed_at")) {
            if (strcmp(stage.kind, "open") != 0)
                resource_set_int(row, "closed_at", now);
            else if (!create)
                set_null(row, "closed_at"); /* reopened */
        }
    }
    if (resource_has(row, "outcome")) {
        const struct store_value *v = &row->vals[resource_field(row, "outcome")];
        if (v->len != strlen(stage.kind) || memcmp(v->s, stage.kind, v->len) != 0) {
            api_error(res, 422, "invalid", "outcome",
                      "outcome: the deal's stage is %s; move it to a won or lost stage (or an"
                      " open one to reopen it) with stage_id",
                      stage.kind);
            return KITH_EINVAL;
        }
    } else if (resource_is_set(row, "outcome") &&
               resource_set_text(row, "outcome", stage.kind, strlen(stage.kind)) < 0) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return KITH_ENOMEM;
    }
    return 0;
}

static const char *const search[] = {"name", NULL};

static const struct api_resource deals = {
    .table = "deals", .path = "/api/v1/deals", .search = search, .prepare = prepare_deal};

RESOURCE_DEFINE_READ(deals, deals)
RESOURCE_DEFINE_WRITE(deals, deals)
