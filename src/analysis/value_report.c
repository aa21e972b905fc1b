/*
 * value_report.c - the JSON of a customer value report (value.h): the one answer of GET
 * /api/v1/value/<analysis> and of `kith value <analysis> --json`, built with jansson from the
 * io/value_json.h encoders. docs/internals/value.md lists the shapes.
 */
#include "analysis/value.h"

#include <math.h>
#include <string.h>

#include "io/value_json.h"
#include "util/timefmt.h"

#include "util/banned.h"

/*
 * Adds v under key. v is always consumed (NULL means out of memory); false when anything failed.
 * put_if() does nothing but drop v once an earlier step failed, so builders can chain.
 */
static bool put(json_t *o, const char *key, json_t *v)
{
    if (!o || !v) {
        json_decref(v);
        return false;
    }
    return json_object_set_new(o, key, v) == 0;
}

static bool put_if(bool ok, json_t *o, const char *key, json_t *v)
{
    if (!ok) {
        json_decref(v);
        return false;
    }
    return put(o, key, v);
}

static bool append(json_t *a, json_t *v)
{
    if (!a || !v) {
        json_decref(v);
        return false;
    }
    return json_array_append_new(a, v) == 0;
}

/* Appends j with "group": name added; j is always consumed. */
static bool append_group(json_t *list, json_t *j, const char *name)
{
    if (!put(j, "group", json_string(name))) {
        json_decref(j);
        return false;
    }
    return append(list, j);
}

static json_t *day_string(int32_t day)
{
    char buf[16];
    return json_string(value_json_day(day, buf, sizeof(buf)));
}

