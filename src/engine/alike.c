/*
 * alike.c - "someone like me": the index, the k nearest by a linear scan with a bounded heap and
 * the hold-out evaluation (alike.h; docs/voice.md "Someone like me" defines every figure).
 */
#include "engine/alike.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* ---- the index ---------------------------------------------------------------------------- */

static int buy_cmp(const void *pa, const void *pb)
{
    const struct alike_buy *a = pa, *b = pb;
    if (a->entity != b->entity)
        return a->entity < b->entity ? -1 : 1;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->product > b->product) - (a->product < b->product);
}

static int order_cmp(const void *pa, const void *pb)
{
    const struct alike_order *a = pa, *b = pb;
    if (a->entity != b->entity)
        return a->entity < b->entity ? -1 : 1;
    return (a->at > b->at) - (a->at < b->at);
}

static int intent_cmp(const void *pa, const void *pb)
{
    const struct alike_intent *a = pa, *b = pb;
    if (a->entity != b->entity)
        return a->entity < b->entity ? -1 : 1;
    return (a->product > b->product) - (a->product < b->product);
}

static float log_major(int64_t minor)
{
    return (float)log10(1.0 + (minor > 0 ? (double)minor / 100.0 : 0.0));
}

void alike_index_release(struct alike_index *ix)
{
    free(ix->hot);
    free(ix->poff);
    free(ix->prod);
    free(ix->pat);
    free(ix->ooff);
    free(ix->oat);
    free(ix->ocum);
    free(ix->ioff);
    free(ix->intent);
    free(ix->boff);
    free(ix->buyer);
    memset(ix, 0, sizeof(*ix));
}

static void *copy_of(const void *src, size_t n, size_t size)
{
    void *p = alloc_array(n ? n : 1, size);
    if (p && n)
        memcpy(p, src, n * size);
    return p;
}

