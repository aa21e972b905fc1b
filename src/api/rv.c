/*
 * rv.c - /api/v1/rv/...: the Relationship Value engine over HTTP, on the snapshot the server keeps
 * (rvstate.h). The same computations and JSON as `kith rv ... --json` (io/rv_json.h).
 *
 * Scope: everything is computed over the contacts the caller may read (api_scope() of contacts:
 * the store's rule, a contact's own unit, team and owner): the norms are those of the caller's
 * peers within that set, positions and exceptions name only those contacts, scorecards count only
 * interactions with them. The comparison of units is the exception by design: it covers every
 * unit, but only as aggregates, suppressed below k members and optionally noised, with the
 * caller's own unit exact beside the others.
 */
#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/rvstate.h"
#include "engine/compare.h"
#include "engine/indicator.h"
#include "engine/norm.h"
#include "engine/scorecard.h"
#include "io/rv_json.h"
#include "model/table.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define RV_API_THREADS 1 /* per request: the server has other requests to serve */
#define LIMIT_DEFAULT  50
#define LIMIT_MAX      10000

/* ---- query parameters -------------------------------------------------------------------------
 * Each reader leaves *out alone when the parameter is absent, and answers 400 naming it when it
 * is malformed. */

static bool q_long(const struct api_request *req, struct api_response *res, const char *name,
                   long lo, long hi, long *out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        api_error(res, 400, "bad_request", name, "%s must be a whole number from %ld to %ld", name,
                  lo, hi);
        return false;
    }
    *out = n;
    return true;
}

static bool q_int(const struct api_request *req, struct api_response *res, const char *name, int lo,
                  int hi, int *out)
{
    long v = *out;
    if (!q_long(req, res, name, lo, hi, &v))
        return false;
    *out = (int)v;
    return true;
}

static bool q_double(const struct api_request *req, struct api_response *res, const char *name,
                     double lo, double hi, double *out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    char *end;
    double d = strtod(v, &end);
    if (!*v || *end || !isfinite(d) || d < lo || d > hi) {
        api_error(res, 400, "bad_request", name, "%s must be a number from %g to %g", name, lo, hi);
        return false;
    }
    *out = d;
    return true;
}

static bool q_time(const struct api_request *req, struct api_response *res, const char *name,
                   int64_t *out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    struct kith_error err = {0};
    if (timefmt_parse(v, strlen(v), out, &err) < 0) {
        api_error(res, 400, "bad_request", name, "%s: %s", name, err.msg);
        return false;
    }
    return true;
}

static bool q_choice(const struct api_request *req, struct api_response *res, const char *name,
                     const char *const *choices, const char **out)
{
    const char *v = api_query(req, name);
    if (!v)
        return true;
    for (const char *const *c = choices; *c; c++)
        if (strcmp(v, *c) == 0) {
            *out = *c;
            return true;
        }
    char list[200] = "";
    size_t n = 0;
    for (const char *const *c = choices; *c && n < sizeof(list); c++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *c);
    api_error(res, 400, "bad_request", name, "%s must be one of: %s", name, list);
    return false;
}

/* ---- the snapshot and the caller's contacts ------------------------------------------------- */

/*
 * What a handler works on: the snapshot (read-locked until rv_end()) and the mask of the
 * contacts the caller may read (mask_ptr NULL: all).
 */
struct rv_ctx {
    const struct rv_snapshot *snap;
    const struct norm_result *live;
    struct rv_mask mask;
    const struct rv_mask *mask_ptr;
    struct store_scope scope;
};

/* The ids of the caller's contacts are read before the lock, mapped to indices under it. */
static bool rv_begin(struct api_request *req, struct api_response *res, struct rv_ctx *x)
{
    memset(x, 0, sizeof(*x));
    struct kith_error err = {0};
    if (api_scope(req->who, model_table("contacts"), false, &x->scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role (%s) may not read contacts",
                  api_role_name(req->who->role));
        return false;
    }
    int64_t *ids = NULL;
    size_t n = 0;
    if (!x->scope.all &&
        store_scope_ids(req->store, model_table("contacts"), &x->scope, &ids, &n, &err) < 0) {
        api_error_from(res, &err);
        return false;
    }
    x->snap = rvstate_read_begin(&x->live);
    if (!x->snap) {
        rvstate_read_end();
        free(ids);
        api_error(res, 503, "unavailable", NULL, "the Relationship Value engine is not running");
        return false;
    }
    if (!x->scope.all) {
        x->mask.n = x->snap->nc;
        x->mask.bits = calloc(x->mask.n ? x->mask.n : 1, 1);
        if (!x->mask.bits) {
            rvstate_read_end();
            free(ids);
            api_error(res, 500, "internal", NULL, "out of memory");
            return false;
        }
        for (size_t i = 0; i < n; i++) {
            int32_t c = rv_snapshot_contact(x->snap, ids[i]);
            if (c >= 0)
                x->mask.bits[c] = 1;
        }
        x->mask_ptr = &x->mask;
    }
    free(ids);
    return true;
}