/* Money as value_json prints it: rounded to the cent. */
static json_t *cents(double v)
{
    return isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

/* Releases o and returns NULL unless ok. */
static json_t *done(json_t *o, bool ok)
{
    if (ok)
        return o;
    json_decref(o);
    return NULL;
}

static json_t *text_json(const char *t)
{
    return t ? json_string(t) : json_null();
}

/*
 * row (an object whose first key is account_id = id) with the account's "name" and
 * "external_id" after it (null when it has none, or when the account was not loaded). row is
 * consumed; NULL when anything failed.
 */
static json_t *with_identity(const struct cv_data *d, int64_t id, json_t *row)
{
    if (!row)
        return NULL;
    size_t i = cv_account_index(d, id);
    const struct cv_account *a = i == CV_NO_INDEX ? NULL : &d->accounts[i];
    /* a new object so that the two keys come right after account_id (jansson keeps order) */
    json_t *o = json_object();
    bool ok = put(o, "account_id", json_integer(id)) &&
              put(o, "name", text_json(a ? cv_text(d, a->name) : NULL)) &&
              put(o, "external_id", text_json(a ? cv_text(d, a->external_id) : NULL)) &&
              json_object_update(o, row) == 0;
    json_decref(row);
    return done(o, ok);
}

const char *value_report_kind(const struct value_report *x)
{
    return param_given(&analysis_value, &x->p, "margin") || x->r.model.margin_from_data ? "margin"
                                                                                        : "revenue";
}

/* ---- fit and clv -------------------------------------------------------------------------- */

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* [{name, estimate, se, ci95_low, ci95_high, at_boundary}] of one model's parameters. */
static json_t *diag_list(const struct clv_fit_diag *d)
{
    json_t *list = json_array();
    bool ok = list != NULL;
    for (size_t j = 0; ok && j < d->dim; j++) {
        const struct clv_param_diag *q = &d->par[j];
        json_t *o = json_object();
        ok = put(o, "name", json_string(q->name)) && put(o, "estimate", num_or_null(q->estimate)) &&
             put(o, "se", num_or_null(q->se)) && put(o, "ci95_low", num_or_null(q->lo)) &&
             put(o, "ci95_high", num_or_null(q->hi)) &&
             put(o, "at_boundary", json_boolean(q->at_boundary));
        ok = ok ? append(list, o) : (json_decref(o), false);
    }
    return done(list, ok);
}

/*
 * m (a model object, consumed) with "diagnostics": {bgnbd: [...], gamma_gamma: [...] or null,
 * bounds: [lo, hi]} when the models were fitted, null otherwise.
 */
static json_t *with_diag(const struct value_report *x, json_t *m)
{
    if (!m)
        return NULL;
    if (!x->has_diag)
        return done(m, put(m, "diagnostics", json_null()));
    json_t *d = json_object(), *bounds = json_array();
    bool ok = put(d, "bgnbd", diag_list(&x->bg_diag)) &&
              put(d, "gamma_gamma", x->gg_diag.dim ? diag_list(&x->gg_diag) : json_null()) &&
              append(bounds, json_real(x->bg_diag.par[0].box_lo)) &&
              append(bounds, json_real(x->bg_diag.par[0].box_hi));
    ok = put_if(ok, d, "bounds", bounds);
    return done(m, put_if(ok, m, "diagnostics", d));
}

static json_t *model_json(const struct value_report *x)
{
    return with_diag(x, value_json_model(&x->r.model));
}

static json_t *fit_json(const struct value_report *x)
{
    json_t *m = model_json(x);
    if (x->from_summary) {
        if (m && !x->sf.has_monetary && json_object_set_new(m, "gamma_gamma", json_null()) < 0)
            return done(m, false);
        return m;
    }
    json_t *o = json_object();
    return done(o, put(o, "as_of", day_string(x->r.as_of_day)) && put(o, "model", m));
}

/*
 * The summary file's customers: {model, customers_total, customers: [{id, x, p_alive,
 * expected_orders, expected_spend, clv}]}; the model says how many customers the rule for
 * repeat buyers without positive repeat spend concerned, as on the orders path.
 */
static json_t *clv_summary_json(const struct value_report *x)
{
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "model", model_json(x)) &&
              put(o, "customers_total", json_integer((json_int_t)x->sf.n)) && list;
    for (size_t i = 0; ok && i < x->shown; i++) {
        const struct clv_customer *c = &x->sf.cust[i];
        json_t *j = json_object();
        ok = put(j, "id", json_string(x->sf.ids[i])) && put(j, "x", json_real(c->x)) &&
             put(j, "p_alive", isfinite(x->pa[i]) ? json_real(x->pa[i]) : json_null()) &&
             put(j, "expected_orders", isfinite(x->ey[i]) ? json_real(x->ey[i]) : json_null());
        double es = gg_expected_spend(&x->r.model.gg, c, 0); /* no first spend */
        ok = ok && put(j, "expected_spend", isfinite(es) ? json_real(es) : json_null()) &&
             put(j, "clv", isfinite(x->sv[i]) ? json_real(x->sv[i]) : json_null());
        ok = ok ? append(list, j) : (json_decref(j), false);
    }
    return done(o, put_if(ok, o, "customers", list));
}

static json_t *customer_json(const struct value_report *x, size_t i)
{
    return with_identity(&x->d, x->r.c[i].account_id, value_json_customer(&x->d, &x->r, i));
}

static json_t *clv_json(const struct value_report *x)
{
    if (x->from_summary)
        return clv_summary_json(x);
    if (x->has_account)
        return customer_json(x, x->account);
    const struct value_options *vo = &x->vo;
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "horizon_months", json_integer(vo->horizon_months)) &&
              put(o, "discount", json_real(vo->discount)) &&
              put(o, "proxy_days", json_integer(vo->proxy_days)) &&
              put(o, "model", model_json(x)) &&
              put(o, "customers_total", json_integer((json_int_t)x->r.n)) &&
              put(o, "proxies", json_integer((json_int_t)x->proxies));
    for (size_t k = 0; ok && k < x->shown; k++)
        ok = append(list, customer_json(x, x->ix[k]));
    return done(o, put_if(ok, o, "customers", list));
}

