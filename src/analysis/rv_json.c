/*
 * rv_json.c - the one JSON writer of each Relationship Value report (analysis/rv.h), shared by
 * `kith rv --json` and the API's /api/v1/rv/... answers, built from the pieces of io/rv_json.h.
 * Every writer checks each allocation it makes; the shapes are listed in docs/internals/rv.md.
 */
#include "analysis/rv.h"

#include <math.h>
#include <stdlib.h>

#include "engine/rv.h"
#include "io/rv_json.h"

#include "util/banned.h"

static json_t *contact_json(const struct rv_contact_report *r)
{
    const struct rv_snapshot *s = r->snap;
    json_t *o = rvjson_state(s, &r->state);
    if (!rvjson_put(o, "contact_id", json_integer(r->id)) ||
        !rvjson_put(o, "contact_name", r->name ? json_string(r->name) : json_null()) ||
        !rvjson_put(o, "as_of", rvjson_ms(r->as_of_ms)) ||
        !rvjson_put(o, "strength", rvjson_number(r->strength)) ||
        !rvjson_put(o, "half_life_days", json_real(r->half_life_days)) ||
        !rvjson_put(o, "age_days", r->age_days >= 0 ? json_integer(r->age_days) : json_null()) ||
        !rvjson_put(o, "excluded", json_integer((json_int_t)r->excluded)) ||
        !rvjson_put(o, "bucket_days", json_integer(r->bucket_days)))
        return rvjson_fail(o);
    /* the pattern, with the norm of the contact's first group beside it */
    const struct norm_result *norm = r->norm;
    const struct norm_group *g = r->npositions ? &norm->groups[r->positions[0].group] : NULL;
    json_t *pat = json_array(), *pos = json_array();
    if (!rvjson_put(o, "pattern", pat) || !rvjson_put(o, "positions", pos))
        return rvjson_fail(o);
    for (size_t b = 0; b < r->npattern; b++) {
        json_t *e = json_object();
        const struct norm_row *row = g && b < g->nrows ? &norm->rows[g->row_off + b] : NULL;
        if (!rvjson_put(e, "age_days", json_integer((json_int_t)(b * (size_t)r->bucket_days))) ||
            !rvjson_put(e, "rv", json_integer(r->pattern[b])) ||
            (row && (!rvjson_put(e, "n", json_integer(row->n)) ||
                     !rvjson_put(e, "p10", rvjson_number(row->p10)) ||
                     !rvjson_put(e, "p50", rvjson_number(row->p50)) ||
                     !rvjson_put(e, "p90", rvjson_number(row->p90))))) {
            json_decref(e);
            return rvjson_fail(o);
        }
        if (!rvjson_push(pat, e))
            return rvjson_fail(o);
    }
    for (size_t i = 0; i < r->npositions; i++)
        if (!rvjson_push(pos, rvjson_position(s, norm, &r->positions[i])))
            return rvjson_fail(o);
    return o;
}

static json_t *filters_json(const struct rv_snapshot *s, const struct norm_spec *spec)
{
    json_t *a = json_array();
    for (size_t f = 0; f < spec->nfilters; f++)
        if (!rvjson_push(a, rvjson_key(s, spec->filters[f].dim, spec->filters[f].key)))
            return rvjson_fail(a);
    return a;
}

static json_t *norm_json(const struct rv_norm_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct norm_result *r = report->norm;
    const unsigned every = report->every ? report->every : 1;
    json_t *o = json_object(), *groups = json_array();
    if (!rvjson_put(o, "by", json_string(norm_dim_name(r->spec.by))) ||
        !rvjson_put(o, "filters", filters_json(s, &r->spec)) ||
        !rvjson_put(o, "as_of", rvjson_ms(r->spec.as_of_ms)) ||
        !rvjson_put(o, "bucket_days", json_integer(r->spec.bucket_days)) ||
        !rvjson_put(o, "percentile_method", json_string("type 7 (linear interpolation)"))) {
        json_decref(groups);
        return rvjson_fail(o);
    }
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct norm_group *gr = &r->groups[g];
        json_t *e = json_object(), *rows = json_array();
        if (!rvjson_put(e, "key", rvjson_key(s, r->spec.by, gr->key)) ||
            !rvjson_put(e, "members", json_integer(gr->members))) {
            json_decref(rows);
            json_decref(e);
            json_decref(groups);
            return rvjson_fail(o);
        }
        for (uint32_t b = 0; b < gr->nrows; b += every) {
            const struct norm_row *row = &r->rows[gr->row_off + b];
            json_t *x = json_object();
            if (!rvjson_put(x, "age_days", json_integer((json_int_t)b * r->spec.bucket_days)) ||
                !rvjson_put(x, "n", json_integer(row->n)) ||
                !rvjson_put(x, "p10", rvjson_number(row->p10)) ||
                !rvjson_put(x, "p25", rvjson_number(row->p25)) ||
                !rvjson_put(x, "p50", rvjson_number(row->p50)) ||
                !rvjson_put(x, "p75", rvjson_number(row->p75)) ||
                !rvjson_put(x, "p90", rvjson_number(row->p90)) || !rvjson_push(rows, x)) {
                json_decref(rows);
                json_decref(e);
                json_decref(groups);
                return rvjson_fail(o);
            }
        }
        if (!rvjson_put(e, "rows", rows) || !rvjson_push(groups, e)) {
            json_decref(groups);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "groups", groups))
        return rvjson_fail(o);
    return o;
}

