/*
 * v2t2.c - the one parameter table of the V2T2 analyses (`kith v2t2` and /api/v1/v2t2/...) and
 * their run: zones places one subject from every point of view (orders and deals from the
 * store), tones and discord walk the RV snapshot with the catalogue's touch and tech weights.
 * The scenarios are in v2t2_scenario.c, the JSON in v2t2_json.c, the tables in v2t2_text.c;
 * docs/v2t2.md defines every figure.
 */
#include "analysis/v2t2.h"
#include "analysis/rv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

enum {
    G_ZONES = 1 << V2T2_ZONES,
    G_TONES = 1 << V2T2_TONES,
    G_DISCORD = 1 << V2T2_DISCORD,
    G_SCENARIO = 1 << V2T2_SCENARIO,
    G_ALL = (1 << V2T2_NANALYSES) - 1,
    G_PLACE = G_ZONES | G_TONES | G_DISCORD,
    G_WALK = G_TONES | G_DISCORD,
};

static const char *const phases[] = {"all", "acquisition", "closing", "retention", NULL};

#define OFF(m) offsetof(struct v2t2_params, m)
static const struct param_spec specs[] = {
    {.name = "order",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9.2e18,
     .offset = OFF(order),
     .groups = G_ZONES,
     .metavar = "ID",
     .help = "the subject: this order"},
    {.name = "deal",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9.2e18,
     .offset = OFF(deal),
     .groups = G_ZONES,
     .metavar = "ID",
     .help = "the subject: this deal (it must have an amount and not be lost)"},
    {.name = "account",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 9.2e18,
     .offset = OFF(account),
     .groups = G_PLACE,
     .metavar = "ID",
     .help = "the relationship with this account (zones: its latest order)"},
    {.name = "unit",
     .type = PARAM_TEXT,
     .offset = OFF(unit),
     .groups = G_ZONES,
     .metavar = "NAME",
     .help = "the subject: this unit's market, all its orders per period (a name or #id)"},
    {.name = "value_customer",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VALUE_MAX,
     .offset = OFF(value[V2T2_POV_CUSTOMER]),
     .groups = G_PLACE,
     .metavar = "X",
     .help = "what-if: high value for the customer from X times its usual order (default: the "
             "unit's setting)"},
    {.name = "value_rep",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VALUE_MAX,
     .offset = OFF(value[V2T2_POV_REP]),
     .groups = G_ZONES,
     .metavar = "X",
     .help = "what-if: high value for the rep from X times the rep's typical subject (default: the "
             "unit's setting)"},
    {.name = "value_manager",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VALUE_MAX,
     .offset = OFF(value[V2T2_POV_MANAGER]),
     .groups = G_ZONES,
     .metavar = "X",
     .help = "what-if: high value for the manager from X times the team's amount per period "
             "(default: the unit's setting)"},
    {.name = "value_unit",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VALUE_MAX,
     .offset = OFF(value[V2T2_POV_UNIT]),
     .groups = G_ZONES,
     .metavar = "X",
     .help = "what-if: high value for the unit from X times its amount per period (default: the "
             "unit's setting)"},
    {.name = "value_enterprise",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VALUE_MAX,
     .offset = OFF(value[V2T2_POV_ENTERPRISE]),
     .groups = G_ZONES,
     .metavar = "X",
     .help = "what-if: high value for the enterprise from X times its amount per period (default: "
             "the unit's setting)"},
    {.name = "volume",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = V2T2_VOLUME_MAX,
     .offset = OFF(volume),
     .groups = G_PLACE,
     .metavar = "N",
     .help = "what-if: high volume from N subjects per period (default: the unit's setting)"},
    {.name = "period_days",
     .type = PARAM_NUMBER,
     .lo = V2T2_PERIOD_MIN,
     .hi = V2T2_PERIOD_MAX,
     .offset = OFF(period_days),
     .groups = G_PLACE,
     .metavar = "DAYS",
     .help =
         "what-if: the period volumes and amounts are counted in (default: the unit's setting)"},
    {.name = "touch",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .offset = OFF(touch),
     .groups = G_WALK,
     .metavar = "X",
     .help = "what-if: high touch from a mean touch weight of X (default: the unit's setting)"},
    {.name = "tech",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .offset = OFF(tech),
     .groups = G_WALK,
     .metavar = "X",
     .help = "what-if: high tech from a mean tech weight of X (default: the unit's setting)"},
    {.name = "from",
     .type = PARAM_TIME,
     .offset = OFF(from),
     .groups = G_WALK,
     .help = "interactions from this instant on (default: all)"},
    {.name = "to",
     .type = PARAM_TIME,
     .offset = OFF(to),
     .groups = G_WALK,
     .help = "interactions and orders before this instant (default: all)"},
    {.name = "phase",
     .type = PARAM_CHOICE,
     .choices = phases,
     .def = "all",
     .offset = OFF(phase),
     .groups = G_DISCORD,
     .help = "rank relationships by the discord of this phase: all, acquisition, closing, "
             "retention"},
    {.name = "limit",
     .type = PARAM_INT,
     .lo = 1,
     .hi = 100,
     .def = "20",
     .offset = OFF(limit),
     .groups = G_DISCORD,
     .metavar = "N",
     .help = "the N most out-of-tune relationships"},
    {.name = "name",
     .type = PARAM_TEXT,
     .hi = 64,
     .def = "new-car",
     .offset = OFF(name),
     .groups = G_SCENARIO,
     .metavar = "NAME",
     .help = "the built-in scenario (data/v2t2/NAME.json): new-car"},
    PARAM_SPEC_JSON(struct v2t2_params, G_ALL),
    PARAM_SPEC_DB(struct v2t2_params, G_ALL),
};

