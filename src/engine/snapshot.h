/*
 * snapshot.h - the columnar snapshot the Relationship Value kernels run on (DESIGN.md §4).
 *
 * Interactions are held as a struct of arrays, grouped in one run per contact and ordered by
 * (time, id) inside the run; contact attributes sit in arrays indexed by contact. A builder makes
 * a snapshot from rows (model/rv_rows.h); rv_snapshot_load() has a source such as the store's
 * (store_rv_source()) push its rows into one. After that, rv_snapshot_add_interaction() folds a
 * new interaction in without a rebuild. No I/O here: the source does the reading.
 * Layout, sizes and the rules (voids, levels, stages): docs/internals/rv.md.
 *
 * Ownership: a snapshot owns every array it points to; rv_snapshot_free() releases them.
 * Readers may share one snapshot between threads; a writer (add, upsert) needs it alone.
 */
#ifndef KITH_ENGINE_SNAPSHOT_H
#define KITH_ENGINE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/rv_rows.h"
#include "util/error.h"

/*
 * Times are int32 seconds since RV_EPOCH_S (2000-01-01T00:00:00Z): 1931-12-13 .. 2068-01-19.
 * Instants outside are clamped to the range and counted in rv_snapshot.nclamped.
 */
#define RV_EPOCH_S   946684800LL
#define RV_TIME_MIN  INT32_MIN
#define RV_TIME_MAX  INT32_MAX
#define RV_DAY       86400
#define RV_NONE      (-1) /* "no such row" in an index array */
#define RV_MAX_LEVEL 32   /* levels above are clamped */

/* Unix milliseconds to snapshot time (floor, clamped) and back. */
int32_t rv_time_from_ms(int64_t ms);
int64_t rv_time_to_ms(int32_t t);

/* Interaction flags. An interaction that is voided or voids another never counts. */
enum {
    RV_VOIDED = 1 << 0,  /* another interaction voids this one */
    RV_VOIDING = 1 << 1, /* this one voids another (a correction) */
};
#define RV_EXCLUDED (RV_VOIDED | RV_VOIDING)

/* Lifecycle stages: the phases of model/tables.c's "stage" enum, in order. */
enum rv_stage {
    RV_STAGE_NONE = -1, /* no counted interaction yet */
    RV_STAGE_ACQUISITION = 0,
    RV_STAGE_CLOSING = 1,
    RV_STAGE_RETENTION = 2,
};
#define RV_NSTAGES 3

/* "acquisition", "closing", "retention"; "none" for RV_STAGE_NONE. */
const char *rv_stage_name(int stage);
/* The stage called name, or RV_STAGE_NONE. */
int rv_stage_from_name(const char *name);

/* Community roles (contacts.community_role). */
#define RV_NCOMMUNITY 3
const char *rv_community_name(int role); /* "leader", "doer", "watcher"; "none" for -1 */

/* Event kinds, in the order of model/tables.c's events.kind enum (repeat, referral, ...). */
#define RV_MAX_EVENT_KINDS 16
size_t rv_event_kind_count(void);
const char *rv_event_kind_name(int kind);      /* NULL when out of range */
int rv_event_kind_from_name(const char *name); /* -1 when unknown */

/* One interaction type of the catalogue (interaction_types). */
struct rv_type {
    int64_t id;
    int32_t rv;   /* RV units of the type, used when an interaction records none */
    int32_t cost; /* cents, used when an interaction records none */
    int8_t level; /* 1..RV_MAX_LEVEL */
    int8_t phase; /* enum rv_stage */
    bool is_trigger;
    bool is_voc;
};

/* A dictionary of short texts (industries, territories, ...): index <-> text. */
struct rv_dict {
    size_t n, cap;
    char **names;    /* owned */
    uint32_t *slots; /* open-addressing hash: index + 1, 0 = empty; cap slots */
};

/* Rows of the small tables, sorted by id; names owned by the snapshot. */
struct rv_unit_table {
    size_t n, cap;
    int64_t *id;
    char **name;
};
struct rv_team_table {
    size_t n, cap;
    int64_t *id;
    char **name;
    int32_t *unit; /* unit index or RV_NONE */
};
struct rv_user_table {
    size_t n, cap;
    int64_t *id;
    char **email;
    char **name;
    int32_t *team; /* team index or RV_NONE */
    int32_t *unit; /* unit index or RV_NONE */
};

