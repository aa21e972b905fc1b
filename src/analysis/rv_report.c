/*
 * rv_report.c - the run functions of the RV family (rv.h): parameters and a snapshot in, a
 * report out. Everything a report shows is computed here, contact names included (read from
 * the store after the engine has chosen the contacts: names never enter the engine), so that
 * the JSON writer (io/rv_json.c) and the text tables (rv_text.c) only write.
 */
#include "analysis/rv.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rv_privacy.h"
#include "analysis/v2t2.h"
#include "engine/rv.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/num.h"

#include "util/banned.h"

/* A value of parameter param is at fault (see struct rv_error). */
static int bad_param(struct rv_error *err, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad_param(struct rv_error *err, const char *param, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kith_verr(&err->err, KITH_EINVAL, fmt, ap);
    va_end(ap);
    err->param = param;
    return KITH_EINVAL;
}

/* as_of when given, else now. */
static int64_t as_of_of(const struct rv_params *p)
{
    return param_given(&analysis_rv, p, "as_of") ? p->as_of : store_now_ms();
}

int rv_norm_spec(const struct rv_scope *src, const struct rv_params *p, struct norm_spec *spec,
                 struct rv_error *err)
{
    struct kith_error e = {0};
    enum norm_dim by;
    if (norm_dim_from_name(p->by, &by, &e) < 0)
        return bad_param(err, "by", "%s", e.msg);
    norm_spec_init(spec, by, as_of_of(p));
    spec->bucket_days = (int)p->bucket_days;
    spec->max_age_days = (int)p->max_age_days;
    spec->min_n = (unsigned)p->min_n;
    spec->nthreads = src->nthreads;
    spec->population = src->mask;
    spec->visible = src->mask;
    for (size_t i = 0; i < p->where.n; i++) {
        const char *w = p->where.v[i], *eq = strchr(w, '=');
        char field[64];
        if (!eq || eq == w || (size_t)(eq - w) >= sizeof(field))
            return bad_param(err, "where", "'%.60s' is not FIELD=VALUE (e.g. team=Alpha)", w);
        memcpy(field, w, (size_t)(eq - w));
        field[eq - w] = '\0';
        struct norm_filter *f = &spec->filters[spec->nfilters];
        if (norm_dim_from_name(field, &f->dim, &e) < 0)
            return bad_param(err, "where", "%s", e.msg);
        if (f->dim == NORM_ALL)
            return bad_param(err, "where", "cannot filter on all");
        if (norm_key_from_text(src->snap, f->dim, eq + 1, &f->key, &e) < 0)
            return bad_param(err, "where", "%.60s: %s", w, e.msg);
        spec->nfilters++;
    }
    return 0;
}

/* The name of contact id from src's store (a copy in *out, the caller's), or NULL: none. */
static int read_name(const struct rv_scope *src, int64_t id, char **out, struct kith_error *err)
{
    char name[STORE_CONTACT_NAME_MAX];
    *out = NULL;
    if (!src->store || store_rv_contact_name(src->store, id, name, sizeof(name), NULL) < 0)
        return 0; /* shown without a name, as when the contact has none */
    *out = strdup(name);
    return *out ? 0 : kith_err(err, KITH_ENOMEM, "out of memory reading contact names");
}

int rv_contact_run(const struct rv_scope *src, const struct rv_params *p,
                   struct rv_contact_report *out, struct rv_error *err)
{
    const struct rv_snapshot *s = src->snap;
    struct norm_spec spec;
    memset(out, 0, sizeof(*out));
    out->snap = s;
    int rc = rv_norm_spec(src, p, &spec, err);
    if (rc < 0)
        return rc;
    int32_t c = rv_snapshot_contact(s, p->contact_id);
    if (c < 0 || !rv_mask_has(src->mask, (size_t)c))
        return kith_err(&err->err, KITH_ENOTFOUND, "no contact %lld with Relationship Value yet",
                        (long long)p->contact_id);
    /* a single-valued grouping needs only the contact's own group */
    int32_t own;
    if (norm_attribute_key(s, spec.by, (size_t)c, &own) && spec.nfilters < NORM_MAX_FILTERS) {
        spec.filters[spec.nfilters].dim = spec.by;
        spec.filters[spec.nfilters++].key = own;
    }
    if ((rc = norm_compute(s, &spec, &out->norm, &err->err)) < 0)
        return rc;
    out->id = p->contact_id;
    out->c = (size_t)c;
    out->as_of_ms = spec.as_of_ms;
    out->half_life_days = p->half_life_days;
    out->bucket_days = spec.bucket_days;
    const int32_t at = rv_time_from_ms(spec.as_of_ms);
    rv_contact_state_at(s, out->c, at, &out->state);
    out->strength = rv_strength(s, out->c, spec.as_of_ms, p->half_life_days);
    out->age_days = out->state.ncounted ? ((int64_t)at - out->state.first) / RV_DAY : -1;
    for (size_t i = rv_run_begin(s, out->c); i < rv_run_end(s, out->c) && s->t[i] <= at; i++)
        out->excluded += !rv_counts(s, i);
    if ((rc = rv_pattern(s, out->c, spec.as_of_ms, spec.bucket_days, NULL, 0, &out->npattern,
                         &err->err)) < 0)
        return rc;
    out->pattern = alloc_array(out->npattern, sizeof(*out->pattern));
    if (!out->pattern)
        return kith_err(&err->err, KITH_ENOMEM, "out of memory for the pattern");
    if ((rc = rv_pattern(s, out->c, spec.as_of_ms, spec.bucket_days, out->pattern, out->npattern,
                         &out->npattern, &err->err)) < 0)
        return rc;
    norm_position_of(out->norm, s, out->c, spec.as_of_ms, out->positions, RV_POSITIONS_MAX,
                     &out->npositions);
    return read_name(src, out->id, &out->name, &err->err);
}

int rv_norm_run(const struct rv_scope *src, const struct rv_params *p, struct rv_norm_report *out,
                struct rv_error *err)
{
    struct norm_spec spec;
    memset(out, 0, sizeof(*out));
    out->snap = src->snap;
    out->every = (unsigned)p->every;
    int rc = rv_norm_spec(src, p, &spec, err);
    if (rc < 0)
        return rc;
    spec.grid = 2; /* positions are not shown */
    return norm_compute(src->snap, &spec, &out->norm, &err->err);
}

int rv_exceptions_run(const struct rv_scope *src, const struct rv_params *p,
                      struct rv_exceptions_report *out, struct rv_error *err)
{
    struct norm_spec spec;
    memset(out, 0, sizeof(*out));
    out->snap = src->snap;
    int rc = rv_norm_spec(src, p, &spec, err);
    if (rc < 0)
        return rc;
    const int want = p->status == RV_STATUS_BEHIND  ? NORM_BEHIND
                     : p->status == RV_STATUS_AHEAD ? NORM_AHEAD
                                                    : 0;
    if ((rc = norm_compute(src->snap, &spec, &out->norm, &err->err)) < 0 ||
        (rc = norm_exceptions(out->norm, want, &out->idx, &out->count, &err->err)) < 0)
        return rc;
    out->shown = out->count < (size_t)p->limit ? out->count : (size_t)p->limit;
    out->names = alloc_array_zero(out->shown, sizeof(*out->names));
    if (!out->names) {
        out->shown = 0;
        return kith_err(&err->err, KITH_ENOMEM, "out of memory reading contact names");
    }
    /* every contact named is one the caller may read: the positions are those of the mask */
    for (size_t i = 0; i < out->shown; i++) {
        const struct norm_position *pos = &out->norm->positions[out->idx[i]];
        if ((rc = read_name(src, src->snap->cid[pos->contact], &out->names[i], &err->err)) < 0)
            return rc;
    }
    return 0;
}

int rv_reps_run(const struct rv_scope *src, const struct rv_params *p, struct rv_reps_report *out,
                struct rv_error *err)
{
    struct kith_error e = {0};
    struct scorecard_spec spec = {
        .from_ms = p->from, .to_ms = p->to, .team = -1, .visible = src->mask};
    memset(out, 0, sizeof(*out));
    out->snap = src->snap;
    out->team = -1;
    if (spec.from_ms && spec.to_ms && spec.to_ms <= spec.from_ms)
        return bad_param(err, "to", "must be after from");
    if (p->team && norm_key_from_text(src->snap, NORM_TEAM, p->team, &spec.team, &e) < 0)
        return bad_param(err, "team", "%s", e.msg);
    out->team = spec.team;
    return scorecard_compute(src->snap, &spec, &out->rows, &out->n, &err->err);
}

/* --clip LO:HI into spec (the CLI's spelling of clip_lo and clip_hi). */
static int parse_clip(const char *text, struct compare_spec *spec, struct rv_error *err)
{
    const char *colon = strchr(text, ':');
    struct kith_error e = {0};
    if (!colon || colon == text || !colon[1])
        return bad_param(err, "clip", "'%.60s' is not LO:HI (e.g. -1000:10000)", text);
    if (num_parse_double(text, (size_t)(colon - text), -RV_CLIP_MAX, RV_CLIP_MAX, &spec->clip_lo,
                         "LO", &e) < 0 ||
        num_double(colon + 1, -RV_CLIP_MAX, RV_CLIP_MAX, &spec->clip_hi, "HI", &e) < 0)
        return bad_param(err, "clip", "%s", e.msg);
    return 0;
}

const struct store_privacy_policy rv_privacy_default = {.role = "",
                                                        .min_k = 10,
                                                        .max_epsilon = 1,
                                                        .require_noise = true,
                                                        .daily_budget = STORE_PRIVACY_NO_LIMIT};

#define MS_PER_DAY 86400000LL

/* What the members hook of a comparison needs (units_members). */
struct units_noise {
    const struct rv_scope *src;
    struct rv_noise_query query;
    struct rv_noise_stream stream;
    struct rv_units_privacy *privacy;
};

/*
 * Called by compare_units() before the first draw: seeds the noise from the server's key, the
 * query and the data version, and spends the caller's budget on a query new today (refusing one
 * that would pass it, before anything is drawn).
 */
static int units_members(void *ctx, const struct compare_members *m, struct kith_error *err)
{
    struct units_noise *nz = ctx;
    const struct rv_scope *src = nz->src;
    struct rv_units_privacy *pv = nz->privacy;
    uint8_t key[RV_NOISE_KEY_BYTES] = {0}, version[RV_NOISE_VERSION_BYTES],
            seed[RV_NOISE_SEED_BYTES], id[RV_NOISE_QUERY_BYTES];
    int rc;
    /* without a store (tests of the engine's callers) the key is all zero */
    if (src->store && (rc = store_privacy_key(src->store, key, err)) < 0)
        return rc;
    rv_noise_version(m, version);
    rv_noise_seed(key, &nz->query, version, seed);
    sodium_memzero(key, sizeof(key));
    rv_noise_stream_init(&nz->stream, seed);
    if (!src->store || src->user_id <= 0 || pv->policy.daily_budget == STORE_PRIVACY_NO_LIMIT)
        return 0;
    rv_noise_query_id(seed, id);
    struct store_privacy_spent spent;
    pv->budgeted = true;
    pv->day = store_now_ms() / MS_PER_DAY;
    if ((rc = store_privacy_spend(src->store, src->user_id, pv->day, id, nz->query.epsilon,
                                  pv->policy.daily_budget, &spent, err)) < 0)
        return rc;
    pv->spent = spent.spent;
    pv->left = fmax(0, pv->policy.daily_budget - spent.spent);
    pv->charged = spent.charged;
    if (spent.refused)
        return kith_err(err, KITH_ELIMIT,
                        "this query would spend epsilon %g of your daily privacy budget of %g"
                        " for the comparison of units, of which %g is left today; it renews at"
                        " 00:00 UTC (asking the same question again costs nothing)",
                        nz->query.epsilon, pv->policy.daily_budget, pv->left);
    return 0;
}

/*
 * k and epsilon as the policy allows: a caller may ask for more privacy, never less. k below
 * min_k is raised to it, epsilon above max_epsilon lowered to it (the answer says so); not
 * given, k is min_k and epsilon max_epsilon where noise is required, else 0; epsilon 0 asked of
 * a role that requires noise is refused (there is no more private reading of "no noise").
 */
static int apply_policy(const struct rv_params *p, struct compare_spec *spec,
                        struct rv_units_privacy *pv, struct rv_error *err)
{
    const struct store_privacy_policy *pol = &pv->policy;
    const bool k_given = param_given(&analysis_rv, p, "k"),
               eps_given = param_given(&analysis_rv, p, "epsilon");
    pv->k_requested = k_given ? p->k : 0;
    pv->epsilon_requested = eps_given ? p->epsilon : NAN;
    int64_t k = k_given ? p->k : pol->min_k;
    if (k < pol->min_k) {
        k = pol->min_k;
        pv->k_raised = true;
    }
    double eps = eps_given ? p->epsilon : pol->require_noise ? pol->max_epsilon : 0;
    if (eps == 0 && pol->require_noise)
        return bad_param(err, "epsilon",
                         "the privacy policy of the %s role requires noise: give an epsilon"
                         " above 0 and at most %g (or leave it out for %g)",
                         pol->role[0] ? pol->role : "default", pol->max_epsilon, pol->max_epsilon);
    if (eps > pol->max_epsilon) {
        eps = pol->max_epsilon;
        pv->epsilon_lowered = true;
    }
    spec->k = k > UINT32_MAX ? UINT32_MAX : (unsigned)k;
    spec->epsilon = eps;
    return 0;
}

int rv_units_run(const struct rv_scope *src, const struct rv_params *p, struct rv_units_report *out,
                 struct rv_error *err)
{
    struct kith_error e = {0};
    struct compare_spec spec;
    memset(out, 0, sizeof(*out));
    out->snap = src->snap;
    out->as_of_ms = as_of_of(p);
    out->privacy.policy = src->policy ? *src->policy : rv_privacy_default;
    compare_spec_init(&spec, out->as_of_ms);
    if (apply_policy(p, &spec, &out->privacy, err) < 0)
        return err->err.code;
    spec.clip_lo = p->clip_lo;
    spec.clip_hi = p->clip_hi;
    const bool clip = p->clip != NULL;
    if (clip &&
        (param_given(&analysis_rv, p, "clip_lo") || param_given(&analysis_rv, p, "clip_hi")))
        return bad_param(err, "clip",
                         "sets both bounds: give it or --clip-lo and --clip-hi, not both");
    if (clip && parse_clip(p->clip, &spec, err) < 0)
        return err->err.code;
    if (!(spec.clip_lo < spec.clip_hi))
        return bad_param(err, clip ? "clip" : "clip_hi",
                         "the upper bound must be above the lower bound");
    if (spec.epsilon > 0 && sodium_init() < 0)
        return kith_err(&err->err, KITH_EIO, "libsodium cannot start: no source for the noise");
    int64_t own_unit_id = 0;
    if (p->unit) {
        if (norm_key_from_text(src->snap, NORM_UNIT, p->unit, &spec.own_unit, &e) < 0)
            return bad_param(err, "unit", "%s", e.msg);
    } else if (src->own_unit_id > 0) {
        char key[32];
        snprintf(key, sizeof(key), "#%lld", (long long)src->own_unit_id);
        if (norm_key_from_text(src->snap, NORM_UNIT, key, &spec.own_unit, NULL) < 0)
            spec.own_unit = -1; /* a unit made after the snapshot: none of its own yet */
    }
    if (spec.own_unit >= 0)
        own_unit_id = src->snap->units.id[spec.own_unit];
    /* the noise is the query's: seeded from what is asked and the data, not drawn afresh */
    struct units_noise nz = {.src = src,
                             .query = {.k = spec.k,
                                       .epsilon = spec.epsilon,
                                       .clip_lo = spec.clip_lo,
                                       .clip_hi = spec.clip_hi,
                                       .own_unit_id = own_unit_id},
                             .privacy = &out->privacy};
    spec.uniform = rv_noise_uniform;
    spec.uniform_ctx = &nz.stream;
    spec.members = units_members;
    spec.members_ctx = &nz;
    return compare_units(src->snap, &spec, &out->cmp, &err->err);
}

/* The won and lost deals with a close time, from the store (the snapshot holds no deals). */
static int win_deals(const struct rv_scope *src, struct deal_data *d, struct indicator_deal **out,
                     size_t *n, struct kith_error *err)
{
    if (!src->store)
        return kith_err(err, KITH_EINVAL, "the win outcome reads deals: it needs the database");
    int rc = store_deals_load(src->store, NULL, 0, d, err);
    if (rc < 0)
        return kith_err_prefix(err, "reading the deals for the win outcome");
    struct indicator_deal *x = alloc_array(d->n, sizeof(*x));
    if (!x)
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu deals", d->n);
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct deal_rec *r = &d->deals[i];
        if (r->outcome == DEAL_OPEN || !r->has_closed)
            continue;
        x[k++] = (struct indicator_deal){.account_id = r->account_id,
                                         .contact_id = r->contact_id,
                                         .closed_ms = r->closed_at,
                                         .won = r->outcome == DEAL_WON};
    }
    *out = x;
    *n = k;
    return 0;
}

