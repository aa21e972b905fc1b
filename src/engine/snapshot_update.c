/*
 * snapshot_update.c - folding changes into a built snapshot without a rebuild: a new interaction
 * inserted in its contact's run (growing the run at the tail of the slots when full), contacts
 * upserted, orders and events appended, and compaction of the holes runs leave behind.
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rv.h"

#include "util/banned.h"

/* ---- interactions ---------------------------------------------------------------------------- */

/*
 * Makes room for at least need slots in the interaction arrays. The arrays are allocated with
 * twice the room they need (address space only), and the part runs can grow into is touched
 * ahead, an eighth (at least RV_SLOT_HEADROOM_MIN slots) at a time: a page fault at the tail
 * costs milliseconds on a virtual machine, and moving a block of huge pages with realloc close
 * to a second, neither of which should land on an update.
 */
static int slots_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->slotready)
        return 0;
    if (need > UINT32_MAX)
        return KITH_ERANGE;
    size_t ready = s->slotready + s->slotready / 8 + RV_SLOT_HEADROOM_MIN;
    if (ready < need)
        ready = need;
    if (ready > UINT32_MAX)
        ready = UINT32_MAX;
    if (ready > s->slotcap) {
        size_t cap = 2 * ready < UINT32_MAX ? 2 * ready : UINT32_MAX;
        int rc = snap_slots_alloc(s, cap);
        if (rc < 0)
            return rc;
    }
    snap_touch_slots(s, s->slotready, ready);
    s->slotready = ready;
    return 0;
}

static void move_slot(struct rv_snapshot *s, size_t to, size_t from)
{
    s->t[to] = s->t[from];
    s->iid[to] = s->iid[from];
    s->rv[to] = s->rv[from];
    s->type[to] = s->type[from];
    s->rep[to] = s->rep[from];
    s->cost[to] = s->cost[from];
    s->flags[to] = s->flags[from];
}

/* Gives the full run of contact c twice its room, at the tail of the slots. */
static int run_grow(struct rv_snapshot *s, size_t c)
{
    size_t ncap = s->cap[c] < 2 ? 4 : 2 * (size_t)s->cap[c];
    size_t start = s->start[c];
    int rc;
    if (start + s->cap[c] == s->nslots) { /* the run is the last one: extend in place */
        if ((rc = slots_reserve(s, start + ncap)) < 0)
            return rc;
        s->nslots = start + ncap;
    } else {
        if ((rc = slots_reserve(s, s->nslots + ncap)) < 0)
            return rc;
        for (size_t i = 0; i < s->count[c]; i++)
            move_slot(s, s->nslots + i, start + i);
        s->nholes += s->cap[c];
        s->start[c] = (uint32_t)s->nslots;
        s->nslots += ncap;
    }
    s->cap[c] = (uint32_t)ncap;
    return 0;
}

static void read_state(const struct rv_snapshot *s, size_t c, struct rv_contact_state *st)
{
    st->rv = s->rv_total[c];
    st->first = s->first[c];
    st->last = s->last[c];
    st->ncounted = s->ncounted[c];
    st->level = s->level[c];
    st->stage = (int8_t)rv_level_stage(s, s->level[c]);
}

/*
 * True when contact c's run holds interaction id at time t. A run is in time order, so the slots
 * at t are found by bisection and only they are compared: O(log n) rather than a scan of the
 * run, which made each update of a contact with many interactions (a device's readings) cost as
 * much as all of them.
 */
static bool run_has(const struct rv_snapshot *s, size_t c, int32_t t, int64_t id)
{
    size_t lo = rv_run_begin(s, c), hi = rv_run_end(s, c);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->t[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < rv_run_end(s, c) && s->t[i] == t; i++)
        if (s->iid[i] == id)
            return true;
    return false;
}

/*
 * The contact's stored state after slot i was appended at the end of its run: when that slot
 * neither voids nor is voided nor triggers a level, the state follows from the one before
 * (O(1)); otherwise it is computed from the whole run, as snap_store_state() does.
 */
