/*
 * snapshot_build.c - the builder's collecting side: rows of the catalogue, units, teams, users and
 * contacts, then interactions into per-thread segments, orders and events; freezing the small
 * tables and the contacts into the snapshot with id maps for the rows. rv_builder_finish() is in
 * snapshot_finish.c.
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* ---- id maps --------------------------------------------------------------------------------- */

static int idmap_build(struct idmap *m, const int64_t *ids, size_t n)
{
    memset(m, 0, sizeof(*m));
    m->ids = ids;
    m->n = n;
    if (!n)
        return 0;
    int64_t lo = ids[0], hi = ids[n - 1];
    m->base = lo;
    m->span = (size_t)(hi - lo + 1);
    if (hi - lo == (int64_t)n - 1) { /* sorted and distinct, so dense: no table needed */
        m->identity = true;
        return 0;
    }
    if (hi - lo >= (int64_t)(4 * n + 4096))
        return 0;
    m->direct = alloc_array(m->span, sizeof(*m->direct));
    if (!m->direct)
        return KITH_ENOMEM;
    for (size_t i = 0; i < m->span; i++)
        m->direct[i] = RV_NONE;
    for (size_t i = 0; i < n; i++)
        m->direct[ids[i] - lo] = (int32_t)i;
    return 0;
}

static void idmap_release(struct idmap *m)
{
    free(m->direct);
    memset(m, 0, sizeof(*m));
}

/* ---- the builder's life ---------------------------------------------------------------------- */

int rv_builder_new(struct rv_builder **out, struct kith_error *err)
{
    *out = NULL;
    /* aligned as its segments are; the size of a type is a multiple of its alignment */
    struct rv_builder *b = aligned_alloc(_Alignof(struct rv_builder), sizeof(*b));
    if (b)
        memset(b, 0, sizeof(*b));
    if (!b || !(b->s = calloc(1, sizeof(*b->s)))) {
        free(b);
        return snap_oom(err, "starting a snapshot");
    }
    *out = b;
    return 0;
}

static void segment_release(struct segment *g)
{
    free(g->rows);
    free(g->unknown);
    free(g->voids);
    memset(g, 0, sizeof(*g));
}

void rv_builder_free(struct rv_builder *b)
{
    if (!b)
        return;
    rv_snapshot_free(b->s);
    free(b->types);
    for (size_t i = 0; i < b->nunits; i++)
        free(b->units[i].name);
    free(b->units);
    for (size_t i = 0; i < b->nteams; i++)
        free(b->teams[i].name);
    free(b->teams);
    for (size_t i = 0; i < b->nusers; i++) {
        free(b->users[i].email);
        free(b->users[i].name);
    }
    free(b->users);
    free(b->contacts);
    idmap_release(&b->cmap);
    idmap_release(&b->umap);
    idmap_release(&b->tmap);
    free(b->type_ids);
    for (unsigned i = 0; i < RV_SEGMENTS_MAX; i++)
        segment_release(&b->seg[i]);
    free(b->orders);
    free(b->events);
    free(b);
}

/* ---- the small tables and contacts ----------------------------------------------------------- */

/* Rows of the small tables come before the interactions (a caller's bug if not) ... */
static void require_open(const struct rv_builder *b, const char *what)
{
    if (b->frozen)
        BUG("%s added after rv_builder_begin_interactions()", what);
}

/* ... and contacts before them too, unless the builder began early. */
static void require_contacts_open(const struct rv_builder *b)
{
    if (b->contacts_frozen)
        BUG("a contact added after the contacts were frozen");
}

