/*
 * rv_json.c - the JSON shapes of the RV engine's results (rv_json.h). Builds jansson values
 * only; the callers print or send them. Every builder checks each allocation it makes.
 */
#include "io/rv_json.h"

#include <math.h>
#include <stdlib.h>

#include "engine/rv.h"
#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

/* json_object_set_new that reports failure (the value is consumed either way). */
static bool put(json_t *o, const char *k, json_t *v)
{
    return o && v && json_object_set_new(o, k, v) == 0;
}

static bool push(json_t *a, json_t *v)
{
    return a && v && json_array_append_new(a, v) == 0;
}

static json_t *fail(json_t *o)
{
    json_decref(o);
    return NULL;
}

json_t *rvjson_time(int32_t t)
{
    if (t == RV_TIME_MIN || t == RV_TIME_MAX)
        return json_null();
    char buf[TIMEFMT_SIZE];
    size_t n = timefmt_format(rv_time_to_ms(t), buf);
    return json_stringn(buf, n);
}

static json_t *ms_time(int64_t ms)
{
    char buf[TIMEFMT_SIZE];
    size_t n = timefmt_format(ms, buf);
    return json_stringn(buf, n);
}

json_t *rvjson_number(double v)
{
    return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

json_t *rvjson_money(int64_t cents)
{
    char buf[MONEY_SIZE];
    size_t n = money_format(cents, MONEY_DECIMALS, buf);
    return json_stringn(buf, n);
}

json_t *rvjson_key(const struct rv_snapshot *s, enum norm_dim dim, int32_t key)
{
    char label[256];
    json_t *o = json_object();
    if (!put(o, "field", json_string(norm_dim_name(dim))) ||
        !put(o, "value",
             key < 0 ? json_null()
                     : json_string(norm_key_label(s, dim, key, label, sizeof(label)))))
        return fail(o);
    int64_t id = norm_key_id(s, dim, key);
    if (id && !put(o, "id", json_integer(id)))
        return fail(o);
    return o;
}

static json_t *stage(int st)
{
    return st < 0 ? json_null() : json_string(rv_stage_name(st));
}

json_t *rvjson_position(const struct rv_snapshot *s, const struct norm_result *r,
                        const struct norm_position *p)
{
    const struct norm_group *g = &r->groups[p->group];
    const struct norm_row *row = &r->rows[g->row_off + p->row];
    json_t *o = json_object();
    if (!put(o, "group", rvjson_key(s, r->spec.by, g->key)) ||
        !put(o, "row", json_integer(p->row)) ||
        !put(o, "row_age_days", json_integer((json_int_t)p->row * r->spec.bucket_days)) ||
        !put(o, "age_days", json_integer(p->age_days)) || !put(o, "rv", json_integer(p->rv)) ||
        !put(o, "percentile", rvjson_number(p->percentile)) ||
        !put(o, "status", json_string(norm_status_name(p->status))) ||
        !put(o, "n", json_integer(row->n)) || !put(o, "p10", rvjson_number(row->p10)) ||
        !put(o, "p50", rvjson_number(row->p50)) || !put(o, "p90", rvjson_number(row->p90)))
        return fail(o);
    return o;
}

static json_t *positions_of(const struct rv_snapshot *s, const struct norm_result *r, size_t c,
                            int64_t as_of_ms)
{
    json_t *a = json_array();
    if (!r)
        return a;
    struct norm_position p[16];
    size_t n;
    norm_position_of(r, s, c, as_of_ms, p, 16, &n);
    for (size_t i = 0; i < n; i++)
        if (!push(a, rvjson_position(s, r, &p[i])))
            return fail(a);
    return a;
}

static json_t *state_json(const struct rv_snapshot *s, const struct rv_contact_state *st)
{
    json_t *o = json_object();
    if (!put(o, "rv", json_integer(st->rv)) || !put(o, "level", json_integer(st->level)) ||
        !put(o, "stage", stage(st->stage)) || !put(o, "interactions", json_integer(st->ncounted)) ||
        !put(o, "first_interaction", rvjson_time(st->first)) ||
        !put(o, "last_interaction", rvjson_time(st->last)))
        return fail(o);
    (void)s;
    return o;
}

json_t *rvjson_contact(const struct rv_contact_report *r)
{
    const struct rv_snapshot *s = r->snap;
    json_t *o = state_json(s, &r->state);
    if (!put(o, "contact_id", json_integer(r->id)) ||
        !put(o, "contact_name", r->name ? json_string(r->name) : json_null()) ||
        !put(o, "as_of", ms_time(r->as_of_ms)) || !put(o, "strength", rvjson_number(r->strength)) ||
        !put(o, "half_life_days", json_real(r->half_life_days)) ||
        !put(o, "age_days", r->age_days >= 0 ? json_integer(r->age_days) : json_null()) ||
        !put(o, "excluded", json_integer((json_int_t)r->excluded)) ||
        !put(o, "bucket_days", json_integer(r->bucket_days)))
        return fail(o);
    /* the pattern, with the norm of the contact's first group beside it */
    const struct norm_result *norm = r->norm;
    const struct norm_group *g = r->npositions ? &norm->groups[r->positions[0].group] : NULL;
    json_t *pat = json_array(), *pos = json_array();
    if (!put(o, "pattern", pat) || !put(o, "positions", pos))
        return fail(o);
    for (size_t b = 0; b < r->npattern; b++) {
        json_t *e = json_object();
        const struct norm_row *row = g && b < g->nrows ? &norm->rows[g->row_off + b] : NULL;
        if (!put(e, "age_days", json_integer((json_int_t)(b * (size_t)r->bucket_days))) ||
            !put(e, "rv", json_integer(r->pattern[b])) ||
            (row &&
             (!put(e, "n", json_integer(row->n)) || !put(e, "p10", rvjson_number(row->p10)) ||
              !put(e, "p50", rvjson_number(row->p50)) ||
              !put(e, "p90", rvjson_number(row->p90))))) {
            json_decref(e);
            return fail(o);
        }
        if (!push(pat, e))
            return fail(o);
    }
    for (size_t i = 0; i < r->npositions; i++)
        if (!push(pos, rvjson_position(s, norm, &r->positions[i])))
            return fail(o);
    return o;
}

static json_t *filters_json(const struct rv_snapshot *s, const struct norm_spec *spec)
{
    json_t *a = json_array();
    for (size_t f = 0; f < spec->nfilters; f++)
        if (!push(a, rvjson_key(s, spec->filters[f].dim, spec->filters[f].key)))
            return fail(a);
    return a;
}

json_t *rvjson_norm(const struct rv_norm_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct norm_result *r = report->norm;
    const unsigned every = report->every ? report->every : 1;
    json_t *o = json_object(), *groups = json_array();
    if (!put(o, "by", json_string(norm_dim_name(r->spec.by))) ||
        !put(o, "filters", filters_json(s, &r->spec)) ||
        !put(o, "as_of", ms_time(r->spec.as_of_ms)) ||
        !put(o, "bucket_days", json_integer(r->spec.bucket_days)) ||
        !put(o, "percentile_method", json_string("type 7 (linear interpolation)"))) {
        json_decref(groups);
        return fail(o);
    }
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct norm_group *gr = &r->groups[g];
        json_t *e = json_object(), *rows = json_array();
        if (!put(e, "key", rvjson_key(s, r->spec.by, gr->key)) ||
            !put(e, "members", json_integer(gr->members))) {
            json_decref(rows);
            json_decref(e);
            json_decref(groups);
            return fail(o);
        }
        for (uint32_t b = 0; b < gr->nrows; b += every) {
            const struct norm_row *row = &r->rows[gr->row_off + b];
            json_t *x = json_object();
            if (!put(x, "age_days", json_integer((json_int_t)b * r->spec.bucket_days)) ||
                !put(x, "n", json_integer(row->n)) || !put(x, "p10", rvjson_number(row->p10)) ||
                !put(x, "p25", rvjson_number(row->p25)) ||
                !put(x, "p50", rvjson_number(row->p50)) ||
                !put(x, "p75", rvjson_number(row->p75)) ||
                !put(x, "p90", rvjson_number(row->p90)) || !push(rows, x)) {
                json_decref(rows);
                json_decref(e);
                json_decref(groups);
                return fail(o);
            }
        }
        if (!put(e, "rows", rows) || !push(groups, e)) {
            json_decref(groups);
            return fail(o);
        }
    }
    if (!put(o, "groups", groups))
        return fail(o);
    return o;
}

