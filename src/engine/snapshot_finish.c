/*
 * snapshot_finish.c - rv_builder_finish(): contacts of the rows resolved, rows placed in one run
 * per contact by a counting sort over blocks of contacts (threads through par_run), runs sorted by
 * (time, id), voids resolved, orders and events appended, and each contact's state computed.
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/bigmem.h"
#include "util/par.h"

#include "util/banned.h"

/* ---- contacts of the rows -------------------------------------------------------------------- */

/* The work of end_contacts() for one segment. */
struct resolve_job {
    struct rv_builder *b;
    unsigned g;
    int rc;
};

static void *resolve_segment(void *arg)
{
    struct resolve_job *j = arg;
    const struct idmap *m = &j->b->cmap;
    struct segment *g = &j->b->seg[j->g];
    for (size_t i = 0; i < g->n; i++) {
        struct brow *r = &g->rows[i];
        if (r->contact == RV_NONE)
            continue; /* an id out of range: in the unknown list already */
        int32_t c = idmap_get(m, r->contact);
        if (c < 0) {
            if (snap_grow((void **)&g->unknown, &g->unknowncap, 2 * g->nunknown + 2,
                          sizeof(int64_t)) < 0) {
                j->rc = KITH_ENOMEM;
                return NULL;
            }
            g->unknown[2 * g->nunknown] = (int64_t)i;
            g->unknown[2 * g->nunknown + 1] = r->contact;
            g->nunknown++;
        }
        r->contact = c;
    }
    return NULL;
}

/* The end of rv_builder_begin_early(): freezes the contacts, then turns rows' ids into indices. */
static int end_contacts(struct rv_builder *b, struct kith_error *err)
{
    int rc = snap_freeze_contacts(b, err);
    if (rc < 0)
        return rc;
    struct resolve_job jobs[RV_SEGMENTS_MAX];
    for (unsigned g = 0; g < b->nseg; g++)
        jobs[g] = (struct resolve_job){b, g, 0};
    par_run(b->nseg, resolve_segment, jobs, sizeof(jobs[0]));
    for (unsigned g = 0; g < b->nseg; g++)
        if (jobs[g].rc < 0)
            return snap_oom(err, "resolving the contacts of interactions");
    return 0;
}

/* Contacts met only through interactions: add them (bare) and point their rows at them. */
static int place_unknown(struct rv_builder *b)
{
    struct rv_snapshot *s = b->s;
    for (unsigned g = 0; g < b->nseg; g++) {
        struct segment *sg = &b->seg[g];
        for (size_t u = 0; u < sg->nunknown; u++) {
            int64_t id = sg->unknown[2 * u + 1];
            int32_t c = rv_snapshot_contact(s, id);
            if (c < 0 && snap_append_bare_contact(s, id, &c) < 0)
                return KITH_ENOMEM;
            sg->rows[sg->unknown[2 * u]].contact = c;
        }
    }
    return 0;
}

/* ---- rows into runs -------------------------------------------------------------------------- */

/* The work of place_rows() for one thread. */
struct place_job {
    struct rv_builder *b;
    unsigned g;       /* the segment of the counting and sorting steps */
    uint32_t *cnt;    /* rows of each contact in segment g */
    size_t *woff;     /* next scratch slot of each block for segment g */
    struct brow *tmp; /* the rows by block */
    size_t *boff;     /* first scratch slot of each block (nblocks + 1) */
    size_t k0, k1;    /* the blocks of the last step */
};

static void *count_segment(void *arg)
{
    struct place_job *j = arg;
    const struct segment *sg = &j->b->seg[j->g];
    for (size_t i = 0; i < sg->n; i++)
        j->cnt[sg->rows[i].contact]++;
    return NULL;
}

static void *sort_segment(void *arg)
{
    struct place_job *j = arg;
    struct segment *sg = &j->b->seg[j->g];
    for (size_t i = 0; i < sg->n; i++)
        j->tmp[j->woff[(uint32_t)sg->rows[i].contact >> BLOCK_SHIFT]++] = sg->rows[i];
    free(sg->rows);
    sg->rows = NULL;
    return NULL;
}

