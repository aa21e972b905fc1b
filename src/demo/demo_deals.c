/*
 * demo_deals.c - the demo's sales pipeline: deals (opportunities) of each account from go-live
 * to "now", their stage path, lines and outcome, and the users' managers. Planted effect (h):
 * the odds of winning rise with the RV the account's contacts gained in the 180 days before
 * the close and with its latent quality q. A random stream of its own (4), so that adding deals
 * changed no other row. Rules: docs/demo-data.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define DEAL_EVERY_DAYS 270.0 /* mean days between an account's deals */
/* logit P(won) = WIN_INTERCEPT + WIN_QUALITY q + WIN_RV z, z the standardised asinh(RV / 50) of
 * the RV the account gained in the WIN_RV_DAYS before the close */
#define WIN_INTERCEPT  (-0.2)
#define WIN_QUALITY    0.4
#define WIN_RV         0.9
#define WIN_RV_DAYS    180
#define MAX_DEAL_LINES 3

const char *const demo_deal_stages[DEMO_NSTAGES] = {"Prospecting", "Engaging", "Proposal",
                                                    "Closing",     "Won",      "Lost"};
const char *const demo_loss_reasons[] = {"price", "competitor", "no decision", "timing", "budget"};
const size_t demo_nloss_reasons = sizeof(demo_loss_reasons) / sizeof(demo_loss_reasons[0]);

/* A product the account's unit sells: its business unit's, or a service. */
static int deal_product(struct demo_world *w, const struct demo_account *a)
{
    int bu = demo_units[a->unit].bu, cand[64], n = 0;
    for (size_t i = 0; i < demo_nproducts && n < 64; i++)
        if (demo_products[i].bu == bu || demo_products[i].bu == 0)
            cand[n++] = (int)i;
    if (n == 0)
        BUG("no product for business unit %d", bu);
    return cand[rng_below(&w->rng_deals, (uint32_t)n)];
}

static int deal_add(struct demo_world *w, size_t ai, int64_t created, struct kith_error *err)
{
    const struct demo_account *a = &w->acc[ai];
    struct rng *r = &w->rng_deals;
    struct demo_deal *d = demo_vec_push(&w->deals, err);
    if (!d)
        return err->code;
    memset(d, 0, sizeof(*d));
    d->account = ai;
    d->created = created;
    double cycle_days = 14.0 + rng_gamma(r, 2.0, 25.0);
    int64_t cycle = (int64_t)(cycle_days * (double)DEMO_DAY_MS);
    d->expected = created + cycle;
    /* New business is the closing rep's; a customer's next deal, the retention rep's. */
    d->owner = a->rep[a->conv_ms <= created ? PHASE_RETENTION : PHASE_CLOSING];
    /* Stage k (0..3) is entered at created + k/4 of the cycle. */
    for (int k = 0; k < 4; k++)
        d->entered[k] = created + cycle * k / 4;
    if (d->expected < DEMO_NOW_MS) {
        d->closed = d->expected; /* won or lost: decided by decide_outcomes() */
        d->loss_reason = -1;
    } else {
        d->closed = NEVER;
        d->reached = (int)((DEMO_NOW_MS - created) * 4 / cycle);
        if (d->reached > 3)
            d->reached = 3;
        d->stage = d->reached;
        d->loss_reason = -1;
    }
    /* Lines: one to three products, a budget like three Gamma-Gamma orders of the account. */
    d->nlines = 1 + (int)rng_below(r, MAX_DEAL_LINES);
    for (int l = 0; l < d->nlines; l++) {
        int p = deal_product(w, a);
        double budget = rng_gamma(r, 3.0, 1.0 / a->nu) * 100.0 * 3.0 / d->nlines;
        double unit = (double)demo_products[p].price * (1.0 - a->discount);
        int64_t qty = (int64_t)fmax(1.0, floor(budget / unit + 0.5));
        if (qty > 500)
            qty = 500;
        d->product[l] = p;
        d->qty[l] = qty;
        d->line_amount[l] = (int64_t)llround(unit * (double)qty);
        d->amount += d->line_amount[l];
    }
    return 0;
}

/* RV gained per account over time: (account, time, rv) sorted, with running sums. */
struct rv_line {
    uint32_t account;
    int32_t rv;
    int64_t at;
};