json_t *rvjson_exceptions(const struct rv_exceptions_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct norm_result *r = report->norm;
    json_t *o = json_object(), *a = json_array();
    if (!put(o, "by", json_string(norm_dim_name(r->spec.by))) ||
        !put(o, "filters", filters_json(s, &r->spec)) ||
        !put(o, "as_of", ms_time(r->spec.as_of_ms)) ||
        !put(o, "count", json_integer((json_int_t)report->count))) {
        json_decref(a);
        return fail(o);
    }
    for (size_t i = 0; i < report->shown; i++) {
        const struct norm_position *p = &r->positions[report->idx[i]];
        const char *name = report->names[i];
        json_t *e = rvjson_position(s, r, p);
        if (!put(e, "contact_id", json_integer(s->cid[p->contact])) ||
            !put(e, "contact_name", name ? json_string(name) : json_null())) {
            json_decref(e);
            json_decref(a);
            return fail(o);
        }
        if (!push(a, e)) {
            json_decref(a);
            return fail(o);
        }
    }
    if (!put(o, "exceptions", a))
        return fail(o);
    return o;
}

json_t *rvjson_scorecards(const struct rv_reps_report *report)
{
    const struct rv_snapshot *s = report->snap;
    json_t *o = json_object(), *a = json_array();
    for (size_t i = 0; i < report->n; i++) {
        const struct scorecard_rep *r = &report->rows[i];
        json_t *e = json_object();
        if (!put(e, "user_id", json_integer(s->users.id[r->rep])) ||
            !put(e, "name", json_string(s->users.name[r->rep])) ||
            !put(e, "email", json_string(s->users.email[r->rep])) ||
            !put(e, "team", rvjson_key(s, NORM_TEAM, r->team)) ||
            !put(e, "rv", json_integer(r->rv)) || !put(e, "cost", rvjson_money(r->cost)) ||
            !put(e, "rv_per_cost", rvjson_number(r->rv_per_cost)) ||
            !put(e, "interactions", json_integer(r->interactions)) ||
            !put(e, "contacts", json_integer(r->contacts)) ||
            !put(e, "customers", json_integer(r->customers)) ||
            !put(e, "orders", json_integer(r->orders)) ||
            !put(e, "revenue", rvjson_money(r->revenue)) ||
            !put(e, "margin", rvjson_money(r->margin)) ||
            !put(e, "team_size", json_integer(r->team_size)) ||
            !put(e, "team_percentile", rvjson_number(r->team_percentile)) ||
            !put(e, "team_percentile_rv_per_cost", rvjson_number(r->team_percentile_per_cost)) ||
            !push(a, e)) {
            json_decref(a);
            return fail(o);
        }
    }
    if (!put(o, "reps", a))
        return fail(o);
    return o;
}