/* The accounts' wallets (ascending account id, wallet > 0), from the store: the snapshot holds
 * none. */
static int account_wallets(const struct rv_scope *src, struct indicator_wallet **out, size_t *n,
                           struct kith_error *err)
{
    if (!src->store)
        return kith_err(err, KITH_EINVAL,
                        "the share_of_wallet outcome reads the accounts' wallets: it needs the "
                        "database");
    struct cv_data d = {0};
    const struct store_cv_request cr = {
        .parts = STORE_CV_ACCOUNTS, .as_of_day = STORE_CV_AS_OF_LATEST, .current_days = 365};
    int rc = store_cv_load(src->store, &cr, &d, err);
    if (rc < 0)
        return kith_err_prefix(err, "reading the accounts' wallets");
    struct indicator_wallet *w = alloc_array(d.naccounts ? d.naccounts : 1, sizeof(*w));
    if (!w) {
        cv_data_release(&d);
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu accounts", d.naccounts);
    }
    size_t k = 0;
    for (size_t i = 0; i < d.naccounts; i++) /* accounts load ascending by id */
        if (d.accounts[i].wallet > 0)
            w[k++] = (struct indicator_wallet){.account_id = d.accounts[i].id,
                                               .wallet = d.accounts[i].wallet};
    cv_data_release(&d);
    *out = w;
    *n = k;
    return 0;
}

