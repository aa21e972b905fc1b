/*
 * deals.c - the one parameter table of the deal analyses (`kith deals` and
 * /api/v1/deal-stats/...) and their run: the deals in scope become the engine's items, one per
 * deal (by product: one per line), grouped by the chosen key. deals_report.c writes a report as
 * JSON and as the CLI's table; docs/deals.md defines the figures.
 */
#include "analysis/deals.h"

#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

enum {
    G_WINRATE = 1 << DEALS_WINRATE,
    G_PIPELINE = 1 << DEALS_PIPELINE,
    G_ALL = (1 << DEALS_NANALYSES) - 1,
};

/* In the order of enum deals_by. */
const char *const deals_bys[] = {"owner", "team", "unit", "source", "product", "stage", NULL};

#define OFF(m) offsetof(struct deals_params, m)
static const struct param_spec specs[] = {
    {.name = "by",
     .type = PARAM_CHOICE,
     .choices = deals_bys,
     .def = "owner",
     .offset = OFF(by),
     .groups = G_ALL,
     .metavar = "GROUP",
     .help = "the grouping: owner, team, unit, source, product (the deal's lines) or stage"},
    {.name = "from",
     .type = PARAM_TIME,
     .offset = OFF(from),
     .groups = G_WINRATE,
     .help = "deals closed from this instant on (default: all)"},
    {.name = "to",
     .type = PARAM_TIME,
     .offset = OFF(to),
     .groups = G_WINRATE,
     .help = "deals closed before this instant (default: all)"},
    {.name = "json",
     .type = PARAM_FLAG,
     .offset = OFF(json),
     .groups = G_ALL,
     .cli_only = true,
     .help = "JSON (the API's answer) instead of a table"},
    {.name = "db",
     .type = PARAM_TEXT,
     .hi = 4096,
     .offset = OFF(db),
     .groups = G_ALL,
     .metavar = "PATH",
     .cli_only = true,
     .help = "the database (default: $KITH_DB, else ./kith.db)"},
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
};

const struct analysis_family analysis_deals = {"deals", specs, sizeof(specs) / sizeof(specs[0]),
                                               defs, sizeof(defs) / sizeof(defs[0])};

const struct analysis_def *deals_def(enum deals_analysis a)
{
    if ((unsigned)a >= DEALS_NANALYSES)
        BUG("no deals analysis %d", (int)a);
    return &defs[a];
}

/* ---- grouping --------------------------------------------------------------------------- */

struct grouping {
    enum deals_by by;
    struct deals_group *g;
    size_t n, cap;
};

static bool same_key(enum deals_by by, struct deals_key a, struct deals_key b)
{
    if (by != DEALS_BY_SOURCE)
        return a.id == b.id;
    return a.name == b.name || (a.name && b.name && strcmp(a.name, b.name) == 0);
}

/* The index of key's group, added when new: groups are few (owners, teams, ...), so a linear
 * search; *at gets it. */
static int group_of(struct grouping *gr, struct deals_key key, size_t *at, struct kith_error *err)
{
    for (size_t i = 0; i < gr->n; i++)
        if (same_key(gr->by, gr->g[i].key, key)) {
            *at = i;
            return 0;
        }
    if (gr->n == gr->cap) {
        size_t ncap = gr->cap ? gr->cap * 2 : 16;
        struct deals_group *p = alloc_array_grow(gr->g, ncap, sizeof(*p));
        if (!p)
            return kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
        gr->g = p;
        gr->cap = ncap;
    }
    memset(&gr->g[gr->n], 0, sizeof(gr->g[gr->n]));
    gr->g[gr->n].key = key;
    *at = gr->n++;
    return 0;
}

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

/* The key of deal x under by (not product: that is per line). */
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
        break;
    }
    return (struct deals_key){0, NULL}; /* a deal without lines */
}

static struct deal_item item_of(const struct deal_rec *x, size_t group, int64_t amount)
{
    return (struct deal_item){.group = group,
                              .stage = x->stage,
                              .outcome = x->outcome,
                              .amount = amount,
                              .probability = x->probability,
                              .has_closed = x->has_closed,
                              .closed_at = x->closed_at};
}

/* The items of d grouped by by into gr: one per deal, or per line with by product. *items is
 * the caller's (free()). */
static int make_items(const struct deal_data *d, struct grouping *gr, struct deal_item **items,
                      size_t *n, struct kith_error *err)
{
    size_t cap = 0;
    *items = NULL;
    *n = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct deal_rec *x = &d->deals[i];
        const bool per_line = gr->by == DEALS_BY_PRODUCT && x->nlines;
        const size_t k = per_line ? x->nlines : 1;
        if (*n + k > cap) {
            size_t ncap = cap ? cap * 2 : 256;
            while (ncap < *n + k)
                ncap *= 2;
            struct deal_item *p = alloc_array_grow(*items, ncap, sizeof(*p));
            if (!p)
                return kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
            *items = p;
            cap = ncap;
        }
        for (size_t j = 0; j < k; j++) {
            const struct deal_line_rec *l = per_line ? &d->lines[x->line0 + j] : NULL;
            struct deals_key key =
                l ? (struct deals_key){l->product_id, l->product} : deal_key(d, x, gr->by);
            size_t g = 0;
            if (group_of(gr, key, &g, err) < 0)
                return err->code;
            (*items)[(*n)++] = item_of(x, g, l ? l->amount : x->amount);
        }
    }
    return 0;
}

