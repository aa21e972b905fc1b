/*
 * norm_int.h - what the files of the RV norms share and nobody else sees: the state of one
 * norm_compute() (struct work), a contact's keys in a grouping and the filters, inline because
 * they run once per contact, and the steps each file gives norm.c. The public interface is
 * norm.h; the method: docs/internals/rv.md ("Norms").
 *
 *   norm.c            norm_compute(): the per-contact pass, the groups and their rows' layout
 *   norm_keys.c       groupings and their keys: names, labels, ids, keys from text
 *   norm_subsets.c    the event and profit subsets (a contact may be in several)
 *   norm_rows.c       the rows of one group: a 2-D histogram, or sorted values for wide ranges
 *   norm_position.c   a contact's position in its groups: all at once, or one after an update
 *   norm_exceptions.c the contacts behind or ahead, most extreme first
 */
#ifndef KITH_ENGINE_NORM_INT_H
#define KITH_ENGINE_NORM_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/norm.h"
#include "engine/rv.h"

/* ---- one computation (norm.c) -----------------------------------------------------------------
 */

/*
 * A change of a contact's cumulative RV as the rows see it: from row b on (until the next run,
 * or the contact's last row) its value is v. Values beyond int32 saturate (that takes more than
 * 65,000 interactions of the largest RV).
 */
struct nrun {
    uint32_t b;
    int32_t v;
};

/* What one walk of each run gives (arrays of nc). */
struct work {
    struct norm_workspace *ws;
    const struct rv_snapshot *s;
    const struct norm_spec *spec;
    struct norm_result *r;
    int32_t at;
    int64_t width;    /* bucket width in seconds */
    uint32_t maxrows; /* 0: no cap */
    int32_t *first;
    uint32_t *nb; /* rows the contact appears in; 0 when it is not a member */
    int64_t *cur, *lo, *hi, *cost;
    int8_t *stage, *level;
    int8_t *trig_level; /* per type: its level when it is a trigger, else 0 */
    size_t *roff;       /* contact c's runs: runs[roff[c] .. roff[c] + nruns[c]) */
    uint32_t *nruns;
    struct nrun *runs; /* room for count[c] + 1 runs per contact */
    /* per group: its members' runs, each member as a header {nb, nruns} then its runs */
    size_t *soff; /* ngroups + 1 */
    struct nrun *stream;
    int64_t *glo, *ghi; /* the range of the group's values */
    size_t *gvals;      /* values the group's rows hold together */
    atomic_size_t next_group;
    int failed;
};

/* ---- keys and filters (norm_keys.c, inline for the per-contact loops) -------------------------
 */

#define MAX_KEYS 16

/* Number of keys of a dimension (keys are 0 .. n-1; -1 is none). */
size_t norm_dim_cardinality(const struct rv_snapshot *s, enum norm_dim dim);

/* norm_attribute_key() of norm.h, inline: keys_of() runs once per contact and group pass. */
static inline bool attribute_key(const struct rv_snapshot *s, enum norm_dim dim, size_t c,
                                 int32_t *key)
{
    switch (dim) {
    case NORM_TEAM:
        *key = s->team[c];
        return true;
    case NORM_REP:
        *key = s->owner[c];
        return true;
    case NORM_UNIT:
        *key = s->unit[c];
        return true;
    case NORM_INDUSTRY:
        *key = s->industry[c];
        return true;
    case NORM_TERRITORY:
        *key = s->territory[c];
        return true;
    case NORM_SOURCE:
        *key = s->source[c];
        return true;
    case NORM_BAND:
        *key = s->band[c];
        return true;
    case NORM_COMMUNITY:
        *key = s->community[c];
        return true;
    default:
        return false;
    }
}

/* The keys of contact c in dim (at least one: -1 for none), from the pass's or r's state. */
static inline size_t keys_of(const struct rv_snapshot *s, const struct norm_result *r,
                             enum norm_dim dim, size_t c, int stage, int level, int32_t *keys)
{
    uint32_t bits = 0;
    size_t n = 0;
    if (attribute_key(s, dim, c, &keys[0]))
        return 1;
    switch (dim) {
    case NORM_ALL:
        keys[0] = 0;
        return 1;
    case NORM_STAGE:
        keys[0] = stage;
        return 1;
    case NORM_LEVEL:
        keys[0] = level > 0 ? level : -1;
        return 1;
    case NORM_EVENT:
        bits = r->event_mask && c < r->nc ? r->event_mask[c] : 0;
        break;
    case NORM_PROFIT:
        bits = r->profit_mask && c < r->nc ? r->profit_mask[c] : 0;
        break;
    default:
        break;
    }
    for (int k = 0; k < MAX_KEYS; k++)
        if (bits & (1u << k))
            keys[n++] = k;
    if (!n)
        keys[n++] = -1;
    return n;
}

/* Whether contact c passes every filter of r's spec. */
static inline bool passes_filters(const struct rv_snapshot *s, const struct norm_result *r,
                                  size_t c, int stage, int level)
{
    const struct norm_spec *spec = &r->spec;
    int32_t keys[MAX_KEYS];
    for (size_t f = 0; f < spec->nfilters; f++) {
        size_t n = keys_of(s, r, spec->filters[f].dim, c, stage, level, keys);
        bool hit = false;
        for (size_t k = 0; k < n && !hit; k++)
            hit = keys[k] == spec->filters[f].key;
        if (!hit)
            return false;
    }
    return true;
}

/* ---- the steps of norm_compute() in the other files ------------------------------------------ */

/* The event and profit subsets of the members (norm_subsets.c). 0 or KITH_ENOMEM. */
int norm_event_masks(struct work *w);
int norm_profit_masks(struct work *w);

/* A par_run worker (arg: the struct work): computes the rows of the groups it takes in turn
 * (norm_rows.c); sets w->failed when out of memory. */
void *norm_group_worker(void *arg);

/* Every visible member's position in each of its groups (norm_position.c). 0 or KITH_ENOMEM. */
int norm_positions(struct work *w);

#endif
