/*
 * snapshot.c - the columnar RV snapshot: building it from rows (in parallel segments), folding
 * new interactions in incrementally, lookups and scope masks. No I/O: the store calls in.
 * Layout and invariants: docs/internals/rv.md ("The snapshot").
 */
#include "engine/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "util/par.h"
#include "engine/rv.h"
#include "model/table.h"
#include "util/bigmem.h"

#include "util/banned.h"

/* ---- times and names ---------------------------------------------------------------------- */

int32_t rv_time_from_ms(int64_t ms)
{
    int64_t sec = ms / 1000;
    if (ms % 1000 < 0)
        sec--; /* floor for instants before 1970 */
    int64_t t = sec - RV_EPOCH_S;
    if (t < RV_TIME_MIN)
        return RV_TIME_MIN;
    if (t > RV_TIME_MAX)
        return RV_TIME_MAX;
    return (int32_t)t;
}

int64_t rv_time_to_ms(int32_t t)
{
    return ((int64_t)t + RV_EPOCH_S) * 1000;
}

static bool time_in_range(int64_t ms)
{
    int64_t sec = ms / 1000 - RV_EPOCH_S;
    return sec > (int64_t)RV_TIME_MIN && sec < (int64_t)RV_TIME_MAX;
}

/* The enum values of a model field: the model is the one place they are declared. */
static const char *const *model_enum(const char *table, const char *field)
{
    const struct table_def *t = model_table(table);
    const struct field_def *f = t ? table_field(t, field, NULL) : NULL;
    if (!f || !f->enum_values)
        BUG("model field %s.%s is not an enum", table, field);
    return f->enum_values;
}

static size_t enum_count(const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    return n;
}

static int enum_index(const char *const *v, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; v[i]; i++)
        if (strcmp(v[i], name) == 0)
            return i;
    return -1;
}

const char *rv_stage_name(int stage)
{
    const char *const *v = model_enum("contacts", "stage");
    if (stage < 0 || (size_t)stage >= enum_count(v))
        return "none";
    return v[stage];
}

int rv_stage_from_name(const char *name)
{
    int i = enum_index(model_enum("contacts", "stage"), name);
    return i < 0 || i >= RV_NSTAGES ? RV_STAGE_NONE : i;
}

const char *rv_community_name(int role)
{
    const char *const *v = model_enum("contacts", "community_role");
    if (role < 0 || (size_t)role >= enum_count(v))
        return "none";
    return v[role];
}

size_t rv_event_kind_count(void)
{
    size_t n = enum_count(model_enum("events", "kind"));
    return n < RV_MAX_EVENT_KINDS ? n : RV_MAX_EVENT_KINDS;
}

const char *rv_event_kind_name(int kind)
{
    if (kind < 0 || (size_t)kind >= rv_event_kind_count())
        return NULL;
    return model_enum("events", "kind")[kind];
}

int rv_event_kind_from_name(const char *name)
{
    int i = enum_index(model_enum("events", "kind"), name);
    return i >= 0 && (size_t)i < rv_event_kind_count() ? i : -1;
}

/* ---- small allocation helpers ------------------------------------------------------------ */

/* Grows *p (elements of size) to hold at least need elements; *cap is updated. */
static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap + *cap / 2 : 16;
    if (ncap < need)
        ncap = need;
    void *np = bigmem_realloc(*p, ncap * size);
    if (!np)
        return KITH_ENOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

/* Resizes *p to n elements of size (n > 0). */
static int resize(void **p, size_t n, size_t size)
{
    void *np = bigmem_realloc(*p, (n ? n : 1) * size);
    if (!np)
        return KITH_ENOMEM;
    *p = np;
    return 0;
}

static char *dup_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

static int oom(struct kith_error *err, const char *what)
{
    return kith_err(err, KITH_ENOMEM, "out of memory %s", what);
}

/* ---- dictionaries -------------------------------------------------------------------------- */

#define DICT_MAX 1000000 /* distinct values of one attribute */

static uint32_t hash_text(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static void dict_release(struct rv_dict *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->names[i]);
    free(d->names);
    free(d->slots);
    memset(d, 0, sizeof(*d));
}

const char *rv_dict_name(const struct rv_dict *d, int32_t i)
{
    return i >= 0 && (size_t)i < d->n ? d->names[i] : NULL;
}

int32_t rv_dict_find(const struct rv_dict *d, const char *text)
{
    if (!d->cap || !text)
        return -1;
    size_t mask = d->cap - 1;
    for (size_t k = hash_text(text) & mask;; k = (k + 1) & mask) {
        uint32_t v = d->slots[k];
        if (!v)
            return -1;
        if (strcmp(d->names[v - 1], text) == 0)
            return (int32_t)(v - 1);
    }
}

/* Index of text, adding it when new; RV_NONE for NULL or "". */
static int dict_intern(struct rv_dict *d, const char *text, int32_t *out)
{
    *out = RV_NONE;
    if (!text || !*text)
        return 0;
    int32_t i = rv_dict_find(d, text);
    if (i >= 0) {
        *out = i;
        return 0;
    }
    if (d->n >= DICT_MAX)
        return KITH_ERANGE;
    if ((d->n + 1) * 2 > d->cap) { /* keep the table at most half full */
        size_t ncap = d->cap ? d->cap * 2 : 64;
        uint32_t *slots = calloc(ncap, sizeof(*slots));
        if (!slots)
            return KITH_ENOMEM;
        for (size_t j = 0; j < d->n; j++) {
            size_t k = hash_text(d->names[j]) & (ncap - 1);
            while (slots[k])
                k = (k + 1) & (ncap - 1);
            slots[k] = (uint32_t)(j + 1);
        }
        char **names = realloc(d->names, ncap / 2 * sizeof(*names));
        if (!names) {
            free(slots);
            return KITH_ENOMEM;
        }
        free(d->slots);
        d->slots = slots;
        d->names = names;
        d->cap = ncap;
    }
    char *copy = dup_text(text);
    if (!copy)
        return KITH_ENOMEM;
    d->names[d->n] = copy;
    size_t k = hash_text(text) & (d->cap - 1);
    while (d->slots[k])
        k = (k + 1) & (d->cap - 1);
    d->slots[k] = (uint32_t)(d->n + 1);
    *out = (int32_t)d->n++;
    return 0;
}

