/*
 * deals.c - the one parameter table of the deal analyses (`kith deals` and
 * /api/v1/deal-stats/...) and their run: the deals in scope become the engine's items, one per
 * deal (by product: one per line; by manager: one per manager above the owner), grouped by the
 * chosen key. deals_quota.c adds up quotas; deals_report.c writes a report as JSON and as the
 * CLI's table; docs/deals.md defines the figures.
 */
#include "analysis/deals.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/deals_int.h"
#include "util/alloc.h"
#include "util/timefmt.h"

#include "util/banned.h"

enum {
    G_WINRATE = 1 << DEALS_WINRATE,
    G_PIPELINE = 1 << DEALS_PIPELINE,
    G_CONVERSION = 1 << DEALS_CONVERSION,
    G_FORECAST = 1 << DEALS_FORECAST,
    G_QUOTA = 1 << DEALS_QUOTA,
    G_ALL = (1 << DEALS_NANALYSES) - 1,
};

/* In the order of enum deals_by. */
const char *const deals_bys[] = {"owner",   "manager", "team",   "unit", "source",
                                 "product", "stage",   "period", NULL};
/* In the order of enum deals_period. */
const char *const deals_periods[] = {"month", "quarter", "year", NULL};

#define OFF(m) offsetof(struct deals_params, m)
static const struct param_spec specs[] = {
    {.name = "by",
     .type = PARAM_CHOICE,
     .choices = deals_bys,
     .def = "owner",
     .offset = OFF(by),
     .groups = G_ALL,
     .metavar = "GROUP",
     .help = "the grouping: owner, manager (rolled up the chain), team, unit, source, product (the"
             " deal's lines), stage, or period (winrate only); quota: owner or manager"},
    {.name = "period",
     .type = PARAM_CHOICE,
     .choices = deals_periods,
     .def = "month",
     .offset = OFF(period),
     .groups = G_WINRATE,
     .metavar = "PERIOD",
     .help = "with --by period: month, quarter or year of the close (UTC)"},
    {.name = "from",
     .type = PARAM_TIME,
     .offset = OFF(from),
     .groups = G_WINRATE | G_CONVERSION | G_QUOTA,
     .help = "deals closed (conversion: created) from this instant on; quota: periods ending"
             " after it (default: all)"},
    {.name = "to",
     .type = PARAM_TIME,
     .offset = OFF(to),
     .groups = G_WINRATE | G_CONVERSION | G_QUOTA,
     .help = "deals closed (conversion: created) before this instant; quota: periods starting"
             " before it (default: all)"},
    {.name = "quarter",
     .type = PARAM_TEXT,
     .hi = 16,
     .offset = OFF(quarter),
     .groups = G_FORECAST,
     .metavar = "YYYYQN",
     .help = "the quarter to forecast, e.g. 2026Q4 (default: the current one, UTC)"},
    {.name = "commit",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .def = "0.7",
     .offset = OFF(commit),
     .groups = G_FORECAST,
     .metavar = "P",
     .help = "an open deal of at least this probability is commit"},
    {.name = "best_case",
     .type = PARAM_NUMBER,
     .lo = 0,
     .hi = 1,
     .def = "0.4",
     .offset = OFF(best_case),
     .groups = G_FORECAST,
     .metavar = "P",
     .help = "an open deal of at least this probability (below commit) is best case; below it,"
             " pipeline"},
    PARAM_SPEC_JSON(struct deals_params, G_ALL),
    PARAM_SPEC_DB(struct deals_params, G_ALL),
};