static void rv_end(struct rv_ctx *x)
{
    rvstate_read_end();
    rv_mask_release(&x->mask);
}

/* Answers j (consumed), or a 500 when it could not be built. */
static void answer(struct api_response *res, json_t *j)
{
    if (j)
        api_json(res, 200, j);
    else
        api_error(res, 500, "internal", NULL, "out of memory writing the answer");
}

/* A spec error of the engine (KITH_EINVAL names the field) as a 400, anything else as usual. */
static void engine_error(struct api_response *res, const struct kith_error *err)
{
    if (err->code == KITH_EINVAL)
        api_error(res, 400, "bad_request", NULL, "%s", err->msg);
    else
        api_error_from(res, err);
}

/*
 * The norm spec of ?by=&where=...&bucket_days=&max_age_days=&min_n=&as_of= over the caller's
 * contacts (population and visible: the mask).
 */
static bool norm_spec_from(struct api_request *req, struct api_response *res,
                           const struct rv_ctx *x, struct norm_spec *spec)
{
    struct kith_error err = {0};
    const char *by_name = api_query(req, "by");
    enum norm_dim by = NORM_TEAM;
    if (by_name && norm_dim_from_name(by_name, &by, &err) < 0) {
        api_error(res, 400, "bad_request", "by", "by: %s", err.msg);
        return false;
    }
    int64_t as_of = store_now_ms();
    int bucket = NORM_BUCKET_DEFAULT, max_age = 0, min_n = NORM_MIN_N_DEFAULT;
    if (!q_time(req, res, "as_of", &as_of) || !q_int(req, res, "bucket_days", 1, 3660, &bucket) ||
        !q_int(req, res, "max_age_days", 0, 36600, &max_age) ||
        !q_int(req, res, "min_n", 1, 1000000, &min_n))
        return false;
    norm_spec_init(spec, by, as_of);
    spec->bucket_days = bucket;
    spec->max_age_days = max_age;
    spec->min_n = (unsigned)min_n;
    spec->nthreads = RV_API_THREADS;
    spec->population = x->mask_ptr;
    spec->visible = x->mask_ptr;
    const char *where[NORM_MAX_FILTERS];
    size_t nwhere = api_query_all(req, "where", where, NORM_MAX_FILTERS);
    if (nwhere > NORM_MAX_FILTERS) {
        api_error(res, 400, "bad_request", "where", "at most %d where filters", NORM_MAX_FILTERS);
        return false;
    }
    for (size_t i = 0; i < nwhere; i++) {
        const char *eq = strchr(where[i], '=');
        char field[64];
        if (!eq || eq == where[i] || (size_t)(eq - where[i]) >= sizeof(field)) {
            api_error(res, 400, "bad_request", "where", "where is FIELD=VALUE, e.g. team=Alpha");
            return false;
        }
        memcpy(field, where[i], (size_t)(eq - where[i]));
        field[eq - where[i]] = '\0';
        struct norm_filter *f = &spec->filters[spec->nfilters];
        if (norm_dim_from_name(field, &f->dim, &err) < 0 || f->dim == NORM_ALL) {
            api_error(res, 400, "bad_request", "where", "where: %s",
                      f->dim == NORM_ALL ? "cannot filter on all" : err.msg);
            return false;
        }
        if (norm_key_from_text(x->snap, f->dim, eq + 1, &f->key, &err) < 0) {
            api_error(res, 400, "bad_request", "where", "where %s: %s", where[i], err.msg);
            return false;
        }
        spec->nfilters++;
    }
    return true;
}

/* ---- GET /api/v1/rv/contacts/{id} ----------------------------------------------------------- */