/*
 * Each customer's V2T2 discord over the window (cutoff - window, cutoff] in phase (-1: every
 * phase), its zone placed by the orders up to the cut-off, each customer judged by its unit's
 * V2T2 settings (docs/v2t2.md, "Settings"); *out (nacct + nc long) is the caller's.
 */
static int window_discord(const struct rv_scope *src, const struct rv_params *p, int phase,
                          double **out, struct kith_error *err)
{
    if (!src->store)
        return kith_err(
            err, KITH_EINVAL,
            "the discord predictor reads the catalogue's weights: it needs the database");
    const struct rv_snapshot *s = src->snap;
    struct v2t2_data d = {0};
    struct v2t2_judging jg = {0};
    int rc = store_v2t2_load(src->store, false, &d, err);
    if (rc < 0)
        return kith_err_prefix(err, "reading the catalogue for the discord predictor");
    float *touch = NULL, *tech = NULL;
    uint8_t *partner = NULL;
    rc = v2t2_judging_make(s, &d, NULL, &jg, err);
    if (rc == 0)
        rc = v2t2_catalog_of(s, &d, &touch, &tech, &partner, err);
    if (rc == 0) {
        int32_t cut = rv_time_from_ms(p->cutoff);
        int32_t w0 = rv_time_from_ms(p->cutoff - p->window_days * 86400000LL);
        const struct v2t2_window win = {.from = w0 + 1, .to = cut + 1, .mask = src->mask};
        const struct v2t2_config cfg = v2t2_judging_config(&jg);
        const struct v2t2_zone_spec zs = {.cfg = &cfg, .as_of = cut + 1};
        const struct v2t2_catalog cat = {touch, tech, partner};
        rc = v2t2_customer_discord(s, &cat, &win, &zs, phase, (unsigned)p->threads, out, err);
    }
    v2t2_judging_release(&jg);
    free(touch);
    free(tech);
    free(partner);
    v2t2_data_release(&d);
    return rc;
}