int alike_index_build(const struct alike_data *d, struct alike_index *ix, struct kith_error *err)
{
    memset(ix, 0, sizeof(*ix));
    ix->d = d;
    ix->n = d->n;
    ix->nproducts = d->nproducts;
    const size_t n = d->n;
    if (n >= UINT32_MAX || d->nbuys >= UINT32_MAX || d->norders >= UINT32_MAX ||
        d->nintents >= UINT32_MAX)
        return kith_err(err, KITH_EINVAL, "too many rows to compare (at most 2^32 - 1 of each)");
    struct alike_buy *buys = copy_of(d->buys, d->nbuys, sizeof(*buys));
    struct alike_order *orders = copy_of(d->orders, d->norders, sizeof(*orders));
    struct alike_intent *intents = copy_of(d->intents, d->nintents, sizeof(*intents));
    uint32_t *stamp = alloc_array_zero(d->nproducts ? d->nproducts : 1, sizeof(*stamp));
    ix->hot = alloc_array_zero(n ? n : 1, sizeof(*ix->hot));
    ix->poff = alloc_array_zero(n + 1, sizeof(*ix->poff));
    ix->ooff = alloc_array_zero(n + 1, sizeof(*ix->ooff));
    ix->ioff = alloc_array_zero(n + 1, sizeof(*ix->ioff));
    ix->prod = alloc_array(d->nbuys ? d->nbuys : 1, sizeof(*ix->prod));
    ix->pat = alloc_array(d->nbuys ? d->nbuys : 1, sizeof(*ix->pat));
    ix->oat = alloc_array(d->norders ? d->norders : 1, sizeof(*ix->oat));
    ix->ocum = alloc_array(d->norders ? d->norders : 1, sizeof(*ix->ocum));
    ix->intent = alloc_array(d->nintents ? d->nintents : 1, sizeof(*ix->intent));
    ix->boff = alloc_array_zero(d->nproducts + 1, sizeof(*ix->boff));
    ix->buyer = alloc_array(d->nbuys ? d->nbuys : 1, sizeof(*ix->buyer));
    if (!ix->boff || !ix->buyer || !buys || !orders || !intents || !stamp || !ix->hot ||
        !ix->poff || !ix->ooff || !ix->ioff || !ix->prod || !ix->pat || !ix->oat || !ix->ocum ||
        !ix->intent) {
        free(buys);
        free(orders);
        free(intents);
        free(stamp);
        alike_index_release(ix);
        return kith_err(err, KITH_ENOMEM, "out of memory indexing %zu entities to compare", n);
    }
    for (size_t i = 0; i < n; i++) {
        const struct alike_entity *e = &d->entities[i];
        memcpy(ix->hot[i].attr, e->attr, sizeof(e->attr));
        ix->hot[i].group = e->group;
        ix->hot[i].lemp = e->employees >= 0 ? (float)log10(1.0 + (double)e->employees) : -1.0f;
    }
    /* purchases: each product once per entity, at its first purchase */
    qsort(buys, d->nbuys, sizeof(*buys), buy_cmp);
    size_t np = 0;
    for (size_t b = 0; b < d->nbuys; b++) {
        const struct alike_buy *x = &buys[b];
        if (x->entity >= n || x->product >= d->nproducts)
            continue;
        if (stamp[x->product] == x->entity + 1)
            continue;
        stamp[x->product] = x->entity + 1;
        ix->prod[np] = x->product;
        ix->pat[np] = x->at;
        np++;
        ix->poff[x->entity + 1]++;
    }
    /* sales by time with the running spend */
    qsort(orders, d->norders, sizeof(*orders), order_cmp);
    size_t no = 0;
    for (size_t o = 0; o < d->norders; o++) {
        const struct alike_order *x = &orders[o];
        if (x->entity >= n)
            continue;
        const bool first = no == 0 || orders[o - 1].entity != x->entity;
        ix->oat[no] = x->at;
        ix->ocum[no] = (first ? 0 : ix->ocum[no - 1]) + (x->amount > 0 ? x->amount : 0);
        no++;
        ix->ooff[x->entity + 1]++;
    }
    /* intents: distinct, ascending */
    qsort(intents, d->nintents, sizeof(*intents), intent_cmp);
    size_t ni = 0;
    for (size_t t = 0; t < d->nintents; t++) {
        const struct alike_intent *x = &intents[t];
        if (x->entity >= n || x->product >= d->nproducts)
            continue;
        if (t > 0 && intents[t - 1].entity == x->entity && intents[t - 1].product == x->product)
            continue;
        ix->intent[ni++] = x->product;
        ix->ioff[x->entity + 1]++;
    }
    for (size_t i = 0; i < n; i++) {
        ix->poff[i + 1] += ix->poff[i];
        ix->ooff[i + 1] += ix->ooff[i];
        ix->ioff[i + 1] += ix->ioff[i];
        const uint32_t last = ix->ooff[i + 1];
        ix->hot[i].lspend = last > ix->ooff[i] ? log_major(ix->ocum[last - 1]) : 0.0f;
        ix->hot[i].bought = ix->poff[i + 1] - ix->poff[i];
    }
    /* the buyers of each product, ascending: a counting sort of the purchases by product */
    for (size_t p = 0; p < np; p++)
        ix->boff[ix->prod[p] + 1]++;
    for (size_t p = 0; p < d->nproducts; p++)
        ix->boff[p + 1] += ix->boff[p];
    memcpy(stamp, ix->boff, d->nproducts * sizeof(*stamp)); /* the next free slot of each */
    for (size_t i = 0; i < n; i++)
        for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1]; p++)
            ix->buyer[stamp[ix->prod[p]]++] = (uint32_t)i;
    free(buys);
    free(orders);
    free(intents);
    free(stamp);
    return 0;
}

/* ---- one query ----------------------------------------------------------------------------- */

enum { HELD = 1, INTENDED = 2 };

/* Spend of entity i before at, minor units. */
static int64_t spend_before(const struct alike_index *ix, size_t i, int64_t at)
{
    uint32_t lo = ix->ooff[i], hi = ix->ooff[i + 1];
    if (at == ALIKE_LIVE)
        return hi > lo ? ix->ocum[hi - 1] : 0;
    uint32_t a = lo, b = hi; /* first sale at or after at */
    while (a < b) {
        uint32_t mid = a + (b - a) / 2;
        if (ix->oat[mid] < at)
            a = mid + 1;
        else
            b = mid;
    }
    return a > lo ? ix->ocum[a - 1] : 0;
}

