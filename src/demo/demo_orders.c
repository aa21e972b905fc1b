/*
 * demo_orders.c - what the demo's accounts buy: each order's lines from the account's preferred
 * categories with a Gamma-Gamma order size, the planted cross-sell associations and upgrades,
 * the account's negotiated discount, and the events an order implies (repeat, upsell,
 * cross_sell, volume_increase). Products and pairs: demo_names.c; rules: docs/demo-data.md.
 */
#include <math.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define GG_P         3.0 /* shape of the order size given the account's rate nu */
#define MAX_LINES    8
#define MAX_QUANTITY 500

int demo_event_add(struct demo_world *w, int kind, int64_t at, int64_t contact, int64_t account,
                   int64_t related, int64_t value, const char *notes, struct kith_error *err)
{
    struct demo_event *e = demo_vec_push(&w->events, err);
    if (!e)
        return err->code;
    e->at = at;
    e->kind = kind;
    e->contact = contact;
    e->account = account;
    e->related = related;
    e->value = value;
    e->notes = notes;
    e->seq = w->next_seq++;
    return 0;
}

static int product_index(const char *sku)
{
    for (size_t i = 0; i < demo_nproducts; i++)
        if (strcmp(demo_products[i].sku, sku) == 0)
            return (int)i;
    BUG("unknown product %s", sku);
}

/* A product of category cat that unit's business unit sells (services: any unit). */
static int pick_product(struct demo_world *w, int cat)
{
    int cand[16], n = 0;
    for (size_t i = 0; i < demo_nproducts && n < 16; i++)
        if (demo_category_index(demo_products[i].category) == cat)
            cand[n++] = (int)i;
    if (n == 0)
        BUG("no product in category %d", cat);
    return cand[rng_below(&w->rng_orders, (uint32_t)n)];
}

/* What account a bought before this order. */
struct history {
    int64_t max_qty[64];
    bool cat[16];
    int orders;
};

static void load_history(struct demo_world *w, const struct demo_account *a, struct history *h)
{
    memset(h, 0, sizeof(*h));
    for (size_t k = a->first_order; k < w->orders.n; k++) {
        const struct demo_order *o = VEC_AT(w->orders, struct demo_order, k);
        h->orders++;
        for (size_t l = 0; l < o->nlines; l++) {
            const struct demo_line *ln = VEC_AT(w->lines, struct demo_line, o->first_line + l);
            if (ln->quantity > h->max_qty[ln->product])
                h->max_qty[ln->product] = ln->quantity;
            h->cat[demo_category_index(demo_products[ln->product].category)] = true;
        }
    }
}

struct basket {
    int product[MAX_LINES];
    int64_t qty[MAX_LINES];
    int n;
};

static void basket_add(struct basket *b, int product, int64_t qty)
{
    if (qty < 1)
        qty = 1;
    for (int i = 0; i < b->n; i++) {
        if (b->product[i] == product) {
            b->qty[i] += qty;
            if (b->qty[i] > MAX_QUANTITY)
                b->qty[i] = MAX_QUANTITY;
            return;
        }
    }
    if (b->n < MAX_LINES) {
        b->product[b->n] = product;
        b->qty[b->n] = qty > MAX_QUANTITY ? MAX_QUANTITY : qty;
        b->n++;
    }
}

static int64_t quantity_for(double budget_cents, int product, double discount)
{
    double unit = (double)demo_products[product].price * (1.0 - discount);
    double q = floor(budget_cents / unit + 0.5);
    return q < 1.0 ? 1 : q > MAX_QUANTITY ? MAX_QUANTITY : (int64_t)q;
}

