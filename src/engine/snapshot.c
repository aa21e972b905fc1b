/*
 * snapshot.c - the storage of the columnar RV snapshot, shared by building and updating: times
 * and the model's names, growth of the contact, slot, order and event arrays, contact state,
 * accounts, pending voids, and freeing. The other parts: snapshot_int.h. Layout and invariants:
 * docs/internals/rv.md ("The snapshot").
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rv.h"
#include "model/table.h"
#include "util/bigmem.h"

#include "util/banned.h"

/* ---- times and the model's names ------------------------------------------------------------- */

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

int8_t snap_community_index(const char *name)
{
    return (int8_t)enum_index(model_enum("contacts", "community_role"), name);
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

/* ---- allocation ------------------------------------------------------------------------------ */

int snap_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap + *cap / 2 : 16;
    if (ncap < need)
        ncap = need;
    if (snap_resize(p, ncap, size) < 0)
        return KITH_ENOMEM;
    *cap = ncap;
    return 0;
}

/*
 * Not util/alloc.h's alloc_array_grow(): the snapshot's arrays are read at random, so they go
 * through bigmem (huge pages). It returns at least a byte for n == 0 as alloc_array_grow() does;
 * the product is checked here.
 */
int snap_resize(void **p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return KITH_ENOMEM;
    void *np = bigmem_realloc(*p, n * size);
    if (!np)
        return KITH_ENOMEM;
    *p = np;
    return 0;
}

char *snap_dup_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

int snap_oom(struct kith_error *err, const char *what)
{
    return kith_err(err, KITH_ENOMEM, "out of memory %s", what);
}

/* qsort, which must not see a NULL base even for no elements. */
void snap_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

int snap_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* ---- contacts, accounts, orders and events --------------------------------------------------- */

/* Allocates the contact arrays of s for cap contacts (keeping the first s->nc). */
int snap_contacts_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->nccap)
        return 0;
    size_t cap = s->nccap ? s->nccap + s->nccap / 2 : 64;
    if (cap < need)
        cap = need;
    if (snap_resize((void **)&s->cid, cap, sizeof(*s->cid)) < 0 ||
        snap_resize((void **)&s->start, cap, sizeof(*s->start)) < 0 ||
        snap_resize((void **)&s->count, cap, sizeof(*s->count)) < 0 ||
        snap_resize((void **)&s->cap, cap, sizeof(*s->cap)) < 0 ||
        snap_resize((void **)&s->account, cap, sizeof(*s->account)) < 0 ||
        snap_resize((void **)&s->team, cap, sizeof(*s->team)) < 0 ||
        snap_resize((void **)&s->owner, cap, sizeof(*s->owner)) < 0 ||
        snap_resize((void **)&s->unit, cap, sizeof(*s->unit)) < 0 ||
        snap_resize((void **)&s->industry, cap, sizeof(*s->industry)) < 0 ||
        snap_resize((void **)&s->territory, cap, sizeof(*s->territory)) < 0 ||
        snap_resize((void **)&s->source, cap, sizeof(*s->source)) < 0 ||
        snap_resize((void **)&s->band, cap, sizeof(*s->band)) < 0 ||
        snap_resize((void **)&s->community, cap, sizeof(*s->community)) < 0 ||
        snap_resize((void **)&s->by_id, cap, sizeof(*s->by_id)) < 0 ||
        snap_resize((void **)&s->rv_total, cap, sizeof(*s->rv_total)) < 0 ||
        snap_resize((void **)&s->first, cap, sizeof(*s->first)) < 0 ||
        snap_resize((void **)&s->last, cap, sizeof(*s->last)) < 0 ||
        snap_resize((void **)&s->ncounted, cap, sizeof(*s->ncounted)) < 0 ||
        snap_resize((void **)&s->level, cap, sizeof(*s->level)) < 0)
        return KITH_ENOMEM;
    s->nccap = cap;
    return 0;
}

/*
 * Accounts are few next to interactions and only ever grouped on, so they are kept as a sorted
 * id array; a new account in the middle shifts the indices of the later ones, which are then
 * renumbered in the contact and order arrays (rare: accounts are created before their contacts).
 */
int snap_account_index(struct rv_snapshot *s, int64_t id, int32_t *out)
{
    *out = RV_NONE;
    if (id <= 0)
        return 0;
    int32_t k = rv_find_id(s->account_id, s->nacct, id);
    if (k >= 0) {
        *out = k;
        return 0;
    }
    if (snap_grow((void **)&s->account_id, &s->nacctcap, s->nacct + 1, sizeof(*s->account_id)) < 0)
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
void snap_set_contact_attrs(struct rv_snapshot *s, size_t c, const struct b_contact *d,
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

void snap_empty_state(struct rv_snapshot *s, size_t c)
{
    s->rv_total[c] = 0;
    s->first[c] = RV_TIME_MAX;
    s->last[c] = RV_TIME_MIN;
    s->ncounted[c] = 0;
    s->level[c] = 0;
}

int snap_orders_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->norderscap)
        return 0;
    size_t cap = s->norderscap ? s->norderscap * 2 : 256;
    if (cap < need)
        cap = need;
    if (snap_resize((void **)&s->o_contact, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->o_account, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->o_t, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->o_amount, cap, sizeof(int64_t)) < 0 ||
        snap_resize((void **)&s->o_margin, cap, sizeof(int64_t)) < 0 ||
        snap_resize((void **)&s->o_return, cap, sizeof(uint8_t)) < 0)
        return KITH_ENOMEM;
    s->norderscap = cap;
    return 0;
}