struct cand {
    double score;
    size_t entity;
    size_t bought; /* products it held at the instant */
    double attr, buy, spend, intent;
    size_t shared;
};

/* a ranks before b: more similar, then more products held (more to learn from), then the lower
 * id (entities ascend by id). */
static bool better(const struct cand *a, const struct cand *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    if (a->bought != b->bought)
        return a->bought > b->bought;
    return a->entity < b->entity;
}

/* A heap of the k best so far with the worst at its root. */
static void sift_down(struct cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(&h[w], &h[l]))
            w = l;
        if (r < n && better(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        struct cand t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(struct cand *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(&h[p], &h[i]))
            return;
        struct cand t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static int cand_cmp(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static double attr_part(const struct alike_index *ix, size_t s, size_t c, double known)
{
    if (known <= 0)
        return 0;
    const struct alike_hot *hs = &ix->hot[s], *hc = &ix->hot[c];
    const uint16_t *as = hs->attr, *ac = hc->attr;
    double m = 0;
    for (size_t a = 0; a < ALIKE_NATTRS; a++)
        m += as[a] && as[a] == ac[a];
    if (hs->lemp >= 0 && hc->lemp >= 0) {
        const double g = fabs((double)hs->lemp - (double)hc->lemp) / 2.0;
        m += 1.0 - (g < 1 ? g : 1);
    }
    return m / known;
}

static double spend_part(double ls, double lc)
{
    if (ls <= 0 || lc <= 0)
        return 0; /* no sale on one side: nothing to compare */
    const double g = fabs(ls - lc) / 3.0;
    return 1.0 - (g < 1 ? g : 1);
}

static bool pick_better(const struct alike_pick *a, const struct alike_pick *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    if (a->neighbours != b->neighbours)
        return a->neighbours > b->neighbours;
    return a->product < b->product;
}

/* Inserts p into the top list top[0..*n) (at most ALIKE_TOP), best first. */
static void top_insert(struct alike_pick *top, size_t *n, struct alike_pick p)
{
    size_t i = *n < ALIKE_TOP ? (*n)++ : ALIKE_TOP;
    if (i == ALIKE_TOP) {
        if (!pick_better(&p, &top[ALIKE_TOP - 1]))
            return;
        i = ALIKE_TOP - 1;
    }
    while (i > 0 && pick_better(&p, &top[i - 1])) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = p;
}

/* What one query compares each candidate with. */
struct scan {
    const struct alike_index *ix;
    const struct alike_query *q;
    const uint8_t *mark; /* the subject's products (HELD) and intents (INTENDED) */
    double known, ls, open;
    size_t sp, si;
    int64_t group;
    struct cand heap[ALIKE_K_MAX];
    size_t nh;
};

/*
 * Scores candidate c into the heap. shared: the products it holds in common with the subject
 * when known (the lists of buyers), SIZE_MAX when to be counted here.
 */
static void consider(struct scan *sc, size_t c, size_t shared)
{
    const struct alike_index *ix = sc->ix;
    const struct alike_query *q = sc->q;
    const size_t s = q->subject;
    const int64_t at = q->at;
    if (c == s || (q->visible && !q->visible[c]) ||
        (q->other_groups && sc->group && ix->hot[c].group == sc->group))
        return;
    struct cand x = {.entity = c};
    x.attr = attr_part(ix, s, c, sc->known);
    const double lc =
        at == ALIKE_LIVE ? (double)ix->hot[c].lspend : (double)log_major(spend_before(ix, c, at));
    x.spend = spend_part(sc->ls, lc);
    const double cheap = ALIKE_W_ATTR * x.attr + ALIKE_W_SPEND * x.spend;
    if (sc->nh == q->k && cheap + sc->open < sc->heap[0].score)
        return; /* cannot enter even with every product and intent in common */
    if (at == ALIKE_LIVE && (shared != SIZE_MAX || !sc->sp)) {
        x.bought = ix->hot[c].bought;
        x.shared = shared == SIZE_MAX ? 0 : shared;
    } else {
        for (uint32_t p = ix->poff[c]; p < ix->poff[c + 1] && ix->pat[p] < at; p++, x.bought++)
            x.shared += sc->mark[ix->prod[p]] & HELD;
    }
    x.buy = sc->sp && x.bought ? (double)x.shared / sqrt((double)sc->sp * (double)x.bought) : 0;
    if (sc->si) {
        size_t ci = ix->ioff[c + 1] - ix->ioff[c], both = 0;
        for (uint32_t t = ix->ioff[c]; t < ix->ioff[c + 1]; t++)
            both += (sc->mark[ix->intent[t]] & INTENDED) != 0;
        x.intent = ci ? (double)both / (double)(sc->si + ci - both) : 0;
    }
    x.score = cheap + ALIKE_W_BUY * x.buy + ALIKE_W_INTENT * x.intent;
    if (sc->nh < q->k) {
        sc->heap[sc->nh] = x;
        sift_up(sc->heap, sc->nh++);
    } else if (better(&x, &sc->heap[0])) {
        sc->heap[0] = x;
        sift_down(sc->heap, sc->nh, 0);
    }
}

int alike_query(const struct alike_index *ix, const struct alike_query *q, struct alike_result *out,
                struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    if (q->subject >= ix->n)
        return kith_err(err, KITH_EINVAL, "no entity %zu to compare", q->subject);
    if (q->k < 1 || q->k > ALIKE_K_MAX)
        return kith_err(err, KITH_EINVAL, "k must be 1 to %d", ALIKE_K_MAX);
    const size_t s = q->subject, k = q->k, np = ix->nproducts;
    const int64_t at = q->at;
    uint8_t *mark = alloc_array_zero(np ? np : 1, 1);
    double *score = alloc_array_zero(np ? np : 1, sizeof(*score));
    uint32_t *count = alloc_array_zero(np ? np : 1, sizeof(*count));
    if (!mark || !score || !count) {
        free(mark);
        free(score);
        free(count);
        return kith_err(err, KITH_ENOMEM, "out of memory comparing");
    }
    size_t sp = 0, si = ix->ioff[s + 1] - ix->ioff[s];
    for (uint32_t p = ix->poff[s]; p < ix->poff[s + 1] && ix->pat[p] < at; p++, sp++)
        mark[ix->prod[p]] |= HELD;
    for (uint32_t t = ix->ioff[s]; t < ix->ioff[s + 1]; t++)
        mark[ix->intent[t]] |= INTENDED;
    out->subject_products = sp;
    out->subject_spend = spend_before(ix, s, at);
    const double ls = at == ALIKE_LIVE ? (double)ix->hot[s].lspend : log_major(out->subject_spend);
    double known = ix->hot[s].lemp >= 0;
    for (size_t a = 0; a < ALIKE_NATTRS; a++)
        known += ix->hot[s].attr[a] != 0;
    struct scan sc = {.ix = ix,
                      .q = q,
                      .mark = mark,
                      .known = known,
                      .ls = ls,
                      .sp = sp,
                      .si = si,
                      .group = ix->hot[s].group,
                      .open = (sp ? ALIKE_W_BUY : 0) + (si ? ALIKE_W_INTENT : 0)};
    uint8_t *shared = NULL; /* products in common, for those sharing one */
    bool rest = true;       /* the candidates not scored yet may still enter */
    if (at == ALIKE_LIVE && sp && sp < UINT8_MAX) {
        /* those sharing a product first, from the lists of buyers of the subject's products,
         * most products in common first, until no one with fewer could enter; the others only
         * when one of them could still enter (docs/voice.md, "Speed") */
        size_t total = 0;
        for (uint32_t p = ix->poff[s]; p < ix->poff[s + 1]; p++)
            total += ix->boff[ix->prod[p] + 1] - ix->boff[ix->prod[p]];
        shared = alloc_array_zero(ix->n, 1);
        uint32_t *cands = alloc_array(total ? total : 1, sizeof(*cands));
        uint32_t *order = alloc_array(total ? total : 1, sizeof(*order));
        size_t from[UINT8_MAX + 1] = {0};
        if (!shared || !cands || !order) {
            free(shared);
            free(cands);
            free(order);
            free(mark);
            free(score);
            free(count);
            return kith_err(err, KITH_ENOMEM, "out of memory comparing");
        }
        size_t nc = 0;
        for (uint32_t p = ix->poff[s]; p < ix->poff[s + 1]; p++)
            for (uint32_t b = ix->boff[ix->prod[p]]; b < ix->boff[ix->prod[p] + 1]; b++)
                if (shared[ix->buyer[b]]++ == 0)
                    cands[nc++] = ix->buyer[b];
        /* a counting sort by products in common, most first */
        for (size_t i = 0; i < nc; i++)
            from[shared[cands[i]]]++;
        for (size_t v = sp, at_v = 0; v >= 1; v--) {
            const size_t nv = from[v];
            from[v] = at_v;
            at_v += nv;
        }
        size_t end[UINT8_MAX + 1];
        memcpy(end, from, sizeof(end));
        for (size_t i = 0; i < nc; i++)
            order[end[shared[cands[i]]]++] = cands[i];
        const double others = ALIKE_W_ATTR + ALIKE_W_SPEND + (si ? ALIKE_W_INTENT : 0);
        for (size_t v = sp; v >= 1; v--) {
            /* at best: every attribute, the same spend and intent, and only these v products */
            const double best = others + ALIKE_W_BUY * sqrt((double)v / (double)sp);
            if (sc.nh == k && best < sc.heap[0].score)
                break;
            for (size_t i = from[v]; i < end[v]; i++)
                consider(&sc, order[i], v);
        }
        free(cands);
        free(order);
        rest = sc.nh < k || sc.heap[0].score <= others;
        sc.open = si ? ALIKE_W_INTENT : 0; /* the rest share nothing */
    }
    for (size_t c = 0; rest && c < ix->n; c++)
        if (!shared || shared[c] == 0)
            consider(&sc, c, shared ? 0 : SIZE_MAX);
    free(shared);
    struct cand *heap = sc.heap;
    const size_t nh = sc.nh;
    qsort(heap, nh, sizeof(*heap), cand_cmp);
    for (size_t i = 0; i < nh; i++) {
        struct alike_neighbour *nb = &out->nb[i];
        const size_t c = heap[i].entity;
        *nb = (struct alike_neighbour){.entity = c,
                                       .similarity = heap[i].score,
                                       .attr = heap[i].attr,
                                       .buy = heap[i].buy,
                                       .spend = heap[i].spend,
                                       .intent = heap[i].intent,
                                       .shared = heap[i].shared};
        int64_t from = INT64_MIN; /* its last purchase of a product the subject holds */
        for (uint32_t p = ix->poff[c]; p < ix->poff[c + 1] && ix->pat[p] < at; p++)
            if (mark[ix->prod[p]] & HELD)
                from = ix->pat[p];
        for (uint32_t p = ix->poff[c]; p < ix->poff[c + 1] && ix->pat[p] < at; p++) {
            const uint32_t prod = ix->prod[p];
            if (ix->pat[p] < from || (mark[prod] & HELD))
                continue;
            if (nb->nnext < ALIKE_NEXT_MAX)
                nb->next[nb->nnext++] = (struct alike_next){prod, ix->pat[p]};
            count[prod]++;
            score[prod] += nb->similarity;
        }
    }
    out->n = nh;
    for (size_t p = 0; p < np; p++)
        if (count[p])
            top_insert(out->top, &out->ntop, (struct alike_pick){(uint32_t)p, score[p], count[p]});
    free(mark);
    free(score);
    free(count);
    return 0;
}

/* ---- the hold-out evaluation ---------------------------------------------------------------- */

struct cut {
    int64_t at;
    size_t entity;
};

static int cut_cmp(const void *pa, const void *pb)
{
    const struct cut *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->entity > b->entity) - (a->entity < b->entity);
}

struct stamped {
    int64_t at;
    uint32_t product;
};

static int stamped_cmp(const void *pa, const void *pb)
{
    const struct stamped *a = pa, *b = pb;
    return (a->at > b->at) - (a->at < b->at);
}

/* True when one of top[0..n) was first bought by entity i at or after cut. */
static bool hit(const struct alike_index *ix, size_t i, int64_t cut, const uint32_t *top, size_t n)
{
    for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1]; p++)
        if (ix->pat[p] >= cut)
            for (size_t t = 0; t < n; t++)
                if (top[t] == ix->prod[p])
                    return true;
    return false;
}