struct rv_snapshot {
    /* ---- interactions: per-contact runs in one set of arrays (slots) ---- */
    size_t nslots;    /* slots in use, holes included */
    size_t slotready; /* slots touched (backed by memory): the room runs can grow into */
    size_t slotcap;   /* slots allocated (address space; beyond slotready not yet backed) */
    size_t nlive;     /* interactions held (nslots minus holes) */
    int32_t *t;       /* seconds since RV_EPOCH_S */
    int64_t *iid;     /* interactions.id */
    int16_t *rv;      /* RV units as recorded (clamped to int16) */
    int16_t *type;    /* index into types, or RV_NONE */
    int32_t *rep;     /* index into users (interactions.user_id), or RV_NONE */
    int32_t *cost;    /* cents as recorded (clamped to int32) */
    uint8_t *flags;   /* RV_VOIDED, RV_VOIDING */

    /* ---- contacts: index c in 0..nc-1, stable (new contacts are appended) ---- */
    size_t nc, nccap;
    int64_t *cid;      /* contacts.id */
    uint32_t *start;   /* first slot of the run */
    uint32_t *count;   /* interactions in the run */
    uint32_t *cap;     /* slots reserved for the run */
    int32_t *account;  /* index into account_id, or RV_NONE */
    int32_t *team;     /* team index (contact's, else its account's), or RV_NONE */
    int32_t *owner;    /* user index (contact's owner, else its account's), or RV_NONE */
    int32_t *unit;     /* unit index (contact's, else its account's), or RV_NONE */
    int32_t *industry; /* indices into the dictionaries below, or RV_NONE */
    int32_t *territory;
    int32_t *source; /* the contact's source, else its account's */
    int32_t *band;   /* the account's revenue band */
    int8_t *community;
    uint32_t *by_id; /* contact indices sorted by cid, for lookups */

    /* Each contact's state counting every interaction held (kept current by the add path). */
    int64_t *rv_total;  /* cumulative RV */
    int32_t *first;     /* time of the first counted interaction; RV_TIME_MAX if none */
    int32_t *last;      /* time of the last counted interaction; RV_TIME_MIN if none */
    uint32_t *ncounted; /* counted interactions */
    int8_t *level;      /* relationship level, 0 if no counted interaction */

    /* ---- accounts: sorted ids; contacts point into it ---- */
    size_t nacct, nacctcap;
    int64_t *account_id;

    /* ---- the catalogue ---- */
    size_t ntypes;
    struct rv_type *types;                /* sorted by id */
    int nlevels;                          /* highest level of any type (>= 1) */
    int8_t level_phase[RV_MAX_LEVEL + 1]; /* the stage of each level 1..nlevels */

    struct rv_unit_table units;
    struct rv_team_table teams;
    struct rv_user_table users;
    struct rv_dict industries, territories, sources, bands;

    /* ---- outcomes: orders and events, in the order they were added ---- */
    size_t norders, norderscap;
    int32_t *o_contact; /* contact index or RV_NONE */
    int32_t *o_account; /* account index or RV_NONE */
    int32_t *o_t;
    int64_t *o_amount; /* cents */
    int64_t *o_margin; /* cents; 0 when unknown */
    uint8_t *o_return; /* 1: a return or a credit (orders.kind), 0: a sale */
    size_t nevents, neventscap;
    int32_t *e_contact;
    int32_t *e_account;
    int32_t *e_t;
    uint8_t *e_kind;

    /* Voided ids whose interaction is not (yet) held: flagged when it arrives. Sorted. */
    size_t npending, npendingcap;
    int64_t *pending;

    size_t nclamped; /* values clamped to the packed ranges (times, rv, cost) */
    size_t nholes;   /* slots left behind by runs that moved */
};

/* ---- building ------------------------------------------------------------------------------ */

/* The rows (struct rv_type_in, rv_contact_in, ...) are model/rv_rows.h's, shared with the store. */
struct rv_builder;

/*
 * A builder collects rows in this order: types, units, teams, users, contacts; then
 * rv_builder_begin_interactions(); then interactions (from up to nsegments threads, each into its
 * own segment), orders and events (one thread). rv_builder_finish() turns it into a snapshot.
 * With rv_builder_begin_early() instead, contacts come with the interactions.
 * Owned by the caller: rv_builder_free() (after finish, it only frees the builder's shell).
 */
int rv_builder_new(struct rv_builder **out, struct kith_error *err);
void rv_builder_free(struct rv_builder *b);

