/*
 * basket.c - FP-growth over order baskets, association rules with one consequent, and offers
 * per customer from those rules (basket.h). The FP-tree keeps its nodes in one array and finds
 * a node's child through an open-addressing table keyed by (parent, item), so inserting a basket
 * costs its length whatever the catalogue size. Algorithm notes: docs/internals/value.md.
 */
#include "engine/basket.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

#define MAX_NODES ((size_t)INT32_MAX - 1)

void basket_options_default(struct basket_options *o)
{
    *o = (struct basket_options){.min_support = 0.01,
                                 .min_confidence = 0.2,
                                 .min_lift = 1.0,
                                 .max_len = 3,
                                 .max_itemsets = 1000000};
}

/* ---- baskets from order lines ----------------------------------------------------------- */

void basket_set_release(struct basket_set *b)
{
    if (!b)
        return;
    free(b->start);
    free(b->items);
    memset(b, 0, sizeof(*b));
}

int basket_set_from_lines(const struct cv_data *d, int32_t as_of_day, struct basket_set *out,
                          struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    size_t baskets = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        if (i > 0 && d->lines[i].order_id < d->lines[i - 1].order_id)
            return kith_err(err, KITH_EINVAL,
                            "baskets: order lines must be sorted by order (line at index %zu)", i);
        if (cv_day(d->lines[i].at) <= as_of_day &&
            (i == 0 || d->lines[i].order_id != d->lines[i - 1].order_id))
            baskets++;
    }
    out->start = alloc_array(baskets + 1, sizeof(*out->start));
    out->items = alloc_array(d->nlines, sizeof(*out->items));
    if (!out->start || !out->items) {
        basket_set_release(out);
        return kith_err(err, KITH_ENOMEM, "baskets: out of memory for %zu order lines", d->nlines);
    }
    size_t k = 0;
    int64_t prev = 0;
    out->start[0] = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        const struct cv_line *l = &d->lines[i];
        if (cv_day(l->at) > as_of_day)
            continue; /* every line of an order has the order's time */
        if (k > 0 && l->order_id != prev)
            out->start[++out->n] = k;
        out->items[k++] = l->product;
        prev = l->order_id;
    }
    if (k > 0)
        out->start[++out->n] = k;
    return 0;
}

/* ---- the FP-tree ------------------------------------------------------------------------ */

struct fp_node {
    int32_t item;   /* local item index; -1 for the root */
    int32_t parent; /* node index; -1 for the root */
    int32_t next;   /* next node of the same item, -1 at the end */
    uint64_t count;
};

struct fp_tree {
    struct fp_node *nodes; /* nodes[0] is the root */
    size_t n;
    size_t nitems; /* local items 0 .. nitems-1, most frequent first */
    int32_t *gmap; /* local item -> item id */
    int32_t *head; /* local item -> its first node, or -1 */
    uint64_t *total;
    int64_t *hkey; /* (parent << 32 | item) -> child; -1 empty */
    int32_t *hval;
    size_t hmask;
};

static void fp_release(struct fp_tree *t)
{
    free(t->nodes);
    free(t->gmap);
    free(t->head);
    free(t->total);
    free(t->hkey);
    free(t->hval);
    memset(t, 0, sizeof(*t));
}

/* A tree for nitems items and at most max_nodes nodes besides the root. */
static int fp_init(struct fp_tree *t, size_t nitems, size_t max_nodes)
{
    memset(t, 0, sizeof(*t));
    if (max_nodes > MAX_NODES)
        return KITH_ERANGE;
    size_t hcap = 16;
    while (hcap < 2 * (max_nodes + 1))
        hcap *= 2;
    t->nodes = alloc_array(max_nodes + 1, sizeof(*t->nodes));
    t->gmap = alloc_array(nitems, sizeof(*t->gmap));
    t->head = alloc_array(nitems, sizeof(*t->head));
    t->total = alloc_array_zero(nitems, sizeof(*t->total));
    t->hkey = alloc_array(hcap, sizeof(*t->hkey));
    t->hval = alloc_array(hcap, sizeof(*t->hval));
    if (!t->nodes || !t->gmap || !t->head || !t->total || !t->hkey || !t->hval) {
        fp_release(t);
        return KITH_ENOMEM;
    }
    memset(t->hkey, 0xff, hcap * sizeof(*t->hkey)); /* all -1 */
    for (size_t i = 0; i < nitems; i++)
        t->head[i] = -1;
    t->nitems = nitems;
    t->hmask = hcap - 1;
    t->nodes[0] = (struct fp_node){.item = -1, .parent = -1, .next = -1, .count = 0};
    t->n = 1;
    return 0;
}