static const struct analysis_def defs[] = {
    [DEALS_WINRATE] = {.name = "winrate",
                       .group = G_WINRATE,
                       .route = "/api/v1/deal-stats/winrate",
                       .summary = "won / (won + lost) of the deals closed in [from, to) per group, "
                                  "with a Wilson 95% interval and won amounts"},
    [DEALS_PIPELINE] = {.name = "pipeline",
                        .group = G_PIPELINE,
                        .route = "/api/v1/deal-stats/pipeline",
                        .summary = "open deals per group: count, amount, amount x probability, "
                                   "and by stage"},
    [DEALS_CONVERSION] = {.name = "conversion",
                          .group = G_CONVERSION,
                          .route = "/api/v1/deal-stats/conversion",
                          .summary = "stage-to-stage conversion and median days in stage, and the "
                                     "sales cycle of won and lost deals, per group"},
    [DEALS_FORECAST] = {.name = "forecast",
                        .group = G_FORECAST,
                        .route = "/api/v1/deal-stats/forecast",
                        .summary = "the open deals expected to close in a quarter, weighted and "
                                   "by category, and those already won in it, per group"},
    [DEALS_QUOTA] = {.name = "quota",
                     .group = G_QUOTA,
                     .route = "/api/v1/deal-stats/quota",
                     .summary = "quota attainment per user and period: won amount / quota, "
                                "rolled up per manager"},
};

const struct analysis_family analysis_deals = {"deals", specs, sizeof(specs) / sizeof(specs[0]),
                                               defs, sizeof(defs) / sizeof(defs[0])};

const struct analysis_def *deals_def(enum deals_analysis a)
{
    if ((unsigned)a >= DEALS_NANALYSES)
        BUG("no deals analysis %d", (int)a);
    return &defs[a];
}

/* ---- periods ------------------------------------------------------------------------------ */

/* The civil date of Unix day z (H. Hinnant's algorithm). */
static void civil_from_days(int64_t z, int64_t *y, int *m)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The code of the period of instant ms: months, quarters or years since year 0 (>= 0 for the
 * instants timefmt accepts). */
static int64_t period_code(enum deals_period per, int64_t ms)
{
    int64_t y;
    int m;
    civil_from_days(floor_div(ms, 86400000), &y, &m);
    switch (per) {
    case DEALS_MONTH:
        return y * 12 + (m - 1);
    case DEALS_QUARTER:
        return y * 4 + (m - 1) / 3;
    case DEALS_YEAR:
        break;
    }
    return y;
}

/* A year as timefmt writes them (0000..9999; the instants it reads lie there). */
static int year4(int64_t y)
{
    return (int)(y < 0 ? 0 : y > 9999 ? 9999 : y);
}

/* The period of code: its name and [from, to). */
static void period_of(enum deals_period per, int64_t code, char *name, size_t size, int64_t *from,
                      int64_t *to)
{
    int64_t y = code, y2;
    int m = 1, m2;
    switch (per) {
    case DEALS_MONTH:
        y = code / 12;
        m = (int)(code % 12) + 1;
        snprintf(name, size, "%04d-%02d", year4(y), m);
        y2 = m == 12 ? y + 1 : y;
        m2 = m == 12 ? 1 : m + 1;
        break;
    case DEALS_QUARTER:
        y = code / 4;
        m = (int)(code % 4) * 3 + 1;
        snprintf(name, size, "%04dQ%d", year4(y), (m - 1) / 3 + 1);
        y2 = m == 10 ? y + 1 : y;
        m2 = m == 10 ? 1 : m + 3;
        break;
    case DEALS_YEAR:
    default:
        snprintf(name, size, "%04d", year4(y));
        y2 = y + 1;
        m2 = 1;
        break;
    }
    *from = timefmt_days_from_civil(y, m, 1) * 86400000;
    *to = timefmt_days_from_civil(y2, m2, 1) * 86400000;
}

/* "2026Q4" (or 2026-Q4, 2026q4) into [from, to); false when it is not a quarter. */
static bool parse_quarter(const char *s, struct deals_window *w, char *name, size_t size)
{
    int64_t y = 0;
    size_t i = 0;
    for (; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        y = y * 10 + (s[i] - '0');
    }
    if (s[i] == '-')
        i++;
    if ((s[i] != 'Q' && s[i] != 'q') || s[i + 1] < '1' || s[i + 1] > '4' || s[i + 2] || y < 1)
        return false;
    w->has_from = w->has_to = true;
    period_of(DEALS_QUARTER, y * 4 + (s[i + 1] - '1'), name, size, &w->from, &w->to);
    return true;
}