static void fill_basket(struct demo_world *w, const struct demo_account *a, const struct history *h,
                        struct basket *b)
{
    struct rng *r = &w->rng_orders;
    /* Gamma-Gamma: the order's value in dollars has mean GG_P / nu for this account. */
    double budget = rng_gamma(r, GG_P, 1.0 / a->nu) * 100.0;
    int anchor = -1;
    /* Upsell: an account that bought a base model moves up now and then. */
    if (h->orders > 0 && rng_bernoulli(r, 0.12 * exp(0.3 * a->q))) {
        size_t k = rng_below(r, (uint32_t)demo_nupgrades);
        for (size_t i = 0; i < demo_nupgrades && anchor < 0; i++) {
            const struct demo_upgrade *u = &demo_upgrades[(k + i) % demo_nupgrades];
            if (h->max_qty[product_index(u->base)] > 0)
                anchor = product_index(u->premium);
        }
    }
    if (anchor < 0)
        anchor = pick_product(w, rng_bernoulli(r, 0.7) ? a->cat_pref[0] : a->cat_pref[1]);
    int64_t qa = quantity_for(budget * 0.7, anchor, a->discount);
    basket_add(b, anchor, qa);
    /* Planted effect (f): associated products ride along with their anchor. */
    for (size_t i = 0; i < demo_nassociations; i++) {
        const struct demo_association *as = &demo_associations[i];
        if (product_index(as->anchor) == anchor && rng_bernoulli(r, as->p))
            basket_add(b, product_index(as->partner), qa * as->qty_per_anchor);
    }
    /* Equipment buyers are offered a service contract later (a cross-sell across orders). */
    int care = product_index("SV-CARE-1");
    if (h->orders > 0 && h->max_qty[care] == 0 && rng_bernoulli(r, 0.15))
        basket_add(b, care, 1);
    if (rng_bernoulli(r, 0.3)) {
        int extra = pick_product(w, rng_bernoulli(r, 0.5) ? a->cat_pref[1] : 7);
        basket_add(b, extra, quantity_for(budget * 0.3, extra, a->discount));
    }
}

int demo_order_add(struct demo_world *w, size_t ai, int64_t at, struct kith_error *err)
{
    struct demo_account *a = &w->acc[ai];
    struct history h;
    struct basket b = {0};
    load_history(w, a, &h);
    fill_basket(w, a, &h, &b);

    struct demo_order *o = demo_vec_push(&w->orders, err);
    if (!o)
        return err->code;
    memset(o, 0, sizeof(*o));
    o->at = at;
    o->account = ai;
    o->contact = a->primary;
    o->first_line = w->lines.n;
    o->seq = w->next_seq++;
    size_t oi = w->orders.n - 1;
    int64_t upsell = 0, cross = 0, volume = 0;
    for (int i = 0; i < b.n; i++) {
        struct demo_line *ln = demo_vec_push(&w->lines, err);
        if (!ln)
            return err->code;
        const struct demo_product *p = &demo_products[b.product[i]];
        double d = a->discount + rng_normal(&w->rng_orders, 0, 0.02);
        d = d < 0.0 ? 0.0 : d > 0.4 ? 0.4 : d;
        ln->product = b.product[i];
        ln->quantity = b.qty[i];
        ln->amount = (int64_t)llround((double)(p->price * b.qty[i]) * (1.0 - d));
        ln->margin = ln->amount - p->unit_cost * b.qty[i];
        o = VEC_AT(w->orders, struct demo_order, oi);
        o->nlines++;
        o->amount += ln->amount;
        o->margin += ln->margin;
        if (h.orders == 0)
            continue;
        int cat = demo_category_index(p->category);
        if (!h.cat[cat])
            cross += ln->amount;
        for (size_t u = 0; u < demo_nupgrades; u++)
            if (product_index(demo_upgrades[u].premium) == ln->product &&
                h.max_qty[ln->product] == 0 && h.max_qty[product_index(demo_upgrades[u].base)])
                upsell += ln->amount;
        int64_t prev = h.max_qty[ln->product];
        if (prev > 0 && ln->quantity * 2 >= prev * 3 && ln->quantity >= prev + 2)
            volume += (ln->quantity - prev) * p->price;
    }
    int64_t contact = (int64_t)a->primary, acc = (int64_t)ai;
    int rc = 0;
    if (h.orders == 1)
        rc = demo_event_add(w, EV_REPEAT, at, contact, acc, -1, o->amount, NULL, err);
    if (rc == 0 && upsell > 0)
        rc = demo_event_add(w, EV_UPSELL, at, contact, acc, -1, upsell,
                            "Moved up to a premium model", err);
    if (rc == 0 && cross > 0)
        rc = demo_event_add(w, EV_CROSS_SELL, at, contact, acc, -1, cross,
                            "First purchase in a new product category", err);
    if (rc == 0 && volume > 0)
        rc = demo_event_add(w, EV_VOLUME_INCREASE, at, contact, acc, -1, volume,
                            "Ordered at least 1.5 times its largest earlier quantity", err);
    return rc;
}