/* ---- id lookups ------------------------------------------------------------------------------ */

int32_t rv_find_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? (int32_t)lo : -1;
}

/* Position in by_id (sorted by ids[by_id[k]]) of the first entry not below id. */
static size_t by_id_lower(const int64_t *ids, const uint32_t *by_id, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[by_id[mid]] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t rv_snapshot_contact(const struct rv_snapshot *s, int64_t id)
{
    size_t k = by_id_lower(s->cid, s->by_id, s->nc, id);
    return k < s->nc && s->cid[s->by_id[k]] == id ? (int32_t)s->by_id[k] : -1;
}

int32_t rv_snapshot_type(const struct rv_snapshot *s, int64_t id)
{
    size_t lo = 0, hi = s->ntypes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->types[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->ntypes && s->types[lo].id == id ? (int32_t)lo : -1;
}

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
    m->direct = malloc(m->span * sizeof(*m->direct));
    if (!m->direct)
        return KITH_ENOMEM;
    for (size_t i = 0; i < m->span; i++)
        m->direct[i] = RV_NONE;
    for (size_t i = 0; i < n; i++)
        m->direct[ids[i] - lo] = (int32_t)i;
    return 0;
}

static inline int32_t idmap_get(const struct idmap *m, int64_t id)
{
    if (m->identity || m->direct) {
        if (id < m->base || id - m->base >= (int64_t)m->span)
            return RV_NONE;
        return m->identity ? (int32_t)(id - m->base) : m->direct[id - m->base];
    }
    return rv_find_id(m->ids, m->n, id);
}

static void idmap_release(struct idmap *m)
{
    free(m->direct);
    memset(m, 0, sizeof(*m));
}

/* ---- the builder ------------------------------------------------------------------------------
 */

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

struct b_contact {
    int64_t id, account_id, owner_id, unit_id, team_id;
    int32_t industry, territory, source, band;
    int8_t community;
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
    struct segment seg[8];
    size_t norders, orderscap; /* resolved at finish, when every contact is known */
    struct rv_order_in *orders;
    size_t nevents, eventscap;
    struct rv_event_in *events; /* kind points to the model's static name */
};

int rv_builder_new(struct rv_builder **out, struct kith_error *err)
{
    *out = NULL;
    /* aligned as its segments are; the size of a type is a multiple of its alignment */
    struct rv_builder *b = aligned_alloc(_Alignof(struct rv_builder), sizeof(*b));
    if (b)
        memset(b, 0, sizeof(*b));
    if (!b || !(b->s = calloc(1, sizeof(*b->s)))) {
        free(b);
        return oom(err, "starting a snapshot");
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
    for (unsigned i = 0; i < 8; i++)
        segment_release(&b->seg[i]);
    free(b->orders);
    free(b->events);
    free(b);
}

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
    if (grow((void **)&b->types, &b->typescap, b->ntypes + 1, sizeof(*b->types)) < 0)
        return oom(err, "reading interaction types");
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
    if (grow((void **)&b->units, &b->unitscap, b->nunits + 1, sizeof(*b->units)) < 0)
        return oom(err, "reading units");
    struct b_unit *u = &b->units[b->nunits];
    u->id = id;
    if (!(u->name = dup_text(name)))
        return oom(err, "reading units");
    b->nunits++;
    return 0;
}

int rv_builder_add_team(struct rv_builder *b, int64_t id, const char *name, int64_t unit_id,
                        struct kith_error *err)
{
    require_open(b, "a team");
    if (grow((void **)&b->teams, &b->teamscap, b->nteams + 1, sizeof(*b->teams)) < 0)
        return oom(err, "reading teams");
    struct b_team *t = &b->teams[b->nteams];
    t->id = id;
    t->unit_id = unit_id;
    if (!(t->name = dup_text(name)))
        return oom(err, "reading teams");
    b->nteams++;
    return 0;
}

int rv_builder_add_user(struct rv_builder *b, int64_t id, const char *email, const char *name,
                        int64_t team_id, int64_t unit_id, struct kith_error *err)
{
    require_open(b, "a user");
    if (grow((void **)&b->users, &b->userscap, b->nusers + 1, sizeof(*b->users)) < 0)
        return oom(err, "reading users");
    struct b_user *u = &b->users[b->nusers];
    memset(u, 0, sizeof(*u));
    u->id = id;
    u->team_id = team_id;
    u->unit_id = unit_id;
    u->email = dup_text(email);
    u->name = dup_text(name);
    b->nusers++;
    if (!u->email || !u->name)
        return oom(err, "reading users");
    return 0;
}

static int encode_contact(struct rv_snapshot *s, const struct rv_contact_in *c, struct b_contact *d)
{
    int rc;
    memset(d, 0, sizeof(*d));
    d->id = c->id;
    d->account_id = c->account_id;
    d->owner_id = c->owner_id;
    d->unit_id = c->unit_id;
    d->team_id = c->team_id;
    if ((rc = dict_intern(&s->industries, c->industry, &d->industry)) < 0 ||
        (rc = dict_intern(&s->territories, c->territory, &d->territory)) < 0 ||
        (rc = dict_intern(&s->sources, c->source, &d->source)) < 0 ||
        (rc = dict_intern(&s->bands, c->revenue_band, &d->band)) < 0)
        return rc;
    d->community = (int8_t)enum_index(model_enum("contacts", "community_role"), c->community_role);
    return 0;
}

static int dict_error(int rc, struct kith_error *err)
{
    if (rc == KITH_ERANGE)
        return kith_err(err, rc, "more than %d distinct values of one contact attribute", DICT_MAX);
    return oom(err, "reading contacts");
}

int rv_builder_expect_contacts(struct rv_builder *b, size_t n, struct kith_error *err)
{
    require_contacts_open(b);
    if (grow((void **)&b->contacts, &b->contactscap, n, sizeof(*b->contacts)) < 0)
        return oom(err, "reading contacts");
    return 0;
}

int rv_builder_add_contact(struct rv_builder *b, const struct rv_contact_in *c,
                           struct kith_error *err)
{
    require_contacts_open(b);
    if (grow((void **)&b->contacts, &b->contactscap, b->ncontacts + 1, sizeof(*b->contacts)) < 0)
        return oom(err, "reading contacts");
    int rc = encode_contact(b->s, c, &b->contacts[b->ncontacts]);
    if (rc < 0)
        return dict_error(rc, err);
    b->ncontacts++;
    return 0;
}

/* qsort, which must not see a NULL base even for no elements. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

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
static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
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

/* Allocates the contact arrays of s for cap contacts (keeping the first s->nc). */
static int contacts_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->nccap)
        return 0;
    size_t cap = s->nccap ? s->nccap + s->nccap / 2 : 64;
    if (cap < need)
        cap = need;
    if (resize((void **)&s->cid, cap, sizeof(*s->cid)) < 0 ||
        resize((void **)&s->start, cap, sizeof(*s->start)) < 0 ||
        resize((void **)&s->count, cap, sizeof(*s->count)) < 0 ||
        resize((void **)&s->cap, cap, sizeof(*s->cap)) < 0 ||
        resize((void **)&s->account, cap, sizeof(*s->account)) < 0 ||
        resize((void **)&s->team, cap, sizeof(*s->team)) < 0 ||
        resize((void **)&s->owner, cap, sizeof(*s->owner)) < 0 ||
        resize((void **)&s->unit, cap, sizeof(*s->unit)) < 0 ||
        resize((void **)&s->industry, cap, sizeof(*s->industry)) < 0 ||
        resize((void **)&s->territory, cap, sizeof(*s->territory)) < 0 ||
        resize((void **)&s->source, cap, sizeof(*s->source)) < 0 ||
        resize((void **)&s->band, cap, sizeof(*s->band)) < 0 ||
        resize((void **)&s->community, cap, sizeof(*s->community)) < 0 ||
        resize((void **)&s->by_id, cap, sizeof(*s->by_id)) < 0 ||
        resize((void **)&s->rv_total, cap, sizeof(*s->rv_total)) < 0 ||
        resize((void **)&s->first, cap, sizeof(*s->first)) < 0 ||
        resize((void **)&s->last, cap, sizeof(*s->last)) < 0 ||
        resize((void **)&s->ncounted, cap, sizeof(*s->ncounted)) < 0 ||
        resize((void **)&s->level, cap, sizeof(*s->level)) < 0)
        return KITH_ENOMEM;
    s->nccap = cap;
    return 0;
}