static const struct analysis_def defs[] = {
    [V2T2_ZONES] = {.name = "zones",
                    .group = G_ZONES,
                    .route = "/api/v1/v2t2/zones",
                    .summary = "Value x Volume zone of one subject (order, deal, account, "
                               "unit's market) from every point of view, with the numbers"},
    [V2T2_TONES] = {.name = "tones",
                    .group = G_TONES,
                    .route = "/api/v1/v2t2/tones",
                    .summary = "Touch x Tech tone delivered per lifecycle phase and channel "
                               "agent, for one relationship or pooled"},
    [V2T2_DISCORD] = {.name = "discord",
                      .group = G_DISCORD,
                      .route = "/api/v1/v2t2/discord",
                      .summary = "how far delivered tones are from the tone the customer's zone "
                                 "expects, by phase x agent, with recommendations"},
    [V2T2_SCENARIO] = {.name = "scenario",
                       .group = G_SCENARIO,
                       .route = "/api/v1/v2t2/scenario",
                       .args = "[<name>]",
                       .summary = "a built-in scenario (the new car of seed 000) placed on the "
                                  "Knowledge Frame"},
};

const struct analysis_family analysis_v2t2 = {"v2t2", specs, sizeof(specs) / sizeof(specs[0]), defs,
                                              sizeof(defs) / sizeof(defs[0])};

const struct analysis_def *v2t2_def(enum v2t2_analysis a)
{
    if ((unsigned)a >= V2T2_NANALYSES)
        BUG("no v2t2 analysis %d", (int)a);
    return &defs[a];
}

static int bad_param(const char **param, const char *name, struct kith_error *err, int code,
                     const char *msg)
{
    *param = name;
    return kith_err(err, code, "%s", msg);
}

/* ---- zones ------------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the amounts of the subjects for which keep() holds, skipping skip (NULL: none);
 * *n their number. buf has room for every subject. */
typedef bool (*keep_fn)(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key);

