/*
 * voice_paths.c - `voice paths`: the digital paths from first touch to purchase, churn or a
 * service outcome (engine/paths.h) over the contacts of the caller's scope, or one contact's own
 * path; its JSON (one shape for `kith voice paths --json` and GET /api/v1/voice/paths) and its
 * table. docs/voice.md ("Digital paths") defines the figures.
 */
#include "analysis/voice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/rv_json.h"
#include "util/alloc.h"

#include "util/banned.h"

const char *const voice_path_steps[] = {"channel", "type", NULL};
const char *const voice_path_outcomes[] = {"purchase", "churn", "service", NULL};

bool voice_needs_snapshot(enum voice_analysis a)
{
    return a == VOICE_MOMENTS || a == VOICE_PATHS || a == VOICE_DOSAY;
}

void voice_paths_release(struct voice_paths *vp)
{
    free(vp->types);
    free(vp->labels);
    free(vp->service);
    free(vp->steps);
    paths_result_release(&vp->res);
    memset(vp, 0, sizeof(*vp));
}

/* The label index of text, added when new (labels has room for every type). */
static int16_t label_of(struct voice_paths *vp, const char *text)
{
    for (size_t i = 0; i < vp->nlabels; i++)
        if (strcmp(vp->labels[i], text) == 0)
            return (int16_t)i;
    snprintf(vp->labels[vp->nlabels], sizeof(vp->labels[0]), "%s", text);
    return (int16_t)vp->nlabels++;
}

