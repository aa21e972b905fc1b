/*
 * norm.c - RV norms by age bucket for any grouping and filters, and each contact's position.
 * A group's rows come from a 2-D histogram (bucket x RV value) filled with one +1/-1 pair per
 * change of a contact's cumulative RV and summed along the buckets, so the work is linear in
 * interactions plus buckets x RV range; groups with a wide range sort their values instead.
 * Both paths give the same numbers. docs/internals/rv.md ("Norms").
 */
#include "engine/norm.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/num.h"
#include "util/par.h"
#include "engine/quantile.h"
#include "engine/rv.h"
#include "util/bigmem.h"

#include "util/banned.h"

/* ---- dimensions and keys ------------------------------------------------------------------ */

static const char *const dim_names[NORM_NDIMS] = {
    "all",          "team",  "rep",   "unit",  "industry", "territory", "source",
    "revenue_band", "stage", "level", "event", "profit",   "community",
};

static const char *const profit_names[NORM_NPROFIT] = {"high", "low", "potential"};

const char *norm_dim_name(enum norm_dim dim)
{
    return (unsigned)dim < NORM_NDIMS ? dim_names[dim] : "?";
}

int norm_dim_from_name(const char *name, enum norm_dim *out, struct kith_error *err)
{
    static const struct {
        const char *alias;
        enum norm_dim dim;
    } aliases[] = {{"owner", NORM_REP},
                   {"band", NORM_BAND},
                   {"community_role", NORM_COMMUNITY},
                   {"events", NORM_EVENT}};
    for (int d = 0; d < NORM_NDIMS; d++) {
        if (strcmp(name, dim_names[d]) == 0) {
            *out = (enum norm_dim)d;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        if (strcmp(name, aliases[i].alias) == 0) {
            *out = aliases[i].dim;
            return 0;
        }
    }
    return kith_err(err, KITH_EINVAL,
                    "cannot group by '%s'; use one of all, team, rep, unit, industry, territory,"
                    " source, revenue_band, stage, level, event, profit, community",
                    name);
}

/* Number of keys of a dimension (keys are 0 .. n-1; -1 is none). */
static size_t dim_cardinality(const struct rv_snapshot *s, enum norm_dim dim)
{
    switch (dim) {
    case NORM_ALL:
        return 1;
    case NORM_TEAM:
        return s->teams.n;
    case NORM_REP:
        return s->users.n;
    case NORM_UNIT:
        return s->units.n;
    case NORM_INDUSTRY:
        return s->industries.n;
    case NORM_TERRITORY:
        return s->territories.n;
    case NORM_SOURCE:
        return s->sources.n;
    case NORM_BAND:
        return s->bands.n;
    case NORM_STAGE:
        return RV_NSTAGES;
    case NORM_LEVEL:
        return (size_t)s->nlevels + 1;
    case NORM_EVENT:
        return rv_event_kind_count();
    case NORM_PROFIT:
        return NORM_NPROFIT;
    case NORM_COMMUNITY:
        return RV_NCOMMUNITY;
    case NORM_NDIMS:
        break;
    }
    return 0;
}

const char *norm_key_label(const struct rv_snapshot *s, enum norm_dim dim, int32_t key, char *buf,
                           size_t size)
{
    const char *name = NULL;
    if (key < 0) {
        snprintf(buf, size, "(none)");
        return buf;
    }
    switch (dim) {
    case NORM_ALL:
        name = "all";
        break;
    case NORM_TEAM:
        name = (size_t)key < s->teams.n ? s->teams.name[key] : NULL;
        break;
    case NORM_REP:
        name = (size_t)key < s->users.n ? s->users.name[key] : NULL;
        break;
    case NORM_UNIT:
        name = (size_t)key < s->units.n ? s->units.name[key] : NULL;
        break;
    case NORM_INDUSTRY:
        name = rv_dict_name(&s->industries, key);
        break;
    case NORM_TERRITORY:
        name = rv_dict_name(&s->territories, key);
        break;
    case NORM_SOURCE:
        name = rv_dict_name(&s->sources, key);
        break;
    case NORM_BAND:
        name = rv_dict_name(&s->bands, key);
        break;
    case NORM_STAGE:
        name = rv_stage_name(key);
        break;
    case NORM_LEVEL:
        snprintf(buf, size, "%d", (int)key);
        return buf;
    case NORM_EVENT:
        name = rv_event_kind_name(key);
        break;
    case NORM_PROFIT:
        name = key < NORM_NPROFIT ? profit_names[key] : NULL;
        break;
    case NORM_COMMUNITY:
        name = rv_community_name(key);
        break;
    case NORM_NDIMS:
        break;
    }
    snprintf(buf, size, "%s", name ? name : "?");
    return buf;
}

int64_t norm_key_id(const struct rv_snapshot *s, enum norm_dim dim, int32_t key)
{
    if (key < 0)
        return 0;
    if (dim == NORM_TEAM && (size_t)key < s->teams.n)
        return s->teams.id[key];
    if (dim == NORM_REP && (size_t)key < s->users.n)
        return s->users.id[key];
    if (dim == NORM_UNIT && (size_t)key < s->units.n)
        return s->units.id[key];
    return 0;
}

/* An id written "12" or "#12"; false if text is not one. */
static bool parse_id(const char *text, int64_t *id)
{
    if (*text == '#')
        text++;
    return num_int64(text, 1, INT64_MAX, id, "id", NULL) == 0;
}

int norm_key_from_text(const struct rv_snapshot *s, enum norm_dim dim, const char *text,
                       int32_t *key, struct kith_error *err)
{
    char label[256];
    int64_t id;
    if (strcasecmp(text, "none") == 0 || strcmp(text, "(none)") == 0) {
        *key = -1;
        return 0;
    }
    if ((dim == NORM_TEAM || dim == NORM_REP || dim == NORM_UNIT) && parse_id(text, &id)) {
        const int64_t *ids = dim == NORM_TEAM  ? s->teams.id
                             : dim == NORM_REP ? s->users.id
                                               : s->units.id;
        size_t n = dim_cardinality(s, dim);
        if ((*key = rv_find_id(ids, n, id)) >= 0)
            return 0;
        return kith_err(err, KITH_ENOTFOUND, "no %s with id %lld", norm_dim_name(dim),
                        (long long)id);
    }
    if (dim == NORM_LEVEL && parse_id(text, &id) && id <= s->nlevels) {
        *key = (int32_t)id;
        return 0;
    }
    size_t n = dim_cardinality(s, dim);
    for (size_t k = 0; k < n; k++) {
        const char *l = norm_key_label(s, dim, (int32_t)k, label, sizeof(label));
        bool match = strcasecmp(l, text) == 0;
        if (!match && dim == NORM_REP)
            match = strcasecmp(s->users.email[k], text) == 0;
        if (match) {
            *key = (int32_t)k;
            return 0;
        }
    }
    /* say which values exist when they are few enough to list */
    char list[400] = "";
    size_t len = 0;
    for (size_t k = 0; k < n && k < 12 && len < sizeof(list) - 64; k++)
        len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", k ? ", " : "",
                                norm_key_label(s, dim, (int32_t)k, label, 48));
    if (n && n <= 12)
        return kith_err(err, KITH_ENOTFOUND, "no %s '%s'; the values are %s", norm_dim_name(dim),
                        text, list);
    return kith_err(err, KITH_ENOTFOUND, "no %s '%s'", norm_dim_name(dim), text);
}

