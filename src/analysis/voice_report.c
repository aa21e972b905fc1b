/*
 * voice_report.c - a voice analysis's report as JSON (one shape for `kith voice --json` and
 * /api/v1/voice/...) and as the CLI's table, both from struct voice_report. A suppressed group
 * shows its key and "suppressed": true, every figure null; a figure without answers of its kind
 * is null. docs/voice.md and docs/api.md show the shapes.
 */
#include "analysis/voice.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/rv_json.h"

#include "util/banned.h"

static const char nps_method[] =
    "100 (promoters - detractors) / n; 95% interval NPS -/+ 1.96 x 100 sqrt((p + d - (p - d)^2)"
    " / n), p and d the shares of promoters and detractors, cut to [-100, 100]";
static const char csat_method[] =
    "percent of CSAT answers of 4 or 5, with the Wilson score 95% interval; mean of the scores";

static json_t *key_json(const struct voice_key *k)
{
    json_t *o = json_object();
    const char *name = k->label[0] ? k->label : k->name;
    if (!o || !rvjson_put(o, "id", k->id ? json_integer(k->id) : json_null()) ||
        !rvjson_put(o, "name", name ? json_string(name) : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *count_or_null(bool hide, int64_t v)
{
    return hide ? json_null() : json_integer(v);
}

static json_t *nps_json(const struct voice_cell *c)
{
    if (c->suppressed)
        return json_null();
    const struct voice_tally *t = &c->t;
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "n", json_integer(t->nps_n)) ||
        !rvjson_put(o, "promoters", json_integer(t->promoters)) ||
        !rvjson_put(o, "passives", json_integer(t->passives)) ||
        !rvjson_put(o, "detractors", json_integer(t->detractors)) ||
        !rvjson_put(o, "score", rvjson_number(c->f.nps)) ||
        !rvjson_put(o, "interval_low", rvjson_number(c->f.nps_lo)) ||
        !rvjson_put(o, "interval_high", rvjson_number(c->f.nps_hi)))
        return rvjson_fail(o);
    return o;
}

static json_t *csat_json(const struct voice_cell *c)
{
    if (c->suppressed)
        return json_null();
    const struct voice_tally *t = &c->t;
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "n", json_integer(t->csat_n)) ||
        !rvjson_put(o, "satisfied", json_integer(t->satisfied)) ||
        !rvjson_put(o, "score", rvjson_number(c->f.csat)) ||
        !rvjson_put(o, "interval_low", rvjson_number(c->f.csat_lo)) ||
        !rvjson_put(o, "interval_high", rvjson_number(c->f.csat_hi)) ||
        !rvjson_put(o, "mean", rvjson_number(c->f.csat_mean)))
        return rvjson_fail(o);
    return o;
}

/* The answers of a cell: {"suppressed", "contacts", "answers", "nps", "csat"}. */
static json_t *cell_json(const struct voice_cell *c)
{
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "suppressed", json_boolean(c->suppressed)) ||
        !rvjson_put(o, "contacts", count_or_null(c->suppressed, c->contacts)) ||
        !rvjson_put(o, "answers", count_or_null(c->suppressed, c->answers)) ||
        !rvjson_put(o, "nps", nps_json(c)) || !rvjson_put(o, "csat", csat_json(c)))
        return rvjson_fail(o);
    return o;
}

static json_t *rv_json(const struct voice_cell *c)
{
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "interactions", json_integer(c->interactions)) ||
        !rvjson_put(o, "contacts", json_integer(c->rv_contacts)) ||
        !rvjson_put(o, "rv", json_integer(c->rv)) ||
        !rvjson_put(o, "rv_per_contact",
                    rvjson_number(c->rv_contacts ? (double)c->rv / (double)c->rv_contacts : NAN)))
        return rvjson_fail(o);
    return o;
}

static const struct voice_cell *survey_cell(const struct voice_report *r, int64_t id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->cells[i].key.id == id)
            return &r->cells[i];
    return NULL;
}

/* What a survey with no answer in scope shows: nothing to show, so suppressed. */
static const struct voice_cell no_answers = {.suppressed = true};

/* A counted value of a question: NPS 0..10, CSAT 1..5, a choice, an intent true or false. */
static json_t *value_json(const struct voice_question *q, size_t i)
{
    if (strcmp(q->kind, "nps") == 0)
        return json_integer((json_int_t)i);
    if (strcmp(q->kind, "csat") == 0)
        return json_integer((json_int_t)i + 1);
    if (strcmp(q->kind, "intent") == 0)
        return json_boolean(i == 0);
    return json_incref(json_array_get(q->choices, i));
}

