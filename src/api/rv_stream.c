/*
 * rv_stream.c - GET /api/v1/rv/stream: Relationship Value exceptions as server-sent events.
 *
 * Each subscriber is a connection whose body never ends: libmicrohttpd asks the reader below for
 * more as the socket can take it; with nothing to send the reader suspends the connection, and
 * a publisher that queues an event resumes it (MHD_ALLOW_SUSPEND_RESUME), so that no worker
 * thread waits on an idle client. A subscriber's scope is that of its contacts' read access
 * (api_scope()), checked for each event against the store, so that an event reaches exactly the
 * users who could GET the contact.
 *
 * A stream lives only as long as the credential it was opened with (store_credential_holds():
 * the session or token still valid, the user enabled, with the same role, unit and team): the
 * reader checks it before it hands out anything queued since the last check, events and pings
 * alike, and ends the stream, dropping what is queued, once it fails. Changes made through this
 * server call rv_stream_recheck() as well, which ends the streams at once; changes made by
 * another process (`kith user`) are seen at the next event or ping. docs/internals/auth.md.
 */
#include "api/rv_stream.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/handlers.h"
#include "api/server_int.h"
#include "model/table.h"
#include "util/buf.h"

#include "util/banned.h"

#define STREAM_MAX_SUBSCRIBERS 256
#define STREAM_BACKLOG_MAX     (1024 * 1024) /* bytes queued for one subscriber */