static size_t fp_hash(int64_t key)
{
    uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29));
}

/* Adds the path path[0..len) (local items, ascending) with weight w. */
static void fp_insert(struct fp_tree *t, const int32_t *path, size_t len, uint64_t w)
{
    int32_t cur = 0;
    for (size_t i = 0; i < len; i++) {
        const int32_t it = path[i];
        const int64_t key = ((int64_t)cur << 32) | (uint32_t)it;
        size_t h = fp_hash(key) & t->hmask;
        while (t->hkey[h] != -1 && t->hkey[h] != key)
            h = (h + 1) & t->hmask;
        if (t->hkey[h] == key) {
            cur = t->hval[h];
            t->nodes[cur].count += w;
        } else {
            const int32_t node = (int32_t)t->n++;
            t->nodes[node] =
                (struct fp_node){.item = it, .parent = cur, .next = t->head[it], .count = w};
            t->head[it] = node;
            t->hkey[h] = key;
            t->hval[h] = node;
            cur = node;
        }
        t->total[it] += w;
    }
}

/* ---- mining ----------------------------------------------------------------------------- */

struct itemset {
    int32_t items[BASKET_MAX_LEN]; /* ascending item ids */
    uint8_t len;
    uint64_t count;
};

struct miner {
    uint64_t minsup;
    int max_len;
    size_t max_itemsets;
    struct itemset *sets;
    size_t nsets, cap;
    struct kith_error *err;
};

static int int32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

static int emit(struct miner *m, const int32_t *items, int len, uint64_t count)
{
    if (m->nsets >= m->max_itemsets)
        return kith_err(m->err, KITH_ERANGE,
                        "baskets: more than %zu frequent itemsets; raise the minimum support or "
                        "lower the longest rule",
                        m->max_itemsets);
    if (m->nsets == m->cap) {
        size_t ncap = m->cap ? 2 * m->cap : 1024;
        struct itemset *p = alloc_array_grow(m->sets, ncap, sizeof(*p));
        if (!p)
            return kith_err(m->err, KITH_ENOMEM, "baskets: out of memory for itemsets");
        m->sets = p;
        m->cap = ncap;
    }
    struct itemset *s = &m->sets[m->nsets++];
    memset(s, 0, sizeof(*s));
    memcpy(s->items, items, (size_t)len * sizeof(*items));
    qsort(s->items, (size_t)len, sizeof(*items), int32_cmp);
    s->len = (uint8_t)len;
    s->count = count;
    return 0;
}

static int fp_mine(struct miner *m, const struct fp_tree *t, int32_t *suffix, int depth);