/*
 * Accounts are few next to interactions and only ever grouped on, so they are kept as a sorted
 * id array; a new account in the middle shifts the indices of the later ones, which are then
 * renumbered in the contact and order arrays (rare: accounts are created before their contacts).
 */
static int account_index(struct rv_snapshot *s, int64_t id, int32_t *out)
{
    *out = RV_NONE;
    if (id <= 0)
        return 0;
    int32_t k = rv_find_id(s->account_id, s->nacct, id);
    if (k >= 0) {
        *out = k;
        return 0;
    }
    if (grow((void **)&s->account_id, &s->nacctcap, s->nacct + 1, sizeof(*s->account_id)) < 0)
        return KITH_ENOMEM;
    size_t pos = s->nacct;
    while (pos > 0 && s->account_id[pos - 1] > id)
        pos--;
    memmove(&s->account_id[pos + 1], &s->account_id[pos], (s->nacct - pos) * sizeof(int64_t));
    s->account_id[pos] = id;
    s->nacct++;
    if (pos + 1 < s->nacct) { /* renumber the accounts after pos */
        for (size_t c = 0; c < s->nc; c++)
            if (s->account[c] >= (int32_t)pos)
                s->account[c]++;
        for (size_t o = 0; o < s->norders; o++)
            if (s->o_account[o] >= (int32_t)pos)
                s->o_account[o]++;
        for (size_t e = 0; e < s->nevents; e++)
            if (s->e_account[e] >= (int32_t)pos)
                s->e_account[e]++;
    }
    *out = (int32_t)pos;
    return 0;
}

/* Writes the attributes of d into contact slot c of s (refs resolved by id). */
static void set_contact_attrs(struct rv_snapshot *s, size_t c, const struct b_contact *d,
                              int32_t account)
{
    s->cid[c] = d->id;
    s->account[c] = account;
    s->team[c] = d->team_id > 0 ? rv_find_id(s->teams.id, s->teams.n, d->team_id) : RV_NONE;
    s->owner[c] = d->owner_id > 0 ? rv_find_id(s->users.id, s->users.n, d->owner_id) : RV_NONE;
    s->unit[c] = d->unit_id > 0 ? rv_find_id(s->units.id, s->units.n, d->unit_id) : RV_NONE;
    s->industry[c] = d->industry;
    s->territory[c] = d->territory;
    s->source[c] = d->source;
    s->band[c] = d->band;
    s->community[c] = d->community;
}

static void empty_state(struct rv_snapshot *s, size_t c)
{
    s->rv_total[c] = 0;
    s->first[c] = RV_TIME_MAX;
    s->last[c] = RV_TIME_MIN;
    s->ncounted[c] = 0;
    s->level[c] = 0;
}