int rv_builder_add_type(struct rv_builder *b, const struct rv_type_in *t, struct kith_error *err);
int rv_builder_add_unit(struct rv_builder *b, int64_t id, const char *name, struct kith_error *err);
int rv_builder_add_team(struct rv_builder *b, int64_t id, const char *name, int64_t unit_id,
                        struct kith_error *err);
int rv_builder_add_user(struct rv_builder *b, int64_t id, const char *email, const char *name,
                        int64_t team_id, int64_t unit_id, struct kith_error *err);
int rv_builder_add_contact(struct rv_builder *b, const struct rv_contact_in *c,
                           struct kith_error *err);

/* Room for about n contacts (a hint that spares the copies of growing). */
int rv_builder_expect_contacts(struct rv_builder *b, size_t n, struct kith_error *err);

/*
 * Freezes types, units, teams, users and contacts, and prepares nsegments (1..8) interaction
 * segments. A contact met later only through its interactions is added without attributes.
 */
int rv_builder_begin_interactions(struct rv_builder *b, unsigned nsegments, struct kith_error *err);

/*
 * The same, but contacts may still be added, from one thread, while interactions are: a loader
 * can read contacts and interactions at once. Interactions then name their contact by id until
 * rv_builder_finish() freezes the contacts and resolves them.
 */
int rv_builder_begin_early(struct rv_builder *b, unsigned nsegments, struct kith_error *err);

/* Room for about n interactions in segment seg (a hint that spares the copies of growing). */
int rv_builder_reserve(struct rv_builder *b, unsigned seg, size_t n, struct kith_error *err);

/* Appends one interaction to segment seg. Calls for different segments may run in parallel. */
int rv_builder_add_interaction(struct rv_builder *b, unsigned seg,
                               const struct rv_interaction_in *row, struct kith_error *err);

int rv_builder_add_order(struct rv_builder *b, const struct rv_order_in *o, struct kith_error *err);
int rv_builder_add_event(struct rv_builder *b, const struct rv_event_in *e, struct kith_error *err);

/*
 * Groups the interactions by contact (segments in order, then by time and id inside each run),
 * resolves voids, and computes each contact's state. On success *out is the caller's (free it
 * with rv_snapshot_free()). The builder is spent either way; free it with rv_builder_free().
 */
int rv_builder_finish(struct rv_builder *b, struct rv_snapshot **out, struct kith_error *err);

/*
 * A new snapshot from every row src.read() pushes into a builder (src.read gets nthreads, and
 * the builder as its sink: see model/rv_rows.h for the order and threads). On success *out is
 * the caller's: rv_snapshot_free(); on failure it is NULL.
 */
int rv_snapshot_load(struct rv_source src, unsigned nthreads, struct rv_snapshot **out,
                     struct kith_error *err);

/* The sink that feeds builder b (for a source driven by hand; rv_snapshot_load() uses it). */
struct rv_sink rv_builder_sink(struct rv_builder *b);

/* Frees s and everything it holds. NULL is a no-op. */
void rv_snapshot_free(struct rv_snapshot *s);

/* ---- incremental updates -------------------------------------------------------------------- */

/* What a contact looks like counting its interactions up to a time. */
struct rv_contact_state {
    int64_t rv;        /* cumulative RV */
    int32_t first;     /* first counted interaction, RV_TIME_MAX if none */
    int32_t last;      /* last counted interaction, RV_TIME_MIN if none */
    uint32_t ncounted; /* counted interactions */
    int8_t level;      /* 0 if none counted, else 1..nlevels */
    int8_t stage;      /* enum rv_stage */
};

/* What rv_snapshot_add_interaction() changed. */
struct rv_update {
    int32_t contact; /* index of the interaction's contact */
    bool new_contact;
    struct rv_contact_state before, after;
    int32_t voided_contact; /* contact whose interaction it voided (state recomputed), or -1 */
};

/*
 * Folds one new interaction into s: finds or adds its contact, inserts the row at its place
 * (time, id) in the contact's run, applies a void, and updates the contact's state: from the
 * state before when the row comes last in time and neither voids, is voided nor triggers a level
 * (O(1): a device's readings, which arrive in order), else from the whole run (O(run)).
 * voids_contact_id: the contact of the voided interaction when it is not the same contact (0 =
 * the same); a voided id not found is remembered and flagged when it arrives. A duplicate id in
 * the same contact is KITH_ECONFLICT (found by bisection on the time). out may be NULL.
 * Amortised O(log contacts + log run) for a row appended in order, O(run length) otherwise.
 */
