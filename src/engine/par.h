/*
 * par.h - the engine's one way to use threads: run a function on n jobs at once, the first on
 * the calling thread. Jobs are an array of structs of job_size bytes; fn gets a pointer to one.
 */
#ifndef KITH_ENGINE_PAR_H
#define KITH_ENGINE_PAR_H

#include <stddef.h>
#include <stdint.h>

#define PAR_MAX 8

/*
 * Runs fn(jobs + k * job_size) for k in 0 .. n-1 (n in 1..PAR_MAX) in parallel and waits for
 * all. A thread that cannot start runs its job on the calling thread afterwards, so every job
 * runs; returns 0.
 */
int par_run(unsigned n, void *(*fn)(void *), void *jobs, size_t job_size);

/* Splits weights w[0..n) into k ranges of about equal weight: range j is [cut[j], cut[j + 1]). */
void par_split(const uint32_t *w, size_t n, unsigned k, size_t *cut);

#endif