/* Sorts and indexes the catalogue, units, teams and users into the snapshot. */
static int freeze_small(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    struct rv_snapshot *s = b->s;
    if (b->frozen)
        BUG("rv_builder_begin_interactions() called twice");
    if (nsegments < 1 || nsegments > 8)
        return kith_err(err, KITH_EINVAL, "1 to 8 loader segments, not %u", nsegments);
    b->frozen = true;
    b->nseg = nsegments;

    /* the catalogue */
    sort(b->types, b->ntypes, sizeof(*b->types), cmp_type);
    s->types = b->types;
    s->ntypes = b->ntypes;
    b->types = NULL;
    compute_level_phases(s);

    /* units, teams, users: sorted by id, names moved over */
    sort(b->units, b->nunits, sizeof(*b->units), cmp_unit);
    sort(b->teams, b->nteams, sizeof(*b->teams), cmp_team);
    sort(b->users, b->nusers, sizeof(*b->users), cmp_user);
    s->units.n = s->units.cap = b->nunits;
    s->teams.n = s->teams.cap = b->nteams;
    s->users.n = s->users.cap = b->nusers;
    if (resize((void **)&s->units.id, b->nunits, sizeof(int64_t)) < 0 ||
        resize((void **)&s->units.name, b->nunits, sizeof(char *)) < 0 ||
        resize((void **)&s->teams.id, b->nteams, sizeof(int64_t)) < 0 ||
        resize((void **)&s->teams.name, b->nteams, sizeof(char *)) < 0 ||
        resize((void **)&s->teams.unit, b->nteams, sizeof(int32_t)) < 0 ||
        resize((void **)&s->users.id, b->nusers, sizeof(int64_t)) < 0 ||
        resize((void **)&s->users.email, b->nusers, sizeof(char *)) < 0 ||
        resize((void **)&s->users.name, b->nusers, sizeof(char *)) < 0 ||
        resize((void **)&s->users.team, b->nusers, sizeof(int32_t)) < 0 ||
        resize((void **)&s->users.unit, b->nusers, sizeof(int32_t)) < 0) {
        s->units.n = s->teams.n = s->users.n = 0;
        return oom(err, "indexing users and teams");
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
    if (!(b->type_ids = malloc((s->ntypes ? s->ntypes : 1) * sizeof(int64_t))))
        return oom(err, "indexing the catalogue");
    for (size_t i = 0; i < s->ntypes; i++)
        b->type_ids[i] = s->types[i].id;
    if (idmap_build(&b->umap, s->users.id, s->users.n) < 0 ||
        idmap_build(&b->tmap, b->type_ids, s->ntypes) < 0)
        return oom(err, "indexing users");
    return 0;
}

/* Sorts and indexes the contacts into the snapshot. */
static int freeze_contacts(struct rv_builder *b, struct kith_error *err)
{
    struct rv_snapshot *s = b->s;
    int rc;
    b->contacts_frozen = true;
    /* contacts: sorted by id, a repeated id keeps its last row */
    sort(b->contacts, b->ncontacts, sizeof(*b->contacts), cmp_contact);
    size_t n = 0;
    for (size_t i = 0; i < b->ncontacts; i++) {
        if (n && b->contacts[n - 1].id == b->contacts[i].id)
            n--;
        b->contacts[n++] = b->contacts[i];
    }
    b->ncontacts = n;
    int64_t *acc = malloc((n ? n : 1) * sizeof(*acc));
    if (!acc)
        return oom(err, "indexing accounts");
    size_t na = 0;
    for (size_t i = 0; i < n; i++)
        if (b->contacts[i].account_id > 0)
            acc[na++] = b->contacts[i].account_id;
    sort(acc, na, sizeof(*acc), cmp_i64);
    size_t nu = 0;
    for (size_t i = 0; i < na; i++)
        if (!nu || acc[nu - 1] != acc[i])
            acc[nu++] = acc[i];
    s->account_id = acc;
    s->nacct = s->nacctcap = na ? nu : 0;
    if (!na)
        s->nacctcap = 1;

    /* a little room for new contacts: growing these arrays later moves huge pages (slow) */
    if ((rc = contacts_reserve(s, n + n / 64 + 64)) < 0)
        return oom(err, "indexing contacts");
    for (size_t c = 0; c < n; c++) {
        int32_t a = rv_find_id(s->account_id, s->nacct, b->contacts[c].account_id);
        set_contact_attrs(s, c, &b->contacts[c], a);
        s->by_id[c] = (uint32_t)c;
        s->start[c] = s->count[c] = s->cap[c] = 0;
        empty_state(s, c);
    }
    s->nc = n;
    free(b->contacts);
    b->contacts = NULL;
    b->ncontacts = b->contactscap = 0;

    if (idmap_build(&b->cmap, s->cid, s->nc) < 0)
        return oom(err, "indexing contacts");
    return 0;
}

int rv_builder_begin_interactions(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    int rc = freeze_small(b, nsegments, err);
    return rc < 0 ? rc : freeze_contacts(b, err);
}

int rv_builder_begin_early(struct rv_builder *b, unsigned nsegments, struct kith_error *err)
{
    return freeze_small(b, nsegments, err);
}

static int16_t clamp16(int64_t v, size_t *nclamped)
{
    if (v < INT16_MIN || v > INT16_MAX) {
        (*nclamped)++;
        return v < 0 ? INT16_MIN : INT16_MAX;
    }
    return (int16_t)v;
}

static int32_t clamp_cost(int64_t v, size_t *nclamped)
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

static void pack_row(const struct rv_snapshot *s, const struct rv_interaction_in *row, int32_t type,
                     int32_t rep, struct packed *p, size_t *nclamped)
{
    const struct rv_type *ty = type >= 0 ? &s->types[type] : NULL;
    if (!time_in_range(row->occurred_at))
        (*nclamped)++;
    p->t = rv_time_from_ms(row->occurred_at);
    p->rv = clamp16(row->has_rv ? row->rv : ty ? ty->rv : 0, nclamped);
    p->cost = clamp_cost(row->has_cost ? row->cost : ty ? ty->cost : 0, nclamped);
    p->type = (int16_t)type;
    p->rep = rep;
    p->flags = row->voids_id > 0 ? RV_VOIDING : 0;
}

int rv_builder_reserve(struct rv_builder *b, unsigned seg, size_t n, struct kith_error *err)
{
    if (!b->frozen || seg >= b->nseg)
        BUG("reserve in segment %u of %u before or without begin", seg, b->nseg);
    struct segment *g = &b->seg[seg];
    if (n <= g->cap)
        return 0;
    struct brow *np = bigmem_realloc(g->rows, n * sizeof(*np));
    if (!np)
        return oom(err, "reading interactions");
    g->rows = np;
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
    pack_row(s, row, type, rep, &p, &g->nclamped);
    /* before the contacts are frozen a row names its contact by id (see resolve_contacts) */
    int32_t contact = b->contacts_frozen ? idmap_get(&b->cmap, row->contact_id)
                      : row->contact_id > 0 && row->contact_id <= INT32_MAX
                          ? (int32_t)row->contact_id
                          : RV_NONE;
    struct brow r = {row->id, contact, p.t, p.rep, p.cost, p.rv, p.type, p.flags};
    int rc = 0;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 4096;
        struct brow *np = bigmem_realloc(g->rows, cap * sizeof(*np));
        if (!np)
            return oom(err, "reading interactions");
        g->rows = np;
        g->cap = cap;
    }
    if (r.contact < 0 && (rc = grow((void **)&g->unknown, &g->unknowncap, 2 * g->nunknown + 2,
                                    sizeof(int64_t))) == 0) {
        g->unknown[2 * g->nunknown] = (int64_t)g->n;
        g->unknown[2 * g->nunknown + 1] = row->contact_id;
        g->nunknown++;
    }
    g->rows[g->n] = r;
    if (rc == 0 && row->voids_id > 0) {
        if ((rc = grow((void **)&g->voids, &g->voidscap, 2 * g->nvoids + 2, sizeof(int64_t))) ==
            0) {
            g->voids[2 * g->nvoids] = row->contact_id;
            g->voids[2 * g->nvoids + 1] = row->voids_id;
            g->nvoids++;
        }
    }
    if (rc < 0)
        return oom(err, "reading interactions");
    g->n++;
    return 0;
}