/* The index in vp->types of type id, or -1. */
static int32_t type_index(const struct voice_paths *vp, int64_t id)
{
    size_t lo = 0, hi = vp->ntypes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vp->types[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < vp->ntypes && vp->types[lo].id == id ? (int32_t)lo : -1;
}

/* The mask of the scope's contacts over snap. */
static int scope_mask(const struct voice_scope *scope, struct rv_mask *m, struct kith_error *err)
{
    const struct rv_snapshot *s = scope->snap;
    m->n = s->nc;
    m->bits = calloc(s->nc ? s->nc : 1, 1);
    if (!m->bits)
        return kith_err(err, KITH_ENOMEM, "out of memory masking %zu contacts", s->nc);
    for (size_t i = 0; i < scope->ncontacts; i++) {
        int32_t c = rv_snapshot_contact(s, scope->contacts[i]);
        if (c >= 0)
            m->bits[c] = 1;
    }
    return 0;
}

int voice_paths_run(const struct voice_params *p, const struct voice_scope *scope,
                    struct voice_report *out, struct kith_error *err, const char **param)
{
    struct voice_paths *vp = &out->paths;
    const struct rv_snapshot *s = scope->snap;
    if (!s)
        BUG("voice paths without the RV snapshot");
    vp->outcome = p->outcome;
    vp->step = p->step;
    vp->min_support = p->min_support;
    vp->max_length = (int)p->max_length;
    vp->outcome_type = -1;
    int rc = store_voice_types(scope->store, &vp->types, &vp->ntypes, err);
    if (rc < 0)
        return rc;
    int16_t *step_of = alloc_array(s->ntypes ? s->ntypes : 1, sizeof(*step_of));
    uint8_t *service = alloc_array_zero(s->ntypes ? s->ntypes : 1, 1);
    vp->labels = alloc_array(s->ntypes + 1, sizeof(*vp->labels));
    vp->service = alloc_array(p->service_type.n ? p->service_type.n : 1, sizeof(*vp->service));
    struct rv_mask mask = {0};
    rc = KITH_ENOMEM;
    if (!step_of || !service || !vp->labels || !vp->service) {
        kith_err(err, rc, "out of memory naming the steps");
        goto out_free;
    }
    for (size_t i = 0; i < s->ntypes; i++) {
        int32_t t = type_index(vp, s->types[i].id);
        const char *name = t < 0                         ? "unknown"
                           : vp->step == VOICE_STEP_TYPE ? vp->types[t].code
                           : vp->types[t].channel[0]     ? vp->types[t].channel
                                                         : "none";
        step_of[i] = label_of(vp, name);
    }
    if (vp->outcome == PATHS_SERVICE)
        for (size_t k = 0; k < p->service_type.n; k++) {
            int32_t t = -1;
            for (size_t i = 0; i < vp->ntypes && t < 0; i++)
                if (strcmp(vp->types[i].code, p->service_type.v[k]) == 0)
                    t = (int32_t)i;
            int32_t si = t < 0 ? -1 : rv_snapshot_type(s, vp->types[t].id);
            if (si < 0) {
                *param = "service_type";
                rc = kith_err(err, KITH_EINVAL, "there is no interaction type with code '%.64s'",
                              p->service_type.v[k]);
                goto out_free;
            }
            service[si] = 1;
            vp->service[vp->nservice++] = t;
        }
    struct paths_spec spec = {.outcome = (enum paths_outcome)vp->outcome,
                              .step_of_type = step_of,
                              .nsteps = vp->nlabels,
                              .service = service,
                              .max_length = vp->max_length,
                              .min_support = vp->min_support};
    if (param_given(&analysis_voice, p, "contact")) {
        vp->one = true;
        vp->contact_id = p->contact;
        int32_t c = rv_snapshot_contact(s, p->contact);
        bool in_scope = c >= 0;
        if (in_scope && scope->scoped) {
            in_scope = false;
            for (size_t i = 0; i < scope->ncontacts && !in_scope; i++)
                in_scope = scope->contacts[i] == p->contact;
        }
        if (!in_scope) {
            *param = "contact";
            rc = kith_err(err, KITH_ENOTFOUND, "there is no contact %lld (that you may read)",
                          (long long)p->contact);
            goto out_free;
        }
        struct paths_contact pc;
        rc = paths_contact_compute(s, &spec, (size_t)c, &pc, err);
        if (rc < 0)
            goto out_free;
        vp->steps = alloc_array(pc.n ? pc.n : 1, sizeof(*vp->steps));
        if (!vp->steps) {
            paths_contact_release(&pc);
            rc = kith_err(err, KITH_ENOMEM, "out of memory reading a contact's path");
            goto out_free;
        }
        for (size_t i = 0; i < pc.n; i++) {
            const size_t slot = pc.steps[i].slot;
            vp->steps[i] = (struct voice_path_step){
                .step = pc.steps[i].step,
                .interaction_id = s->iid[slot],
                .at = rv_time_to_ms(s->t[slot]),
                .type = s->type[slot] >= 0 ? type_index(vp, s->types[s->type[slot]].id) : -1,
                .interactions = pc.steps[i].count};
        }
        vp->nsteps = pc.n;
        vp->reached = pc.reached;
        vp->outcome_at = pc.reached ? rv_time_to_ms(pc.outcome_t) : 0;
        if (pc.outcome_slot >= 0) {
            const size_t slot = (size_t)pc.outcome_slot;
            vp->outcome_interaction = s->iid[slot];
            vp->outcome_type = s->type[slot] >= 0 ? type_index(vp, s->types[s->type[slot]].id) : -1;
        }
        paths_contact_release(&pc);
        rc = 0;
        goto out_free;
    }
    if (scope->scoped) {
        if ((rc = scope_mask(scope, &mask, err)) < 0)
            goto out_free;
        spec.mask = &mask;
    }
    rc = paths_compute(s, &spec, &vp->res, err);
out_free:
    rv_mask_release(&mask);
    free(step_of);
    free(service);
    if (rc < 0)
        voice_report_release(out);
    return rc;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static json_t *ratio(int64_t a, int64_t b)
{
    return b ? rvjson_number((double)a / (double)b) : json_null();
}

/* The steps of node i, first to last, as a JSON array of names. */
static json_t *node_steps(const struct voice_paths *vp, int32_t i)
{
    int32_t chain[PATHS_MAX_LENGTH];
    int n = 0;
    for (int32_t k = i; k >= 0 && n < PATHS_MAX_LENGTH; k = vp->res.nodes[k].parent)
        chain[n++] = k;
    json_t *a = json_array();
    for (int j = n - 1; a && j >= 0; j--)
        if (!rvjson_push(a, json_string(vp->labels[vp->res.nodes[chain[j]].step])))
            return rvjson_fail(a);
    return a;
}

static json_t *type_json(const struct voice_paths *vp, int32_t t)
{
    if (t < 0)
        return json_null();
    const struct store_voice_type *ty = &vp->types[t];
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "id", json_integer(ty->id)) ||
        !rvjson_put(o, "code", json_string(ty->code)) ||
        !rvjson_put(o, "name", json_string(ty->name)) ||
        !rvjson_put(o, "channel", ty->channel[0] ? json_string(ty->channel) : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *contact_json(const struct voice_paths *vp)
{
    json_t *o = json_object(), *steps = json_array();
    if (!o || !steps) {
        json_decref(steps);
        return rvjson_fail(o);
    }
    for (size_t i = 0; i < vp->nsteps; i++) {
        const struct voice_path_step *st = &vp->steps[i];
        json_t *x = json_object();
        if (!x || !rvjson_push(steps, x) ||
            !rvjson_put(x, "step", json_string(vp->labels[st->step])) ||
            !rvjson_put(x, "at", rvjson_ms(st->at)) ||
            !rvjson_put(x, "interaction_id", json_integer(st->interaction_id)) ||
            !rvjson_put(x, "type", type_json(vp, st->type)) ||
            !rvjson_put(x, "interactions", json_integer(st->interactions))) {
            json_decref(steps);
            return rvjson_fail(o);
        }
    }
    const bool days = vp->reached && vp->nsteps;
    if (!rvjson_put(o, "id", json_integer(vp->contact_id)) || !rvjson_put(o, "steps", steps) ||
        !rvjson_put(o, "reached", json_boolean(vp->reached)) ||
        !rvjson_put(o, "outcome_at", vp->reached ? rvjson_ms(vp->outcome_at) : json_null()) ||
        !rvjson_put(o, "outcome_interaction_id",
                    vp->outcome_interaction ? json_integer(vp->outcome_interaction)
                                            : json_null()) ||
        !rvjson_put(o, "outcome_type", type_json(vp, vp->outcome_type)) ||
        !rvjson_put(o, "days",
                    days ? rvjson_number((double)(vp->outcome_at - vp->steps[0].at) / 86400000.0)
                         : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *common_json(const struct voice_paths *vp, json_t *o)
{
    const struct paths_result *r = &vp->res;
    json_t *paths = json_array(), *nodes = json_array();
    if (!paths || !nodes || !rvjson_put(o, "paths", paths) || !rvjson_put(o, "nodes", nodes)) {
        json_decref(paths);
        json_decref(nodes);
        return NULL;
    }
    for (size_t i = 0; i < r->npaths; i++) {
        const struct paths_node *n = &r->nodes[r->paths[i]];
        json_t *x = json_object();
        if (!x || !rvjson_push(paths, x) || !rvjson_put(x, "steps", node_steps(vp, r->paths[i])) ||
            !rvjson_put(x, "node", json_integer(r->paths[i])) ||
            !rvjson_put(x, "cut", json_boolean(n->depth == vp->max_length)) ||
            !rvjson_put(x, "converted", json_integer(n->here)) ||
            !rvjson_put(x, "contacts", json_integer(n->contacts)) ||
            !rvjson_put(x, "conversion", ratio(n->here, n->contacts)) ||
            !rvjson_put(x, "share", ratio(n->here, r->converted)) ||
            !rvjson_put(x, "median_days", rvjson_number(n->median_days)))
            return NULL;
    }
    for (size_t i = 0; i < r->nnodes; i++) {
        const struct paths_node *n = &r->nodes[i];
        json_t *x = json_object();
        if (!x || !rvjson_push(nodes, x) || !rvjson_put(x, "id", json_integer((json_int_t)i)) ||
            !rvjson_put(x, "parent", n->parent < 0 ? json_null() : json_integer(n->parent)) ||
            !rvjson_put(x, "depth", json_integer(n->depth)) ||
            !rvjson_put(x, "step", json_string(vp->labels[n->step])) ||
            !rvjson_put(x, "contacts", json_integer(n->contacts)) ||
            !rvjson_put(x, "converted", json_integer(n->converted)) ||
            !rvjson_put(x, "here", json_integer(n->here)) ||
            !rvjson_put(x, "stopped", json_integer(n->stopped)))
            return NULL;
    }
    if (!rvjson_put(o, "contacts", json_integer(r->contacts)) ||
        !rvjson_put(o, "converted", json_integer(r->converted)) ||
        !rvjson_put(o, "conversion", ratio(r->converted, r->contacts)) ||
        !rvjson_put(o, "without_path", json_integer(r->without_path)) ||
        !rvjson_put(o, "median_days", rvjson_number(r->median_days)))
        return NULL;
    return o;
}

json_t *voice_paths_json(const struct voice_report *r)
{
    const struct voice_paths *vp = &r->paths;
    json_t *o = json_object(), *svc = json_array();
    if (!o || !svc) {
        json_decref(svc);
        return rvjson_fail(o);
    }
    for (size_t i = 0; i < vp->nservice; i++)
        if (!rvjson_push(svc, json_string(vp->types[vp->service[i]].code))) {
            json_decref(svc);
            return rvjson_fail(o);
        }
    if (!rvjson_put(o, "analysis", json_string("paths")) ||
        !rvjson_put(o, "outcome", json_string(voice_path_outcomes[vp->outcome])) ||
        !rvjson_put(o, "service_types", vp->outcome == PATHS_SERVICE ? svc : json_null()) ||
        !rvjson_put(o, "step", json_string(voice_path_steps[vp->step])) ||
        !rvjson_put(o, "min_support", json_integer(vp->min_support)) ||
        !rvjson_put(o, "max_length", json_integer(vp->max_length)))
        return rvjson_fail(o);
    if (vp->outcome != PATHS_SERVICE)
        json_decref(svc);
    if (vp->one)
        return rvjson_put(o, "contact", contact_json(vp)) ? o : rvjson_fail(o);
    return common_json(vp, o) ? o : rvjson_fail(o);
}

/* ---- the CLI's table ---------------------------------------------------------------------- */

static void print_steps(const struct voice_paths *vp, int32_t i, FILE *out)
{
    int32_t chain[PATHS_MAX_LENGTH];
    int n = 0;
    for (int32_t k = i; k >= 0 && n < PATHS_MAX_LENGTH; k = vp->res.nodes[k].parent)
        chain[n++] = k;
    for (int j = n - 1; j >= 0; j--)
        fprintf(out, "%s%s", vp->labels[vp->res.nodes[chain[j]].step], j ? " > " : "");
}

void voice_paths_text(const struct voice_report *r, FILE *out)
{
    const struct voice_paths *vp = &r->paths;
    const char *outcome = voice_path_outcomes[vp->outcome];
    if (vp->one) {
        fprintf(out, "contact %lld: path to %s (%s)%s\n", (long long)vp->contact_id, outcome,
                vp->reached ? "reached" : "not reached", vp->nsteps ? "" : ", no step before it");
        for (size_t i = 0; i < vp->nsteps; i++) {
            const struct voice_path_step *st = &vp->steps[i];
            json_t *at = rvjson_ms(st->at);
            fprintf(out, "%3zu  %-24s %-12s x%-4u %s\n", i + 1, at ? json_string_value(at) : "",
                    vp->labels[st->step], st->interactions,
                    st->type >= 0 ? vp->types[st->type].code : "");
            json_decref(at);
        }
        if (vp->reached) {
            json_t *at = rvjson_ms(vp->outcome_at);
            fprintf(out, "  -> %s at %s\n", outcome, at ? json_string_value(at) : "");
            json_decref(at);
        }
        return;
    }
    const struct paths_result *res = &vp->res;
    fprintf(out,
            "%lld contacts with a path, %lld reached %s (%.1f%%), median %.1f days;"
            " %lld reached it before any touch\n\n",
            (long long)res->contacts, (long long)res->converted, outcome,
            res->contacts ? 100.0 * (double)res->converted / (double)res->contacts : 0.0,
            isnan(res->median_days) ? 0.0 : res->median_days, (long long)res->without_path);
    fprintf(out, "%9s %9s %10s %8s  %s\n", "converted", "took it", "conversion", "days", "path");
    for (size_t i = 0; i < res->npaths; i++) {
        const struct paths_node *n = &res->nodes[res->paths[i]];
        fprintf(out, "%9lld %9lld %9.1f%% %8.1f  ", (long long)n->here, (long long)n->contacts,
                100.0 * (double)n->here / (double)n->contacts, n->median_days);
        print_steps(vp, res->paths[i], out);
        fprintf(out, "%s -> %s\n", n->depth == vp->max_length ? " > ..." : "", outcome);
    }
    fprintf(out, "\npaths of at least %lld contacts, cut after %d %s steps; docs/voice.md\n",
            (long long)vp->min_support, vp->max_length, voice_path_steps[vp->step]);
}