static void state_after_append(struct rv_snapshot *s, size_t c, size_t i)
{
    int16_t ty = s->type[i];
    bool trigger = ty >= 0 && s->types[ty].is_trigger;
    if (i + 1 != rv_run_end(s, c) || (s->flags[i] & RV_EXCLUDED) || trigger) {
        snap_store_state(s, c);
        return;
    }
    if (s->ncounted[c] == 0) {
        s->first[c] = s->t[i];
        s->level[c] = (int8_t)rv_level_from_trigger(s, 0);
    }
    s->rv_total[c] += s->rv[i];
    s->last[c] = s->t[i];
    s->ncounted[c]++;
}

int rv_snapshot_add_interaction(struct rv_snapshot *s, const struct rv_interaction_in *row,
                                int64_t voids_contact_id, struct rv_update *out,
                                struct kith_error *err)
{
    struct rv_update up = {.contact = RV_NONE, .voided_contact = RV_NONE};
    int32_t type = rv_snapshot_type(s, row->type_id);
    int32_t rep = row->user_id > 0 ? rv_find_id(s->users.id, s->users.n, row->user_id) : RV_NONE;
    struct packed p;
    size_t nclamped = 0;
    snap_pack_row(s, row, type, rep, &p, &nclamped);
    int32_t c = rv_snapshot_contact(s, row->contact_id);
    if (c >= 0 && run_has(s, (size_t)c, p.t, row->id))
        return kith_err(err, KITH_ECONFLICT, "interaction %lld is already in the snapshot",
                        (long long)row->id);
    if (c < 0) {
        if (snap_append_bare_contact(s, row->contact_id, &c) < 0)
            return snap_oom(err, "adding a contact to the snapshot");
        up.new_contact = true;
    }
    size_t ci = (size_t)c;
    read_state(s, ci, &up.before);
    if (s->count[ci] == s->cap[ci]) {
        int rc = run_grow(s, ci);
        if (rc < 0)
            return rc == KITH_ERANGE
                       ? kith_err(err, rc, "the snapshot is full (%u slots)", UINT32_MAX)
                       : snap_oom(err, "adding an interaction to the snapshot");
    }
    /* insertion sort step: shift the later rows of the run one slot right */
    size_t b0 = s->start[ci], at = b0 + s->count[ci];
    while (at > b0 && (s->t[at - 1] > p.t || (s->t[at - 1] == p.t && s->iid[at - 1] > row->id))) {
        move_slot(s, at, at - 1);
        at--;
    }
    s->t[at] = p.t;
    s->iid[at] = row->id;
    s->rv[at] = p.rv;
    s->type[at] = p.type;
    s->rep[at] = p.rep;
    s->cost[at] = p.cost;
    s->flags[at] = p.flags;
    if (snap_pending_take(s, row->id))
        s->flags[at] |= RV_VOIDED;
    s->count[ci]++;
    s->nlive++;
    s->nclamped += nclamped;
    if (row->voids_id > 0) {
        int32_t vc = voids_contact_id > 0 ? rv_snapshot_contact(s, voids_contact_id) : c;
        int64_t v = snap_find_in_run(s, vc, row->voids_id);
        if (v < 0 && vc != c) /* the caller's hint was wrong: try the same contact */
            v = snap_find_in_run(s, vc = c, row->voids_id);
        if (v >= 0) {
            s->flags[v] |= RV_VOIDED;
            if (vc != c) {
                snap_store_state(s, (size_t)vc);
                up.voided_contact = vc;
            }
        } else if (snap_pending_add(s, row->voids_id) < 0) {
            return snap_oom(err, "remembering a void");
        }
    }
    if (row->voids_id > 0)
        snap_store_state(s, ci);
    else
        state_after_append(s, ci, at);
    read_state(s, ci, &up.after);
    up.contact = c;
    if (out)
        *out = up;
    if (s->nholes > s->nlive / 2 + 65536)
        return rv_snapshot_compact(s, err);
    return 0;
}

/* ---- contacts -------------------------------------------------------------------------------- */

int rv_snapshot_upsert_contact(struct rv_snapshot *s, const struct rv_contact_in *in,
                               struct kith_error *err)
{
    struct b_contact d;
    int rc = snap_encode_contact(s, in, &d);
    if (rc < 0)
        return snap_dict_error(rc, err);
    int32_t a;
    if (snap_account_index(s, in->account_id, &a) < 0)
        return snap_oom(err, "adding an account to the snapshot");
    int32_t c = rv_snapshot_contact(s, in->id);
    if (c < 0 && snap_append_bare_contact(s, in->id, &c) < 0)
        return snap_oom(err, "adding a contact to the snapshot");
    snap_set_contact_attrs(s, (size_t)c, &d, a);
    return 0;
}