/* The questions of the survey asked for: [{"id", "kind", "text", "suppressed", "answered",
 * "values": [{"value", "answers"}, ...]}]; a suppressed question's answered and values null. */
static json_t *questions_json(const struct voice_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->nquestions; i++) {
        const struct voice_question *q = &r->questions[i];
        json_t *e = json_object();
        if (!e)
            return rvjson_fail(a);
        json_t *values = q->suppressed ? json_null() : json_array();
        bool ok = rvjson_put(e, "id", json_string(q->id)) &&
                  rvjson_put(e, "kind", json_string(q->kind)) &&
                  rvjson_put(e, "text", q->text ? json_string(q->text) : json_null()) &&
                  rvjson_put(e, "suppressed", json_boolean(q->suppressed)) &&
                  rvjson_put(e, "answered", count_or_null(q->suppressed, q->answered)) &&
                  rvjson_put(e, "values", values); /* consumes values */
        for (size_t j = 0; ok && !q->suppressed && j < q->nvalues; j++) {
            json_t *v = json_object();
            ok = rvjson_put(v, "value", value_json(q, j)) &&
                 rvjson_put(v, "answers", json_integer(q->counts[j]));
            if (!ok)
                json_decref(v);
            else
                ok = rvjson_push(values, v); /* consumes v */
        }
        if (!ok) {
            json_decref(e);
            return rvjson_fail(a);
        }
        if (!rvjson_push(a, e))
            return rvjson_fail(a);
    }
    return a;
}

static bool surveys_json(const struct voice_report *r, json_t *o)
{
    json_t *a = json_array();
    if (!rvjson_put(o, "surveys", a))
        return false;
    for (size_t i = 0; i < r->d.nsurveys; i++) {
        const struct voice_survey *s = &r->d.surveys[i];
        if (r->has_survey && s->id != r->p.survey)
            continue;
        const struct voice_cell *c = survey_cell(r, s->id);
        json_t *e = json_object();
        if (!e || !rvjson_put(e, "id", json_integer(s->id)) ||
            !rvjson_put(e, "name", s->name ? json_string(s->name) : json_null()) ||
            !rvjson_put(e, "channel", s->channel ? json_string(s->channel) : json_null()) ||
            !rvjson_put(e, "touchpoint",
                        s->touchpoint ? json_string(s->touchpoint) : json_null()) ||
            !rvjson_put(e, "opted_in", json_integer(s->opted_in)) ||
            !rvjson_put(e, "sharing", json_integer(s->sharing)) ||
            !rvjson_put(e, "withdrawn", json_integer(s->withdrawn)) ||
            !rvjson_put(e, "updates", json_integer(s->updates)) ||
            !rvjson_put(e, "answers", cell_json(c ? c : &no_answers)) ||
            (r->has_survey && !rvjson_put(e, "questions", questions_json(r))) ||
            !rvjson_push(a, e)) {
            json_decref(e);
            return false;
        }
    }
    return true;
}

static bool groups_json(const struct voice_report *r, json_t *o)
{
    json_t *a = json_array();
    if (!rvjson_put(o, "groups", a))
        return false;
    for (size_t i = 0; i < r->n; i++) {
        json_t *e = cell_json(&r->cells[i]);
        if (!e || !rvjson_put(e, "key", key_json(&r->cells[i].key)) || !rvjson_push(a, e)) {
            json_decref(e);
            return false;
        }
    }
    return rvjson_put(o, "total", cell_json(&r->total));
}

static bool channels_json(const struct voice_report *r, json_t *o)
{
    json_t *a = json_array();
    if (!rvjson_put(o, "channels", a))
        return false;
    for (size_t i = 0; i < r->n; i++) {
        const struct voice_cell *c = &r->cells[i];
        json_t *e = json_object();
        if (!e || !rvjson_put(e, "channel", c->key.name ? json_string(c->key.name) : json_null()) ||
            !rvjson_put(e, "answers", cell_json(c)) || !rvjson_put(e, "rv", rv_json(c)) ||
            !rvjson_push(a, e)) {
            json_decref(e);
            return false;
        }
    }
    json_t *t = json_object();
    return rvjson_put(o, "total", t) && rvjson_put(t, "answers", cell_json(&r->total)) &&
           rvjson_put(t, "rv", rv_json(&r->total));
}