/* ---- dist and drivers --------------------------------------------------------------------- */

static json_t *dist_json(const struct value_report *x)
{
    json_t *o = json_object(), *by = json_object();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(x->p.measure))) &&
              put(o, "overall", value_json_dist(&x->overall)) &&
              put(o, "share_of_wallet",
                  x->wallet.with ? value_json_wallet_dist(&x->wallet) : json_null()) &&
              by;
    for (size_t k = 0; ok && k < x->nby; k++) {
        const struct value_grouping *g = &x->by[k];
        json_t *list = json_array();
        ok = list != NULL;
        for (size_t i = 0; ok && i < g->g.n; i++)
            if (g->dist[i].n)
                ok = append_group(list, value_json_dist(&g->dist[i]), g->g.names[i]);
        ok = put_if(ok, by, value_by_name(g->by), list);
    }
    return done(o, put_if(ok, o, "by", by));
}

/* {"all": ..., "by": G, "groups": [... with "group"]} of attrition or cost. */
static json_t *grouped_json(const struct value_grouping *g, bool attrition)
{
    json_t *o = json_object(), *list = json_array();
    bool ok =
        put(o, "all",
            attrition ? value_json_attrition(&g->all_attrition) : value_json_cost(&g->all_cost)) &&
        put(o, "by", json_string(value_by_name(g->by))) && list;
    for (size_t k = 0; ok && k < g->g.n; k++)
        if ((attrition ? g->attrition[k].n : g->cost[k].n) != 0)
            ok = append_group(list,
                              attrition ? value_json_attrition(&g->attrition[k])
                                        : value_json_cost(&g->cost[k]),
                              g->g.names[k]);
    return done(o, put_if(ok, o, "groups", list));
}

/* Attrition without models: how many have P(alive) below 0.5 is unknown (null), not 0. */
static json_t *unknown_alive(json_t *o)
{
    json_t *groups = json_object_get(o, "groups"), *g;
    size_t i;
    bool ok =
        o && json_object_set_new(json_object_get(o, "all"), "p_alive_below_half", json_null()) == 0;
    json_array_foreach(groups, i, g) ok =
        ok && json_object_set_new(g, "p_alive_below_half", json_null()) == 0;
    return done(o, ok);
}

static json_t *drivers_json(const struct value_report *x)
{
    const unsigned s = x->sections;
    json_t *o = json_object();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(x->p.measure)));
    if (ok && (s & (1u << VALUE_SEC_ACQUISITION)))
        ok = put(o, "acquisition", value_json_acquisition(&x->d, &x->acq));
    if (ok && (s & (1u << VALUE_SEC_COHORTS)))
        ok = put(o, "cohorts", value_json_cohorts(&x->coh));
    if (ok && (s & (1u << VALUE_SEC_ATTRITION)))
        ok = put(o, "attrition",
                 x->no_model ? unknown_alive(grouped_json(&x->attrition, true))
                             : grouped_json(&x->attrition, true));
    if (ok && (s & (1u << VALUE_SEC_HOLDING)))
        ok = put(o, "holding", value_json_holding(&x->holding));
    if (ok && (s & (1u << VALUE_SEC_COST)))
        ok = put(o, "cost", grouped_json(&x->cost, false));
    if (ok && (s & (1u << VALUE_SEC_MIGRATION)))
        ok = put(o, "migration", value_json_migration(&x->mig));
    return done(o, ok);
}

/* ---- rfm and reap ------------------------------------------------------------------------- */

static json_t *rfm_one(const struct value_report *x, size_t i)
{
    return with_identity(&x->d, x->r.c[i].account_id, value_json_rfm(&x->r, i, &x->sc[i]));
}