int snap_events_reserve(struct rv_snapshot *s, size_t need)
{
    if (need <= s->neventscap)
        return 0;
    size_t cap = s->neventscap ? s->neventscap * 2 : 256;
    if (cap < need)
        cap = need;
    if (snap_resize((void **)&s->e_contact, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->e_account, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->e_t, cap, sizeof(int32_t)) < 0 ||
        snap_resize((void **)&s->e_kind, cap, sizeof(uint8_t)) < 0)
        return KITH_ENOMEM;
    s->neventscap = cap;
    return 0;
}

/* Appends a contact without attributes (met only through an interaction). */
int snap_append_bare_contact(struct rv_snapshot *s, int64_t id, int32_t *out)
{
    if (snap_contacts_reserve(s, s->nc + 1) < 0)
        return KITH_ENOMEM;
    size_t c = s->nc;
    struct b_contact d = {.id = id,
                          .industry = RV_NONE,
                          .territory = RV_NONE,
                          .source = RV_NONE,
                          .band = RV_NONE,
                          .community = -1};
    snap_set_contact_attrs(s, c, &d, RV_NONE);
    s->start[c] = (uint32_t)s->nslots;
    s->count[c] = s->cap[c] = 0;
    snap_empty_state(s, c);
    size_t k = snap_by_id_lower(s->cid, s->by_id, s->nc, id);
    memmove(&s->by_id[k + 1], &s->by_id[k], (s->nc - k) * sizeof(*s->by_id));
    s->by_id[k] = (uint32_t)c;
    s->nc++;
    *out = (int32_t)c;
    return 0;
}

/* ---- runs, pending voids and state ----------------------------------------------------------- */

/* Slot of interaction id in contact c's run, or -1. */
int64_t snap_find_in_run(const struct rv_snapshot *s, int32_t c, int64_t id)
{
    if (c < 0)
        return -1;
    for (size_t i = rv_run_begin(s, (size_t)c); i < rv_run_end(s, (size_t)c); i++)
        if (s->iid[i] == id)
            return (int64_t)i;
    return -1;
}

int snap_pending_add(struct rv_snapshot *s, int64_t id)
{
    if (rv_find_id(s->pending, s->npending, id) >= 0)
        return 0;
    if (snap_grow((void **)&s->pending, &s->npendingcap, s->npending + 1, sizeof(int64_t)) < 0)
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
bool snap_pending_take(struct rv_snapshot *s, int64_t id)
{
    int32_t k = rv_find_id(s->pending, s->npending, id);
    if (k < 0)
        return false;
    memmove(&s->pending[k], &s->pending[k + 1], (s->npending - (size_t)k - 1) * sizeof(int64_t));
    s->npending--;
    return true;
}

/* ---- slots ----------------------------------------------------------------------------------- */

void snap_touch_slots(struct rv_snapshot *s, size_t from, size_t to)
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

int snap_slots_alloc(struct rv_snapshot *s, size_t cap)
{
    if (snap_resize((void **)&s->t, cap, sizeof(*s->t)) < 0 ||
        snap_resize((void **)&s->iid, cap, sizeof(*s->iid)) < 0 ||
        snap_resize((void **)&s->rv, cap, sizeof(*s->rv)) < 0 ||
        snap_resize((void **)&s->type, cap, sizeof(*s->type)) < 0 ||
        snap_resize((void **)&s->rep, cap, sizeof(*s->rep)) < 0 ||
        snap_resize((void **)&s->cost, cap, sizeof(*s->cost)) < 0 ||
        snap_resize((void **)&s->flags, cap, sizeof(*s->flags)) < 0)
        return KITH_ENOMEM;
    s->slotcap = cap;
    return 0;
}

void snap_store_state(struct rv_snapshot *s, size_t c)
{
    struct rv_contact_state st;
    rv_contact_state_at(s, c, RV_TIME_MAX, &st);
    s->rv_total[c] = st.rv;
    s->first[c] = st.first;
    s->last[c] = st.last;
    s->ncounted[c] = st.ncounted;
    s->level[c] = st.level;
}

/* ---- freeing --------------------------------------------------------------------------------- */

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
                      s->o_account,  s->o_t,        s->o_amount,   s->o_margin,   s->o_return,
                      s->e_contact,  s->e_account,  s->e_t,        s->e_kind,     s->pending};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        free(arrays[i]);
    free_names(s->units.name, s->units.n);
    free_names(s->teams.name, s->teams.n);
    free_names(s->users.email, s->users.n);
    free_names(s->users.name, s->users.n);
    snap_dict_release(&s->industries);
    snap_dict_release(&s->territories);
    snap_dict_release(&s->sources);
    snap_dict_release(&s->bands);
    free(s);
}
