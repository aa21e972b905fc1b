/*
 * value_model.c - steps 2 and 3 of customer value: the BG/NBD and Gamma-Gamma fits over the
 * customers, then each customer's P(alive), expected orders and discounted predicted value,
 * computed once per distinct history and shared out among threads, for every customer; a history
 * the model gives no value gets the proxy of value_proxy.c.
 */
#include "engine/value_int.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/par.h"

#include "util/banned.h"

#define DAYS_PER_MONTH (365.25 / 12)

/* ---- step 2: the models ----------------------------------------------------------------- */

int value_fit(struct value_result *r, const struct value_options *o, struct kith_error *err)
{
    struct value_model *m = &r->model;
    m->fitted = false;
    struct clv_customer *c = alloc_array(r->n, sizeof(*c));
    if (!c)
        return kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu customers", r->n);
    size_t nrepeat = 0;
    for (size_t i = 0; i < r->n; i++) {
        c[i] = r->c[i].rfm;
        nrepeat += c[i].x > 0;
    }
    struct bgnbd_params bg;
    struct gg_params gg;
    struct clv_fit_info bg_info = {0}, gg_info = {0};
    int rc = bgnbd_fit(c, r->n, o->fit, &bg, &bg_info, err);
    m->bg_info = bg_info;
    if (rc < 0) {
        kith_err_prefix(err, "fitting BG/NBD on %zu customers", r->n);
        goto out_free;
    }
    /* the one rule for repeat buyers without positive repeat spend (clv.h): out of the fit */
    size_t excluded = 0;
    rc = gg_fit_rule(c, r->n, o->fit, &gg, &gg_info, &excluded, err);
    m->gg_info = gg_info;
    m->gg_excluded = excluded;
    if (rc < 0) {
        kith_err_prefix(err, "fitting Gamma-Gamma on %zu repeat buyers", nrepeat - excluded);
        goto out_free;
    }
    m->bg = bg;
    m->gg = gg;
    m->ncustomers = r->n;
    m->nrepeat = nrepeat;
    m->fitted = true;
out_free:
    free(c);
    return rc;
}

/* ---- step 3: predictions ---------------------------------------------------------------- */

struct history {
    double x, t_x, T;
    size_t i;
};

static int history_cmp(const void *pa, const void *pb)
{
    const struct history *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->t_x != b->t_x)
        return a->t_x < b->t_x ? -1 : 1;
    if (a->T != b->T)
        return a->T < b->T ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* One thread's share of the distinct histories: runs [first, last) of hs (run starts in at). */
struct predict_job {
    const struct bgnbd_params *bg;
    const struct gg_params *gg;
    const struct clv_customer *c;
    const double *first_spend; /* or NULL */
    const struct clv_horizon *h;
    const struct history *hs;
    const size_t *at; /* nruns + 1 run starts */
    size_t first, last;
    double *p_alive, *expected, *value;
};

static void *predict_runs(void *arg)
{
    const struct predict_job *j = arg;
    const double horizon = j->h->steps * j->h->step;
    for (size_t r = j->first; r < j->last; r++) {
        const struct clv_customer *rep = &j->c[j->hs[j->at[r]].i];
        const double pa = bgnbd_p_alive(j->bg, rep);
        const double ey = bgnbd_conditional_expected(j->bg, rep, horizon);
        double disc;
        if (clv_discounted_orders(j->bg, rep, j->h, &disc, NULL) < 0)
            disc = NAN;
        for (size_t k = j->at[r]; k < j->at[r + 1]; k++) {
            const size_t i = j->hs[k].i;
            const double spend =
                gg_expected_spend(j->gg, &j->c[i], j->first_spend ? j->first_spend[i] : 0);
            j->p_alive[i] = pa;
            j->expected[i] = ey;
            j->value[i] = isfinite(spend) && isfinite(disc) ? j->h->margin * spend * disc : NAN;
        }
    }
    return NULL;
}

/* Threads for n distinct histories: one per 20,000, at most the online CPUs and PAR_MAX. */
static size_t predict_threads(size_t runs)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = runs / 20000 + 1;
    if (cpus > 0 && t > (size_t)cpus)
        t = (size_t)cpus;
    return t > PAR_MAX ? PAR_MAX : t;
}

