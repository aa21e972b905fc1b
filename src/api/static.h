/*
 * static.h - the web application's files, embedded in the binary at build time (cmake/web.cmake
 * generates the table; never edit it by hand), and the server's hook that answers them.
 * docs/web.md explains the URLs and the caching rules.
 */
#ifndef KITH_API_STATIC_H
#define KITH_API_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"

struct web_asset {
    const char *path;         /* "/app/main.js", "/assets/vendor/preact.0123456789ab.js" */
    const char *content_type; /* with a charset for text */
    const unsigned char *data;
    size_t len;
    const unsigned char *gzip; /* the same bytes gzip-compressed, or NULL when not smaller */
    size_t gzip_len;
    const char *etag; /* quoted, as sent: "\"0123...\"" */
    bool immutable;   /* the path carries a hash of the content: cache for a year */
};

/* Every embedded file, NULL-terminated (generated: build/generated/web/assets.c). */
extern const struct web_asset *const web_assets[];

/*
 * True if the Accept-Encoding header value accepts gzip: a "gzip" token (else "*") whose q is
 * not zero. Enough for what browsers send ("gzip, deflate, br, zstd"). NULL accepts nothing.
 */
bool api_accepts_gzip(const char *value);

/* The asset served at exactly path, or NULL. */
const struct web_asset *web_asset_find(const char *path);

/*
 * Answers a GET or HEAD request that no API route took: an embedded file, or index.html for
 * "/" and for paths that look like the client's own routes (no dot in the last segment, not
 * under /api/, /app/ or /assets/). Fills res (status 200 or 304, headers, a body that is not
 * copied) and returns true; returns false, leaving res alone, for anything else, which then
 * gets the API's JSON 404.
 */
bool api_static(const struct api_request *req, struct api_response *res);

#endif