json_t *voice_report_json(const struct voice_report *r)
{
    if (r->analysis == VOICE_RATINGS || r->analysis == VOICE_IDEAS)
        return voice_ratings_json(r);
    if (r->analysis == VOICE_COMMUNITY)
        return voice_community_json(r);
    if (r->analysis == VOICE_MOMENTS)
        return voice_moments_json(r);
    if (r->analysis == VOICE_ALIKE)
        return voice_alike_json(r);
    if (r->analysis == VOICE_PATHS)
        return voice_paths_json(r);
    if (r->analysis == VOICE_DOSAY)
        return voice_dosay_json(r);
    json_t *o = json_object(), *privacy = json_object(), *method = json_object();
    if (!o || !privacy || !method) {
        json_decref(privacy);
        json_decref(method);
        return rvjson_fail(o);
    }
    if (!rvjson_put(o, "analysis", json_string(voice_def(r->analysis)->name)) ||
        !rvjson_put(o, "from", r->has_from ? rvjson_ms(r->p.from) : json_null()) ||
        !rvjson_put(o, "to", r->has_to ? rvjson_ms(r->p.to) : json_null()) ||
        !rvjson_put(o, "privacy", privacy) || !rvjson_put(privacy, "role", json_string(r->role)) ||
        !rvjson_put(privacy, "k", json_integer(r->k)) ||
        !rvjson_put(privacy, "rule",
                    json_string("groups of fewer than k contacts are suppressed; k is the"
                                " min_k of the role's privacy policy")) ||
        !rvjson_put(o, "method", method) || !rvjson_put(method, "nps", json_string(nps_method)) ||
        !rvjson_put(method, "csat", json_string(csat_method)))
        return rvjson_fail(o);
    if (r->analysis != VOICE_SURVEYS &&
        !rvjson_put(o, "survey", r->has_survey ? json_integer(r->p.survey) : json_null()))
        return rvjson_fail(o);
    bool ok = false;
    switch (r->analysis) {
    case VOICE_SURVEYS:
        ok = surveys_json(r, o);
        break;
    case VOICE_NPS:
        ok = rvjson_put(o, "by", json_string(voice_bys[r->p.by])) && groups_json(r, o);
        break;
    case VOICE_PROMISE:
        ok = channels_json(r, o);
        break;
    case VOICE_COMMUNITY: /* voice_community.c */
    case VOICE_RATINGS:   /* voice_ratings.c */
    case VOICE_IDEAS:     /* voice_ratings.c */
    case VOICE_MOMENTS:   /* voice_moments.c */
    case VOICE_ALIKE:     /* voice_alike.c */
    case VOICE_PATHS:     /* voice_paths.c */
    case VOICE_DOSAY:     /* voice_dosay.c */
    case VOICE_NANALYSES:
        break;
    }
    return ok ? o : rvjson_fail(o);
}

/* ---- text --------------------------------------------------------------------------------- */

static void fig(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f", v);
}

static void interval(char *buf, size_t size, double lo, double hi)
{
    if (isnan(lo))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f..%.1f", lo, hi);
}

static const char *name_of(const struct voice_key *k, char *buf, size_t size)
{
    if (k->label[0])
        return k->label;
    if (k->name)
        return k->name;
    if (k->id) {
        snprintf(buf, size, "#%lld", (long long)k->id);
        return buf;
    }
    return "(none)";
}

static void cell_line(FILE *out, const char *name, const struct voice_cell *c)
{
    if (c->suppressed) {
        /* the same words for none and a few: the JSON does not tell them apart either */
        fprintf(out, "%-28.28s %-58s", name, " (suppressed: fewer than k contacts answered)");
        return;
    }
    char nps[16], nci[32], csat[16], cci[32];
    fig(nps, sizeof(nps), c->f.nps);
    interval(nci, sizeof(nci), c->f.nps_lo, c->f.nps_hi);
    fig(csat, sizeof(csat), c->f.csat);
    interval(cci, sizeof(cci), c->f.csat_lo, c->f.csat_hi);
    fprintf(out, "%-28.28s %8lld %7lld %6s %-14s %6s %-12s", name, (long long)c->contacts,
            (long long)c->answers, nps, nci, csat, cci);
}