int value_predict_summaries(const struct bgnbd_params *bg, const struct gg_params *gg,
                            const struct clv_customer *c, const double *first, size_t n,
                            const struct clv_horizon *h, double *p_alive, double *expected,
                            double *value, struct kith_error *err)
{
    if (n == 0)
        return 0;
    struct clv_customer probe = {0};
    double unused;
    int rc = clv_discounted_orders(bg, &probe, h, &unused, err); /* checks bg and h */
    if (rc < 0)
        return rc;
    if (!(h->margin >= 0 && h->margin <= 1))
        return kith_err(err, KITH_EINVAL, "CLV: margin %g must be a fraction between 0 and 1",
                        h->margin);
    struct history *hs = alloc_array(n, sizeof(*hs));
    size_t *at = alloc_array(n + 1, sizeof(*at));
    if (!hs || !at) {
        free(hs);
        free(at);
        return kith_err(err, KITH_ENOMEM, "CLV: out of memory for %zu customers", n);
    }
    for (size_t i = 0; i < n; i++)
        hs[i] = (struct history){c[i].x, c[i].t_x, c[i].T, i};
    qsort(hs, n, sizeof(*hs), history_cmp);
    size_t runs = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || hs[i].x != hs[i - 1].x || hs[i].t_x != hs[i - 1].t_x ||
            hs[i].T != hs[i - 1].T)
            at[runs++] = i;
    at[runs] = n;

    /* the series dominate: distinct histories are shared out among threads (no shared writes:
     * each customer belongs to one run) */
    struct predict_job jobs[PAR_MAX];
    const size_t nt = predict_threads(runs);
    for (size_t t = 0; t < nt; t++)
        jobs[t] = (struct predict_job){.bg = bg,
                                       .gg = gg,
                                       .c = c,
                                       .first_spend = first,
                                       .h = h,
                                       .hs = hs,
                                       .at = at,
                                       .first = runs * t / nt,
                                       .last = runs * (t + 1) / nt,
                                       .p_alive = p_alive,
                                       .expected = expected,
                                       .value = value};
    par_run((unsigned)nt, predict_runs, jobs, sizeof(jobs[0]));
    free(hs);
    free(at);
    return 0;
}

int value_predict(struct value_result *r, const struct value_options *o, struct kith_error *err)
{
    int rc = value_check_options(o, err);
    if (rc < 0)
        return rc;
    const struct value_model *m = &r->model;
    if (!m->fitted)
        return kith_err(err, KITH_EINVAL, "customer value: the models are not fitted");
    const struct clv_horizon h = {
        .steps = o->horizon_months,
        .step = DAYS_PER_MONTH / o->unit_days,
        .discount = pow(1 + o->discount, 1.0 / 12) - 1,
        .margin = m->margin_ratio,
    };
    const size_t n = r->n;
    struct clv_customer *c = alloc_array(n, sizeof(*c));
    double *first = alloc_array(n, sizeof(*first));
    double *pa = alloc_array(n, sizeof(*pa));
    double *ey = alloc_array(n, sizeof(*ey));
    double *v = alloc_array(n, sizeof(*v));
    if (!c || !first || !pa || !ey || !v) {
        rc = kith_err(err, KITH_ENOMEM, "customer value: out of memory for %zu customers", n);
        goto out_free;
    }
    for (size_t i = 0; i < n; i++) {
        c[i] = r->c[i].rfm;
        first[i] = r->c[i].first_spend;
    }
    if ((rc = value_predict_summaries(&m->bg, &m->gg, c, first, n, &h, pa, ey, v, err)) < 0)
        goto out_free;
    const double years = value_discounted_years(o);
    for (size_t i = 0; i < n; i++) {
        struct value_customer *vc = &r->c[i];
        vc->p_alive = pa[i];
        vc->expected_orders = ey[i];
        vc->basis = VALUE_BASIS_MODEL;
        vc->proxy_reason = VALUE_PROXY_NO;
        vc->predicted = v[i];
        if (!isfinite(v[i])) {
            vc->proxy_reason = VALUE_PROXY_UNDEFINED;
            vc->basis = VALUE_BASIS_HISTORY;
            vc->predicted = value_proxy_with(vc, r->as_of_day, o, years);
        }
        vc->lifetime = vc->to_date + vc->predicted;
    }
out_free:
    free(c);
    free(first);
    free(pa);
    free(ey);
    free(v);
    return rc;
}
