/*
 * moments.c - moments of truth: the effect of each interaction type's (and touchpoint's) first
 * occurrence on a contact's later RV, NPS or churn, against matched contacts without it, with
 * normal intervals and Benjamini-Hochberg control of the false discovery rate. The method and
 * its reasons: docs/voice.md, "Moments of truth".
 */
#include "engine/moments.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

void moments_spec_init(struct moments_spec *spec, enum moments_outcome outcome)
{
    memset(spec, 0, sizeof(*spec));
    spec->outcome = outcome;
    spec->period_days = 30;
    spec->window_days = 180;
    spec->from = RV_TIME_MIN;
    spec->as_of = RV_TIME_MAX;
    spec->alpha = 0.05;
    spec->min_treated = 20;
}

int moments_rv_bin(int64_t rv)
{
    static const int64_t edges[] = {0, 10, 25, 50, 75, 100, 150, 200, 300, 500};
    int b = 0;
    while (b < (int)(sizeof(edges) / sizeof(edges[0])) && rv >= edges[b])
        b++;
    return b;
}

int moments_tenure_bin(int32_t days)
{
    return days < 90 ? 0 : days < 365 ? 1 : days < 730 ? 2 : 3;
}

int moments_active_bin(uint32_t n)
{
    return n <= 12 ? (int)n - 1 : n <= 16 ? 12 : n <= 24 ? 13 : 14;
}