static json_t *rfm_json(const struct value_report *x)
{
    if (x->has_account)
        return rfm_one(x, x->account);
    json_t *o = json_object(), *segs = json_array(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "new_days", json_integer(x->p.new_days)) && segs && list;
    for (int s = 0; ok && s < RFM_NSEGMENTS; s++) {
        json_t *j = json_object();
        ok = put(j, "segment", json_string(rfm_segment_name((enum rfm_segment)s))) &&
             put(j, "rule", json_string(rfm_segment_rule((enum rfm_segment)s))) &&
             put(j, "customers", json_integer((json_int_t)x->seg_count[s])) &&
             put(j, "value_to_date", cents(x->seg_value[s]));
        ok = ok ? append(segs, j) : (json_decref(j), false);
    }
    ok = put_if(ok, o, "segments", segs);
    ok = ok && put(o, "customers_total", json_integer((json_int_t)x->m));
    for (size_t k = 0; ok && k < x->shown; k++)
        ok = append(list, rfm_one(x, x->ix[k]));
    return done(o, put_if(ok, o, "customers", list));
}

/* The levers, rules and low-value rules with their counts. */
static bool reap_tables(json_t *o, const struct value_report *x)
{
    json_t *lv = json_array(), *ru = json_array(), *lo = json_array();
    bool ok = lv && ru && lo;
    for (int l = 0; ok && l < REAP_NLEVERS; l++) {
        json_t *j = json_object();
        ok = put(j, "lever", json_string(reap_lever_name((enum reap_lever)l))) &&
             put(j, "customers", json_integer((json_int_t)x->levers[l])) &&
             put(j, "value_lifetime", cents(x->lever_value[l]));
        ok = ok ? append(lv, j) : (json_decref(j), false);
    }
    for (int u = 0; ok && u < REAP_NRULES; u++) {
        json_t *j = json_object();
        ok = put(j, "rule", json_string(reap_rule_name((enum reap_rule)u))) &&
             put(j, "text", json_string(reap_rule_text((enum reap_rule)u))) &&
             put(j, "customers", json_integer((json_int_t)x->rule_count[u]));
        ok = ok ? append(ru, j) : (json_decref(j), false);
    }
    for (int u = 1; ok && u < REAP_NLOW; u++) {
        json_t *j = json_object();
        ok = put(j, "rule", json_string(reap_low_name((enum reap_low)u))) &&
             put(j, "why", json_string(reap_low_rule((enum reap_low)u))) &&
             put(j, "treatment", json_string(reap_low_treatment((enum reap_low)u))) &&
             put(j, "customers", json_integer((json_int_t)x->lows[u]));
        ok = ok ? append(lo, j) : (json_decref(j), false);
    }
    ok = put_if(ok, o, "levers", lv);
    ok = put_if(ok, o, "rules", ru);
    return put_if(ok, o, "low_value_rules", lo);
}

static json_t *reap_one(const struct value_report *x, size_t i)
{
    return with_identity(
        &x->d, x->r.c[i].account_id,
        value_json_reap(&x->r, i, &x->rein[i], &x->tag[i], &x->reap, x->holding_ref));
}

static json_t *reap_json(const struct value_report *x)
{
    if (x->has_account)
        return reap_one(x, x->account);
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "holding_reference", json_real(x->holding_ref)) && reap_tables(o, x) &&
              put(o, "customers_total", json_integer((json_int_t)x->m)) && list;
    for (size_t k = 0; ok && k < x->shown; k++)
        ok = append(list, reap_one(x, x->ix[k]));
    return done(o, put_if(ok, o, "customers", list));
}

/* ---- xsell and referrals ------------------------------------------------------------------ */