static int orders_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->norderscap)
        return 0;
    size_t cap = s->norderscap ? s->norderscap * 2 : 256;
    if (cap < need)
        cap = need;
    if (resize((void **)&s->o_contact, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->o_account, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->o_t, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->o_amount, cap, sizeof(int64_t)) < 0 ||
        resize((void **)&s->o_margin, cap, sizeof(int64_t)) < 0)
        return KITH_ENOMEM;
    s->norderscap = cap;
    return 0;
}

static int events_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->neventscap)
        return 0;
    size_t cap = s->neventscap ? s->neventscap * 2 : 256;
    if (cap < need)
        cap = need;
    if (resize((void **)&s->e_contact, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->e_account, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->e_t, cap, sizeof(int32_t)) < 0 ||
        resize((void **)&s->e_kind, cap, sizeof(uint8_t)) < 0)
        return KITH_ENOMEM;
    s->neventscap = cap;
    return 0;
}

int rv_snapshot_add_order(struct rv_snapshot *s, const struct rv_order_in *o,
                          struct kith_error *err)
{
    int32_t a;
    if (orders_reserve(s, s->norders + 1) < 0 || account_index(s, o->account_id, &a) < 0)
        return oom(err, "adding an order");
    size_t i = s->norders++;
    s->o_contact[i] = o->contact_id > 0 ? rv_snapshot_contact(s, o->contact_id) : RV_NONE;
    s->o_account[i] = a;
    if (!time_in_range(o->ordered_at))
        s->nclamped++;
    s->o_t[i] = rv_time_from_ms(o->ordered_at);
    s->o_amount[i] = o->amount;
    s->o_margin[i] = o->margin;
    return 0;
}

int rv_snapshot_add_event(struct rv_snapshot *s, const struct rv_event_in *e,
                          struct kith_error *err)
{
    int kind = rv_event_kind_from_name(e->kind);
    if (kind < 0)
        return kith_err(err, KITH_EINVAL, "unknown event kind '%s'", e->kind ? e->kind : "");
    int32_t a;
    if (events_reserve(s, s->nevents + 1) < 0 || account_index(s, e->account_id, &a) < 0)
        return oom(err, "adding an event");
    size_t i = s->nevents++;
    s->e_contact[i] = e->contact_id > 0 ? rv_snapshot_contact(s, e->contact_id) : RV_NONE;
    s->e_account[i] = a;
    if (!time_in_range(e->occurred_at))
        s->nclamped++;
    s->e_t[i] = rv_time_from_ms(e->occurred_at);
    s->e_kind[i] = (uint8_t)kind;
    return 0;
}

int rv_builder_add_order(struct rv_builder *b, const struct rv_order_in *o, struct kith_error *err)
{
    if (!b->frozen)
        BUG("order added before rv_builder_begin_interactions()");
    if (grow((void **)&b->orders, &b->orderscap, b->norders + 1, sizeof(*b->orders)) < 0)
        return oom(err, "reading orders");
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
    if (grow((void **)&b->events, &b->eventscap, b->nevents + 1, sizeof(*b->events)) < 0)
        return oom(err, "reading events");
    b->events[b->nevents] = *e;
    b->events[b->nevents].kind = rv_event_kind_name(kind);
    b->nevents++;
    return 0;
}

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
        int64_t *ids = malloc(cap * sizeof(*ids));
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
        sort(ids, n, sizeof(*ids), cmp_i64);
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
    if (orders_reserve(s, b->norders) < 0 || events_reserve(s, b->nevents) < 0)
        return KITH_ENOMEM;
    for (size_t i = 0; i < b->norders; i++)
        if (rv_snapshot_add_order(s, &b->orders[i], &ignored) < 0)
            return KITH_ENOMEM;
    for (size_t i = 0; i < b->nevents; i++)
        if (rv_snapshot_add_event(s, &b->events[i], &ignored) < 0)
            return KITH_ENOMEM;
    return 0;
}