struct ranked {
    struct deals_key key;
    size_t old; /* the group's index before sorting */
};

static int ranked_cmp(const void *a, const void *b)
{
    return key_cmp(((const struct ranked *)a)->key, ((const struct ranked *)b)->key);
}

/* Sorts gr's groups by key and renumbers the items' groups to match. */
static int sort_groups(struct grouping *gr, struct deal_item *items, size_t n,
                       struct kith_error *err)
{
    if (gr->n < 2)
        return 0;
    struct ranked *r = alloc_array_grow(NULL, gr->n, sizeof(*r));
    size_t *rank = alloc_array_grow(NULL, gr->n, sizeof(*rank));
    int rc = 0;
    if (!r || !rank) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory sorting groups");
        goto out_free;
    }
    for (size_t i = 0; i < gr->n; i++)
        r[i] = (struct ranked){gr->g[i].key, i};
    qsort(r, gr->n, sizeof(*r), ranked_cmp);
    for (size_t i = 0; i < gr->n; i++) {
        rank[r[i].old] = i;
        gr->g[i].key = r[i].key;
    }
    for (size_t i = 0; i < n; i++)
        items[i].group = rank[items[i].group];
out_free:
    free(r);
    free(rank);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------------ */

static int bad_param(const char **param, const char *name, struct kith_error *err, const char *msg)
{
    *param = name;
    return kith_err(err, KITH_EINVAL, "%s", msg);
}

/* Fills the groups' and the total's figures from the items (grouped) and the deals (total). */
static int compute(struct deals_report *r, const struct deal_item *items, size_t n,
                   struct kith_error *err)
{
    const struct deals_window w = {
        .has_from = r->has_from, .has_to = r->has_to, .from = r->p.from, .to = r->p.to};
    const size_t ng = r->ngroups, ns = r->d.nstages;
    struct deal_item *all = alloc_array_grow(NULL, r->d.n ? r->d.n : 1, sizeof(*all));
    struct deals_winrate *wr = alloc_array_grow(NULL, ng ? ng : 1, sizeof(*wr));
    struct deals_pipe *pp = alloc_array_grow(NULL, ng ? ng : 1, sizeof(*pp));
    int rc = 0;
    if (r->analysis == DEALS_PIPELINE && ns)
        r->cells = alloc_array_grow(NULL, (ng + 1) * ns, sizeof(*r->cells));
    if (!all || !wr || !pp || (r->analysis == DEALS_PIPELINE && ns && !r->cells)) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory adding up deals");
        goto out_free;
    }
    for (size_t i = 0; i < r->d.n; i++)
        all[i] = item_of(&r->d.deals[i], 0, r->d.deals[i].amount);
    if (r->analysis == DEALS_WINRATE) {
        deals_winrate(items, n, &w, wr, ng);
        deals_winrate(all, r->d.n, &w, &r->total.w, 1);
        for (size_t g = 0; g < ng; g++)
            r->groups[g].w = wr[g];
    } else {
        deals_pipeline(items, n, pp, ng, r->cells, ns);
        deals_pipeline(all, r->d.n, &r->total.p, 1, r->cells ? r->cells + ng * ns : NULL, ns);
        for (size_t g = 0; g < ng; g++) {
            r->groups[g].p = pp[g];
            r->groups[g].stage = r->cells ? r->cells + g * ns : NULL;
        }
        r->total.stage = r->cells ? r->cells + ng * ns : NULL;
    }
    /* a group shows when it has something to show: closed deals, or open ones */
    size_t kept = 0;
    for (size_t g = 0; g < ng; g++)
        if (r->analysis == DEALS_WINRATE ? r->groups[g].w.won + r->groups[g].w.lost > 0
                                         : r->groups[g].p.count > 0)
            r->groups[kept++] = r->groups[g];
    r->ngroups = kept;
out_free:
    free(all);
    free(wr);
    free(pp);
    return rc;
}

int deals_run(enum deals_analysis a, const struct deals_params *p, const struct deals_scope *scope,
              struct deals_report *out, struct kith_error *err, const char **param)
{
    static const int64_t no_deal = 0; /* a scope of no deals: a filter nothing passes */
    memset(out, 0, sizeof(*out));
    *param = NULL;
    out->analysis = a;
    out->p = *p;
    out->has_from = param_given(&analysis_deals, p, "from");
    out->has_to = param_given(&analysis_deals, p, "to");
    if (out->has_from && out->has_to && p->to <= p->from)
        return bad_param(param, "to", err, "must be after from");
    const int64_t *ids = scope->scoped ? (scope->ndeals ? scope->deals : &no_deal) : NULL;
    int rc = store_deals_load(scope->store, ids, scope->scoped ? scope->ndeals : 0, &out->d, err);
    if (rc < 0)
        return rc;
    struct grouping gr = {.by = (enum deals_by)p->by};
    struct deal_item *items = NULL;
    size_t n = 0;
    if ((rc = make_items(&out->d, &gr, &items, &n, err)) < 0 ||
        (rc = sort_groups(&gr, items, n, err)) < 0)
        goto out_release;
    out->groups = gr.g;
    out->ngroups = gr.n;
    gr.g = NULL;
    rc = compute(out, items, n, err);
out_release:
    free(items);
    free(gr.g);
    if (rc < 0)
        deals_report_release(out);
    return rc;
}

void deals_report_release(struct deals_report *r)
{
    deal_data_release(&r->d);
    free(r->groups);
    free(r->cells);
    memset(r, 0, sizeof(*r));
}