int rv_builder_add_type(struct rv_builder *b, const struct rv_type_in *t, struct kith_error *err)
{
    require_open(b, "a type");
    if (snap_grow((void **)&b->types, &b->typescap, b->ntypes + 1, sizeof(*b->types)) < 0)
        return snap_oom(err, "reading interaction types");
    struct rv_type *d = &b->types[b->ntypes++];
    memset(d, 0, sizeof(*d));
    d->id = t->id;
    d->rv = t->rv < INT16_MIN ? INT16_MIN : t->rv > INT16_MAX ? INT16_MAX : (int32_t)t->rv;
    d->cost = t->cost < 0 ? 0 : t->cost > INT32_MAX ? INT32_MAX : (int32_t)t->cost;
    d->level = (int8_t)(t->level < 1 ? 1 : t->level > RV_MAX_LEVEL ? RV_MAX_LEVEL : t->level);
    int ph = rv_stage_from_name(t->phase);
    d->phase = (int8_t)(ph < 0 ? RV_STAGE_ACQUISITION : ph);
    d->is_trigger = t->is_trigger;
    d->is_voc = t->is_voc;
    return 0;
}

int rv_builder_add_unit(struct rv_builder *b, int64_t id, const char *name, struct kith_error *err)
{
    require_open(b, "a unit");
    if (snap_grow((void **)&b->units, &b->unitscap, b->nunits + 1, sizeof(*b->units)) < 0)
        return snap_oom(err, "reading units");
    struct b_unit *u = &b->units[b->nunits];
    u->id = id;
    if (!(u->name = snap_dup_text(name)))
        return snap_oom(err, "reading units");
    b->nunits++;
    return 0;
}

int rv_builder_add_team(struct rv_builder *b, int64_t id, const char *name, int64_t unit_id,
                        struct kith_error *err)
{
    require_open(b, "a team");
    if (snap_grow((void **)&b->teams, &b->teamscap, b->nteams + 1, sizeof(*b->teams)) < 0)
        return snap_oom(err, "reading teams");
    struct b_team *t = &b->teams[b->nteams];
    t->id = id;
    t->unit_id = unit_id;
    if (!(t->name = snap_dup_text(name)))
        return snap_oom(err, "reading teams");
    b->nteams++;
    return 0;
}

int rv_builder_add_user(struct rv_builder *b, int64_t id, const char *email, const char *name,
                        int64_t team_id, int64_t unit_id, struct kith_error *err)
{
    require_open(b, "a user");
    if (snap_grow((void **)&b->users, &b->userscap, b->nusers + 1, sizeof(*b->users)) < 0)
        return snap_oom(err, "reading users");
    struct b_user *u = &b->users[b->nusers];
    memset(u, 0, sizeof(*u));
    u->id = id;
    u->team_id = team_id;
    u->unit_id = unit_id;
    u->email = snap_dup_text(email);
    u->name = snap_dup_text(name);
    b->nusers++;
    if (!u->email || !u->name)
        return snap_oom(err, "reading users");
    return 0;
}

int rv_builder_expect_contacts(struct rv_builder *b, size_t n, struct kith_error *err)
{
    require_contacts_open(b);
    if (snap_grow((void **)&b->contacts, &b->contactscap, n, sizeof(*b->contacts)) < 0)
        return snap_oom(err, "reading contacts");
    return 0;
}

int rv_builder_add_contact(struct rv_builder *b, const struct rv_contact_in *c,
                           struct kith_error *err)
{
    require_contacts_open(b);
    if (snap_grow((void **)&b->contacts, &b->contactscap, b->ncontacts + 1, sizeof(*b->contacts)) <
        0)
        return snap_oom(err, "reading contacts");
    int rc = snap_encode_contact(b->s, c, &b->contacts[b->ncontacts]);
    if (rc < 0)
        return snap_dict_error(rc, err);
    b->ncontacts++;
    return 0;
}

/* ---- freezing -------------------------------------------------------------------------------- */

static int cmp_type(const void *a, const void *b)
{
    int64_t x = ((const struct rv_type *)a)->id, y = ((const struct rv_type *)b)->id;
    return (x > y) - (x < y);
}
static int cmp_unit(const void *a, const void *b)
{
    int64_t x = ((const struct b_unit *)a)->id, y = ((const struct b_unit *)b)->id;
    return (x > y) - (x < y);
}
static int cmp_team(const void *a, const void *b)
{
    int64_t x = ((const struct b_team *)a)->id, y = ((const struct b_team *)b)->id;
    return (x > y) - (x < y);
}
static int cmp_user(const void *a, const void *b)
{
    int64_t x = ((const struct b_user *)a)->id, y = ((const struct b_user *)b)->id;
    return (x > y) - (x < y);
}
static int cmp_contact(const void *a, const void *b)
{
    int64_t x = ((const struct b_contact *)a)->id, y = ((const struct b_contact *)b)->id;
    return (x > y) - (x < y);
}

