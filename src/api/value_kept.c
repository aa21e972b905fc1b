/*
 * value_kept.c - the keeper of the customer value figures: one background thread that reads,
 * computes and saves them, and the requests' access to them (value_kept.h).
 */
#include "api/value_kept.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/num.h"

#include "util/banned.h"

#define MEMO_SLOTS  16 /* the 6 measures warmed, and 10 other dist answers */
#define POLL_S_DEF  1  /* the thread looks at the version of the value inputs this often */
#define WAIT_MS_DEF 2000
#define COST_S_DEF  300 /* new interactions alone: recomputed unasked at most this often */

struct memo {
    char key[64];
    char *body;
};

/* Kept figures with their readers; freed by the last one after being replaced. */
struct holder {
    struct value_kept k; /* first: a value_kept pointer is its holder's */
    int readers;
    bool replaced;
    pthread_mutex_t mu; /* the memo */
    struct memo memo[MEMO_SLOTS];
    size_t next;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t wake;    /* the thread: a request saw the figures stale, or stop */
    pthread_cond_t changed; /* the requests: new figures, or a computation failed */
    pthread_t thread;
    bool running, stop, poke;
    bool busy; /* computing or reading figures: stopping does not wait for it */
    struct holder *cur;
    int64_t failed_version; /* the version whose computation failed (-1: none) */
    double last_seconds;    /* how long the last computation took */
    double wait_s;          /* KITH_VALUE_WAIT_MS / 1000 */
    double poll_s;          /* KITH_VALUE_POLL_SECONDS */
    double cost_s;          /* KITH_VALUE_COST_SECONDS */
    /*
     * value_inputs.changes when the current figures were computed (-1: unknown, figures read
     * back), and when (monotonic seconds): a version that moved by new interactions alone (their
     * costs to serve) is recomputed unasked only cost_s after.
     */
    int64_t kept_changes;
    double computed_s;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .changed = PTHREAD_COND_INITIALIZER,
       .failed_version = -1,
       .kept_changes = -1};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The absolute CLOCK_REALTIME instant seconds from now, for pthread_cond_timedwait. */
static struct timespec deadline(double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const double t = (double)ts.tv_nsec / 1e9 + seconds;
    ts.tv_sec += (time_t)t;
    ts.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
    return ts;
}

static void holder_free(struct holder *h)
{
    for (size_t k = 0; k < MEMO_SLOTS; k++)
        free(h->memo[k].body);
    pthread_mutex_destroy(&h->mu);
    value_kept_release(&h->k);
    free(h);
}

/*
 * Puts k in place of the current figures (k is moved into a new holder, returned; NULL when out
 * of memory). Under g.mu. Only the thread installs, so the holder stays until it installs again.
 */
static struct holder *install(struct value_kept *k)
{
    struct holder *h = calloc(1, sizeof(*h));
    if (!h) {
        fprintf(stderr, "kith serve: out of memory keeping the value figures\n");
        value_kept_release(k);
        return NULL;
    }
    h->k = *k;
    pthread_mutex_init(&h->mu, NULL);
    struct holder *old = g.cur;
    g.cur = h;
    g.failed_version = -1;
    g.last_seconds = h->k.seconds; /* also of figures read back: how long they took to compute */
    if (old) {
        old->replaced = true;
        if (old->readers == 0)
            holder_free(old);
    }
    pthread_cond_broadcast(&g.changed);
    return h;
}

/*
 * The unscoped dist of each measure with the default groups, kept in the memo before any request
 * asks (what the dashboard shows; a second each at a million customers, in the background).
 */
static void warm(struct holder *h)
{
    if (!h)
        return;
    const struct value_kept *k = &h->k;
    for (int m = 0; m <= VALUE_PROFIT_CURRENT; m++) {
        struct value_params p;
        param_defaults(&analysis_value, &p);
        p.measure = m;
        char key[64];
        value_keeper_dist_key(&p, key, sizeof(key));
        struct value_report x;
        struct kith_error err = {0};
        const struct value_scope all = {0};
        if (value_kept_view(k, VALUE_DIST, &p, &all, &x, &err) < 0)
            return;
        json_t *j = value_report_json(&x);
        value_report_release(&x);
        char *body = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
        json_decref(j);
        if (body)
            value_keeper_memo_put(k, key, body);
        free(body);
    }
}

static void log_failure(const char *what, const struct kith_error *err)
{
    fprintf(stderr, "kith serve: %s the customer value figures: %s\n", what, err->msg);
}

static void changed(struct store *conn, int64_t version, int64_t have, int64_t have_gen, bool asked,
                    double *next_at, double *retry_in);

static void set_busy(bool busy)
{
    pthread_mutex_lock(&g.mu);
    g.busy = busy;
    pthread_mutex_unlock(&g.mu);
}

/*
 * One turn of the thread: figures from the store or computed, when the version moved (asked: a
 * request found them stale). When the computation has to wait, *retry_in says how long.
 */
