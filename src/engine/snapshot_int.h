/*
 * snapshot_int.h - what the files of the RV snapshot share and nobody else sees: the builder's
 * private layout, the id maps, the packing of an interaction row, and the helpers of the storage
 * (snapshot.c), the dictionaries (snapshot_dict.c) and the lookups (snapshot_query.c). The public
 * interface is snapshot.h; layout and invariants: docs/internals/rv.md ("The snapshot").
 *
 *   snapshot.c         storage: times and names, growth of the arrays, contact state, freeing
 *   snapshot_dict.c    dictionaries of short texts (interning contact attributes)
 *   snapshot_query.c   lookups by id, scope masks, memory size
 *   snapshot_build.c   the builder: collecting rows, freezing the small tables and the contacts
 *   snapshot_finish.c  rv_builder_finish(): grouping rows into runs, voids, outcomes, states
 *   snapshot_load.c    the builder as a sink (model/rv_rows.h) and rv_snapshot_load()
 *   snapshot_update.c  incremental updates: new interactions, contacts, orders, events, compaction
 */
#ifndef KITH_ENGINE_SNAPSHOT_INT_H
#define KITH_ENGINE_SNAPSHOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/snapshot.h"
#include "model/table.h"

/* ---- storage (snapshot.c) -------------------------------------------------------------------- */

/* Slots kept ready at the tail for runs that grow (slots_reserve in snapshot_update.c). */
#define RV_SLOT_HEADROOM_MIN 4096

/* Grows *p (elements of size) to hold at least need elements; *cap is updated. KITH_ENOMEM. */
int snap_grow(void **p, size_t *cap, size_t need, size_t size);
/* Resizes *p to n elements of size, advised for huge pages when large (util/bigmem.h); the
 * product is checked. *p is untouched on failure (KITH_ENOMEM). */
int snap_resize(void **p, size_t n, size_t size);
/* A copy of s ("" for NULL), or NULL when out of memory; the caller frees it. */
char *snap_dup_text(const char *s);
/* KITH_ENOMEM with "out of memory <what>". */
int snap_oom(struct kith_error *err, const char *what);
/* qsort, which must not see a NULL base even for no elements. */
void snap_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
int snap_cmp_i64(const void *a, const void *b);
/* Index of a community role (model/tables.c's contacts.community_role), or -1. */
int8_t snap_community_index(const char *name);

/* Grow the per-contact, order and event arrays to at least need entries. KITH_ENOMEM. */
int snap_contacts_reserve(struct rv_snapshot *s, size_t need);
int snap_orders_reserve(struct rv_snapshot *s, size_t need);
int snap_events_reserve(struct rv_snapshot *s, size_t need);
/* (Re)allocates the slot arrays for cap slots; zeroes slots from .. to - 1, so that their pages
 * are backed before an update needs them. */
int snap_slots_alloc(struct rv_snapshot *s, size_t cap);
void snap_touch_slots(struct rv_snapshot *s, size_t from, size_t to);

/* A contact's attributes while building, text already interned; references still ids. */
struct b_contact {
    int64_t id, account_id, owner_id, unit_id, team_id;
    int32_t industry, territory, source, band;
    int8_t community;
};

/* Writes the attributes of d into contact slot c of s (refs resolved by id). */
void snap_set_contact_attrs(struct rv_snapshot *s, size_t c, const struct b_contact *d,
                            int32_t account);
/* Index of account id, added (and later accounts renumbered) when new; RV_NONE for id <= 0. */
int snap_account_index(struct rv_snapshot *s, int64_t id, int32_t *out);
/* Appends a contact without attributes (met only through an interaction). */
int snap_append_bare_contact(struct rv_snapshot *s, int64_t id, int32_t *out);
/* Slot of interaction id in contact c's run, or -1. */
int64_t snap_find_in_run(const struct rv_snapshot *s, int32_t c, int64_t id);
/* Remembers a voided id that is not held; takes it back (true) when it arrives. */
int snap_pending_add(struct rv_snapshot *s, int64_t id);
bool snap_pending_take(struct rv_snapshot *s, int64_t id);
/* Recomputes contact c's state (rv_total, first, last, ncounted, level) from its run. */
void snap_store_state(struct rv_snapshot *s, size_t c);
/* An empty state for contact c. */
void snap_empty_state(struct rv_snapshot *s, size_t c);

/* True if the instant ms is inside the packed time range (else it is clamped). */
static inline bool snap_time_in_range(int64_t ms)
{
    int64_t sec = ms / 1000 - RV_EPOCH_S;
    return sec > (int64_t)RV_TIME_MIN && sec < (int64_t)RV_TIME_MAX;
}

/* ---- dictionaries (snapshot_dict.c) ---------------------------------------------------------- */

/* Index of text in d, adding it when new; RV_NONE for NULL or "". KITH_ENOMEM, KITH_ERANGE. */
int snap_dict_intern(struct rv_dict *d, const char *text, int32_t *out);
void snap_dict_release(struct rv_dict *d);
/* The attributes of c into d, its texts interned into s's dictionaries. */
int snap_encode_contact(struct rv_snapshot *s, const struct rv_contact_in *c, struct b_contact *d);
/* The error for a failed snap_encode_contact(). */
int snap_dict_error(int rc, struct kith_error *err);

/* ---- lookups (snapshot_query.c) -------------------------------------------------------------- */

/* Position in by_id (sorted by ids[by_id[k]]) of the first entry not below id. */
size_t snap_by_id_lower(const int64_t *ids, const uint32_t *by_id, size_t n, int64_t id);

/* ---- the builder (snapshot_build.c, snapshot_finish.c) --------------------------------------- */