static double median_of(const struct v2t2_data *d, const struct v2t2_subject *set, size_t nset,
                        keep_fn keep, int64_t key, const struct v2t2_subject *skip, double *buf,
                        size_t *n)
{
    size_t m = 0;
    for (size_t i = 0; i < nset; i++)
        if (&set[i] != skip && keep(d, &set[i], key))
            buf[m++] = (double)set[i].amount;
    *n = m;
    if (!m)
        return NAN;
    qsort(buf, m, sizeof(*buf), cmp_double);
    return m % 2 ? buf[m / 2] : (buf[m / 2 - 1] + buf[m / 2]) / 2;
}

/* Sum of amounts and count of the subjects for which keep() holds. */
static double sum_of(const struct v2t2_data *d, const struct v2t2_subject *set, size_t nset,
                     keep_fn keep, int64_t key, size_t *n)
{
    double sum = 0;
    size_t m = 0;
    for (size_t i = 0; i < nset; i++)
        if (keep(d, &set[i], key)) {
            sum += (double)set[i].amount;
            m++;
        }
    *n = m;
    return sum;
}

static bool by_account(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)d;
    return x->account_id == key;
}

static bool by_rep(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)d;
    return x->rep_id == key;
}

static bool by_team(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)d;
    return x->team_id == key;
}

static bool by_manager(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    const struct v2t2_user_rec *u = v2t2_data_user(d, x->rep_id);
    return u && u->manager_id == key;
}

static bool by_unit(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)d;
    return x->unit_id == key;
}

static bool every(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)d;
    (void)x;
    (void)key;
    return true;
}

/* Handled by the enterprise itself: no unit, or a unit of kind manufacturer. */
static bool direct(const struct v2t2_data *d, const struct v2t2_subject *x, int64_t key)
{
    (void)key;
    const struct v2t2_unit_rec *u = v2t2_data_unit(d, x->unit_id);
    return !u || (u->kind && strcmp(u->kind, "manufacturer") == 0);
}

/* The enterprise's name: the first unit of kind manufacturer without a parent, else a phrase. */
static const char *enterprise_name(const struct v2t2_data *d)
{
    for (size_t i = 0; i < d->nunits; i++)
        if (!d->units[i].parent_id && d->units[i].kind && d->units[i].name &&
            strcmp(d->units[i].kind, "manufacturer") == 0)
            return d->units[i].name;
    return "the enterprise";
}