static int cmp_rv_line(const void *x, const void *y)
{
    const struct rv_line *a = x, *b = y;
    if (a->account != b->account)
        return a->account < b->account ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

struct rv_index {
    struct rv_line *line;
    int64_t *cum;  /* cum[i] = sum of rv of line[0 .. i) */
    size_t *begin; /* account a's lines: [begin[a], begin[a + 1]) */
};

static int rv_index_build(const struct demo_world *w, struct rv_index *x, struct kith_error *err)
{
    size_t n = w->ix.n;
    x->line = malloc((n ? n : 1) * sizeof(*x->line));
    x->cum = malloc((n + 1) * sizeof(*x->cum));
    x->begin = calloc(w->nacc + 1, sizeof(*x->begin));
    if (!x->line || !x->cum || !x->begin)
        return kith_err(err, KITH_ENOMEM, "out of memory indexing %zu interactions", n);
    for (size_t i = 0; i < n; i++) {
        const struct demo_ix *ix = VEC_AT(w->ix, struct demo_ix, i);
        x->line[i] = (struct rv_line){(uint32_t)w->con[ix->contact].account, ix->rv, ix->at};
    }
    qsort(x->line, n, sizeof(*x->line), cmp_rv_line);
    x->cum[0] = 0;
    for (size_t i = 0; i < n; i++) {
        x->cum[i + 1] = x->cum[i] + x->line[i].rv;
        x->begin[x->line[i].account + 1] = i + 1;
    }
    for (size_t a = 1; a <= w->nacc; a++) /* accounts without interactions */
        if (x->begin[a] < x->begin[a - 1])
            x->begin[a] = x->begin[a - 1];
    return 0;
}

static void rv_index_release(struct rv_index *x)
{
    free(x->line);
    free(x->cum);
    free(x->begin);
}

/* The first line of account a at or after time t (lines of a ascending by time). */
static size_t first_at(const struct rv_index *x, size_t a, int64_t t)
{
    size_t lo = x->begin[a], hi = x->begin[a + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->line[mid].at < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* RV gained by account a in (t0, t1]. */
static int64_t rv_gained(const struct rv_index *x, size_t a, int64_t t0, int64_t t1)
{
    return x->cum[first_at(x, a, t1 + 1)] - x->cum[first_at(x, a, t0 + 1)];
}

/*
 * Planted effect (h): each closed deal is won with probability logistic(WIN_INTERCEPT +
 * WIN_QUALITY q + WIN_RV z). A lost deal stopped in one of the four open stages, with a reason.
 */
static int decide_outcomes(struct demo_world *w, struct kith_error *err)
{
    struct rv_index x = {0};
    struct demo_deal *deals = w->deals.items;
    double *g = malloc((w->deals.n ? w->deals.n : 1) * sizeof(*g));
    int rc = g ? rv_index_build(w, &x, err)
               : kith_err(err, KITH_ENOMEM, "out of memory for %zu deals", w->deals.n);
    if (rc < 0)
        goto out;
    double sum = 0, sum2 = 0;
    size_t n = 0;
    for (size_t i = 0; i < w->deals.n; i++) {
        const struct demo_deal *d = &deals[i];
        if (d->closed == NEVER)
            continue;
        int64_t t0 = d->closed - WIN_RV_DAYS * DEMO_DAY_MS;
        g[i] = asinh((double)rv_gained(&x, d->account, t0, d->closed) / 50.0);
        sum += g[i];
        sum2 += g[i] * g[i];
        n++;
    }
    double mean = n ? sum / (double)n : 0, var = n ? sum2 / (double)n - mean * mean : 0;
    double sd = var > 0 ? sqrt(var) : 1;
    for (size_t i = 0; i < w->deals.n; i++) {
        struct demo_deal *d = &deals[i];
        if (d->closed == NEVER)
            continue;
        struct rng *r = &w->rng_deals;
        double z = WIN_INTERCEPT + WIN_QUALITY * w->acc[d->account].q + WIN_RV * (g[i] - mean) / sd;
        bool won = rng_bernoulli(r, 1.0 / (1.0 + exp(-z)));
        d->stage = won ? DEMO_STAGE_WON : DEMO_STAGE_LOST;
        d->reached = won ? 3 : (int)rng_below(r, 4);
        d->loss_reason = won ? -1 : (int)rng_below(r, (uint32_t)demo_nloss_reasons);
    }
out:
    rv_index_release(&x);
    free(g);
    return rc;
}

int demo_deals_generate(struct demo_world *w, struct kith_error *err)
{
    for (size_t ai = 0; ai < w->nacc; ai++) {
        const struct demo_account *a = &w->acc[ai];
        int64_t t = a->arrival_ms > DEMO_GOLIVE_MS ? a->arrival_ms : DEMO_GOLIVE_MS;
        /* No new deal once the account has given notice. */
        int64_t end = a->notice_ms < DEMO_NOW_MS ? a->notice_ms : DEMO_NOW_MS;
        for (;;) {
            t += (int64_t)(rng_exponential(&w->rng_deals, DEAL_EVERY_DAYS) * (double)DEMO_DAY_MS);
            if (t >= end)
                break;
            int rc = deal_add(w, ai, t, err);
            if (rc < 0)
                return rc;
        }
    }
    return decide_outcomes(w, err);
}

int demo_user_manager(size_t i)
{
    const struct demo_user *u = &demo_users[i];
    const char *want = NULL;
    if (strcmp(u->role, "manager") == 0 || strcmp(u->role, "analyst") == 0)
        want = "executive";
    else if (strcmp(u->role, "frontline") == 0 && u->team >= 0)
        want = strcmp(demo_teams[u->team].kind, "retention") == 0 ? "retention" : "closing";
    if (!want)
        return -1; /* the executive, the administrator, the partners' own people */
    for (size_t j = 0; j < demo_nusers; j++) {
        const struct demo_user *m = &demo_users[j];
        if (strcmp(want, "executive") == 0
                ? strcmp(m->role, "executive") == 0
                : strcmp(m->role, "manager") == 0 && m->unit == u->unit && m->team >= 0 &&
                      strcmp(demo_teams[m->team].kind, want) == 0)
            return (int)j;
    }
    return -1;
}