const char *norm_status_name(int status)
{
    switch (status) {
    case NORM_BEHIND:
        return "behind";
    case NORM_NORMAL:
        return "normal";
    case NORM_AHEAD:
        return "ahead";
    default:
        return "unknown";
    }
}

void norm_spec_init(struct norm_spec *spec, enum norm_dim by, int64_t as_of_ms)
{
    memset(spec, 0, sizeof(*spec));
    spec->by = by;
    spec->as_of_ms = as_of_ms;
    spec->bucket_days = NORM_BUCKET_DEFAULT;
    spec->grid = NORM_GRID_DEFAULT;
    spec->min_n = NORM_MIN_N_DEFAULT;
    spec->nthreads = 1;
}

/* ---- per-contact pass ------------------------------------------------------------------- */

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

struct pass_job {
    struct work *w;
    size_t from, to;
};

/* The first row whose instant first + b * width is at or after first + d (d >= 0). */
static inline uint32_t row_at_or_after(int64_t d, int64_t width, double inv)
{
    int64_t q = (int64_t)((double)d * inv); /* a multiply, then fixed up to be exact */
    while (q * width < d)
        q++;
    while (q > 0 && (q - 1) * width >= d)
        q--;
    return (uint32_t)q;
}

static inline int32_t sat32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static void *pass_range(void *arg)
{
    const struct pass_job *j = arg;
    struct work *w = j->w;
    const struct rv_snapshot *s = w->s;
    /* locals: the stores into runs[] would otherwise make the compiler reload all of these */
    const int32_t *restrict tt = s->t;
    const int16_t *restrict rvv = s->rv, *restrict type = s->type;
    const int32_t *restrict costs = s->cost;
    const uint8_t *restrict flags = s->flags;
    const int8_t *restrict trig_level = w->trig_level;
    const int32_t at = w->at;
    const int64_t width = w->width;
    const uint32_t maxrows = w->maxrows;
    const double inv = 1.0 / (double)width;
    struct rv_contact_state *states = w->spec->states;
    for (size_t c = j->from; c < j->to; c++) {
        int64_t sum = 0, lo = INT64_MAX, hi = INT64_MIN, cost = 0, first = RV_TIME_MAX;
        uint32_t n = 0, nr = 0, b = 0;
        int trig = 0;
        struct nrun *restrict runs = w->runs + w->roff[c];
        size_t end = rv_run_end(s, c);
        for (size_t i = rv_run_begin(s, c); i < end && tt[i] <= at; i++) {
            if (flags[i] & RV_EXCLUDED)
                continue;
            if (!n++)
                first = tt[i];
            /* the value so far holds for rows b .. (the row of t) - 1 */
            uint32_t bt = row_at_or_after(tt[i] - first, width, inv);
            if (bt > b) {
                runs[nr++] = (struct nrun){b, sat32(sum)};
                b = bt;
            }
            sum += rvv[i];
            cost += costs[i];
            lo = sum < lo ? sum : lo;
            hi = sum > hi ? sum : hi;
            int tl = type[i] >= 0 ? trig_level[type[i]] : 0;
            trig = tl > trig ? tl : trig;
        }
        uint32_t nb = 0;
        if (n) {
            int64_t rows = ((int64_t)at - first) / width + 1;
            nb = maxrows && rows > maxrows ? maxrows : (uint32_t)rows;
            runs[nr++] = (struct nrun){b, sat32(sum)};
            while (nr && runs[nr - 1].b >= nb) /* runs past the last row (or the cap) */
                nr--;
        }
        w->nruns[c] = nr;
        w->first[c] = (int32_t)first;
        w->cur[c] = sum;
        w->lo[c] = n ? (lo < INT32_MIN ? INT32_MIN : lo) : 0;
        w->hi[c] = n ? (hi > INT32_MAX ? INT32_MAX : hi) : 0;
        w->cost[c] = cost;
        w->level[c] = (int8_t)(n ? rv_level_from_trigger(s, trig) : 0);
        w->stage[c] = (int8_t)rv_level_stage(s, w->level[c]);
        w->nb[c] = nb;
        if (states) {
            int32_t last = RV_TIME_MIN;
            for (size_t i = end; i-- > rv_run_begin(s, c);) /* the last counted by as_of */
                if (tt[i] <= at && !(flags[i] & RV_EXCLUDED)) {
                    last = tt[i];
                    break;
                }
            states[c] =
                (struct rv_contact_state){sum, (int32_t)first, last, n, w->level[c], w->stage[c]};
        }
    }
    return NULL;
}

