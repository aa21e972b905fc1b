/*
 * deals_report.c - a deal analysis's report as JSON (one shape for `kith deals --json` and
 * /api/v1/deal-stats/...) and as the CLI's table, both from struct deals_report. Money is a
 * decimal string in currency units, times ISO 8601, a rate or bound with nothing closed null.
 * docs/deals.md and docs/api.md show the shapes.
 */
#include "analysis/deals.h"

#include <math.h>
#include <string.h>

#include "io/rv_json.h"

#include "util/banned.h"

static json_t *key_json(enum deals_by by, struct deals_key k)
{
    json_t *o = json_object();
    if (!o ||
        !rvjson_put(o, "id", by == DEALS_BY_SOURCE || !k.id ? json_null() : json_integer(k.id)) ||
        !rvjson_put(o, "name", k.name ? json_string(k.name) : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *winrate_json(const struct deals_winrate *w)
{
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "won", json_integer(w->won)) ||
        !rvjson_put(o, "lost", json_integer(w->lost)) ||
        !rvjson_put(o, "closed", json_integer(w->won + w->lost)) ||
        !rvjson_put(o, "win_rate", rvjson_number(w->rate)) ||
        !rvjson_put(o, "interval_low", rvjson_number(w->lo)) ||
        !rvjson_put(o, "interval_high", rvjson_number(w->hi)) ||
        !rvjson_put(o, "won_amount", rvjson_money(w->won_amount)) ||
        !rvjson_put(o, "lost_amount", rvjson_money(w->lost_amount)))
        return rvjson_fail(o);
    return o;
}

static json_t *pipe_json(const struct deals_pipe *p)
{
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "count", json_integer(p->count)) ||
        !rvjson_put(o, "amount", rvjson_money(p->amount)) ||
        !rvjson_put(o, "weighted_amount", rvjson_money(llround(p->weighted))))
        return rvjson_fail(o);
    return o;
}

/* The open stages of a group's pipeline, those with deals, in the stages' order. */
static json_t *stages_json(const struct deals_report *r, const struct deals_pipe *cells)
{
    json_t *a = json_array();
    for (size_t s = 0; a && cells && s < r->d.nstages; s++) {
        if (!cells[s].count)
            continue;
        json_t *o = pipe_json(&cells[s]);
        const struct deal_stage_rec *st = &r->d.stages[s];
        if (!o ||
            !rvjson_put(o, "stage",
                        key_json(DEALS_BY_STAGE, (struct deals_key){st->id, st->name})) ||
            !rvjson_push(a, o)) {
            json_decref(o);
            return rvjson_fail(a);
        }
    }
    return a;
}

static json_t *figures_json(const struct deals_report *r, const struct deals_group *g)
{
    if (r->analysis == DEALS_WINRATE)
        return winrate_json(&g->w);
    json_t *o = pipe_json(&g->p);
    if (o && !rvjson_put(o, "stages", stages_json(r, g->stage)))
        return rvjson_fail(o);
    return o;
}

json_t *deals_report_json(const struct deals_report *r)
{
    const enum deals_by by = (enum deals_by)r->p.by;
    json_t *o = json_object(), *groups = json_array();
    if (!o || !groups || !rvjson_put(o, "by", json_string(deals_bys[by]))) {
        json_decref(groups);
        return rvjson_fail(o);
    }
    if (r->analysis == DEALS_WINRATE &&
        (!rvjson_put(o, "from", r->has_from ? rvjson_ms(r->p.from) : json_null()) ||
         !rvjson_put(o, "to", r->has_to ? rvjson_ms(r->p.to) : json_null()))) {
        json_decref(groups);
        return rvjson_fail(o);
    }
    if (!rvjson_put(o, "groups", groups))
        return rvjson_fail(o);
    for (size_t i = 0; i < r->ngroups; i++) {
        json_t *g = figures_json(r, &r->groups[i]);
        if (!g || !rvjson_put(g, "key", key_json(by, r->groups[i].key)) ||
            !rvjson_push(groups, g)) {
            json_decref(g);
            return rvjson_fail(o);
        }
    }
    if (!rvjson_put(o, "total", figures_json(r, &r->total)))
        return rvjson_fail(o);
    return o;
}

/* ---- text --------------------------------------------------------------------------------- */

static void money(char *buf, size_t size, int64_t cents)
{
    const int64_t a = cents < 0 ? -cents : cents;
    snprintf(buf, size, "%s%lld.%02lld", cents < 0 ? "-" : "", (long long)(a / 100),
             (long long)(a % 100));
}

static void percent(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f%%", 100 * v);
}

static const char *name_of(const struct deals_key *k, char *buf, size_t size)
{
    if (k->name)
        return k->name;
    if (k->id) {
        snprintf(buf, size, "#%lld", (long long)k->id);
        return buf;
    }
    return "(none)";
}

static void winrate_line(FILE *out, const char *name, const struct deals_winrate *w)
{
    char rate[16], lo[16], hi[16], interval[40], won[32];
    percent(rate, sizeof(rate), w->rate);
    percent(lo, sizeof(lo), w->lo);
    percent(hi, sizeof(hi), w->hi);
    if (isnan(w->lo))
        snprintf(interval, sizeof(interval), "-");
    else
        snprintf(interval, sizeof(interval), "%s-%s", lo, hi);
    money(won, sizeof(won), w->won_amount);
    fprintf(out, "%-30.30s %6lld %6lld %7s  %-15s %16s\n", name, (long long)w->won,
            (long long)w->lost, rate, interval, won);
}

static void pipe_line(FILE *out, const char *indent, const char *name, const struct deals_pipe *p)
{
    char amount[32], weighted[32];
    money(amount, sizeof(amount), p->amount);
    money(weighted, sizeof(weighted), llround(p->weighted));
    fprintf(out, "%s%-*.*s %6lld %16s %16s\n", indent, 30 - (int)strlen(indent),
            30 - (int)strlen(indent), name, (long long)p->count, amount, weighted);
}

void deals_report_text(const struct deals_report *r, FILE *out)
{
    char buf[32];
    const char *by = deals_bys[r->p.by];
    if (r->analysis == DEALS_WINRATE) {
        fprintf(out, "%-30s %6s %6s %7s  %-15s %16s\n", by, "won", "lost", "rate", "95% interval",
                "won amount");
        for (size_t i = 0; i < r->ngroups; i++)
            winrate_line(out, name_of(&r->groups[i].key, buf, sizeof(buf)), &r->groups[i].w);
        winrate_line(out, "total", &r->total.w);
        return;
    }
    fprintf(out, "%-30s %6s %16s %16s\n", by, "open", "amount", "weighted");
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct deals_group *g = &r->groups[i];
        pipe_line(out, "", name_of(&g->key, buf, sizeof(buf)), &g->p);
        for (size_t s = 0; g->stage && s < r->d.nstages; s++)
            if (g->stage[s].count)
                pipe_line(out, "  ", r->d.stages[s].name ? r->d.stages[s].name : "?", &g->stage[s]);
    }
    pipe_line(out, "", "total", &r->total.p);
    for (size_t s = 0; r->total.stage && s < r->d.nstages; s++)
        if (r->total.stage[s].count)
            pipe_line(out, "  ", r->d.stages[s].name ? r->d.stages[s].name : "?",
                      &r->total.stage[s]);
}
