/*
 * v2t2_text.c - the CLI's tables of a V2T2 report (analysis/v2t2.h), drawn from the same report
 * as the JSON (v2t2_json.c). docs/v2t2.md explains the columns.
 */
#include <math.h>

#include "analysis/v2t2.h"

#include "util/banned.h"

static const char *hl(bool high)
{
    return high ? "high" : "low";
}

static void places_text(const struct v2t2_zones_report *z, FILE *out)
{
    fprintf(out, "%-10s %-28s %4s %16s %16s %10s %5s %12s %5s\n", "pov", "party", "zone", "amount",
            "baseline", "ratio", "value", "per period", "vol.");
    for (size_t i = 0; i < z->nplaces; i++) {
        const struct v2t2_pov_place *pp = &z->places[i];
        const struct v2t2_place *pl = &pp->place;
        if (pp->suppressed) {
            fprintf(out, "%-10s %-28.28s (fewer than k subjects: suppressed)\n",
                    v2t2_pov_name(pp->pov), pp->party ? pp->party : "-");
            continue;
        }
        fprintf(out, "%-10s %-28.28s %4s %16.2f %16.2f %10.4g %5s %12.4g %5s\n",
                v2t2_pov_name(pp->pov), pp->party ? pp->party : "-", v2t2_zone_name(pl->zone),
                pl->amount * z->money_scale, pl->baseline * z->money_scale, pl->value_ratio,
                hl(pl->high_value), pl->per_period, hl(pl->high_volume));
    }
}

static void cells_text(const struct v2t2_cells *cells, int zone,
                       const struct v2t2_tone_thresholds *th, FILE *out)
{
    fprintf(out, "%-12s %-13s %8s %6s %6s %-22s %8s  %s\n", "phase", "agent", "n", "touch", "tech",
            "tone", "discord", zone ? "recommendation" : "");
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_cell *c = &cells->c[ph][a];
            if (!c->n)
                continue;
            const int tone = v2t2_tone_of(c->touch, c->tech, th);
            fprintf(out, "%-12s %-13s %8u %6.3f %6.3f %-22s", rv_stage_name(ph), v2t2_agent_name(a),
                    c->n, c->touch, c->tech, v2t2_tone_name(tone));
            if (zone) {
                struct v2t2_discord d = v2t2_discord(zone, c->touch, c->tech, th);
                char advice[256];
                v2t2_recommendation(a, ph, &d, advice, sizeof(advice));
                fprintf(out, " %8.3f  %s", d.distance, advice);
            }
            fputc('\n', out);
        }
}

/* One line: the thresholds of judging set i, each with where it came from unless the default. */
static void thresholds_text(const struct v2t2_report *r, size_t i, FILE *out)
{
    const struct v2t2_judge *g = &r->judging.judge[i];
    const struct v2t2_thresholds *th = &r->judging.set[i];
    const double v[V2T2_NSETTINGS] = {th->value[V2T2_POV_CUSTOMER],
                                      th->value[V2T2_POV_REP],
                                      th->value[V2T2_POV_MANAGER],
                                      th->value[V2T2_POV_UNIT],
                                      th->value[V2T2_POV_ENTERPRISE],
                                      th->volume,
                                      th->period_days,
                                      th->tone.touch,
                                      th->tone.tech};
    if (g->unit_id)
        fprintf(out, "thresholds of %s:", g->unit ? g->unit : "a unit");
    else
        fputs("thresholds:", out);
    for (int k = 0; k < V2T2_NSETTINGS; k++) {
        fprintf(out, " %s %g", v2t2_setting_defs[k].name, v[k]);
        if (g->source[k] != V2T2_FROM_DEFAULT)
            fprintf(out, " (%s)", v2t2_source_name(g->source[k]));
    }
    fputc('\n', out);
}

static void relationship_text(const struct v2t2_report *r, FILE *out)
{
    const struct v2t2_relationship *rel = &r->tones.r;
    fprintf(out, "%s %lld %s\n", rel->kind, (long long)rel->id, rel->name);
    if (rel->zone.zone) {
        fprintf(out,
                "zone %s (customer: latest order %.2f, %.3g x its usual, %.3g orders per "
                "period); expects %s; discord %.3f\n",
                v2t2_zone_name(rel->zone.zone), rel->zone.amount / 100, rel->zone.value_ratio,
                rel->zone.per_period, v2t2_tone_name(rel->zone.zone), rel->discord);
    } else {
        fputs("no zone: the customer has no order\n", out);
    }
    thresholds_text(r, rel->judge, out);
    cells_text(&rel->cells, rel->zone.zone, &r->judging.set[rel->judge].tone, out);
}