static void *place_blocks(void *arg)
{
    struct place_job *j = arg;
    struct rv_snapshot *s = j->b->s;
    uint32_t cursor[1u << BLOCK_SHIFT];
    for (size_t k = j->k0; k < j->k1; k++) {
        size_t c0 = k << BLOCK_SHIFT, c1 = c0 + (1u << BLOCK_SHIFT);
        if (c1 > s->nc)
            c1 = s->nc;
        for (size_t c = c0; c < c1; c++)
            cursor[c - c0] = s->start[c];
        for (size_t i = j->boff[k]; i < j->boff[k + 1]; i++) {
            const struct brow *r = &j->tmp[i];
            uint32_t at = cursor[(size_t)r->contact - c0]++;
            s->t[at] = r->t;
            s->iid[at] = r->iid;
            s->rv[at] = r->rv;
            s->type[at] = r->type;
            s->rep[at] = r->rep;
            s->cost[at] = r->cost;
            s->flags[at] = r->flags;
        }
    }
    return NULL;
}

/*
 * Places every row in its contact's run, keeping the order in which the rows came (segment 0
 * first): count the rows of each contact (a thread per segment), give each contact its first
 * slot, sort the rows by block into a scratch array (a thread per segment, each into its own
 * part of every block), then copy block by block into the slots (threads over blocks).
 */
static int place_rows(struct rv_builder *b)
{
    struct rv_snapshot *s = b->s;
    unsigned ns = b->nseg;
    size_t nblocks = (s->nc >> BLOCK_SHIFT) + 1, total = 0;
    for (unsigned g = 0; g < ns; g++)
        total += b->seg[g].n;
    if (total > UINT32_MAX)
        return KITH_ERANGE;
    struct place_job jobs[PAR_MAX];
    memset(jobs, 0, sizeof(jobs));
    size_t *boff = alloc_array_zero(nblocks + 1, sizeof(*boff));
    struct brow *tmp = bigmem_alloc(total * sizeof(*tmp));
    int rc = boff && tmp ? 0 : KITH_ENOMEM;
    for (unsigned g = 0; g < ns && rc == 0; g++) {
        jobs[g] = (struct place_job){.b = b, .g = g, .tmp = tmp, .boff = boff};
        jobs[g].cnt = bigmem_calloc(s->nc, sizeof(uint32_t));
        jobs[g].woff = alloc_array_zero(nblocks, sizeof(size_t));
        if (!jobs[g].cnt || !jobs[g].woff)
            rc = KITH_ENOMEM;
    }
    if (rc < 0)
        goto out_free;
    par_run(ns, count_segment, jobs, sizeof(jobs[0]));
    /* first slots: contacts in order; each segment's part of block k after the earlier ones' */
    size_t base = 0;
    for (size_t k = 0; k < nblocks; k++) {
        size_t c0 = k << BLOCK_SHIFT, c1 = c0 + (1u << BLOCK_SHIFT);
        if (c1 > s->nc)
            c1 = s->nc;
        boff[k] = base;
        for (unsigned g = 0; g < ns; g++) {
            jobs[g].woff[k] = base;
            for (size_t c = c0; c < c1; c++)
                base += jobs[g].cnt[c];
        }
    }
    boff[nblocks] = base;
    for (size_t c = 0, at = 0; c < s->nc; c++) {
        uint32_t n = 0;
        for (unsigned g = 0; g < ns; g++)
            n += jobs[g].cnt[c];
        s->start[c] = (uint32_t)at;
        s->count[c] = s->cap[c] = n;
        at += n;
    }
    par_run(ns, sort_segment, jobs, sizeof(jobs[0]));
    /* room at the tail for the runs that grow with new interactions (see slots_reserve) */
    size_t ready = total + total / 32 + RV_SLOT_HEADROOM_MIN;
    if (ready > UINT32_MAX)
        ready = UINT32_MAX;
    if ((rc = snap_slots_alloc(s, 2 * ready < UINT32_MAX ? 2 * ready : UINT32_MAX)) < 0)
        goto out_free;
    snap_touch_slots(s, total, ready);
    s->slotready = ready;
    {
        /* blocks split by rows between the threads */
        uint32_t *w = alloc_array(nblocks, sizeof(*w));
        size_t cut[PAR_MAX + 1];
        if (!w) {
            rc = KITH_ENOMEM;
            goto out_free;
        }
        for (size_t k = 0; k < nblocks; k++)
            w[k] = (uint32_t)(boff[k + 1] - boff[k]);
        par_split(w, nblocks, ns, cut);
        free(w);
        for (unsigned g = 0; g < ns; g++) {
            jobs[g].k0 = cut[g];
            jobs[g].k1 = cut[g + 1];
        }
        par_run(ns, place_blocks, jobs, sizeof(jobs[0]));
    }
    s->nslots = s->nlive = total;
out_free:
    for (unsigned g = 0; g < ns; g++) {
        free(jobs[g].cnt);
        free(jobs[g].woff);
    }
    free(tmp);
    free(boff);
    return rc;
}

