/*
 * voice_moments.c - the `voice moments` analysis (docs/voice.md, "Moments of truth"): the
 * interaction types and touchpoints (the channel of a type) whose first occurrence most changes
 * a contact's later RV, NPS or churn, estimated by engine/moments.h over the RV snapshot and the
 * contacts in scope; its one JSON (CLI --json and GET /api/v1/voice/moments) and its table.
 * The NPS of a contact is read from the NPS interactions that every survey answer also is
 * (voc_nps_promoter / passive / detractor).
 */
#include "analysis/voice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/rv_json.h"
#include "model/table.h"
#include "util/alloc.h"

#include "util/banned.h"

const char *const voice_moment_outcomes[] = {"rv", "nps", "churn", NULL};

static const char method_text[] =
    "per period: contacts whose first occurrence of the candidate falls in it (treated) against"
    " contacts with an interaction in it but no occurrence by its end (controls), matched exactly"
    " on unit, level, prior RV, tenure and interactions in the period at its start; effect ="
    " mean over the matched treated of the outcome minus its stratum's control mean over the"
    " window after the period; 95% normal interval from the pooled within-stratum variance;"
    " Benjamini-Hochberg at alpha over the tested candidates, moments with the FCR-adjusted"
    " interval (level 1 - alpha R / m)";

void voice_moments_release(struct voice_moments *m)
{
    moments_result_release(&m->m);
    for (size_t i = 0; i < m->ntypes; i++) {
        if (m->type_code)
            free(m->type_code[i]);
        if (m->type_name)
            free(m->type_name[i]);
    }
    free(m->type_code);
    free(m->type_name);
    free(m->type_id);
    for (size_t i = 0; i < m->nchannels; i++)
        free(m->channels[i]);
    free(m->channels);
    memset(m, 0, sizeof(*m));
}

/* Reading the catalogue's codes, names and channels into the report. */
struct catalogue_read {
    const struct rv_snapshot *snap;
    struct voice_moments *m;
    int32_t *type_channel;
    int8_t *type_nps;
    size_t f_id, f_code, f_name, f_channel;
    size_t chcap;
};

static char *dup_text(const struct store_value *v)
{
    if (v->kind != SV_TEXT)
        return NULL;
    char *s = malloc(v->len + 1);
    if (s) {
        memcpy(s, v->s, v->len);
        s[v->len] = '\0';
    }
    return s;
}

static int catalogue_row(void *ctx, const struct store_value *vals)
{
    struct catalogue_read *cr = ctx;
    if (vals[cr->f_id].kind != SV_INT)
        return 0;
    const int32_t k = rv_snapshot_type(cr->snap, vals[cr->f_id].i);
    if (k < 0)
        return 0; /* a type written since the snapshot was loaded */
    struct voice_moments *m = cr->m;
    m->type_code[k] = dup_text(&vals[cr->f_code]);
    m->type_name[k] = dup_text(&vals[cr->f_name]);
    if ((vals[cr->f_code].kind == SV_TEXT && !m->type_code[k]) ||
        (vals[cr->f_name].kind == SV_TEXT && !m->type_name[k]))
        return KITH_ENOMEM;
    const char *code = m->type_code[k] ? m->type_code[k] : "";
    cr->type_nps[k] = strcmp(code, "voc_nps_promoter") == 0    ? 100
                      : strcmp(code, "voc_nps_passive") == 0   ? 0
                      : strcmp(code, "voc_nps_detractor") == 0 ? -100
                                                               : MOMENTS_NPS_NONE;
    const struct store_value *ch = &vals[cr->f_channel];
    if (ch->kind != SV_TEXT || ch->len == 0)
        return 0;
    for (size_t i = 0; i < m->nchannels; i++)
        if (strlen(m->channels[i]) == ch->len && memcmp(m->channels[i], ch->s, ch->len) == 0) {
            cr->type_channel[k] = (int32_t)i;
            return 0;
        }
    if (m->nchannels == cr->chcap) {
        size_t cap = cr->chcap ? cr->chcap * 2 : 16;
        char **g = alloc_array_grow(m->channels, cap, sizeof(*g));
        if (!g)
            return KITH_ENOMEM;
        m->channels = g;
        cr->chcap = cap;
    }
    if (!(m->channels[m->nchannels] = dup_text(ch)))
        return KITH_ENOMEM;
    cr->type_channel[k] = (int32_t)m->nchannels++;
    return 0;
}

static int read_catalogue(struct store *st, const struct rv_snapshot *snap, struct voice_moments *m,
                          int32_t *type_channel, int8_t *type_nps, struct kith_error *err)
{
    const struct table_def *t = model_table("interaction_types");
    struct catalogue_read cr = {
        .snap = snap, .m = m, .type_channel = type_channel, .type_nps = type_nps};
    if (!table_field(t, "id", &cr.f_id) || !table_field(t, "code", &cr.f_code) ||
        !table_field(t, "name", &cr.f_name) || !table_field(t, "channel", &cr.f_channel))
        BUG("interaction_types lacks id, code, name or channel");
    int rc = store_scan(st, t, catalogue_row, &cr, err);
    if (rc == KITH_ENOMEM && !err->msg[0])
        return kith_err(err, KITH_ENOMEM, "out of memory reading the catalogue");
    return rc < 0 ? rc : 0;
}