static json_t *xsell_json(const struct value_report *x)
{
    const struct basket_options *b = &x->basket;
    json_t *o = json_object(), *rl = json_array(), *ol = json_array();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "baskets", json_integer((json_int_t)x->rules.nbaskets)) &&
              put(o, "itemsets", json_integer((json_int_t)x->rules.nitemsets)) &&
              put(o, "min_support", json_real(b->min_support)) &&
              put(o, "min_confidence", json_real(b->min_confidence)) &&
              put(o, "min_lift", json_real(b->min_lift)) &&
              put(o, "max_len", json_integer(b->max_len)) &&
              put(o, "rules_total", json_integer((json_int_t)x->rules.n)) && rl && ol;
    for (size_t k = 0; ok && k < x->nrules; k++)
        ok = append(rl, value_json_rule(&x->d, &x->rules.rules[k]));
    ok = put_if(ok, o, "rules", rl);
    ok = ok && put(o, "customers_with_offers", json_integer((json_int_t)x->customers_with));
    for (size_t k = x->lo; ok && k < x->hi; k++)
        ok = append(ol,
                    with_identity(&x->d, x->r.c[x->offers.offers[k].customer].account_id,
                                  value_json_offer(&x->d, &x->r, &x->rules, &x->offers.offers[k])));
    return done(o, put_if(ok, o, "offers", ol));
}

static json_t *referrals_json(const struct value_report *x)
{
    json_t *o = json_object(), *list = json_array();
    bool ok = put(o, "as_of", day_string(x->r.as_of_day)) &&
              put(o, "measure", json_string(value_measure_name(x->p.measure))) &&
              put(o, "second_degree_weight", json_real(x->p.second_degree)) &&
              put(o, "referral_events", json_integer((json_int_t)x->d.nreferrals)) &&
              put(o, "referrers", json_integer((json_int_t)x->m)) && list;
    for (size_t k = 0; ok && k < x->shown; k++)
        ok = append(list, with_identity(&x->d, x->ids[x->ix[k]],
                                        value_json_referral(x->ids[x->ix[k]], &x->refs[x->ix[k]])));
    return done(o, put_if(ok, o, "accounts", list));
}

/* ---- check -------------------------------------------------------------------------------- */

static json_t *check_json(const struct value_report *x)
{
    const struct value_check *k = &x->check;
    json_t *o = json_object(), *cal = json_object(), *hold = json_object(), *list = json_array();
    bool c_ok = put(cal, "from", day_string(k->cal_first)) &&
                put(cal, "to", day_string(k->cal_last)) &&
                put(cal, "customers", json_integer((json_int_t)k->customers));
    bool h_ok = put(hold, "from", day_string(k->holdout_first)) &&
                put(hold, "to", day_string(k->holdout_last)) &&
                put(hold, "days", json_integer(k->holdout_last - k->holdout_first + 1)) &&
                put(hold, "length", json_real(k->holdout_units)) &&
                put(hold, "unit_days", json_real(x->vo.unit_days));
    bool ok = put(o, "as_of", day_string(k->holdout_last));
    ok = put_if(ok && c_ok, o, "calibration", cal);
    ok = put_if(ok && h_ok, o, "holdout", hold);
    ok = ok && put(o, "model", model_json(x));
    for (size_t b = 0; ok && list && b < VALUE_CHECK_BINS; b++) {
        const struct value_check_bin *bin = &k->bins[b];
        char label[24];
        snprintf(label, sizeof(label), b + 1 == VALUE_CHECK_BINS ? "%zu+" : "%zu", b);
        json_t *j = json_object();
        ok = put(j, "frequency", json_string(label)) &&
             put(j, "x_min", json_integer((json_int_t)b)) &&
             put(j, "customers", json_integer((json_int_t)bin->customers)) &&
             put(j, "predicted_mean", num_or_null(bin->predicted)) &&
             put(j, "actual_mean", num_or_null(bin->actual));
        ok = ok ? append(list, j) : (json_decref(j), false);
    }
    ok = put_if(ok, o, "frequencies", list);
    ok = ok && put(o, "customers", json_integer((json_int_t)k->customers)) &&
         put(o, "predicted_total", json_real(k->predicted)) &&
         put(o, "actual_total", json_real(k->actual)) && put(o, "mae", num_or_null(k->mae)) &&
         put(o, "mae_frequencies", num_or_null(k->mae_bins));
    return done(o, ok);
}

