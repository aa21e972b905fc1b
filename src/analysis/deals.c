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

struct keyed {
    struct deals_key key;
    size_t item;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = key_cmp(x->key, y->key);
    return c ? c : (x->item > y->item) - (x->item < y->item);
}

/* The items of d (one per deal, or per line with by product) with their keys; both arrays are
 * the caller's (free()), n long. */
static int make_items(const struct deal_data *d, enum deals_by by, struct deal_item **items,
                      struct keyed **keys, size_t *n, struct kith_error *err)
{
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++)
        m += by == DEALS_BY_PRODUCT && d->deals[i].nlines ? d->deals[i].nlines : 1;
    *n = 0;
    *items = alloc_array_grow(NULL, m ? m : 1, sizeof(**items));
    *keys = alloc_array_grow(NULL, m ? m : 1, sizeof(**keys));
    if (!*items || !*keys)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping %zu deals", d->n);
    for (size_t i = 0; i < d->n; i++) {
        const struct deal_rec *x = &d->deals[i];
        const bool per_line = by == DEALS_BY_PRODUCT && x->nlines;
        for (size_t j = 0; j < (per_line ? x->nlines : 1); j++) {
            const struct deal_line_rec *l = per_line ? &d->lines[x->line0 + j] : NULL;
            (*keys)[*n] = (struct keyed){
                l ? (struct deals_key){l->product_id, l->product} : deal_key(d, x, by), *n};
            (*items)[*n] = item_of(x, 0, l ? l->amount : x->amount);
            (*n)++;
        }
    }
    return 0;
}

/*
 * Sorts the keys and numbers the groups in that order: equal keys (same id; for source, same
 * name) are one group. Fills gr and the items' group. O(n log n) in the items.
 */
static int number_groups(struct grouping *gr, struct deal_item *items, struct keyed *keys, size_t n,
                         struct kith_error *err)
{
    qsort(keys, n, sizeof(*keys), keyed_cmp);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        ng += i == 0 || key_cmp(keys[i - 1].key, keys[i].key) != 0;
    gr->g = alloc_array_grow(NULL, ng ? ng : 1, sizeof(*gr->g));
    if (!gr->g)
        return kith_err(err, KITH_ENOMEM, "out of memory grouping deals");
    gr->n = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || key_cmp(keys[i - 1].key, keys[i].key) != 0) {
            memset(&gr->g[gr->n], 0, sizeof(gr->g[gr->n]));
            gr->g[gr->n++].key = keys[i].key;
        }
        items[keys[i].item].group = gr->n - 1;
    }
    return 0;
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
    struct keyed *keys = NULL;
    size_t n = 0;
    if ((rc = make_items(&out->d, gr.by, &items, &keys, &n, err)) < 0 ||
        (rc = number_groups(&gr, items, keys, n, err)) < 0)
        goto out_release;
    out->groups = gr.g;
    out->ngroups = gr.n;
    gr.g = NULL;
    rc = compute(out, items, n, err);
out_release:
    free(items);
    free(keys);
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