static bool bad_param(struct kith_error *err, const char **param, const char *name, const char *msg)
{
    *param = name;
    kith_err(err, KITH_EINVAL, "%s", msg);
    return false;
}

int voice_moments_run(const struct voice_params *p, const struct voice_scope *scope,
                      struct voice_report *out, struct kith_error *err, const char **param)
{
    const struct rv_snapshot *snap = scope->snap;
    struct voice_moments *m = &out->moments;
    struct moments_spec spec;
    moments_spec_init(&spec, (enum moments_outcome)p->outcome);
    spec.period_days = (int)p->period;
    spec.window_days = (int)p->window;
    spec.alpha = p->alpha;
    spec.min_treated = (size_t)(p->min_treated > out->k ? p->min_treated : out->k);
    spec.population = scope->mask;
    if (out->has_from)
        spec.from = rv_time_from_ms(p->from);
    if (out->has_to)
        spec.as_of = rv_time_from_ms(p->to);
    if (out->has_from && out->has_to &&
        (int64_t)spec.as_of - spec.from < (int64_t)(p->period + p->window) * RV_DAY) {
        bad_param(err, param, "to", "to must leave room for one period and its window after from");
        return KITH_EINVAL;
    }
    m->ntypes = snap->ntypes;
    m->type_code = alloc_array_zero(snap->ntypes ? snap->ntypes : 1, sizeof(char *));
    m->type_name = alloc_array_zero(snap->ntypes ? snap->ntypes : 1, sizeof(char *));
    m->type_id = alloc_array_zero(snap->ntypes ? snap->ntypes : 1, sizeof(*m->type_id));
    int32_t *type_channel = alloc_array(snap->ntypes ? snap->ntypes : 1, sizeof(*type_channel));
    int8_t *type_nps = alloc_array(snap->ntypes ? snap->ntypes : 1, sizeof(*type_nps));
    int rc = KITH_ENOMEM;
    if (!m->type_code || !m->type_name || !m->type_id || !type_channel || !type_nps) {
        kith_err(err, KITH_ENOMEM, "out of memory for the catalogue");
        goto out_fail;
    }
    for (size_t k = 0; k < snap->ntypes; k++) {
        m->type_id[k] = snap->types[k].id;
        type_channel[k] = -1;
        type_nps[k] = MOMENTS_NPS_NONE;
    }
    if ((rc = read_catalogue(scope->store, snap, m, type_channel, type_nps, err)) < 0)
        goto out_fail;
    spec.type_channel = type_channel;
    spec.nchannels = m->nchannels;
    spec.type_nps = type_nps;
    rc = moments_compute(snap, &spec, &m->m, err);
    if (rc == KITH_EINVAL)
        *param = out->has_from || out->has_to ? (out->has_from ? "from" : "to") : "window";
    if (rc < 0)
        goto out_fail;
    free(type_channel);
    free(type_nps);
    return 0;
out_fail:
    free(type_channel);
    free(type_nps);
    voice_report_release(out);
    return rc;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *effect_json(const struct voice_report *r, const struct moments_effect *e)
{
    const struct voice_moments *m = &r->moments;
    const bool typed = e->is_type && (size_t)e->index < m->ntypes;
    const char *code = typed ? m->type_code[e->index] : NULL;
    const char *name = typed ? m->type_name[e->index] : NULL;
    const char *channel =
        !e->is_type && (size_t)e->index < m->nchannels ? m->channels[e->index] : NULL;
    /* below k matched first occurrences nothing but the counts of occurrences is shown */
    const bool hide = (int64_t)e->matched < r->k;
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "kind", json_string(e->is_type ? "type" : "touchpoint")) ||
        !rvjson_put(o, "type_id", typed ? json_integer(m->type_id[e->index]) : json_null()) ||
        !rvjson_put(o, "code", text_or_null(e->is_type ? code : channel)) ||
        !rvjson_put(o, "name", text_or_null(e->is_type ? name : channel)) ||
        !rvjson_put(o, "suppressed", json_boolean(hide)) ||
        !rvjson_put(o, "treated", json_integer((json_int_t)e->treated)) ||
        !rvjson_put(o, "matched", hide ? json_null() : json_integer((json_int_t)e->matched)) ||
        !rvjson_put(o, "controls", hide ? json_null() : json_integer((json_int_t)e->controls)) ||
        !rvjson_put(o, "mean_treated", rvjson_number(hide ? NAN : e->mean_treated)) ||
        !rvjson_put(o, "mean_controls", rvjson_number(hide ? NAN : e->mean_controls)) ||
        !rvjson_put(o, "effect", rvjson_number(hide ? NAN : e->effect)) ||
        !rvjson_put(o, "interval_low", rvjson_number(hide ? NAN : e->lo)) ||
        !rvjson_put(o, "interval_high", rvjson_number(hide ? NAN : e->hi)) ||
        !rvjson_put(o, "se", rvjson_number(hide ? NAN : e->se)) ||
        !rvjson_put(o, "p", rvjson_number(e->tested ? e->p : NAN)) ||
        !rvjson_put(o, "q", rvjson_number(e->tested ? e->q : NAN)) ||
        !rvjson_put(o, "tested", json_boolean(e->tested)) ||
        !rvjson_put(o, "moment", json_boolean(e->moment)) ||
        !rvjson_put(o, "adjusted_low", rvjson_number(e->moment ? e->adj_lo : NAN)) ||
        !rvjson_put(o, "adjusted_high", rvjson_number(e->moment ? e->adj_hi : NAN)))
        return rvjson_fail(o);
    return o;
}