/* Sorts the run of contact c by (t, iid) when it is not already in order. */
struct run_key {
    int32_t t;
    int64_t iid;
    uint32_t slot;
};

static int cmp_run_key(const void *a, const void *b)
{
    const struct run_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->iid > y->iid) - (x->iid < y->iid);
}

static bool run_sorted(const struct rv_snapshot *s, size_t c)
{
    for (size_t i = rv_run_begin(s, c) + 1; i < rv_run_end(s, c); i++)
        if (s->t[i - 1] > s->t[i] || (s->t[i - 1] == s->t[i] && s->iid[i - 1] > s->iid[i]))
            return false;
    return true;
}

static int sort_run(struct rv_snapshot *s, size_t c)
{
    size_t b0 = rv_run_begin(s, c), n = s->count[c];
    struct run_key *k = alloc_array(n, sizeof(*k));
    struct packed *p = alloc_array(n, sizeof(*p));
    int64_t *ids = alloc_array(n, sizeof(*ids));
    if (!k || !p || !ids) {
        free(k);
        free(p);
        free(ids);
        return KITH_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        k[i].t = s->t[b0 + i];
        k[i].iid = s->iid[b0 + i];
        k[i].slot = (uint32_t)(b0 + i);
    }
    snap_sort(k, n, sizeof(*k), cmp_run_key);
    for (size_t i = 0; i < n; i++) {
        size_t from = k[i].slot;
        p[i] = (struct packed){s->t[from],   s->rv[from],   s->type[from],
                               s->rep[from], s->cost[from], s->flags[from]};
        ids[i] = s->iid[from];
    }
    for (size_t i = 0; i < n; i++) {
        s->t[b0 + i] = p[i].t;
        s->rv[b0 + i] = p[i].rv;
        s->type[b0 + i] = p[i].type;
        s->rep[b0 + i] = p[i].rep;
        s->cost[b0 + i] = p[i].cost;
        s->flags[b0 + i] = p[i].flags;
        s->iid[b0 + i] = ids[i];
    }
    free(k);
    free(p);
    free(ids);
    return 0;
}

/* ---- voids ----------------------------------------------------------------------------------- */

struct slot_key {
    int64_t iid;
    uint32_t slot;
};

static int cmp_slot_key(const void *a, const void *b)
{
    int64_t x = ((const struct slot_key *)a)->iid, y = ((const struct slot_key *)b)->iid;
    return (x > y) - (x < y);
}

/*
 * Flags the voided side of every void recorded in the segments. Most voids correct an
 * interaction of the same contact, found by a scan of that run; for the others an index of all
 * interactions by id is built once.
 */
static int resolve_voids(struct rv_builder *b)
{
    struct rv_snapshot *s = b->s;
    struct slot_key *all = NULL;
    for (unsigned g = 0; g < b->nseg; g++) {
        const struct segment *sg = &b->seg[g];
        for (size_t v = 0; v < sg->nvoids; v++) {
            int64_t voided = sg->voids[2 * v + 1];
            int64_t at = snap_find_in_run(s, rv_snapshot_contact(s, sg->voids[2 * v]), voided);
            if (at < 0) {
                if (!all) {
                    all = alloc_array(s->nlive, sizeof(*all));
                    if (!all)
                        return KITH_ENOMEM;
                    size_t k = 0;
                    for (size_t c = 0; c < s->nc; c++)
                        for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++)
                            all[k++] = (struct slot_key){s->iid[i], (uint32_t)i};
                    snap_sort(all, k, sizeof(*all), cmp_slot_key);
                }
                size_t lo = 0, hi = s->nlive;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (all[mid].iid < voided)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo < s->nlive && all[lo].iid == voided)
                    at = all[lo].slot;
            }
            if (at >= 0) {
                s->flags[at] |= RV_VOIDED;
            } else if (snap_pending_add(s, voided) < 0) {
                free(all);
                return KITH_ENOMEM;
            }
        }
    }
    free(all);
    return 0;
}

/* ---- orders, events and states --------------------------------------------------------------- */