struct subscriber {
    struct subscriber *next;
    struct MHD_Connection *conn;
    struct store_scope scope;
    struct store_credential cred; /* what the stream was opened with; never changes */
    pthread_mutex_t mu;           /* backlog, off, cleared, suspended, closed, ended, overflowed */
    struct buf backlog;           /* events not yet sent, from off; capped at STREAM_BACKLOG_MAX */
    size_t off;
    size_t cleared; /* the bytes before it were queued before a check found cred holding */
    bool suspended, closed, overflowed;
    bool ended; /* closed because cred no longer holds: the backlog is dropped */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER; /* the list and its count */
static struct subscriber *g_subs;
static unsigned g_count;
static unsigned g_user_max = STREAM_MAX_SUBSCRIBERS; /* streams one user may hold */

/* Empties u's backlog once the reader has taken all of it (u->mu held). */
static void compact_locked(struct subscriber *u)
{
    if (u->off > 0 && u->off == u->backlog.len) {
        u->off = u->cleared = 0;
        buf_reset(&u->backlog);
    }
}

/* Appends text to u's backlog (u->mu held); false when the backlog is full. */
static bool queue_locked(struct subscriber *u, const char *text, size_t n)
{
    compact_locked(u);
    return buf_add(&u->backlog, text, n) == 0;
}

/* Wakes u's connection if its reader suspended it (u->mu held). */
static void wake_locked(struct subscriber *u)
{
    if (u->suspended) {
        u->suspended = false;
        MHD_resume_connection(u->conn);
    }
}

/* Ends u's stream because its credential no longer holds: nothing queued is sent (u->mu held). */
static void end_locked(struct subscriber *u)
{
    u->closed = u->ended = true;
    u->off = u->cleared = 0;
    buf_reset(&u->backlog);
    wake_locked(u);
}

/* Whether u's credential holds now, checked on this thread's store connection. */
static bool credential_holds(const struct subscriber *u)
{
    struct kith_error err = {0};
    struct store *s = api_thread_store(&err);
    if (!s) {
        fprintf(stderr, "kith serve: live stream: %s\n", err.msg);
        return false;
    }
    return store_credential_holds(s, &u->cred, store_now_ms());
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    struct subscriber *u = cls;
    pthread_mutex_lock(&u->mu);
    if (!u->ended && u->off >= u->cleared && u->off < u->backlog.len) {
        /*
         * Checked without the lock, so that publishers do not wait on the store. Only this
         * reader moves off (and compaction needs off at the end), so the bytes up to upto stay
         * where they are meanwhile, unless rv_stream_recheck() ended the stream.
         */
        size_t upto = u->backlog.len;
        pthread_mutex_unlock(&u->mu);
        bool holds = credential_holds(u);
        pthread_mutex_lock(&u->mu);
        if (!u->ended) {
            if (holds)
                u->cleared = upto;
            else
                end_locked(u);
        }
    }
    if (u->off < u->cleared) {
        size_t left = u->cleared - u->off;
        size_t n = left < max ? left : max;
        memcpy(out, u->backlog.data + u->off, n);
        u->off += n;
        pthread_mutex_unlock(&u->mu);
        return (ssize_t)n;
    }
    if (u->closed) {
        pthread_mutex_unlock(&u->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    u->suspended = true; /* everything queued is sent */
    MHD_suspend_connection(u->conn);
    pthread_mutex_unlock(&u->mu);
    return 0;
}

/* The connection ended (libmicrohttpd destroys the response): forget the subscriber. */
static void subscriber_free(void *cls)
{
    struct subscriber *u = cls;
    pthread_mutex_lock(&g_mu);
    for (struct subscriber **p = &g_subs; *p; p = &(*p)->next)
        if (*p == u) {
            *p = u->next;
            g_count--;
            break;
        }
    pthread_mutex_unlock(&g_mu);
    pthread_mutex_destroy(&u->mu);
    buf_release(&u->backlog);
    free(u);
}

void rv_stream_publish(struct store *s, int64_t contact_id, const char *event, const char *data)
{
    char head[64];
    int hn = snprintf(head, sizeof(head), "event: %s\ndata: ", event);
    size_t dn = strlen(data);
    const struct table_def *contacts = model_table("contacts");
    if (store_contact_is_restricted(s, contact_id))
        return; /* out of analytics while restricted (docs/portal.md, "Restriction") */
    pthread_mutex_lock(&g_mu);
    for (struct subscriber *u = g_subs; u; u = u->next) {
        struct kith_error err = {0};
        if (store_get(s, contacts, contact_id, &u->scope, NULL, NULL, &err) < 0)
            continue; /* not a contact this subscriber may read */
        pthread_mutex_lock(&u->mu);
        if (!u->closed) {
            compact_locked(u); /* before the mark: the appends below must not move it */
            size_t mark = u->backlog.len;
            bool ok = queue_locked(u, head, (size_t)hn) && queue_locked(u, data, dn) &&
                      queue_locked(u, "\n\n", 2);
            if (!ok) {
                buf_truncate(&u->backlog, mark); /* never half an event */
                if (!u->overflowed) {
                    static const char over[] = "event: overflow\ndata: {}\n\n";
                    u->overflowed = queue_locked(u, over, sizeof(over) - 1);
                }
            } else {
                u->overflowed = false;
            }
            wake_locked(u);
        }
        pthread_mutex_unlock(&u->mu);
    }
    pthread_mutex_unlock(&g_mu);
}

void rv_stream_ping(void)
{
    static const char ping[] = ": ping\n\n";
    pthread_mutex_lock(&g_mu);
    for (struct subscriber *u = g_subs; u; u = u->next) {
        pthread_mutex_lock(&u->mu);
        if (!u->closed && queue_locked(u, ping, sizeof(ping) - 1))
            wake_locked(u);
        pthread_mutex_unlock(&u->mu);
    }
    pthread_mutex_unlock(&g_mu);
}

void rv_stream_recheck(struct store *s, int64_t user_id)
{
    int64_t now = store_now_ms();
    pthread_mutex_lock(&g_mu);
    for (struct subscriber *u = g_subs; u; u = u->next) {
        if (u->cred.user_id != user_id || store_credential_holds(s, &u->cred, now))
            continue;
        pthread_mutex_lock(&u->mu);
        end_locked(u);
        pthread_mutex_unlock(&u->mu);
    }
    pthread_mutex_unlock(&g_mu);
}

void rv_stream_close_all(void)
{
    pthread_mutex_lock(&g_mu);
    for (struct subscriber *u = g_subs; u; u = u->next) {
        pthread_mutex_lock(&u->mu);
        u->closed = true;
        wake_locked(u);
        pthread_mutex_unlock(&u->mu);
    }
    pthread_mutex_unlock(&g_mu);
}

void rv_stream_set_user_max(unsigned n)
{
    g_user_max = n;
}

unsigned rv_stream_count(void)
{
    pthread_mutex_lock(&g_mu);
    unsigned n = g_count;
    pthread_mutex_unlock(&g_mu);
    return n;
}

void api_rv_stream(struct api_request *req, struct api_response *res)
{
    struct store_scope scope;
    if (api_scope(req->who, model_table("contacts"), false, &scope) < 0) {
        api_error(res, 403, "forbidden", NULL, "your role (%s) may not read contacts",
                  api_role_name(req->who->role));
        return;
    }
    struct subscriber *u = calloc(1, sizeof(*u));
    if (!u) {
        api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    static const char hello[] = ": kith RV exceptions\nretry: 3000\n\n";
    pthread_mutex_init(&u->mu, NULL);
    buf_init(&u->backlog, STREAM_BACKLOG_MAX);
    u->conn = req->conn;
    u->scope = scope;
    u->cred = (struct store_credential){.user_id = req->who->user_id,
                                        .unit_id = req->who->unit_id,
                                        .team_id = req->who->team_id,
                                        .session_id = req->who->session_id,
                                        .token_id = req->who->token_id};
    snprintf(u->cred.role, sizeof(u->cred.role), "%s", api_role_name(req->who->role));
    if (!queue_locked(u, hello, sizeof(hello) - 1)) {
        subscriber_free(u);
        api_error(res, 500, "internal", NULL, "out of memory");
        return;
    }
    pthread_mutex_lock(&g_mu);
    bool full = g_count >= STREAM_MAX_SUBSCRIBERS;
    unsigned mine = 0;
    for (struct subscriber *o = g_subs; o; o = o->next)
        mine += o->cred.user_id == u->cred.user_id;
    bool user_full = mine >= g_user_max;
    if (!full && !user_full) {
        u->next = g_subs;
        g_subs = u;
        g_count++;
    }
    pthread_mutex_unlock(&g_mu);
    if (user_full) {
        subscriber_free(u);
        api_error(res, 429, "throttled", NULL,
                  "you have %u live streams open already; close one first", g_user_max);
        return;
    }
    if (full) {
        subscriber_free(u);
        api_error(res, 503, "unavailable", NULL,
                  "too many live streams are open (%d); try again later", STREAM_MAX_SUBSCRIBERS);
        return;
    }
    res->content_type = "text/event-stream";
    res->stream_read = reader;
    res->stream_free = subscriber_free;
    res->stream_ctx = u;
}
