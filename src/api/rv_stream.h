/*
 * rv_stream.h - the subscribers of GET /api/v1/rv/stream (server-sent events). The handler is in
 * handlers.h; this is what the rest of the server calls.
 */
#ifndef KITH_API_RV_STREAM_H
#define KITH_API_RV_STREAM_H

#include <stdint.h>

#include "store/store.h"

/*
 * Sends `event: <event>` with data (one line of JSON) to every subscriber whose read scope holds
 * contact contact_id, checked on the caller's connection s. Never blocks on a slow client: a
 * subscriber more than 1 MiB behind loses the event and is told so (`event: overflow`).
 */
void rv_stream_publish(struct store *s, int64_t contact_id, const char *event, const char *data);

/* A comment line to every subscriber (keeps proxies and idle timers from closing them). */
void rv_stream_ping(void);

/*
 * Ends at once the streams of user_id whose credential no longer holds (store_credential_holds(),
 * checked on s), dropping what they have queued. Called after a change that ended credentials
 * committed; the streams check the same before each event anyway, so this only saves the wait.
 */
void rv_stream_recheck(struct store *s, int64_t user_id);

/* Ends every stream (at shutdown, so that in-flight requests can drain). */
void rv_stream_close_all(void);

/*
 * At most n streams per user (a 429 beyond); call before the server starts. Default: no cap
 * below the server's 256.
 */
void rv_stream_set_user_max(unsigned n);

/* Subscribers connected now. */
unsigned rv_stream_count(void);

#endif