/* The stage of each level: its trigger's phase, else the most common phase of its types. */
static void compute_level_phases(struct rv_snapshot *s)
{
    int votes[RV_MAX_LEVEL + 1][RV_NSTAGES] = {{0}};
    int trig[RV_MAX_LEVEL + 1];
    s->nlevels = 1;
    for (int l = 0; l <= RV_MAX_LEVEL; l++)
        trig[l] = -1;
    for (size_t i = 0; i < s->ntypes; i++) {
        const struct rv_type *t = &s->types[i];
        if (t->level > s->nlevels)
            s->nlevels = t->level;
        votes[t->level][t->phase]++;
        if (t->is_trigger && trig[t->level] < 0)
            trig[t->level] = t->phase;
    }
    int prev = RV_STAGE_ACQUISITION;
    s->level_phase[0] = RV_STAGE_NONE;
    for (int l = 1; l <= RV_MAX_LEVEL; l++) {
        int ph = trig[l];
        if (ph < 0) {
            int best = -1;
            for (int k = 0; k < RV_NSTAGES; k++)
                if (votes[l][k] > 0 && (best < 0 || votes[l][k] > votes[l][best]))
                    best = k;
            ph = best < 0 ? prev : best;
        }
        s->level_phase[l] = (int8_t)ph;
        prev = ph;
    }
}

/* Sorts and indexes the catalogue, units, teams and users into the snapshot. */
static int freeze_small(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    struct rv_snapshot *s = b->s;
    if (b->frozen)
        BUG("rv_builder_begin_interactions() called twice");
    if (nsegments < 1 || nsegments > RV_SEGMENTS_MAX)
        return kith_err(err, KITH_EINVAL, "1 to %d loader segments, not %u", RV_SEGMENTS_MAX,
                        nsegments);
    b->frozen = true;
    b->nseg = nsegments;

    /* the catalogue */
    snap_sort(b->types, b->ntypes, sizeof(*b->types), cmp_type);
    s->types = b->types;
    s->ntypes = b->ntypes;
    b->types = NULL;
    compute_level_phases(s);

    /* units, teams, users: sorted by id, names moved over */
    snap_sort(b->units, b->nunits, sizeof(*b->units), cmp_unit);
    snap_sort(b->teams, b->nteams, sizeof(*b->teams), cmp_team);
    snap_sort(b->users, b->nusers, sizeof(*b->users), cmp_user);
    s->units.n = s->units.cap = b->nunits;
    s->teams.n = s->teams.cap = b->nteams;
    s->users.n = s->users.cap = b->nusers;
    if (snap_resize((void **)&s->units.id, b->nunits, sizeof(int64_t)) < 0 ||
        snap_resize((void **)&s->units.name, b->nunits, sizeof(char *)) < 0 ||
        snap_resize((void **)&s->teams.id, b->nteams, sizeof(int64_t)) < 0 ||
        snap_resize((void **)&s->teams.name, b->nteams, sizeof(char *)) < 0 ||
        snap_resize((void **)&s->teams.unit, b->nteams, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->users.id, b->nusers, sizeof(int64_t)) < 0 ||
        snap_resize((void **)&s->users.email, b->nusers, sizeof(char *)) < 0 ||
        snap_resize((void **)&s->users.name, b->nusers, sizeof(char *)) < 0 ||
        snap_resize((void **)&s->users.team, b->nusers, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->users.unit, b->nusers, sizeof(int32_t)) < 0) {
        s->units.n = s->teams.n = s->users.n = 0;
        return snap_oom(err, "indexing users and teams");
    }
    for (size_t i = 0; i < b->nunits; i++) {
        s->units.id[i] = b->units[i].id;
        s->units.name[i] = b->units[i].name;
        b->units[i].name = NULL;
    }
    for (size_t i = 0; i < b->nteams; i++) {
        s->teams.id[i] = b->teams[i].id;
        s->teams.name[i] = b->teams[i].name;
        b->teams[i].name = NULL;
        s->teams.unit[i] = rv_find_id(s->units.id, s->units.n, b->teams[i].unit_id);
    }
    for (size_t i = 0; i < b->nusers; i++) {
        s->users.id[i] = b->users[i].id;
        s->users.email[i] = b->users[i].email;
        s->users.name[i] = b->users[i].name;
        b->users[i].email = b->users[i].name = NULL;
        s->users.team[i] = rv_find_id(s->teams.id, s->teams.n, b->users[i].team_id);
        s->users.unit[i] = rv_find_id(s->units.id, s->units.n, b->users[i].unit_id);
    }

    /* a type per row: a direct table instead of a binary search over the catalogue */
    if (!(b->type_ids = alloc_array(s->ntypes, sizeof(int64_t))))
        return snap_oom(err, "indexing the catalogue");
    for (size_t i = 0; i < s->ntypes; i++)
        b->type_ids[i] = s->types[i].id;
    if (idmap_build(&b->umap, s->users.id, s->users.n) < 0 ||
        idmap_build(&b->tmap, b->type_ids, s->ntypes) < 0)
        return snap_oom(err, "indexing users");
    return 0;
}

