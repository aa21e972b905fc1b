/*
 * v2t2_json.c - the one JSON of a V2T2 report (analysis/v2t2.h): what `kith v2t2 <analysis>
 * --json` prints and GET /api/v1/v2t2/<analysis> answers. Shapes: docs/v2t2.md. Numbers that are
 * not finite (a ratio over a zero baseline, a mean over nothing) are null; money is a number in
 * currency units.
 */
#include <math.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "io/rv_json.h"

#include "util/banned.h"

#define PUT(o, k, v)                                                                               \
    do {                                                                                           \
        if (!rvjson_put((o), (k), (v)))                                                            \
            return rvjson_fail(o);                                                                 \
    } while (0)

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *hilo(bool high)
{
    return json_string(high ? "high" : "low");
}

/* {"zone": "Q1", "tone": "high touch, low tech", "touch": "high", "tech": "low"} */
static json_t *expects_json(int zone)
{
    json_t *o = json_object();
    if (!o || zone == V2T2_NONE)
        return o ? (json_decref(o), json_null()) : NULL;
    bool ht, hk;
    v2t2_expects(zone, &ht, &hk);
    PUT(o, "tone", str(v2t2_tone_name(zone)));
    PUT(o, "touch", hilo(ht));
    PUT(o, "tech", hilo(hk));
    return o;
}

static json_t *place_json(const struct v2t2_place *pl, double scale)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "zone", str(v2t2_zone_name(pl->zone)));
    PUT(o, "amount", num(pl->amount * scale));
    PUT(o, "baseline", num(pl->baseline * scale));
    PUT(o, "value_ratio", num(pl->value_ratio));
    PUT(o, "value_threshold", num(pl->value_threshold));
    PUT(o, "value", hilo(pl->high_value));
    PUT(o, "per_period", num(pl->per_period));
    PUT(o, "volume_threshold", num(pl->volume_threshold));
    PUT(o, "volume", hilo(pl->high_volume));
    PUT(o, "expects", expects_json(pl->zone));
    return o;
}

static json_t *pov_place_json(const struct v2t2_pov_place *pp, double scale)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "pov", str(v2t2_pov_name(pp->pov)));
    json_t *party = json_object();
    PUT(o, "party", party);
    if (pp->party_id && !rvjson_put(party, "id", json_integer(pp->party_id)))
        return rvjson_fail(o);
    if (!rvjson_put(party, "name", str(pp->party)))
        return rvjson_fail(o);
    PUT(o, "baseline_is", str(pp->baseline_is));
    PUT(o, "volume_is", str(pp->volume_is));
    if (pp->n)
        PUT(o, "subjects", json_integer((json_int_t)pp->n));
    PUT(o, "suppressed", json_boolean(pp->suppressed));
    if (pp->suppressed) {
        PUT(o, "zone", json_null());
        return o;
    }
    json_t *pl = place_json(&pp->place, scale);
    if (!pl || json_object_update(o, pl) < 0) {
        json_decref(pl);
        return rvjson_fail(o);
    }
    json_decref(pl);
    return o;
}

static json_t *zones_json(const struct v2t2_zones_report *z)
{
    json_t *o = json_object(), *places = json_array();
    PUT(o, "places", places);
    for (size_t i = 0; i < z->nplaces; i++)
        if (!rvjson_push(places, pov_place_json(&z->places[i], z->money_scale)))
            return rvjson_fail(o);
    json_t *subject = json_object();
    PUT(o, "subject", subject);
    if (!rvjson_put(subject, "kind", str(z->kind)) ||
        !rvjson_put(subject, "id", z->id ? json_integer(z->id) : json_null()) ||
        !rvjson_put(subject, "label", str(z->label)) ||
        !rvjson_put(subject, "at", z->at ? rvjson_ms(z->at) : json_null()) ||
        !rvjson_put(subject, "amount",
                    num(z->nplaces ? z->places[0].place.amount * z->money_scale : NAN)) ||
        !rvjson_put(subject, "periods", num(z->periods)) ||
        !rvjson_put(subject, "subjects", json_integer((json_int_t)z->nsubjects)))
        return rvjson_fail(o);
    return o;
}

