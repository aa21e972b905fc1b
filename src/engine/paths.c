/*
 * paths.c - digital paths: each contact's outcome, its sequence of steps from the first touch
 * (repeats collapsed, cut at max_length), the prefix tree that counts them, and the frequent
 * nodes and common paths to the outcome with their conversion and median duration. The method
 * and its definitions: paths.h and docs/voice.md ("Digital paths").
 */
#include "engine/paths.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

static int oom(struct kith_error *err)
{
    return kith_err(err, KITH_ENOMEM, "out of memory mining the paths");
}

void paths_result_release(struct paths_result *r)
{
    free(r->nodes);
    free(r->paths);
    memset(r, 0, sizeof(*r));
}

void paths_contact_release(struct paths_contact *p)
{
    free(p->steps);
    memset(p, 0, sizeof(*p));
}

/* ---- outcomes ---------------------------------------------------------------------------- */

static void lower(int32_t *at, int32_t t)
{
    if (t < *at)
        *at = t;
}

int paths_outcomes(const struct rv_snapshot *s, const struct paths_spec *spec, int32_t **out,
                   int64_t **slot, struct kith_error *err)
{
    *out = NULL;
    if (slot)
        *slot = NULL;
    int32_t *at = alloc_array(s->nc ? s->nc : 1, sizeof(*at));
    int32_t *acct = alloc_array(s->nacct ? s->nacct : 1, sizeof(*acct));
    int64_t *sl = slot ? alloc_array(s->nc ? s->nc : 1, sizeof(*sl)) : NULL;
    if (!at || !acct || (slot && !sl)) {
        free(at);
        free(acct);
        free(sl);
        return oom(err);
    }
    for (size_t c = 0; c < s->nc; c++) {
        at[c] = RV_TIME_MAX;
        if (sl)
            sl[c] = -1;
    }
    for (size_t a = 0; a < s->nacct; a++)
        acct[a] = RV_TIME_MAX;
    if (spec->outcome == PATHS_PURCHASE) {
        for (size_t o = 0; o < s->norders; o++) {
            if (s->o_return[o])
                continue;
            if (s->o_contact[o] >= 0)
                lower(&at[s->o_contact[o]], s->o_t[o]);
            else if (s->o_account[o] >= 0)
                lower(&acct[s->o_account[o]], s->o_t[o]);
        }
    } else if (spec->outcome == PATHS_CHURN) {
        const int churn = rv_event_kind_from_name("churn");
        for (size_t e = 0; e < s->nevents; e++) {
            if (s->e_kind[e] != churn)
                continue;
            if (s->e_contact[e] >= 0)
                lower(&at[s->e_contact[e]], s->e_t[e]);
            else if (s->e_account[e] >= 0)
                lower(&acct[s->e_account[e]], s->e_t[e]);
        }
    } else {
        for (size_t c = 0; c < s->nc; c++)
            for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++)
                if (rv_counts(s, i) && s->type[i] >= 0 && spec->service[s->type[i]]) {
                    at[c] = s->t[i];
                    if (sl)
                        sl[c] = (int64_t)i;
                    break;
                }
    }
    if (spec->outcome != PATHS_SERVICE)
        for (size_t c = 0; c < s->nc; c++)
            if (s->account[c] >= 0)
                lower(&at[c], acct[s->account[c]]);
    free(acct);
    *out = at;
    if (slot)
        *slot = sl;
    return 0;
}

/* True when slot i of a contact whose outcome is (t, oslot) comes before it. */
static bool before_outcome(const struct rv_snapshot *s, size_t i, int32_t t, int64_t oslot)
{
    if (oslot >= 0)
        return (int64_t)i < oslot;
    return s->t[i] < t;
}

/* ---- the prefix tree --------------------------------------------------------------------- */

struct tnode {
    int32_t parent;
    int16_t step;
    uint8_t depth;
    int64_t contacts, converted, here, stopped;
};

struct tree {
    struct tnode *n;
    size_t len, cap;
    uint32_t *slots; /* open addressing: node index + 1, 0 empty */
    size_t nslots;   /* a power of two */
};