/* ---- grouping ----------------------------------------------------------------------------- */

struct grouping {
    enum deals_by by;
    struct deals_group *g;
    size_t n;
};

/* Names ascending (bytewise), then ids; "none" last. */
static int key_cmp(struct deals_key a, struct deals_key b)
{
    const bool an = !a.id && !a.name, bn = !b.id && !b.name;
    if (an != bn)
        return an ? 1 : -1;
    int c = strcmp(a.name ? a.name : "", b.name ? b.name : "");
    if (c)
        return c;
    return (a.id > b.id) - (a.id < b.id);
}

/* The same group: the same id, and without one (sources) the same name. */
static bool key_same(struct deals_key a, struct deals_key b)
{
    if (a.id != b.id)
        return false;
    if (a.id)
        return true;
    if (!a.name || !b.name)
        return a.name == b.name;
    return a.name == b.name || strcmp(a.name, b.name) == 0;
}

static uint64_t key_hash(struct deals_key k)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)k.id;
    if (!k.id && k.name)
        for (const unsigned char *c = (const unsigned char *)k.name; *c; c++)
            h = (h ^ *c) * 1099511628211u;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    return h ^ (h >> 33);
}

/* The key of deal x under by (not product, manager or period: those are per line, per manager
 * and per close). */
static struct deals_key deal_key(const struct deal_data *d, const struct deal_rec *x,
                                 enum deals_by by)
{
    switch (by) {
    case DEALS_BY_OWNER:
        return (struct deals_key){x->owner_id, x->owner};
    case DEALS_BY_TEAM:
        return (struct deals_key){x->team_id, x->team};
    case DEALS_BY_UNIT:
        return (struct deals_key){x->unit_id, x->unit};
    case DEALS_BY_SOURCE:
        return (struct deals_key){0, x->source};
    case DEALS_BY_STAGE:
        return (struct deals_key){d->stages[x->stage].id, d->stages[x->stage].name};
    case DEALS_BY_PRODUCT:
    case DEALS_BY_MANAGER:
    case DEALS_BY_PERIOD:
        break;
    }
    return (struct deals_key){0, NULL};
}

struct deal_item deals_item_of(const struct deal_data *d, size_t i, size_t group, int64_t amount)
{
    const struct deal_rec *x = &d->deals[i];
    return (struct deal_item){.group = group,
                              .deal = i,
                              .stage = x->stage,
                              .outcome = x->outcome,
                              .amount = amount,
                              .probability = x->probability,
                              .has_closed = x->has_closed,
                              .closed_at = x->closed_at,
                              .created_at = x->created_at,
                              .has_expected = x->has_expected,
                              .expected_at = x->expected_close_at};
}

size_t deals_owner_index(const struct deal_data *d, const struct deal_rec *x)
{
    const size_t u = x->owner_user;
    if (x->owner_id && u < d->nusers && d->users[u].id == x->owner_id)
        return u;
    return deals_user_index(d, x->owner_id); /* data not from the loader */
}

