/*
 * static.c - serves the web application from the files embedded at build time (static.h):
 * exact files, index.html for "/" and for the client's routes, 304 for a matching ETag, the
 * gzip copy to clients that accept it. Caching: content-hashed vendor modules for a year,
 * everything else revalidated on each use (Cache-Control: no-cache). See docs/web.md.
 */
#include "api/static.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/num.h"

#include "util/banned.h"

#define INDEX_PATH        "/index.html"
#define PORTAL_INDEX_PATH "/portal/index.html"

const struct web_asset *web_asset_find(const char *path)
{
    /* About thirty files: a linear scan costs less than the request's own parsing. */
    for (const struct web_asset *const *a = web_assets; *a; a++)
        if (strcmp((*a)->path, path) == 0)
            return *a;
    return NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* True when the last segment of path has no dot (a client route, not a file). */
static bool no_dot_at_end(const char *path)
{
    const char *last = strrchr(path, '/');
    return last && !strchr(last, '.');
}

/* True for paths the staff app's router owns: /contacts/42, /admin/users. */
static bool is_client_route(const char *path)
{
    if (has_prefix(path, "/api/") || has_prefix(path, "/app/") || has_prefix(path, "/assets/") ||
        has_prefix(path, "/portal/") || strcmp(path, "/portal") == 0)
        return false;
    return no_dot_at_end(path);
}

/* True for the customer portal's client routes: /portal, /portal/, /portal/accept ... */
static bool is_portal_route(const char *path)
{
    if (strcmp(path, "/portal") == 0)
        return true;
    return has_prefix(path, "/portal/") && !has_prefix(path, "/portal/api/") && no_dot_at_end(path);
}

bool api_accepts_gzip(const char *value)
{
    int gzip = -1, star = 0; /* gzip -1: not named */
    while (value && *value) {
        value += strspn(value, " \t,");
        size_t tok = strcspn(value, " \t;,");
        const char *params = value + tok;
        size_t plen = strcspn(params, ",");
        double q = 1.0;
        for (size_t i = 0; i + 1 < plen; i++)
            if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
                num_parse_double(params + i + 2, strcspn(params + i + 2, " \t;,"), 0, 1, &q, "q",
                                 NULL) < 0)
                q = 0; /* a q that is no weight accepts nothing */
        if (tok == 4 && strncasecmp(value, "gzip", 4) == 0)
            gzip = q > 0;
        else if (tok == 1 && value[0] == '*')
            star = q > 0;
        value = params + plen;
    }
    return gzip >= 0 ? gzip : star;
}

/* True if the If-None-Match header value lists etag (or is "*"). */
static bool etag_matches(const char *value, const char *etag)
{
    size_t n = strlen(etag);
    while (value && *value) {
        value += strspn(value, " \t,");
        if (value[0] == '*')
            return true;
        if (strncmp(value, "W/", 2) == 0)
            value += 2;
        if (strncmp(value, etag, n) == 0 && (value[n] == '\0' || strchr(" \t,", value[n])))
            return true;
        value += strcspn(value, ",");
    }
    return false;
}

static void set_header(struct api_response *res, int i, const char *name, const char *value)
{
    snprintf(res->extra_header[i][0], sizeof(res->extra_header[i][0]), "%s", name);
    snprintf(res->extra_header[i][1], sizeof(res->extra_header[i][1]), "%s", value);
}

bool api_static(const struct api_request *req, struct api_response *res)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return false;
    const struct web_asset *a =
        web_asset_find(strcmp(req->path, "/") == 0 ? INDEX_PATH : req->path);
    if (!a && is_client_route(req->path))
        a = web_asset_find(INDEX_PATH);
    if (!a && is_portal_route(req->path))
        a = web_asset_find(PORTAL_INDEX_PATH);
    if (!a)
        return false;

    bool gzip = a->gzip && api_accepts_gzip(api_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    set_header(res, 0, "ETag", a->etag);
    set_header(res, 1, "Cache-Control",
               a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (a->gzip)
        set_header(res, 2, "Vary", "Accept-Encoding");
    if (etag_matches(api_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), a->etag)) {
        res->status = 304;
        return true;
    }
    if (gzip)
        set_header(res, 3, "Content-Encoding", "gzip");
    res->status = 200;
    res->content_type = a->content_type;
    res->static_body = gzip ? a->gzip : a->data;
    res->static_len = gzip ? a->gzip_len : a->len;
    return true;
}
