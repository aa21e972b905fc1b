/*
 * v2t2_settings.c - the V2T2 settings of the units (docs/v2t2.md, "Settings"), written once for
 * both doors (`kith v2t2 settings`, GET/PUT /api/v1/v2t2/settings): their JSON, how a change is
 * read from "name=value" text or a JSON object and described in the audit log; and how the
 * analyses turn them into the thresholds each relationship or subject is judged by (the
 * judging). The list of settings, their ranges and the check of a value are the model's
 * (model/v2t2_settings.h); the store reads and writes them (store/v2t2.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "io/rv_json.h"
#include "util/alloc.h"
#include "util/num.h"

#include "util/banned.h"

/* ---- judging ----------------------------------------------------------------------------- */

/* Setting i of p (an override's value). */
static double param_value(const struct v2t2_params *p, int i)
{
    switch (i) {
    case V2T2_SET_VOLUME:
        return p->volume;
    case V2T2_SET_PERIOD_DAYS:
        return p->period_days;
    case V2T2_SET_TOUCH:
        return p->touch;
    case V2T2_SET_TECH:
        return p->tech;
    default: /* the value thresholds, in the order of the points of view */
        return p->value[i - V2T2_SET_VALUE_CUSTOMER];
    }
}

/* Setting i of th, for writing (the value thresholds follow the points of view's order). */
static double *threshold_at(struct v2t2_thresholds *th, int i)
{
    switch (i) {
    case V2T2_SET_VOLUME:
        return &th->volume;
    case V2T2_SET_PERIOD_DAYS:
        return &th->period_days;
    case V2T2_SET_TOUCH:
        return &th->tone.touch;
    case V2T2_SET_TECH:
        return &th->tone.tech;
    default:
        return &th->value[i - V2T2_SET_VALUE_CUSTOMER];
    }
}

void v2t2_thresholds_of(const struct v2t2_data *d, int64_t unit_id, const struct v2t2_params *p,
                        struct v2t2_thresholds *th, uint8_t source[V2T2_NSETTINGS])
{
    const struct v2t2_settings *us = d ? v2t2_data_settings(d, unit_id) : NULL;
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        double v = v2t2_setting_defs[i].def;
        uint8_t from = V2T2_FROM_DEFAULT;
        if (p && param_given(&analysis_v2t2, p, v2t2_setting_defs[i].name)) {
            v = param_value(p, i);
            from = V2T2_FROM_OVERRIDE;
        } else if (us && us->set[i]) {
            v = us->v[i];
            from = V2T2_FROM_UNIT;
        }
        *threshold_at(th, i) = v;
        source[i] = from;
    }
}

void v2t2_judging_release(struct v2t2_judging *j)
{
    free(j->set);
    free(j->judge);
    free(j->of);
    memset(j, 0, sizeof(*j));
}

struct v2t2_config v2t2_judging_config(const struct v2t2_judging *j)
{
    return (struct v2t2_config){.set = j->set, .of = j->of};
}

/* Set i of j for unit_id (0: the defaults). */
static void judge_fill(struct v2t2_judging *j, size_t i, const struct v2t2_data *d, int64_t unit_id,
                       const struct v2t2_params *p)
{
    struct v2t2_judge *g = &j->judge[i];
    memset(g, 0, sizeof(*g));
    v2t2_thresholds_of(d, unit_id, p, &j->set[i], g->source);
    g->unit_id = unit_id;
    const struct v2t2_unit_rec *u = v2t2_data_unit(d, unit_id);
    g->unit = u ? u->name : NULL;
    const struct v2t2_settings *us = v2t2_data_settings(d, unit_id);
    if (us) {
        g->updated_at = us->updated_at;
        g->updated_by = us->updated_by;
    }
}

