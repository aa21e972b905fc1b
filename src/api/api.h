/*
 * api.h - the HTTP/JSON API: requests, responses, the route table and who is asking.
 *
 * The server (server.c) parses and checks every request the same way: size cap, content type,
 * JSON depth, authentication (auth.c), the route's role check and then the handler. Handlers
 * live one file per resource (api/<resource>.c) and are registered only in routes.c.
 * Record-level scope is decided by access.c (api_scope()), in one place, for every handler.
 */
#ifndef KITH_API_API_H
#define KITH_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/store.h"

#define API_BODY_MAX        (1024 * 1024) /* bytes; larger bodies answer 413 */
#define API_JSON_DEPTH_MAX  32            /* deeper JSON answers 400 */
#define API_MAX_PATH_PARAMS 4

enum api_role {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1 << 0,
    ROLE_EXECUTIVE = 1 << 1,
    ROLE_MANAGER = 1 << 2,
    ROLE_FRONTLINE = 1 << 3,
    ROLE_PARTNER = 1 << 4,
    ROLE_ANALYST = 1 << 5,
    /*
     * A contact signed in to the customer portal (docs/portal.md). Never part of ROLE_ANY: only
     * routes under /portal/api/ name it, and only a portal session authenticates those.
     */
    ROLE_CUSTOMER = 1 << 6,
    /*
     * A customer's device posting readings with its device token (docs/portal.md, "Devices").
     * Never part of ROLE_ANY: only POST /api/v1/streams names it, and only a device token
     * authenticates that route.
     */
    ROLE_DEVICE = 1 << 7,
};
#define ROLE_ANY                                                                                   \
    (ROLE_ADMIN | ROLE_EXECUTIVE | ROLE_MANAGER | ROLE_FRONTLINE | ROLE_PARTNER | ROLE_ANALYST)

/* The signed-in user a request acts for. unit_id / team_id are 0 when the user has none. */
struct api_principal {
    int64_t user_id;
    enum api_role role;
    int64_t unit_id;
    int64_t team_id;
    char email[256];
    bool via_token;     /* authenticated by a bearer token (no CSRF check needed) */
    int64_t session_id; /* the session row, when authenticated by cookie */
    int64_t token_id;   /* the API token row, when authenticated by a bearer token */
    int64_t contact_id; /* ROLE_CUSTOMER, ROLE_DEVICE: the contact (user_id is then 0) */
    int64_t device_id;  /* ROLE_DEVICE: the device whose token authenticated the request */
};

struct api_request {
    const char *method;
    const char *path;                        /* without the query string */
    const char *params[API_MAX_PATH_PARAMS]; /* {name} segments of the route, in order */
    int nparams;
    json_t *body;         /* parsed JSON body or NULL; owned by the server */
    const char *raw_body; /* body bytes (NUL-terminated) or NULL */
    size_t body_len;
    const struct api_principal *who; /* NULL on routes that need no sign-in */
    struct store *store;             /* this worker thread's connection */
    const char *client_addr;
    void *conn; /* the MHD connection, for api_query/api_header */
};

/* Response: a handler sets status and json (ownership passes to the server) or text. */
struct api_response {
    int status;
    json_t *json;
    char *text; /* malloc'd body for non-JSON answers; freed by the server */
    size_t text_len;
    const char *content_type;
    char set_cookie[512];         /* a Set-Cookie header value, or "" */
    char extra_header[4][2][128]; /* up to four more headers {name, value} */
    int64_t audit_user_id;        /* for sign-in handlers: who the request turned out to be */
    const void *static_body;      /* a body in static storage (embedded files): sent, not freed */
    size_t static_len;            /* its length in bytes */
    /*
     * A body without end (server-sent events): the server calls stream_read(stream_ctx, ...) as
     * the client can take more (libmicrohttpd's content reader contract) and stream_free(ctx)
     * once the connection is over, whichever way it ends; ctx is then the stream's.
     */
    ssize_t (*stream_read)(void *ctx, uint64_t pos, char *buf, size_t max);
    void (*stream_free)(void *ctx);
    void *stream_ctx;
};