/* Mines the conditional tree of local item j of t, with suffix[0..depth] already set. */
static int fp_mine_conditional(struct miner *m, const struct fp_tree *t, size_t j, int32_t *suffix,
                               int depth)
{
    uint64_t *cnt = alloc_array_zero(j, sizeof(*cnt));
    int32_t *newloc = alloc_array(j, sizeof(*newloc));
    int32_t *path = alloc_array(j, sizeof(*path));
    struct fp_tree sub = {0};
    int rc = 0;
    if (!cnt || !newloc || !path) {
        rc = kith_err(m->err, KITH_ENOMEM, "baskets: out of memory mining");
        goto out_free;
    }
    size_t path_total = 0;
    for (int32_t v = t->head[j]; v != -1; v = t->nodes[v].next)
        for (int32_t p = t->nodes[v].parent; p > 0; p = t->nodes[p].parent) {
            cnt[t->nodes[p].item] += t->nodes[v].count;
            path_total++;
        }
    size_t k = 0;
    for (size_t i = 0; i < j; i++)
        newloc[i] = cnt[i] >= m->minsup ? (int32_t)k++ : -1;
    if (k == 0)
        goto out_free;
    if ((rc = fp_init(&sub, k, path_total)) < 0) {
        rc = kith_err(m->err, rc, "baskets: out of memory for a conditional tree");
        goto out_free;
    }
    for (size_t i = 0; i < j; i++)
        if (newloc[i] >= 0)
            sub.gmap[newloc[i]] = t->gmap[i];
    for (int32_t v = t->head[j]; v != -1; v = t->nodes[v].next) {
        size_t len = 0;
        for (int32_t p = t->nodes[v].parent; p > 0; p = t->nodes[p].parent)
            if (newloc[t->nodes[p].item] >= 0)
                path[len++] = newloc[t->nodes[p].item];
        for (size_t a = 0, b = len; a + 1 < b; a++, b--) { /* leaf-to-root: reverse */
            int32_t x = path[a];
            path[a] = path[b - 1];
            path[b - 1] = x;
        }
        fp_insert(&sub, path, len, t->nodes[v].count);
    }
    rc = fp_mine(m, &sub, suffix, depth + 1);
out_free:
    fp_release(&sub);
    free(cnt);
    free(newloc);
    free(path);
    return rc;
}

