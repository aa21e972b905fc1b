/*
 * server.c - kith's HTTP server on libmicrohttpd (internal thread pool, epoll).
 *
 * Every request goes one way: body collected under a cap, route found in api_routes[], content
 * type and JSON depth checked, caller authenticated and the route's roles checked, handler run,
 * security headers added, one JSON access-log line written. Each worker thread owns one store
 * connection (SQLite connections are not shared between threads).
 */
#include "api/api.h"
#include "api/conn_guard.h"
#include "api/proxy.h"
#include "api/devices.h"
#include "api/rv_stream.h"
#include "api/rvstate.h"
#include "api/server_int.h"
#include "api/static.h"
#include "util/buf.h"
#include "util/gzip.h"
#include "util/num.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define PATH_MAX_LEN 2048
#define URI_MAX_LEN  8192 /* request target, query included: 414 beyond */
/*
 * JSON answers at least this long go gzip-compressed to clients that accept it, at zlib's
 * fastest level: a page of 50 contacts (22 kB) becomes about 3 kB for some 0.1 ms of CPU.
 */
#define GZIP_MIN_LEN 1024
#define GZIP_LEVEL   1

/*
 * What one client may hold (docs/api.md, "Limits"): read from the environment at start, each
 * with its default and range here.
 */
struct server_limits {
    unsigned per_address;      /* KITH_CONNECTIONS_PER_ADDRESS: open connections of one address */
    unsigned connections;      /* KITH_CONNECTIONS_MAX: open connections in all */
    unsigned header_seconds;   /* KITH_HEADER_TIMEOUT_SECONDS: request line and headers due */
    unsigned idle_seconds;     /* KITH_IDLE_TIMEOUT_SECONDS: a silent connection is closed */
    unsigned streams_per_user; /* KITH_STREAMS_PER_USER: live streams of one user */
    unsigned query_params;     /* KITH_QUERY_PARAMS_MAX: query parameters of one request */
};

struct limit_def {
    const char *env;
    unsigned def, lo, hi;
    size_t offset;
};

static const struct limit_def limit_defs[] = {
    {"KITH_CONNECTIONS_PER_ADDRESS", 128, 0, 100000, offsetof(struct server_limits, per_address)},
    {"KITH_CONNECTIONS_MAX", 4096, 16, 100000, offsetof(struct server_limits, connections)},
    {"KITH_HEADER_TIMEOUT_SECONDS", 10, 1, 3600, offsetof(struct server_limits, header_seconds)},
    {"KITH_IDLE_TIMEOUT_SECONDS", 30, 1, 86400, offsetof(struct server_limits, idle_seconds)},
    {"KITH_STREAMS_PER_USER", 8, 1, 256, offsetof(struct server_limits, streams_per_user)},
    /* libmicrohttpd keeps each parameter in the connection's 64 KiB: 250 fit in any case */
    {"KITH_QUERY_PARAMS_MAX", 100, 1, 250, offsetof(struct server_limits, query_params)},
};

struct conn_state {
    struct buf body; /* capped at API_BODY_MAX */
    bool too_big;
    bool started;             /* the headers have arrived: on_request has been called */
    const char *uri_refused;  /* why the request target is refused with 414, or NULL */
    struct conn_guard *guard; /* the connection's header deadline (the socket context) */
    struct timespec start;
};

static const char *g_db_path;
static pthread_key_t g_store_key;
static atomic_int g_in_flight;
static struct server_limits g_limits;

