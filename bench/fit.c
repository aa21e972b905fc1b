/*
 * bench/fit.c - how fast kith fits its customer lifetime value models and mines association
 * rules, on data whose truth is known (make bench-value runs it; docs/BENCHMARKS.md records it).
 *
 * 1. Draws customers from the BG/NBD process with the published CDNOW parameters (Fader, Hardie
 *    & Lee 2005: r 0.2425945, alpha 4.4136019, a 0.7929199, b 2.4258881 per week) and their
 *    spends from the Gamma-Gamma model (p 6.2488, q 3.7446, gamma 15.4477): each customer enters
 *    on a day of the first 12 weeks and is observed to the end of week 39, as in CDNOW; purchase
 *    days are whole days (a transaction log has no finer time), spends are in cents.
 * 2. Times bgnbd_fit() and gg_fit() (median of --runs) and checks that they recover the
 *    generating parameters within 2%. Writes the customers as a summary CSV (id, frequency,
 *    recency, T, monetary_value) for the scipy baseline, bench/fit_scipy.py.
 * 3. Draws --baskets baskets of a catalogue of 200 products with planted associations and times
 *    basket_mine() with the default thresholds.
 */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/basket.h"
#include "engine/clv.h"
#include "util/error.h"

static const struct bgnbd_params TRUE_BG = {0.2425945, 4.4136019, 0.7929199, 2.4258881};
static const struct gg_params TRUE_GG = {6.2488, 3.7446, 15.4477};

#define ENTRY_DAYS 84  /* customers enter over the first 12 weeks ... */
#define END_DAY    273 /* ... and are observed to the end of week 39 */
#define NPRODUCTS  200

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One customer of the BG/NBD process, spends from Gamma-Gamma (see the top of the file). */
static void draw_customer(gsl_rng *g, struct clv_customer *c)
{
    int entry = (int)gsl_rng_uniform_int(g, ENTRY_DAYS);
    double T = (double)(END_DAY - entry) / 7;
    double lambda = gsl_ran_gamma(g, TRUE_BG.r, 1 / TRUE_BG.alpha);
    double p = gsl_ran_beta(g, TRUE_BG.a, TRUE_BG.b);
    double nu = gsl_ran_gamma(g, TRUE_GG.q, 1 / TRUE_GG.gamma);
    double t = 0, last_day = 0, spent = 0, u = gsl_rng_uniform(g);
    int x = 0;
    for (;;) {
        t += gsl_ran_exponential(g, 1 / lambda);
        double day = floor(u + t * 7); /* the first purchase was at u of its day */
        if (day > END_DAY - entry)
            break;
        x++;
        last_day = day;
        spent += round(gsl_ran_gamma(g, TRUE_GG.p, 1 / nu) * 100) / 100;
        if (gsl_rng_uniform(g) < p)
            break; /* becomes inactive after this purchase */
    }
    c->x = x;
    c->t_x = last_day / 7;
    c->T = T;
    c->zbar = x > 0 ? round(spent / x * 100) / 100 : 0;
}

/* Baskets of 1 to 6 products from a skewed catalogue, with pairs bought together planted. */
static int draw_baskets(gsl_rng *g, size_t n, struct basket_set *b)
{
    b->n = n;
    b->start = malloc((n + 1) * sizeof(*b->start));
    b->items = malloc(n * 8 * sizeof(*b->items));
    if (!b->start || !b->items)
        return -1;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        b->start[i] = at;
        int32_t got[8];
        int k = 1 + (int)gsl_rng_uniform_int(g, 6), m = 0;
        while (m < k) {
            /* Zipf-like popularity: product j with weight ~ 1 / (j + 1) */
            int32_t item = (int32_t)(exp(gsl_rng_uniform(g) * log(NPRODUCTS + 1.0)) - 1);
            int32_t add[2] = {item, -1};
            if (item % 10 == 0 && item + 1 < NPRODUCTS && gsl_rng_uniform(g) < 0.6)
                add[1] = item + 1; /* the planted association: j -> j + 1 */
            for (int s = 0; s < 2 && add[s] >= 0 && m < 8; s++) {
                bool seen = false;
                for (int q = 0; q < m; q++)
                    seen |= got[q] == add[s];
                if (!seen)
                    got[m++] = add[s];
            }
            if (m >= k)
                break;
        }
        qsort(got, (size_t)m, sizeof(got[0]), cmp_i32);
        memcpy(b->items + at, got, (size_t)m * sizeof(got[0]));
        at += (size_t)m;
    }
    b->start[n] = at;
    return 0;
}

static void usage(void)
{
    fputs("usage: bench-fit [--customers N] [--baskets N] [--runs N] [--seed S] [--csv FILE]\n",
          stderr);
    exit(2);
}

static double rel_err(double got, double want)
{
    return fabs(got - want) / want;
}