static void list_text(const struct v2t2_report *r, FILE *out)
{
    const struct v2t2_tones_report *t = &r->tones;
    fprintf(out, "%zu relationships with interactions, %zu with a zone\n", t->nrel, t->nplaced);
    for (size_t i = 0; i < r->judging.n; i++)
        if (i == 0 || r->judging.judge[i].nrel)
            thresholds_text(r, i, out);
    if (r->analysis == V2T2_TONES) {
        cells_text(&t->r.cells, V2T2_NONE, &r->th, out);
        return;
    }
    fprintf(out, "mean discord %.3f\n\n%-12s", t->mean_discord, "discord");
    for (int a = 0; a < V2T2_NAGENTS; a++)
        fprintf(out, " %13s", v2t2_agent_name(a));
    fputc('\n', out);
    for (int ph = 0; ph < RV_NSTAGES; ph++) {
        fprintf(out, "%-12s", rv_stage_name(ph));
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_heat *h = &t->heat[ph][a];
            if (h->nrel)
                fprintf(out, " %13.3f", h->discord);
            else
                fprintf(out, " %13s", "-");
        }
        fputc('\n', out);
    }
    fprintf(out, "\n%-8s %-8s %-30s %4s %8s  %s\n", "kind", "id", "name", "zone", "discord",
            "recommendation");
    for (size_t i = 0; i < t->ntop; i++) {
        const struct v2t2_relationship *rel = &t->top[i];
        char advice[256] = "";
        if (rel->worst_phase >= 0)
            v2t2_recommendation(rel->worst_agent, rel->worst_phase, &rel->worst, advice,
                                sizeof(advice));
        fprintf(out, "%-8s %-8lld %-30.30s %4s %8.3f  %s\n", rel->kind, (long long)rel->id,
                rel->name, v2t2_zone_name(rel->zone.zone), rel->discord, advice);
    }
}

static void scenario_text(const struct v2t2_report *r, FILE *out)
{
    const struct v2t2_scenario_report *sc = &r->scenario;
    fprintf(out, "%s (%s)\n", sc->title ? sc->title : sc->name, sc->source ? sc->source : "");
    for (size_t i = 0; i < sc->nsubjects; i++) {
        fprintf(out, "\nsubject: %s\n", sc->subjects[i].label);
        places_text(&sc->subjects[i], out);
    }
    if (!sc->ntones)
        return;
    fprintf(out, "\nthe customer (%s) expects %s; delivered:\n", v2t2_zone_name(sc->customer_zone),
            v2t2_tone_name(sc->customer_zone));
    for (size_t i = 0; i < sc->ntones; i++) {
        const struct v2t2_scenario_tone *t = &sc->tones[i];
        char advice[256];
        v2t2_recommendation(t->agent, t->phase, &t->d, advice, sizeof(advice));
        fprintf(out, "  %-40.40s %-12s touch %.2f tech %.2f  discord %.3f  %s\n", t->party,
                rv_stage_name(t->phase), t->touch, t->tech, t->d.distance, advice);
    }
}

void v2t2_report_text(const struct v2t2_report *r, FILE *out)
{
    switch (r->analysis) {
    case V2T2_ZONES:
        fprintf(out, "%s %lld %s: %zu subjects over %.1f periods\n", r->zones.kind,
                (long long)r->zones.id, r->zones.label ? r->zones.label : "", r->zones.nsubjects,
                r->zones.periods);
        thresholds_text(r, r->zones.judge, out);
        places_text(&r->zones, out);
        break;
    case V2T2_TONES:
    case V2T2_DISCORD:
        if (r->tones.one)
            relationship_text(r, out);
        else
            list_text(r, out);
        break;
    case V2T2_SCENARIO:
        scenario_text(r, out);
        break;
    case V2T2_NANALYSES:
        break;
    }
}
