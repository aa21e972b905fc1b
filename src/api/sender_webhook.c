/*
 * sender_webhook.c - the HTTP webhook sender (kith serve --sender webhook:http://HOST:PORT/PATH):
 * each message, a portal link or an outbound SMS or email, is POSTed as one JSON object to the
 * URL, for an SMS gateway or a mail relay to deliver; a 2xx answer counts as delivered, anything
 * else (or no answer within WEBHOOK_TIMEOUT_S) fails the send, and the caller's transaction with
 * it. Plain HTTP on a socket, without a client library: kith's only dependency for it would be
 * libcurl, which the build does not have; a relay on the same host or network needs no TLS (put
 * one in front for anything farther). docs/voice.md, "Messages".
 */
#include "api/portal.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/num.h"

#include "util/banned.h"

#define WEBHOOK_TIMEOUT_S 10
#define WEBHOOK_URL_MAX   512

static struct webhook {
    char host[256];
    char port[8];
    char path[WEBHOOK_URL_MAX];
} g_webhook;

/* Parses "http://HOST[:PORT][/PATH]" into w; KITH_EINVAL saying why. */
static int parse_url(const char *url, struct webhook *w, struct kith_error *err)
{
    if (strlen(url) >= WEBHOOK_URL_MAX)
        return kith_err(err, KITH_EINVAL, "--sender: the webhook URL is longer than %d bytes",
                        WEBHOOK_URL_MAX - 1);
    if (strncmp(url, "https://", 8) == 0)
        return kith_err(err, KITH_EINVAL,
                        "--sender: the webhook speaks plain http only; put a TLS relay on this "
                        "host or network and give its http:// address");
    if (strncmp(url, "http://", 7) != 0)
        return kith_err(err, KITH_EINVAL, "--sender: the webhook URL must start with http://");
    const char *h = url + 7, *end = h + strcspn(h, "/?#");
    const char *colon = memchr(h, ':', (size_t)(end - h));
    const char *hend = colon ? colon : end;
    if (hend == h || (size_t)(hend - h) >= sizeof(w->host))
        return kith_err(err, KITH_EINVAL, "--sender: the webhook URL has no host");
    memcpy(w->host, h, (size_t)(hend - h));
    w->host[hend - h] = '\0';
    if (colon) {
        char port[8];
        size_t n = (size_t)(end - colon - 1);
        int64_t p;
        if (n == 0 || n >= sizeof(port))
            return kith_err(err, KITH_EINVAL, "--sender: the webhook URL's port is not a port");
        memcpy(port, colon + 1, n);
        port[n] = '\0';
        if (num_int64(port, 1, 65535, &p, "port", NULL) < 0)
            return kith_err(err, KITH_EINVAL, "--sender: the webhook URL's port is not a port");
        snprintf(w->port, sizeof(w->port), "%d", (int)p);
    } else {
        snprintf(w->port, sizeof(w->port), "80");
    }
    snprintf(w->path, sizeof(w->path), "%s", *end == '/' ? end : "/");
    if (strpbrk(w->path, " \r\n"))
        return kith_err(err, KITH_EINVAL, "--sender: the webhook path has blanks or line breaks");
    return 0;
}

/* A connected socket to w with send and receive timeouts, or -1 with err filled. */
static int dial(const struct webhook *w, struct kith_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *a;
    int gai = getaddrinfo(w->host, w->port, &hints, &res);
    if (gai != 0) {
        kith_err(err, KITH_EIO, "webhook %s:%s: %s", w->host, w->port, gai_strerror(gai));
        return -1;
    }
    int fd = -1, e = 0;
    const struct timeval tv = {.tv_sec = WEBHOOK_TIMEOUT_S};
    for (a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        /* on Linux the send timeout bounds connect() too */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        kith_err(err, KITH_EIO, "webhook %s:%s: cannot connect: %s", w->host, w->port, strerror(e));
    return fd;
}

static bool send_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads the answer's status line ("HTTP/1.x NNN ..."); the status, or -1. */
static int read_status(int fd)
{
    char buf[256];
    size_t got = 0;
    while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got)) {
        ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    if (strncmp(buf, "HTTP/1.", 7) != 0 || got < 12 || buf[8] != ' ')
        return -1;
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        status = status * 10 + (buf[i] - '0');
    }
    return status;
}

static int webhook_send(void *ctx, const char *db_path, const struct portal_message *m,
                        struct kith_error *err)
{
    (void)db_path;
    const struct webhook *w = ctx;
    json_t *j = json_pack("{s:s, s:s, s:s?, s:I, s:s, s:s, s:s}", "kind", m->kind, "channel",
                          m->channel ? m->channel : "email", "purpose", m->purpose, "contact_id",
                          (json_int_t)m->contact_id, "to", m->to, "subject",
                          m->subject ? m->subject : "", "body", m->body);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body)
        return kith_err(err, KITH_ENOMEM, "out of memory sending a message");
    char head[WEBHOOK_URL_MAX + 512];
    size_t len = strlen(body);
    int hn = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nUser-Agent: kith\r\n\r\n",
                      w->path, w->host, w->port, len);
    int rc = 0, fd = dial(w, err);
    if (fd < 0) {
        rc = KITH_EIO;
    } else {
        int status = -1;
        if (send_all(fd, head, (size_t)hn) && send_all(fd, body, len))
            status = read_status(fd);
        close(fd);
        if (status < 200 || status > 299)
            rc = status < 0 ? kith_err(err, KITH_EIO, "webhook %s:%s%s: no HTTP answer within %d s",
                                       w->host, w->port, w->path, WEBHOOK_TIMEOUT_S)
                            : kith_err(err, KITH_EIO, "webhook %s:%s%s answered %d", w->host,
                                       w->port, w->path, status);
    }
    free(body);
    return rc;
}

int portal_sender_configure(const char *spec, struct kith_error *err)
{
    if (strcmp(spec, "outbox") == 0) {
        portal_set_sender(NULL, NULL);
        return 0;
    }
    if (strncmp(spec, "webhook:", 8) != 0)
        return kith_err(err, KITH_EINVAL,
                        "--sender: '%s' is no sender; use outbox or webhook:http://HOST:PORT/PATH",
                        spec);
    struct webhook w = {0};
    int rc = parse_url(spec + 8, &w, err);
    if (rc < 0)
        return rc;
    g_webhook = w;
    portal_set_sender(webhook_send, &g_webhook);
    return 0;
}