static json_t *exceptions_json(const struct rv_exceptions_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct norm_result *r = report->norm;
    json_t *o = json_object(), *a = json_array();
    if (!rvjson_put(o, "by", json_string(norm_dim_name(r->spec.by))) ||
        !rvjson_put(o, "filters", filters_json(s, &r->spec)) ||
        !rvjson_put(o, "as_of", rvjson_ms(r->spec.as_of_ms)) ||
        !rvjson_put(o, "count", json_integer((json_int_t)report->count))) {
        json_decref(a);
        return rvjson_fail(o);
    }
    for (size_t i = 0; i < report->shown; i++) {
        const struct norm_position *p = &r->positions[report->idx[i]];
        const char *name = report->names[i];
        json_t *e = rvjson_position(s, r, p);
        if (!rvjson_put(e, "contact_id", json_integer(s->cid[p->contact])) ||
            !rvjson_put(e, "contact_name", name ? json_string(name) : json_null())) {
            json_decref(e);
            json_decref(a);
            return rvjson_fail(o);
        }
        if (!rvjson_push(a, e)) {
            json_decref(a);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "exceptions", a))
        return rvjson_fail(o);
    return o;
}

static json_t *scorecards_json(const struct rv_reps_report *report)
{
    const struct rv_snapshot *s = report->snap;
    json_t *o = json_object(), *a = json_array();
    for (size_t i = 0; i < report->n; i++) {
        const struct scorecard_rep *r = &report->rows[i];
        json_t *e = json_object();
        if (!rvjson_put(e, "user_id", json_integer(s->users.id[r->rep])) ||
            !rvjson_put(e, "name", json_string(s->users.name[r->rep])) ||
            !rvjson_put(e, "email", json_string(s->users.email[r->rep])) ||
            !rvjson_put(e, "team", rvjson_key(s, NORM_TEAM, r->team)) ||
            !rvjson_put(e, "rv", json_integer(r->rv)) ||
            !rvjson_put(e, "cost", rvjson_money(r->cost)) ||
            !rvjson_put(e, "rv_per_cost", rvjson_number(r->rv_per_cost)) ||
            !rvjson_put(e, "interactions", json_integer(r->interactions)) ||
            !rvjson_put(e, "contacts", json_integer(r->contacts)) ||
            !rvjson_put(e, "customers", json_integer(r->customers)) ||
            !rvjson_put(e, "orders", json_integer(r->orders)) ||
            !rvjson_put(e, "revenue", rvjson_money(r->revenue)) ||
            !rvjson_put(e, "margin", rvjson_money(r->margin)) ||
            !rvjson_put(e, "team_size", json_integer(r->team_size)) ||
            !rvjson_put(e, "team_percentile", rvjson_number(r->team_percentile)) ||
            !rvjson_put(e, "team_percentile_rv_per_cost",
                        rvjson_number(r->team_percentile_per_cost)) ||
            !rvjson_push(a, e)) {
            json_decref(a);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "reps", a))
        return rvjson_fail(o);
    return o;
}

/* A budget or limit: null for "no limit". */
static json_t *limit_json(double v)
{
    return v == STORE_PRIVACY_NO_LIMIT ? json_null() : json_real(v);
}

