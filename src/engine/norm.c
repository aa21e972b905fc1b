/*
 * norm.c - norm_compute(): RV norms by age bucket for any grouping and filters. One walk of each
 * contact's run gives the changes of its cumulative RV by row; members are then grouped by key
 * and each group's rows computed (norm_rows.c), then every contact's position (norm_position.c).
 * The other parts: norm_int.h. docs/internals/rv.md ("Norms").
 */
#include "engine/norm_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/par.h"
#include "engine/rv.h"
#include "util/bigmem.h"

#include "util/banned.h"

/* ---- per-contact pass ------------------------------------------------------------------- */

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

/* ---- membership ------------------------------------------------------------------------------ */

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
    r->nkeys = norm_dim_cardinality(s, spec->by) + 1;
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
    if (dims_use(spec, NORM_EVENT) && norm_event_masks(&w) < 0)
        goto out_fail;
    if (dims_use(spec, NORM_PROFIT) && norm_profit_masks(&w) < 0)
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
    par_run(nt, norm_group_worker, &w, 0);
    rc = KITH_ENOMEM;
    if (w.failed || norm_positions(&w) < 0)
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