/* Sorts and indexes the contacts into the snapshot. */
int snap_freeze_contacts(struct rv_builder *b, struct kith_error *err)
{
    struct rv_snapshot *s = b->s;
    int rc;
    b->contacts_frozen = true;
    /* contacts: sorted by id, a repeated id keeps its last row */
    snap_sort(b->contacts, b->ncontacts, sizeof(*b->contacts), cmp_contact);
    size_t n = 0;
    for (size_t i = 0; i < b->ncontacts; i++) {
        if (n && b->contacts[n - 1].id == b->contacts[i].id)
            n--;
        b->contacts[n++] = b->contacts[i];
    }
    b->ncontacts = n;
    int64_t *acc = alloc_array(n, sizeof(*acc));
    if (!acc)
        return snap_oom(err, "indexing accounts");
    size_t na = 0;
    for (size_t i = 0; i < n; i++)
        if (b->contacts[i].account_id > 0)
            acc[na++] = b->contacts[i].account_id;
    snap_sort(acc, na, sizeof(*acc), snap_cmp_i64);
    size_t nu = 0;
    for (size_t i = 0; i < na; i++)
        if (!nu || acc[nu - 1] != acc[i])
            acc[nu++] = acc[i];
    s->account_id = acc;
    s->nacct = s->nacctcap = nu; /* acc holds n >= nu ids; 0 lets the first add grow it */

    /* a little room for new contacts: growing these arrays later moves huge pages (slow) */
    if ((rc = snap_contacts_reserve(s, n + n / 64 + 64)) < 0)
        return snap_oom(err, "indexing contacts");
    for (size_t c = 0; c < n; c++) {
        int32_t a = rv_find_id(s->account_id, s->nacct, b->contacts[c].account_id);
        snap_set_contact_attrs(s, c, &b->contacts[c], a);
        s->by_id[c] = (uint32_t)c;
        s->start[c] = s->count[c] = s->cap[c] = 0;
        snap_empty_state(s, c);
    }
    s->nc = n;
    free(b->contacts);
    b->contacts = NULL;
    b->ncontacts = b->contactscap = 0;

    if (idmap_build(&b->cmap, s->cid, s->nc) < 0)
        return snap_oom(err, "indexing contacts");
    return 0;
}

int rv_builder_begin_interactions(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    int rc = freeze_small(b, nsegments, err);
    return rc < 0 ? rc : snap_freeze_contacts(b, err);
}