int rv_indicator_run(const struct rv_scope *src, const struct rv_params *p,
                     struct rv_indicator_report *out, struct rv_error *err)
{
    struct indicator_spec spec;
    memset(out, 0, sizeof(*out));
    indicator_spec_init(&spec, p->cutoff, (int)p->window_days, (int)p->horizon_days,
                        (enum indicator_outcome)p->outcome);
    spec.per = (enum indicator_per)p->per;
    spec.resamples = (unsigned)p->resamples;
    spec.seed = (uint64_t)p->seed;
    if (param_given(&analysis_rv, p, "population"))
        spec.customers_only = p->population == RV_POPULATION_CUSTOMERS;
    spec.population = src->mask;
    struct deal_data deals = {0};
    struct indicator_deal *closed = NULL;
    int rc = 0;
    if (spec.outcome == INDICATOR_WIN) {
        rc = win_deals(src, &deals, &closed, &spec.ndeals, &err->err);
        spec.deals = closed;
    }
    struct indicator_wallet *wallets = NULL;
    if (spec.outcome == INDICATOR_SHARE_OF_WALLET) {
        if (spec.per != INDICATOR_PER_ACCOUNT)
            rc = bad_param(err, "per", "share_of_wallet is an account's figure: use per account");
        else
            rc = account_wallets(src, &wallets, &spec.nwallets, &err->err);
        spec.wallets = wallets;
    }
    spec.predictor = (enum indicator_predictor)p->predictor;
    out->phase = p->phase - 1;
    double *discord = NULL;
    if (rc == 0 && spec.predictor != INDICATOR_DISCORD && param_given(&analysis_rv, p, "phase"))
        rc = bad_param(err, "phase",
                       "the phase is that of the discord: use it with predictor=discord");
    if (rc == 0 && spec.predictor == INDICATOR_DISCORD) {
        if (spec.per != INDICATOR_PER_ACCOUNT)
            rc = bad_param(err, "per", "discord is a relationship's figure: use per account");
        else
            rc = window_discord(src, p, out->phase, &discord, &err->err);
        spec.discord = discord;
    }
    if (rc == 0)
        rc = indicator_compute(src->snap, &spec, &out->result, &err->err);
    spec.population = NULL;
    spec.deals = NULL;
    spec.wallets = NULL;
    spec.discord = NULL;
    out->spec = spec;
    free(discord);
    free(wallets);
    free(closed);
    deal_data_release(&deals);
    return rc;
}
