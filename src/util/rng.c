/*
 * rng.c - deterministic random numbers on GSL's mt19937 and gsl_ran_* samplers; see rng.h.
 * Only simulation code uses it; nothing here is fit for secrets.
 */
#include "util/rng.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "util/banned.h"

#define GEN(r) ((gsl_rng *)(r)->gsl)

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int rng_init_stream(struct rng *r, uint64_t seed, uint64_t stream, struct kith_error *err)
{
    /* gsl_rng_alloc reports a failed allocation through the error handler, which aborts by
     * default: suspend it so that the failure becomes a return value. */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_set_error_handler(old);
    if (!g) {
        r->gsl = NULL;
        return kith_err(err, KITH_ENOMEM, "out of memory allocating a random generator");
    }
    uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    uint64_t mixed = rng_splitmix64(&state);
    /* mt19937 keeps 32 bits of its seed; fold the high half in so that no bit is wasted. */
    gsl_rng_set(g, (unsigned long)((mixed ^ (mixed >> 32)) & 0xffffffffULL));
    r->gsl = g;
    return 0;
}

int rng_init(struct rng *r, uint64_t seed, struct kith_error *err)
{
    return rng_init_stream(r, seed, 0, err);
}

void rng_release(struct rng *r)
{
    if (r && r->gsl) {
        gsl_rng_free(GEN(r));
        r->gsl = NULL;
    }
}

double rng_uniform(struct rng *r)
{
    return gsl_rng_uniform(GEN(r));
}

double rng_uniform_pos(struct rng *r)
{
    return gsl_rng_uniform_pos(GEN(r));
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
    if (n == 0)
        BUG("rng_below(0)");
    return (uint32_t)gsl_rng_uniform_int(GEN(r), n);
}

double rng_range(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * gsl_rng_uniform(GEN(r));
}

bool rng_bernoulli(struct rng *r, double p)
{
    if (p <= 0.0)
        return false;
    if (p >= 1.0)
        return true;
    return gsl_rng_uniform(GEN(r)) < p;
}

double rng_normal(struct rng *r, double mean, double sd)
{
    return mean + gsl_ran_gaussian_ziggurat(GEN(r), sd);
}

double rng_lognormal(struct rng *r, double mu, double sigma)
{
    return gsl_ran_lognormal(GEN(r), mu, sigma);
}

double rng_exponential(struct rng *r, double mean)
{
    return gsl_ran_exponential(GEN(r), mean);
}

unsigned rng_poisson(struct rng *r, double mean)
{
    return mean > 0.0 ? gsl_ran_poisson(GEN(r), mean) : 0;
}

double rng_gamma(struct rng *r, double shape, double scale)
{
    return gsl_ran_gamma(GEN(r), shape, scale);
}

double rng_beta(struct rng *r, double a, double b)
{
    return gsl_ran_beta(GEN(r), a, b);
}

size_t rng_choice(struct rng *r, const double *weights, size_t n)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        total += weights[i] > 0.0 ? weights[i] : 0.0;
    if (total <= 0.0)
        return 0;
    double x = gsl_rng_uniform(GEN(r)) * total;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (weights[i] <= 0.0)
            continue;
        last = i;
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return last; /* rounding left x just above the last weight */
}

void rng_multinomial(struct rng *r, const double *weights, size_t n, unsigned total,
                     unsigned *counts)
{
    gsl_ran_multinomial(GEN(r), n, total, weights, counts);
}

void rng_shuffle(struct rng *r, void *base, size_t n, size_t size)
{
    if (n > 1)
        gsl_ran_shuffle(GEN(r), base, n, size);
}

static double clamp_probability(double u)
{
    if (!(u > 1e-9)) /* also catches NaN */
        return 1e-9;
    if (u > 1.0 - 1e-9)
        return 1.0 - 1e-9;
    return u;
}

double rng_gamma_quantile(double u, double shape, double scale)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double x = gsl_cdf_gamma_Pinv(clamp_probability(u), shape, scale);
    gsl_set_error_handler(old);
    return isfinite(x) && x > 0.0 ? x : shape * scale; /* the mean if GSL gave up */
}

double rng_beta_quantile(double u, double a, double b)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double x = gsl_cdf_beta_Pinv(clamp_probability(u), a, b);
    gsl_set_error_handler(old);
    return isfinite(x) && x >= 0.0 && x <= 1.0 ? x : a / (a + b);
}

double rng_normal_cdf(double z)
{
    return gsl_cdf_ugaussian_P(z);
}