int rv_builder_begin_early(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    return freeze_small(b, nsegments, err);
}

/* ---- interactions, orders and events --------------------------------------------------------- */

int rv_builder_reserve(struct rv_builder *b, unsigned seg, size_t n, struct kith_error *err)
{
    if (!b->frozen || seg >= b->nseg)
        BUG("reserve in segment %u of %u before or without begin", seg, b->nseg);
    struct segment *g = &b->seg[seg];
    if (n <= g->cap)
        return 0;
    if (snap_resize((void **)&g->rows, n, sizeof(*g->rows)) < 0)
        return snap_oom(err, "reading interactions");
    g->cap = n;
    return 0;
}

int rv_builder_add_interaction(struct rv_builder *b, unsigned seg,
                               const struct rv_interaction_in *row, struct kith_error *err)
{
    if (!b->frozen || seg >= b->nseg)
        BUG("interaction added to segment %u of %u before or without begin", seg, b->nseg);
    struct segment *g = &b->seg[seg];
    const struct rv_snapshot *s = b->s;
    int32_t type = idmap_get(&b->tmap, row->type_id);
    int32_t rep = row->user_id > 0 ? idmap_get(&b->umap, row->user_id) : RV_NONE;
    struct packed p;
    snap_pack_row(s, row, type, rep, &p, &g->nclamped);
    /* before the contacts are frozen a row names its contact by id (see end_contacts in
     * snapshot_finish.c) */
    int32_t contact = b->contacts_frozen ? idmap_get(&b->cmap, row->contact_id)
                      : row->contact_id > 0 && row->contact_id <= INT32_MAX
                          ? (int32_t)row->contact_id
                          : RV_NONE;
    struct brow r = {row->id, contact, p.t, p.rep, p.cost, p.rv, p.type, p.flags};
    int rc = 0;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        if (snap_resize((void **)&g->rows, cap, sizeof(*g->rows)) < 0)
            return snap_oom(err, "reading interactions");
        g->cap = cap;
    }
    if (r.contact < 0 && (rc = snap_grow((void **)&g->unknown, &g->unknowncap, 2 * g->nunknown + 2,
                                         sizeof(int64_t))) == 0) {
        g->unknown[2 * g->nunknown] = (int64_t)g->n;
        g->unknown[2 * g->nunknown + 1] = row->contact_id;
        g->nunknown++;
    }
    g->rows[g->n] = r;
    if (rc == 0 && row->voids_id > 0) {
        if ((rc = snap_grow((void **)&g->voids, &g->voidscap, 2 * g->nvoids + 2,
                            sizeof(int64_t))) == 0) {
            g->voids[2 * g->nvoids] = row->contact_id;
            g->voids[2 * g->nvoids + 1] = row->voids_id;
            g->nvoids++;
        }
    }
    if (rc < 0)
        return snap_oom(err, "reading interactions");
    g->n++;
    return 0;
}

int rv_builder_add_order(struct rv_builder *b, const struct rv_order_in *o, struct kith_error *err)
{
    if (!b->frozen)
        BUG("order added before rv_builder_begin_interactions()");
    if (snap_grow((void **)&b->orders, &b->orderscap, b->norders + 1, sizeof(*b->orders)) < 0)
        return snap_oom(err, "reading orders");
    b->orders[b->norders++] = *o;
    return 0;
}

int rv_builder_add_event(struct rv_builder *b, const struct rv_event_in *e, struct kith_error *err)
{
    if (!b->frozen)
        BUG("event added before rv_builder_begin_interactions()");
    int kind = rv_event_kind_from_name(e->kind);
    if (kind < 0)
        return kith_err(err, KITH_EINVAL, "unknown event kind '%s'", e->kind ? e->kind : "");
    if (snap_grow((void **)&b->events, &b->eventscap, b->nevents + 1, sizeof(*b->events)) < 0)
        return snap_oom(err, "reading events");
    b->events[b->nevents] = *e;
    b->events[b->nevents].kind = rv_event_kind_name(kind);
    b->nevents++;
    return 0;
}
