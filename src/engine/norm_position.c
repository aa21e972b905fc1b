/*
 * norm_position.c - a contact's position against a norm: the row it is compared with, its
 * percentile and status there; every visible member's positions at once (for norm_compute()),
 * and one contact's after an update, against the norm computed earlier (norm_position_of()).
 */
#include "engine/norm_int.h"

#include "util/par.h"
#include "engine/quantile.h"
#include "engine/rv.h"
#include "util/bigmem.h"

#include "util/banned.h"

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

int norm_positions(struct work *w)
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