json_t *rvjson_compare(const struct rv_units_report *report)
{
    const struct rv_snapshot *s = report->snap;
    const struct compare_result *r = report->cmp;
    json_t *o = json_object(), *a = json_array(), *clip = json_array();
    if (!push(clip, json_real(r->clip_lo)) || !push(clip, json_real(r->clip_hi)) ||
        !put(o, "k", json_integer(r->k)) || !put(o, "epsilon", json_real(r->epsilon)) ||
        !put(o, "epsilon_per_statistic", json_real(r->epsilon_per_statistic)) ||
        !put(o, "threshold", json_real(r->threshold)) || !put(o, "clip", clip) ||
        !put(o, "mechanisms",
             json_string(r->epsilon > 0 ? "laplace (count, sum), exponential (percentiles)"
                                        : "none (exact figures, small groups suppressed)"))) {
        json_decref(a);
        return fail(o);
    }
    for (size_t i = 0; i < r->ncells; i++) {
        const struct compare_cell *c = &r->cells[i];
        json_t *e = json_object();
        if (!put(e, "unit", rvjson_key(s, NORM_UNIT, c->unit)) ||
            !put(e, "stage", c->stage < 0 ? json_string("all") : stage(c->stage)) ||
            !put(e, "own", json_boolean(c->own)) ||
            !put(e, "suppressed", json_boolean(c->suppressed)) ||
            !put(e, "noised", json_boolean(c->noised)) || !put(e, "n", rvjson_number(c->n)) ||
            !put(e, "mean", rvjson_number(c->mean)) || !put(e, "p10", rvjson_number(c->p10)) ||
            !put(e, "p25", rvjson_number(c->p25)) || !put(e, "p50", rvjson_number(c->p50)) ||
            !put(e, "p75", rvjson_number(c->p75)) || !put(e, "p90", rvjson_number(c->p90)) ||
            !push(a, e)) {
            json_decref(a);
            return fail(o);
        }
    }
    if (!put(o, "cells", a))
        return fail(o);
    return o;
}