/* ---- orders and events ----------------------------------------------------------------------- */

int rv_snapshot_add_order(struct rv_snapshot *s, const struct rv_order_in *o,
                          struct kith_error *err)
{
    int32_t a;
    if (snap_orders_reserve(s, s->norders + 1) < 0 || snap_account_index(s, o->account_id, &a) < 0)
        return snap_oom(err, "adding an order");
    size_t i = s->norders++;
    s->o_contact[i] = o->contact_id > 0 ? rv_snapshot_contact(s, o->contact_id) : RV_NONE;
    s->o_account[i] = a;
    if (!snap_time_in_range(o->ordered_at))
        s->nclamped++;
    s->o_t[i] = rv_time_from_ms(o->ordered_at);
    s->o_amount[i] = o->amount;
    s->o_margin[i] = o->margin;
    s->o_return[i] = o->is_return;
    return 0;
}

int rv_snapshot_add_event(struct rv_snapshot *s, const struct rv_event_in *e,
                          struct kith_error *err)
{
    int kind = rv_event_kind_from_name(e->kind);
    if (kind < 0)
        return kith_err(err, KITH_EINVAL, "unknown event kind '%s'", e->kind ? e->kind : "");
    int32_t a;
    if (snap_events_reserve(s, s->nevents + 1) < 0 || snap_account_index(s, e->account_id, &a) < 0)
        return snap_oom(err, "adding an event");
    size_t i = s->nevents++;
    s->e_contact[i] = e->contact_id > 0 ? rv_snapshot_contact(s, e->contact_id) : RV_NONE;
    s->e_account[i] = a;
    if (!snap_time_in_range(e->occurred_at))
        s->nclamped++;
    s->e_t[i] = rv_time_from_ms(e->occurred_at);
    s->e_kind[i] = (uint8_t)kind;
    return 0;
}

/* ---- compaction ------------------------------------------------------------------------------ */

int rv_snapshot_compact(struct rv_snapshot *s, struct kith_error *err)
{
    size_t need = 0;
    for (size_t c = 0; c < s->nc; c++)
        need += s->cap[c];
    size_t ready = need + need / 32 + RV_SLOT_HEADROOM_MIN, cap = 2 * ready;
    if (ready > UINT32_MAX || cap > UINT32_MAX)
        ready = cap = UINT32_MAX > need ? UINT32_MAX : need;
    struct rv_snapshot n = {0};
    if (snap_slots_alloc(&n, cap) < 0) {
        free(n.t);
        free(n.iid);
        free(n.rv);
        free(n.type);
        free(n.rep);
        free(n.cost);
        free(n.flags);
        return snap_oom(err, "compacting the snapshot");
    }
    /* runs keep their room (a run that grew is likely to grow again) */
    size_t pos = 0;
    for (size_t c = 0; c < s->nc; c++) {
        size_t from = s->start[c], k = s->count[c];
        memcpy(n.t + pos, s->t + from, k * sizeof(*n.t));
        memcpy(n.iid + pos, s->iid + from, k * sizeof(*n.iid));
        memcpy(n.rv + pos, s->rv + from, k * sizeof(*n.rv));
        memcpy(n.type + pos, s->type + from, k * sizeof(*n.type));
        memcpy(n.rep + pos, s->rep + from, k * sizeof(*n.rep));
        memcpy(n.cost + pos, s->cost + from, k * sizeof(*n.cost));
        memcpy(n.flags + pos, s->flags + from, k * sizeof(*n.flags));
        s->start[c] = (uint32_t)pos;
        pos += s->cap[c];
    }
    snap_touch_slots(&n, pos, ready);
    free(s->t);
    free(s->iid);
    free(s->rv);
    free(s->type);
    free(s->rep);
    free(s->cost);
    free(s->flags);
    s->t = n.t;
    s->iid = n.iid;
    s->rv = n.rv;
    s->type = n.type;
    s->rep = n.rep;
    s->cost = n.cost;
    s->flags = n.flags;
    s->nslots = need;
    s->slotcap = n.slotcap;
    s->slotready = ready;
    s->nholes = 0;
    return 0;
}
