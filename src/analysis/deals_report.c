/*
 * deals_report.c - a deal analysis's report as JSON (one shape for `kith deals --json` and
 * /api/v1/deal-stats/...) and as the CLI's table, both from struct deals_report. Money is a
 * decimal string in currency units, times ISO 8601, a rate, bound or median with nothing to
 * count null. docs/deals.md and docs/api.md show the shapes.
 */
#include "analysis/deals.h"

#include <math.h>
#include <string.h>

#include "io/rv_json.h"
#include "util/timefmt.h"

#include "util/banned.h"

static json_t *key_json(enum deals_by by, struct deals_key k)
{
    const bool no_id = by == DEALS_BY_SOURCE || by == DEALS_BY_PERIOD || !k.id;
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "id", no_id ? json_null() : json_integer(k.id)) ||
        !rvjson_put(o, "name", k.name ? json_string(k.name) : json_null()))
        return rvjson_fail(o);
    return o;
}

static json_t *user_json(const struct deal_data *d, size_t u)
{
    return key_json(DEALS_BY_OWNER, (struct deals_key){d->users[u].id, d->users[u].name});
}

/* The cycles of the management chains: [[user, user, ...], ...]. */
static json_t *cycles_json(const struct deals_report *r)
{
    json_t *a = json_array();
    for (size_t c = 0; a && c < r->org.ncycles; c++) {
        json_t *cyc = json_array();
        if (!cyc || !rvjson_push(a, cyc))
            return rvjson_fail(a);
        for (size_t k = r->org.cycle0[c]; k < r->org.cycle0[c + 1]; k++)
            if (!rvjson_push(cyc, user_json(&r->d, r->org.cycle[k])))
                return rvjson_fail(a);
    }
    return a;
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

static double ratio(int64_t k, int64_t n)
{
    return n ? (double)k / (double)n : NAN;
}

/* The open stages a group's deals entered or stayed in, in the stages' order. */
static json_t *conv_json(const struct deals_report *r, const struct deals_conv_cell *cells)
{
    json_t *a = json_array();
    for (size_t s = 0; a && cells && s < r->d.nstages; s++) {
        const struct deals_conv_cell *c = &cells[s];
        if (!c->reached && !c->stays)
            continue;
        const struct deal_stage_rec *st = &r->d.stages[s];
        json_t *o = json_object();
        if (!o || !rvjson_push(a, o) ||
            !rvjson_put(o, "stage",
                        key_json(DEALS_BY_STAGE, (struct deals_key){st->id, st->name})) ||
            !rvjson_put(o, "reached", json_integer(c->reached)) ||
            !rvjson_put(o, "advanced", json_integer(c->advanced)) ||
            !rvjson_put(o, "won", json_integer(c->won)) ||
            !rvjson_put(o, "conversion", rvjson_number(ratio(c->advanced, c->reached))) ||
            !rvjson_put(o, "win_rate", rvjson_number(ratio(c->won, c->reached))) ||
            !rvjson_put(o, "stays", json_integer(c->stays)) ||
            !rvjson_put(o, "median_days", rvjson_number(c->median_days)))
            return rvjson_fail(a);
    }
    return a;
}

static json_t *cycle_json(const struct deals_cycle *c)
{
    json_t *o = json_object();
    if (!o || !rvjson_put(o, "count", json_integer(c->n)) ||
        !rvjson_put(o, "median_days", rvjson_number(c->median_days)) ||
        !rvjson_put(o, "mean_days", rvjson_number(c->mean_days)))
        return rvjson_fail(o);
    return o;
}

static json_t *forecast_json(const struct deals_forecast *f)
{
    json_t *o = json_object(), *won = json_object();
    if (!o || !won || !rvjson_put(o, "won", won) ||
        !rvjson_put(won, "count", json_integer(f->won)) ||
        !rvjson_put(won, "amount", rvjson_money(f->won_amount)) ||
        !rvjson_put(o, "expected", pipe_json(&f->expected)) ||
        !rvjson_put(o, "weighted_amount", rvjson_money(llround(f->expected.weighted))) ||
        !rvjson_put(o, "commit", pipe_json(&f->commit)) ||
        !rvjson_put(o, "best_case", pipe_json(&f->best_case)) ||
        !rvjson_put(o, "pipeline", pipe_json(&f->pipeline))) {
        if (!json_object_get(o, "won"))
            json_decref(won);
        return rvjson_fail(o);
    }
    return o;
}

static json_t *figures_json(const struct deals_report *r, const struct deals_group *g)
{
    json_t *o = NULL;
    switch (r->analysis) {
    case DEALS_WINRATE:
        return winrate_json(&g->w);
    case DEALS_PIPELINE:
        o = pipe_json(&g->p);
        if (o && !rvjson_put(o, "stages", stages_json(r, g->stage)))
            return rvjson_fail(o);
        return o;
    case DEALS_FORECAST:
        return forecast_json(&g->f);
    case DEALS_CONVERSION:
        o = json_object();
        json_t *cycle = json_object();
        if (!o || !cycle || !rvjson_put(o, "sales_cycle", cycle) ||
            !rvjson_put(cycle, "won", cycle_json(&g->won_cycle)) ||
            !rvjson_put(cycle, "lost", cycle_json(&g->lost_cycle)) ||
            !rvjson_put(o, "stages", conv_json(r, g->conv))) {
            if (o && !json_object_get(o, "sales_cycle"))
                json_decref(cycle);
            return rvjson_fail(o);
        }
        return o;
    case DEALS_QUOTA:
    case DEALS_NANALYSES:
        break;
    }
    return NULL;
}

static json_t *quota_json(const struct deals_quota_row *q, bool total)
{
    json_t *o = json_object();
    if (!o ||
        (!total && (!rvjson_put(o, "key", key_json(DEALS_BY_OWNER, q->key)) ||
                    !rvjson_put(o, "period_start", rvjson_ms(q->start)) ||
                    !rvjson_put(o, "period_end", rvjson_ms(q->end)))) ||
        !rvjson_put(o, "quota", rvjson_money(q->quota)) ||
        !rvjson_put(o, "currency", q->currency ? json_string(q->currency) : json_null()) ||
        !rvjson_put(o, "won", json_integer(q->won)) ||
        !rvjson_put(o, "won_amount", rvjson_money(q->won_amount)) ||
        !rvjson_put(o, "attainment", rvjson_number(q->attainment)) ||
        !rvjson_put(o, "quotas", json_integer(q->users)))
        return rvjson_fail(o);
    return o;
}

/* The members of the top object that depend on the analysis (window, quarter, ...). */
static bool head_json(const struct deals_report *r, json_t *o)
{
    switch (r->analysis) {
    case DEALS_WINRATE:
        if (r->p.by == DEALS_BY_PERIOD &&
            !rvjson_put(o, "period", json_string(deals_periods[r->p.period])))
            return false;
        /* fall through */
    case DEALS_CONVERSION:
    case DEALS_QUOTA:
        return rvjson_put(o, "from", r->has_from ? rvjson_ms(r->p.from) : json_null()) &&
               rvjson_put(o, "to", r->has_to ? rvjson_ms(r->p.to) : json_null());
    case DEALS_FORECAST:
        return rvjson_put(o, "quarter", json_string(r->quarter_name)) &&
               rvjson_put(o, "from", rvjson_ms(r->quarter.from)) &&
               rvjson_put(o, "to", rvjson_ms(r->quarter.to)) &&
               rvjson_put(o, "commit_probability", json_real(r->categories.commit)) &&
               rvjson_put(o, "best_case_probability", json_real(r->categories.best_case));
    case DEALS_PIPELINE:
    case DEALS_NANALYSES:
        break;
    }
    return true;
}

json_t *deals_report_json(const struct deals_report *r)
{
    const enum deals_by by = (enum deals_by)r->p.by;
    json_t *o = json_object(), *groups = json_array();
    if (!o || !groups || !rvjson_put(o, "by", json_string(deals_bys[by]))) {
        json_decref(groups);
        return rvjson_fail(o);
    }
    if (!head_json(r, o) || !rvjson_put(o, "groups", groups))
        return rvjson_fail(o);
    if (r->has_org && !rvjson_put(o, "manager_cycles", cycles_json(r)))
        return rvjson_fail(o);
    if (r->analysis == DEALS_QUOTA) {
        for (size_t i = 0; i < r->nquota_rows; i++)
            if (!rvjson_push(groups, quota_json(&r->quota_rows[i], false)))
                return rvjson_fail(o);
        if (!rvjson_put(o, "total", quota_json(&r->quota_total, true)))
            return rvjson_fail(o);
        return o;
    }
    for (size_t i = 0; i < r->ngroups; i++) {
        const struct deals_group *x = &r->groups[i];
        json_t *g = figures_json(r, x);
        if (!g || !rvjson_put(g, "key", key_json(by, x->key)) || !rvjson_push(groups, g)) {
            json_decref(g);
            return rvjson_fail(o);
        }
        if (by == DEALS_BY_PERIOD && x->key.id &&
            (!rvjson_put(g, "period_start", rvjson_ms(x->period_from)) ||
             !rvjson_put(g, "period_end", rvjson_ms(x->period_to))))
            return rvjson_fail(o);
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

static void days(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f", v);
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

static void pipeline_text(const struct deals_report *r, const struct deals_group *g,
                          const char *name, FILE *out)
{
    pipe_line(out, "", name, &g->p);
    for (size_t s = 0; g->stage && s < r->d.nstages; s++)
        if (g->stage[s].count)
            pipe_line(out, "  ", r->d.stages[s].name ? r->d.stages[s].name : "?", &g->stage[s]);
}

static void forecast_line(FILE *out, const char *name, const struct deals_forecast *f)
{
    char won[32], expected[32], weighted[32], commit[32], best[32], pipe[32];
    money(won, sizeof(won), f->won_amount);
    money(expected, sizeof(expected), f->expected.amount);
    money(weighted, sizeof(weighted), llround(f->expected.weighted));
    money(commit, sizeof(commit), f->commit.amount);
    money(best, sizeof(best), f->best_case.amount);
    money(pipe, sizeof(pipe), f->pipeline.amount);
    fprintf(out, "%-24.24s %14s %6lld %14s %14s %14s %14s %14s\n", name, won,
            (long long)f->expected.count, expected, weighted, commit, best, pipe);
}

static void conversion_text(const struct deals_report *r, const struct deals_group *g,
                            const char *name, FILE *out)
{
    char wm[16], wa[16], lm[16], la[16];
    days(wm, sizeof(wm), g->won_cycle.median_days);
    days(wa, sizeof(wa), g->won_cycle.mean_days);
    days(lm, sizeof(lm), g->lost_cycle.median_days);
    days(la, sizeof(la), g->lost_cycle.mean_days);
    fprintf(out,
            "%s: sales cycle won %lld (median %s d, mean %s d), lost %lld (median %s d, mean"
            " %s d)\n",
            name, (long long)g->won_cycle.n, wm, wa, (long long)g->lost_cycle.n, lm, la);
    for (size_t s = 0; g->conv && s < r->d.nstages; s++) {
        const struct deals_conv_cell *c = &g->conv[s];
        if (!c->reached && !c->stays)
            continue;
        char conv[16], win[16], med[16];
        percent(conv, sizeof(conv), ratio(c->advanced, c->reached));
        percent(win, sizeof(win), ratio(c->won, c->reached));
        days(med, sizeof(med), c->median_days);
        fprintf(out, "  %-26.26s %8lld %8lld %7s %8lld %7s %10s\n",
                r->d.stages[s].name ? r->d.stages[s].name : "?", (long long)c->reached,
                (long long)c->advanced, conv, (long long)c->won, win, med);
    }
}

static void quota_line(FILE *out, const char *name, const struct deals_quota_row *q)
{
    char quota[32], won[32], att[16], from[TIMEFMT_SIZE] = "", to[TIMEFMT_SIZE] = "";
    money(quota, sizeof(quota), q->quota);
    money(won, sizeof(won), q->won_amount);
    percent(att, sizeof(att), q->attainment);
    if (q->end > q->start) { /* a row, not the total: its period's days */
        timefmt_format(q->start, from);
        timefmt_format(q->end, to);
        from[10] = to[10] = '\0';
    }
    fprintf(out, "%-24.24s %-10.10s %-10.10s %14s %14s %8s %4s\n", name, from, to, quota, won, att,
            q->currency ? q->currency : "");
}

static void cycles_text(const struct deals_report *r, FILE *out)
{
    for (size_t c = 0; r->has_org && c < r->org.ncycles; c++) {
        fputs("warning: the managers form a cycle:", out);
        for (size_t k = r->org.cycle0[c]; k < r->org.cycle0[c + 1]; k++) {
            const struct deal_user_rec *u = &r->d.users[r->org.cycle[k]];
            fprintf(out, " %s (#%lld) ->", u->name ? u->name : "?", (long long)u->id);
        }
        const struct deal_user_rec *u = &r->d.users[r->org.cycle[r->org.cycle0[c]]];
        fprintf(out, " %s; each of them is counted once\n", u->name ? u->name : "?");
    }
}

void deals_report_text(const struct deals_report *r, FILE *out)
{
    char buf[32];
    const char *by = deals_bys[r->p.by];
    cycles_text(r, out);
    switch (r->analysis) {
    case DEALS_WINRATE:
        fprintf(out, "%-30s %6s %6s %7s  %-15s %16s\n", by, "won", "lost", "rate", "95% interval",
                "won amount");
        for (size_t i = 0; i < r->ngroups; i++)
            winrate_line(out, name_of(&r->groups[i].key, buf, sizeof(buf)), &r->groups[i].w);
        winrate_line(out, "total", &r->total.w);
        return;
    case DEALS_PIPELINE:
        fprintf(out, "%-30s %6s %16s %16s\n", by, "open", "amount", "weighted");
        for (size_t i = 0; i < r->ngroups; i++)
            pipeline_text(r, &r->groups[i], name_of(&r->groups[i].key, buf, sizeof(buf)), out);
        pipeline_text(r, &r->total, "total", out);
        return;
    case DEALS_FORECAST:
        fprintf(out, "forecast of %s (commit: probability >= %g, best case: >= %g)\n",
                r->quarter_name, r->categories.commit, r->categories.best_case);
        fprintf(out, "%-24s %14s %6s %14s %14s %14s %14s %14s\n", by, "won", "open", "expected",
                "weighted", "commit", "best case", "pipeline");
        for (size_t i = 0; i < r->ngroups; i++)
            forecast_line(out, name_of(&r->groups[i].key, buf, sizeof(buf)), &r->groups[i].f);
        forecast_line(out, "total", &r->total.f);
        return;
    case DEALS_CONVERSION:
        fprintf(out, "  %-26s %8s %8s %7s %8s %7s %10s\n", "stage", "reached", "advanced", "conv",
                "won", "win", "median d");
        for (size_t i = 0; i < r->ngroups; i++)
            conversion_text(r, &r->groups[i], name_of(&r->groups[i].key, buf, sizeof(buf)), out);
        conversion_text(r, &r->total, "total", out);
        return;
    case DEALS_QUOTA:
        fprintf(out, "%-24s %-10s %-10s %14s %14s %8s\n", by, "from", "to", "quota", "won",
                "attained");
        for (size_t i = 0; i < r->nquota_rows; i++)
            quota_line(out, name_of(&r->quota_rows[i].key, buf, sizeof(buf)), &r->quota_rows[i]);
        quota_line(out, "total", &r->quota_total);
        return;
    case DEALS_NANALYSES:
        break;
    }
}
