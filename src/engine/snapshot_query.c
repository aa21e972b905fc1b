/*
 * snapshot_query.c - reading a built snapshot: contacts and types by id, the scope masks the API
 * filters with, and the bytes a snapshot occupies.
 */
#include "engine/snapshot_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* ---- lookups by id --------------------------------------------------------------------------- */

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

size_t snap_by_id_lower(const int64_t *ids, const uint32_t *by_id, size_t n, int64_t id)
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
    size_t k = snap_by_id_lower(s->cid, s->by_id, s->nc, id);
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

/* ---- masks ----------------------------------------------------------------------------------- */

static int mask_alloc(const struct rv_snapshot *s, struct rv_mask *out, struct kith_error *err)
{
    out->n = s->nc;
    out->bits = alloc_array_zero(s->nc, 1);
    if (!out->bits)
        return snap_oom(err, "making a contact mask");
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

/* ---- size ------------------------------------------------------------------------------------ */

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
    size_t per_order = 3 * sizeof(int32_t) + 2 * sizeof(int64_t) + sizeof(uint8_t);
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
