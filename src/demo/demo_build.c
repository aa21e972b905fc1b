/*
 * demo_build.c - demo_build(): checks that the database is empty, builds the demo world in
 * memory (demo_people.c, demo_sim.c, demo_orders.c) and writes it in one transaction
 * (demo_write.c). Also the capped growable arrays the generator collects rows in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

void demo_vec_init(struct demo_vec *v, size_t size, size_t max)
{
    memset(v, 0, sizeof(*v));
    v->size = size;
    v->max = max;
}

void *demo_vec_push(struct demo_vec *v, struct kith_error *err)
{
    if (v->n == v->cap) {
        if (v->n >= v->max) {
            kith_err(err, KITH_ERANGE, "the demo outgrew its limit of %zu rows of one table",
                     v->max);
            return NULL;
        }
        size_t cap = v->cap ? v->cap * 2 : 1024;
        if (cap > v->max)
            cap = v->max;
        void *p = realloc(v->items, cap * v->size);
        if (!p) {
            kith_err(err, KITH_ENOMEM, "out of memory building the demo (%zu rows)", cap);
            return NULL;
        }
        v->items = p;
        v->cap = cap;
    }
    return (char *)v->items + v->size * v->n++;
}

void demo_vec_release(struct demo_vec *v)
{
    free(v->items);
    memset(v, 0, sizeof(*v));
}

static int check_empty(struct store *s, const char *what, struct kith_error *err)
{
    for (size_t i = 0; i < model_ntables; i++) {
        int64_t n = 0;
        /* the default deal stages come with every database (the store's migrations seed them) */
        if (strcmp(model_tables[i]->name, "deal_stages") == 0)
            continue;
        int rc = store_count(s, model_tables[i], &n, err);
        if (rc < 0)
            return rc;
        if (n > 0)
            return kith_err(err, KITH_ECONFLICT,
                            "the database already holds data (%lld rows in %s); %s only fills"
                            " an empty database: give it a new --db path",
                            (long long)n, model_tables[i]->name, what);
    }
    return 0;
}

/*
 * How much RV per cost each type of a level brings, as a z-score among the types done by reps:
 * skilled reps lean towards the efficient ones (planted effect b).
 */
static int type_efficiency(struct demo_world *w, struct kith_error *err)
{
    w->type_eff = calloc(w->ntypes, sizeof(*w->type_eff));
    if (!w->type_eff)
        return kith_err(err, KITH_ENOMEM, "out of memory preparing the catalogue");
    for (int level = 1; level <= CATALOGUE_NLEVELS; level++) {
        double sum = 0, sum2 = 0;
        int n = 0;
        for (size_t i = 0; i < w->ntypes; i++) {
            const struct catalogue_type *t = &w->types[i];
            if (t->level != level || !t->by_rep)
                continue;
            double rv = (double)t->rv;
            double e = (rv < 0 ? -log1p(-rv) : log1p(rv)) - 0.5 * log1p((double)t->cost / 100.0);
            w->type_eff[i] = e;
            sum += e;
            sum2 += e * e;
            n++;
        }
        if (n < 2)
            continue;
        double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
        for (size_t i = 0; i < w->ntypes; i++)
            if (w->types[i].level == level && w->types[i].by_rep)
                w->type_eff[i] = sd > 0 ? (w->type_eff[i] - mean) / sd : 0.0;
    }
    return 0;
}

