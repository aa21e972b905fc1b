/*
 * par.h - kith's one way to use threads for a piece of work: run a function on n jobs at once,
 * the first on the calling thread. Jobs are an array of structs of job_size bytes; fn gets a
 * pointer to one. The engine, the store's loaders and the importer all go through it; only the
 * server's long-lived threads (libmicrohttpd's workers, the RV state's updater) are not jobs.
 */
#ifndef KITH_UTIL_PAR_H
#define KITH_UTIL_PAR_H

#include <stddef.h>
#include <stdint.h>

#define PAR_MAX 8

/*
 * Runs fn(jobs + k * job_size) for k in 0 .. n-1 in parallel and waits for all. n outside
 * 1..PAR_MAX is a caller's bug (BUG()). A thread that cannot start runs its job on the calling
 * thread afterwards, so every job runs and there is no failure to report.
 */
void par_run(unsigned n, void *(*fn)(void *), void *jobs, size_t job_size);

/* Splits weights w[0..n) into k ranges of about equal weight: range j is [cut[j], cut[j + 1]). */
void par_split(const uint32_t *w, size_t n, unsigned k, size_t *cut);

#endif