static void refresh(struct store *conn, bool asked, double *next_at, double *retry_in)
{
    struct kith_error err = {0};
    int64_t version, have = -1, have_gen = 0;
    if (store_value_version(conn, &version, &err) < 0) {
        log_failure("cannot check", &err);
        return;
    }
    pthread_mutex_lock(&g.mu);
    if (g.cur) {
        have = g.cur->k.data_version;
        have_gen = g.cur->k.gen;
    }
    const bool failed = g.failed_version == version;
    pthread_mutex_unlock(&g.mu);
    if (have == version || failed)
        return;
    set_busy(true);
    changed(conn, version, have, have_gen, asked, next_at, retry_in);
    set_busy(false);
}

/* refresh() when the version moved from have to version. */
static void changed(struct store *conn, int64_t version, int64_t have, int64_t have_gen, bool asked,
                    double *next_at, double *retry_in)
{
    struct kith_error err = {0};
    int64_t gen, stored, inputs = -1;
    /*
     * Only new interactions (costs to serve), and nobody asked: not worth a computation per
     * second under a steady stream of interactions that nobody reads the figures of.
     */
    if (store_value_changes(conn, &inputs, &err) < 0)
        inputs = -1;
    pthread_mutex_lock(&g.mu);
    const bool costs_only = inputs >= 0 && inputs == g.kept_changes;
    const double since = now_s() - g.computed_s;
    pthread_mutex_unlock(&g.mu);
    if (!asked && costs_only && since < g.cost_s) {
        *retry_in = g.cost_s - since;
        return;
    }
    /* figures another server (or this one before a restart) saved, newer than ours */
    if (value_kept_newest(conn, &gen, &stored, &err) == 0 && gen && gen != have_gen &&
        stored > have) {
        struct value_kept k;
        bool found;
        if (value_kept_load(conn, &k, &found, &err) == 0 && found) {
            pthread_mutex_lock(&g.mu);
            struct holder *h = install(&k);
            g.kept_changes = -1; /* another's: what it was computed from is not known */
            pthread_mutex_unlock(&g.mu);
            warm(h);
            if (stored == version)
                return;
        }
    }
    if (now_s() < *next_at) { /* the last computation was a moment ago: the next waits as */
        *retry_in = *next_at - now_s(); /* long as it took, then goes on */
        return;
    }
    struct value_kept k;
    const double t0 = now_s();
    int rc = value_kept_compute(conn, &k, &err);
    const double took = now_s() - t0;
    *next_at = now_s() + took;
    if (rc < 0) { /* e.g. no customers yet: the requests compute their own answer */
        pthread_mutex_lock(&g.mu);
        g.failed_version = version;
        g.last_seconds = took;
        pthread_cond_broadcast(&g.changed);
        pthread_mutex_unlock(&g.mu);
        return;
    }
    pthread_mutex_lock(&g.mu);
    struct holder *h = install(&k); /* answered from at once; saved after */
    g.kept_changes = inputs;
    g.computed_s = t0;
    pthread_mutex_unlock(&g.mu);
    warm(h);
    /* only this thread replaces figures, so h stays while it saves (readers only read) */
    struct kith_error serr = {0};
    if (h && value_kept_save(conn, &h->k, &serr) < 0)
        log_failure("cannot save", &serr); /* kept in memory all the same */
}

static void *background(void *arg)
{
    struct store *conn = arg;
    double next_at = 0;
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        const bool asked = g.poke;
        g.poke = false;
        pthread_mutex_unlock(&g.mu);
        double retry_in = g.poll_s;
        refresh(conn, asked, &next_at, &retry_in);
        pthread_mutex_lock(&g.mu);
        if (!g.stop && !g.poke) {
            const struct timespec until = deadline(retry_in < g.poll_s ? retry_in : g.poll_s);
            pthread_cond_timedwait(&g.wake, &g.mu, &until);
        }
    }
    pthread_mutex_unlock(&g.mu);
    store_close(conn);
    return NULL;
}

int value_keeper_start(const char *db_path, struct kith_error *err)
{
    if (g.running)
        return 0;
    struct store *conn;
    int rc = store_open(db_path, 0, &conn, err);
    if (rc < 0)
        return rc;
    const char *w = getenv("KITH_VALUE_WAIT_MS");
    int64_t ms = WAIT_MS_DEF;
    if (w && num_int64(w, 0, 600000, &ms, "KITH_VALUE_WAIT_MS", NULL) < 0)
        ms = WAIT_MS_DEF;
    g.wait_s = (double)ms / 1000;
    const char *poll = getenv("KITH_VALUE_POLL_SECONDS");
    int64_t ps = POLL_S_DEF;
    if (poll && num_int64(poll, 1, 86400, &ps, "KITH_VALUE_POLL_SECONDS", NULL) < 0)
        ps = POLL_S_DEF;
    g.poll_s = (double)ps;
    const char *cost = getenv("KITH_VALUE_COST_SECONDS");
    int64_t cs = COST_S_DEF;
    if (cost && num_int64(cost, 0, 86400, &cs, "KITH_VALUE_COST_SECONDS", NULL) < 0)
        cs = COST_S_DEF;
    g.cost_s = (double)cs;
    g.kept_changes = -1;
    g.stop = g.poke = false;
    g.failed_version = -1;
    g.last_seconds = 0;
    if (pthread_create(&g.thread, NULL, background, conn) != 0) {
        store_close(conn);
        return kith_err(err, KITH_ENOMEM, "cannot start the value figures' thread");
    }
    g.running = true;
    return 0;
}