int v2t2_judging_make(const struct rv_snapshot *s, const struct v2t2_data *d,
                      const struct v2t2_params *p, struct v2t2_judging *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    const size_t n = 1 + d->nsettings, ncust = s ? s->nacct + s->nc : 0;
    out->set = alloc_array_zero(n, sizeof(*out->set));
    out->judge = alloc_array_zero(n, sizeof(*out->judge));
    if (!out->set || !out->judge) {
        v2t2_judging_release(out);
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu units' thresholds", n);
    }
    out->n = n;
    judge_fill(out, 0, d, 0, p);
    for (size_t i = 0; i < d->nsettings; i++)
        judge_fill(out, 1 + i, d, d->settings[i].unit_id, p);
    if (!d->nsettings || !ncust)
        return 0; /* every customer has the defaults */
    if (!(out->of = alloc_array_zero(ncust, sizeof(*out->of)))) {
        v2t2_judging_release(out);
        return kith_err(err, KITH_ENOMEM, "out of memory judging %zu customers", ncust);
    }
    /* the set of unit id, by a binary search of the settings (sorted by unit_id) */
    for (size_t k = 0; k < ncust; k++) {
        int64_t unit_id = 0;
        if (k < s->nacct) {
            const struct v2t2_account_rec *a = v2t2_data_account(d, s->account_id[k]);
            unit_id = a ? a->unit_id : 0;
        } else {
            const int32_t u = s->unit[k - s->nacct];
            unit_id = u >= 0 && (size_t)u < s->units.n ? s->units.id[u] : 0;
        }
        const struct v2t2_settings *us = v2t2_data_settings(d, unit_id);
        out->of[k] = us ? (uint32_t)(1 + (size_t)(us - d->settings)) : 0;
    }
    return 0;
}

int v2t2_judging_one(const struct v2t2_data *d, int64_t unit_id, const struct v2t2_params *p,
                     struct v2t2_judging *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->set = alloc_array_zero(1, sizeof(*out->set));
    out->judge = alloc_array_zero(1, sizeof(*out->judge));
    if (!out->set || !out->judge) {
        v2t2_judging_release(out);
        return kith_err(err, KITH_ENOMEM, "out of memory for a unit's thresholds");
    }
    out->n = 1;
    judge_fill(out, 0, d, v2t2_data_settings(d, unit_id) ? unit_id : 0, p);
    return 0;
}

const struct v2t2_unit_rec *v2t2_unit_named(const struct v2t2_data *d, const char *text)
{
    if (!text || !text[0])
        return NULL;
    if (text[0] == '#') {
        int64_t id;
        return num_int64(text + 1, 1, INT64_MAX, &id, "unit", NULL) < 0 ? NULL
                                                                        : v2t2_data_unit(d, id);
    }
    for (size_t i = 0; i < d->nunits; i++)
        if (d->units[i].name && strcmp(d->units[i].name, text) == 0)
            return &d->units[i];
    return NULL;
}

/* ---- the settings of a unit ----------------------------------------------------------------- */

void v2t2_settings_of(const struct v2t2_data *d, int64_t unit_id, struct v2t2_settings *out)
{
    const struct v2t2_settings *us = v2t2_data_settings(d, unit_id);
    if (us)
        *out = *us;
    else
        v2t2_settings_defaults(out, unit_id);
}

#define PUT(o, k, v)                                                                               \
    do {                                                                                           \
        if (!rvjson_put((o), (k), (v)))                                                            \
            return rvjson_fail(o);                                                                 \
    } while (0)

static json_t *unit_json(int64_t id, const char *name)
{
    if (!id)
        return json_null();
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "id", json_integer(id));
    PUT(o, "name", name ? json_string(name) : json_null());
    return o;
}

json_t *v2t2_settings_json(const struct v2t2_settings *st, const char *unit_name)
{
    json_t *o = json_object(), *v = json_object(), *src = json_object();
    PUT(o, "unit", unit_json(st->unit_id, unit_name));
    PUT(o, "settings", v);
    PUT(o, "source", src);
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        const char *name = v2t2_setting_defs[i].name;
        PUT(v, name, json_real(st->v[i]));
        PUT(src, name,
            json_string(v2t2_source_name(st->set[i] ? V2T2_FROM_UNIT : V2T2_FROM_DEFAULT)));
    }
    PUT(o, "updated_at", st->updated_at ? rvjson_ms(st->updated_at) : json_null());
    PUT(o, "updated_by", st->updated_by ? json_integer(st->updated_by) : json_null());
    return o;
}

/* {"name": {"default", "min", "max", "help"}, ...} */
static json_t *defs_json(void)
{
    json_t *o = json_object();
    for (int i = 0; o && i < V2T2_NSETTINGS; i++) {
        const struct v2t2_setting_def *d = &v2t2_setting_defs[i];
        json_t *x = json_object();
        PUT(o, d->name, x);
        if (!rvjson_put(x, "default", json_real(d->def)) ||
            !rvjson_put(x, "min", json_real(d->lo)) || !rvjson_put(x, "max", json_real(d->hi)) ||
            !rvjson_put(x, "help", json_string(d->help)))
            return rvjson_fail(o);
    }
    return o;
}

