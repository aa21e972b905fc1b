/*
 * conn_guard.h - the deadline for a request's headers: a client that has not sent a whole request
 * line and headers within the deadline of connecting (or of its previous answer, on a kept-alive
 * connection) is cut off, however slowly it keeps trickling bytes. libmicrohttpd's own timeout
 * (MHD_OPTION_CONNECTION_TIMEOUT) is reset by every byte, so it cannot stop a slowloris client.
 */
#ifndef KITH_API_CONN_GUARD_H
#define KITH_API_CONN_GUARD_H

#include "util/error.h"

struct conn_guard;

/* Starts the thread that cuts off late connections, deadline_s (>= 1) after they start. */
int conn_guard_start(unsigned deadline_s, struct kith_error *err);

/* Stops that thread; call after MHD_stop_daemon (no connection is left to watch). */
void conn_guard_stop(void);

/*
 * A connection on socket fd has started; its header deadline runs from now. Returns the guard the
 * connection owns until conn_guard_close(), or NULL when out of memory (the connection is then
 * not watched: libmicrohttpd's idle timeout still ends it).
 */
struct conn_guard *conn_guard_open(int fd);

/* The connection is closing (before its socket is closed): forgets and frees g (NULL is fine). */
void conn_guard_close(struct conn_guard *g);

/* The headers of a request have all arrived: no deadline until its answer is sent. */
void conn_guard_request_begins(struct conn_guard *g);

/* The answer has been sent: the next request's headers are due deadline_s from now. */
void conn_guard_request_ends(struct conn_guard *g);

#endif