int alike_evaluate(const struct alike_index *ix, size_t k, struct alike_eval *out,
                   struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->k = k;
    const size_t np = ix->nproducts;
    struct cut *cuts = alloc_array(ix->n ? ix->n : 1, sizeof(*cuts));
    const size_t nall = ix->poff[ix->n];
    struct stamped *all = alloc_array(nall ? nall : 1, sizeof(*all));
    uint32_t *pop = alloc_array_zero(np ? np : 1, sizeof(*pop));
    uint8_t *held = alloc_array_zero(np ? np : 1, 1);
    if (!cuts || !all || !pop || !held) {
        free(cuts);
        free(all);
        free(pop);
        free(held);
        return kith_err(err, KITH_ENOMEM, "out of memory evaluating");
    }
    size_t ncuts = 0;
    for (size_t i = 0; i < ix->n; i++) {
        if (ix->ooff[i + 1] == ix->ooff[i])
            continue;
        out->customers++;
        const int64_t cut = ix->oat[ix->ooff[i + 1] - 1];
        bool fresh = false;
        for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1] && !fresh; p++)
            fresh = ix->pat[p] >= cut;
        if (!fresh) {
            out->repeats++;
            continue;
        }
        cuts[ncuts++] = (struct cut){cut, i};
    }
    for (size_t p = 0; p < nall; p++)
        all[p] = (struct stamped){ix->pat[p], ix->prod[p]};
    qsort(all, nall, sizeof(*all), stamped_cmp);
    qsort(cuts, ncuts, sizeof(*cuts), cut_cmp);
    size_t swept = 0;
    int rc = 0;
    for (size_t c = 0; c < ncuts && rc == 0; c++) {
        const size_t i = cuts[c].entity;
        const int64_t cut = cuts[c].at;
        while (swept < nall && all[swept].at < cut)
            pop[all[swept++].product]++;
        /* the neighbours' next purchases */
        struct alike_result r;
        const struct alike_query q = {.subject = i, .at = cut, .k = k, .other_groups = true};
        if ((rc = alike_query(ix, &q, &r, err)) < 0)
            break;
        uint32_t knn[ALIKE_TOP];
        for (size_t t = 0; t < r.ntop; t++)
            knn[t] = r.top[t].product;
        /* the most popular by then that i did not hold */
        for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1] && ix->pat[p] < cut; p++)
            held[ix->prod[p]] = 1;
        struct alike_pick top[ALIKE_TOP];
        size_t ntop = 0;
        for (size_t p = 0; p < np; p++)
            if (!held[p] && pop[p])
                top_insert(top, &ntop, (struct alike_pick){(uint32_t)p, (double)pop[p], 0});
        for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1] && ix->pat[p] < cut; p++)
            held[ix->prod[p]] = 0;
        uint32_t popular[ALIKE_TOP];
        for (size_t t = 0; t < ntop; t++)
            popular[t] = top[t].product;
        const bool h = hit(ix, i, cut, knn, r.ntop), hp = hit(ix, i, cut, popular, ntop);
        const bool history = ix->oat[ix->ooff[i]] < cut;
        out->evaluated++;
        out->hits += h;
        out->popular_hits += hp;
        if (history) {
            out->with_history++;
            out->history_hits += h;
            out->history_popular_hits += hp;
        }
    }
    free(cuts);
    free(all);
    free(pop);
    free(held);
    return rc;
}