static const struct v2t2_subject *find_subject(const struct v2t2_subject *v, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id == id)
            return &v[mid];
        if (v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static struct v2t2_pov_place *add_place(struct v2t2_zones_report *z, int pov, int64_t id,
                                        const char *party, const char *baseline_is,
                                        const char *volume_is, size_t n)
{
    struct v2t2_pov_place *pp = &z->places[z->nplaces++];
    *pp = (struct v2t2_pov_place){.pov = pov,
                                  .party_id = id,
                                  .party = party,
                                  .baseline_is = baseline_is,
                                  .volume_is = volume_is,
                                  .n = n};
    return pp;
}

/* A scoped caller sees the aggregates of others (manager, another unit, the enterprise) only
 * over at least min_k subjects, as in the confidential comparison of units. */
static void suppress(struct v2t2_zones_report *z, const struct v2t2_scope *scope)
{
    if (!scope->scoped)
        return;
    for (size_t i = 0; i < z->nplaces; i++) {
        struct v2t2_pov_place *pp = &z->places[i];
        const bool own = pp->pov == V2T2_POV_CUSTOMER || pp->pov == V2T2_POV_REP ||
                         (pp->pov == V2T2_POV_UNIT && pp->party_id == scope->own_unit_id);
        if (!own && (int64_t)pp->n < scope->min_k) {
            pp->suppressed = true;
            pp->place = (struct v2t2_place){.zone = V2T2_NONE};
        }
    }
}

static int zones_run(struct v2t2_report *r, const struct v2t2_scope *scope, struct kith_error *err,
                     const char **param)
{
    const struct v2t2_params *p = &r->p;
    const struct v2t2_data *d = &r->data;
    struct v2t2_zones_report *z = &r->zones;
    const int given = (p->order > 0) + (p->deal > 0) + (p->account > 0) + (p->unit != NULL);
    if (given != 1)
        return bad_param(param, "order", err, KITH_EINVAL,
                         "give one subject: order, deal, account or unit");
    const struct v2t2_subject *set = p->deal ? d->deals : d->orders;
    const size_t nset = p->deal ? d->ndeals : d->norders;
    const struct v2t2_subject *x = NULL;
    const struct v2t2_unit_rec *market = NULL;
    if (p->order && !(x = find_subject(set, nset, p->order)))
        return bad_param(param, "order", err, KITH_ENOTFOUND, "no such order");
    if (p->deal && !(x = find_subject(set, nset, p->deal)))
        return bad_param(param, "deal", err, KITH_ENOTFOUND,
                         "no such deal with an amount that is not lost");
    if (p->account) {
        for (size_t i = 0; i < nset; i++)
            if (set[i].account_id == p->account &&
                (!x || set[i].at > x->at || (set[i].at == x->at && set[i].id > x->id)))
                x = &set[i];
        if (!x)
            return bad_param(param, "account", err, KITH_ENOTFOUND,
                             "no such account with an order");
    }
    if (p->unit && (!(market = v2t2_unit_named(d, p->unit)) ||
                    (scope->scoped && market->id != scope->own_unit_id)))
        return bad_param(param, "unit", err, KITH_ENOTFOUND, "no such unit");
    /* the subject is judged by the settings of its unit (the market's, or the one that handled
     * it), with the request's what-if overrides */
    int rc = v2t2_judging_one(d, market ? market->id : x->unit_id, p, &r->judging, err);
    if (rc < 0)
        return rc;
    z->judge = 0;
    const struct v2t2_thresholds *th = &r->judging.set[0];
    z->nsubjects = nset;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < nset; i++) {
        lo = set[i].at < lo ? set[i].at : lo;
        hi = set[i].at > hi ? set[i].at : hi;
    }
    const double period_ms = th->period_days * 86400000.0;
    z->periods = nset ? (double)(hi - lo) / period_ms : 1;
    if (!(z->periods >= 1))
        z->periods = 1;
    const double P = z->periods;
    double *buf = alloc_array(nset ? nset : 1, sizeof(*buf));
    if (!buf)
        return kith_err(err, KITH_ENOMEM, "out of memory placing a subject among %zu", nset);
    size_t n, nall;
    const double total = sum_of(d, set, nset, every, 0, &nall);
    if (market) {
        z->money_scale = 0.01;
        z->kind = "unit";
        z->id = market->id;
        z->label = market->name;
        const double sum = sum_of(d, set, nset, by_unit, market->id, &n);
        const double amount = sum / P;
        struct v2t2_pov_place *pp =
            add_place(z, V2T2_POV_UNIT, market->id, market->name, "the unit's amount per period",
                      "the unit's orders per period", n);
        pp->place =
            v2t2_place(amount, sum / P, (double)n / P, th->value[V2T2_POV_UNIT], th->volume);
        pp = add_place(z, V2T2_POV_ENTERPRISE, 0, enterprise_name(d),
                       "the enterprise's amount per period",
                       "the market's orders per period, all of which the enterprise handles", nall);
        pp->place = v2t2_place(amount, total / P, (double)n / P, th->value[V2T2_POV_ENTERPRISE],
                               th->volume);
        free(buf);
        suppress(z, scope);
        return 0;
    }
    z->money_scale = 0.01;
    z->kind = p->deal ? "deal" : p->order ? "order" : "account";
    z->id = x->id;
    z->at = x->at;
    const double amount = (double)x->amount;
    /* customer: against its usual subject */
    double base = median_of(d, set, nset, by_account, x->account_id, x, buf, &n);
    const char *base_is = "the median of the customer's other subjects";
    if (!n) {
        base = median_of(d, set, nset, every, 0, NULL, buf, &n);
        base_is = "the median subject of every customer (the customer has no other)";
    }
    sum_of(d, set, nset, by_account, x->account_id, &n);
    struct v2t2_pov_place *pp = add_place(z, V2T2_POV_CUSTOMER, x->account_id, r->label, base_is,
                                          "the customer's subjects per period", n);
    pp->place = v2t2_place(amount, base, (double)n / P, th->value[V2T2_POV_CUSTOMER], th->volume);
    const struct v2t2_user_rec *rep = v2t2_data_user(d, x->rep_id);
    if (rep) {
        base = median_of(d, set, nset, by_rep, rep->id, NULL, buf, &n);
        pp = add_place(z, V2T2_POV_REP, rep->id, rep->name, "the rep's median subject",
                       "the rep's subjects per period", n);
        pp->place = v2t2_place(amount, base, (double)n / P, th->value[V2T2_POV_REP], th->volume);
    }
    /* manager: the rep's manager over the subjects of the reps reporting to them, else the team */
    const struct v2t2_user_rec *mgr = rep ? v2t2_data_user(d, rep->manager_id) : NULL;
    const struct v2t2_team_rec *team = v2t2_data_team(d, x->team_id);
    if (mgr || team) {
        double sum = mgr ? sum_of(d, set, nset, by_manager, mgr->id, &n)
                         : sum_of(d, set, nset, by_team, team->id, &n);
        pp = add_place(z, V2T2_POV_MANAGER, mgr ? mgr->id : team->id, mgr ? mgr->name : team->name,
                       mgr ? "the amount per period of the manager's reports"
                           : "the team's amount per period",
                       mgr ? "the subjects per period of the manager's reports"
                           : "the team's subjects per period",
                       n);
        pp->place =
            v2t2_place(amount, sum / P, (double)n / P, th->value[V2T2_POV_MANAGER], th->volume);
    }
    const struct v2t2_unit_rec *unit = v2t2_data_unit(d, x->unit_id);
    if (unit) {
        double sum = sum_of(d, set, nset, by_unit, unit->id, &n);
        pp = add_place(z, V2T2_POV_UNIT, unit->id, unit->name, "the unit's amount per period",
                       "the unit's subjects per period", n);
        pp->place =
            v2t2_place(amount, sum / P, (double)n / P, th->value[V2T2_POV_UNIT], th->volume);
    }
    sum_of(d, set, nset, direct, 0, &n);
    pp = add_place(z, V2T2_POV_ENTERPRISE, 0, enterprise_name(d),
                   "the enterprise's amount per period",
                   "the subjects per period the enterprise handles itself (no unit, or a "
                   "manufacturer unit)",
                   nall);
    pp->place =
        v2t2_place(amount, total / P, (double)n / P, th->value[V2T2_POV_ENTERPRISE], th->volume);
    free(buf);
    suppress(z, scope);
    return 0;
}