static uint64_t key_hash(int32_t parent, int16_t step)
{
    uint64_t k = ((uint64_t)(uint32_t)(parent + 1) << 16) | (uint16_t)step;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static int tree_grow_slots(struct tree *t)
{
    size_t ns = t->nslots ? t->nslots * 2 : 1024;
    uint32_t *slots = calloc(ns, sizeof(*slots));
    if (!slots)
        return KITH_ENOMEM;
    for (size_t i = 0; i < t->len; i++) {
        size_t h = (size_t)key_hash(t->n[i].parent, t->n[i].step) & (ns - 1);
        while (slots[h])
            h = (h + 1) & (ns - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = ns;
    return 0;
}

/* The child of parent by step, made when missing; -1 when out of memory. */
static int32_t tree_child(struct tree *t, int32_t parent, int16_t step, uint8_t depth)
{
    if ((t->len + 1) * 2 > t->nslots && tree_grow_slots(t) < 0)
        return -1;
    size_t h = (size_t)key_hash(parent, step) & (t->nslots - 1);
    while (t->slots[h]) {
        const struct tnode *n = &t->n[t->slots[h] - 1];
        if (n->parent == parent && n->step == step)
            return (int32_t)(t->slots[h] - 1);
        h = (h + 1) & (t->nslots - 1);
    }
    if (t->len == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        struct tnode *n = alloc_array_grow(t->n, cap, sizeof(*n));
        if (!n)
            return -1;
        t->n = n;
        t->cap = cap;
    }
    if (t->len >= INT32_MAX - 1)
        return -1;
    t->n[t->len] = (struct tnode){.parent = parent, .step = step, .depth = depth};
    t->slots[h] = (uint32_t)t->len + 1;
    return (int32_t)t->len++;
}

/* ---- medians ----------------------------------------------------------------------------- */

struct dur {
    int32_t node;
    int32_t secs;
};

static int dur_cmp(const void *pa, const void *pb)
{
    const struct dur *a = pa, *b = pb;
    if (a->node != b->node)
        return (a->node > b->node) - (a->node < b->node);
    return (a->secs > b->secs) - (a->secs < b->secs);
}

static int secs_cmp(const void *pa, const void *pb)
{
    const int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* The median of v[0..n) (sorted) in days. */
static double median_days(const int32_t *v, size_t n)
{
    if (!n)
        return NAN;
    return ((double)v[(n - 1) / 2] + (double)v[n / 2]) / 2.0 / RV_DAY;
}

/* ---- compute ----------------------------------------------------------------------------- */

static int check_spec(const struct rv_snapshot *s, const struct paths_spec *spec,
                      struct kith_error *err)
{
    if (spec->max_length < 1 || spec->max_length > PATHS_MAX_LENGTH)
        return kith_err(err, KITH_EINVAL, "the length of a path must be 1 to %d steps",
                        PATHS_MAX_LENGTH);
    if (spec->min_support < 1)
        return kith_err(err, KITH_EINVAL, "the support must be at least one contact");
    if (spec->nsteps > PATHS_MAX_STEPS || (s->ntypes && !spec->step_of_type))
        return kith_err(err, KITH_EINVAL, "the steps of the catalogue are missing");
    if (spec->outcome == PATHS_SERVICE && s->ntypes && !spec->service)
        return kith_err(err, KITH_EINVAL, "the service outcome needs its interaction types");
    return 0;
}

/* Sorting the frequent nodes: by parent (already renumbered), contacts (desc), step. */
struct fnode {
    int32_t old, parent_new;
    int64_t contacts;
    int16_t step;
};

static int fnode_cmp(const void *pa, const void *pb)
{
    const struct fnode *a = pa, *b = pb;
    if (a->parent_new != b->parent_new)
        return (a->parent_new > b->parent_new) - (a->parent_new < b->parent_new);
    if (a->contacts != b->contacts)
        return (a->contacts < b->contacts) - (a->contacts > b->contacts);
    return (a->step > b->step) - (a->step < b->step);
}

struct pkey {
    int64_t here;
    int32_t depth, idx;
};

static int pkey_cmp(const void *pa, const void *pb)
{
    const struct pkey *a = pa, *b = pb;
    if (a->here != b->here)
        return (a->here < b->here) - (a->here > b->here);
    if (a->depth != b->depth)
        return (a->depth > b->depth) - (a->depth < b->depth);
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * Keeps the nodes of >= min_support contacts, breadth first (a parent before its children),
 * siblings by contacts then step, and picks the common paths.
 */
static int select_nodes(const struct tree *t, const double *med, const struct paths_spec *spec,
                        struct paths_result *out)
{
    int32_t *newidx = alloc_array(t->len ? t->len : 1, sizeof(*newidx));
    struct fnode *level = alloc_array(t->len ? t->len : 1, sizeof(*level));
    out->nodes = alloc_array(t->len ? t->len : 1, sizeof(*out->nodes));
    if (!newidx || !level || !out->nodes) {
        free(newidx);
        free(level);
        return KITH_ENOMEM;
    }
    for (size_t i = 0; i < t->len; i++)
        newidx[i] = -1;
    /* depth by depth: the frequent nodes whose parent was kept */
    for (int d = 1; d <= spec->max_length; d++) {
        size_t n = 0;
        for (size_t i = 0; i < t->len; i++) {
            const struct tnode *x = &t->n[i];
            if (x->depth != d || x->contacts < spec->min_support)
                continue;
            int32_t pn = x->parent < 0 ? -1 : newidx[x->parent];
            if (x->parent >= 0 && pn < 0)
                continue; /* cannot happen: a child never counts more than its parent */
            level[n++] = (struct fnode){(int32_t)i, pn, x->contacts, x->step};
        }
        qsort(level, n, sizeof(*level), fnode_cmp);
        for (size_t j = 0; j < n; j++) {
            const struct tnode *x = &t->n[level[j].old];
            newidx[level[j].old] = (int32_t)out->nnodes;
            out->nodes[out->nnodes++] = (struct paths_node){.parent = level[j].parent_new,
                                                            .step = x->step,
                                                            .depth = x->depth,
                                                            .contacts = x->contacts,
                                                            .converted = x->converted,
                                                            .here = x->here,
                                                            .stopped = x->stopped,
                                                            .median_days = med[level[j].old]};
        }
    }
    free(level);
    free(newidx);
    out->paths = alloc_array(out->nnodes ? out->nnodes : 1, sizeof(*out->paths));
    struct pkey *keys = alloc_array(out->nnodes ? out->nnodes : 1, sizeof(*keys));
    if (!out->paths || !keys) {
        free(keys);
        return KITH_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < out->nnodes; i++)
        if (out->nodes[i].here >= spec->min_support)
            keys[n++] = (struct pkey){out->nodes[i].here, out->nodes[i].depth, (int32_t)i};
    qsort(keys, n, sizeof(*keys), pkey_cmp);
    for (size_t i = 0; i < n; i++)
        out->paths[i] = keys[i].idx;
    out->npaths = n;
    free(keys);
    return 0;
}

int paths_compute(const struct rv_snapshot *s, const struct paths_spec *spec,
                  struct paths_result *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->median_days = NAN;
    int rc = check_spec(s, spec, err);
    if (rc < 0)
        return rc;
    int32_t *at = NULL;
    int64_t *oslot = NULL;
    if (paths_outcomes(s, spec, &at, spec->outcome == PATHS_SERVICE ? &oslot : NULL, err) < 0)
        return KITH_ENOMEM;
    struct tree t = {0};
    struct dur *durs = alloc_array(s->nc ? s->nc : 1, sizeof(*durs));
    double *med = NULL;
    size_t ndur = 0;
    rc = KITH_ENOMEM;
    if (!durs || tree_grow_slots(&t) < 0)
        goto out_free;
    const int L = spec->max_length;
    for (size_t c = 0; c < s->nc; c++) {
        if (!rv_mask_has(spec->mask, c))
            continue;
        const int64_t os = oslot ? oslot[c] : -1;
        const bool reached = at[c] != RV_TIME_MAX;
        int16_t steps[PATHS_MAX_LENGTH];
        int n = 0;
        int32_t first = 0;
        for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
            if (!rv_counts(s, i) || s->type[i] < 0)
                continue;
            if (reached && !before_outcome(s, i, at[c], os))
                break;
            const int16_t st = spec->step_of_type[s->type[i]];
            if (n && steps[n - 1] == st)
                continue;
            if (n == L)
                break; /* a further step: the path is cut here */
            if (!n)
                first = s->t[i];
            steps[n++] = st;
        }
        if (!n) {
            out->without_path += reached;
            continue;
        }
        out->contacts++;
        out->converted += reached;
        int32_t node = -1;
        for (int d = 0; d < n; d++) {
            node = tree_child(&t, node, steps[d], (uint8_t)(d + 1));
            if (node < 0)
                goto out_free;
            t.n[node].contacts++;
            t.n[node].converted += reached;
        }
        if (reached) {
            t.n[node].here++;
            durs[ndur++] = (struct dur){node, at[c] - first};
        } else {
            t.n[node].stopped++;
        }
    }
    /* the median duration of each node's `here` contacts, and of all the converted */
    med = alloc_array(t.len ? t.len : 1, sizeof(*med));
    int32_t *all = alloc_array(ndur ? ndur : 1, sizeof(*all));
    if (!med || !all) {
        free(all);
        goto out_free;
    }
    for (size_t i = 0; i < t.len; i++)
        med[i] = NAN;
    for (size_t i = 0; i < ndur; i++)
        all[i] = durs[i].secs;
    qsort(all, ndur, sizeof(*all), secs_cmp);
    out->median_days = median_days(all, ndur);
    qsort(durs, ndur, sizeof(*durs), dur_cmp);
    for (size_t i = 0; i < ndur;) {
        size_t j = i;
        while (j < ndur && durs[j].node == durs[i].node) {
            all[j - i] = durs[j].secs; /* in order already */
            j++;
        }
        med[durs[i].node] = median_days(all, j - i);
        i = j;
    }
    free(all);
    rc = select_nodes(&t, med, spec, out);
out_free:
    if (rc < 0) {
        paths_result_release(out);
        oom(err);
    }
    free(med);
    free(durs);
    free(t.n);
    free(t.slots);
    free(at);
    free(oslot);
    return rc;
}

int paths_contact_compute(const struct rv_snapshot *s, const struct paths_spec *spec, size_t c,
                          struct paths_contact *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->outcome_slot = -1;
    if (c >= s->nc)
        return kith_err(err, KITH_EINVAL, "no such contact");
    if (s->ntypes && !spec->step_of_type)
        return kith_err(err, KITH_EINVAL, "the steps of the catalogue are missing");
    if (spec->outcome == PATHS_SERVICE && s->ntypes && !spec->service)
        return kith_err(err, KITH_EINVAL, "the service outcome needs its interaction types");
    int32_t *at = NULL;
    int64_t *oslot = NULL;
    if (paths_outcomes(s, spec, &at, spec->outcome == PATHS_SERVICE ? &oslot : NULL, err) < 0)
        return KITH_ENOMEM;
    out->reached = at[c] != RV_TIME_MAX;
    out->outcome_t = at[c];
    out->outcome_slot = oslot ? oslot[c] : -1;
    free(at);
    free(oslot);
    size_t cap = 0;
    for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
        if (!rv_counts(s, i) || s->type[i] < 0)
            continue;
        if (out->reached && !before_outcome(s, i, out->outcome_t, out->outcome_slot))
            break;
        const int16_t st = spec->step_of_type[s->type[i]];
        if (out->n && out->steps[out->n - 1].step == st) {
            out->steps[out->n - 1].count++;
            continue;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            struct paths_step *g = alloc_array_grow(out->steps, cap, sizeof(*g));
            if (!g) {
                paths_contact_release(out);
                return oom(err);
            }
            out->steps = g;
        }
        out->steps[out->n++] = (struct paths_step){st, (uint32_t)i, 1};
    }
    return 0;
}