static double normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
static double normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p <= 0.0)
        return -INFINITY;
    if (p >= 1.0)
        return INFINITY;
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -normal_quantile(1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

struct pidx {
    double p;
    size_t i;
};

static int pidx_cmp(const void *pa, const void *pb)
{
    const struct pidx *a = pa, *b = pb;
    if (a->p != b->p)
        return a->p < b->p ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int moments_bh(const double *p, size_t n, double *q, struct kith_error *err)
{
    if (n == 0)
        return 0;
    struct pidx *o = alloc_array(n, sizeof(*o));
    if (!o)
        return kith_err(err, KITH_ENOMEM, "out of memory adjusting %zu p-values", n);
    for (size_t i = 0; i < n; i++)
        o[i] = (struct pidx){p[i], i};
    qsort(o, n, sizeof(*o), pidx_cmp);
    /* q_(k) = min over j >= k of p_(j) n / j, cut to 1 */
    double run = 1.0;
    for (size_t k = n; k-- > 0;) {
        double v = o[k].p * (double)n / (double)(k + 1);
        if (v < run)
            run = v;
        q[o[k].i] = run;
    }
    free(o);
    return 0;
}

/* ---- the rows: one per contact and period in which it had an interaction ---------------- */

struct row {
    uint32_t c;       /* contact index */
    uint32_t stratum; /* after sorting: the stratum's number in its period */
    uint64_t key;     /* the stratum's key (unit, level, RV, tenure, activity) */
    double y;         /* the outcome */
};

static int row_cmp(const void *pa, const void *pb)
{
    const struct row *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->c > b->c) - (a->c < b->c);
}

/* The level of a contact whose highest counted trigger so far is top_trigger (0: none). */
static int level_of(const struct rv_snapshot *s, bool any, int top_trigger)
{
    if (!any)
        return 0;
    int l = 1 + top_trigger;
    return l > s->nlevels ? s->nlevels : l;
}

/* Per candidate: the contacts' first occurrences (contact, time), in contact order. */
struct first {
    uint32_t c;
    int32_t t;
};

struct study {
    const struct rv_snapshot *s;
    const struct moments_spec *spec;
    size_t ncand;
    int32_t *churn_t; /* per contact: the notice, RV_TIME_MAX without one */
    struct first *firsts;
    size_t *first0; /* ncand + 1 offsets into firsts */
    struct row *rows;
    size_t *row0;      /* nperiods + 1 offsets into rows, each period sorted by stratum */
    uint32_t *nstrata; /* per period */
    size_t nperiods;
    int32_t g0;
    int32_t step, window;
};

static int32_t grid(const struct study *st, size_t j)
{
    return (int32_t)((int64_t)st->g0 + (int64_t)j * st->step);
}

static void churn_times(struct study *st)
{
    const struct rv_snapshot *s = st->s;
    int churn = rv_event_kind_from_name("churn");
    for (size_t c = 0; c < s->nc; c++)
        st->churn_t[c] = RV_TIME_MAX;
    /* an account's notice is each of its contacts' */
    int32_t *acct = NULL;
    if (s->nacct)
        acct = alloc_array(s->nacct, sizeof(*acct));
    if (acct)
        for (size_t a = 0; a < s->nacct; a++)
            acct[a] = RV_TIME_MAX;
    for (size_t e = 0; e < s->nevents; e++) {
        if (s->e_kind[e] != churn)
            continue;
        if (s->e_account[e] >= 0 && acct) {
            int32_t *t = &acct[s->e_account[e]];
            if (s->e_t[e] < *t)
                *t = s->e_t[e];
        } else if (s->e_contact[e] >= 0) {
            int32_t *t = &st->churn_t[s->e_contact[e]];
            if (s->e_t[e] < *t)
                *t = s->e_t[e];
        }
    }
    if (acct)
        for (size_t c = 0; c < s->nc; c++)
            if (s->account[c] >= 0 && acct[s->account[c]] < st->churn_t[c])
                st->churn_t[c] = acct[s->account[c]];
    free(acct);
}

/* The candidates of slot i: its type and its type's channel (ntypes + channel); -1 none. */
static void candidates_of(const struct study *st, size_t i, int32_t out[2])
{
    const struct rv_snapshot *s = st->s;
    out[0] = out[1] = -1;
    if (s->type[i] < 0)
        return;
    out[0] = s->type[i];
    if (st->spec->type_channel && st->spec->type_channel[s->type[i]] >= 0)
        out[1] = (int32_t)s->ntypes + st->spec->type_channel[s->type[i]];
}

/* Every contact's first counted occurrence of every candidate, grouped by candidate. */
static int collect_firsts(struct study *st, struct kith_error *err)
{
    const struct rv_snapshot *s = st->s;
    int32_t *seen = alloc_array(st->ncand, sizeof(*seen));
    size_t *count = alloc_array_zero(st->ncand + 1, sizeof(*count));
    st->first0 = alloc_array_zero(st->ncand + 1, sizeof(*st->first0));
    if (!seen || !count || !st->first0) {
        free(seen);
        free(count);
        return kith_err(err, KITH_ENOMEM, "out of memory for the first occurrences");
    }
    for (size_t k = 0; k < st->ncand; k++)
        seen[k] = -1;
    /* two passes: count, then place */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < s->nc; c++) {
            if (!rv_mask_has(st->spec->population, c))
                continue;
            for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c); i++) {
                if (!rv_counts(s, i) || s->t[i] >= st->spec->as_of)
                    continue;
                int32_t k2[2];
                candidates_of(st, i, k2);
                for (int h = 0; h < 2; h++) {
                    int32_t k = k2[h];
                    if (k < 0 || seen[k] == (int32_t)c)
                        continue;
                    seen[k] = (int32_t)c;
                    if (pass == 0)
                        st->first0[k + 1]++;
                    else
                        st->firsts[count[k]++] = (struct first){(uint32_t)c, s->t[i]};
                }
            }
        }
        if (pass == 0) {
            for (size_t k = 0; k < st->ncand; k++)
                st->first0[k + 1] += st->first0[k];
            for (size_t k = 0; k < st->ncand; k++) {
                count[k] = st->first0[k];
                seen[k] = -1;
            }
            st->firsts =
                alloc_array(st->first0[st->ncand] ? st->first0[st->ncand] : 1, sizeof(*st->firsts));
            if (!st->firsts) {
                free(seen);
                free(count);
                return kith_err(err, KITH_ENOMEM, "out of memory for the first occurrences");
            }
        }
    }
    free(seen);
    free(count);
    return 0;
}

