/*
 * conn_guard.c - cuts off connections whose request headers are late (conn_guard.h says why).
 *
 * Every connection is on one list under one mutex; a thread looks at the list a few times per
 * deadline and shuts down (shutdown(2), never close) the socket of each connection that is still
 * waiting for headers past its deadline, so that libmicrohttpd sees the end of the stream and
 * closes the connection itself. libmicrohttpd tells us a connection is closing before it closes
 * the socket, and we take it off the list under the mutex, so the thread never shuts down a file
 * descriptor that has been closed and reused.
 */
#include "api/conn_guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/banned.h"

struct conn_guard {
    struct conn_guard *prev, *next; /* g.list, under g.mu */
    int fd;
    atomic_llong due_ms; /* headers due by then (monotonic ms); 0 once cut off */
    atomic_bool in_request;
};

static struct {
    pthread_mutex_t mu; /* list, stop */
    pthread_cond_t wake;
    struct conn_guard *list;
    int64_t deadline_ms;
    bool stop, running;
    pthread_t thread;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *watch(void *arg)
{
    (void)arg;
    /* A quarter of the deadline between looks: a late client is cut within 1.25 deadlines. */
    int64_t period_ms = g.deadline_ms / 4 < 50 ? 50 : g.deadline_ms / 4;
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        int64_t now = now_ms();
        for (struct conn_guard *c = g.list; c; c = c->next) {
            if (atomic_load(&c->in_request))
                continue;
            long long due = atomic_load(&c->due_ms);
            if (due > 0 && now >= due) {
                shutdown(c->fd, SHUT_RDWR);
                atomic_store(&c->due_ms, 0); /* once is enough */
            }
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += period_ms / 1000;
        until.tv_nsec += (period_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&g.wake, &g.mu, &until);
    }
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

int conn_guard_start(unsigned deadline_s, struct kith_error *err)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&g.wake, &attr);
    pthread_condattr_destroy(&attr);
    g.deadline_ms = (int64_t)deadline_s * 1000;
    g.stop = false;
    if (pthread_create(&g.thread, NULL, watch, NULL) != 0) {
        pthread_cond_destroy(&g.wake);
        return kith_err(err, KITH_ENOMEM, "cannot start the header deadline thread");
    }
    g.running = true;
    return 0;
}

void conn_guard_stop(void)
{
    if (!g.running)
        return;
    pthread_mutex_lock(&g.mu);
    g.stop = true;
    pthread_cond_signal(&g.wake);
    pthread_mutex_unlock(&g.mu);
    pthread_join(g.thread, NULL);
    pthread_cond_destroy(&g.wake);
    g.running = false;
}

struct conn_guard *conn_guard_open(int fd)
{
    struct conn_guard *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    atomic_init(&c->due_ms, now_ms() + g.deadline_ms);
    atomic_init(&c->in_request, false);
    pthread_mutex_lock(&g.mu);
    c->next = g.list;
    if (g.list)
        g.list->prev = c;
    g.list = c;
    pthread_mutex_unlock(&g.mu);
    return c;
}

void conn_guard_close(struct conn_guard *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g.mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        g.list = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&g.mu);
    free(c);
}

void conn_guard_request_begins(struct conn_guard *c)
{
    if (c)
        atomic_store(&c->in_request, true);
}

void conn_guard_request_ends(struct conn_guard *c)
{
    if (!c)
        return;
    atomic_store(&c->due_ms, now_ms() + g.deadline_ms);
    atomic_store(&c->in_request, false);
}