void api_rv_contact(struct api_request *req, struct api_response *res)
{
    int64_t id;
    if (!api_param_id(req, 0, &id, res))
        return;
    struct rv_ctx x;
    struct kith_error err = {0};
    double half_life = 90;
    if (!q_double(req, res, "half_life_days", 0.001, 36600, &half_life))
        return;
    /* a contact outside the caller's scope is "not found", as on /api/v1/contacts/{id} */
    struct store_scope scope;
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0 ||
        store_get(req->store, model_table("contacts"), id, &scope, NULL, NULL, &err) < 0) {
        api_error(res, 404, "not_found", NULL, "no contact %lld", (long long)id);
        return;
    }
    if (!rv_begin(req, res, &x))
        return;
    struct norm_spec spec;
    struct norm_result *norm = NULL;
    int32_t c = rv_snapshot_contact(x.snap, id);
    if (!norm_spec_from(req, res, &x, &spec))
        goto out;
    if (c < 0) { /* a contact without interactions, written before the snapshot knew of it */
        api_error(res, 404, "not_found", NULL, "contact %lld has no Relationship Value yet",
                  (long long)id);
        goto out;
    }
    /* a single-valued grouping needs only the contact's own group */
    int32_t own;
    if (norm_attribute_key(x.snap, spec.by, (size_t)c, &own) && spec.nfilters < NORM_MAX_FILTERS) {
        spec.filters[spec.nfilters].dim = spec.by;
        spec.filters[spec.nfilters++].key = own;
    }
    if (norm_compute(x.snap, &spec, &norm, &err) < 0) {
        engine_error(res, &err);
        goto out;
    }
    answer(res,
           rvjson_contact(x.snap, (size_t)c, spec.as_of_ms, half_life, spec.bucket_days, norm));
out:
    norm_result_free(norm);
    rv_end(&x);
}

/* ---- GET /api/v1/rv/norm -------------------------------------------------------------------- */

void api_rv_norm(struct api_request *req, struct api_response *res)
{
    struct rv_ctx x;
    struct kith_error err = {0};
    int every = 1;
    if (!q_int(req, res, "every", 1, 10000, &every) || !rv_begin(req, res, &x))
        return;
    struct norm_spec spec;
    struct norm_result *r = NULL;
    if (norm_spec_from(req, res, &x, &spec)) {
        spec.grid = 2; /* no positions asked for */
        spec.visible = NULL;
        if (norm_compute(x.snap, &spec, &r, &err) < 0)
            engine_error(res, &err);
        else
            answer(res, rvjson_norm(x.snap, r, (unsigned)every));
    }
    norm_result_free(r);
    rv_end(&x);
}

/* ---- GET /api/v1/rv/exceptions -------------------------------------------------------------- */

void api_rv_exceptions(struct api_request *req, struct api_response *res)
{
    static const char *const statuses[] = {"behind", "ahead", "both", NULL};
    struct rv_ctx x;
    struct kith_error err = {0};
    long limit = LIMIT_DEFAULT;
    const char *status = "both";
    if (!q_long(req, res, "limit", 1, LIMIT_MAX, &limit) ||
        !q_choice(req, res, "status", statuses, &status) || !rv_begin(req, res, &x))
        return;
    struct norm_spec spec;
    struct norm_result *r = NULL;
    size_t *idx = NULL, n = 0;
    int want = strcmp(status, "behind") == 0  ? NORM_BEHIND
               : strcmp(status, "ahead") == 0 ? NORM_AHEAD
                                              : 0;
    if (norm_spec_from(req, res, &x, &spec)) {
        if (norm_compute(x.snap, &spec, &r, &err) < 0 ||
            norm_exceptions(r, want, &idx, &n, &err) < 0)
            engine_error(res, &err);
        else /* every contact named is in the caller's scope: the norm is theirs */
            answer(res, rvjson_exceptions(x.snap, r, idx, n, (size_t)limit, req->store));
    }
    free(idx);
    norm_result_free(r);
    rv_end(&x);
}

/* ---- GET /api/v1/rv/reps -------------------------------------------------------------------- */

void api_rv_reps(struct api_request *req, struct api_response *res)
{
    struct rv_ctx x;
    struct kith_error err = {0};
    struct scorecard_spec spec = {.team = -1};
    if (!q_time(req, res, "from", &spec.from_ms) || !q_time(req, res, "to", &spec.to_ms))
        return;
    if (spec.from_ms && spec.to_ms && spec.to_ms <= spec.from_ms) {
        api_error(res, 400, "bad_request", "to", "to must be after from");
        return;
    }
    if (!rv_begin(req, res, &x))
        return;
    const char *team = api_query(req, "team");
    struct scorecard_rep *rows = NULL;
    size_t n = 0;
    spec.visible = x.mask_ptr;
    if (team && norm_key_from_text(x.snap, NORM_TEAM, team, &spec.team, &err) < 0)
        api_error(res, 400, "bad_request", "team", "team: %s", err.msg);
    else if (scorecard_compute(x.snap, &spec, &rows, &n, &err) < 0)
        engine_error(res, &err);
    else
        answer(res, rvjson_scorecards(x.snap, rows, n));
    free(rows);
    rv_end(&x);
}