/* The outcome of contact c after period end g1: false when it has none (NPS without answer). */
static bool outcome_of(const struct study *st, size_t c, int32_t g1, double *y)
{
    const struct rv_snapshot *s = st->s;
    const int64_t w1 = (int64_t)g1 + st->window;
    if (st->spec->outcome == MOMENTS_CHURN) {
        *y = st->churn_t[c] >= g1 && (int64_t)st->churn_t[c] < w1 ? 1.0 : 0.0;
        return true;
    }
    double sum = 0;
    size_t n = 0;
    for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c) && (int64_t)s->t[i] < w1; i++) {
        if (s->t[i] < g1 || !rv_counts(s, i))
            continue;
        if (st->spec->outcome == MOMENTS_RV) {
            sum += s->rv[i];
        } else if (s->type[i] >= 0 && st->spec->type_nps[s->type[i]] != MOMENTS_NPS_NONE) {
            sum += st->spec->type_nps[s->type[i]];
            n++;
        }
    }
    if (st->spec->outcome == MOMENTS_NPS) {
        if (!n)
            return false;
        sum /= (double)n;
    }
    *y = sum;
    return true;
}

/*
 * The rows of every period: each contact of the population with a counted interaction in the
 * period, not gone (no notice) before the period's end, with an outcome; keyed by its stratum
 * at the period's start and sorted by it.
 */
static int build_rows(struct study *st, struct moments_result *out, struct kith_error *err)
{
    const struct rv_snapshot *s = st->s;
    size_t cap = 1024, n = 0;
    st->rows = alloc_array(cap, sizeof(*st->rows));
    st->row0 = alloc_array_zero(st->nperiods + 1, sizeof(*st->row0));
    st->nstrata = alloc_array_zero(st->nperiods ? st->nperiods : 1, sizeof(*st->nstrata));
    uint8_t *studied = alloc_array_zero(s->nc ? s->nc : 1, 1);
    if (!st->rows || !st->row0 || !st->nstrata || !studied) {
        free(studied);
        return kith_err(err, KITH_ENOMEM, "out of memory for the periods");
    }
    const uint64_t nlev = (uint64_t)s->nlevels + 1;
    double ysum = 0;
    for (size_t j = 0; j < st->nperiods; j++) {
        const int32_t g0 = grid(st, j), g1 = grid(st, j + 1);
        st->row0[j] = n;
        for (size_t c = 0; c < s->nc; c++) {
            if (!rv_mask_has(st->spec->population, c) || st->churn_t[c] < g1)
                continue;
            int64_t rv = 0;
            int top = 0;
            bool any = false;
            uint32_t active = 0;
            int32_t first = RV_TIME_MAX;
            size_t i = rv_run_begin(s, c);
            for (; i < rv_run_end(s, c) && s->t[i] < g1; i++) {
                if (!rv_counts(s, i))
                    continue;
                if (s->t[i] >= g0) {
                    active++;
                    continue;
                }
                if (!any)
                    first = s->t[i];
                any = true;
                rv += s->rv[i];
                if (s->type[i] >= 0 && s->types[s->type[i]].is_trigger &&
                    s->types[s->type[i]].level > top)
                    top = s->types[s->type[i]].level;
            }
            if (!active)
                continue;
            double y;
            if (!outcome_of(st, c, g1, &y))
                continue;
            if (n == cap) {
                struct row *r = alloc_array_grow(st->rows, cap * 2, sizeof(*st->rows));
                if (!r) {
                    free(studied);
                    return kith_err(err, KITH_ENOMEM, "out of memory for the periods");
                }
                st->rows = r;
                cap *= 2;
            }
            const int32_t days = any ? (int32_t)(((int64_t)g0 - first) / RV_DAY) : 0;
            uint64_t key = (uint64_t)(s->unit[c] + 1);
            key = key * nlev + (uint64_t)level_of(s, any, top);
            key = key * MOMENTS_RV_BINS + (uint64_t)moments_rv_bin(rv);
            key = key * (MOMENTS_TENURE_BINS + 1) +
                  (uint64_t)(any ? 1 + moments_tenure_bin(days) : 0);
            key = key * MOMENTS_ACTIVE_BINS + (uint64_t)moments_active_bin(active);
            st->rows[n++] = (struct row){.c = (uint32_t)c, .key = key, .y = y};
            ysum += y;
            studied[c] = 1;
        }
        qsort(st->rows + st->row0[j], n - st->row0[j], sizeof(*st->rows), row_cmp);
        uint32_t ns = 0;
        for (size_t r = st->row0[j]; r < n; r++) {
            if (r > st->row0[j] && st->rows[r].key != st->rows[r - 1].key)
                ns++;
            st->rows[r].stratum = ns;
        }
        st->nstrata[j] = n > st->row0[j] ? ns + 1 : 0;
        out->strata += st->nstrata[j];
    }
    st->row0[st->nperiods] = n;
    for (size_t c = 0; c < s->nc; c++)
        out->contacts += studied[c];
    out->outcome_mean = n ? ysum / (double)n : NAN;
    free(studied);
    return 0;
}