/* The thresholds of the report's judging set i: {"unit": {"id", "name"} | null (the defaults),
 * "value": {pov: x}, "volume", "period_days", "touch", "tech", "source": {setting: "unit" |
 * "default" | "override"}} (docs/v2t2.md, "Settings"). */
static json_t *thresholds_json(const struct v2t2_report *r, size_t i)
{
    const struct v2t2_thresholds *th = &r->judging.set[i];
    const struct v2t2_judge *g = &r->judging.judge[i];
    json_t *o = json_object(), *v = json_object(), *src = json_object();
    if (g->unit_id) {
        json_t *u = json_object();
        PUT(o, "unit", u);
        if (!rvjson_put(u, "id", json_integer(g->unit_id)) || !rvjson_put(u, "name", str(g->unit)))
            return rvjson_fail(o);
    } else {
        PUT(o, "unit", json_null());
    }
    PUT(o, "value", v);
    for (int p = 0; p < V2T2_NPOVS; p++)
        if (!rvjson_put(v, v2t2_pov_name(p), num(th->value[p])))
            return rvjson_fail(o);
    PUT(o, "volume", num(th->volume));
    PUT(o, "period_days", num(th->period_days));
    PUT(o, "touch", num(th->tone.touch));
    PUT(o, "tech", num(th->tone.tech));
    PUT(o, "source", src);
    for (int k = 0; k < V2T2_NSETTINGS; k++)
        if (!rvjson_put(src, v2t2_setting_defs[k].name,
                        json_string(v2t2_source_name(g->source[k]))))
            return rvjson_fail(o);
    return o;
}

/* The judging sets of units that judged relationships of a pooled answer, each with their
 * number. */
static json_t *by_unit_json(const struct v2t2_report *r)
{
    json_t *a = json_array();
    for (size_t i = 1; a && i < r->judging.n; i++) {
        if (!r->judging.judge[i].nrel)
            continue;
        json_t *o = thresholds_json(r, i);
        if (!rvjson_push(a, o) ||
            !rvjson_put(o, "relationships", json_integer((json_int_t)r->judging.judge[i].nrel)))
            return rvjson_fail(a);
    }
    return a;
}

/* {"agent", "interactions", "touch", "tech", "tone", "frame"} and, for an agent's cell with a
 * zone, its discord, the change it needs and the advice (agent -1: a phase's pooled tone). */
static json_t *cell_json(const struct v2t2_cell *c, int zone, int phase, int agent,
                         const struct v2t2_tone_thresholds *th)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (agent >= 0)
        PUT(o, "agent", str(v2t2_agent_name(agent)));
    PUT(o, "interactions", json_integer(c->n));
    if (!c->n) {
        PUT(o, "tone", json_null());
        return o;
    }
    const int tone = v2t2_tone_of(c->touch, c->tech, th);
    PUT(o, "touch", num(c->touch));
    PUT(o, "tech", num(c->tech));
    PUT(o, "tone", str(v2t2_tone_name(tone)));
    PUT(o, "frame", str(v2t2_zone_name(tone)));
    if (zone != V2T2_NONE && agent >= 0) {
        struct v2t2_discord d = v2t2_discord(zone, c->touch, c->tech, th);
        char advice[256];
        v2t2_recommendation(agent, phase, &d, advice, sizeof(advice));
        PUT(o, "discord", num(d.distance));
        json_t *ch = json_object();
        PUT(o, "change", ch);
        if (!rvjson_put(ch, "touch", num(d.touch)) || !rvjson_put(ch, "tech", num(d.tech)))
            return rvjson_fail(o);
        PUT(o, "recommendation", json_string(advice));
    }
    return o;
}