/* Fills lim from the environment; KITH_EINVAL naming the variable for a value out of range. */
static int limits_from_env(struct server_limits *lim, struct kith_error *err)
{
    for (size_t i = 0; i < sizeof(limit_defs) / sizeof(limit_defs[0]); i++) {
        const struct limit_def *d = &limit_defs[i];
        unsigned *field = (unsigned *)(void *)((char *)lim + d->offset);
        const char *v = getenv(d->env);
        int64_t n = d->def;
        if (v && *v && num_int64(v, d->lo, d->hi, &n, d->env, NULL) < 0)
            return kith_err(err, KITH_EINVAL, "%s=%s: expected a whole number from %u to %u",
                            d->env, v, d->lo, d->hi);
        *field = (unsigned)n;
    }
    /* Never more connections than file descriptors: libmicrohttpd would fail to accept. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)lim->connections + 64)
        lim->connections = rl.rlim_cur > 80 ? (unsigned)rl.rlim_cur - 64 : 16;
    return 0;
}

static void store_key_release(void *p)
{
    store_close(p);
}

struct store *api_thread_store(struct kith_error *err)
{
    struct store *s = pthread_getspecific(g_store_key);
    if (s)
        return s;
    if (store_open(g_db_path, STORE_GROUP_SYNC, &s, err) < 0)
        return NULL;
    pthread_setspecific(g_store_key, s);
    return s;
}

static double elapsed_s(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * Matches path against pattern; {name} segments are captured into req->params, pointing into
 * pathbuf (a copy of path whose captured segments are NUL-terminated once the whole path matched).
 */
static bool route_match(const char *pattern, char *pathbuf, const char *path,
                        struct api_request *req)
{
    size_t plen = strlen(path);
    if (plen >= PATH_MAX_LEN)
        return false;
    memcpy(pathbuf, path, plen + 1);
    size_t caplen[API_MAX_PATH_PARAMS];
    int n = 0;
    const char *p = pattern;
    char *s = pathbuf;
    while (*p || *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        size_t pseg = strcspn(p, "/");
        size_t sseg = strcspn(s, "/");
        if (pseg >= 2 && p[0] == '{' && p[pseg - 1] == '}') {
            if (sseg == 0 || n == API_MAX_PATH_PARAMS)
                return false;
            req->params[n] = s;
            caplen[n++] = sseg;
        } else if (pseg != sseg || memcmp(p, s, pseg) != 0) {
            return false;
        }
        p += pseg;
        s += sseg;
    }
    for (int i = 0; i < n; i++)
        ((char *)req->params[i])[caplen[i]] = '\0';
    req->nparams = n;
    return true;
}

static void add_security_headers(struct MHD_Response *r, const char *path)
{
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (strncmp(path, "/api/", 5) == 0 || strncmp(path, "/portal/api/", 12) == 0)
        MHD_add_response_header(r, "Cache-Control", "no-store");
}

static void access_log(const char *method, const char *route, int status, size_t bytes,
                       double seconds, int64_t user_id)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    json_t *line = json_pack("{s:s+, s:s, s:s, s:i, s:I, s:f, s:o}", "time", when, "Z", "method",
                             method, "route", route, "status", status, "bytes", (json_int_t)bytes,
                             "duration_ms", (double)(int64_t)(seconds * 1e6) / 1000.0, "user_id",
                             user_id ? json_integer(user_id) : json_null());
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (text) {
        fprintf(stderr, "%s\n", text);
        free(text);
    }
    json_decref(line);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, const char *method,
                                     const char *path, const char *route, struct api_response *res,
                                     int64_t user_id, const struct timespec *start)
{
    char *body = NULL;
    size_t len = 0;
    bool gzipped = false;
    const char *ctype = res->content_type;
    if (res->json) {
        /* 15 significant digits: 89.8 rather than 89.799999999999997, every double exact enough */
        body = json_dumps(res->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
        len = body ? strlen(body) : 0;
        ctype = "application/json";
        if (len >= GZIP_MIN_LEN && !res->stream_read &&
            api_accepts_gzip(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                         MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
            char *zipped;
            size_t zlen;
            struct kith_error err = {0};
            if (gzip_compress(body, len, GZIP_LEVEL, &zipped, &zlen, &err) == 0) {
                free(body);
                body = zipped;
                len = zlen;
                gzipped = true;
            } /* else sent as it is */
        }
    } else if (res->text) {
        body = res->text;
        res->text = NULL;
        len = res->text_len;
    }
    struct MHD_Response *r;
    if (res->stream_read) { /* server-sent events: the body is read as it comes */
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, res->stream_read,
                                              res->stream_ctx, res->stream_free);
        if (!r)
            res->stream_free(res->stream_ctx);
        res->stream_read = NULL;
    } else if (body)
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    else if (res->static_body) { /* an embedded file (static.c): sent from where it lies */
        len = res->static_len;
        r = MHD_create_response_from_buffer(len, (void *)res->static_body, MHD_RESPMEM_PERSISTENT);
    } else
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (ctype)
        MHD_add_response_header(r, "Content-Type", ctype);
    if (res->json) /* the same URL may answer either way: caches must key on the header */
        MHD_add_response_header(r, "Vary", "Accept-Encoding");
    if (gzipped)
        MHD_add_response_header(r, "Content-Encoding", "gzip");
    add_security_headers(r, path);
    if (res->set_cookie[0])
        MHD_add_response_header(r, "Set-Cookie", res->set_cookie);
    for (size_t i = 0; i < sizeof(res->extra_header) / sizeof(res->extra_header[0]); i++)
        if (res->extra_header[i][0][0])
            MHD_add_response_header(r, res->extra_header[i][0], res->extra_header[i][1]);
    int status = res->status ? res->status : 200;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    double secs = elapsed_s(start);
    access_log(method, route, status, len, secs, user_id);
    api_metrics_record(route, status, secs);
    return ok;
}

/* Every X-Forwarded-For header of a request, in order, joined by commas (proxy.h). */
struct forwarded {
    char text[PROXY_HEADER_MAX + 1];
    size_t len;
    bool any;
};

static enum MHD_Result add_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    struct forwarded *f = cls;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    size_t n = strlen(value);
    /* too long together: the last header alone, which the nearest proxy wrote */
    if (f->len + 1 + n > PROXY_HEADER_MAX)
        f->len = 0;
    if (n > PROXY_HEADER_MAX) {
        f->len = 0;
        f->any = false; /* nothing usable: the peer stands */
        return MHD_YES;
    }
    if (f->len)
        f->text[f->len++] = ',';
    memcpy(f->text + f->len, value, n);
    f->len += n;
    f->text[f->len] = '\0';
    f->any = true;
    return MHD_YES;
}

