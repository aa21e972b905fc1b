/*
 * value_json.c - the JSON shapes of customer value results, built with jansson, one function
 * per result type (value_json.h). Used by the CLI's --json and meant for the API's handlers.
 */
#include "io/value_json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/timefmt.h"

#include "util/banned.h"

/* Adds key: v (a new reference, consumed); false (and v released) when out of memory. */
static bool put(json_t *obj, const char *key, json_t *v)
{
    return v && json_object_set_new(obj, key, v) == 0;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* Money in currency units, rounded to the cent so that JSON does not show binary noise. */
static json_t *money(double v)
{
    return isfinite(v) ? json_real(round(v * 100) / 100) : json_null();
}

static json_t *text_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* Releases obj and returns NULL when ok is false: the tail of every builder. */
static json_t *done(json_t *obj, bool ok)
{
    if (!ok) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

char *value_json_day(int32_t day, char *buf, size_t size)
{
    char iso[TIMEFMT_SIZE];
    timefmt_format((int64_t)day * CV_DAY_MS, iso);
    snprintf(buf, size, "%.10s", iso);
    return buf;
}

static json_t *day_json(int32_t day)
{
    char buf[16];
    return json_string(value_json_day(day, buf, sizeof(buf)));
}

json_t *value_json_model(const struct value_model *m)
{
    json_t *o = json_object(), *bg = json_object(), *gg = json_object();
    bool ok = o && bg && gg;
    const bool f = m->fitted;
    ok = ok && put(bg, "r", f ? num(m->bg.r) : json_null()) &&
         put(bg, "alpha", f ? num(m->bg.alpha) : json_null()) &&
         put(bg, "a", f ? num(m->bg.a) : json_null()) &&
         put(bg, "b", f ? num(m->bg.b) : json_null()) &&
         put(bg, "loglik", f ? num(m->bg_info.loglik) : json_null()) &&
         put(bg, "iterations", json_integer(m->bg_info.iterations)) &&
         put(bg, "converged", json_boolean(m->bg_info.converged));
    ok = ok && put(gg, "p", f ? num(m->gg.p) : json_null()) &&
         put(gg, "q", f ? num(m->gg.q) : json_null()) &&
         put(gg, "gamma", f ? num(m->gg.gamma) : json_null()) &&
         put(gg, "loglik", f ? num(m->gg_info.loglik) : json_null()) &&
         put(gg, "iterations", json_integer(m->gg_info.iterations)) &&
         put(gg, "converged", json_boolean(m->gg_info.converged)) &&
         put(gg, "without_positive_spend", json_integer((json_int_t)m->gg_excluded));
    if (!ok) {
        json_decref(bg);
        json_decref(gg);
        return done(o, false);
    }
    ok = put(o, "fitted", json_boolean(f)) && put(o, "bgnbd", bg) && put(o, "gamma_gamma", gg) &&
         put(o, "margin_ratio", num(m->margin_ratio)) &&
         put(o, "margin_ratio_from_data", json_boolean(m->margin_from_data)) &&
         put(o, "customers", json_integer((json_int_t)m->ncustomers)) &&
         put(o, "repeat_buyers", json_integer((json_int_t)m->nrepeat));
    return done(o, ok);
}

json_t *value_json_customer(const struct cv_data *d, const struct value_result *r, size_t i)
{
    const struct value_customer *c = &r->c[i];
    const struct cv_account *a = c->account == CV_NO_INDEX ? NULL : &d->accounts[c->account];
    json_t *o = json_object();
    bool proxy = c->proxy_reason != VALUE_PROXY_NO;
    bool ok =
        o && put(o, "account_id", json_integer(c->account_id)) &&
        put(o, "industry", text_or_null(a ? cv_label(&d->industries, a->industry) : "")) &&
        put(o, "revenue_band",
            text_or_null(a ? cv_label(&d->revenue_bands, a->revenue_band) : "")) &&
        put(o, "source", text_or_null(a ? cv_label(&d->sources, a->source) : "")) &&
        put(o, "unit", text_or_null(a ? cv_label(&d->units, a->unit) : "")) &&
        put(o, "first_order", day_json(c->first_day)) &&
        put(o, "last_order", day_json(c->last_day)) && put(o, "orders", json_integer(c->orders)) &&
        put(o, "returns", json_integer(c->returns)) &&
        put(o, "value_returned", money(c->returned)) && put(o, "x", num(c->rfm.x)) &&
        put(o, "t_x", num(c->rfm.t_x)) && put(o, "T", num(c->rfm.T)) &&
        put(o, "value_to_date", money(c->to_date)) && put(o, "value_current", money(c->current)) &&
        put(o, "value_predicted", money(c->predicted)) &&
        put(o, "value_lifetime", money(c->lifetime)) && put(o, "p_alive", num(c->p_alive)) &&
        put(o, "expected_orders", num(c->expected_orders)) &&
        put(o, "cost_to_serve", money(c->cost_to_date)) &&
        put(o, "cost_to_serve_current", money(c->cost_current)) &&
        put(o, "profit", money(c->to_date - c->cost_to_date)) &&
        put(o, "profit_current", money(c->current - c->cost_current)) &&
        put(o, "revenue_current", money(c->amount_current)) && put(o, "wallet", money(c->wallet)) &&
        put(o, "wallet_year",
            a && a->wallet_year && isfinite(c->wallet) ? json_integer(a->wallet_year)
                                                       : json_null()) &&
        put(o, "share_of_wallet", num(c->share_of_wallet)) &&
        put(o, "proxy", json_boolean(proxy)) &&
        put(o, "basis", json_string(value_basis_name((enum value_basis)c->basis))) &&
        put(o, "proxy_reason",
            proxy ? json_string(value_proxy_reason_text((enum value_proxy_reason)c->proxy_reason))
                  : json_null());
    return done(o, ok);
}

json_t *value_json_dist(const struct dist_summary *s)
{
    json_t *o = json_object(), *dec = json_array(), *lor = json_array();
    bool ok = o && dec && lor;
    for (size_t d = 0; ok && d < DIST_DECILES; d++) {
        const struct dist_decile *x = &s->deciles[d];
        json_t *e = json_object();
        ok = e && put(e, "decile", json_integer((json_int_t)d + 1)) &&
             put(e, "customers", json_integer((json_int_t)x->n)) && put(e, "sum", money(x->sum)) &&
             put(e, "share", num(x->share)) && put(e, "min", money(x->min)) &&
             put(e, "max", money(x->max)) && json_array_append_new(dec, e) == 0;
        if (!ok)
            json_decref(e);
    }
    for (size_t k = 0; ok && k < s->nlorenz; k++) {
        json_t *pt = json_array();
        ok = pt && json_array_append_new(pt, num((double)k / (double)(s->nlorenz - 1))) == 0 &&
             json_array_append_new(pt, num(s->lorenz[k])) == 0 &&
             json_array_append_new(lor, pt) == 0;
        if (!ok)
            json_decref(pt);
    }
    if (!ok) {
        json_decref(dec);
        json_decref(lor);
        return done(o, false);
    }
    ok = put(o, "customers", json_integer((json_int_t)s->n)) && put(o, "total", money(s->total)) &&
         put(o, "mean", money(s->mean)) && put(o, "gini", num(s->gini)) &&
         put(o, "top20_share", num(s->top20_share)) && put(o, "deciles", dec) &&
         put(o, "lorenz", lor);
    return done(o, ok);
}

json_t *value_json_acquisition(const struct cv_data *d, const struct drivers_acquisition *a)
{
    json_t *o = json_object(), *rows = json_array(), *src = json_array();
    bool ok = o && rows && src;
    for (size_t i = 0; ok && i < a->nrows; i++) {
        const struct drivers_acq_row *r = &a->rows[i];
        char label[32];
        drivers_period_label(r->period, a->period, label, sizeof(label));
        json_t *e = json_object();
        ok = e && put(e, "period", json_string(label)) &&
             put(e, "source", text_or_null(cv_label(&d->sources, r->source))) &&
             put(e, "accounts", json_integer((json_int_t)r->accounts)) &&
             put(e, "customers", json_integer((json_int_t)r->customers)) &&
             put(e, "value", money(r->value)) && json_array_append_new(rows, e) == 0;
        if (!ok)
            json_decref(e);
    }
    for (size_t k = 0; ok && k < a->nsources; k++) {
        const struct drivers_acq_source *s = &a->sources[k];
        if (s->accounts == 0 && s->customers == 0)
            continue;
        const char *name = k + 1 == a->nsources ? "" : cv_label(&d->sources, (int32_t)k);
        json_t *e = json_object();
        ok = e && put(e, "source", text_or_null(name)) &&
             put(e, "accounts", json_integer((json_int_t)s->accounts)) &&
             put(e, "customers", json_integer((json_int_t)s->customers)) &&
             put(e, "conversion",
                 num(s->accounts ? (double)s->customers / (double)s->accounts : NAN)) &&
             put(e, "value", money(s->value)) &&
             put(e, "value_per_customer",
                 money(s->customers ? s->value / (double)s->customers : NAN)) &&
             json_array_append_new(src, e) == 0;
        if (!ok)
            json_decref(e);
    }
    if (!ok) {
        json_decref(rows);
        json_decref(src);
        return done(o, false);
    }
    ok = put(o, "period", json_string(drivers_period_name(a->period))) &&
         put(o, "by_period", rows) && put(o, "by_source", src);
    return done(o, ok);
}

json_t *value_json_cohorts(const struct drivers_cohorts *c)
{
    json_t *o = json_object(), *rows = json_array();
    bool ok = o && rows;
    for (size_t i = 0; ok && i < c->n; i++) {
        if (c->size[i] == 0)
            continue;
        char label[32];
        drivers_period_label(c->first + (int32_t)i, c->period, label, sizeof(label));
        json_t *e = json_object(), *ret = json_array();
        ok = e && ret;
        for (size_t k = 0; ok && i + k < c->n; k++)
            ok = json_array_append_new(
                     ret, num((double)c->active[i * c->n + k] / (double)c->size[i])) == 0;
        ok = ok && put(e, "cohort", json_string(label)) &&
             put(e, "customers", json_integer((json_int_t)c->size[i])) &&
             put(e, "retention", ret) && json_array_append_new(rows, e) == 0;
        if (!ok) {
            json_decref(e);
            json_decref(ret);
        }
    }
    if (!ok) {
        json_decref(rows);
        return done(o, false);
    }
    ok = put(o, "period", json_string(drivers_period_name(c->period))) && put(o, "cohorts", rows);
    return done(o, ok);
}

json_t *value_json_attrition(const struct drivers_attrition *a)
{
    json_t *o = json_object();
    bool ok = o && put(o, "customers", json_integer((json_int_t)a->n)) &&
              put(o, "expected_lost", num(a->expected_lost)) &&
              put(o, "expected_attrition", num(a->n ? a->expected_lost / (double)a->n : NAN)) &&
              put(o, "mean_p_alive", num(a->mean_p_alive)) &&
              put(o, "p_alive_below_half", json_integer((json_int_t)a->below_half)) &&
              put(o, "active_previous_window", json_integer((json_int_t)a->active_before)) &&
              put(o, "lapsed", json_integer((json_int_t)a->lapsed)) &&
              put(o, "lapse_rate",
                  num(a->active_before ? (double)a->lapsed / (double)a->active_before : NAN));
    return done(o, ok);
}

json_t *value_json_holding(const struct drivers_holding *h)
{
    json_t *o = json_object(), *rows = json_array();
    bool ok = o && rows;
    for (size_t b = 0; ok && b < DRIVERS_HOLDING_BUCKETS; b++) {
        json_t *e = json_object();
        char label[16];
        snprintf(label, sizeof(label), b + 1 == DRIVERS_HOLDING_BUCKETS ? "%zu+" : "%zu", b);
        ok = e && put(e, "products", json_string(label)) &&
             put(e, "customers", json_integer((json_int_t)h->customers[b])) &&
             put(e, "mean_value",
                 money(h->customers[b] ? h->value[b] / (double)h->customers[b] : NAN)) &&
             json_array_append_new(rows, e) == 0;
        if (!ok)
            json_decref(e);
    }
    if (!ok) {
        json_decref(rows);
        return done(o, false);
    }
    ok = put(o, "customers", json_integer((json_int_t)h->n)) &&
         put(o, "mean_products", num(h->mean_products)) &&
         put(o, "mean_categories", num(h->mean_categories)) && put(o, "by_products", rows);
    return done(o, ok);
}

json_t *value_json_cost(const struct drivers_cost *c)
{
    json_t *o = json_object();
    bool ok = o && put(o, "customers", json_integer((json_int_t)c->n)) &&
              put(o, "margin", money(c->margin)) && put(o, "cost_to_serve", money(c->cost)) &&
              put(o, "profit", money(c->margin - c->cost)) &&
              put(o, "unprofitable", json_integer((json_int_t)c->unprofitable)) &&
              put(o, "margin_current", money(c->margin_current)) &&
              put(o, "cost_to_serve_current", money(c->cost_current)) &&
              put(o, "profit_current", money(c->margin_current - c->cost_current)) &&
              put(o, "unprofitable_current", json_integer((json_int_t)c->unprofitable_current));
    return done(o, ok);
}

/* The share-of-wallet movement of a migration. */
static json_t *migration_wallet(const struct drivers_wallet_move *w)
{
    json_t *o = json_object();
    bool ok = o && put(o, "customers_with_wallet", json_integer((json_int_t)w->with)) &&
              put(o, "customers_without_wallet", json_integer((json_int_t)w->without)) &&
              put(o, "up", json_integer((json_int_t)w->up)) &&
              put(o, "down", json_integer((json_int_t)w->down)) &&
              put(o, "same", json_integer((json_int_t)w->same)) &&
              put(o, "from_mean", num(w->from_mean)) && put(o, "to_mean", num(w->to_mean)) &&
              put(o, "from_share", num(w->from_share)) && put(o, "to_share", num(w->to_share));
    return done(o, ok);
}

json_t *value_json_wallet_dist(const struct value_wallet_dist *w)
{
    json_t *o = json_object(), *bands = json_array();
    bool ok = o && bands && put(o, "customers_with_wallet", json_integer((json_int_t)w->with)) &&
              put(o, "customers_without_wallet", json_integer((json_int_t)w->without)) &&
              put(o, "revenue_current", money(w->revenue)) && put(o, "wallet", money(w->wallet)) &&
              put(o, "aggregate", num(w->aggregate)) && put(o, "mean", num(w->mean)) &&
              put(o, "p25", num(w->p25)) && put(o, "median", num(w->median)) &&
              put(o, "p75", num(w->p75));
    for (size_t b = 0; ok && b < VALUE_WALLET_BANDS; b++) {
        json_t *band = json_object();
        ok = band && put(band, "from", json_real(value_wallet_band_from[b])) &&
             put(band, "to",
                 b + 1 < VALUE_WALLET_BANDS ? json_real(value_wallet_band_from[b + 1])
                                            : json_null()) &&
             put(band, "customers", json_integer((json_int_t)w->bands[b])) &&
             json_array_append_new(bands, band) == 0;
        if (!ok)
            json_decref(band);
    }
    if (!ok) {
        json_decref(bands);
        return done(o, false);
    }
    return done(o, put(o, "bands", bands));
}

json_t *value_json_migration(const struct drivers_migration *m)
{
    json_t *o = json_object(), *mat = json_array();
    bool ok = o && mat;
    for (size_t a = 0; ok && a < DRIVERS_TIERS; a++) {
        json_t *row = json_array();
        ok = row != NULL;
        for (size_t b = 0; ok && b < DRIVERS_TIERS; b++)
            ok = json_array_append_new(row, json_integer((json_int_t)m->matrix[a][b])) == 0;
        ok = ok && json_array_append_new(mat, row) == 0;
        if (!ok)
            json_decref(row);
    }
    if (!ok) {
        json_decref(mat);
        return done(o, false);
    }
    json_t *from = json_object(), *to = json_object();
    ok = from && to && put(from, "first", day_json(m->from_first)) &&
         put(from, "last", day_json(m->from_last)) && put(to, "first", day_json(m->to_first)) &&
         put(to, "last", day_json(m->to_last));
    if (!ok) {
        json_decref(from);
        json_decref(to);
        json_decref(mat);
        return done(o, false);
    }
    ok = put(o, "from", from) && put(o, "to", to) && put(o, "matrix", mat) &&
         put(o, "up", json_integer((json_int_t)m->up)) &&
         put(o, "down", json_integer((json_int_t)m->down)) &&
         put(o, "same", json_integer((json_int_t)m->same)) &&
         put(o, "wallet", migration_wallet(&m->wallet));
    return done(o, ok);
}

json_t *value_json_rfm(const struct value_result *r, size_t i, const struct rfm_score *s)
{
    json_t *o = json_object();
    bool ok = o && put(o, "account_id", json_integer(r->c[i].account_id)) &&
              put(o, "r", json_integer(s->r)) && put(o, "f", json_integer(s->f)) &&
              put(o, "m", json_integer(s->m)) &&
              put(o, "segment", json_string(rfm_segment_name((enum rfm_segment)s->segment))) &&
              put(o, "recency_days", json_integer(r->as_of_day - r->c[i].last_day)) &&
              put(o, "orders", json_integer(r->c[i].orders)) &&
              put(o, "value_to_date", money(r->c[i].to_date));
    return done(o, ok);
}

json_t *value_json_reap(const struct value_result *r, size_t i, const struct reap_input *in,
                        const struct reap_tag *t, const struct reap_options *o, double holding_ref)
{
    char reason[512];
    reap_reason(in, t, o, holding_ref, reason, sizeof(reason));
    json_t *obj = json_object(), *low = NULL;
    if (t->low != REAP_LOW_NONE) {
        low = json_object();
        bool ok = low && put(low, "rule", json_string(reap_low_name((enum reap_low)t->low))) &&
                  put(low, "why", json_string(reap_low_rule((enum reap_low)t->low))) &&
                  put(low, "treatment", json_string(reap_low_treatment((enum reap_low)t->low)));
        if (!ok) {
            json_decref(low);
            return done(obj, false);
        }
    } else {
        low = json_null();
    }
    if (!obj) {
        json_decref(low);
        return NULL;
    }
    bool ok = put(obj, "account_id", json_integer(r->c[i].account_id)) &&
              put(obj, "lever", json_string(reap_lever_name((enum reap_lever)t->lever))) &&
              put(obj, "rule", json_string(reap_rule_name((enum reap_rule)t->rule))) &&
              put(obj, "reason", json_string(reason)) && put(obj, "tier", json_integer(in->tier)) &&
              put(obj, "p_alive", num(in->p_alive)) &&
              put(obj, "products", json_integer(in->holding));
    if (!ok)
        json_decref(low);
    return done(obj, ok && put(obj, "low_value", low));
}

static json_t *product_ref(const struct cv_data *d, int32_t p)
{
    const struct cv_product *pr = &d->products[p];
    json_t *o = json_object();
    bool ok = o && put(o, "id", json_integer(pr->id)) && put(o, "sku", json_string(pr->sku)) &&
              put(o, "name", json_string(pr->name)) &&
              put(o, "category", text_or_null(cv_label(&d->categories, pr->category)));
    return done(o, ok);
}

json_t *value_json_rule(const struct cv_data *d, const struct basket_rule *rule)
{
    json_t *o = json_object(), *ante = json_array();
    bool ok = o && ante;
    for (int i = 0; ok && i < rule->nante; i++)
        ok = json_array_append_new(ante, product_ref(d, rule->antecedent[i])) == 0;
    if (!ok) {
        json_decref(ante);
        return done(o, false);
    }
    ok = put(o, "if", ante) && put(o, "then", product_ref(d, rule->consequent)) &&
         put(o, "baskets", json_integer((json_int_t)rule->count)) &&
         put(o, "support", num(rule->support)) && put(o, "confidence", num(rule->confidence)) &&
         put(o, "lift", num(rule->lift));
    return done(o, ok);
}

json_t *value_json_offer(const struct cv_data *d, const struct value_result *r,
                         const struct basket_rules *rules, const struct basket_offer *of)
{
    json_t *o = json_object();
    bool ok =
        o && put(o, "account_id", json_integer(r->c[of->customer].account_id)) &&
        put(o, "product", product_ref(d, of->product)) &&
        put(o, "kind", json_string(basket_offer_kind_name((enum basket_offer_kind)of->kind))) &&
        put(o, "rule", value_json_rule(d, &rules->rules[of->rule]));
    return done(o, ok);
}

json_t *value_json_referral(int64_t account_id, const struct referral_value *v)
{
    json_t *o = json_object();
    bool ok = o && put(o, "account_id", json_integer(account_id)) &&
              put(o, "referred", json_integer((json_int_t)v->referred)) &&
              put(o, "value_first_degree", money(v->value1)) &&
              put(o, "referred_second_degree", json_integer((json_int_t)v->referred2)) &&
              put(o, "value_second_degree", money(v->value2)) &&
              put(o, "referral_value", money(v->total));
    return done(o, ok);
}