/* The cells of a relationship (or a pool) by phase, each phase with its pooled tone. */
static json_t *phases_json(const struct v2t2_cells *cells, int zone, const double *phase_discord,
                           const struct v2t2_tone_thresholds *th)
{
    json_t *a = json_array();
    for (int ph = 0; a && ph < RV_NSTAGES; ph++) {
        struct v2t2_cell all = {0};
        for (int g = 0; g < V2T2_NAGENTS; g++) {
            const struct v2t2_cell *c = &cells->c[ph][g];
            all.n += c->n;
            all.touch += c->n * c->touch;
            all.tech += c->n * c->tech;
        }
        if (all.n) {
            all.touch /= all.n;
            all.tech /= all.n;
        }
        json_t *o = cell_json(&all, zone, ph, -1, th), *agents = json_array();
        if (!rvjson_push(a, o) || !rvjson_put(o, "phase", json_string(rv_stage_name(ph))) ||
            !rvjson_put(o, "agents", agents))
            return rvjson_fail(a);
        if (phase_discord && !rvjson_put(o, "discord", num(phase_discord[ph])))
            return rvjson_fail(a);
        for (int g = 0; g < V2T2_NAGENTS; g++)
            if (!rvjson_push(agents, cell_json(&cells->c[ph][g], zone, ph, g, th)))
                return rvjson_fail(a);
    }
    return a;
}

static json_t *who_json(const struct v2t2_relationship *rel)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "kind", str(rel->kind));
    PUT(o, "id", json_integer(rel->id));
    PUT(o, "name", str(rel->name));
    return o;
}

static json_t *advice_json(const struct v2t2_relationship *rel)
{
    if (rel->worst_phase < 0)
        return json_null();
    char advice[256];
    v2t2_recommendation(rel->worst_agent, rel->worst_phase, &rel->worst, advice, sizeof(advice));
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "phase", json_string(rv_stage_name(rel->worst_phase)));
    PUT(o, "agent", str(v2t2_agent_name(rel->worst_agent)));
    PUT(o, "discord", num(rel->worst.distance));
    PUT(o, "recommendation", json_string(advice));
    return o;
}

static json_t *phase_discord_json(const struct v2t2_relationship *rel)
{
    json_t *o = json_object();
    for (int ph = 0; o && ph < RV_NSTAGES; ph++)
        PUT(o, rv_stage_name(ph), num(rel->phase_discord[ph]));
    return o;
}

static json_t *relationship_json(const struct v2t2_report *r, const struct v2t2_relationship *rel)
{
    const struct v2t2_tone_thresholds *th = &r->judging.set[rel->judge].tone;
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "relationship", who_json(rel));
    PUT(o, "zone", rel->zone.zone ? place_json(&rel->zone, 0.01) : json_null());
    PUT(o, "discord", num(rel->discord));
    PUT(o, "worst", advice_json(rel));
    PUT(o, "phases", phases_json(&rel->cells, rel->zone.zone, rel->phase_discord, th));
    return o;
}

static json_t *list_json(const struct v2t2_report *r)
{
    const struct v2t2_tones_report *t = &r->tones;
    json_t *o = json_object();
    if (!o)
        return NULL;
    PUT(o, "relationships", json_integer((json_int_t)t->nrel));
    PUT(o, "placed", json_integer((json_int_t)t->nplaced));
    PUT(o, "thresholds_by_unit", by_unit_json(r));
    if (r->analysis == V2T2_TONES) {
        PUT(o, "phases", phases_json(&t->r.cells, V2T2_NONE, NULL, &r->th));
        return o;
    }
    PUT(o, "mean_discord", num(t->mean_discord));
    PUT(o, "phase", json_string(r->p.phase ? rv_stage_name(r->p.phase - 1) : "all"));
    json_t *heat = json_array(), *top = json_array();
    PUT(o, "heatmap", heat);
    PUT(o, "top", top);
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_heat *h = &t->heat[ph][a];
            json_t *c = json_object();
            if (!rvjson_push(heat, c) || !rvjson_put(c, "phase", json_string(rv_stage_name(ph))) ||
                !rvjson_put(c, "agent", str(v2t2_agent_name(a))) ||
                !rvjson_put(c, "relationships", json_integer(h->nrel)) ||
                !rvjson_put(c, "interactions", json_integer((json_int_t)h->n)) ||
                !rvjson_put(c, "discord", num(h->discord)) ||
                !rvjson_put(c, "out_of_tune", num(h->out_share)))
                return rvjson_fail(o);
        }
    for (size_t i = 0; i < t->ntop; i++) {
        const struct v2t2_relationship *rel = &t->top[i];
        json_t *x = json_object();
        if (!rvjson_push(top, x) || !rvjson_put(x, "relationship", who_json(rel)) ||
            !rvjson_put(x, "zone", str(v2t2_zone_name(rel->zone.zone))) ||
            !rvjson_put(x, "thresholds_unit_id",
                        r->judging.judge[rel->judge].unit_id
                            ? json_integer(r->judging.judge[rel->judge].unit_id)
                            : json_null()) ||
            !rvjson_put(x, "discord", num(rel->discord)) ||
            !rvjson_put(x, "phase_discord", phase_discord_json(rel)) ||
            !rvjson_put(x, "worst", advice_json(rel)))
            return rvjson_fail(o);
    }
    return o;
}