void value_keeper_stop(void)
{
    if (!g.running)
        return;
    pthread_mutex_lock(&g.mu);
    g.stop = true;
    pthread_cond_signal(&g.wake);
    if (g.busy) {
        /*
         * A computation at scale takes a minute and cannot be interrupted: the server exits
         * without it (its half-written generation is never complete, and the next save deletes
         * it). Nothing is freed under the thread.
         */
        pthread_cond_broadcast(&g.changed);
        g.running = false;
        pthread_mutex_unlock(&g.mu);
        pthread_detach(g.thread);
        return;
    }
    pthread_mutex_unlock(&g.mu);
    pthread_join(g.thread, NULL);
    pthread_mutex_lock(&g.mu);
    g.running = false;
    struct holder *h = g.cur;
    g.cur = NULL;
    pthread_mutex_unlock(&g.mu);
    if (h) {
        h->replaced = true;
        if (h->readers == 0)
            holder_free(h);
    }
}

enum value_keeper_state value_keeper_begin(struct store *s, const struct value_kept **k,
                                           bool *stale)
{
    *k = NULL;
    *stale = false;
    int64_t version;
    struct kith_error err = {0};
    if (store_value_version(s, &version, &err) < 0)
        return VALUE_KEEPER_OFF; /* the request's own run says what is wrong */
    pthread_mutex_lock(&g.mu);
    enum value_keeper_state st = VALUE_KEEPER_OFF;
    if (!g.running)
        goto out;
    const bool quick = g.wait_s > 0 && g.last_seconds <= g.wait_s;
    const double wait = !g.cur ? VALUE_KEEPER_FIRST_WAIT_S : quick ? 2 * g.wait_s + 0.5 : 0;
    if ((!g.cur || g.cur->k.data_version < version) && g.failed_version < version) {
        g.poke = true;
        pthread_cond_signal(&g.wake);
        const struct timespec until = deadline(wait);
        while (wait > 0 && (!g.cur || g.cur->k.data_version < version) &&
               g.failed_version < version && g.running &&
               pthread_cond_timedwait(&g.changed, &g.mu, &until) != ETIMEDOUT)
            ;
    }
    if (g.failed_version >= version) /* nothing to keep on these data: compute on the request */
        goto out;
    if (!g.cur) {
        st = VALUE_KEEPER_COMPUTING;
        goto out;
    }
    st = VALUE_KEEPER_KEPT;
    g.cur->readers++;
    *k = &g.cur->k;
    *stale = g.cur->k.data_version < version; /* newer ones are not stale */
out:
    pthread_mutex_unlock(&g.mu);
    return st;
}

void value_keeper_end(const struct value_kept *k)
{
    if (!k)
        return;
    struct holder *h = (struct holder *)(void *)k; /* k is its holder's first member */
    pthread_mutex_lock(&g.mu);
    const bool last = --h->readers == 0 && h->replaced;
    pthread_mutex_unlock(&g.mu);
    if (last)
        holder_free(h);
}

void value_keeper_dist_key(const struct value_params *p, char *buf, size_t size)
{
    const bool by = param_given(&analysis_value, p, "by");
    snprintf(buf, size, "dist measure=%d by=%d lorenz=%lld", p->measure, by ? p->by : -1,
             (long long)p->lorenz);
}

char *value_keeper_memo_get(const struct value_kept *k, const char *key)
{
    struct holder *h = (struct holder *)(void *)k;
    char *body = NULL;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < MEMO_SLOTS && !body; i++)
        if (h->memo[i].body && strcmp(h->memo[i].key, key) == 0)
            body = strdup(h->memo[i].body);
    pthread_mutex_unlock(&h->mu);
    return body;
}

void value_keeper_memo_put(const struct value_kept *k, const char *key, const char *body)
{
    struct holder *h = (struct holder *)(void *)k;
    if (strlen(key) >= sizeof(h->memo[0].key))
        return;
    char *copy = strdup(body);
    if (!copy)
        return;
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < MEMO_SLOTS; i++)
        if (h->memo[i].body && strcmp(h->memo[i].key, key) == 0) { /* two filled it at once */
            pthread_mutex_unlock(&h->mu);
            free(copy);
            return;
        }
    struct memo *m = &h->memo[h->next];
    h->next = (h->next + 1) % MEMO_SLOTS;
    free(m->body);
    snprintf(m->key, sizeof(m->key), "%s", key);
    m->body = copy;
    pthread_mutex_unlock(&h->mu);
}