/* ---- tones and discord ------------------------------------------------------------------- */

struct walk {
    struct v2t2_report *r;
    const struct rv_snapshot *s;
    const struct v2t2_place *zones;
    const struct v2t2_config *cfg;
    int64_t want; /* one: the customer index + 1; 0: all */
    double pooled[RV_NSTAGES][V2T2_NAGENTS][2];
    double heat_sum[RV_NSTAGES][V2T2_NAGENTS];
    uint32_t heat_out[RV_NSTAGES][V2T2_NAGENTS];
    double discord_sum;
    size_t cap;
};

/* The relationship of customer k with its cells, zone and discord (names filled later). */
static void relationship_of(const struct walk *w, size_t k, const struct v2t2_cells *cells,
                            struct v2t2_relationship *rel)
{
    const struct rv_snapshot *s = w->s;
    const struct v2t2_tone_thresholds *th = &v2t2_config_of(w->cfg, k)->tone;
    memset(rel, 0, sizeof(*rel));
    rel->judge = w->cfg->of ? w->cfg->of[k] : 0;
    rel->kind = k < s->nacct ? "account" : "contact";
    rel->id = k < s->nacct ? s->account_id[k] : s->cid[k - s->nacct];
    rel->zone = w->zones[k];
    rel->cells = *cells;
    rel->discord = v2t2_relationship_discord(rel->zone.zone, cells, -1, th);
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        rel->phase_discord[ph] = v2t2_relationship_discord(rel->zone.zone, cells, ph, th);
    rel->worst_phase = rel->worst_agent = -1;
    double worst = 0;
    for (int ph = 0; ph < RV_NSTAGES && rel->zone.zone; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_cell *c = &cells->c[ph][a];
            if (!c->n)
                continue;
            struct v2t2_discord dd = v2t2_discord(rel->zone.zone, c->touch, c->tech, th);
            if (c->n * dd.distance > worst) {
                worst = c->n * dd.distance;
                rel->worst_phase = ph;
                rel->worst_agent = a;
                rel->worst = dd;
            }
        }
}