static json_t *scenario_json(const struct v2t2_report *r)
{
    const struct v2t2_scenario_report *sc = &r->scenario;
    json_t *o = json_object(), *subjects = json_array(), *tones = json_array();
    PUT(o, "name", str(sc->name));
    PUT(o, "title", str(sc->title));
    PUT(o, "source", str(sc->source));
    PUT(o, "currency", json_deep_copy(json_object_get(sc->doc, "currency")));
    PUT(o, "period_days", json_deep_copy(json_object_get(sc->doc, "period_days")));
    PUT(o, "value_thresholds", json_deep_copy(json_object_get(sc->doc, "value_thresholds")));
    PUT(o, "volume_threshold", json_deep_copy(json_object_get(sc->doc, "volume_threshold")));
    PUT(o, "tone_thresholds", json_deep_copy(json_object_get(sc->doc, "tone_thresholds")));
    PUT(o, "subjects", subjects);
    for (size_t i = 0; i < sc->nsubjects; i++) {
        json_t *z = zones_json(&sc->subjects[i]), *subj = json_object_get(z, "subject");
        const char *amount_is = json_string_value(
            json_object_get(json_array_get(json_object_get(sc->doc, "subjects"), i), "amount_is"));
        if (!rvjson_push(subjects, z) ||
            (amount_is && !rvjson_put(subj, "amount_is", json_string(amount_is))))
            return rvjson_fail(o);
        json_object_del(subj, "id");
        json_object_del(subj, "at");
        json_object_del(subj, "periods");
        json_object_del(subj, "subjects");
    }
    PUT(o, "customer_zone", str(v2t2_zone_name(sc->customer_zone)));
    PUT(o, "expects", expects_json(sc->customer_zone));
    PUT(o, "tones", tones);
    for (size_t i = 0; i < sc->ntones; i++) {
        const struct v2t2_scenario_tone *t = &sc->tones[i];
        const struct v2t2_cell c = {.n = 1, .touch = t->touch, .tech = t->tech};
        json_t *x = cell_json(&c, sc->customer_zone, t->phase, t->agent, &r->th);
        json_object_del(x, "interactions");
        if (!rvjson_push(tones, x) || !rvjson_put(x, "party", str(t->party)) ||
            !rvjson_put(x, "phase", json_string(rv_stage_name(t->phase))))
            return rvjson_fail(o);
    }
    return o;
}

json_t *v2t2_report_json(const struct v2t2_report *r)
{
    json_t *body = NULL;
    switch (r->analysis) {
    case V2T2_ZONES:
        body = zones_json(&r->zones);
        break;
    case V2T2_TONES:
    case V2T2_DISCORD:
        body = r->tones.one ? relationship_json(r, &r->tones.r) : list_json(r);
        break;
    case V2T2_SCENARIO:
        body = scenario_json(r);
        break;
    case V2T2_NANALYSES:
        break;
    }
    if (!body)
        return NULL;
    if (!rvjson_put(body, "analysis", json_string(v2t2_def(r->analysis)->name)))
        return rvjson_fail(body);
    /* the thresholds applied: the subject's or the relationship's, else (a pool of relationships)
     * the defaults, beside thresholds_by_unit */
    size_t judge = 0;
    if (r->analysis == V2T2_ZONES)
        judge = r->zones.judge;
    else if (r->tones.one)
        judge = r->tones.r.judge;
    if (r->analysis != V2T2_SCENARIO && !rvjson_put(body, "thresholds", thresholds_json(r, judge)))
        return rvjson_fail(body);
    return body;
}