size_t deals_user_index(const struct deal_data *d, int64_t id)
{
    size_t lo = 0, hi = d->nusers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->users[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return id && lo < d->nusers && d->users[lo].id == id ? lo : DEALS_NONE;
}

int deals_org_of(const struct deal_data *d, struct deals_org *org, struct kith_error *err)
{
    size_t *manager = alloc_array_grow(NULL, d->nusers ? d->nusers : 1, sizeof(*manager));
    if (!manager)
        return kith_err(err, KITH_ENOMEM, "out of memory reading %zu users' managers", d->nusers);
    for (size_t u = 0; u < d->nusers; u++)
        manager[u] = deals_user_index(d, d->users[u].manager_id);
    int rc = deals_org_build(manager, d->nusers, org, err);
    free(manager);
    return rc;
}

/* The items and their keys as they are made, then numbered into groups. */
struct itemizer {
    struct deal_item *items;
    struct deals_key *keys;
    size_t n, cap;
};

static int add_item(struct itemizer *z, struct deal_item it, struct deals_key k,
                    struct kith_error *err)
{
    if (z->n == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 1024;
        struct deal_item *items = alloc_array_grow(z->items, cap, sizeof(*items));
        if (items)
            z->items = items;
        struct deals_key *keys = items ? alloc_array_grow(z->keys, cap, sizeof(*keys)) : NULL;
        if (!keys)
            return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu deal items", z->n);
        z->keys = keys;
        z->cap = cap;
    }
    z->items[z->n] = it;
    z->keys[z->n++] = k;
    return 0;
}

/* Whether deal x can count in analysis a at all (the engine decides the rest): items are made
 * only for those. */
static bool relevant(enum deals_analysis a, const struct deal_rec *x)
{
    switch (a) {
    case DEALS_WINRATE:
        return x->outcome != DEAL_OPEN;
    case DEALS_PIPELINE:
        return x->outcome == DEAL_OPEN;
    case DEALS_FORECAST:
        return x->outcome == DEAL_OPEN ? x->has_expected : x->outcome == DEAL_WON;
    case DEALS_CONVERSION:
    case DEALS_QUOTA:
    case DEALS_NANALYSES:
        break;
    }
    return true;
}

/* The number of deals in scope, and the index of the k-th. */
static size_t in_scope(const struct deals_report *r)
{
    return r->subset ? r->nsubset : r->d.n;
}

static size_t scope_deal(const struct deals_report *r, size_t k)
{
    return r->subset ? r->subset[k] : k;
}

/* The items of r->d (one per deal; per line with by product; per manager above the owner with
 * by manager; keyed by the close's period with by period). */
static int make_items(struct deals_report *r, enum deals_by by, struct itemizer *z,
                      struct kith_error *err)
{
    const struct deal_data *d = &r->d;
    /*
     * Room for the most items there can be, without a pass over the deals to count them (it read
     * every deal twice): a page of the arrays that no item reaches is never touched, so costs
     * nothing. Only management chains deeper than 8 are counted, to keep the bound sensible.
     */
    size_t m = in_scope(r);
    if (by == DEALS_BY_PRODUCT)
        m += d->nlines;
    else if (by == DEALS_BY_MANAGER) {
        size_t chain = 0;
        for (size_t u = 0; u < d->nusers; u++)
            if (r->org.above0[u + 1] - r->org.above0[u] > chain)
                chain = r->org.above0[u + 1] - r->org.above0[u];
        if (chain < 8) /* else the bound is far above the count: count them */
            m *= chain + 1;
        else
            for (size_t s = m = 0; s < in_scope(r); s++) {
                const struct deal_rec *x = &d->deals[scope_deal(r, s)];
                const size_t u = deals_owner_index(d, x);
                if (relevant(r->analysis, x) && u != DEALS_NONE)
                    m += r->org.manages[u] + r->org.above0[u + 1] - r->org.above0[u];
            }
    }
    z->items = alloc_array_grow(NULL, m ? m : 1, sizeof(*z->items));
    z->keys = alloc_array_grow(NULL, m ? m : 1, sizeof(*z->keys));
    if (!z->items || !z->keys)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu deal items", m);
    z->cap = m ? m : 1;
    int rc = 0;
    for (size_t s = 0; rc == 0 && s < in_scope(r); s++) {
        const size_t i = scope_deal(r, s);
        const struct deal_rec *x = &d->deals[i];
        if (!relevant(r->analysis, x))
            continue;
        if (by == DEALS_BY_PRODUCT && x->nlines) {
            for (size_t j = 0; rc == 0 && j < x->nlines; j++) {
                const struct deal_line_rec *l = &d->lines[x->line0 + j];
                rc = add_item(z, deals_item_of(d, i, 0, l->amount),
                              (struct deals_key){l->product_id, l->product}, err);
            }
        } else if (by == DEALS_BY_MANAGER) {
            const size_t u = deals_owner_index(d, x);
            if (u == DEALS_NONE)
                continue;
            const struct deal_item it = deals_item_of(d, i, 0, x->amount);
            if (r->org.manages[u])
                rc = add_item(z, it, (struct deals_key){d->users[u].id, d->users[u].name}, err);
            for (size_t k = r->org.above0[u]; rc == 0 && k < r->org.above0[u + 1]; k++) {
                const struct deal_user_rec *mgr = &d->users[r->org.above[k]];
                rc = add_item(z, it, (struct deals_key){mgr->id, mgr->name}, err);
            }
        } else if (by == DEALS_BY_PERIOD) {
            const struct deals_key k = {
                x->has_closed ? period_code((enum deals_period)r->p.period, x->closed_at) + 1 : 0,
                NULL};
            rc = add_item(z, deals_item_of(d, i, 0, x->amount), k, err);
        } else {
            rc = add_item(z, deals_item_of(d, i, 0, x->amount), deal_key(d, x, by), err);
        }
    }
    return rc;
}

struct numbered {
    struct deals_key key;
    size_t first; /* the order of first sight */
};

static int numbered_cmp(const void *a, const void *b)
{
    const struct numbered *x = a, *y = b;
    return key_cmp(x->key, y->key);
}

/*
 * Numbers the groups of the items' keys: equal keys (key_same) are one group, the groups sorted
 * by key_cmp. Fills gr and the items' group. O(n) in the items (a hash of the keys), then a sort
 * of the groups.
 */
static int number_groups(struct grouping *gr, struct itemizer *z, struct kith_error *err)
{
    /* sized by the groups, not the items: a few hundred managers over millions of items */
    size_t size = 64, cap = 32;
    size_t *slot = alloc_array_zero(size, sizeof(*slot)); /* group + 1 */
    struct numbered *seen = alloc_array_grow(NULL, cap, sizeof(*seen));
    size_t *rank = NULL;
    size_t ng = 0;
    int rc = 0;
    if (!slot || !seen) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
        goto out;
    }
    for (size_t i = 0; i < z->n; i++) {
        size_t k = (size_t)key_hash(z->keys[i]) & (size - 1);
        while (slot[k] && !key_same(seen[slot[k] - 1].key, z->keys[i]))
            k = (k + 1) & (size - 1);
        size_t g = slot[k] - 1;
        if (!slot[k]) {
            g = ng;
            if (ng == cap) {
                struct numbered *more = alloc_array_grow(seen, cap * 2, sizeof(*seen));
                if (!more) {
                    rc = kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
                    goto out;
                }
                seen = more;
                cap *= 2;
            }
            seen[ng] = (struct numbered){z->keys[i], ng};
            slot[k] = ++ng;
            if (2 * ng > size) { /* half full: twice the slots, the groups placed again */
                size_t *wider = alloc_array_zero(size * 2, sizeof(*wider));
                if (!wider) {
                    rc = kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
                    goto out;
                }
                free(slot);
                slot = wider;
                size *= 2;
                for (size_t h = 0; h < ng; h++) {
                    size_t j = (size_t)key_hash(seen[h].key) & (size - 1);
                    while (slot[j])
                        j = (j + 1) & (size - 1);
                    slot[j] = h + 1;
                }
            }
        }
        z->items[i].group = g;
    }
    qsort(seen, ng, sizeof(*seen), numbered_cmp);
    rank = alloc_array_grow(NULL, ng ? ng : 1, sizeof(*rank));
    gr->g = alloc_array_grow(NULL, ng ? ng : 1, sizeof(*gr->g));
    if (!rank || !gr->g) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
        goto out;
    }
    for (size_t k = 0; k < ng; k++) {
        rank[seen[k].first] = k;
        memset(&gr->g[k], 0, sizeof(gr->g[k]));
        gr->g[k].key = seen[k].key;
    }
    gr->n = ng;
    for (size_t i = 0; i < z->n; i++)
        z->items[i].group = rank[z->items[i].group];