static json_t *pair(double a, double b)
{
    json_t *p = json_array();
    if (!push(p, rvjson_number(a)) || !push(p, rvjson_number(b)))
        return fail(p);
    return p;
}

json_t *rvjson_indicator(const struct rv_indicator_report *report)
{
    const struct indicator_spec *spec = &report->spec;
    const struct indicator_result *r = &report->result;
    json_t *o = json_object(), *d = json_array();
    bool churn = spec->outcome == INDICATOR_CHURN;
    if (!put(o, "cutoff", ms_time(spec->cutoff_ms)) ||
        !put(o, "window_days", json_integer(spec->window_days)) ||
        !put(o, "horizon_days", json_integer(spec->horizon_days)) ||
        !put(o, "outcome", json_string(indicator_outcome_name(spec->outcome))) ||
        !put(o, "per", json_string(spec->per == INDICATOR_PER_ACCOUNT ? "account" : "contact")) ||
        !put(o, "population", json_string(spec->customers_only ? "customers" : "all")) ||
        !put(o, "n", json_integer((json_int_t)r->n)) ||
        !put(o, "x_mean", rvjson_number(r->x_mean)) ||
        !put(o, "y_mean", churn ? rvjson_number(r->y_mean) : rvjson_money(llround(r->y_mean))) ||
        !put(o, "rho", rvjson_number(r->rho)) || !put(o, "rho_ci95", pair(r->rho_lo, r->rho_hi)) ||
        !put(o, "resamples", json_integer(spec->resamples)) ||
        !put(o, "resamples_used", json_integer((json_int_t)r->resamples_used)) ||
        !put(o, "seed", json_integer((json_int_t)spec->seed)) ||
        !put(o, "auc", rvjson_number(r->auc)) || !put(o, "auc_ci95", pair(r->auc_lo, r->auc_hi)) ||
        !put(o, "positives", churn ? json_integer((json_int_t)r->positives) : json_null())) {
        json_decref(d);
        return fail(o);
    }
    for (int k = 0; k < INDICATOR_DECILES; k++) {
        const struct indicator_decile *x = &r->deciles[k];
        json_t *e = json_object();
        if (!put(e, "decile", json_integer(k + 1)) || !put(e, "n", json_integer(x->n)) ||
            !put(e, "rv_min", rvjson_number(x->x_min)) ||
            !put(e, "rv_max", rvjson_number(x->x_max)) ||
            !put(e, "rv_mean", rvjson_number(x->x_mean)) ||
            !put(e, churn ? "churn_rate" : "outcome_mean",
                 churn || isnan(x->y_mean) ? rvjson_number(x->y_mean)
                                           : rvjson_money(llround(x->y_mean))) ||
            !put(e, "lift", rvjson_number(x->lift)) || !push(d, e)) {
            json_decref(d);
            return fail(o);
        }
    }
    if (!put(o, "deciles", d))
        return fail(o);
    return o;
}

json_t *rvjson_update(const struct rv_snapshot *s, const struct rv_update *u,
                      const struct norm_result *r, int64_t as_of_ms)
{
    json_t *o = json_object();
    if (!put(o, "contact_id", json_integer(s->cid[u->contact])) ||
        !put(o, "new_contact", json_boolean(u->new_contact)) ||
        !put(o, "before", state_json(s, &u->before)) ||
        !put(o, "after", state_json(s, &u->after)) ||
        !put(o, "positions", positions_of(s, r, (size_t)u->contact, as_of_ms)))
        return fail(o);
    return o;
}

json_t *rvjson_report(const struct rv_report *r)
{
    switch (r->def->group) {
    case RV_CONTACT:
        return rvjson_contact(&r->u.contact);
    case RV_NORM:
        return rvjson_norm(&r->u.norm);
    case RV_EXCEPTIONS:
        return rvjson_exceptions(&r->u.exceptions);
    case RV_REPS:
        return rvjson_scorecards(&r->u.reps);
    case RV_UNITS:
        return rvjson_compare(&r->u.units);
    case RV_INDICATOR:
        return rvjson_indicator(&r->u.indicator);
    }
    BUG("rv has no analysis of group %llu", (unsigned long long)r->def->group);
}
