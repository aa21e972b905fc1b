/*
 * proxy.c - the client's address behind trusted proxies (proxy.h).
 */
#include "api/proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/banned.h"

/* Addresses in one canonical text form (inet_ntop of inet_pton), so that they compare as text. */
static char g_trusted[PROXY_MAX][INET6_ADDRSTRLEN];
static size_t g_ntrusted;

/* The canonical form of the address in s[0..n) into out; false when it is not an address. */
static bool canonical(const char *s, size_t n, char out[INET6_ADDRSTRLEN])
{
    char text[INET6_ADDRSTRLEN];
    unsigned char bin[sizeof(struct in6_addr)];
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof(text))
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    int af = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(af, text, bin) != 1)
        return false;
    return inet_ntop(af, bin, out, INET6_ADDRSTRLEN) != NULL;
}

int proxy_trust(const char *list, struct kith_error *err)
{
    g_ntrusted = 0;
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (g_ntrusted == PROXY_MAX)
            return kith_err(err, KITH_EINVAL, "--trusted-proxy: at most %d addresses", PROXY_MAX);
        if (!canonical(p, n, g_trusted[g_ntrusted]))
            return kith_err(err, KITH_EINVAL,
                            "--trusted-proxy: '%.*s' is not an IPv4 or IPv6 address"
                            " (a list is separated by commas: 10.0.0.5,10.0.0.6)",
                            (int)(n > 64 ? 64 : n), p);
        g_ntrusted++;
        p = comma ? comma + 1 : p + n;
    }
    return 0;
}

bool proxy_is_trusted(const char *addr)
{
    char c[INET6_ADDRSTRLEN];
    if (!g_ntrusted || !addr || !canonical(addr, strlen(addr), c))
        return false;
    for (size_t i = 0; i < g_ntrusted; i++)
        if (strcmp(g_trusted[i], c) == 0)
            return true;
    return false;
}

void proxy_client(const char *peer, const char *xff, char *out, size_t size)
{
    snprintf(out, size, "%s", peer ? peer : "");
    if (!xff || !proxy_is_trusted(peer))
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        char c[INET6_ADDRSTRLEN];
        if (!canonical(xff + start, end - start, c))
            return; /* not an address: the last good one stands */
        snprintf(out, size, "%s", c);
        if (!proxy_is_trusted(c))
            return; /* the client */
        end = start ? start - 1 : 0;
    }
}