/* The workspace slots of the large scratch arrays. */
enum {
    WS_FIRST,
    WS_NB,
    WS_CUR,
    WS_LO,
    WS_HI,
    WS_COST,
    WS_STAGE,
    WS_LEVEL,
    WS_ROFF,
    WS_NRUNS,
    WS_RUNS,
    WS_STREAM,
};

/* Scratch of bytes for slot: the workspace's (grown when needed) or fresh memory. */
static void *take(struct work *w, int slot, size_t bytes)
{
    struct norm_workspace *ws = w->ws;
    if (!ws)
        return bigmem_alloc(bytes);
    if (bytes > ws->cap[slot]) {
        void *p = bigmem_realloc(ws->p[slot], bytes + bytes / 8);
        if (!p)
            return NULL;
        ws->p[slot] = p;
        ws->cap[slot] = bytes + bytes / 8;
    }
    return ws->p[slot];
}

/* Gives scratch back: freed unless it belongs to the workspace. */
static void give(struct work *w, void *p)
{
    if (!w->ws)
        free(p);
}

void norm_workspace_release(struct norm_workspace *ws)
{
    if (!ws)
        return;
    for (int i = 0; i < NORM_WS_SLOTS; i++)
        free(ws->p[i]);
    memset(ws, 0, sizeof(*ws));
}

static int contact_pass(struct work *w, struct kith_error *err)
{
    const struct rv_snapshot *s = w->s;
    size_t total = 0;
    for (size_t c = 0; c < s->nc; c++) {
        w->roff[c] = total;
        total += (size_t)s->count[c] + 1;
    }
    if (!(w->runs = take(w, WS_RUNS, total * sizeof(*w->runs))) ||
        !(w->trig_level = malloc(s->ntypes + 1)))
        return kith_err(err, KITH_ENOMEM, "out of memory computing a norm");
    for (size_t t = 0; t < s->ntypes; t++)
        w->trig_level[t] = s->types[t].is_trigger ? s->types[t].level : 0;
    unsigned nt = s->nc < 4096 ? 1 : w->spec->nthreads;
    struct pass_job jobs[PAR_MAX];
    size_t cut[PAR_MAX + 1];
    par_split(s->count, s->nc, nt, cut);
    for (unsigned k = 0; k < nt; k++)
        jobs[k] = (struct pass_job){w, cut[k], cut[k + 1]};
    par_run(nt, pass_range, jobs, sizeof(jobs[0]));
    return 0;
}

/* ---- event and profit subsets -----------------------------------------------------------------
 */

static int event_masks(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    uint16_t *m = alloc_array_zero(s->nc, sizeof(*m));
    if (!m)
        return KITH_ENOMEM;
    w->r->event_mask = m;
    /* account-level events reach every contact of the account */
    uint32_t *off = NULL, *list = NULL;
    for (size_t e = 0; e < s->nevents; e++) {
        if (s->e_t[e] > w->at)
            continue;
        uint16_t bit = (uint16_t)(1u << s->e_kind[e]);
        if (s->e_contact[e] >= 0) {
            m[s->e_contact[e]] |= bit;
            continue;
        }
        if (s->e_account[e] < 0)
            continue;
        if (!off) {
            off = alloc_array_zero(s->nacct + 1, sizeof(*off));
            list = alloc_array(s->nc, sizeof(*list));
            if (!off || !list) {
                free(off);
                free(list);
                return KITH_ENOMEM;
            }
            for (size_t c = 0; c < s->nc; c++)
                if (s->account[c] >= 0)
                    off[s->account[c] + 1]++;
            for (size_t a = 0; a < s->nacct; a++)
                off[a + 1] += off[a];
            uint32_t *fill = alloc_array_zero(s->nacct + 1, sizeof(*fill));
            if (!fill) {
                free(off);
                free(list);
                return KITH_ENOMEM;
            }
            for (size_t c = 0; c < s->nc; c++)
                if (s->account[c] >= 0)
                    list[off[s->account[c]] + fill[s->account[c]]++] = (uint32_t)c;
            free(fill);
        }
        int32_t a = s->e_account[e];
        for (uint32_t k = off[a]; k < off[a + 1]; k++)
            m[list[k]] |= bit;
    }
    free(off);
    free(list);
    return 0;
}

static int profit_masks(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    struct norm_result *r = w->r;
    size_t nent = s->nacct + s->nc;
    int64_t *profit = alloc_array_zero(nent, sizeof(*profit));
    uint32_t *orders = alloc_array_zero(nent, sizeof(*orders));
    uint8_t *cls = alloc_array_zero(nent, 1);
    double *vals = alloc_array(nent, sizeof(*vals));
    r->profit_mask = alloc_array_zero(s->nc, 1);
    int rc = KITH_ENOMEM;
    if (!profit || !orders || !cls || !vals || !r->profit_mask)
        goto out_free;
    for (size_t o = 0; o < s->norders; o++) {
        size_t e = rv_customer_of_order(s, o);
        if (s->o_t[o] > w->at || e == SIZE_MAX)
            continue;
        profit[e] += s->o_margin[o];
        orders[e]++;
    }
    for (size_t c = 0; c < s->nc; c++)
        profit[rv_customer_of_contact(s, c)] -= w->cost[c];
    size_t n = 0;
    for (size_t e = 0; e < nent; e++)
        if (orders[e])
            vals[n++] = (double)profit[e];
    quantile_sort(vals, n);
    r->profit_high_cut = quantile_sorted(vals, n, 80, 100);
    double p20 = quantile_sorted(vals, n, 20, 100);
    r->profit_low_cut = n ? (p20 > 0 ? p20 : 0) : NAN;
    for (size_t e = 0; e < nent; e++) {
        if (!orders[e])
            continue;
        double p = (double)profit[e];
        if (p > 0 && p >= r->profit_high_cut)
            cls[e] = 1u << NORM_PROFIT_HIGH;
        else if (p <= r->profit_low_cut)
            cls[e] = 1u << NORM_PROFIT_LOW;
        else
            cls[e] = 0x80; /* a customer in between */
    }
    /* potential: as deep a relationship as the high-profit customers' median contact */
    n = 0;
    for (size_t c = 0; c < s->nc; c++) {
        size_t e = rv_customer_of_contact(s, c);
        if ((cls[e] & (1u << NORM_PROFIT_HIGH)) && w->nb[c])
            vals[n++] = (double)w->cur[c];
    }
    quantile_sort(vals, n);
    r->potential_rv = quantile_sorted(vals, n, 1, 2);
    for (size_t c = 0; c < s->nc; c++) {
        size_t e = rv_customer_of_contact(s, c);
        uint8_t m = cls[e] & ((1u << NORM_PROFIT_HIGH) | (1u << NORM_PROFIT_LOW));
        if (cls[e] && !(cls[e] & (1u << NORM_PROFIT_HIGH)) && n && w->nb[c] &&
            (double)w->cur[c] >= r->potential_rv)
            m |= 1u << NORM_PROFIT_POTENTIAL;
        r->profit_mask[c] = m;
    }
    rc = 0;
out_free:
    free(profit);
    free(orders);
    free(cls);
    free(vals);
    return rc;
}

