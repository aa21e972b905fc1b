/*
 * import_pipeline.c - the two threads of an import: the reader fills batches (import_convert.c)
 * into a fixed ring while the calling thread consumes them (import_write.c); when the reader's
 * job gets no thread, the calling thread fills the batches itself. docs/internals/import.md.
 */
#include "io/import_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "util/par.h"

#include "util/banned.h"

/* The reader thread: fills batches until the input ends or the calling thread stops. */
static void *reader_main(void *arg)
{
    struct reader *rd = arg;
    struct ring *ring = rd->ring;
    pthread_mutex_lock(&ring->mu);
    bool taken = ring->reader == READER_TAKEN; /* the calling thread read it all already */
    ring->reader = taken ? READER_TAKEN : READER_RUNNING;
    pthread_mutex_unlock(&ring->mu);
    if (taken)
        return NULL;
    for (;;) {
        /*
         * A full ring is left to drain to half before the reader fills it again, so that the two
         * threads wake each other once per half a ring rather than once per batch.
         */
        pthread_mutex_lock(&ring->mu);
        if (ring->filled - ring->emptied == RING_BATCHES)
            while (ring->filled - ring->emptied > RING_BATCHES / 2 && !ring->stop) {
                ring->reader_asleep = true;
                pthread_cond_wait(&ring->cond, &ring->mu);
                ring->reader_asleep = false;
            }
        bool stop = ring->stop;
        pthread_mutex_unlock(&ring->mu);
        if (stop)
            return NULL;
        struct batch *b = &ring->batches[ring->filled % RING_BATCHES];
        import_fill_batch(rd, b);
        pthread_mutex_lock(&ring->mu);
        ring->filled++;
        if (ring->writer_asleep)
            pthread_cond_broadcast(&ring->cond);
        pthread_mutex_unlock(&ring->mu);
        if (b->end)
            return NULL;
    }
}

/*
 * Waits for a batch (ring->mu held). A reader job that has not started within a second never
 * will until this one returns (par_run had no thread for it): its work is then taken over here.
 */
static void wait_for_batch(struct ring *ring)
{
    ring->writer_asleep = true;
    if (ring->reader != READER_WAITING) {
        pthread_cond_wait(&ring->cond, &ring->mu);
    } else {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (pthread_cond_timedwait(&ring->cond, &ring->mu, &until) == ETIMEDOUT &&
            ring->reader == READER_WAITING)
            ring->reader = READER_TAKEN;
    }
    ring->writer_asleep = false;
}

/* Consumes the reader's batches until the input ends, filling them here when reading was taken. */
static int write_batches(struct importer *imp, struct reader *rd, struct kith_error *err)
{
    struct ring *ring = rd->ring;
    int rc;
    for (;;) {
        struct batch *b = &ring->batches[ring->emptied % RING_BATCHES];
        pthread_mutex_lock(&ring->mu);
        while (ring->filled == ring->emptied && ring->reader != READER_TAKEN)
            wait_for_batch(ring);
        bool self = ring->reader == READER_TAKEN;
        pthread_mutex_unlock(&ring->mu);
        if (self)
            import_fill_batch(rd, b);
        rc = import_consume_batch(imp, b, err);
        bool end = b->end;
        pthread_mutex_lock(&ring->mu);
        ring->emptied++;
        ring->stop = rc < 0;
        if (ring->reader_asleep && (ring->stop || ring->filled - ring->emptied <= RING_BATCHES / 2))
            pthread_cond_broadcast(&ring->cond);
        pthread_mutex_unlock(&ring->mu);
        if (rc < 0 || end)
            return rc;
    }
}

/* The two jobs of an import under par_run: the writer (imp set) and the reader. */
struct pipeline_job {
    struct importer *imp;
    struct reader *rd;
    struct kith_error *err;
    int rc;
};

static void *pipeline_job(void *arg)
{
    struct pipeline_job *j = arg;
    if (j->imp)
        j->rc = write_batches(j->imp, j->rd, j->err);
    else
        reader_main(j->rd);
    return NULL;
}

/*
 * Runs the reader as a job of its own while this thread consumes its batches until the input
 * ends (par_run: writer on the calling thread, reader on another).
 */
int import_run_pipeline(struct importer *imp, struct csv_reader *r, struct kith_error *err)
{
    struct ring *ring = calloc(1, sizeof(*ring));
    struct reader rd = {.imp = imp, .r = r, .ring = ring};
    rd.field_bad = calloc(imp->nvals, sizeof(*rd.field_bad));
    rd.ref_filled = calloc(imp->nvals, sizeof(*rd.ref_filled));
    rd.given = calloc(imp->nvals, sizeof(*rd.given));
    rd.scratch = malloc(IMPORT_SCRATCH);
    int rc = ring && rd.field_bad && rd.ref_filled && rd.given && rd.scratch ? 0 : KITH_ENOMEM;
    for (size_t i = 0; rc == 0 && i < RING_BATCHES; i++)
        rc = import_batch_init(&ring->batches[i], imp->nvals, imp->nrefs);
    if (rc < 0) {
        kith_err(err, rc, "out of memory");
        goto out_free;
    }
    pthread_mutex_init(&ring->mu, NULL);
    pthread_cond_init(&ring->cond, NULL);
    struct pipeline_job jobs[2] = {{imp, &rd, err, 0}, {NULL, &rd, NULL, 0}};
    par_run(2, pipeline_job, jobs, sizeof(jobs[0]));
    rc = jobs[0].rc;
    imp->rep->rounded = rd.rounded;
    pthread_cond_destroy(&ring->cond);
    pthread_mutex_destroy(&ring->mu);
out_free:
    for (size_t i = 0; ring && i < RING_BATCHES; i++)
        import_batch_release(&ring->batches[i]);
    free(ring);
    free(rd.field_bad);
    free(rd.ref_filled);
    free(rd.given);
    free(rd.scratch);
    return rc;
}
