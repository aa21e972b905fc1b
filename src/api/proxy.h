/*
 * proxy.h - the client's address behind a load balancer: a request that comes from a trusted
 * proxy (kith serve --trusted-proxy) is taken to be from the address that proxy names in
 * X-Forwarded-For, so that sign-in throttling and the audit trail see the client rather than
 * the proxy (docs/deploy/scale.md). Any other request is from its peer.
 */
#ifndef KITH_API_PROXY_H
#define KITH_API_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define PROXY_MAX        16   /* trusted proxies */
#define PROXY_HEADER_MAX 1024 /* bytes of X-Forwarded-For read */

/*
 * Trusts the proxies of list: IPv4 or IPv6 addresses separated by commas. NULL or "" trusts
 * none. KITH_EINVAL naming the entry that is not an address, or past PROXY_MAX.
 * Call once before serving.
 */
int proxy_trust(const char *list, struct kith_error *err);

/* Whether addr (text) is a trusted proxy. */
bool proxy_is_trusted(const char *addr);

/*
 * The client of a request from peer (an address as text) carrying X-Forwarded-For xff (NULL:
 * none), into out (size bytes): peer itself unless peer is trusted; then, walking xff from the
 * right (the entry the nearest proxy added), the first address that is not a trusted proxy. An
 * entry that is not an address ends the walk at the last good one: what lies left of it was
 * written by no proxy kith trusts.
 */
void proxy_client(const char *peer, const char *xff, char *out, size_t size);

#endif