/* Appends a contact without attributes (met only through an interaction). */
static int append_bare_contact(struct rv_snapshot *s, int64_t id, int32_t *out)
{
    if (contacts_reserve(s, s->nc + 1) < 0)
        return KITH_ENOMEM;
    size_t c = s->nc;
    struct b_contact d = {.id = id,
                          .industry = RV_NONE,
                          .territory = RV_NONE,
                          .source = RV_NONE,
                          .band = RV_NONE,
                          .community = -1};
    set_contact_attrs(s, c, &d, RV_NONE);
    s->start[c] = (uint32_t)s->nslots;
    s->count[c] = s->cap[c] = 0;
    empty_state(s, c);
    size_t k = by_id_lower(s->cid, s->by_id, s->nc, id);
    memmove(&s->by_id[k + 1], &s->by_id[k], (s->nc - k) * sizeof(*s->by_id));
    s->by_id[k] = (uint32_t)c;
    s->nc++;
    *out = (int32_t)c;
    return 0;
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
    struct run_key *k = malloc(n * sizeof(*k));
    struct packed *p = malloc(n * sizeof(*p));
    int64_t *ids = malloc(n * sizeof(*ids));
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
    sort(k, n, sizeof(*k), cmp_run_key);
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

/* Slot of interaction id in contact c's run, or -1. */
static int64_t find_in_run(const struct rv_snapshot *s, int32_t c, int64_t id)
{
    if (c < 0)
        return -1;
    for (size_t i = rv_run_begin(s, (size_t)c); i < rv_run_end(s, (size_t)c); i++)
        if (s->iid[i] == id)
            return (int64_t)i;
    return -1;
}

static int pending_add(struct rv_snapshot *s, int64_t id)
{
    if (rv_find_id(s->pending, s->npending, id) >= 0)
        return 0;
    if (grow((void **)&s->pending, &s->npendingcap, s->npending + 1, sizeof(int64_t)) < 0)
        return KITH_ENOMEM;
    size_t pos = s->npending;
    while (pos > 0 && s->pending[pos - 1] > id)
        pos--;
    memmove(&s->pending[pos + 1], &s->pending[pos], (s->npending - pos) * sizeof(int64_t));
    s->pending[pos] = id;
    s->npending++;
    return 0;
}

/* True (and forgets it) when id was voided before it arrived. */
static bool pending_take(struct rv_snapshot *s, int64_t id)
{
    int32_t k = rv_find_id(s->pending, s->npending, id);
    if (k < 0)
        return false;
    memmove(&s->pending[k], &s->pending[k + 1], (s->npending - (size_t)k - 1) * sizeof(int64_t));
    s->npending--;
    return true;
}

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
            int64_t at = find_in_run(s, rv_snapshot_contact(s, sg->voids[2 * v]), voided);
            if (at < 0) {
                if (!all) {
                    all = malloc((s->nlive ? s->nlive : 1) * sizeof(*all));
                    if (!all)
                        return KITH_ENOMEM;
                    size_t k = 0;
                    for (size_t c = 0; c < s->nc; c++)
                        for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++)
                            all[k++] = (struct slot_key){s->iid[i], (uint32_t)i};
                    sort(all, k, sizeof(*all), cmp_slot_key);
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
            } else if (pending_add(s, voided) < 0) {
                free(all);
                return KITH_ENOMEM;
            }
        }
    }
    free(all);
    return 0;
}

/* The work of resolve_contacts() for one segment. */
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
            if (grow((void **)&g->unknown, &g->unknowncap, 2 * g->nunknown + 2, sizeof(int64_t)) <
                0) {
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

/* The end of rv_builder_begin_early(): freezes the contacts, then turns the rows' ids into indices.
 */
static int end_contacts(struct rv_builder *b, struct kith_error *err)
{
    int rc = freeze_contacts(b, err);
    if (rc < 0)
        return rc;
    struct resolve_job jobs[8];
    for (unsigned g = 0; g < b->nseg; g++)
        jobs[g] = (struct resolve_job){b, g, 0};
    par_run(b->nseg, resolve_segment, jobs, sizeof(jobs[0]));
    for (unsigned g = 0; g < b->nseg; g++)
        if (jobs[g].rc < 0)
            return oom(err, "resolving the contacts of interactions");
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
            if (c < 0 && append_bare_contact(s, id, &c) < 0)
                return KITH_ENOMEM;
            sg->rows[sg->unknown[2 * u]].contact = c;
        }
    }
    return 0;
}