/* The ranking key of a relationship: its discord in the chosen phase. */
static double rank_of(const struct v2t2_relationship *rel, int phase)
{
    const double v = phase > 0 ? rel->phase_discord[phase - 1] : rel->discord;
    return isnan(v) ? -1 : v;
}

static int walk_one(void *ctx, size_t k, const struct v2t2_cells *cells)
{
    struct walk *w = ctx;
    struct v2t2_tones_report *t = &w->r->tones;
    if (w->want) {
        if ((int64_t)k + 1 == w->want) {
            relationship_of(w, k, cells, &t->r);
            w->r->judging.judge[t->r.judge].nrel++;
            t->nrel = 1;
            t->nplaced = t->r.zone.zone != V2T2_NONE;
        }
        return 0;
    }
    t->nrel++;
    w->r->judging.judge[w->cfg->of ? w->cfg->of[k] : 0].nrel++;
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_cell *c = &cells->c[ph][a];
            w->pooled[ph][a][0] += c->n * c->touch;
            w->pooled[ph][a][1] += c->n * c->tech;
            t->r.cells.c[ph][a].n += c->n;
        }
    const int zone = w->zones[k].zone;
    if (zone == V2T2_NONE)
        return 0;
    t->nplaced++;
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            const struct v2t2_cell *c = &cells->c[ph][a];
            if (!c->n)
                continue;
            const double dist =
                v2t2_discord(zone, c->touch, c->tech, &v2t2_config_of(w->cfg, k)->tone).distance;
            struct v2t2_heat *h = &t->heat[ph][a];
            h->nrel++;
            h->n += c->n;
            w->heat_sum[ph][a] += dist;
            w->heat_out[ph][a] += dist > 0;
        }
    struct v2t2_relationship rel;
    relationship_of(w, k, cells, &rel);
    w->discord_sum += rel.discord;
    /* keep the limit most out of tune, by rank descending (then customer order) */
    const int phase = w->r->p.phase;
    const double key = rank_of(&rel, phase);
    if (key <= 0)
        return 0;
    size_t pos = t->ntop;
    while (pos > 0 && rank_of(&t->top[pos - 1], phase) < key)
        pos--;
    if (pos >= w->cap)
        return 0;
    const size_t keep = t->ntop < w->cap ? t->ntop : w->cap - 1;
    memmove(&t->top[pos + 1], &t->top[pos], (keep - pos) * sizeof(*t->top));
    t->top[pos] = rel;
    t->ntop = keep + 1;
    return 0;
}

/* The name of a relationship, from the store. */
static int name_of(struct store *store, struct v2t2_relationship *rel, struct kith_error *err)
{
    int rc = strcmp(rel->kind, "account") == 0
                 ? store_v2t2_account_name(store, rel->id, rel->name, sizeof(rel->name), err)
                 : store_rv_contact_name(store, rel->id, rel->name, sizeof(rel->name), err);
    return rc == KITH_ENOTFOUND ? 0 : rc;
}