static int world_init(struct demo_world *w, const struct demo_options *opt, struct kith_error *err)
{
    memset(w, 0, sizeof(*w));
    w->opt = opt;
    int rc;
    if ((rc = rng_init_stream(&w->rng_people, opt->seed, 1, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_sim, opt->seed, 2, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_orders, opt->seed, 3, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_deals, opt->seed, 4, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_wallet, opt->seed, 5, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_misfit, opt->seed, 6, err)) < 0 ||
        (rc = rng_init_stream(&w->rng_moments, opt->seed, 7, err)) < 0)
        return rc;
    w->types = catalogue_types(&w->ntypes);
    if ((rc = type_efficiency(w, err)) < 0)
        return rc;
    w->ncon = opt->contacts;
    w->nacc = (opt->contacts + DEMO_CONTACTS_PER_ACCOUNT / 2) / DEMO_CONTACTS_PER_ACCOUNT;
    if (w->nacc == 0)
        w->nacc = 1;
    w->acc = calloc(w->nacc, sizeof(*w->acc));
    w->con = calloc(w->ncon, sizeof(*w->con));
    if (!w->acc || !w->con)
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu contacts", w->ncon);
    /* Caps far above what the model produces (about 50 interactions per contact). */
    demo_vec_init(&w->ix, sizeof(struct demo_ix), w->ncon * 400 + 100000);
    demo_vec_init(&w->orders, sizeof(struct demo_order), w->nacc * 400 + 10000);
    demo_vec_init(&w->lines, sizeof(struct demo_line), w->nacc * 400 * 8 + 80000);
    demo_vec_init(&w->events, sizeof(struct demo_event), w->ncon * 200 + 100000);
    demo_vec_init(&w->deals, sizeof(struct demo_deal), w->nacc * 100 + 10000);
    return 0;
}

static void world_release(struct demo_world *w)
{
    rng_release(&w->rng_people);
    rng_release(&w->rng_sim);
    rng_release(&w->rng_orders);
    rng_release(&w->rng_deals);
    rng_release(&w->rng_wallet);
    rng_release(&w->rng_misfit);
    rng_release(&w->rng_moments);
    free(w->type_eff);
    free(w->acc);
    free(w->con);
    demo_vec_release(&w->ix);
    demo_vec_release(&w->orders);
    demo_vec_release(&w->lines);
    demo_vec_release(&w->events);
    demo_vec_release(&w->deals);
}

int demo_build(struct store *s, const struct demo_options *opt, struct demo_summary *sum,
               struct kith_error *err)
{
    if (opt->contacts < DEMO_MIN_CONTACTS || opt->contacts > DEMO_MAX_CONTACTS)
        return kith_err(err, KITH_ERANGE, "the number of contacts must be %d..%d, not %u",
                        DEMO_MIN_CONTACTS, DEMO_MAX_CONTACTS, opt->contacts);
    int rc = check_empty(s, "kith demo", err);
    if (rc < 0)
        return rc;
    struct demo_world w;
    struct store_bulk *bulk = NULL;
    struct demo_summary local;
    if (!sum)
        sum = &local;
    memset(sum, 0, sizeof(*sum));
    if ((rc = world_init(&w, opt, err)) < 0)
        goto out_release;
    if ((rc = demo_people_generate(&w, err)) < 0)
        goto out_release;
    demo_misfits_generate(&w);
    if ((rc = demo_sim_run(&w, err)) < 0)
        goto out_release;
    if ((rc = demo_deals_generate(&w, err)) < 0)
        goto out_release;
    demo_wallets_generate(&w);
    if ((rc = demo_moments_generate(&w, err)) < 0)
        goto out_release;

    /* One big transaction: the store's bulk mode (a large page cache, no foreign-key checks as
     * every reference is made here, the interactions' indexes built once at the end). */
    if ((rc = store_bulk_begin(s, model_table("interactions"), &bulk, err)) < 0)
        goto out_release;
    if ((rc = store_begin(s, err)) < 0)
        goto out_release;
    if ((rc = store_bulk_defer_indexes(bulk, NULL, err)) < 0)
        goto out_rollback;
    if ((rc = demo_write(s, &w, sum, err)) < 0)
        goto out_rollback;
    if ((rc = store_bulk_finish(bulk, err)) < 0)
        goto out_rollback;
    if ((rc = store_commit(s, err)) < 0)
        goto out_rollback;
    goto out_release;

out_rollback:
    store_rollback(s);
out_release:
    store_bulk_end(bulk);
    world_release(&w);
    return rc;
}