out:
    free(slot);
    free(seen);
    free(rank);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

int deals_bad_param(const char **param, const char *name, struct kith_error *err, const char *msg)
{
    *param = name;
    return kith_err(err, KITH_EINVAL, "%s", msg);
}

/* The figures of one analysis over the items, per group, and over every deal once (total). */
static int compute(struct deals_report *r, const struct deal_item *items, size_t n,
                   struct kith_error *err)
{
    const struct deals_window w = {
        .has_from = r->has_from, .has_to = r->has_to, .from = r->p.from, .to = r->p.to};
    const size_t ng = r->ngroups, ns = r->d.nstages;
    /* one item per deal: the total is the sum of the groups; else it is counted over the deals */
    const bool fold = r->analysis != DEALS_CONVERSION && r->p.by != DEALS_BY_PRODUCT &&
                      r->p.by != DEALS_BY_MANAGER;
    struct deal_item *all =
        alloc_array_grow(NULL, !fold && in_scope(r) ? in_scope(r) : 1, sizeof(*all));
    struct deals_winrate *wr = alloc_array_grow(NULL, ng + 1, sizeof(*wr));
    struct deals_pipe *pp = alloc_array_grow(NULL, ng + 1, sizeof(*pp));
    struct deals_forecast *fc = alloc_array_grow(NULL, ng + 1, sizeof(*fc));
    struct deals_cycle *cw = alloc_array_grow(NULL, ng + 1, sizeof(*cw));
    struct deals_cycle *cl = alloc_array_grow(NULL, ng + 1, sizeof(*cl));
    int rc = 0;
    if (r->analysis == DEALS_PIPELINE && ns)
        r->cells = alloc_array_grow(NULL, (ng + 1) * ns, sizeof(*r->cells));
    if (r->analysis == DEALS_CONVERSION && ns)
        r->conv_cells = alloc_array_grow(NULL, (ng + 1) * ns, sizeof(*r->conv_cells));
    if (!all || !wr || !pp || !fc || !cw || !cl ||
        (r->analysis == DEALS_PIPELINE && ns && !r->cells) ||
        (r->analysis == DEALS_CONVERSION && ns && !r->conv_cells)) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory adding up deals");
        goto out_free;
    }
    size_t nall = 0;
    for (size_t k = 0; !fold && k < in_scope(r); k++) {
        const size_t i = scope_deal(r, k);
        if (relevant(r->analysis, &r->d.deals[i]))
            all[nall++] = deals_item_of(&r->d, i, 0, r->d.deals[i].amount);
    }
    switch (r->analysis) {
    case DEALS_WINRATE:
        deals_winrate(items, n, &w, wr, ng);
        if (fold)
            deals_winrate_fold(wr, ng, &r->total.w);
        else
            deals_winrate(all, nall, &w, &r->total.w, 1);
        for (size_t g = 0; g < ng; g++)
            r->groups[g].w = wr[g];
        break;
    case DEALS_PIPELINE:
        deals_pipeline(items, n, pp, ng, r->cells, ns);
        if (fold)
            deals_pipeline_fold(pp, ng, r->cells, ns, &r->total.p,
                                r->cells ? r->cells + ng * ns : NULL);
        else
            deals_pipeline(all, nall, &r->total.p, 1, r->cells ? r->cells + ng * ns : NULL, ns);
        for (size_t g = 0; g < ng; g++) {
            r->groups[g].p = pp[g];
            r->groups[g].stage = r->cells ? r->cells + g * ns : NULL;
        }
        r->total.stage = r->cells ? r->cells + ng * ns : NULL;
        break;
    case DEALS_FORECAST:
        deals_forecast(items, n, &r->quarter, &r->categories, fc, ng);
        if (fold)
            deals_forecast_fold(fc, ng, &r->total.f);
        else
            deals_forecast(all, nall, &r->quarter, &r->categories, &r->total.f, 1);
        for (size_t g = 0; g < ng; g++)
            r->groups[g].f = fc[g];
        break;
    case DEALS_CONVERSION: {
        struct deals_conv_cell scratch; /* no stages: nothing to fill */
        struct deals_conv_cell *cells = r->conv_cells ? r->conv_cells : &scratch;
        if ((rc = deals_conversion(items, n, &r->d, &w, &w, cells, cw, cl, ng, err)) < 0 ||
            (rc = deals_conversion(all, nall, &r->d, &w, &w, ns ? cells + ng * ns : cells,
                                   &r->total.won_cycle, &r->total.lost_cycle, 1, err)) < 0)
            goto out_free;
        for (size_t g = 0; g < ng; g++) {
            r->groups[g].conv = r->conv_cells ? r->conv_cells + g * ns : NULL;
            r->groups[g].won_cycle = cw[g];
            r->groups[g].lost_cycle = cl[g];
        }
        r->total.conv = r->conv_cells ? r->conv_cells + ng * ns : NULL;
        break;
    }
    case DEALS_QUOTA:
    case DEALS_NANALYSES:
        break;
    }
    /* a group shows when it has something to show */
    size_t kept = 0;
    for (size_t g = 0; g < ng; g++) {
        const struct deals_group *x = &r->groups[g];
        bool show = false;
        switch (r->analysis) {
        case DEALS_WINRATE:
            show = x->w.won + x->w.lost > 0;
            break;
        case DEALS_PIPELINE:
            show = x->p.count > 0;
            break;
        case DEALS_FORECAST:
            show = x->f.expected.count + x->f.won > 0;
            break;
        case DEALS_CONVERSION:
            show = x->won_cycle.n + x->lost_cycle.n > 0;
            for (size_t s = 0; !show && x->conv && s < ns; s++)
                show = x->conv[s].reached > 0;
            break;
        case DEALS_QUOTA:
        case DEALS_NANALYSES:
            break;
        }
        if (show)
            r->groups[kept++] = r->groups[g];
    }
    r->ngroups = kept;