/* The policy applied to a comparison of units, what the caller asked and what it cost. */
static json_t *privacy_json(const struct rv_units_privacy *pv)
{
    const struct store_privacy_policy *pol = &pv->policy;
    json_t *o = json_object(), *policy = json_object(), *budget = NULL;
    if (!o || !policy) {
        json_decref(policy);
        return rvjson_fail(o);
    }
    if (!rvjson_put(o, "policy", policy)) /* jansson released policy */
        return rvjson_fail(o);
    if (!rvjson_put(policy, "role", pol->role[0] ? json_string(pol->role) : json_null()) ||
        !rvjson_put(policy, "min_k", json_integer(pol->min_k)) ||
        !rvjson_put(policy, "max_epsilon", json_real(pol->max_epsilon)) ||
        !rvjson_put(policy, "require_noise", json_boolean(pol->require_noise)) ||
        !rvjson_put(policy, "daily_budget", limit_json(pol->daily_budget)) ||
        !rvjson_put(o, "k_requested",
                    pv->k_requested ? json_integer(pv->k_requested) : json_null()) ||
        !rvjson_put(o, "epsilon_requested", rvjson_number(pv->epsilon_requested)) ||
        !rvjson_put(o, "k_raised", json_boolean(pv->k_raised)) ||
        !rvjson_put(o, "epsilon_lowered", json_boolean(pv->epsilon_lowered)))
        return rvjson_fail(o);
    if (pv->budgeted) {
        budget = json_object();
        if (!rvjson_put(budget, "day", rvjson_ms(pv->day * 86400000LL)) ||
            !rvjson_put(budget, "limit", json_real(pol->daily_budget)) ||
            !rvjson_put(budget, "spent", json_real(pv->spent)) ||
            !rvjson_put(budget, "left", json_real(pv->left)) ||
            !rvjson_put(budget, "charged", json_boolean(pv->charged))) {
            json_decref(budget);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "budget", budget ? budget : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *compare_json(const struct rv_units_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct compare_result *r = report->cmp;
    json_t *o = json_object(), *a = json_array(), *clip = json_array();
    if (!rvjson_push(clip, json_real(r->clip_lo)) || !rvjson_push(clip, json_real(r->clip_hi)) ||
        !rvjson_put(o, "k", json_integer(r->k)) ||
        !rvjson_put(o, "epsilon", json_real(r->epsilon)) ||
        !rvjson_put(o, "epsilon_per_statistic", json_real(r->epsilon_per_statistic)) ||
        !rvjson_put(o, "threshold", json_real(r->threshold)) || !rvjson_put(o, "clip", clip) ||
        !rvjson_put(o, "mechanisms",
                    json_string(r->epsilon > 0
                                    ? "laplace (count, sum), exponential (percentiles)"
                                    : "none (exact figures, small groups suppressed)")) ||
        !rvjson_put(
            o, "noise",
            json_string(r->epsilon > 0 ? "seeded from the data version and the query" : "none")) ||
        !rvjson_put(o, "privacy", privacy_json(&report->privacy))) {
        json_decref(a);
        return rvjson_fail(o);
    }
    for (size_t i = 0; i < r->ncells; i++) {
        const struct compare_cell *c = &r->cells[i];
        json_t *e = json_object();
        if (!rvjson_put(e, "unit", rvjson_key(s, NORM_UNIT, c->unit)) ||
            !rvjson_put(e, "stage", c->stage < 0 ? json_string("all") : rvjson_stage(c->stage)) ||
            !rvjson_put(e, "own", json_boolean(c->own)) ||
            !rvjson_put(e, "suppressed", json_boolean(c->suppressed)) ||
            !rvjson_put(e, "noised", json_boolean(c->noised)) ||
            !rvjson_put(e, "n", rvjson_number(c->n)) ||
            !rvjson_put(e, "mean", rvjson_number(c->mean)) ||
            !rvjson_put(e, "p10", rvjson_number(c->p10)) ||
            !rvjson_put(e, "p25", rvjson_number(c->p25)) ||
            !rvjson_put(e, "p50", rvjson_number(c->p50)) ||
            !rvjson_put(e, "p75", rvjson_number(c->p75)) ||
            !rvjson_put(e, "p90", rvjson_number(c->p90)) || !rvjson_push(a, e)) {
            json_decref(a);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "cells", a))
        return rvjson_fail(o);
    return o;
}

static json_t *pair(double a, double b)
{
    json_t *p = json_array();
    if (!rvjson_push(p, rvjson_number(a)) || !rvjson_push(p, rvjson_number(b)))
        return rvjson_fail(p);
    return p;
}

static json_t *indicator_json(const struct rv_indicator_report *report)
{
    const struct indicator_spec *spec = &report->spec;
    const struct indicator_result *r = &report->result;
    json_t *o = json_object(), *d = json_array();
    bool churn = spec->outcome == INDICATOR_CHURN, win = spec->outcome == INDICATOR_WIN;
    bool binary = churn || win; /* a rate, not money */
    bool sow = spec->outcome == INDICATOR_SHARE_OF_WALLET;
    bool ratio = binary || sow; /* a number, not money */
    bool discord = spec->predictor == INDICATOR_DISCORD;
    const char *phase = report->phase >= 0 ? rv_stage_name(report->phase) : "all";
    if (!rvjson_put(o, "cutoff", rvjson_ms(spec->cutoff_ms)) ||
        !rvjson_put(o, "window_days", json_integer(spec->window_days)) ||
        !rvjson_put(o, "horizon_days", json_integer(spec->horizon_days)) ||
        !rvjson_put(o, "outcome", json_string(indicator_outcome_name(spec->outcome))) ||
        !rvjson_put(o, "per",
                    json_string(spec->per == INDICATOR_PER_ACCOUNT ? "account" : "contact")) ||
        !rvjson_put(o, "population", json_string(spec->customers_only ? "customers" : "all")) ||
        !rvjson_put(o, "predictor", json_string(indicator_predictor_name(spec->predictor))) ||
        !rvjson_put(o, "phase", discord ? json_string(phase) : json_null()) ||
        !rvjson_put(o, "without_discord",
                    discord ? json_integer((json_int_t)r->without_x) : json_null()) ||
        !rvjson_put(o, "n", json_integer((json_int_t)r->n)) ||
        !rvjson_put(o, "x_mean", rvjson_number(r->x_mean)) ||
        !rvjson_put(o, "y_mean",
                    ratio ? rvjson_number(r->y_mean) : rvjson_money(llround(r->y_mean))) ||
        !rvjson_put(o, "rho", rvjson_number(r->rho)) ||
        !rvjson_put(o, "rho_ci95", pair(r->rho_lo, r->rho_hi)) ||
        !rvjson_put(o, "resamples", json_integer(spec->resamples)) ||
        !rvjson_put(o, "resamples_used", json_integer((json_int_t)r->resamples_used)) ||
        !rvjson_put(o, "seed", json_integer((json_int_t)spec->seed)) ||
        !rvjson_put(o, "auc", rvjson_number(r->auc)) ||
        !rvjson_put(o, "auc_ci95", pair(r->auc_lo, r->auc_hi)) ||
        !rvjson_put(o, "positives",
                    binary ? json_integer((json_int_t)r->positives) : json_null()) ||
        !rvjson_put(o, "accounts_without_wallet",
                    sow ? json_integer((json_int_t)r->without_wallet) : json_null())) {
        json_decref(d);
        return rvjson_fail(o);
    }
    for (int k = 0; k < INDICATOR_DECILES; k++) {
        const struct indicator_decile *x = &r->deciles[k];
        json_t *e = json_object();
        if (!rvjson_put(e, "decile", json_integer(k + 1)) ||
            !rvjson_put(e, "n", json_integer(x->n)) ||
            !rvjson_put(e, discord ? "discord_min" : "rv_min", rvjson_number(x->x_min)) ||
            !rvjson_put(e, discord ? "discord_max" : "rv_max", rvjson_number(x->x_max)) ||
            !rvjson_put(e, discord ? "discord_mean" : "rv_mean", rvjson_number(x->x_mean)) ||
            !rvjson_put(e,
                        churn ? "churn_rate"
                        : win ? "win_rate"
                              : "outcome_mean",
                        ratio || isnan(x->y_mean) ? rvjson_number(x->y_mean)
                                                  : rvjson_money(llround(x->y_mean))) ||
            !rvjson_put(e, "lift", rvjson_number(x->lift)) || !rvjson_push(d, e)) {
            json_decref(d);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "deciles", d))
        return rvjson_fail(o);
    return o;
}

json_t *rv_report_json(const struct rv_report *r)
{
    switch (r->def->group) {
    case RV_CONTACT:
        return contact_json(&r->u.contact);
    case RV_NORM:
        return norm_json(&r->u.norm);
    case RV_EXCEPTIONS:
        return exceptions_json(&r->u.exceptions);
    case RV_REPS:
        return scorecards_json(&r->u.reps);
    case RV_UNITS:
        return compare_json(&r->u.units);
    case RV_INDICATOR:
        return indicator_json(&r->u.indicator);
    }
    BUG("rv has no analysis of group %llu", (unsigned long long)r->def->group);
}