int v2t2_catalog_of(const struct rv_snapshot *s, const struct v2t2_data *d, float **touch,
                    float **tech, uint8_t **partner, struct kith_error *err)
{
    *touch = alloc_array_zero(s->ntypes ? s->ntypes : 1, sizeof(**touch));
    *tech = alloc_array_zero(s->ntypes ? s->ntypes : 1, sizeof(**tech));
    *partner = alloc_array_zero(s->units.n ? s->units.n : 1, 1);
    if (!*touch || !*tech || !*partner)
        return kith_err(err, KITH_ENOMEM, "out of memory reading the catalogue's weights");
    size_t j = 0;
    for (size_t k = 0; k < s->ntypes; k++) { /* both sorted by id */
        while (j < d->ntypes && d->types[j].id < s->types[k].id)
            j++;
        if (j < d->ntypes && d->types[j].id == s->types[k].id) {
            (*touch)[k] = (float)d->types[j].touch;
            (*tech)[k] = (float)d->types[j].tech;
        }
    }
    for (size_t u = 0; u < s->units.n; u++) {
        const struct v2t2_unit_rec *x = v2t2_data_unit(d, s->units.id[u]);
        (*partner)[u] = x && x->kind &&
                        (strcmp(x->kind, "partner") == 0 || strcmp(x->kind, "distributor") == 0 ||
                         strcmp(x->kind, "dealer") == 0);
    }
    return 0;
}