out_free:
    free(all);
    free(wr);
    free(pp);
    free(fc);
    free(cw);
    free(cl);
    return rc;
}

/* By period: the groups' names and instants. */
static int name_periods(struct deals_report *r, struct kith_error *err)
{
    r->period_names = alloc_array_grow(NULL, r->ngroups ? r->ngroups : 1, sizeof(*r->period_names));
    if (!r->period_names)
        return kith_err(err, KITH_ENOMEM, "out of memory naming periods");
    for (size_t g = 0; g < r->ngroups; g++) {
        struct deals_group *x = &r->groups[g];
        if (!x->key.id)
            continue; /* not closed: none */
        period_of((enum deals_period)r->p.period, x->key.id - 1, r->period_names[g],
                  sizeof(r->period_names[g]), &x->period_from, &x->period_to);
        x->key.name = r->period_names[g];
    }
    return 0;
}

/* What only the combination of the parameters can say. */
static int check_params(struct deals_report *out, const struct deals_scope *scope,
                        struct kith_error *err, const char **param)
{
    const struct deals_params *p = &out->p;
    const enum deals_analysis a = out->analysis;
    if (out->has_from && out->has_to && p->to <= p->from)
        return deals_bad_param(param, "to", err, "must be after from");
    if (p->by == DEALS_BY_PERIOD && a != DEALS_WINRATE)
        return deals_bad_param(param, "by", err,
                               "period is a grouping of winrate only (the close's period)");
    if (a == DEALS_QUOTA && p->by != DEALS_BY_OWNER && p->by != DEALS_BY_MANAGER)
        return deals_bad_param(param, "by", err,
                               "quotas are per user: quota takes by owner or by manager");
    if (a == DEALS_FORECAST) {
        if (p->best_case > p->commit)
            return deals_bad_param(param, "best_case", err,
                                   "must not be above commit (the categories would overlap)");
        out->categories = (struct deals_categories){p->commit, p->best_case};
        if (p->quarter) {
            if (!parse_quarter(p->quarter, &out->quarter, out->quarter_name,
                               sizeof(out->quarter_name)))
                return deals_bad_param(param, "quarter", err,
                                       "must be a year and a quarter, as in 2026Q4");
        } else {
            out->quarter.has_from = out->quarter.has_to = true;
            period_of(DEALS_QUARTER, period_code(DEALS_QUARTER, scope->now), out->quarter_name,
                      sizeof(out->quarter_name), &out->quarter.from, &out->quarter.to);
        }
    }
    return 0;
}

