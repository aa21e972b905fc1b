/*
 * par.c - fork-join over a handful of jobs with pthreads (see par.h).
 */
#include "util/par.h"

#include <pthread.h>

#include "util/error.h"

#include "util/banned.h"

void par_run(unsigned n, void *(*fn)(void *), void *jobs, size_t job_size)
{
    pthread_t tid[PAR_MAX];
    unsigned started = 1;
    if (n < 1 || n > PAR_MAX)
        BUG("par_run: %u jobs (1..%d)", n, PAR_MAX);
    for (unsigned k = 1; k < n; k++, started++)
        if (pthread_create(&tid[k], NULL, fn, (char *)jobs + k * job_size) != 0)
            break;
    fn(jobs);
    for (unsigned k = 1; k < started; k++)
        pthread_join(tid[k], NULL);
    for (unsigned k = started; k < n; k++)
        fn((char *)jobs + k * job_size);
}

void par_split(const uint32_t *w, size_t n, unsigned k, size_t *cut)
{
    uint64_t total = 0, acc = 0;
    for (size_t i = 0; i < n; i++)
        total += (uint64_t)w[i] + 1; /* + 1: an empty item still costs a little */
    size_t i = 0;
    cut[0] = 0;
    for (unsigned j = 1; j < k; j++) {
        uint64_t goal = total * j / k;
        while (i < n && acc < goal)
            acc += (uint64_t)w[i++] + 1;
        cut[j] = i;
    }
    cut[k] = n;
}