json_t *voice_moments_json(const struct voice_report *r)
{
    const struct moments_result *m = &r->moments.m;
    json_t *o = json_object(), *privacy = json_object(), *study = json_object(), *a = json_array();
    if (!o || !privacy || !study || !a) {
        json_decref(privacy);
        json_decref(study);
        json_decref(a);
        return rvjson_fail(o);
    }
    const int64_t spec_min = r->p.min_treated > r->k ? r->p.min_treated : r->k;
    if (!rvjson_put(o, "analysis", json_string("moments")) ||
        !rvjson_put(o, "outcome", json_string(voice_moment_outcomes[r->p.outcome])) ||
        !rvjson_put(o, "period_days", json_integer(r->p.period)) ||
        !rvjson_put(o, "window_days", json_integer(r->p.window)) ||
        !rvjson_put(o, "alpha", json_real(r->p.alpha)) ||
        !rvjson_put(o, "min_treated", json_integer(spec_min)) ||
        !rvjson_put(o, "privacy", privacy) || !rvjson_put(privacy, "role", json_string(r->role)) ||
        !rvjson_put(privacy, "k", json_integer(r->k)) ||
        !rvjson_put(privacy, "rule",
                    json_string("a candidate with fewer than k matched first occurrences shows"
                                " only its count of occurrences")) ||
        !rvjson_put(o, "study", study) || !rvjson_put(study, "from", rvjson_time(m->first_start)) ||
        !rvjson_put(study, "last_period_end", rvjson_time(m->last_end)) ||
        !rvjson_put(study, "as_of", rvjson_time(m->as_of)) ||
        !rvjson_put(study, "periods", json_integer((json_int_t)m->periods)) ||
        !rvjson_put(study, "contacts", json_integer((json_int_t)m->contacts)) ||
        !rvjson_put(study, "strata", json_integer((json_int_t)m->strata)) ||
        !rvjson_put(study, "outcome_mean", rvjson_number(m->outcome_mean)) ||
        !rvjson_put(study, "candidates", json_integer((json_int_t)m->n)) ||
        !rvjson_put(study, "tested", json_integer((json_int_t)m->tested)) ||
        !rvjson_put(study, "moments", json_integer((json_int_t)m->moments)) ||
        !rvjson_put(o, "method", json_string(method_text)) || !rvjson_put(o, "effects", a))
        return rvjson_fail(o);
    for (size_t i = 0; i < m->n; i++) {
        json_t *e = effect_json(r, &m->effects[i]);
        if (!e || !rvjson_push(a, e))
            return rvjson_fail(o);
    }
    return o;
}

/* ---- text ---------------------------------------------------------------------------------- */

void voice_moments_text(const struct voice_report *r, FILE *out)
{
    const struct voice_moments *vm = &r->moments;
    const struct moments_result *m = &vm->m;
    fprintf(out,
            "moments of truth for %s: %zu periods of %lld days, window %lld days, %zu"
            " contacts\n\n",
            voice_moment_outcomes[r->p.outcome], m->periods, (long long)r->p.period,
            (long long)r->p.window, m->contacts);
    fprintf(out, "%-10s %-32s %8s %8s %9s %-20s %8s %s\n", "kind", "candidate", "treated",
            "matched", "effect", "95% interval", "q", "moment");
    for (size_t i = 0; i < m->n; i++) {
        const struct moments_effect *e = &m->effects[i];
        if (!e->tested)
            continue;
        const char *name = e->is_type ? vm->type_code[e->index] : vm->channels[e->index];
        char ci[48];
        snprintf(ci, sizeof(ci), "%.2f..%.2f", e->lo, e->hi);
        fprintf(out, "%-10s %-32.32s %8zu %8zu %9.2f %-20s %8.4f %s\n",
                e->is_type ? "type" : "touchpoint", name ? name : "?", e->treated, e->matched,
                e->effect, ci, e->q, e->moment ? "yes" : "");
    }
    fprintf(out,
            "\n%zu tested, %zu moments (Benjamini-Hochberg at %.3g); untested: fewer than"
            " %lld matched; method: docs/voice.md\n",
            m->tested, m->moments, r->p.alpha,
            (long long)(r->p.min_treated > r->k ? r->p.min_treated : r->k));
}