/* The deals of r->d whose ids are in scope->deals (both ascending): r->subset. */
static int pick_subset(struct deals_report *r, const struct deals_scope *scope,
                       struct kith_error *err)
{
    const size_t most = scope->ndeals < r->d.n ? scope->ndeals : r->d.n;
    r->subset = alloc_array_grow(NULL, most ? most : 1, sizeof(*r->subset));
    if (!r->subset)
        return kith_err(err, KITH_ENOMEM, "out of memory choosing %zu deals", scope->ndeals);
    size_t i = 0, j = 0;
    while (i < r->d.n && j < scope->ndeals) {
        const int64_t a = r->d.deals[i].id, b = scope->deals[j];
        if (a == b)
            r->subset[r->nsubset++] = i;
        i += a <= b;
        j += b <= a;
    }
    return 0;
}

int deals_run(enum deals_analysis a, const struct deals_params *p, const struct deals_scope *scope,
              struct deals_report *out, struct kith_error *err, const char **param)
{
    static const int64_t no_row = 0; /* a scope of no rows: a filter nothing passes */
    memset(out, 0, sizeof(*out));
    *param = NULL;
    out->analysis = a;
    out->p = *p;
    out->has_from = param_given(&analysis_deals, p, "from");
    out->has_to = param_given(&analysis_deals, p, "to");
    int rc = check_params(out, scope, err, param);
    if (rc < 0)
        return rc;
    if (scope->shared && a != DEALS_CONVERSION && a != DEALS_QUOTA) {
        out->d = *scope->shared;
        out->shared = true;
        if (scope->scoped && (rc = pick_subset(out, scope, err)) < 0)
            goto out_release;
    } else {
        const int64_t *ids = scope->scoped ? (scope->ndeals ? scope->deals : &no_row) : NULL;
        rc = store_deals_load(scope->store, ids, scope->scoped ? scope->ndeals : 0, &out->d, err);
        if (rc < 0)
            return rc;
    }
    if (a == DEALS_CONVERSION && (rc = store_deal_changes_load(scope->store, &out->d, err)) < 0)
        goto out_release;
    if (a == DEALS_QUOTA) {
        const int64_t *qids = scope->scoped ? (scope->nquotas ? scope->quotas : &no_row) : NULL;
        if ((rc = store_deal_quotas_load(scope->store, qids, scope->scoped ? scope->nquotas : 0,
                                         &out->d, err)) < 0)
            goto out_release;
    }
    if (p->by == DEALS_BY_MANAGER) {
        if ((rc = deals_org_of(&out->d, &out->org, err)) < 0)
            goto out_release;
        out->has_org = true;
    }
    if (a == DEALS_QUOTA) {
        rc = deals_quota_run(out, err);
        goto out_release;
    }
    struct grouping gr = {.by = (enum deals_by)p->by};
    struct itemizer z = {0};
    if ((rc = make_items(out, gr.by, &z, err)) == 0 && (rc = number_groups(&gr, &z, err)) == 0) {
        out->groups = gr.g;
        out->ngroups = gr.n;
        gr.g = NULL;
        if (gr.by == DEALS_BY_PERIOD)
            rc = name_periods(out, err);
        if (rc == 0)
            rc = compute(out, z.items, z.n, err);
    }
    free(z.items);
    free(z.keys);
    free(gr.g);
out_release:
    if (rc < 0)
        deals_report_release(out);
    return rc;
}

void deals_report_release(struct deals_report *r)
{
    if (!r->shared)
        deal_data_release(&r->d);
    free(r->subset);
    free(r->groups);
    free(r->cells);
    free(r->conv_cells);
    free(r->period_names);
    free(r->quota_rows);
    deals_org_release(&r->org);
    memset(r, 0, sizeof(*r));
}