/* ---- membership ------------------------------------------------------------------------------ */

#define MAX_KEYS 16

bool norm_attribute_key(const struct rv_snapshot *s, enum norm_dim dim, size_t c, int32_t *key)
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
static size_t keys_of(const struct rv_snapshot *s, const struct norm_result *r, enum norm_dim dim,
                      size_t c, int stage, int level, int32_t *keys)
{
    uint32_t bits = 0;
    size_t n = 0;
    if (norm_attribute_key(s, dim, c, &keys[0]))
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

static bool passes_filters(const struct rv_snapshot *s, const struct norm_result *r, size_t c,
                           int stage, int level)
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

/*
 * Groups the members (contacts with a counted interaction by as_of, in the population, through
 * the filters) by key. One pass over the contacts sizes each group (members, rows, value range,
 * stream length); a second writes every member's runs into its groups' streams and counts the
 * rows, so that the groups are then computed from sequential reads only.
 */
static int build_groups(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    struct norm_result *r = w->r;
    const struct norm_spec *spec = w->spec;
    r->nkeys = dim_cardinality(s, spec->by) + 1;
    size_t nk = r->nkeys;
    r->group_of_key = alloc_array(nk, sizeof(*r->group_of_key));
    uint32_t *count = alloc_array_zero(nk, sizeof(*count)),
             *maxnb = alloc_array_zero(nk, sizeof(*maxnb));
    int64_t *lo = alloc_array(nk, sizeof(*lo)), *hi = alloc_array(nk, sizeof(*hi));
    size_t *vals = alloc_array_zero(nk, sizeof(*vals)), *len = alloc_array_zero(nk, sizeof(*len));
    size_t *cursor = NULL;
    int rc = KITH_ENOMEM;
    if (!r->group_of_key || !count || !maxnb || !lo || !hi || !vals || !len)
        goto out_free;
    for (size_t k = 0; k < nk; k++) {
        lo[k] = INT64_MAX;
        hi[k] = INT64_MIN;
    }
    int32_t keys[MAX_KEYS];
    for (size_t c = 0; c < s->nc; c++) {
        if (!w->nb[c] || !rv_mask_has(spec->population, c) ||
            !passes_filters(s, r, c, w->stage[c], w->level[c])) {
            w->nb[c] = 0; /* not a member of this norm */
            continue;
        }
        size_t n = keys_of(s, r, spec->by, c, w->stage[c], w->level[c], keys);
        for (size_t k = 0; k < n; k++) {
            size_t slot = (size_t)(keys[k] + 1);
            count[slot]++;
            if (w->nb[c] > maxnb[slot])
                maxnb[slot] = w->nb[c];
            if (w->lo[c] < lo[slot])
                lo[slot] = w->lo[c];
            if (w->hi[c] > hi[slot])
                hi[slot] = w->hi[c];
            vals[slot] += w->nb[c];
            len[slot] += (size_t)w->nruns[c] + 1;
        }
    }
    for (size_t k = 0; k < nk; k++)
        r->group_of_key[k] = count[k] ? (int32_t)r->ngroups++ : -1;
    size_t ng = r->ngroups;
    r->groups = alloc_array_zero(ng, sizeof(*r->groups));
    w->soff = alloc_array_zero(ng + 1, sizeof(*w->soff));
    w->glo = alloc_array(ng, sizeof(*w->glo));
    w->ghi = alloc_array(ng, sizeof(*w->ghi));
    w->gvals = alloc_array(ng, sizeof(*w->gvals));
    cursor = alloc_array(ng, sizeof(*cursor));
    if (!r->groups || !w->soff || !w->glo || !w->ghi || !w->gvals || !cursor)
        goto out_free;
    size_t rows = 0;
    for (size_t k = 0; k < nk; k++) {
        int32_t g = r->group_of_key[k];
        if (g < 0)
            continue;
        struct norm_group *gr = &r->groups[g];
        gr->key = (int32_t)k - 1;
        gr->members = count[k];
        gr->nrows = maxnb[k];
        gr->row_off = rows;
        rows += maxnb[k];
        w->glo[g] = lo[k];
        w->ghi[g] = hi[k];
        w->gvals[g] = vals[k];
        w->soff[g + 1] = w->soff[g] + len[k];
    }
    r->nrows = rows;
    r->rows = alloc_array_zero(rows, sizeof(*r->rows));
    w->stream = take(w, WS_STREAM, w->soff[ng] * sizeof(*w->stream));
    if (!r->rows || !w->stream)
        goto out_free;
    memcpy(cursor, w->soff, ng * sizeof(*cursor));
    for (size_t c = 0; c < s->nc; c++) {
        if (!w->nb[c])
            continue;
        size_t n = keys_of(s, r, spec->by, c, w->stage[c], w->level[c], keys);
        const struct nrun *runs = w->runs + w->roff[c];
        for (size_t k = 0; k < n; k++) {
            int32_t g = r->group_of_key[keys[k] + 1];
            struct nrun *out = w->stream + cursor[g];
            out[0] = (struct nrun){w->nb[c], (int32_t)w->nruns[c]};
            memcpy(out + 1, runs, w->nruns[c] * sizeof(*runs));
            cursor[g] += (size_t)w->nruns[c] + 1;
            r->rows[r->groups[g].row_off + w->nb[c] - 1].n++;
        }
    }
    rc = 0;
out_free:
    free(count);
    free(maxnb);
    free(lo);
    free(hi);
    free(vals);
    free(len);
    free(cursor);
    return rc;
}

/* Row sizes (members old enough for each row) and the room of each row's quantile points. */
static int layout_rows(struct work *w)
{
    struct norm_result *r = w->r;
    unsigned grid = w->spec->grid;
    /* a member with nb rows is in rows 0 .. nb - 1: suffix sums of "last row" counts */
    for (size_t g = 0; g < r->ngroups; g++) {
        struct norm_row *row = r->rows + r->groups[g].row_off;
        for (uint32_t b = r->groups[g].nrows; b-- > 1;)
            row[b - 1].n += row[b].n;
    }
    size_t ngrid = 0;
    for (size_t i = 0; i < r->nrows; i++) {
        r->rows[i].grid_off = (uint32_t)ngrid;
        r->rows[i].grid_n = r->rows[i].n < grid ? r->rows[i].n : grid;
        ngrid += r->rows[i].grid_n;
    }
    if (ngrid > UINT32_MAX)
        return KITH_ERANGE;
    r->ngrid = ngrid;
    r->grid = alloc_array(ngrid, sizeof(*r->grid));
    return r->grid ? 0 : KITH_ENOMEM;
}

/* ---- rows of one group ----------------------------------------------------------------------- */

/* The probabilities a row needs: p10..p90, then the grid points i / (m - 1). */
struct probs {
    size_t n;
    uint64_t num[5 + NORM_GRID_MAX], den[5 + NORM_GRID_MAX];
};

static void row_probs(uint32_t m, struct probs *p)
{
    static const uint64_t pct[5] = {10, 25, 50, 75, 90};
    p->n = 0;
    for (int i = 0; i < 5; i++) {
        p->num[p->n] = pct[i];
        p->den[p->n++] = 100;
    }
    for (uint32_t i = 0; i < m; i++) {
        p->num[p->n] = m > 1 ? i : 0;
        p->den[p->n++] = m > 1 ? m - 1 : 1;
    }
}

static void row_store(struct norm_result *r, struct norm_row *row, const double *q)
{
    row->p10 = q[0];
    row->p25 = q[1];
    row->p50 = q[2];
    row->p75 = q[3];
    row->p90 = q[4];
    for (uint32_t i = 0; i < row->grid_n; i++)
        r->grid[row->grid_off + i] = (float)q[5 + i];
}

/* Scratch memory of one thread, grown as groups need. */
struct scratch {
    int32_t *hist;
    size_t histcap;
    int64_t *vals;
    size_t valscap;
    uint32_t *off;
    size_t offcap;
};

static int scratch_need(void **p, size_t *cap, size_t n, size_t size)
{
    if (n <= *cap)
        return 0;
    void *np = bigmem_array_grow(*p, n, size);
    if (!np)
        return KITH_ENOMEM;
    *p = np;
    *cap = n;
    return 0;
}

/* Quantiles of a row held as a histogram over values lo .. lo + R - 1. */
static void row_from_hist(struct norm_result *r, struct norm_row *row, const int32_t *h, size_t R,
                          int64_t lo)
{
    double q[5 + NORM_GRID_MAX];
    if (!row->n) {
        for (int i = 0; i < 5; i++)
            q[i] = NAN;
        row_store(r, row, q);
        return;
    }
    struct probs p;
    row_probs(row->grid_n, &p);
    /* the order statistics needed, ascending: quantile positions are monotone within each of
     * the two lists (percentiles, grid), so merge-free: collect, sort by insertion (<= 212) */
    size_t need[2 * (5 + NORM_GRID_MAX)], nneed = 0;
    size_t qlo[5 + NORM_GRID_MAX];
    double qf[5 + NORM_GRID_MAX];
    for (size_t i = 0; i < p.n; i++) {
        quantile_index(row->n, p.num[i], p.den[i], &qlo[i], &qf[i]);
        need[nneed++] = qlo[i];
        if (qf[i] > 0 && qlo[i] + 1 < row->n)
            need[nneed++] = qlo[i] + 1;
    }
    for (size_t i = 1; i < nneed; i++) {
        size_t v = need[i], j = i;
        while (j > 0 && need[j - 1] > v) {
            need[j] = need[j - 1];
            j--;
        }
        need[j] = v;
    }
    int64_t val[2 * (5 + NORM_GRID_MAX)];
    size_t j = 0;
    uint64_t cum = 0;
    for (size_t v = 0; v < R && j < nneed; v++) {
        if (!h[v])
            continue;
        cum += (uint64_t)h[v];
        while (j < nneed && need[j] < cum)
            val[j++] = lo + (int64_t)v;
    }
    for (size_t i = 0; i < p.n; i++) {
        /* look the two order statistics up in need[] (binary search) */
        size_t a = 0, b = nneed;
        while (a < b) {
            size_t mid = (a + b) / 2;
            if (need[mid] < qlo[i])
                a = mid + 1;
            else
                b = mid;
        }
        double x = (double)val[a];
        if (qf[i] > 0 && qlo[i] + 1 < row->n) {
            size_t c = a;
            while (need[c] == qlo[i])
                c++;
            x += qf[i] * (double)(val[c] - val[a]);
        }
        q[i] = x;
    }
    row_store(r, row, q);
}

static void row_from_sorted(struct norm_result *r, struct norm_row *row, const int64_t *v)
{
    double q[5 + NORM_GRID_MAX];
    struct probs p;
    row_probs(row->grid_n, &p);
    for (size_t i = 0; i < p.n; i++)
        q[i] = quantile_sorted_i64(v, row->n, p.num[i], p.den[i]);
    row_store(r, row, q);
}

/* Adds +1 at (b0, v) and -1 at (b1, v): contact has value v in rows b0 .. b1 - 1. */
static inline void hist_run(int32_t *h, size_t R, int64_t lo, uint32_t b0, uint32_t b1, int64_t v)
{
    if (b0 >= b1)
        return;
    h[(size_t)b0 * R + (size_t)(v - lo)]++;
    h[(size_t)b1 * R + (size_t)(v - lo)]--;
}

static int group_hist(struct work *w, size_t g, struct scratch *sc, int64_t lo, size_t R)
{
    const struct norm_group *gr = &w->r->groups[g];
    size_t cells = ((size_t)gr->nrows + 1) * R;
    if (scratch_need((void **)&sc->hist, &sc->histcap, cells, sizeof(int32_t)) < 0)
        return KITH_ENOMEM;
    int32_t *h = sc->hist;
    memset(h, 0, cells * sizeof(*h));
    for (size_t p = w->soff[g]; p < w->soff[g + 1];) {
        uint32_t nb = w->stream[p].b, nr = (uint32_t)w->stream[p].v;
        const struct nrun *r = w->stream + p + 1;
        for (uint32_t j = 0; j < nr; j++)
            hist_run(h, R, lo, r[j].b, j + 1 < nr ? r[j + 1].b : nb, r[j].v);
        p += (size_t)nr + 1;
    }
    for (uint32_t b = 1; b < gr->nrows; b++) {
        int32_t *row = h + (size_t)b * R, *prev = row - R;
        for (size_t v = 0; v < R; v++)
            row[v] += prev[v];
    }
    for (uint32_t b = 0; b < gr->nrows; b++)
        row_from_hist(w->r, &w->r->rows[gr->row_off + b], h + (size_t)b * R, R, lo);
    return 0;
}

static int group_sort(struct work *w, size_t g, struct scratch *sc, size_t nvals)
{
    const struct norm_group *gr = &w->r->groups[g];
    struct norm_row *rows = &w->r->rows[gr->row_off];
    if (scratch_need((void **)&sc->vals, &sc->valscap, nvals, sizeof(int64_t)) < 0 ||
        scratch_need((void **)&sc->off, &sc->offcap, (size_t)gr->nrows + 1, sizeof(uint32_t)) < 0)
        return KITH_ENOMEM;
    uint32_t *off = sc->off;
    off[0] = 0;
    for (uint32_t b = 0; b < gr->nrows; b++)
        off[b + 1] = off[b] + rows[b].n;
    for (size_t p = w->soff[g]; p < w->soff[g + 1];) {
        uint32_t nb = w->stream[p].b, nr = (uint32_t)w->stream[p].v;
        const struct nrun *r = w->stream + p + 1;
        for (uint32_t j = 0; j < nr; j++) {
            uint32_t b1 = j + 1 < nr ? r[j + 1].b : nb;
            for (uint32_t b = r[j].b; b < b1; b++)
                sc->vals[off[b]++] = r[j].v;
        }
        p += (size_t)nr + 1;
    }
    for (uint32_t b = 0, start = 0; b < gr->nrows; b++) {
        quantile_sort_i64(sc->vals + start, rows[b].n);
        if (rows[b].n)
            row_from_sorted(w->r, &rows[b], sc->vals + start);
        else
            row_from_hist(w->r, &rows[b], NULL, 0, 0);
        start += rows[b].n;
    }
    return 0;
}

static int group_rows(struct work *w, size_t g, struct scratch *sc)
{
    struct norm_group *gr = &w->r->groups[g];
    int64_t lo = w->glo[g], hi = w->ghi[g];
    size_t nvals = w->gvals[g];
    if (!gr->nrows)
        return 0;
    /* a histogram when it is not much larger than the values it replaces */
    uint64_t range = (uint64_t)(hi - lo) + 1;
    uint64_t cells = ((uint64_t)gr->nrows + 1) * range;
    size_t limit = w->spec->hist_cells ? w->spec->hist_cells : (size_t)1 << 24;
    if (hi - lo < INT32_MAX && cells <= limit && cells <= 16 * (uint64_t)nvals + 65536) {
        gr->exact = true;
        return group_hist(w, g, sc, lo, (size_t)range);
    }
    gr->exact = false;
    return group_sort(w, g, sc, nvals);
}

static void *group_worker(void *arg)
{
    struct work *w = arg;
    struct scratch sc = {0};
    for (;;) {
        size_t g = atomic_fetch_add(&w->next_group, 1);
        if (g >= w->r->ngroups || w->failed)
            break;
        if (group_rows(w, g, &sc) < 0) {
            w->failed = 1;
            break;
        }
    }
    free(sc.hist);
    free(sc.vals);
    free(sc.off);
    return NULL;
}

/* ---- positions ------------------------------------------------------------------------------ */

const struct norm_group *norm_group_of(const struct norm_result *r, int32_t key)
{
    if (key < -1 || (size_t)(key + 1) >= r->nkeys)
        return NULL;
    int32_t g = r->group_of_key[key + 1];
    return g >= 0 ? &r->groups[g] : NULL;
}

/*
 * The row a contact of row `row` is compared with: its own, or when that has fewer than min_n
 * members (the oldest contacts of a group are few) the nearest younger row that has enough.
 */
static uint32_t compare_row(const struct norm_result *r, const struct norm_group *g, uint32_t row)
{
    while (row > 0 && r->rows[g->row_off + row].n < r->spec.min_n)
        row--;
    return row;
}

void norm_classify(const struct norm_result *r, const struct norm_group *g, uint32_t row, int64_t v,
                   float *percentile, int8_t *status)
{
    const struct norm_row *nr = &r->rows[g->row_off + row];
    *percentile = (float)quantile_rank_f(r->grid + nr->grid_off, nr->grid_n, (double)v);
    if (nr->n < r->spec.min_n || nr->n == 0)
        *status = NORM_UNKNOWN;
    else if ((double)v < nr->p10)
        *status = NORM_BEHIND;
    else if ((double)v > nr->p90)
        *status = NORM_AHEAD;
    else
        *status = NORM_NORMAL;
}

struct pos_job {
    struct work *w;
    size_t from, to; /* contacts */
    size_t at;       /* first position of the range */
};

static void *positions_range(void *arg)
{
    struct pos_job *j = arg;
    struct work *w = j->w;
    const struct rv_snapshot *s = w->s;
    struct norm_result *r = w->r;
    int32_t keys[MAX_KEYS];
    size_t at = j->at;
    for (size_t c = j->from; c < j->to; c++) {
        if (!w->nb[c] || !rv_mask_has(w->spec->visible, c))
            continue;
        size_t nk = keys_of(s, r, w->spec->by, c, w->stage[c], w->level[c], keys);
        for (size_t k = 0; k < nk; k++) {
            int32_t g = r->group_of_key[keys[k] + 1];
            struct norm_position *p = &r->positions[at++];
            p->contact = (int32_t)c;
            p->group = g;
            p->row = compare_row(r, &r->groups[g], w->nb[c] - 1);
            p->age_days = (int32_t)(((int64_t)w->at - w->first[c]) / RV_DAY);
            p->rv = w->cur[c];
            norm_classify(r, &r->groups[g], p->row, p->rv, &p->percentile, &p->status);
        }
    }
    return NULL;
}

static int positions(struct work *w)
{
    const struct rv_snapshot *s = w->s;
    struct norm_result *r = w->r;
    unsigned nt = s->nc < 4096 ? 1 : w->spec->nthreads;
    struct pos_job jobs[PAR_MAX];
    size_t cut[PAR_MAX + 1], n = 0;
    int32_t keys[MAX_KEYS];
    par_split(s->count, s->nc, nt, cut);
    for (unsigned k = 0; k < nt; k++) {
        jobs[k] = (struct pos_job){w, cut[k], cut[k + 1], n};
        for (size_t c = cut[k]; c < cut[k + 1]; c++)
            if (w->nb[c] && rv_mask_has(w->spec->visible, c))
                n += keys_of(s, r, w->spec->by, c, w->stage[c], w->level[c], keys);
    }
    r->positions = bigmem_array(n, sizeof(*r->positions));
    if (!r->positions)
        return KITH_ENOMEM;
    r->npositions = n;
    par_run(nt, positions_range, jobs, sizeof(jobs[0]));
    return 0;
}

/* ---- the entry points ---------------------------------------------------------------------- */

static bool dims_use(const struct norm_spec *spec, enum norm_dim dim)
{
    if (spec->by == dim)
        return true;
    for (size_t f = 0; f < spec->nfilters; f++)
        if (spec->filters[f].dim == dim)
            return true;
    return false;
}

static int check_spec(const struct norm_spec *spec, struct kith_error *err)
{
    if ((unsigned)spec->by >= NORM_NDIMS)
        return kith_err(err, KITH_EINVAL, "unknown grouping %d", (int)spec->by);
    if (spec->bucket_days < 1 || spec->bucket_days > 3660)
        return kith_err(err, KITH_EINVAL, "the age bucket must be 1 to 3660 days, not %d",
                        spec->bucket_days);
    if (spec->max_age_days < 0)
        return kith_err(err, KITH_EINVAL, "the largest age cannot be negative");
    if (spec->grid < 2 || spec->grid > NORM_GRID_MAX)
        return kith_err(err, KITH_EINVAL, "the position grid must have 2 to %d points, not %u",
                        NORM_GRID_MAX, spec->grid);
    if (spec->nthreads < 1 || spec->nthreads > 8)
        return kith_err(err, KITH_EINVAL, "1 to 8 threads, not %u", spec->nthreads);
    if (spec->nfilters > NORM_MAX_FILTERS)
        return kith_err(err, KITH_EINVAL, "at most %d filters", NORM_MAX_FILTERS);
    for (size_t f = 0; f < spec->nfilters; f++)
        if ((unsigned)spec->filters[f].dim >= NORM_NDIMS || spec->filters[f].dim == NORM_ALL)
            return kith_err(err, KITH_EINVAL, "filter %zu has no field", f + 1);
    return 0;
}

void norm_result_free(struct norm_result *r)
{
    if (!r)
        return;
    free(r->groups);
    free(r->rows);
    free(r->grid);
    free(r->positions);
    free(r->event_mask);
    free(r->profit_mask);
    free(r->group_of_key);
    free(r);
}

int norm_compute(const struct rv_snapshot *s, const struct norm_spec *spec,
                 struct norm_result **out, struct kith_error *err)
{
    *out = NULL;
    int rc = check_spec(spec, err);
    if (rc < 0)
        return rc;
    struct norm_result *r = calloc(1, sizeof(*r));
    struct work w = {.ws = spec->workspace, .s = s, .spec = spec, .r = r};
    if (!r)
        return kith_err(err, KITH_ENOMEM, "out of memory computing a norm");
    r->spec = *spec;
    r->nc = s->nc;
    r->profit_high_cut = r->profit_low_cut = r->potential_rv = NAN;
    w.at = rv_time_from_ms(spec->as_of_ms);
    w.width = (int64_t)spec->bucket_days * RV_DAY;
    w.maxrows = spec->max_age_days ? (uint32_t)(spec->max_age_days / spec->bucket_days) + 1 : 0;
    size_t nc = s->nc ? s->nc : 1;
    w.first = take(&w, WS_FIRST, nc * sizeof(*w.first));
    w.nb = take(&w, WS_NB, nc * sizeof(*w.nb));
    w.cur = take(&w, WS_CUR, nc * sizeof(*w.cur));
    w.lo = take(&w, WS_LO, nc * sizeof(*w.lo));
    w.hi = take(&w, WS_HI, nc * sizeof(*w.hi));
    w.cost = take(&w, WS_COST, nc * sizeof(*w.cost));
    w.stage = take(&w, WS_STAGE, nc * sizeof(*w.stage));
    w.level = take(&w, WS_LEVEL, nc * sizeof(*w.level));
    w.roff = take(&w, WS_ROFF, nc * sizeof(*w.roff));
    w.nruns = take(&w, WS_NRUNS, nc * sizeof(*w.nruns));
    rc = KITH_ENOMEM;
    if (!w.first || !w.nb || !w.cur || !w.lo || !w.hi || !w.cost || !w.stage || !w.level ||
        !w.roff || !w.nruns)
        goto out_fail;
    if ((rc = contact_pass(&w, err)) < 0)
        goto out_free;
    rc = KITH_ENOMEM;
    if (dims_use(spec, NORM_EVENT) && event_masks(&w) < 0)
        goto out_fail;
    if (dims_use(spec, NORM_PROFIT) && profit_masks(&w) < 0)
        goto out_fail;
    if (build_groups(&w) < 0)
        goto out_fail;
    if ((rc = layout_rows(&w)) < 0) {
        if (rc == KITH_ERANGE) {
            kith_err(err, rc, "the norm has too many rows; use longer age buckets");
            goto out_free;
        }
        goto out_fail;
    }
    unsigned nt = r->ngroups < 2 ? 1 : spec->nthreads;
    atomic_init(&w.next_group, 0);
    par_run(nt, group_worker, &w, 0);
    rc = KITH_ENOMEM;
    if (w.failed || positions(&w) < 0)
        goto out_fail;
    rc = 0;
    *out = r;
    r = NULL;
    goto out_free;
out_fail:
    kith_err(err, KITH_ENOMEM, "out of memory computing a norm");
out_free:
    give(&w, w.first);
    give(&w, w.nb);
    give(&w, w.cur);
    give(&w, w.lo);
    give(&w, w.hi);
    give(&w, w.cost);
    give(&w, w.stage);
    give(&w, w.level);
    free(w.soff);
    give(&w, w.stream);
    free(w.glo);
    free(w.ghi);
    free(w.gvals);
    give(&w, w.roff);
    give(&w, w.nruns);
    free(w.trig_level);
    give(&w, w.runs);
    norm_result_free(r);
    return rc;
}

/* How far outside [p10, p90] a position is, in row spreads (0 inside). */
static double outside(const struct norm_result *r, const struct norm_position *p)
{
    const struct norm_row *row = &r->rows[r->groups[p->group].row_off + p->row];
    double spread = row->p90 - row->p10 < 1 ? 1 : row->p90 - row->p10;
    if ((double)p->rv < row->p10)
        return (row->p10 - (double)p->rv) / spread;
    if ((double)p->rv > row->p90)
        return ((double)p->rv - row->p90) / spread;
    return 0;
}

struct ranked {
    double d;
    int32_t contact;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->d != y->d)
        return x->d > y->d ? -1 : 1;
    if (x->contact != y->contact)
        return x->contact < y->contact ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int norm_exceptions(const struct norm_result *r, int status, size_t **out, size_t *n,
                    struct kith_error *err)
{
    *out = NULL;
    *n = 0;
    size_t m = 0;
    struct ranked *v = alloc_array(r->npositions, sizeof(*v));
    if (!v)
        return kith_err(err, KITH_ENOMEM, "out of memory listing exceptions");
    for (size_t i = 0; i < r->npositions; i++) {
        int st = r->positions[i].status;
        if ((st == NORM_BEHIND || st == NORM_AHEAD) &&
            (status != NORM_BEHIND && status != NORM_AHEAD ? true : st == status))
            v[m++] = (struct ranked){outside(r, &r->positions[i]), r->positions[i].contact, i};
    }
    qsort(v, m, sizeof(*v), cmp_ranked);
    size_t *idx = alloc_array(m, sizeof(*idx));
    if (!idx) {
        free(v);
        return kith_err(err, KITH_ENOMEM, "out of memory listing exceptions");
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = v[i].i;
    free(v);
    *out = idx;
    *n = m;
    return 0;
}

void norm_position_of(const struct norm_result *r, const struct rv_snapshot *s, size_t c,
                      int64_t as_of_ms, struct norm_position *out, size_t max, size_t *n)
{
    *n = 0;
    int32_t at = rv_time_from_ms(as_of_ms ? as_of_ms : r->spec.as_of_ms);
    struct rv_contact_state st;
    rv_contact_state_at(s, c, at, &st);
    if (!st.ncounted || !passes_filters(s, r, c, st.stage, st.level))
        return;
    int64_t width = (int64_t)r->spec.bucket_days * RV_DAY;
    int64_t rows = ((int64_t)at - st.first) / width + 1;
    int32_t keys[MAX_KEYS];
    size_t nk = keys_of(s, r, r->spec.by, c, st.stage, st.level, keys);
    for (size_t k = 0; k < nk && *n < max; k++) {
        const struct norm_group *g = norm_group_of(r, keys[k]);
        if (!g || !g->nrows)
            continue;
        struct norm_position *p = &out[(*n)++];
        p->contact = (int32_t)c;
        p->group = (int32_t)(g - r->groups);
        p->row = compare_row(r, g, rows > (int64_t)g->nrows ? g->nrows - 1 : (uint32_t)(rows - 1));
        p->age_days = (int32_t)(((int64_t)at - st.first) / RV_DAY);
        p->rv = st.rv;
        norm_classify(r, g, p->row, p->rv, &p->percentile, &p->status);
    }
}
