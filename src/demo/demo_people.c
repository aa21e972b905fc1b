/*
 * demo_people.c - the accounts and contacts of the demo: who they are (industry, territory,
 * size, source, names, titles, buying and community roles), who serves them, and the latent
 * traits that drive the simulation (relationship quality, purchase rate and dropout through a
 * Gaussian copula, spend, discount, pace, advocacy). Parameters: docs/demo-data.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

/* BG/NBD heterogeneity (per week) and Gamma-Gamma spend (dollars); see docs/demo-data.md. */
#define BG_R      0.9
#define BG_ALPHA  12.0
#define BG_A      0.7
#define BG_B      3.5
#define GG_Q      4.0
#define GG_GAMMA  9000.0
#define REV_MU    22.8 /* log of annual revenue in cents: about $80M */
#define REV_SIGMA 1.3

static const double territory_weights[] = {0.20, 0.17, 0.24, 0.12, 0.15, 0.07, 0.05};
static const int64_t band_floor[] = {0, 1000000000LL, 5000000000LL, 25000000000LL, 100000000000LL};
static const char *const band_names[] = {"<$10M", "$10M-$50M", "$50M-$250M", "$250M-$1B", ">$1B"};
/* Lead sources of accounts a business unit serves directly (index as demo_sources). */
static const double direct_source_weights[] = {0.24, 0.16, 0.24, 0.10, 0.10, 0.0, 0.16};
/* Referrals start once there are customers to refer: after about eight months. */
#define REFERRALS_FROM_MS (DEMO_START_MS + 240 * DEMO_DAY_MS)