int rv_snapshot_add_interaction(struct rv_snapshot *s, const struct rv_interaction_in *row,
                                int64_t voids_contact_id, struct rv_update *out,
                                struct kith_error *err);

/* Adds a contact or replaces its attributes (a contact moved to another team, ...). */
int rv_snapshot_upsert_contact(struct rv_snapshot *s, const struct rv_contact_in *c,
                               struct kith_error *err);

/* Appends an order or an event (their contacts and accounts must be known, else RV_NONE). */
int rv_snapshot_add_order(struct rv_snapshot *s, const struct rv_order_in *o,
                          struct kith_error *err);
int rv_snapshot_add_event(struct rv_snapshot *s, const struct rv_event_in *e,
                          struct kith_error *err);

/* Moves every run together again (drops the holes left by runs that grew). O(interactions). */
int rv_snapshot_compact(struct rv_snapshot *s, struct kith_error *err);

/* ---- lookups ----------------------------------------------------------------------------------
 */

/* Contact index of contacts.id id, or -1. O(log contacts). */
int32_t rv_snapshot_contact(const struct rv_snapshot *s, int64_t id);
/* Index of an id in a sorted id array, or -1. */
int32_t rv_find_id(const int64_t *ids, size_t n, int64_t id);
/* Index of interaction type id, or -1. */
int32_t rv_snapshot_type(const struct rv_snapshot *s, int64_t id);

/* Text of dictionary entry i, or NULL. Index of text (exact match), or -1. */
const char *rv_dict_name(const struct rv_dict *d, int32_t i);
int32_t rv_dict_find(const struct rv_dict *d, const char *text);

/* Bytes s occupies in memory: arrays at the size they are backed (the slot room touched so
 * far, not the address space reserved beyond it), names and dictionaries included. */
size_t rv_snapshot_bytes(const struct rv_snapshot *s);

/* The run of contact c: slots start[c] .. start[c] + count[c] - 1. */
static inline size_t rv_run_begin(const struct rv_snapshot *s, size_t c)
{
    return s->start[c];
}
static inline size_t rv_run_end(const struct rv_snapshot *s, size_t c)
{
    return (size_t)s->start[c] + s->count[c];
}

/* True if slot i counts towards RV (it neither is voided nor voids another). */
static inline bool rv_counts(const struct rv_snapshot *s, size_t i)
{
    return (s->flags[i] & RV_EXCLUDED) == 0;
}

/*
 * Customers: accounts, and contacts without an account, which stand for themselves. Their index
 * space is 0 .. nacct - 1 for accounts, then nacct + c for contact c (nacct + nc in all).
 */
static inline size_t rv_customer_of_contact(const struct rv_snapshot *s, size_t c)
{
    return s->account[c] >= 0 ? (size_t)s->account[c] : s->nacct + c;
}

/* The customer of order o: its account, else its contact's; SIZE_MAX when it names neither. */
static inline size_t rv_customer_of_order(const struct rv_snapshot *s, size_t o)
{
    if (s->o_account[o] >= 0)
        return (size_t)s->o_account[o];
    if (s->o_contact[o] >= 0)
        return rv_customer_of_contact(s, (size_t)s->o_contact[o]);
    return SIZE_MAX;
}

/*
 * A mask over contacts: NULL lets every contact through; otherwise contact c is in when c < n
 * and bits[c] is non-zero. Contacts added after the mask was made are out.
 */
struct rv_mask {
    size_t n;
    uint8_t *bits; /* owned by whoever made the mask */
};

static inline bool rv_mask_has(const struct rv_mask *m, size_t c)
{
    return !m || (c < m->n && m->bits[c]);
}

/*
 * The contacts that the scope of store.h's struct store_scope lets through, for the API: with
 * all, everyone; else those whose unit, team or owner (after the account fallback) equals a
 * non-zero id given. *out is the caller's: rv_mask_release() frees its bits.
 */
int rv_mask_scope(const struct rv_snapshot *s, bool all, int64_t unit_id, int64_t team_id,
                  int64_t owner_id, struct rv_mask *out, struct kith_error *err);

/* The contacts for which pred returns true. Same ownership as rv_mask_scope(). */
typedef bool (*rv_contact_pred)(void *ctx, const struct rv_snapshot *s, size_t c);
int rv_mask_from_pred(const struct rv_snapshot *s, rv_contact_pred pred, void *ctx,
                      struct rv_mask *out, struct kith_error *err);

void rv_mask_release(struct rv_mask *m);

#endif