static void header(FILE *out, const char *first)
{
    fprintf(out, "%-28s %8s %7s %6s %-14s %6s %-12s", first, "contacts", "answers", "NPS",
            "95% interval", "CSAT%", "95% interval");
}

/* The questions of the survey asked for: each value with its answers, or "suppressed". */
static void questions_text(const struct voice_report *r, FILE *out)
{
    for (size_t i = 0; i < r->nquestions; i++) {
        const struct voice_question *q = &r->questions[i];
        fprintf(out, "\n%s (%s) %s\n", q->id, q->kind, q->text ? q->text : "");
        if (q->suppressed) {
            fprintf(out, "  suppressed (fewer than %lld contacts answered)\n", (long long)r->k);
            continue;
        }
        fprintf(out, "  answered by %lld contacts\n", (long long)q->answered);
        for (size_t j = 0; j < q->nvalues; j++) {
            json_t *v = value_json(q, j);
            char *t = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
            fprintf(out, "  %-30.30s %8lld\n", t ? t : "", (long long)q->counts[j]);
            free(t);
            json_decref(v);
        }
    }
}

void voice_report_text(const struct voice_report *r, FILE *out)
{
    char buf[32];
    if (r->analysis == VOICE_RATINGS || r->analysis == VOICE_IDEAS) {
        voice_ratings_text(r, out);
        return;
    }
    if (r->analysis == VOICE_COMMUNITY) {
        voice_community_text(r, out);
        return;
    }
    if (r->analysis == VOICE_MOMENTS) {
        voice_moments_text(r, out);
        return;
    }
    if (r->analysis == VOICE_ALIKE) {
        voice_alike_text(r, out);
        return;
    }
    if (r->analysis == VOICE_PATHS) {
        voice_paths_text(r, out);
        return;
    }
    if (r->analysis == VOICE_DOSAY) {
        voice_dosay_text(r, out);
        return;
    }
    switch (r->analysis) {
    case VOICE_SURVEYS:
        fprintf(out, "%-6s %-28s %8s %8s %8s\n", "id", "survey", "opted in", "sharing", "updates");
        for (size_t i = 0; i < r->d.nsurveys; i++) {
            const struct voice_survey *s = &r->d.surveys[i];
            fprintf(out, "%-6lld %-28.28s %8lld %8lld %8lld\n", (long long)s->id,
                    s->name ? s->name : "", (long long)s->opted_in, (long long)s->sharing,
                    (long long)s->updates);
        }
        fputc('\n', out);
        header(out, "survey");
        fputc('\n', out);
        for (size_t i = 0; i < r->n; i++) {
            cell_line(out, name_of(&r->cells[i].key, buf, sizeof(buf)), &r->cells[i]);
            fputc('\n', out);
        }
        questions_text(r, out);
        break;
    case VOICE_NPS:
        header(out, voice_bys[r->p.by]);
        fputc('\n', out);
        for (size_t i = 0; i < r->n; i++) {
            cell_line(out, name_of(&r->cells[i].key, buf, sizeof(buf)), &r->cells[i]);
            fputc('\n', out);
        }
        cell_line(out, "total", &r->total);
        fputc('\n', out);
        break;
    case VOICE_PROMISE:
        header(out, "channel");
        fprintf(out, " %12s %8s\n", "interactions", "RV");
        for (size_t i = 0; i <= r->n; i++) {
            const struct voice_cell *c = i < r->n ? &r->cells[i] : &r->total;
            cell_line(out, i < r->n ? name_of(&c->key, buf, sizeof(buf)) : "total", c);
            fprintf(out, " %12lld %8lld\n", (long long)c->interactions, (long long)c->rv);
        }
        break;
    case VOICE_COMMUNITY: /* voice_community.c */
    case VOICE_RATINGS:   /* voice_ratings.c */
    case VOICE_IDEAS:     /* voice_ratings.c */
    case VOICE_MOMENTS:   /* voice_moments.c */
    case VOICE_ALIKE:     /* voice_alike.c */
    case VOICE_PATHS:     /* voice_paths.c */
    case VOICE_DOSAY:     /* voice_dosay.c */
    case VOICE_NANALYSES:
        break;
    }
    fprintf(out, "\nk = %lld (the privacy policy of the %s role); NPS and CSAT: docs/voice.md\n",
            (long long)r->k, r->role);
}