/* ---- GET /api/v1/rv/units ------------------------------------------------------------------- */

/* libsodium's CSPRNG on [0, 1) for the noise. */
static double sodium_uniform(void *ctx)
{
    (void)ctx;
    uint64_t v;
    randombytes_buf(&v, sizeof(v));
    return (double)(v >> 11) * 0x1.0p-53;
}

void api_rv_units(struct api_request *req, struct api_response *res)
{
    struct rv_ctx x;
    struct kith_error err = {0};
    struct compare_spec spec;
    compare_spec_init(&spec, store_now_ms());
    long k = COMPARE_K_DEFAULT;
    if (!q_time(req, res, "as_of", &spec.as_of_ms) || !q_long(req, res, "k", 1, 1000000, &k) ||
        !q_double(req, res, "epsilon", 0, 1000, &spec.epsilon) ||
        !q_double(req, res, "clip_lo", -1e9, 1e9, &spec.clip_lo) ||
        !q_double(req, res, "clip_hi", -1e9, 1e9, &spec.clip_hi))
        return;
    spec.k = (unsigned)k;
    if (spec.epsilon > 0 && sodium_init() < 0) {
        api_error(res, 500, "internal", NULL, "no random source for the noise");
        return;
    }
    spec.uniform = sodium_uniform;
    if (!rv_begin(req, res, &x))
        return;
    /* whoever does not see every contact sees their own unit exactly, the others as aggregates */
    if (!x.scope.all && req->who->unit_id > 0) {
        char key[32];
        snprintf(key, sizeof(key), "#%lld", (long long)req->who->unit_id);
        if (norm_key_from_text(x.snap, NORM_UNIT, key, &spec.own_unit, &err) < 0)
            spec.own_unit = -1; /* a unit made after the snapshot: none of its own yet */
    }
    struct compare_result *r = NULL;
    if (compare_units(x.snap, &spec, &r, &err) < 0)
        engine_error(res, &err);
    else
        answer(res, rvjson_compare(x.snap, r));
    compare_result_free(r);
    rv_end(&x);
}

/* ---- GET /api/v1/rv/indicator --------------------------------------------------------------- */

void api_rv_indicator(struct api_request *req, struct api_response *res)
{
    static const char *const outcomes[] = {"margin", "growth", "churn", NULL};
    static const char *const pers[] = {"account", "contact", NULL};
    static const char *const populations[] = {"all", "customers", NULL};
    struct kith_error err = {0};
    int64_t cutoff = 0;
    int window = 0, horizon = 0;
    long resamples = INDICATOR_RESAMPLES_DEFAULT, seed = INDICATOR_SEED_DEFAULT;
    const char *outcome = NULL, *per = "account", *population = NULL;
    if (!q_time(req, res, "cutoff", &cutoff) ||
        !q_int(req, res, "window_days", 1, 36600, &window) ||
        !q_int(req, res, "horizon_days", 1, 36600, &horizon) ||
        !q_choice(req, res, "outcome", outcomes, &outcome) ||
        !q_choice(req, res, "per", pers, &per) ||
        !q_choice(req, res, "population", populations, &population) ||
        !q_long(req, res, "resamples", 0, 10000, &resamples) ||
        !q_long(req, res, "seed", 0, 2147483647L, &seed))
        return;
    const char *missing = !api_query(req, "cutoff") ? "cutoff"
                          : !window                 ? "window_days"
                          : !horizon                ? "horizon_days"
                          : !outcome                ? "outcome"
                                                    : NULL;
    if (missing) {
        api_error(res, 400, "bad_request", missing,
                  "cutoff, window_days, horizon_days and outcome are all needed (%s is missing)",
                  missing);
        return;
    }
    enum indicator_outcome oc;
    indicator_outcome_from_name(outcome, &oc, &err);
    struct indicator_spec spec;
    indicator_spec_init(&spec, cutoff, window, horizon, oc);
    spec.per = strcmp(per, "contact") == 0 ? INDICATOR_PER_CONTACT : INDICATOR_PER_ACCOUNT;
    spec.resamples = (unsigned)resamples;
    spec.seed = (uint64_t)seed;
    if (population)
        spec.customers_only = strcmp(population, "customers") == 0;
    struct rv_ctx x;
    if (!rv_begin(req, res, &x))
        return;
    spec.population = x.mask_ptr;
    struct indicator_result r;
    if (indicator_compute(x.snap, &spec, &r, &err) < 0)
        engine_error(res, &err);
    else
        answer(res, rvjson_indicator(&spec, &r));
    rv_end(&x);
}
