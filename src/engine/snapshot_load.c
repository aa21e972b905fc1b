/*
 * snapshot_load.c - the builder as a sink of model/rv_rows.h, and rv_snapshot_load(), which has a
 * source (the store's, in practice) push its rows into a builder and finishes it. The engine does
 * no reading itself: the source does.
 */
#include "engine/snapshot.h"

#include "util/banned.h"

static int sink_add_type(void *ctx, const struct rv_type_in *t, struct kith_error *err)
{
    return rv_builder_add_type(ctx, t, err);
}

static int sink_add_unit(void *ctx, int64_t id, const char *name, struct kith_error *err)
{
    return rv_builder_add_unit(ctx, id, name, err);
}

static int sink_add_team(void *ctx, int64_t id, const char *name, int64_t unit_id,
                         struct kith_error *err)
{
    return rv_builder_add_team(ctx, id, name, unit_id, err);
}

static int sink_add_user(void *ctx, int64_t id, const char *email, const char *name,
                         int64_t team_id, int64_t unit_id, struct kith_error *err)
{
    return rv_builder_add_user(ctx, id, email, name, team_id, unit_id, err);
}

/* Early, so that contacts may come with the interactions (the sink's contract). */
static int sink_begin(void *ctx, unsigned nsegments, struct kith_error *err)
{
    return rv_builder_begin_early(ctx, nsegments, err);
}

static int sink_expect_contacts(void *ctx, size_t n, struct kith_error *err)
{
    return rv_builder_expect_contacts(ctx, n, err);
}

static int sink_add_contact(void *ctx, const struct rv_contact_in *c, struct kith_error *err)
{
    return rv_builder_add_contact(ctx, c, err);
}

static int sink_reserve(void *ctx, unsigned seg, size_t n, struct kith_error *err)
{
    return rv_builder_reserve(ctx, seg, n, err);
}

static int sink_add_interaction(void *ctx, unsigned seg, const struct rv_interaction_in *row,
                                struct kith_error *err)
{
    return rv_builder_add_interaction(ctx, seg, row, err);
}

static int sink_add_order(void *ctx, const struct rv_order_in *o, struct kith_error *err)
{
    return rv_builder_add_order(ctx, o, err);
}

static int sink_add_event(void *ctx, const struct rv_event_in *e, struct kith_error *err)
{
    return rv_builder_add_event(ctx, e, err);
}

struct rv_sink rv_builder_sink(struct rv_builder *b)
{
    return (struct rv_sink){
        .ctx = b,
        .add_type = sink_add_type,
        .add_unit = sink_add_unit,
        .add_team = sink_add_team,
        .add_user = sink_add_user,
        .begin = sink_begin,
        .expect_contacts = sink_expect_contacts,
        .add_contact = sink_add_contact,
        .reserve = sink_reserve,
        .add_interaction = sink_add_interaction,
        .add_order = sink_add_order,
        .add_event = sink_add_event,
    };
}

int rv_snapshot_load(struct rv_source src, unsigned nthreads, struct rv_snapshot **out,
                     struct kith_error *err)
{
    struct rv_builder *b = NULL;
    *out = NULL;
    int rc = rv_builder_new(&b, err);
    if (rc < 0)
        goto out_prefix;
    struct rv_sink sink = rv_builder_sink(b);
    if ((rc = src.read(src.ctx, nthreads, &sink, err)) == 0)
        rc = rv_builder_finish(b, out, err);
    rv_builder_free(b);
out_prefix:
    if (rc < 0)
        kith_err_prefix(err, "loading the RV snapshot");
    return rc;
}