static json_t *analysis_json(const struct value_report *x)
{
    switch (x->analysis) {
    case VALUE_FIT:
        return fit_json(x);
    case VALUE_CLV:
        return clv_json(x);
    case VALUE_DIST:
        return dist_json(x);
    case VALUE_DRIVERS:
        return drivers_json(x);
    case VALUE_RFM:
        return rfm_json(x);
    case VALUE_REAP:
        return reap_json(x);
    case VALUE_XSELL:
        return xsell_json(x);
    case VALUE_REFERRALS:
        return referrals_json(x);
    case VALUE_CHECK:
        return check_json(x);
    default:
        BUG("no value analysis %d", (int)x->analysis);
    }
}

/*
 * j with what a report without models says: "reason" in clv's model, and the warning under
 * "warnings" ([{code, message}]), a key present only when there is something to warn about.
 * j is consumed.
 */
static json_t *with_warnings(const struct value_report *x, json_t *j)
{
    if (!j || (!x->no_model && x->nwarnings == 0))
        return j;
    char text[512];
    json_t *list = json_array();
    bool ok = list != NULL;
    if (x->no_model) {
        json_t *model = json_object_get(j, "model"), *w = json_object();
        ok = !model || put(model, "reason", json_string(x->model_reason));
        ok = put_if(ok, w, "code", json_string("model_not_fitted")) &&
             put(w, "message", json_string(value_report_warning(x, text, sizeof(text))));
        ok = ok ? append(list, w) : (json_decref(w), false);
    }
    for (size_t k = 0; ok && k < x->nwarnings; k++) {
        json_t *w = json_object();
        ok = put(w, "code", json_string(x->warnings[k].code)) &&
             put(w, "message", json_string(x->warnings[k].message));
        ok = ok ? append(list, w) : (json_decref(w), false);
    }
    if (!ok)
        json_decref(list);
    return done(j, ok && put(j, "warnings", list));
}

/*
 * j (consumed) with "value_kind": whether its money is margin or revenue (not for xsell, which
 * shows none). Right after "as_of" in a list answer, last in a one-account answer.
 */
static json_t *with_kind(const struct value_report *x, json_t *j)
{
    if (!j || x->from_summary || x->analysis == VALUE_XSELL || x->analysis == VALUE_CHECK ||
        !json_is_object(j))
        return j;
    json_t *as_of = json_object_get(j, "as_of");
    if (!as_of)
        return done(j, put(j, "value_kind", json_string(value_report_kind(x))));
    json_t *o = json_object();
    bool ok = put(o, "as_of", json_incref(as_of)) &&
              put(o, "value_kind", json_string(value_report_kind(x))) &&
              json_object_update(o, j) == 0;
    json_decref(j);
    return done(o, ok);
}

/*
 * j (consumed) with when and from what its figures were computed, last: computed_at (ISO 8601
 * UTC), data_version (of the value inputs) and stale (kept figures the data have moved past).
 * fit, clv, dist and rfm only, the answers the server gives from kept figures.
 */
static json_t *with_when(const struct value_report *x, json_t *j)
{
    if (!j || x->from_summary ||
        (x->analysis != VALUE_FIT && x->analysis != VALUE_CLV && x->analysis != VALUE_DIST &&
         x->analysis != VALUE_RFM) ||
        !json_is_object(j))
        return j;
    char t[TIMEFMT_SIZE];
    timefmt_format(x->computed_at, t);
    return done(j, put(j, "computed_at", json_string(t)) &&
                       put(j, "data_version", json_integer((json_int_t)x->data_version)) &&
                       put(j, "stale", json_boolean(x->stale)));
}

json_t *value_report_json(const struct value_report *x)
{
    return with_when(x, with_warnings(x, with_kind(x, analysis_json(x))));
}
