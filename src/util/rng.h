/*
 * rng.h - a deterministic pseudo-random generator for simulations (kith demo, tests, benches).
 *
 * A thin layer over GSL: the generator is gsl_rng_mt19937 and the distributions are GSL's
 * gsl_ran_* samplers, so the same seed gives the same stream on every run and every machine
 * with the same GSL. The 64-bit seed is mixed by splitmix64 into the generator's 32-bit seed;
 * rng_init_stream() derives independent, named sub-streams from one seed so that adding draws
 * to one part of a simulation does not shift the numbers of another.
 *
 * Never use it for secrets (tokens, salts): that is libsodium's job.
 */
#ifndef KITH_UTIL_RNG_H
#define KITH_UTIL_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct rng {
    void *gsl; /* gsl_rng *, owned; released by rng_release() */
};

/* One step of splitmix64: advances *state and returns the next 64-bit output. */
uint64_t rng_splitmix64(uint64_t *state);

/*
 * Prepares r (caller-owned) with the stream of seed. KITH_ENOMEM if GSL cannot allocate.
 * Release with rng_release().
 */
int rng_init(struct rng *r, uint64_t seed, struct kith_error *err);

/* Same, for the sub-stream number stream of seed (streams 0, 1, 2, ... are independent). */
int rng_init_stream(struct rng *r, uint64_t seed, uint64_t stream, struct kith_error *err);

/* Frees the generator; r may then be initialised again. A zeroed r is a no-op. */
void rng_release(struct rng *r);

/* Uniform on [0, 1). */
double rng_uniform(struct rng *r);

/* Uniform on (0, 1): never 0, for logarithms. */
double rng_uniform_pos(struct rng *r);

/* Uniform integer on [0, n); n must be in 1 .. 2^32-1. */
uint32_t rng_below(struct rng *r, uint32_t n);

/* Uniform on [lo, hi). */
double rng_range(struct rng *r, double lo, double hi);

/* True with probability p (p <= 0 never, p >= 1 always). */
bool rng_bernoulli(struct rng *r, double p);

/* Normal with this mean and standard deviation. */
double rng_normal(struct rng *r, double mean, double sd);

/* Log-normal: exp of a normal with parameters mu, sigma. */
double rng_lognormal(struct rng *r, double mu, double sigma);

/* Exponential with this mean (> 0). */
double rng_exponential(struct rng *r, double mean);

/* Poisson with this mean (>= 0). */
unsigned rng_poisson(struct rng *r, double mean);

/* Gamma with shape k and scale theta (mean k * theta). */
double rng_gamma(struct rng *r, double shape, double scale);

/* Beta(a, b) on [0, 1]. */
double rng_beta(struct rng *r, double a, double b);

/*
 * An index in [0, n) drawn with probability proportional to weights[i] (each >= 0, not all
 * zero; n >= 1). Linear in n: meant for short lists. All-zero weights give index 0.
 */
size_t rng_choice(struct rng *r, const double *weights, size_t n);

/*
 * Splits total into n counts (counts[] caller-owned) drawn from the multinomial distribution
 * with these weights; the counts add up to total exactly.
 */
void rng_multinomial(struct rng *r, const double *weights, size_t n, unsigned total,
                     unsigned *counts);

/* Shuffles n elements of size bytes at base in place (Fisher-Yates). */
void rng_shuffle(struct rng *r, void *base, size_t n, size_t size);

/*
 * The quantile at probability u in (0, 1) of the Gamma(shape, scale) and Beta(a, b)
 * distributions, for Gaussian-copula sampling: with u = Phi(z), the result has exactly the
 * named marginal distribution while staying correlated with z. u is clamped to
 * [1e-9, 1 - 1e-9]; GSL's error handler is suspended during the call.
 */
double rng_gamma_quantile(double u, double shape, double scale);
double rng_beta_quantile(double u, double a, double b);

/* The standard normal distribution function Phi(z). */
double rng_normal_cdf(double z);

#endif
