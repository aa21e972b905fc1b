/*
 * value_kept.c - the kept customer value figures (value.h, "kept figures"): computed once per
 * version of the value inputs over every account with the default model parameters, written to
 * the store (store.h, "kept customer value figures") and read back. value_kept_view(), in
 * value_run.c, answers clv and dist from them. docs/internals/value.md, "Kept figures".
 */
#include "analysis/value.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"

#include "util/banned.h"

/*
 * The report's scalars that the customers' rows do not hold, as the store keeps them (an opaque
 * blob). Change KEPT_FORMAT with this struct or struct value_customer: figures of another layout
 * are then ignored and computed again (value_kept_load()).
 */
#define KEPT_FORMAT 1
struct kept_head {
    int32_t as_of_day, current_days;
    double horizon_years;
    struct value_model model;
    bool no_model, has_diag;
    char model_reason[256];
    struct clv_fit_diag bg_diag, gg_diag; /* names NULL: the engine's static ones on reading */
    struct value_warning warnings[VALUE_MAX_WARNINGS];
    size_t nwarnings;
    size_t ncurrencies, ncustomers, proxies;
    double total_lifetime;
    double seconds; /* how long computing them took */
};

static int64_t kept_layout(void)
{
    return ((int64_t)KEPT_FORMAT << 40) | ((int64_t)sizeof(struct kept_head) << 16) |
           (int64_t)sizeof(struct value_customer);
}

/* The parameters the kept figures use: every default of the table. */
static void kept_params(struct value_params *p)
{
    param_defaults(&analysis_value, p);
}

static void kept_key(char *buf, size_t size)
{
    struct value_params p;
    kept_params(&p);
    snprintf(buf, size,
             "clv horizon=%lld discount=%.17g proxy_days=%lld unit_days=%.17g "
             "max_iter=%lld",
             (long long)p.horizon, p.discount, (long long)p.proxy_days, p.unit_days,
             (long long)p.max_iter);
}

bool value_kept_covers(const struct value_params *p)
{
    struct value_params d;
    kept_params(&d);
    return !param_given(&analysis_value, p, "as_of") &&
           !param_given(&analysis_value, p, "margin") && p->horizon == d.horizon &&
           p->discount == d.discount && p->proxy_days == d.proxy_days &&
           p->unit_days == d.unit_days && p->max_iter == d.max_iter;
}

void value_kept_release(struct value_kept *k)
{
    for (size_t m = 0; m <= VALUE_PROFIT_CURRENT; m++)
        free(k->order[m]);
    free(k->rin);
    free(k->sc);
    value_report_release(&k->x);
    memset(k, 0, sizeof(*k));
}

