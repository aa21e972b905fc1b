/*
 * rv_report.c - the run functions of the RV family (rv.h): parameters and a snapshot in, a
 * report out. Everything a report shows is computed here, contact names included (read from
 * the store after the engine has chosen the contacts: names never enter the engine), so that
 * the JSON writer (io/rv_json.c) and the text tables (rv_text.c) only write.
 */
#include "analysis/rv.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/* libsodium's CSPRNG as the engine's uniform source on [0, 1): the noise of every door. */
static double sodium_uniform(void *ctx)
{
    (void)ctx;
    uint64_t x;
    randombytes_buf(&x, sizeof(x));
    return (double)(x >> 11) * 0x1.0p-53;
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

int rv_units_run(const struct rv_scope *src, const struct rv_params *p,
                 struct rv_units_report *out, struct rv_error *err)
{
    struct kith_error e = {0};
    struct compare_spec spec;
    memset(out, 0, sizeof(*out));
    out->snap = src->snap;
    out->as_of_ms = as_of_of(p);
    compare_spec_init(&spec, out->as_of_ms);
    spec.k = (unsigned)p->k;
    spec.epsilon = p->epsilon;
    spec.clip_lo = p->clip_lo;
    spec.clip_hi = p->clip_hi;
    spec.uniform = sodium_uniform;
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
        return kith_err(&err->err, KITH_EIO, "libsodium cannot start: no random source for noise");
    if (p->unit) {
        if (norm_key_from_text(src->snap, NORM_UNIT, p->unit, &spec.own_unit, &e) < 0)
            return bad_param(err, "unit", "%s", e.msg);
    } else if (src->own_unit_id > 0) {
        char key[32];
        snprintf(key, sizeof(key), "#%lld", (long long)src->own_unit_id);
        if (norm_key_from_text(src->snap, NORM_UNIT, key, &spec.own_unit, NULL) < 0)
            spec.own_unit = -1; /* a unit made after the snapshot: none of its own yet */
    }
    return compare_units(src->snap, &spec, &out->cmp, &err->err);
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
    int rc = indicator_compute(src->snap, &spec, &out->result, &err->err);
    spec.population = NULL;
    out->spec = spec;
    return rc;
}