static void touch_slots(struct rv_snapshot *s, size_t from, size_t to);
static int slots_alloc(struct rv_snapshot *s, size_t cap);
#define RV_SLOT_HEADROOM_MIN 4096

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
    size_t *boff = calloc(nblocks + 1, sizeof(*boff));
    struct brow *tmp = bigmem_alloc(total * sizeof(*tmp));
    int rc = boff && tmp ? 0 : KITH_ENOMEM;
    for (unsigned g = 0; g < ns && rc == 0; g++) {
        jobs[g] = (struct place_job){.b = b, .g = g, .tmp = tmp, .boff = boff};
        jobs[g].cnt = bigmem_calloc(s->nc, sizeof(uint32_t));
        jobs[g].woff = calloc(nblocks, sizeof(size_t));
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
    if ((rc = slots_alloc(s, 2 * ready < UINT32_MAX ? 2 * ready : UINT32_MAX)) < 0)
        goto out_free;
    touch_slots(s, total, ready);
    s->slotready = ready;
    {
        /* blocks split by rows between the threads */
        uint32_t *w = malloc(nblocks * sizeof(*w));
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

/* Each contact's state, in parallel over ranges of contacts. */
struct state_job {
    struct rv_snapshot *s;
    size_t from, to;
};

static void store_state(struct rv_snapshot *s, size_t c);

static void *state_range(void *arg)
{
    struct state_job *j = arg;
    for (size_t c = j->from; c < j->to; c++)
        store_state(j->s, c);
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
        return oom(err, "grouping interactions");
    for (size_t c = 0; c < s->nc; c++)
        if (!run_sorted(s, c) && sort_run(s, c) < 0)
            return oom(err, "sorting interactions");
    if (resolve_voids(b) < 0)
        return oom(err, "resolving voided interactions");
    if (finish_outcomes(b) < 0)
        return oom(err, "reading orders and events");
    all_states(s, b->nseg);
    *out = s;
    b->s = NULL;
    return 0;
}

/* ---- the builder as a sink ---------------------------------------------------------------- */

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

/* ---- freeing ----------------------------------------------------------------------------- */

static void free_names(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void rv_snapshot_free(struct rv_snapshot *s)
{
    if (!s)
        return;
    void *arrays[] = {s->t,          s->iid,        s->rv,         s->type,       s->rep,
                      s->cost,       s->flags,      s->cid,        s->start,      s->count,
                      s->cap,        s->account,    s->team,       s->owner,      s->unit,
                      s->industry,   s->territory,  s->source,     s->band,       s->community,
                      s->by_id,      s->rv_total,   s->first,      s->last,       s->ncounted,
                      s->level,      s->account_id, s->types,      s->units.id,   s->teams.id,
                      s->teams.unit, s->users.id,   s->users.team, s->users.unit, s->o_contact,
                      s->o_account,  s->o_t,        s->o_amount,   s->o_margin,   s->e_contact,
                      s->e_account,  s->e_t,        s->e_kind,     s->pending};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        free(arrays[i]);
    free_names(s->units.name, s->units.n);
    free_names(s->teams.name, s->teams.n);
    free_names(s->users.email, s->users.n);
    free_names(s->users.name, s->users.n);
    dict_release(&s->industries);
    dict_release(&s->territories);
    dict_release(&s->sources);
    dict_release(&s->bands);
    free(s);
}

/* ---- incremental updates ------------------------------------------------------------------- */

/*
 * Makes room for at least need slots in the interaction arrays. The arrays are allocated with
 * twice the room they need (address space only), and the part runs can grow into is touched
 * ahead, an eighth (at least RV_SLOT_HEADROOM_MIN slots) at a time: a page fault at the tail
 * costs milliseconds on a virtual machine, and moving a block of huge pages with realloc close
 * to a second, neither of which should land on an update.
 */
static void touch_slots(struct rv_snapshot *s, size_t from, size_t to)
{
    if (to <= from)
        return;
    memset(s->t + from, 0, (to - from) * sizeof(*s->t));
    memset(s->iid + from, 0, (to - from) * sizeof(*s->iid));
    memset(s->rv + from, 0, (to - from) * sizeof(*s->rv));
    memset(s->type + from, 0, (to - from) * sizeof(*s->type));
    memset(s->rep + from, 0, (to - from) * sizeof(*s->rep));
    memset(s->cost + from, 0, (to - from) * sizeof(*s->cost));
    memset(s->flags + from, 0, (to - from) * sizeof(*s->flags));
}

static int slots_alloc(struct rv_snapshot *s, size_t cap)
{
    if (resize((void **)&s->t, cap, sizeof(*s->t)) < 0 ||
        resize((void **)&s->iid, cap, sizeof(*s->iid)) < 0 ||
        resize((void **)&s->rv, cap, sizeof(*s->rv)) < 0 ||
        resize((void **)&s->type, cap, sizeof(*s->type)) < 0 ||
        resize((void **)&s->rep, cap, sizeof(*s->rep)) < 0 ||
        resize((void **)&s->cost, cap, sizeof(*s->cost)) < 0 ||
        resize((void **)&s->flags, cap, sizeof(*s->flags)) < 0)
        return KITH_ENOMEM;
    s->slotcap = cap;
    return 0;
}

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
        int rc = slots_alloc(s, cap);
        if (rc < 0)
            return rc;
    }
    touch_slots(s, s->slotready, ready);
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

static void store_state(struct rv_snapshot *s, size_t c)
{
    struct rv_contact_state st;
    rv_contact_state_at(s, c, RV_TIME_MAX, &st);
    s->rv_total[c] = st.rv;
    s->first[c] = st.first;
    s->last[c] = st.last;
    s->ncounted[c] = st.ncounted;
    s->level[c] = st.level;
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

int rv_snapshot_add_interaction(struct rv_snapshot *s, const struct rv_interaction_in *row,
                                int64_t voids_contact_id, struct rv_update *out,
                                struct kith_error *err)
{
    struct rv_update up = {.contact = RV_NONE, .voided_contact = RV_NONE};
    int32_t type = rv_snapshot_type(s, row->type_id);
    int32_t rep = row->user_id > 0 ? rv_find_id(s->users.id, s->users.n, row->user_id) : RV_NONE;
    struct packed p;
    size_t nclamped = 0;
    pack_row(s, row, type, rep, &p, &nclamped);
    int32_t c = rv_snapshot_contact(s, row->contact_id);
    if (c >= 0 && find_in_run(s, c, row->id) >= 0)
        return kith_err(err, KITH_ECONFLICT, "interaction %lld is already in the snapshot",
                        (long long)row->id);
    if (c < 0) {
        if (append_bare_contact(s, row->contact_id, &c) < 0)
            return oom(err, "adding a contact to the snapshot");
        up.new_contact = true;
    }
    size_t ci = (size_t)c;
    read_state(s, ci, &up.before);
    if (s->count[ci] == s->cap[ci]) {
        int rc = run_grow(s, ci);
        if (rc < 0)
            return rc == KITH_ERANGE
                       ? kith_err(err, rc, "the snapshot is full (%u slots)", UINT32_MAX)
                       : oom(err, "adding an interaction to the snapshot");
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
    if (pending_take(s, row->id))
        s->flags[at] |= RV_VOIDED;
    s->count[ci]++;
    s->nlive++;
    s->nclamped += nclamped;
    if (row->voids_id > 0) {
        int32_t vc = voids_contact_id > 0 ? rv_snapshot_contact(s, voids_contact_id) : c;
        int64_t v = find_in_run(s, vc, row->voids_id);
        if (v < 0 && vc != c) /* the caller's hint was wrong: try the same contact */
            v = find_in_run(s, vc = c, row->voids_id);
        if (v >= 0) {
            s->flags[v] |= RV_VOIDED;
            if (vc != c) {
                store_state(s, (size_t)vc);
                up.voided_contact = vc;
            }
        } else if (pending_add(s, row->voids_id) < 0) {
            return oom(err, "remembering a void");
        }
    }
    store_state(s, ci);
    read_state(s, ci, &up.after);
    up.contact = c;
    if (out)
        *out = up;
    if (s->nholes > s->nlive / 2 + 65536)
        return rv_snapshot_compact(s, err);
    return 0;
}

int rv_snapshot_upsert_contact(struct rv_snapshot *s, const struct rv_contact_in *in,
                               struct kith_error *err)
{
    struct b_contact d;
    int rc = encode_contact(s, in, &d);
    if (rc < 0)
        return dict_error(rc, err);
    int32_t a;
    if (account_index(s, in->account_id, &a) < 0)
        return oom(err, "adding an account to the snapshot");
    int32_t c = rv_snapshot_contact(s, in->id);
    if (c < 0 && append_bare_contact(s, in->id, &c) < 0)
        return oom(err, "adding a contact to the snapshot");
    set_contact_attrs(s, (size_t)c, &d, a);
    return 0;
}

int rv_snapshot_compact(struct rv_snapshot *s, struct kith_error *err)
{
    size_t need = 0;
    for (size_t c = 0; c < s->nc; c++)
        need += s->cap[c];
    size_t ready = need + need / 32 + RV_SLOT_HEADROOM_MIN, cap = 2 * ready;
    if (ready > UINT32_MAX || cap > UINT32_MAX)
        ready = cap = UINT32_MAX > need ? UINT32_MAX : need;
    struct rv_snapshot n = {0};
    if (slots_alloc(&n, cap) < 0) {
        free(n.t);
        free(n.iid);
        free(n.rv);
        free(n.type);
        free(n.rep);
        free(n.cost);
        free(n.flags);
        return oom(err, "compacting the snapshot");
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
    touch_slots(&n, pos, ready);
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

/* ---- masks and sizes ---------------------------------------------------------------------- */

static int mask_alloc(const struct rv_snapshot *s, struct rv_mask *out, struct kith_error *err)
{
    out->n = s->nc;
    out->bits = calloc(s->nc ? s->nc : 1, 1);
    if (!out->bits)
        return oom(err, "making a contact mask");
    return 0;
}

static int64_t id_or_zero(const int64_t *ids, int32_t i)
{
    return i >= 0 ? ids[i] : 0;
}

int rv_mask_scope(const struct rv_snapshot *s, bool all, int64_t unit_id, int64_t team_id,
                  int64_t owner_id, struct rv_mask *out, struct kith_error *err)
{
    int rc = mask_alloc(s, out, err);
    if (rc < 0)
        return rc;
    for (size_t c = 0; c < s->nc; c++) {
        bool in = all || (unit_id > 0 && id_or_zero(s->units.id, s->unit[c]) == unit_id) ||
                  (team_id > 0 && id_or_zero(s->teams.id, s->team[c]) == team_id) ||
                  (owner_id > 0 && id_or_zero(s->users.id, s->owner[c]) == owner_id);
        out->bits[c] = in;
    }
    return 0;
}

int rv_mask_from_pred(const struct rv_snapshot *s, rv_contact_pred pred, void *ctx,
                      struct rv_mask *out, struct kith_error *err)
{
    int rc = mask_alloc(s, out, err);
    if (rc < 0)
        return rc;
    for (size_t c = 0; c < s->nc; c++)
        out->bits[c] = pred(ctx, s, c);
    return 0;
}

void rv_mask_release(struct rv_mask *m)
{
    if (!m)
        return;
    free(m->bits);
    m->bits = NULL;
    m->n = 0;
}

static size_t names_bytes(char *const *names, size_t n)
{
    size_t b = n * sizeof(char *);
    for (size_t i = 0; i < n; i++)
        b += strlen(names[i]) + 1;
    return b;
}

static size_t dict_bytes(const struct rv_dict *d)
{
    return names_bytes(d->names, d->n) + (d->cap / 2 - d->n) * sizeof(char *) +
           d->cap * sizeof(uint32_t);
}

size_t rv_snapshot_bytes(const struct rv_snapshot *s)
{
    size_t per_slot = sizeof(*s->t) + sizeof(*s->iid) + sizeof(*s->rv) + sizeof(*s->type) +
                      sizeof(*s->rep) + sizeof(*s->cost) + sizeof(*s->flags);
    size_t per_contact = sizeof(*s->cid) + sizeof(*s->start) + sizeof(*s->count) + sizeof(*s->cap) +
                         sizeof(*s->account) + sizeof(*s->team) + sizeof(*s->owner) +
                         sizeof(*s->unit) + sizeof(*s->industry) + sizeof(*s->territory) +
                         sizeof(*s->source) + sizeof(*s->band) + sizeof(*s->community) +
                         sizeof(*s->by_id) + sizeof(*s->rv_total) + sizeof(*s->first) +
                         sizeof(*s->last) + sizeof(*s->ncounted) + sizeof(*s->level);
    size_t per_order = 3 * sizeof(int32_t) + 2 * sizeof(int64_t);
    size_t per_event = 3 * sizeof(int32_t) + sizeof(uint8_t);
    return sizeof(*s) + s->slotready * per_slot + s->nccap * per_contact +
           s->nacctcap * sizeof(int64_t) + s->ntypes * sizeof(struct rv_type) +
           s->norderscap * per_order + s->neventscap * per_event +
           s->npendingcap * sizeof(int64_t) + s->units.n * sizeof(int64_t) +
           names_bytes(s->units.name, s->units.n) +
           s->teams.n * (sizeof(int64_t) + sizeof(int32_t)) +
           names_bytes(s->teams.name, s->teams.n) +
           s->users.n * (sizeof(int64_t) + 2 * sizeof(int32_t)) +
           names_bytes(s->users.email, s->users.n) + names_bytes(s->users.name, s->users.n) +
           dict_bytes(&s->industries) + dict_bytes(&s->territories) + dict_bytes(&s->sources) +
           dict_bytes(&s->bands);
}