/* The customers in the order of every measure, and their RFM scores for the default new_days. */
static int kept_orders(struct value_kept *k, struct kith_error *err)
{
    const struct value_result *r = &k->x.r;
    for (size_t m = 0; m <= VALUE_PROFIT_CURRENT; m++)
        if (!(k->order[m] = value_order(r, (enum value_measure)m)))
            return kith_err(err, KITH_ENOMEM, "out of memory ordering the kept customers");
    struct value_params p;
    kept_params(&p);
    k->rfm_new_days = p.new_days;
    k->rin = alloc_array(r->n ? r->n : 1, sizeof(*k->rin));
    k->sc = alloc_array(r->n ? r->n : 1, sizeof(*k->sc));
    if (!k->rin || !k->sc)
        return kith_err(err, KITH_ENOMEM, "out of memory scoring the kept customers");
    rfm_inputs_from_values(r, (int)p.new_days, k->rin);
    return rfm_score_all(k->rin, r->n, k->sc, err);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int value_kept_compute(struct store *s, struct value_kept *k, struct kith_error *err)
{
    memset(k, 0, sizeof(*k));
    const double t0 = seconds_now();
    struct value_params p;
    kept_params(&p);
    const struct value_scope all = {.store = s};
    int rc = value_run(VALUE_CLV, &p, &all, &k->x, err);
    if (rc < 0)
        return rc;
    k->computed_at = k->x.computed_at;
    k->data_version = k->x.data_version;
    /* the answers read the accounts only: the orders and costs go */
    free(k->x.d.orders);
    free(k->x.d.costs);
    k->x.d.orders = NULL;
    k->x.d.costs = NULL;
    k->x.d.norders = k->x.d.ncosts = 0;
    free(k->x.ix); /* the default order: kept_orders() makes every one */
    k->x.ix = NULL;
    rc = kept_orders(k, err);
    if (rc < 0)
        value_kept_release(k);
    k->seconds = seconds_now() - t0;
    return rc;
}

/* ---- customers as the store's rows ----------------------------------------------------------- */

static void to_row(void *ctx, size_t i, struct store_vk_row *row)
{
    const struct value_customer *c = &((const struct value_result *)ctx)->c[i];
    row->account_id = c->account_id;
    double *v = row->v;
    v[STORE_VK_FIRST_DAY] = c->first_day;
    v[STORE_VK_LAST_DAY] = c->last_day;
    v[STORE_VK_ORDERS] = c->orders;
    v[STORE_VK_RETURNS] = c->returns;
    v[STORE_VK_X] = c->rfm.x;
    v[STORE_VK_T_X] = c->rfm.t_x;
    v[STORE_VK_T] = c->rfm.T;
    v[STORE_VK_ZBAR] = c->rfm.zbar;
    v[STORE_VK_FIRST_SPEND] = c->first_spend;
    v[STORE_VK_AMOUNT_TO_DATE] = c->amount_to_date;
    v[STORE_VK_AMOUNT_CURRENT] = c->amount_current;
    v[STORE_VK_WALLET] = c->wallet;
    v[STORE_VK_SHARE_OF_WALLET] = c->share_of_wallet;
    v[STORE_VK_TO_DATE] = c->to_date;
    v[STORE_VK_CURRENT] = c->current;
    v[STORE_VK_RETURNED] = c->returned;
    v[STORE_VK_COST_TO_DATE] = c->cost_to_date;
    v[STORE_VK_COST_CURRENT] = c->cost_current;
    v[STORE_VK_P_ALIVE] = c->p_alive;
    v[STORE_VK_EXPECTED_ORDERS] = c->expected_orders;
    v[STORE_VK_PREDICTED] = c->predicted;
    v[STORE_VK_LIFETIME] = c->lifetime;
    v[STORE_VK_BASIS] = c->basis;
    v[STORE_VK_PROXY_REASON] = c->proxy_reason;
}

static void from_row(const struct store_vk_row *row, struct value_customer *c)
{
    const double *v = row->v;
    memset(c, 0, sizeof(*c));
    c->account_id = row->account_id;
    c->account = CV_NO_INDEX;
    c->first_day = (int32_t)v[STORE_VK_FIRST_DAY];
    c->last_day = (int32_t)v[STORE_VK_LAST_DAY];
    c->orders = (uint32_t)v[STORE_VK_ORDERS];
    c->returns = (uint32_t)v[STORE_VK_RETURNS];
    c->rfm.x = v[STORE_VK_X];
    c->rfm.t_x = v[STORE_VK_T_X];
    c->rfm.T = v[STORE_VK_T];
    c->rfm.zbar = v[STORE_VK_ZBAR];
    c->first_spend = v[STORE_VK_FIRST_SPEND];
    c->amount_to_date = v[STORE_VK_AMOUNT_TO_DATE];
    c->amount_current = v[STORE_VK_AMOUNT_CURRENT];
    c->wallet = v[STORE_VK_WALLET];
    c->share_of_wallet = v[STORE_VK_SHARE_OF_WALLET];
    c->to_date = v[STORE_VK_TO_DATE];
    c->current = v[STORE_VK_CURRENT];
    c->returned = v[STORE_VK_RETURNED];
    c->cost_to_date = v[STORE_VK_COST_TO_DATE];
    c->cost_current = v[STORE_VK_COST_CURRENT];
    c->p_alive = v[STORE_VK_P_ALIVE];
    c->expected_orders = v[STORE_VK_EXPECTED_ORDERS];
    c->predicted = v[STORE_VK_PREDICTED];
    c->lifetime = v[STORE_VK_LIFETIME];
    c->basis = (uint8_t)v[STORE_VK_BASIS];
    c->proxy_reason = (uint8_t)v[STORE_VK_PROXY_REASON];
}

/* ---- saving and loading ---------------------------------------------------------------------- */

int value_kept_save(struct store *s, struct value_kept *k, struct kith_error *err)
{
    const struct value_report *x = &k->x;
    struct kept_head h;
    memset(&h, 0, sizeof(h)); /* padding too: the blob is the same for the same figures */
    h.as_of_day = x->r.as_of_day;
    h.current_days = x->r.current_days;
    h.horizon_years = x->r.horizon_years;
    h.model = x->r.model;
    h.no_model = x->no_model;
    h.has_diag = x->has_diag;
    memcpy(h.model_reason, x->model_reason, sizeof(h.model_reason));
    h.bg_diag = x->bg_diag;
    h.gg_diag = x->gg_diag;
    for (size_t j = 0; j < 4; j++)
        h.bg_diag.par[j].name = h.gg_diag.par[j].name = NULL;
    memcpy(h.warnings, x->warnings, sizeof(h.warnings));
    h.nwarnings = x->nwarnings;
    h.ncurrencies = x->d.ncurrencies;
    h.ncustomers = x->r.n;
    h.proxies = x->proxies;
    h.total_lifetime = x->total_lifetime;
    h.seconds = k->seconds;
    struct store_vk_head sh = {.layout = kept_layout(),
                               .data_version = k->data_version,
                               .computed_at = k->computed_at,
                               .head = &h,
                               .headlen = sizeof(h)};
    kept_key(sh.key, sizeof(sh.key));
    int rc = store_vk_save(s, &sh, x->r.n, to_row, (void *)&x->r, err);
    if (rc == 0)
        k->gen = sh.gen;
    return rc;
}

int value_kept_newest(struct store *s, int64_t *gen, int64_t *data_version, struct kith_error *err)
{
    char key[128];
    kept_key(key, sizeof(key));
    struct store_vk_head h;
    bool found;
    *gen = *data_version = 0;
    int rc = store_vk_latest(s, key, &h, &found, err);
    if (rc == 0 && found && h.layout == kept_layout()) {
        *gen = h.gen;
        *data_version = h.data_version;
    }
    free(h.head);
    return rc;
}

struct load_ctx {
    struct value_result *r;
    size_t cap;
};

static int customer_row(void *ctx, const struct store_vk_row *row, struct kith_error *err)
{
    struct load_ctx *c = ctx;
    if (c->r->n == c->cap)
        return kith_err(err, KITH_EINVAL, "the kept value figures have more rows than customers");
    from_row(row, &c->r->c[c->r->n++]);
    return 0;
}

/* The diagnostics' parameter names, as the engine gives them (clv_fit.c). */
static void name_params(struct clv_fit_diag *d, const char *const *names, size_t n)
{
    for (size_t j = 0; j < n && j < 4; j++)
        d->par[j].name = names[j];
}

int value_kept_load(struct store *s, struct value_kept *k, bool *found, struct kith_error *err)
{
    memset(k, 0, sizeof(*k));
    *found = false;
    char key[128];
    kept_key(key, sizeof(key));
    struct store_vk_head sh;
    bool any;
    int rc = store_vk_latest(s, key, &sh, &any, err);
    if (rc < 0 || !any)
        return rc;
    if (sh.layout != kept_layout() || sh.headlen != sizeof(struct kept_head)) {
        free(sh.head);
        return 0; /* another kith's layout: computed again */
    }
    struct kept_head h;
    memcpy(&h, sh.head, sizeof(h));
    free(sh.head);
    struct value_report *x = &k->x;
    struct value_params p;
    kept_params(&p);
    x->analysis = VALUE_CLV;
    x->p = p;
    x->account = CV_NO_INDEX;
    x->vo.as_of_day = h.as_of_day;
    /* the accounts of now, the customers of then (a write since makes the figures stale) */
    const struct store_cv_request cr = {
        .parts = STORE_CV_ACCOUNTS, .as_of_day = h.as_of_day, .current_days = VALUE_CURRENT_DAYS};
    if ((rc = store_cv_load(s, &cr, &x->d, err)) < 0)
        return rc;
    x->d.ncurrencies = h.ncurrencies;
    /* the options as value_run() sets them */
    value_options_default(&x->vo);
    x->vo.as_of_day = h.as_of_day;
    x->vo.current_days = VALUE_CURRENT_DAYS;
    x->vo.unit_days = p.unit_days;
    x->vo.horizon_months = (int)p.horizon;
    x->vo.discount = p.discount;
    x->vo.margin_ratio = -1;
    x->vo.proxy_days = (int)p.proxy_days;
    x->fit =
        (struct clv_fit_options){.max_iter = (int)p.max_iter, .grad_tol = CLV_FIT_DEFAULT_GRAD_TOL};
    x->vo.fit = &x->fit;
    struct value_result *r = &x->r;
    r->as_of_day = h.as_of_day;
    r->current_days = h.current_days;
    r->horizon_years = h.horizon_years;
    r->model = h.model;
    if (h.ncustomers && !(r->c = alloc_array(h.ncustomers, sizeof(*r->c)))) {
        value_kept_release(k);
        return kith_err(err, KITH_ENOMEM, "out of memory reading the kept value figures");
    }
    struct load_ctx lc = {.r = r, .cap = h.ncustomers};
    rc = store_vk_rows(s, sh.gen, customer_row, &lc, err);
    if (rc == 0 && r->n != h.ncustomers)
        rc = kith_err(err, KITH_EINVAL, "the kept value figures lack rows (%zu of %zu)", r->n,
                      h.ncustomers);
    for (size_t i = 0; rc == 0 && i < r->n; i++)
        r->c[i].account = cv_account_index(&x->d, r->c[i].account_id);
    x->no_model = h.no_model;
    x->has_diag = h.has_diag;
    memcpy(x->model_reason, h.model_reason, sizeof(x->model_reason));
    x->bg_diag = h.bg_diag;
    x->gg_diag = h.gg_diag;
    static const char *const bg[] = {"r", "alpha", "a", "b"}, *const gg[] = {"p", "q", "gamma"};
    name_params(&x->bg_diag, bg, 4);
    name_params(&x->gg_diag, gg, 3);
    memcpy(x->warnings, h.warnings, sizeof(x->warnings));
    x->nwarnings = h.nwarnings < VALUE_MAX_WARNINGS ? h.nwarnings : VALUE_MAX_WARNINGS;
    x->proxies = h.proxies;
    x->total_lifetime = h.total_lifetime;
    k->seconds = h.seconds;
    k->gen = sh.gen;
    k->data_version = sh.data_version;
    k->computed_at = sh.computed_at;
    x->computed_at = sh.computed_at;
    x->data_version = sh.data_version;
    if (rc == 0)
        rc = kept_orders(k, err);
    if (rc < 0) {
        value_kept_release(k);
        return rc;
    }
    *found = true;
    return 0;
}