/* The client's address: the peer's, or the one a trusted proxy forwarded (proxy.h). */
unsigned api_threads_default(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = cpus > 0 ? 2 * cpus : API_THREADS_MIN;
    if (n < API_THREADS_MIN)
        n = API_THREADS_MIN;
    if (n > API_THREADS_MAX_DEFAULT)
        n = API_THREADS_MAX_DEFAULT;
    return (unsigned)n;
}

static void client_address(struct MHD_Connection *conn, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[INET6_ADDRSTRLEN] = "";
    buf[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                  sizeof(peer));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer,
                  sizeof(peer));
    if (!proxy_is_trusted(peer)) {
        snprintf(buf, size, "%s", peer);
        return;
    }
    static __thread struct forwarded f;
    f.len = 0;
    f.any = false;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_forwarded, &f);
    proxy_client(peer, f.any ? f.text : NULL, buf, size);
}

static bool is_json_type(const char *ctype)
{
    if (!ctype)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(ctype, "application/json", n) == 0 && (ctype[n] == '\0' || ctype[n] == ';');
}

static void dispatch(struct MHD_Connection *conn, const char *method, const char *path,
                     struct conn_state *cs, struct api_response *res, const char **route_out,
                     int64_t *user_out)
{
    static __thread char pathbuf[PATH_MAX_LEN];
    struct api_request req = {.method = method, .path = path, .conn = conn};
    struct api_principal who = {0};
    char addr[64];
    const struct api_route *route = NULL;
    bool path_known = false;

    if (cs->uri_refused) {
        *route_out = "(uri too long)";
        api_error(res, 414, "uri_too_long", NULL, "%s", cs->uri_refused);
        return;
    }
    for (const struct api_route *r = api_routes; r->method; r++) {
        if (route_match(r->pattern, pathbuf, path, &req)) {
            path_known = true;
            if (strcmp(r->method, method) == 0) {
                route = r;
                break;
            }
        }
    }
    if (!route && !path_known && api_static(&req, res)) {
        *route_out = "(web app)";
        return;
    }
    if (!route) {
        *route_out = path_known ? "(method not allowed)" : "(no route)";
        if (path_known)
            api_error(res, 405, "method_not_allowed", NULL, "%s is not allowed on %s", method,
                      path);
        else
            api_error(res, 404, "not_found", NULL, "no such resource: %s", path);
        return;
    }
    *route_out = route->pattern;
    if (cs->too_big) {
        api_error(res, 413, "too_large", NULL, "the request body is larger than %d bytes",
                  API_BODY_MAX);
        return;
    }
    client_address(conn, addr, sizeof(addr));
    req.client_addr = addr;
    struct kith_error err = {0};
    req.store = api_thread_store(&err);
    if (!req.store) {
        fprintf(stderr, "kith serve: %s\n", err.msg);
        api_error(res, 503, "unavailable", NULL, "the database cannot be opened");
        return;
    }
    if (cs->body.len > 0 && api_route_body_type(route)) { /* the handler reads and checks it */
        req.raw_body = cs->body.data;
        req.body_len = cs->body.len;
    } else if (cs->body.len > 0) {
        if (!is_json_type(api_header(&req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
            api_error(res, 415, "unsupported_media_type", NULL,
                      "the request body must be application/json");
            return;
        }
        if (!api_json_depth_ok(cs->body.data, cs->body.len, API_JSON_DEPTH_MAX)) {
            api_error(res, 400, "too_deep", NULL, "JSON nested deeper than %d levels",
                      API_JSON_DEPTH_MAX);
            return;
        }
        json_error_t jerr;
        req.body = json_loadb(cs->body.data, cs->body.len, JSON_REJECT_DUPLICATES, &jerr);
        if (!req.body) {
            api_error(res, 400, "bad_json", NULL, "invalid JSON at line %d column %d: %s",
                      jerr.line, jerr.column, jerr.text);
            return;
        }
        req.raw_body = cs->body.data;
        req.body_len = cs->body.len;
    }
    if (route->roles) {
        if (api_authenticate(&req, &who, res) < 0)
            goto out;
        req.who = &who;
        *user_out = who.user_id;
        if (!api_role_in(&who, route->roles)) {
            api_error(res, 403, "forbidden", NULL, "your role (%s) may not do this",
                      api_role_name(who.role));
            goto out;
        }
        bool safe = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
        if (!safe && !who.via_token && !api_csrf_ok(&req, &who)) {
            api_error(res, 403, "csrf", NULL,
                      "missing or wrong X-CSRF-Token header for a cookie-authenticated change");
            goto out;
        }
    }
    route->fn(&req, res);
    if (res->audit_user_id)
        *user_out = res->audit_user_id;
    /*
     * Whatever the handler wrote is durable before it is answered; the worker threads' commits
     * share their fsyncs (group commit, store_sync()).
     */
    if (store_sync(req.store, &err) < 0) {
        fprintf(stderr, "kith serve: %s\n", err.msg);
        json_decref(res->json);
        res->json = NULL;
        free(res->text);
        res->text = NULL;
        api_error(res, 500, "internal", NULL, "the change was not confirmed by the disk");
    }
out:
    json_decref(req.body);
}

/*
 * The request line has arrived (MHD_OPTION_URI_LOG_CALLBACK), before libmicrohttpd splits the
 * query: the request's state is made here. A target too long or with too many parameters is
 * answered 414 once the headers are in; its query is cut off first, in libmicrohttpd's own
 * buffer, because libmicrohttpd keeps every parameter in the connection's fixed memory and, when
 * that runs out, drops the connection without an answer.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct conn_state *cs = calloc(1, sizeof(*cs));
    if (!cs)
        return NULL;
    buf_init(&cs->body, API_BODY_MAX);
    clock_gettime(CLOCK_MONOTONIC, &cs->start);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    cs->guard = ci ? ci->socket_context : NULL;
    char *query = strchr(uri, '?');
    unsigned params = 0;
    if (query)
        for (const char *p = query; p && *p; p = strchr(p + 1, '&'))
            params++;
    if (strlen(uri) > URI_MAX_LEN)
        cs->uri_refused = "the request target is longer than 8192 bytes";
    else if (params > g_limits.query_params)
        cs->uri_refused = "too many query parameters";
    if (cs->uri_refused && query)
        query[1] = '\0'; /* libmicrohttpd then finds an empty query */
    return cs;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    struct conn_state *cs = *con_cls;
    if (!cs) /* out of memory in on_uri() */
        return MHD_NO;
    if (!cs->started) {
        cs->started = true;
        conn_guard_request_begins(cs->guard);
        atomic_fetch_add(&g_in_flight, 1);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (!cs->too_big) {
            int rc = buf_add(&cs->body, upload_data, n);
            if (rc == KITH_ERANGE) { /* answered 413 once the body has arrived */
                cs->too_big = true;
                buf_release(&cs->body);
            } else if (rc < 0)
                return MHD_NO;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct api_response res = {.status = 200};
    const char *route = "(none)";
    int64_t user_id = 0;
    dispatch(conn, method, url, cs, &res, &route, &user_id);
    enum MHD_Result ok = send_response(conn, method, url, route, &res, user_id, &cs->start);
    json_decref(res.json);
    free(res.text);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_state *cs = *con_cls;
    if (!cs)
        return;
    conn_guard_request_ends(cs->guard);
    if (cs->started)
        atomic_fetch_sub(&g_in_flight, 1);
    buf_release(&cs->body);
    free(cs);
    *con_cls = NULL;
}

/* A connection opens or closes: its header deadline is watched in between (conn_guard.h). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? conn_guard_open(ci->connect_fd) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_guard_close(*socket_context);
        *socket_context = NULL;
    }
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct kith_error *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return kith_err(err, KITH_EINVAL, "--listen wants HOST:PORT, e.g. 127.0.0.1:8080; got '%s'",
                        listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int64_t port;
    if (num_int64(colon + 1, 0, 65535, &port, "port", NULL) < 0)
        return kith_err(err, KITH_EINVAL, "--listen: '%s' is not a port number", colon + 1);
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return kith_err(err, KITH_EINVAL, "--listen: '%s' is not an IPv4 address", host);
    return 0;
}

static char *read_file(const char *path, struct kith_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kith_err(err, KITH_EIO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(1024 * 1024 + 1);
    size_t n = buf ? fread(buf, 1, 1024 * 1024, f) : 0;
    fclose(f);
    if (!buf) {
        kith_err(err, KITH_ENOMEM, "out of memory reading %s", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int api_serve(const struct api_server_options *opt, struct kith_error *err)
{
    struct sockaddr_in sa;
    int rc = parse_listen(opt->listen ? opt->listen : "127.0.0.1:8080", &sa, err);
    if (rc < 0)
        return rc;
    if ((rc = api_auth_init(err)) < 0)
        return rc;
    if ((rc = limits_from_env(&g_limits, err)) < 0 || (rc = device_rate_init(err)) < 0 ||
        (rc = proxy_trust(opt->trusted_proxies, err)) < 0)
        return rc;
    rv_stream_set_user_max(g_limits.streams_per_user);
    g_db_path = opt->db_path;
    /* Open once now so that a missing or too-new database is reported before listening. */
    struct store *probe;
    if ((rc = store_open(g_db_path, 0, &probe, err)) < 0)
        return rc;
    store_close(probe);
    if (pthread_key_create(&g_store_key, store_key_release) != 0)
        return kith_err(err, KITH_ENOMEM, "cannot create thread storage");
    /*
     * Every thread inherits this mask, so only sigwait() below sees the signals: it must be set
     * before the first thread starts (the RV state's), or a signal may land on a thread that
     * lets it kill the process.
     */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* The RV snapshot is in memory before the first request can ask for it. */
    struct rvstate_info rvinfo;
    if ((rc = rvstate_start(g_db_path, &rvinfo, err)) < 0)
        return rc;
    if ((rc = conn_guard_start(g_limits.header_seconds, err)) < 0) {
        rvstate_stop();
        return rc;
    }

    char *cert = NULL, *key = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (opt->tls_cert || opt->tls_key) {
        if (!opt->tls_cert || !opt->tls_key)
            return kith_err(err, KITH_EINVAL, "TLS needs both --tls-cert and --tls-key");
        if (!(cert = read_file(opt->tls_cert, err)) || !(key = read_file(opt->tls_key, err))) {
            free(cert);
            conn_guard_stop();
            rvstate_stop();
            return err->code;
        }
        flags |= MHD_USE_TLS;
        api_set_tls(true);
    }
    unsigned threads = opt->threads ? opt->threads : api_threads_default();

    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        NULL, MHD_OPTION_CONNECTION_TIMEOUT, g_limits.idle_seconds,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, g_limits.per_address, MHD_OPTION_CONNECTION_LIMIT,
        g_limits.connections, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!d) {
        free(cert);
        free(key);
        conn_guard_stop();
        rvstate_stop();
        return kith_err(err, KITH_EIO, "cannot listen on %s (port taken, or no permission?)",
                        opt->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "kith serve: listening on %s://%s:%u (database %s)\n", cert ? "https" : "http",
            inet_ntoa(sa.sin_addr), di ? di->port : ntohs(sa.sin_port), g_db_path);
    fprintf(stderr,
            "kith serve: RV snapshot of %zu contacts and %zu interactions loaded in %.2f s\n",
            rvinfo.contacts, rvinfo.interactions, rvinfo.seconds);
    fflush(stderr);

    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "kith serve: %s received, finishing in-flight requests\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    MHD_quiesce_daemon(d);
    rv_stream_close_all(); /* live streams never end by themselves */
    for (int i = 0; i < 1000 && atomic_load(&g_in_flight) > 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL); /* waiting for workers to drain, at most 10 s */
    }
    MHD_stop_daemon(d);
    conn_guard_stop();
    rvstate_stop();
    free(cert);
    free(key);

    struct store *s;
    if ((rc = store_open(g_db_path, 0, &s, err)) < 0)
        return rc;
    rc = store_checkpoint(s, err);
    store_close(s);
    if (rc == 0)
        fprintf(stderr, "kith serve: stopped cleanly\n");
    return rc;
}
