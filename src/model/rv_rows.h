/*
 * rv_rows.h - the rows the Relationship Value snapshot is built from, and the two interfaces that
 * move them from a source (the store: store_rv_source() in store/snapshot.c) into a sink (the
 * engine's builder: rv_snapshot_load() in engine/snapshot.h) without either knowing the
 * other. Rows are pushed one at a time through callbacks, so ten million interactions are never
 * held twice. The caller that owns both (api/rvstate.c, cmd/rv.c, bench/rv.c) wires them:
 *
 *     rv_snapshot_load(store_rv_source(store), nthreads, &snap, &err);
 *
 * Layout, order of loading and the reader threads: docs/internals/rv.md ("Loading").
 */
#ifndef KITH_MODEL_RV_ROWS_H
#define KITH_MODEL_RV_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* Rows as the store reads them. Text is only read during the call; NULL or "" means none. */
struct rv_type_in {
    int64_t id;
    int64_t rv;
    int64_t cost;
    int64_t level;
    const char *phase;
    bool is_trigger;
    bool is_voc;
};

struct rv_contact_in {
    int64_t id;
    int64_t account_id; /* 0 = none; the ids below likewise */
    int64_t owner_id;
    int64_t unit_id;
    int64_t team_id;
    const char *industry;
    const char *territory;
    const char *source;
    const char *revenue_band;
    const char *community_role;
};

struct rv_interaction_in {
    int64_t id;
    int64_t contact_id;
    int64_t user_id; /* 0 = none */
    int64_t type_id;
    int64_t occurred_at; /* Unix ms */
    int64_t rv;          /* used when has_rv, else the type's */
    int64_t cost;        /* cents; used when has_cost, else the type's */
    int64_t voids_id;    /* 0 = none */
    bool has_rv, has_cost;
};

struct rv_order_in {
    int64_t account_id, contact_id; /* 0 = none */
    int64_t ordered_at;             /* Unix ms */
    int64_t amount, margin;         /* cents */
    bool is_return;                 /* a return or a credit (orders.kind); false: a sale */
};

struct rv_event_in {
    int64_t contact_id, account_id; /* 0 = none */
    const char *kind;
    int64_t occurred_at;
};

/*
 * Where rows go. Each callback gets ctx first and returns 0 or a negative KITH_E... code with err
 * filled; a source stops at the first failure and returns it.
 *
 * Order, which a source must keep:
 *   - types, units, teams and users first, from one thread;
 *   - begin(nsegments), once, 1..8 segments;
 *   - then, at the same time: interactions, each segment from one thread of its own (reserve()
 *     is a hint of a segment's rows); contacts (expect_contacts() a hint of their number, then
 *     add_contact()) from one thread; orders and events from one thread (it may be the contacts'
 *     or a segment's). Contacts may also come before begin().
 * A sink may rely on no other ordering: the rows of one segment need not be in any order.
 */
struct rv_sink {
    void *ctx;
    int (*add_type)(void *ctx, const struct rv_type_in *t, struct kith_error *err);
    int (*add_unit)(void *ctx, int64_t id, const char *name, struct kith_error *err);
    int (*add_team)(void *ctx, int64_t id, const char *name, int64_t unit_id,
                    struct kith_error *err);
    int (*add_user)(void *ctx, int64_t id, const char *email, const char *name, int64_t team_id,
                    int64_t unit_id, struct kith_error *err);
    int (*begin)(void *ctx, unsigned nsegments, struct kith_error *err);
    int (*expect_contacts)(void *ctx, size_t n, struct kith_error *err);
    int (*add_contact)(void *ctx, const struct rv_contact_in *c, struct kith_error *err);
    int (*reserve)(void *ctx, unsigned seg, size_t n, struct kith_error *err);
    int (*add_interaction)(void *ctx, unsigned seg, const struct rv_interaction_in *row,
                           struct kith_error *err);
    int (*add_order)(void *ctx, const struct rv_order_in *o, struct kith_error *err);
    int (*add_event)(void *ctx, const struct rv_event_in *e, struct kith_error *err);
};

/*
 * Where rows come from: read() pushes every row of one consistent state into sink, in the order
 * above, on up to nthreads (1..8) threads, and returns 0 or a negative KITH_E... code.
 */
struct rv_source {
    void *ctx;
    int (*read)(void *ctx, unsigned nthreads, const struct rv_sink *sink, struct kith_error *err);
};

#endif