/*
 * Adds the accounts that only orders or events name to the sorted account array, renumbering
 * the contacts' account indices once, then appends the orders and events.
 */
static int finish_outcomes(struct rv_builder *b)
{
    struct rv_snapshot *s = b->s;
    size_t extra = 0;
    for (size_t i = 0; i < b->norders; i++)
        extra += b->orders[i].account_id > 0;
    for (size_t i = 0; i < b->nevents; i++)
        extra += b->events[i].account_id > 0;
    if (extra) {
        size_t cap = s->nacct + extra;
        int64_t *ids = alloc_array(cap, sizeof(*ids));
        if (!ids)
            return KITH_ENOMEM;
        memcpy(ids, s->account_id, s->nacct * sizeof(*ids));
        size_t n = s->nacct;
        for (size_t i = 0; i < b->norders; i++)
            if (b->orders[i].account_id > 0)
                ids[n++] = b->orders[i].account_id;
        for (size_t i = 0; i < b->nevents; i++)
            if (b->events[i].account_id > 0)
                ids[n++] = b->events[i].account_id;
        snap_sort(ids, n, sizeof(*ids), snap_cmp_i64);
        size_t nu = 0;
        for (size_t i = 0; i < n; i++)
            if (!nu || ids[nu - 1] != ids[i])
                ids[nu++] = ids[i];
        if (nu != s->nacct) {
            for (size_t c = 0; c < s->nc; c++)
                if (s->account[c] >= 0)
                    s->account[c] = rv_find_id(ids, nu, s->account_id[s->account[c]]);
        }
        free(s->account_id);
        s->account_id = ids;
        s->nacct = nu;
        s->nacctcap = cap;
    }
    struct kith_error ignored;
    if (snap_orders_reserve(s, b->norders) < 0 || snap_events_reserve(s, b->nevents) < 0)
        return KITH_ENOMEM;
    for (size_t i = 0; i < b->norders; i++)
        if (rv_snapshot_add_order(s, &b->orders[i], &ignored) < 0)
            return KITH_ENOMEM;
    for (size_t i = 0; i < b->nevents; i++)
        if (rv_snapshot_add_event(s, &b->events[i], &ignored) < 0)
            return KITH_ENOMEM;
    return 0;
}

/* Each contact's state, in parallel over ranges of contacts. */
struct state_job {
    struct rv_snapshot *s;
    size_t from, to;
};

static void *state_range(void *arg)
{
    struct state_job *j = arg;
    for (size_t c = j->from; c < j->to; c++)
        snap_store_state(j->s, c);
    return NULL;
}

static void all_states(struct rv_snapshot *s, unsigned nthreads)
{
    struct state_job jobs[PAR_MAX];
    size_t cut[PAR_MAX + 1];
    if (s->nc < 4096)
        nthreads = 1;
    par_split(s->count, s->nc, nthreads, cut);
    for (unsigned k = 0; k < nthreads; k++)
        jobs[k] = (struct state_job){s, cut[k], cut[k + 1]};
    par_run(nthreads, state_range, jobs, sizeof(jobs[0]));
}

/* ---- finishing ------------------------------------------------------------------------------- */

int rv_builder_finish(struct rv_builder *b, struct rv_snapshot **out, struct kith_error *err)
{
    struct rv_snapshot *s = b->s;
    *out = NULL;
    if (!b->frozen) {
        int rc = rv_builder_begin_interactions(b, 1, err);
        if (rc < 0)
            return rc;
    }
    int rc = 0;
    if (!b->contacts_frozen && (rc = end_contacts(b, err)) < 0)
        return rc;
    rc = place_unknown(b);
    if (rc == 0)
        rc = place_rows(b);
    for (unsigned g = 0; g < b->nseg; g++)
        s->nclamped += b->seg[g].nclamped;
    if (rc == KITH_ERANGE)
        return kith_err(err, rc, "more than %u interactions: too many for one snapshot",
                        UINT32_MAX);
    if (rc < 0)
        return snap_oom(err, "grouping interactions");
    for (size_t c = 0; c < s->nc; c++)
        if (!run_sorted(s, c) && sort_run(s, c) < 0)
            return snap_oom(err, "sorting interactions");
    if (resolve_voids(b) < 0)
        return snap_oom(err, "resolving voided interactions");
    if (finish_outcomes(b) < 0)
        return snap_oom(err, "reading orders and events");
    all_states(s, b->nseg);
    *out = s;
    b->s = NULL;
    return 0;
}