json_t *v2t2_settings_list_json(const struct v2t2_data *d, const bool *visible)
{
    json_t *o = json_object(), *units = json_array();
    PUT(o, "defaults", defs_json());
    PUT(o, "units", units);
    for (size_t i = 0; i < d->nunits; i++) {
        if (visible && !visible[i])
            continue;
        struct v2t2_settings st;
        v2t2_settings_of(d, d->units[i].id, &st);
        if (!rvjson_push(units, v2t2_settings_json(&st, d->units[i].name)))
            return rvjson_fail(o);
    }
    return o;
}

int v2t2_settings_assign(struct v2t2_settings *st, const char *assignment, const char **field,
                         struct kith_error *err)
{
    *field = NULL;
    const char *eq = strchr(assignment, '=');
    char name[32];
    const size_t len = eq ? (size_t)(eq - assignment) : 0;
    if (!eq || len == 0 || len >= sizeof(name))
        return kith_err(err, KITH_EINVAL, "'%.64s' is not name=value", assignment);
    memcpy(name, assignment, len);
    name[len] = '\0';
    const int i = v2t2_setting_find(name);
    if (i < 0)
        return kith_err(err, KITH_EINVAL, "'%s' is not a V2T2 setting", name);
    *field = v2t2_setting_defs[i].name;
    if (strcmp(eq + 1, "default") == 0) {
        st->set[i] = false;
        st->v[i] = v2t2_setting_defs[i].def;
        return 0;
    }
    double v;
    int rc = num_double(eq + 1, v2t2_setting_defs[i].lo, v2t2_setting_defs[i].hi, &v, *field, err);
    if (rc == 0 && (rc = v2t2_setting_check(i, v, err)) < 0)
        kith_err_prefix(err, "%s", *field);
    if (rc < 0)
        return rc < 0 ? rc : KITH_EINVAL;
    st->v[i] = v;
    st->set[i] = true;
    return 0;
}

int v2t2_settings_apply_json(struct v2t2_settings *st, json_t *body, const char **field,
                             struct kith_error *err)
{
    *field = NULL;
    if (!json_is_object(body) || json_object_size(body) == 0)
        return kith_err(err, KITH_EINVAL,
                        "the body must be a JSON object of settings, e.g. {\"value_rep\": 0.8}");
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v)
    {
        const int i = v2t2_setting_find(key);
        if (i < 0) {
            *field = key;
            return kith_err(err, KITH_EINVAL, "is not a V2T2 setting");
        }
        *field = v2t2_setting_defs[i].name;
        if (json_is_null(v)) {
            st->set[i] = false;
            st->v[i] = v2t2_setting_defs[i].def;
            continue;
        }
        if (!json_is_number(v))
            return kith_err(err, KITH_EINVAL, "must be a number (or null: the default)");
        int rc = v2t2_setting_check(i, json_number_value(v), err);
        if (rc < 0)
            return rc;
        st->v[i] = json_number_value(v);
        st->set[i] = true;
    }
    *field = NULL;
    return 0;
}

/* "0.8", or "default (0.5)" for a value the unit does not set. */
static void value_text(const struct v2t2_settings *st, int i, char *buf, size_t size)
{
    if (st->set[i])
        snprintf(buf, size, "%g", st->v[i]);
    else
        snprintf(buf, size, "default (%g)", v2t2_setting_defs[i].def);
}

void v2t2_settings_change(const struct v2t2_settings *before, const struct v2t2_settings *after,
                          const char *unit, char *buf, size_t size)
{
    int w = snprintf(buf, size, "V2T2 settings of %s:", unit ? unit : "a unit");
    size_t at = w > 0 && (size_t)w < size ? (size_t)w : size;
    bool any = false;
    for (int i = 0; i < V2T2_NSETTINGS && at < size; i++) {
        if (before->set[i] == after->set[i] && (!after->set[i] || before->v[i] == after->v[i]))
            continue;
        char from[40], to[40];
        value_text(before, i, from, sizeof(from));
        value_text(after, i, to, sizeof(to));
        w = snprintf(buf + at, size - at, "%s %s %s -> %s", any ? "," : "",
                     v2t2_setting_defs[i].name, from, to);
        at = w > 0 && (size_t)w < size - at ? at + (size_t)w : size;
        any = true;
    }
    if (!any && at < size)
        snprintf(buf + at, size - at, " no change");
}

void v2t2_settings_text(const struct v2t2_settings *st, const char *unit, FILE *out)
{
    fprintf(out, "%s\n", unit ? unit : "(defaults)");
    for (int i = 0; i < V2T2_NSETTINGS; i++)
        fprintf(out, "  %-17s %12g  %s\n", v2t2_setting_defs[i].name, st->v[i],
                st->set[i] ? "unit" : "default");
}