/* Emits every frequent itemset of t extended by suffix[0..depth) and recurses. */
static int fp_mine(struct miner *m, const struct fp_tree *t, int32_t *suffix, int depth)
{
    for (size_t j = t->nitems; j-- > 0;) {
        if (t->total[j] < m->minsup)
            continue;
        suffix[depth] = t->gmap[j];
        int rc = emit(m, suffix, depth + 1, t->total[j]);
        if (rc == 0 && depth + 1 < m->max_len && j > 0)
            rc = fp_mine_conditional(m, t, j, suffix, depth);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- rules ------------------------------------------------------------------------------ */

static int itemset_cmp(const void *pa, const void *pb)
{
    const struct itemset *a = pa, *b = pb;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (int i = 0; i < a->len; i++)
        if (a->items[i] != b->items[i])
            return a->items[i] < b->items[i] ? -1 : 1;
    return 0;
}

static const struct itemset *itemset_find(const struct miner *m, const int32_t *items, int len)
{
    struct itemset key = {0};
    memcpy(key.items, items, (size_t)len * sizeof(*items));
    key.len = (uint8_t)len;
    return bsearch(&key, m->sets, m->nsets, sizeof(key), itemset_cmp);
}

static int rule_cmp(const void *pa, const void *pb)
{
    const struct basket_rule *a = pa, *b = pb;
    if (a->lift != b->lift)
        return a->lift > b->lift ? -1 : 1;
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->nante != b->nante)
        return a->nante < b->nante ? -1 : 1;
    for (int i = 0; i < a->nante; i++)
        if (a->antecedent[i] != b->antecedent[i])
            return a->antecedent[i] < b->antecedent[i] ? -1 : 1;
    return (a->consequent > b->consequent) - (a->consequent < b->consequent);
}

void basket_rules_release(struct basket_rules *r)
{
    if (!r)
        return;
    free(r->rules);
    memset(r, 0, sizeof(*r));
}

static int make_rules(const struct miner *m, const uint64_t *item_count, size_t nbaskets,
                      const struct basket_options *o, struct basket_rules *out,
                      struct kith_error *err)
{
    size_t cap = 0;
    for (size_t s = 0; s < m->nsets; s++) {
        const struct itemset *set = &m->sets[s];
        if (set->len < 2)
            continue;
        for (int c = 0; c < set->len; c++) {
            int32_t ante[BASKET_MAX_LEN];
            int na = 0;
            for (int i = 0; i < set->len; i++)
                if (i != c)
                    ante[na++] = set->items[i];
            const struct itemset *a = itemset_find(m, ante, na);
            if (!a)
                BUG("FP-growth lost the subset of a frequent itemset");
            /* lift = (count / ante) / (item / baskets), as one ratio of integer products so
             * that a rule exactly at a minimum is not lost to rounding */
            const double conf = (double)set->count / (double)a->count;
            const double lift = ((double)set->count * (double)nbaskets) /
                                ((double)a->count * (double)item_count[set->items[c]]);
            if (conf < o->min_confidence || lift < o->min_lift)
                continue;
            if (out->n == cap) {
                size_t ncap = cap ? 2 * cap : 256;
                struct basket_rule *p = alloc_array_grow(out->rules, ncap, sizeof(*p));
                if (!p)
                    return kith_err(err, KITH_ENOMEM, "baskets: out of memory for rules");
                out->rules = p;
                cap = ncap;
            }
            struct basket_rule *r = &out->rules[out->n++];
            memset(r, 0, sizeof(*r));
            memcpy(r->antecedent, ante, (size_t)na * sizeof(*ante));
            r->nante = (uint8_t)na;
            r->consequent = set->items[c];
            r->count = set->count;
            r->ante_count = a->count;
            r->support = (double)set->count / (double)nbaskets;
            r->confidence = conf;
            r->lift = lift;
        }
    }
    if (out->n)
        qsort(out->rules, out->n, sizeof(*out->rules), rule_cmp);
    return 0;
}

static int check_options(const struct basket_options *o, struct kith_error *err)
{
    if (!(o->min_support > 0 && o->min_support <= 1))
        return kith_err(err, KITH_EINVAL, "baskets: minimum support %g must be in (0, 1]",
                        o->min_support);
    if (!(o->min_confidence >= 0 && o->min_confidence <= 1))
        return kith_err(err, KITH_EINVAL, "baskets: minimum confidence %g must be in [0, 1]",
                        o->min_confidence);
    if (!(o->min_lift >= 0 && isfinite(o->min_lift)))
        return kith_err(err, KITH_EINVAL, "baskets: minimum lift %g must be 0 or more",
                        o->min_lift);
    if (o->max_len < 2 || o->max_len > BASKET_MAX_LEN)
        return kith_err(err, KITH_EINVAL, "baskets: a rule of %d items; 2 to %d allowed",
                        o->max_len, BASKET_MAX_LEN);
    if (o->max_itemsets < 1)
        return kith_err(err, KITH_EINVAL, "baskets: the itemset cap must be positive");
    return 0;
}

struct ranked_item {
    uint64_t count;
    int32_t item;
};

static int ranked_item_cmp(const void *pa, const void *pb)
{
    const struct ranked_item *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

int basket_mine(const struct basket_set *b, size_t nitems, const struct basket_options *o,
                struct basket_rules *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc = check_options(o, err);
    if (rc < 0)
        return rc;
    if (nitems > (size_t)INT32_MAX)
        return kith_err(err, KITH_EINVAL, "baskets: %zu items are too many", nitems);
    out->nbaskets = b->n;
    if (b->n == 0)
        return 0;
    const size_t total_items = b->start[b->n];
    uint64_t *count = alloc_array_zero(nitems, sizeof(*count));
    size_t *seen = alloc_array(nitems, sizeof(*seen));
    int32_t *local = alloc_array(nitems, sizeof(*local));
    struct ranked_item *rank = alloc_array(nitems, sizeof(*rank));
    int32_t *path = alloc_array(total_items, sizeof(*path));
    struct fp_tree tree = {0};
    struct miner m = {.max_len = o->max_len, .max_itemsets = o->max_itemsets, .err = err};
    if (!count || !seen || !local || !rank || !path) {
        rc = kith_err(err, KITH_ENOMEM, "baskets: out of memory for %zu items", nitems);
        goto out_free;
    }
    /* Support of single items, each counted once per basket. */
    for (size_t i = 0; i < nitems; i++)
        seen[i] = SIZE_MAX;
    for (size_t bk = 0; bk < b->n; bk++) {
        for (size_t k = b->start[bk]; k < b->start[bk + 1]; k++) {
            int32_t it = b->items[k];
            if (it < 0 || (size_t)it >= nitems) {
                rc = kith_err(err, KITH_EINVAL, "baskets: item %d of basket %zu is not below %zu",
                              it, bk, nitems);
                goto out_free;
            }
            if (seen[it] != bk) {
                seen[it] = bk;
                count[it]++;
            }
        }
    }
    m.minsup = (uint64_t)ceil(o->min_support * (double)b->n - 1e-9);
    if (m.minsup < 1)
        m.minsup = 1;
    size_t nfreq = 0;
    for (size_t i = 0; i < nitems; i++)
        if (count[i] >= m.minsup)
            rank[nfreq++] = (struct ranked_item){count[i], (int32_t)i};
    qsort(rank, nfreq, sizeof(*rank), ranked_item_cmp);
    for (size_t i = 0; i < nitems; i++)
        local[i] = -1;
    for (size_t k = 0; k < nfreq; k++)
        local[rank[k].item] = (int32_t)k;

    /* The tree of every basket's frequent items, most frequent first. */
    size_t max_nodes = 0;
    for (size_t i = 0; i < nitems; i++)
        seen[i] = SIZE_MAX;
    for (size_t bk = 0; bk < b->n; bk++)
        for (size_t k = b->start[bk]; k < b->start[bk + 1]; k++) {
            int32_t it = b->items[k];
            if (local[it] >= 0 && seen[it] != bk) {
                seen[it] = bk;
                max_nodes++;
            }
        }
    if ((rc = fp_init(&tree, nfreq, max_nodes)) < 0) {
        rc = kith_err(err, rc, "baskets: %zu basket items are too many for the tree", max_nodes);
        goto out_free;
    }
    for (size_t k = 0; k < nfreq; k++)
        tree.gmap[k] = rank[k].item;
    for (size_t i = 0; i < nitems; i++)
        seen[i] = SIZE_MAX;
    for (size_t bk = 0; bk < b->n; bk++) {
        size_t len = 0;
        for (size_t k = b->start[bk]; k < b->start[bk + 1]; k++) {
            int32_t it = b->items[k];
            if (local[it] >= 0 && seen[it] != bk) {
                seen[it] = bk;
                path[len++] = local[it];
            }
        }
        qsort(path, len, sizeof(*path), int32_cmp);
        fp_insert(&tree, path, len, 1);
    }

    int32_t suffix[BASKET_MAX_LEN];
    if ((rc = fp_mine(&m, &tree, suffix, 0)) < 0)
        goto out_free;
    qsort(m.sets, m.nsets, sizeof(*m.sets), itemset_cmp);
    out->nitemsets = m.nsets;
    rc = make_rules(&m, count, b->n, o, out, err);

out_free:
    fp_release(&tree);
    free(m.sets);
    free(count);
    free(seen);
    free(local);
    free(rank);
    free(path);
    if (rc < 0)
        basket_rules_release(out);
    return rc;
}

/* ---- offers ----------------------------------------------------------------------------- */

void basket_offers_release(struct basket_offers *o)
{
    if (!o)
        return;
    free(o->offers);
    memset(o, 0, sizeof(*o));
}

const char *basket_offer_kind_name(enum basket_offer_kind k)
{
    return k == BASKET_UP_SELL ? "up_sell" : "cross_sell";
}

static bool holds(const int32_t *items, size_t n, int32_t item)
{
    return bsearch(&item, items, n, sizeof(item), int32_cmp) != NULL;
}

struct candidate {
    int32_t product;
    uint32_t rule;
    double confidence, lift;
};

/* Better rule first: higher confidence, then higher lift, then the earlier rule. */
static int better(const struct candidate *a, const struct candidate *b)
{
    if (a->confidence != b->confidence)
        return a->confidence > b->confidence ? -1 : 1;
    if (a->lift != b->lift)
        return a->lift > b->lift ? -1 : 1;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

static int cand_by_product(const void *pa, const void *pb)
{
    const struct candidate *a = pa, *b = pb;
    if (a->product != b->product)
        return a->product < b->product ? -1 : 1;
    return better(a, b);
}

static int cand_by_rule(const void *pa, const void *pb)
{
    return better(pa, pb);
}

static enum basket_offer_kind offer_kind(const struct cv_data *d, const int32_t *held, size_t n,
                                         int32_t product)
{
    const struct cv_product *p = &d->products[product];
    if (p->category == CV_NONE)
        return BASKET_CROSS_SELL;
    bool same = false;
    int64_t dearest = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const struct cv_product *q = &d->products[held[i]];
        if (q->category == p->category) {
            same = true;
            if (q->price > dearest)
                dearest = q->price;
        }
    }
    return same && p->price > dearest ? BASKET_UP_SELL : BASKET_CROSS_SELL;
}

int basket_offers_build(const struct basket_rules *rules, const struct value_holdings *h,
                        const struct cv_data *d, size_t per_customer, struct basket_offers *out,
                        struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    if (per_customer == 0 || rules->n == 0 || h->n == 0)
        return 0;
    if (rules->n > UINT32_MAX)
        return kith_err(err, KITH_ERANGE, "offers: %zu rules are too many", rules->n);
    const size_t nitems = d->nproducts;
    size_t *start = alloc_array_zero(nitems + 1, sizeof(*start));
    uint32_t *index = alloc_array(rules->n, sizeof(*index));
    struct candidate *cand = alloc_array(rules->n, sizeof(*cand));
    size_t cap = 0;
    int rc = 0;
    if (!start || !index || !cand) {
        rc = kith_err(err, KITH_ENOMEM, "offers: out of memory");
        goto out_free;
    }
    /* Rules indexed by the smallest item of their antecedent (a counting sort). */
    for (size_t r = 0; r < rules->n; r++) {
        int32_t first = rules->rules[r].antecedent[0];
        if (first < 0 || (size_t)first >= nitems) {
            rc = kith_err(err, KITH_EINVAL, "offers: rule %zu names product %d of %zu", r, first,
                          nitems);
            goto out_free;
        }
        start[first + 1]++;
    }
    for (size_t i = 0; i < nitems; i++)
        start[i + 1] += start[i];
    {
        size_t *fill = alloc_array(nitems, sizeof(*fill));
        if (!fill) {
            rc = kith_err(err, KITH_ENOMEM, "offers: out of memory");
            goto out_free;
        }
        memcpy(fill, start, nitems * sizeof(*fill));
        for (size_t r = 0; r < rules->n; r++)
            index[fill[rules->rules[r].antecedent[0]]++] = (uint32_t)r;
        free(fill);
    }
    for (size_t c = 0; c < h->n; c++) {
        const int32_t *held = h->items + h->start[c];
        const size_t nheld = h->start[c + 1] - h->start[c];
        size_t nc = 0;
        for (size_t k = 0; k < nheld; k++) {
            int32_t item = held[k];
            if (item < 0 || (size_t)item >= nitems)
                continue;
            for (size_t j = start[item]; j < start[item + 1]; j++) {
                const struct basket_rule *ru = &rules->rules[index[j]];
                bool ok = !holds(held, nheld, ru->consequent);
                for (int a = 1; ok && a < ru->nante; a++)
                    ok = holds(held, nheld, ru->antecedent[a]);
                if (ok)
                    cand[nc++] =
                        (struct candidate){ru->consequent, index[j], ru->confidence, ru->lift};
            }
        }
        if (nc == 0)
            continue;
        qsort(cand, nc, sizeof(*cand), cand_by_product);
        size_t u = 0;
        for (size_t k = 0; k < nc; k++)
            if (k == 0 || cand[k].product != cand[k - 1].product)
                cand[u++] = cand[k];
        qsort(cand, u, sizeof(*cand), cand_by_rule);
        if (u > per_customer)
            u = per_customer;
        if (out->n + u > cap) {
            size_t ncap = cap ? 2 * cap : 1024;
            while (ncap < out->n + u)
                ncap *= 2;
            struct basket_offer *p = alloc_array_grow(out->offers, ncap, sizeof(*p));
            if (!p) {
                rc = kith_err(err, KITH_ENOMEM, "offers: out of memory");
                goto out_free;
            }
            out->offers = p;
            cap = ncap;
        }
        for (size_t k = 0; k < u; k++)
            out->offers[out->n++] = (struct basket_offer){
                .customer = c,
                .product = cand[k].product,
                .rule = cand[k].rule,
                .kind = (uint8_t)offer_kind(d, held, nheld, cand[k].product),
            };
    }
out_free:
    free(start);
    free(index);
    free(cand);
    if (rc < 0)
        basket_offers_release(out);
    return rc;
}