int main(int argc, char **argv)
{
    long ncust = 1000000, nbask = 1000000, runs = 3, seed = 42;
    const char *csv = "bench/out/fit-1m.csv";
    static const struct option longopts[] = {{"customers", required_argument, NULL, 'c'},
                                             {"baskets", required_argument, NULL, 'b'},
                                             {"runs", required_argument, NULL, 'r'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"csv", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            ncust = atol(optarg);
            break;
        case 'b':
            nbask = atol(optarg);
            break;
        case 'r':
            runs = atol(optarg);
            break;
        case 's':
            seed = atol(optarg);
            break;
        case 'o':
            csv = optarg;
            break;
        case 'h':
            fputs("bench-fit: BG/NBD and Gamma-Gamma fits on customers drawn with the CDNOW\n"
                  "parameters, and association rules over baskets (see bench/fit.c).\n",
                  stdout);
            return 0;
        default:
            usage();
        }
    }
    if (ncust < 1000 || nbask < 1000 || runs < 1 || runs > 25)
        usage();
    gsl_set_error_handler_off(); /* the engine checks its inputs and reports errors itself */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, (unsigned long)seed);
    struct clv_customer *c = malloc((size_t)ncust * sizeof(*c));
    if (!g || !c)
        return 1;
    size_t repeat = 0;
    for (long i = 0; i < ncust; i++) {
        draw_customer(g, &c[i]);
        repeat += c[i].x > 0;
    }
    FILE *f = fopen(csv, "w");
    if (f) {
        fputs("id,frequency,recency,T,monetary_value\n", f);
        for (long i = 0; i < ncust; i++)
            fprintf(f, "%ld,%.0f,%.17g,%.17g,%.2f\n", i + 1, c[i].x, c[i].t_x, c[i].T, c[i].zbar);
        fclose(f);
    } else {
        fprintf(stderr, "bench-fit: cannot write %s (no baseline file)\n", csv);
    }
    printf("customer value fits: %ld customers drawn with the CDNOW parameters (seed %ld), "
           "%zu repeat buyers; summary in %s\n",
           ncust, seed, repeat, csv);

    struct kith_error err = {0};
    struct bgnbd_params bg = {0};
    struct gg_params gg = {0};
    struct clv_fit_info bi = {0}, gi = {0};
    double tb[25], tg[25];
    for (long k = 0; k < runs; k++) {
        double t0 = now_s();
        if (bgnbd_fit(c, (size_t)ncust, NULL, &bg, &bi, &err) < 0) {
            fprintf(stderr, "bench-fit: %s\n", err.msg);
            return 1;
        }
        double t1 = now_s();
        if (gg_fit(c, (size_t)ncust, NULL, &gg, &gi, &err) < 0) {
            fprintf(stderr, "bench-fit: %s\n", err.msg);
            return 1;
        }
        tb[k] = t1 - t0;
        tg[k] = now_s() - t1;
    }
    double eb = fmax(fmax(rel_err(bg.r, TRUE_BG.r), rel_err(bg.alpha, TRUE_BG.alpha)),
                     fmax(rel_err(bg.a, TRUE_BG.a), rel_err(bg.b, TRUE_BG.b)));
    double eg = fmax(fmax(rel_err(gg.p, TRUE_GG.p), rel_err(gg.q, TRUE_GG.q)),
                     rel_err(gg.gamma, TRUE_GG.gamma));
    printf("  kith BG/NBD: %.3f s r=%.5g alpha=%.5g a=%.5g b=%.5g loglik=%.4f iterations=%d "
           "(median of %ld; target <= 0.5 s); largest error %.2f%% (target <= 2%%)\n",
           median(tb, (int)runs), bg.r, bg.alpha, bg.a, bg.b, bi.loglik, bi.iterations, runs,
           100 * eb);
    printf("  kith Gamma-Gamma: %.3f s p=%.5g q=%.5g gamma=%.5g loglik=%.4f iterations=%d "
           "(median of %ld; target <= 0.2 s); largest error %.2f%% (target <= 2%%)\n",
           median(tg, (int)runs), gg.p, gg.q, gg.gamma, gi.loglik, gi.iterations, runs, 100 * eg);

    struct basket_set bs = {0};
    if (draw_baskets(g, (size_t)nbask, &bs) < 0)
        return 1;
    struct basket_options bo;
    basket_options_default(&bo);
    double ta[25];
    struct basket_rules rules = {0};
    for (long k = 0; k < runs; k++) {
        basket_rules_release(&rules);
        double t0 = now_s();
        if (basket_mine(&bs, NPRODUCTS, &bo, &rules, &err) < 0) {
            fprintf(stderr, "bench-fit: %s\n", err.msg);
            return 1;
        }
        ta[k] = now_s() - t0;
    }
    printf("  kith association rules: %.3f s over %zu baskets (%zu items), %zu frequent itemsets, "
           "%zu rules (support %g, confidence %g, lift %g; median of %ld; target <= 5 s)\n",
           median(ta, (int)runs), bs.n, bs.start[bs.n], rules.nitemsets, rules.n, bo.min_support,
           bo.min_confidence, bo.min_lift, runs);
    basket_rules_release(&rules);
    free(bs.start);
    free(bs.items);
    free(c);
    gsl_rng_free(g);
    return 0;
}
