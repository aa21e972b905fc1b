/*
 * v2t2_scenario.c - the built-in V2T2 scenarios: data files in the repository
 * (data/v2t2/<name>.json, embedded in the binary at build time by cmake/embed.cmake) whose
 * numbers the engine places on the Knowledge Frame exactly as it places the store's subjects.
 * Nothing of a scenario is in the code: its subjects, parties, baselines, volumes, thresholds
 * and delivered tones are all read from its file. docs/v2t2.md describes the format.
 */
#include <math.h>
#include <string.h>

#include "analysis/v2t2.h"

#include "util/banned.h"

extern const unsigned char kith_v2t2_new_car[];

static const struct {
    const char *name;
    const unsigned char *text;
} scenarios[] = {
    {"new-car", kith_v2t2_new_car},
};

const char *v2t2_scenario_text(const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (strcmp(name, scenarios[i].name) == 0)
            return (const char *)scenarios[i].text;
    return NULL;
}

static int bad(struct kith_error *err, const char *name, const char *what)
{
    return kith_err(err, KITH_EINVAL, "scenario %s: %s", name, what);
}

static bool number(json_t *o, const char *key, double *out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        return false;
    *out = json_number_value(v);
    return isfinite(*out);
}

static const char *text(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int read_subject(json_t *js, const double *value, double volume, const char *name,
                        struct v2t2_zones_report *z, struct kith_error *err)
{
    json_t *places = json_object_get(js, "places");
    double amount;
    if (!json_is_object(js) || !(z->label = text(js, "name")) || !number(js, "amount", &amount) ||
        !json_is_array(places) || json_array_size(places) > V2T2_NPOVS)
        return bad(err, name, "a subject needs a name, an amount and at most 5 places");
    z->kind = "scenario";
    z->money_scale = 1;
    z->periods = 1;
    size_t i;
    json_t *jp;
    json_array_foreach(places, i, jp)
    {
        struct v2t2_pov_place *pp = &z->places[z->nplaces];
        double baseline, per_period;
        pp->pov = v2t2_pov_from_name(text(jp, "pov"));
        pp->party = text(jp, "party");
        pp->baseline_is = text(jp, "baseline_is");
        pp->volume_is = text(jp, "volume_is");
        if (pp->pov < 0 || !pp->party || !number(jp, "baseline", &baseline) ||
            !number(jp, "per_period", &per_period))
            return bad(err, name,
                       "a place needs a pov (customer, rep, manager, unit, enterprise), a "
                       "party, a baseline and per_period");
        pp->place = v2t2_place(amount, baseline, per_period, value[pp->pov], volume);
        z->nplaces++;
    }
    return 0;
}

int v2t2_scenario_run(struct v2t2_report *r, struct kith_error *err, const char **param)
{
    struct v2t2_scenario_report *sc = &r->scenario;
    const char *name = r->p.name;
    const char *src = v2t2_scenario_text(name);
    if (!src) {
        *param = "name";
        return kith_err(err, KITH_ENOTFOUND, "no scenario called '%s' (there is: new-car)", name);
    }
    json_error_t je;
    sc->doc = json_loads(src, 0, &je);
    if (!sc->doc)
        return kith_err(err, KITH_EINVAL, "scenario %s: line %d: %s", name, je.line, je.text);
    json_t *vt = json_object_get(sc->doc, "value_thresholds"),
           *tt = json_object_get(sc->doc, "tone_thresholds"),
           *subjects = json_object_get(sc->doc, "subjects"),
           *tones = json_object_get(sc->doc, "tones");
    double value[V2T2_NPOVS], volume, period_days;
    sc->name = text(sc->doc, "name");
    sc->title = text(sc->doc, "title");
    sc->source = text(sc->doc, "source");
    for (int v = 0; v < V2T2_NPOVS; v++)
        if (!number(vt, v2t2_pov_name(v), &value[v]))
            return bad(err, name, "value_thresholds needs a number for every point of view");
    if (!number(sc->doc, "volume_threshold", &volume) ||
        !number(sc->doc, "period_days", &period_days) || !number(tt, "touch", &r->th.touch) ||
        !number(tt, "tech", &r->th.tech) || !json_is_array(subjects) ||
        json_array_size(subjects) < 1 ||
        json_array_size(subjects) > sizeof(sc->subjects) / sizeof(sc->subjects[0]) ||
        (tones && (!json_is_array(tones) ||
                   json_array_size(tones) > sizeof(sc->tones) / sizeof(sc->tones[0]))))
        return bad(err, name,
                   "it needs volume_threshold, period_days, tone_thresholds (touch, tech), 1 to "
                   "4 subjects and at most 16 tones");
    size_t i;
    json_t *j;
    int rc;
    json_array_foreach(subjects, i, j)
    {
        if ((rc = read_subject(j, value, volume, name, &sc->subjects[i], err)) < 0)
            return rc;
        sc->nsubjects++;
    }
    /* the delivered tones are judged against the customer's zone in the first subject */
    const struct v2t2_zones_report *first = &sc->subjects[0];
    for (size_t k = 0; k < first->nplaces; k++)
        if (first->places[k].pov == V2T2_POV_CUSTOMER)
            sc->customer_zone = first->places[k].place.zone;
    json_array_foreach(tones, i, j)
    {
        struct v2t2_scenario_tone *t = &sc->tones[i];
        t->party = text(j, "party");
        t->agent = v2t2_agent_from_name(text(j, "agent"));
        t->phase = rv_stage_from_name(text(j, "phase") ? text(j, "phase") : "");
        if (!t->party || t->agent < 0 || t->phase < 0 || !number(j, "touch", &t->touch) ||
            !number(j, "tech", &t->tech) || t->touch < 0 || t->touch > 1 || t->tech < 0 ||
            t->tech > 1)
            return bad(err, name,
                       "a tone needs a party, an agent (rep, team, unit, partner, "
                       "self_service), a phase and touch and tech in [0, 1]");
        t->d = v2t2_discord(sc->customer_zone, t->touch, t->tech, &r->th);
        sc->ntones++;
    }
    (void)period_days;
    return 0;
}