typedef void (*api_handler)(struct api_request *req, struct api_response *res);

struct api_route {
    const char *method;
    const char *pattern; /* "/api/v1/contacts/{id}" */
    api_handler fn;
    int roles;           /* enum api_role mask allowed; 0 = no sign-in needed */
    const char *summary; /* one line, for the OpenAPI check and docs */
};

/* The route table (routes.c), terminated by a row whose method is NULL. */
extern const struct api_route api_routes[];

/*
 * The media type of route's body when it is not JSON ("application/x-ndjson"), else NULL
 * (routes.c). The server then neither checks nor parses the body: the handler gets raw_body and
 * checks the Content-Type itself, once the caller is authenticated.
 */
const char *api_route_body_type(const struct api_route *route);

/* Fills res with {"error":{"code":code,"message":...,"field":field}} and status. */
void api_error(struct api_response *res, int status, const char *code, const char *field,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Maps a KITH_E* code and message to the matching HTTP error (400/404/409/422/500). */
void api_error_from(struct api_response *res, const struct kith_error *err);

/* Sets status and the JSON body (stolen reference). */
void api_json(struct api_response *res, int status, json_t *body);

/* A query-string argument, or NULL. Valid for the request's lifetime. */
const char *api_query(const struct api_request *req, const char *name);

/* Up to max values of a repeated query-string argument (?where=a&where=b), in order; their
 * number (which may exceed max: the caller then refuses the request). */
size_t api_query_all(const struct api_request *req, const char *name, const char **out, size_t max);

/* A request header, or NULL. */
const char *api_header(const struct api_request *req, const char *name);

/* Path parameter i parsed as a positive id; false (and a 404 in res) when it is not one. */
bool api_param_id(const struct api_request *req, int i, int64_t *id, struct api_response *res);

/* True if the principal's role is in mask. */
bool api_role_in(const struct api_principal *who, int mask);

/* "admin" -> ROLE_ADMIN ...; ROLE_NONE for an unknown name. */
enum api_role api_role_parse(const char *name);
const char *api_role_name(enum api_role role);

/*
 * Checks that the depth of the JSON text (arrays and objects nested) is at most max, without
 * parsing it; strings are skipped correctly. True if it is within the limit.
 */
bool api_json_depth_ok(const char *text, size_t len, int max);

/* Server options and entry point (server.c). */
/*
 * Worker threads by default: twice the CPUs, from API_THREADS_MIN to API_THREADS_MAX_DEFAULT.
 * More than the CPUs, since a thread waiting for the disk (store_sync) holds no CPU and the
 * writes of the threads waiting together share one fsync; not many more, since on a disk whose
 * fsync takes a fraction of a millisecond the writes are bound by the CPU, and every thread
 * beyond that only lengthens the scheduler's queue: on 2 CPUs, 16 threads gave POST a p99 of
 * 57-89 ms where 4 gave 38-40 ms at the same throughput (docs/BENCHMARKS.md "HTTP"). A slow disk
 * wants more: --threads.
 */
#define API_THREADS_MIN         4
#define API_THREADS_MAX_DEFAULT 64
unsigned api_threads_default(void);

struct api_server_options {
    const char *db_path;
    const char *listen;   /* "127.0.0.1:8080" */
    const char *tls_cert; /* PEM file, or NULL */
    const char *tls_key;
    unsigned threads; /* worker threads; 0 = api_threads_default() */
    /* addresses whose X-Forwarded-For names the client (api/proxy.h), comma-separated; NULL */
    const char *trusted_proxies;
};

/*
 * Serves until SIGINT or SIGTERM, then stops accepting, lets in-flight requests finish,
 * checkpoints the WAL and returns 0. Returns a negative KITH_E code when it cannot start.
 */
int api_serve(const struct api_server_options *opt, struct kith_error *err);

#endif
