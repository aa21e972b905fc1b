/*
 * support.c - the fuzz targets' shared harness (support.h): query strings, the stand-ins for
 * the two libmicrohttpd functions the API code reads arguments with, and the demo database.
 */
#include "support.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo.h"

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s in place ("+" is a space); a %XX that is not hex stays as it is. */
static void unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        int hi, lo;
        if (*r == '%' && (hi = hex_digit(r[1])) >= 0 && (lo = hex_digit(r[2])) >= 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r == '+' ? ' ' : *r;
        }
    }
    *w = '\0';
}

void fuzz_query_init(struct fuzz_query *q, const char *s, size_t len)
{
    memset(q, 0, sizeof(*q));
    q->buf = fuzz_strndup((const uint8_t *)s, len);
    char *p = q->buf;
    while (q->n < FUZZ_QUERY_MAX && *p) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        if (*p) {
            char *eq = strchr(p, '=');
            if (eq) {
                *eq = '\0';
                unescape(eq + 1);
            }
            unescape(p);
            q->key[q->n] = p;
            q->value[q->n++] = eq ? eq + 1 : NULL;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
}

void fuzz_query_release(struct fuzz_query *q)
{
    free(q->buf);
    q->buf = NULL;
    q->n = 0;
}

/*
 * Stand-ins for libmicrohttpd's, linked into every fuzz executable ahead of the library: the
 * "connection" is a struct fuzz_query, and only its GET arguments exist (no headers, no
 * cookies).
 */
int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator iterator, void *iterator_cls)
{
    const struct fuzz_query *q = (const struct fuzz_query *)(void *)connection;
    int n = 0;
    if (!q || !(kind & MHD_GET_ARGUMENT_KIND))
        return 0;
    for (size_t i = 0; i < q->n; i++) {
        n++;
        if (iterator &&
            iterator(iterator_cls, MHD_GET_ARGUMENT_KIND, q->key[i], q->value[i]) != MHD_YES)
            break;
    }
    return n;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    const struct fuzz_query *q = (const struct fuzz_query *)(void *)connection;
    if (!q || !(kind & MHD_GET_ARGUMENT_KIND))
        return NULL;
    for (size_t i = 0; i < q->n; i++)
        if (key ? strcmp(key, q->key[i]) == 0 : q->key[i] == NULL)
            return q->value[i];
    return NULL;
}

static struct store *the_store;

static void close_store(void)
{
    store_close(the_store);
    the_store = NULL;
}

struct store *fuzz_store(void)
{
    if (the_store)
        return the_store;
    struct kith_error err = {0};
    struct demo_options opt = {.seed = DEMO_DEFAULT_SEED, .contacts = DEMO_MIN_CONTACTS};
    if (store_open(":memory:", STORE_CREATE, &the_store, &err) < 0 ||
        demo_build(the_store, &opt, NULL, &err) < 0) {
        fprintf(stderr, "fuzz harness: cannot make the demo database: %s\n", err.msg);
        abort();
    }
    atexit(close_store);
    return the_store;
}

const struct api_principal fuzz_admin = {
    .user_id = 1, .role = ROLE_ADMIN, .email = "fuzz@example.com", .via_token = true};

void fuzz_show_response(const struct api_response *res)
{
    char *text = res->json ? json_dumps(res->json, JSON_COMPACT) : NULL;
    fprintf(stderr, "status %d: %.300s\n", res->status, text ? text : "");
    free(text);
}