const char *demo_band_name(int band)
{
    return band_names[band];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* A user index serving phase for account a: a rep of the account's virtual team or partner. */
static int pick_rep(struct demo_world *w, const struct demo_account *a, int phase)
{
    int cand[16];
    int n = 0;
    const struct demo_unit *u = &demo_units[a->unit];
    for (size_t i = 0; i < demo_nusers && n < 16; i++) {
        const struct demo_user *us = &demo_users[i];
        if (us->unit != a->unit || us->vat != a->team)
            continue;
        if (strcmp(u->kind, "business_unit") == 0) {
            if (strcmp(us->role, "frontline") != 0 ||
                strcmp(demo_teams[us->team].kind,
                       catalogue_phase_name((enum catalogue_phase)phase)))
                continue;
        }
        cand[n++] = (int)i;
    }
    if (n == 0)
        BUG("no rep for unit %d team %d phase %d", a->unit, a->team, phase);
    return cand[rng_below(&w->rng_people, (uint32_t)n)];
}

static int home_team(struct demo_world *w, const struct demo_account *a)
{
    switch (a->unit) {
    case 1:
    case 2: {
        int key = a->unit == 1 ? 3 : 8;
        /* Large accounts go to the key-account team, with some exceptions either way. */
        bool big = a->band >= 3;
        return rng_bernoulli(&w->rng_people, big ? 0.85 : 0.10) ? key : key + 1;
    }
    default:
        return 7 + a->unit; /* the partner's own team: 10, 11, 12 */
    }
}

/* Marks name combinations in use so that account names (and so email domains) are unique. */
struct name_pool {
    unsigned char *used;
    size_t n;
    unsigned variant;
};

static void pick_name(struct demo_world *w, struct demo_account *a, struct name_pool *pool)
{
    size_t ncores = demo_nindustries * 3;
    for (int tries = 0; tries < 64; tries++) {
        size_t p = rng_below(&w->rng_people, (uint32_t)demo_ncompany_prefixes);
        size_t c = (size_t)a->industry * 3 + rng_below(&w->rng_people, 3);
        /* Most names have no region word; the region words make room for large demos. */
        size_t r = rng_bernoulli(&w->rng_people, 0.7)
                       ? 0
                       : rng_below(&w->rng_people, (uint32_t)demo_ncompany_regions);
        size_t key = (p * ncores + c) * demo_ncompany_regions + r;
        if (pool->used[key])
            continue;
        pool->used[key] = 1;
        a->name_prefix = (int)p;
        a->name_core = (int)(c % 3);
        a->name_region = (int)r;
        a->name_variant = 0;
        return;
    }
    /* Crowded: reuse a combination with a number that keeps it unique. */
    a->name_prefix = (int)rng_below(&w->rng_people, (uint32_t)demo_ncompany_prefixes);
    a->name_core = (int)rng_below(&w->rng_people, 3);
    a->name_region = 0;
    a->name_variant = (int)++pool->variant;
}

void demo_account_name(const struct demo_account *a, char *out, size_t cap)
{
    const char *region = demo_company_regions[a->name_region];
    char variant[16] = "";
    if (a->name_variant)
        snprintf(variant, sizeof(variant), " %d", a->name_variant);
    snprintf(out, cap, "%s%s%s %s%s %s", region, *region ? " " : "",
             demo_company_prefixes[a->name_prefix],
             demo_industries[a->industry].cores[a->name_core], variant,
             demo_company_suffixes[a->name_suffix]);
}

void demo_account_domain(const struct demo_account *a, char *out, size_t cap)
{
    char words[256], slug[200];
    snprintf(words, sizeof(words), "%s%s%s%d", demo_company_regions[a->name_region],
             demo_company_prefixes[a->name_prefix],
             demo_industries[a->industry].cores[a->name_core], a->name_variant);
    size_t n = demo_slug(words, slug, sizeof(slug));
    if (a->name_variant == 0 && n > 0)
        slug[n - 1] = '\0'; /* drop the "0" */
    snprintf(out, cap, "%s.example", slug);
}

/* The latent traits that make purchases, churn and RV move together (planted effects a, b, e). */
static void draw_latent(struct demo_world *w, struct demo_account *a)
{
    struct rng *r = &w->rng_people;
    const struct demo_unit *u = &demo_units[a->unit];
    double s_ret = demo_users[a->rep[PHASE_RETENTION]].skill;
    double z_buy = 0.4 * a->q + 0.3 * s_ret + 0.87 * rng_normal(r, 0, 1);
    double z_stay = 0.85 * a->q + 0.25 * s_ret + 0.46 * rng_normal(r, 0, 1);
    double z_size = (log((double)a->revenue) - REV_MU) / REV_SIGMA;
    double z_spend = 0.5 * z_size + 0.87 * rng_normal(r, 0, 1);
    a->lambda = rng_gamma_quantile(rng_normal_cdf(z_buy), BG_R, 1.0 / BG_ALPHA);
    a->p_drop = rng_beta_quantile(rng_normal_cdf(-z_stay), BG_A, BG_B);
    a->nu = rng_gamma_quantile(rng_normal_cdf(-z_spend), GG_Q, 1.0 / GG_GAMMA);
    double d = 0.10 - 0.035 * a->q + rng_normal(r, 0, 0.03);
    if (strcmp(u->kind, "business_unit") != 0)
        d += 0.12; /* the partner's margin */
    a->discount = d < 0.0 ? 0.0 : d > 0.35 ? 0.35 : d;
}

static void pick_categories(struct demo_world *w, struct demo_account *a)
{
    int bu = demo_units[a->unit].bu;
    /* Automation sells categories 0..3, Fluid Power 4..6; 7 is services. */
    int lo = bu == 1 ? 0 : 4, n = bu == 1 ? 4 : 3;
    a->cat_pref[0] = lo + (int)rng_below(&w->rng_people, (uint32_t)n);
    double u = rng_uniform(&w->rng_people);
    if (u < 0.45)
        a->cat_pref[1] = 7;
    else if (u < 0.85)
        a->cat_pref[1] = lo + (int)rng_below(&w->rng_people, (uint32_t)n);
    else /* the other business unit: cross-unit accounts */
        a->cat_pref[1] =
            bu == 1 ? 4 + (int)rng_below(&w->rng_people, 3) : (int)rng_below(&w->rng_people, 4);
}

static int gen_accounts(struct demo_world *w, struct kith_error *err)
{
    struct rng *r = &w->rng_people;
    int64_t *arrivals = calloc(w->nacc, sizeof(*arrivals));
    struct name_pool pool = {0};
    pool.n = demo_ncompany_prefixes * demo_nindustries * 3 * demo_ncompany_regions;
    pool.used = calloc(pool.n, 1);
    if (!arrivals || !pool.used) {
        free(arrivals);
        free(pool.used);
        return kith_err(err, KITH_ENOMEM, "out of memory generating accounts");
    }
    /* A fifth were already in the pipeline at the start; the rest arrive steadily. */
    int64_t early_end = DEMO_START_MS + 60 * DEMO_DAY_MS;
    int64_t last = DEMO_NOW_MS - 45 * DEMO_DAY_MS;
    for (size_t i = 0; i < w->nacc; i++) {
        if (rng_bernoulli(r, 0.2))
            arrivals[i] =
                DEMO_START_MS + (int64_t)rng_range(r, 0, (double)(early_end - DEMO_START_MS));
        else
            arrivals[i] = early_end + (int64_t)rng_range(r, 0, (double)(last - early_end));
    }
    qsort(arrivals, w->nacc, sizeof(*arrivals), cmp_i64);

    double unit_w[8];
    for (size_t u = 0; u < demo_nunits; u++)
        unit_w[u] = demo_units[u].share;
    double ind_w[16];
    for (size_t i = 0; i < demo_nindustries; i++)
        ind_w[i] = 1.0 + 0.15 * (double)(i % 4); /* some industries are more common */

    for (size_t i = 0; i < w->nacc; i++) {
        struct demo_account *a = &w->acc[i];
        a->arrival_ms = arrivals[i];
        a->unit = (int)rng_choice(r, unit_w, demo_nunits);
        a->industry = (int)rng_choice(r, ind_w, demo_nindustries);
        a->territory = (int)rng_choice(r, territory_weights, demo_nterritories);
        double rev = rng_lognormal(r, REV_MU, REV_SIGMA);
        if (rev < 2e8)
            rev = 2e8 + rng_range(r, 0, 5e7);
        if (rev > 2e12)
            rev = 2e12 - rng_range(r, 0, 1e11);
        a->revenue = (int64_t)rev / 100000 * 100000; /* rounded to $1,000 */
        for (a->band = 4; a->band > 0 && a->revenue < band_floor[a->band]; a->band--)
            ;
        a->employees = (int)(rev / 100.0 / 250000.0 * rng_lognormal(r, 0, 0.3)) + 5;
        bool direct = strcmp(demo_units[a->unit].kind, "business_unit") == 0;
        if (!direct && rng_bernoulli(r, 0.65)) {
            a->source = 5; /* Partner */
        } else {
            a->source = (int)rng_choice(r, direct_source_weights, demo_nsources);
            if (a->source == SRC_REFERRAL_INDEX && a->arrival_ms < REFERRALS_FROM_MS)
                a->source = 0;
        }
        a->erp = (int)rng_below(r, (uint32_t)demo_nerps);
        a->name_suffix = (int)rng_below(r, (uint32_t)demo_ncompany_suffixes);
        pick_name(w, a, &pool);
        a->q = rng_normal(r, 0, 1) + (a->source == SRC_REFERRAL_INDEX ? 0.5 : 0.0);
        a->team = home_team(w, a);
        for (int ph = 0; ph < CATALOGUE_NPHASES; ph++)
            a->rep[ph] = pick_rep(w, a, ph);
        draw_latent(w, a);
        pick_categories(w, a);
        a->conv_ms = a->death_ms = a->notice_ms = a->second_order_ms = NEVER;
        a->referral_ms = NEVER;
        a->conv_type = -1;
    }
    free(arrivals);
    free(pool.used);
    return 0;
}

static void gen_contact(struct demo_world *w, size_t ai, size_t ci, bool primary)
{
    struct rng *r = &w->rng_people;
    struct demo_account *a = &w->acc[ai];
    struct demo_contact *c = &w->con[ci];
    c->account = ai;
    if (primary) {
        c->arrival_ms = a->arrival_ms;
        c->buying_role = 0;
    } else {
        c->arrival_ms = a->arrival_ms + (int64_t)(rng_exponential(r, 150.0) * (double)DEMO_DAY_MS);
        if (c->arrival_ms >= DEMO_NOW_MS - DEMO_DAY_MS)
            c->arrival_ms =
                a->arrival_ms +
                (int64_t)rng_range(r, 0, (double)(DEMO_NOW_MS - DEMO_DAY_MS - a->arrival_ms));
        static const double role_w[] = {0.15, 0.45, 0.40};
        c->buying_role = (int)rng_choice(r, role_w, 3);
    }
    c->first = (int)rng_below(r, (uint32_t)demo_nfirst_names);
    c->last = (int)rng_below(r, (uint32_t)demo_nlast_names);
    c->title = (int)rng_below(r, (uint32_t)demo_ntitles[c->buying_role]);
    for (size_t k = a->first_contact; k < ci; k++)
        if (w->con[k].first == c->first && w->con[k].last == c->last)
            c->email_dup++;
    double u = rng_uniform(r);
    double lead = 0.04 * exp(0.3 * a->q);
    c->community = u < lead ? 0 : u < lead + 0.14 ? 1 : u < lead + 0.44 ? 2 : -1;
    u = rng_uniform(r);
    c->pace = u < 0.10 ? PACE_STALL : u < 0.15 ? PACE_FAST : PACE_NORMAL;
    c->advocacy = rng_beta(r, 0.6, 4.0) * (c->community == 0 ? 2.0 : 1.0);
    c->start_level = 1;
    c->level = 1;
    for (int l = 0; l <= CATALOGUE_NLEVELS; l++)
        c->reach_ms[l] = NEVER;
}

static int gen_contacts(struct demo_world *w, struct kith_error *err)
{
    struct rng *r = &w->rng_people;
    double *weights = calloc(w->nacc, sizeof(*weights));
    unsigned *extra = calloc(w->nacc, sizeof(*extra));
    if (!weights || !extra) {
        free(weights);
        free(extra);
        return kith_err(err, KITH_ENOMEM, "out of memory generating contacts");
    }
    /* Every account has its decision maker; larger accounts get more of the other contacts. */
    for (size_t i = 0; i < w->nacc; i++)
        weights[i] = pow((double)w->acc[i].revenue / 8e9, 0.45) * rng_gamma(r, 2.0, 0.5);
    unsigned rest = (unsigned)(w->ncon > w->nacc ? w->ncon - w->nacc : 0);
    rng_multinomial(r, weights, w->nacc, rest, extra);
    size_t ci = 0;
    for (size_t i = 0; i < w->nacc; i++) {
        struct demo_account *a = &w->acc[i];
        a->first_contact = ci;
        a->ncontacts = 1 + extra[i];
        a->primary = ci;
        for (size_t k = 0; k < a->ncontacts; k++, ci++)
            gen_contact(w, i, ci, k == 0);
    }
    free(weights);
    free(extra);
    if (ci != w->ncon)
        BUG("generated %zu contacts, wanted %zu", ci, w->ncon);
    return 0;
}

int demo_people_generate(struct demo_world *w, struct kith_error *err)
{
    int rc = gen_accounts(w, err);
    if (rc < 0)
        return rc;
    return gen_contacts(w, err);
}