/*
 * A map from ids to indices: a direct table when the ids are dense enough (the common case of
 * SQLite rowids), else binary search over the sorted ids. Read-only once built, so the loader's
 * threads can share it.
 */
struct idmap {
    const int64_t *ids; /* sorted; borrowed */
    size_t n;
    int64_t base;
    size_t span;
    bool identity;   /* ids are base, base + 1, ...: the index is id - base */
    int32_t *direct; /* span entries or NULL */
};

static inline int32_t idmap_get(const struct idmap *m, int64_t id)
{
    if (m->identity || m->direct) {
        if (id < m->base || id - m->base >= (int64_t)m->span)
            return RV_NONE;
        return m->identity ? (int32_t)(id - m->base) : m->direct[id - m->base];
    }
    return rv_find_id(m->ids, m->n, id);
}

/* One interaction while building: 32 bytes, moved as one. */
struct brow {
    int64_t iid;
    int32_t contact; /* index; while unknown, an index into the segment's unknown_ids */
    int32_t t, rep, cost;
    int16_t rv, type;
    uint8_t flags;
};

/*
 * Rows are placed in their runs at the end by a counting sort: first by block of 2^BLOCK_SHIFT
 * consecutive contact indices (a few hundred output streams), then within each block, whose
 * slots fit in the cache. Scattering ten million rows straight to their slots would miss the
 * cache (and, on a virtual machine, the TLB) on nearly every write.
 */
#define BLOCK_SHIFT 9

/* Segments of a builder: loader threads at most (par_run() runs up to PAR_MAX jobs). */
#define RV_SEGMENTS_MAX 8

/*
 * One thread's interactions, in the order they came. Each loader thread appends to its own
 * segment; a cache line of their own keeps one thread's counters from invalidating the other's
 * on every row (that cost a third more CPU with two threads).
 */
struct segment {
    _Alignas(64) size_t n, cap;
    struct brow *rows;
    size_t nunknown, unknowncap;
    int64_t *unknown; /* pairs: row position, contact id (the row's contact is RV_NONE) */
    size_t nvoids, voidscap;
    int64_t *voids; /* pairs: contact id of the voiding row, voided id */
    size_t nclamped;
};

struct b_user {
    int64_t id, team_id, unit_id;
    char *email, *name;
};

struct b_team {
    int64_t id, unit_id;
    char *name;
};

struct b_unit {
    int64_t id;
    char *name;
};

struct rv_builder {
    struct rv_snapshot *s; /* being filled; handed over by finish */
    size_t ntypes, typescap;
    struct rv_type *types;
    size_t nunits, unitscap;
    struct b_unit *units;
    size_t nteams, teamscap;
    struct b_team *teams;
    size_t nusers, userscap;
    struct b_user *users;
    size_t ncontacts, contactscap;
    struct b_contact *contacts;
    bool frozen;                   /* types, units, teams and users */
    bool contacts_frozen;          /* and contacts: rows then name contacts by index */
    struct idmap cmap, umap, tmap; /* contacts, users, interaction types */
    int64_t *type_ids;             /* tmap's ids (the catalogue's, ascending) */
    unsigned nseg;
    struct segment seg[RV_SEGMENTS_MAX];
    size_t norders, orderscap; /* resolved at finish, when every contact is known */
    struct rv_order_in *orders;
    size_t nevents, eventscap;
    struct rv_event_in *events; /* kind points to the model's static name */
};

/* Sorts and indexes the contacts into the snapshot (the end of collecting them). */
int snap_freeze_contacts(struct rv_builder *b, struct kith_error *err);

/* ---- packing an interaction (the builder and the updates) ------------------------------------ */

/* The model's ranges (model/table.h) are what the packed fields hold: what the API and import
 * accept is never clamped. Rows written before the ranges existed still clamp (nclamped). */
_Static_assert(MODEL_RV_MAX <= INT16_MAX && -MODEL_RV_MAX >= INT16_MIN, "rv fits int16_t");
_Static_assert(MODEL_COST_MAX_CENTS <= INT32_MAX && -MODEL_COST_MAX_CENTS >= INT32_MIN,
               "cost fits int32_t");

static inline int16_t snap_clamp16(int64_t v, size_t *nclamped)
{
    if (v < INT16_MIN || v > INT16_MAX) {
        (*nclamped)++;
        return v < 0 ? INT16_MIN : INT16_MAX;
    }
    return (int16_t)v;
}

static inline int32_t snap_clamp_cost(int64_t v, size_t *nclamped)
{
    if (v < INT32_MIN || v > INT32_MAX) {
        (*nclamped)++;
        return v < 0 ? INT32_MIN : INT32_MAX;
    }
    return (int32_t)v;
}

/* The packed fields of an interaction row; type and rep are indices, contact is separate. */
struct packed {
    int32_t t;
    int16_t rv, type;
    int32_t rep, cost;
    uint8_t flags;
};

static inline void snap_pack_row(const struct rv_snapshot *s, const struct rv_interaction_in *row,
                                 int32_t type, int32_t rep, struct packed *p, size_t *nclamped)
{
    const struct rv_type *ty = type >= 0 ? &s->types[type] : NULL;
    if (!snap_time_in_range(row->occurred_at))
        (*nclamped)++;
    p->t = rv_time_from_ms(row->occurred_at);
    p->rv = snap_clamp16(row->has_rv ? row->rv : ty ? ty->rv : 0, nclamped);
    p->cost = snap_clamp_cost(row->has_cost ? row->cost : ty ? ty->cost : 0, nclamped);
    p->type = (int16_t)type;
    p->rep = rep;
    p->flags = row->voids_id > 0 ? RV_VOIDING : 0;
}

#endif