/* Sums of a stratum's treated and controls. */
struct cell {
    double nt, st, sst, nc, sc, ssc;
};

/* Estimates candidate k into e; fx is a per-contact scratch array of RV_TIME_MAX. */
static void estimate(struct study *st, size_t k, int32_t *fx, struct cell *cells,
                     struct moments_effect *e)
{
    const struct first *f = st->firsts + st->first0[k];
    const size_t nf = st->first0[k + 1] - st->first0[k];
    for (size_t i = 0; i < nf; i++)
        fx[f[i].c] = f[i].t;
    double n_t = 0, sum_d = 0, sum_t = 0, sum_cw = 0, ss = 0, dof = 0, vfac = 0, vsum = 0;
    size_t treated = 0, controls = 0;
    for (size_t j = 0; j < st->nperiods; j++) {
        const int32_t g0 = grid(st, j), g1 = grid(st, j + 1);
        const size_t r0 = st->row0[j], r1 = st->row0[j + 1];
        if (r0 == r1)
            continue;
        memset(cells, 0, st->nstrata[j] * sizeof(*cells));
        bool any_treated = false;
        for (size_t r = r0; r < r1; r++) {
            const struct row *row = &st->rows[r];
            const int32_t t = fx[row->c];
            struct cell *cl = &cells[row->stratum];
            if (t >= g1) { /* no X by the period's end: a control */
                cl->nc++;
                cl->sc += row->y;
                cl->ssc += row->y * row->y;
            } else if (t >= g0) { /* its first X in the period: treated */
                cl->nt++;
                cl->st += row->y;
                cl->sst += row->y * row->y;
                any_treated = true;
                treated++;
            } /* X before the period: neither */
        }
        if (!any_treated)
            continue;
        for (uint32_t h = 0; h < st->nstrata[j]; h++) {
            const struct cell *cl = &cells[h];
            if (cl->nt == 0 || cl->nc == 0)
                continue;
            const double mt = cl->st / cl->nt, mc = cl->sc / cl->nc;
            n_t += cl->nt;
            sum_t += cl->st;
            sum_cw += cl->nt * mc;
            sum_d += cl->nt * (mt - mc);
            controls += (size_t)cl->nc;
            /* the stratum's variance (squares about each group's own mean), where it has one;
             * the others take the pooled variance of all below */
            const double sss = (cl->sst - cl->nt * mt * mt) + (cl->ssc - cl->nc * mc * mc);
            const double d = cl->nt + cl->nc - 2, w = cl->nt + cl->nt * cl->nt / cl->nc;
            ss += sss;
            dof += d;
            if (d > 0)
                vsum += (sss > 0 ? sss / d : 0) * w;
            else
                vfac += w;
        }
    }
    for (size_t i = 0; i < nf; i++)
        fx[f[i].c] = RV_TIME_MAX;
    e->treated = treated;
    e->matched = (size_t)n_t;
    e->controls = controls;
    e->effect = e->lo = e->hi = e->se = e->p = e->q = e->adj_lo = e->adj_hi = NAN;
    e->mean_treated = e->mean_controls = NAN;
    if (n_t == 0)
        return;
    e->mean_treated = sum_t / n_t;
    e->mean_controls = sum_cw / n_t;
    e->effect = sum_d / n_t;
    if (dof <= 0)
        return;
    double var = ss / dof;
    if (var < 0)
        var = 0;
    e->se = sqrt(vsum + var * vfac) / n_t;
    e->lo = e->effect - 1.959963984540054 * e->se;
    e->hi = e->effect + 1.959963984540054 * e->se;
    if (e->matched >= st->spec->min_treated && e->se > 0) {
        e->tested = true;
        e->p = 2.0 * normal_cdf(-fabs(e->effect / e->se));
    }
}