static int walk_run(struct v2t2_report *r, const struct v2t2_scope *scope, struct kith_error *err,
                    const char **param)
{
    const struct v2t2_params *p = &r->p;
    const struct rv_snapshot *s = scope->snap;
    struct v2t2_tones_report *t = &r->tones;
    if (!s)
        return kith_err(err, KITH_EINVAL, "the Relationship Value snapshot is not loaded");
    const bool has_from = param_given(&analysis_v2t2, p, "from"),
               has_to = param_given(&analysis_v2t2, p, "to");
    if (has_from && has_to && p->to <= p->from)
        return bad_param(param, "to", err, KITH_EINVAL, "must be after from");
    struct walk w = {.r = r, .s = s, .cap = (size_t)p->limit};
    if (p->account) {
        int32_t k = rv_find_id(s->account_id, s->nacct, p->account);
        if (k < 0)
            return bad_param(param, "account", err, KITH_ENOTFOUND, "no such account");
        w.want = (int64_t)k + 1;
        t->one = true;
    } else if (r->analysis == V2T2_DISCORD && !(t->top = alloc_array(w.cap, sizeof(*t->top)))) {
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu relationships", w.cap);
    }
    if (r->analysis != V2T2_DISCORD)
        w.cap = 0;
    float *touch = NULL, *tech = NULL;
    uint8_t *partner = NULL;
    struct v2t2_place *zones = NULL;
    const struct v2t2_window win = {.from = has_from ? rv_time_from_ms(p->from) : RV_TIME_MIN,
                                    .to = has_to ? rv_time_from_ms(p->to) : RV_TIME_MAX,
                                    .mask = scope->mask};
    /* each relationship is judged by its unit's settings, with the request's overrides */
    int rc = v2t2_judging_make(s, &r->data, p, &r->judging, err);
    if (rc < 0)
        return rc;
    r->th = r->judging.set[0].tone; /* what pooled tones are named by */
    const struct v2t2_config cfg = v2t2_judging_config(&r->judging);
    w.cfg = &cfg;
    const struct v2t2_zone_spec zs = {.cfg = &cfg, .as_of = win.to};
    rc = v2t2_catalog_of(s, &r->data, &touch, &tech, &partner, err);
    if (rc == 0)
        rc = v2t2_customer_zones(s, &zs, &zones, err);
    if (rc == 0) {
        w.zones = zones;
        const struct v2t2_catalog cat = {touch, tech, partner};
        rc = v2t2_walk(s, &cat, &win, walk_one, &w, err);
    }
    free(touch);
    free(tech);
    free(partner);
    free(zones);
    if (rc < 0)
        return rc;
    if (t->one) {
        if (!t->nrel)
            return bad_param(param, "account", err, KITH_ENOTFOUND,
                             "no such account with interactions you may read");
        return name_of(scope->store, &t->r, err);
    }
    for (int ph = 0; ph < RV_NSTAGES; ph++)
        for (int a = 0; a < V2T2_NAGENTS; a++) {
            struct v2t2_cell *c = &t->r.cells.c[ph][a];
            if (c->n) {
                c->touch = w.pooled[ph][a][0] / c->n;
                c->tech = w.pooled[ph][a][1] / c->n;
            }
            struct v2t2_heat *h = &t->heat[ph][a];
            h->discord = h->nrel ? w.heat_sum[ph][a] / h->nrel : NAN;
            h->out_share = h->nrel ? (double)w.heat_out[ph][a] / h->nrel : NAN;
        }
    t->mean_discord = t->nplaced ? w.discord_sum / (double)t->nplaced : NAN;
    for (size_t i = 0; i < t->ntop && rc == 0; i++)
        rc = name_of(scope->store, &t->top[i], err);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

int v2t2_run(enum v2t2_analysis a, const struct v2t2_params *p, const struct v2t2_scope *scope,
             struct v2t2_report *out, struct kith_error *err, const char **param)
{
    memset(out, 0, sizeof(*out));
    *param = NULL;
    out->analysis = a;
    out->p = *p;
    int rc;
    if (a == V2T2_SCENARIO)
        rc = v2t2_scenario_run(out, err, param);
    else if ((rc = store_v2t2_load(scope->store, a == V2T2_ZONES, &out->data, err)) == 0 &&
             a != V2T2_ZONES) {
        /* restricted contacts are out of the walk (analysis/rv.h, rv_mask_unrestricted) */
        struct rv_mask unrestricted;
        struct v2t2_scope eff = *scope;
        if ((rc = rv_mask_unrestricted(scope->snap, scope->mask, scope->store, &unrestricted,
                                       err)) == 0) {
            if (unrestricted.bits)
                eff.mask = &unrestricted;
            rc = walk_run(out, &eff, err, param);
            rv_mask_release(&unrestricted);
        }
    }
    if (rc == 0 && a == V2T2_ZONES) {
        rc = zones_run(out, scope, err, param);
        if (rc == 0 && out->zones.nplaces && out->zones.places[0].pov == V2T2_POV_CUSTOMER) {
            int nr = store_v2t2_account_name(scope->store, out->zones.places[0].party_id,
                                             out->label, sizeof(out->label), err);
            rc = nr == KITH_ENOTFOUND ? 0 : nr;
            out->zones.places[0].party = out->label;
            out->zones.label = out->label;
        }
    }
    if (rc < 0)
        v2t2_report_release(out);
    return rc;
}

void v2t2_report_release(struct v2t2_report *r)
{
    v2t2_data_release(&r->data);
    v2t2_judging_release(&r->judging);
    free(r->tones.top);
    json_decref(r->scenario.doc);
    memset(r, 0, sizeof(*r));
}

/* ---- recommendations ---------------------------------------------------------------------- */

static const char *const agent_phrases[V2T2_NAGENTS] = {
    "from the rep", "from the team", "from the unit", "from the partner", "in self-service"};

void v2t2_recommendation(int agent, int phase, const struct v2t2_discord *d, char *buf, size_t size)
{
    const char *touch = d->touch > 0   ? "more human contact"
                        : d->touch < 0 ? "less manual follow-up"
                                       : NULL;
    const char *tech = d->tech > 0 ? "more self-service" : d->tech < 0 ? "less technology" : NULL;
    const char *who = agent >= 0 && agent < V2T2_NAGENTS ? agent_phrases[agent] : "";
    const char *ph = rv_stage_name(phase);
    if (!touch && !tech)
        snprintf(buf, size, "in tune %s in %s: keep it", who, ph);
    else if (touch && tech)
        snprintf(buf, size, "%s, %s %s in %s", touch, tech, who, ph);
    else
        snprintf(buf, size, "%s %s in %s", touch ? touch : tech, who, ph);
}