static int effect_cmp(const void *pa, const void *pb)
{
    const struct moments_effect *a = pa, *b = pb;
    if (a->moment != b->moment)
        return a->moment ? -1 : 1;
    if (a->moment && fabs(a->effect) != fabs(b->effect))
        return fabs(a->effect) > fabs(b->effect) ? -1 : 1;
    if (a->tested != b->tested)
        return a->tested ? -1 : 1;
    if (a->tested && a->p != b->p)
        return a->p < b->p ? -1 : 1;
    if (a->matched != b->matched)
        return a->matched > b->matched ? -1 : 1;
    if (a->is_type != b->is_type)
        return a->is_type ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static void study_release(struct study *st)
{
    free(st->churn_t);
    free(st->firsts);
    free(st->first0);
    free(st->rows);
    free(st->row0);
    free(st->nstrata);
}

/* The data's span: the first and last counted interaction of the population. */
static void span_of(const struct rv_snapshot *s, const struct rv_mask *m, int32_t *lo, int32_t *hi)
{
    *lo = RV_TIME_MAX;
    *hi = RV_TIME_MIN;
    for (size_t c = 0; c < s->nc; c++) {
        if (!rv_mask_has(m, c) || s->first[c] == RV_TIME_MAX)
            continue;
        if (s->first[c] < *lo)
            *lo = s->first[c];
        if (s->last[c] > *hi)
            *hi = s->last[c];
    }
}

int moments_compute(const struct rv_snapshot *s, const struct moments_spec *spec,
                    struct moments_result *out, struct kith_error *err)
{
    if (spec->period_days < 1 || spec->period_days > 3650 || spec->window_days < 1 ||
        spec->window_days > 3650)
        return kith_err(err, KITH_EINVAL, "the period and the window must be 1..3650 days");
    if (!(spec->alpha > 0 && spec->alpha < 1))
        return kith_err(err, KITH_EINVAL, "alpha must be between 0 and 1");
    if (spec->outcome == MOMENTS_NPS && !spec->type_nps)
        return kith_err(err, KITH_EINVAL, "the NPS outcome needs the NPS value of each type");
    struct moments_result r = {0};
    struct study st = {.s = s, .spec = spec};
    st.step = spec->period_days * RV_DAY;
    st.window = spec->window_days * RV_DAY;
    st.ncand = s->ntypes + (spec->type_channel ? spec->nchannels : 0);
    int32_t lo, hi;
    span_of(s, spec->population, &lo, &hi);
    r.as_of = spec->as_of != RV_TIME_MAX ? spec->as_of : hi == RV_TIME_MIN ? lo : hi + 1;
    /* periods start at a whole day (UTC) */
    st.g0 =
        spec->from != RV_TIME_MIN ? spec->from : lo - (int32_t)(((lo % RV_DAY) + RV_DAY) % RV_DAY);
    if (lo != RV_TIME_MAX && (int64_t)r.as_of - st.window - st.g0 >= st.step)
        st.nperiods = (size_t)(((int64_t)r.as_of - st.window - st.g0) / st.step);
    if (st.nperiods == 0)
        return kith_err(err, KITH_EINVAL,
                        "no period of %d days and window of %d days fits in the data (from its"
                        " start to its end)",
                        spec->period_days, spec->window_days);
    r.periods = st.nperiods;
    r.first_start = st.g0;
    r.last_end = grid(&st, st.nperiods);
    int rc = KITH_ENOMEM;
    st.churn_t = alloc_array(s->nc ? s->nc : 1, sizeof(*st.churn_t));
    int32_t *fx = alloc_array(s->nc ? s->nc : 1, sizeof(*fx));
    struct cell *cells = NULL;
    if (!st.churn_t || !fx) {
        kith_err(err, KITH_ENOMEM, "out of memory studying %zu contacts", s->nc);
        goto out_free;
    }
    churn_times(&st);
    if ((rc = collect_firsts(&st, err)) < 0 || (rc = build_rows(&st, &r, err)) < 0)
        goto out_free;
    uint32_t maxs = 1;
    for (size_t j = 0; j < st.nperiods; j++)
        if (st.nstrata[j] > maxs)
            maxs = st.nstrata[j];
    cells = alloc_array(maxs, sizeof(*cells));
    r.effects = alloc_array_zero(st.ncand ? st.ncand : 1, sizeof(*r.effects));
    if (!cells || !r.effects) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory studying %zu candidates", st.ncand);
        goto out_free;
    }
    for (size_t c = 0; c < s->nc; c++)
        fx[c] = RV_TIME_MAX;
    for (size_t k = 0; k < st.ncand; k++) {
        struct moments_effect *e = &r.effects[r.n++];
        e->is_type = k < s->ntypes;
        e->index = (int32_t)(e->is_type ? k : k - s->ntypes);
        estimate(&st, k, fx, cells, e);
        r.tested += e->tested;
    }
    /* Benjamini-Hochberg over the tested; the moments get the FCR-adjusted interval */
    double *p = alloc_array(r.tested ? r.tested : 1, sizeof(*p));
    double *q = alloc_array(r.tested ? r.tested : 1, sizeof(*q));
    if (!p || !q) {
        free(p);
        free(q);
        rc = kith_err(err, KITH_ENOMEM, "out of memory adjusting the p-values");
        goto out_free;
    }
    size_t m = 0;
    for (size_t i = 0; i < r.n; i++)
        if (r.effects[i].tested)
            p[m++] = r.effects[i].p;
    rc = moments_bh(p, m, q, err);
    free(p);
    if (rc < 0) {
        free(q);
        goto out_free;
    }
    m = 0;
    for (size_t i = 0; i < r.n; i++) {
        struct moments_effect *e = &r.effects[i];
        if (!e->tested)
            continue;
        e->q = q[m++];
        e->moment = e->q <= spec->alpha;
        r.moments += e->moment;
    }
    free(q);
    if (r.moments) {
        const double z =
            normal_quantile(1.0 - spec->alpha * (double)r.moments / (2.0 * (double)r.tested));
        for (size_t i = 0; i < r.n; i++) {
            struct moments_effect *e = &r.effects[i];
            if (e->moment) {
                e->adj_lo = e->effect - z * e->se;
                e->adj_hi = e->effect + z * e->se;
            }
        }
    }
    qsort(r.effects, r.n, sizeof(*r.effects), effect_cmp);
    *out = r;
    r.effects = NULL;
    rc = 0;
out_free:
    free(r.effects);
    free(cells);
    free(fx);
    study_release(&st);
    return rc;
}

void moments_result_release(struct moments_result *r)
{
    free(r->effects);
    memset(r, 0, sizeof(*r));
}
