/*
 * portal_outbox.c - how the portal's links and outbound messages reach a contact: a pluggable
 * sender, and the default, the outbox: each message becomes one file (mode 0600) in a directory,
 * for a mail relay, an operator or a test to pick up (docs/portal.md, "The outbox"). A file
 * appears whole: it is written under a dot-name and renamed. The other sender, a webhook, is in
 * sender_webhook.c.
 */
#include "api/portal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secret.h"

#include "util/banned.h"

static portal_sender_fn g_sender;
static void *g_sender_ctx;

void portal_set_sender(portal_sender_fn fn, void *ctx)
{
    g_sender = fn;
    g_sender_ctx = ctx;
}

void portal_link(const char *page, const char *token, char *out, size_t size)
{
    const char *base = getenv("KITH_PORTAL_URL");
    size_t n = base ? strlen(base) : 0;
    while (n > 0 && base[n - 1] == '/')
        n--;
    snprintf(out, size, "%.*s/portal/%s#token=%s", (int)n, base ? base : "", page, token);
}

/* The outbox directory for db_path into out; false when it does not fit. */
static bool outbox_dir(const char *db_path, char *out, size_t size)
{
    const char *dir = getenv("KITH_OUTBOX_DIR");
    int n = dir && *dir ? snprintf(out, size, "%s", dir)
                        : snprintf(out, size, "%s.outbox", db_path ? db_path : "kith.db");
    return n > 0 && (size_t)n < size;
}

/* Writes all of text to fd; false on a short write. */
static bool write_all(int fd, const char *text)
{
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

static int outbox_send(void *ctx, const char *db_path, const struct portal_message *m,
                       struct kith_error *err)
{
    (void)ctx;
    char dir[1024], tmp[1200], final[1200], rnd[SECRET_TEXT_SIZE], head[1024];
    if (!outbox_dir(db_path, dir, sizeof(dir)))
        return kith_err(err, KITH_EINVAL, "the outbox directory's name is too long");
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return kith_err(err, KITH_EIO, "cannot create the outbox %s: %s", dir, strerror(errno));
    secret_new("", rnd);
    rnd[12] = '\0';
    for (char *p = rnd; *p; p++) /* base64url: keep names free of a leading '-' */
        if (*p == '-')
            *p = 'x';
    long long now = (long long)store_now_ms();
    snprintf(tmp, sizeof(tmp), "%s/.%lld-%s-%s.tmp", dir, now, m->kind, rnd);
    snprintf(final, sizeof(final), "%s/%lld-%s-%s.txt", dir, now, m->kind, rnd);
    int n =
        snprintf(head, sizeof(head), "To: %s\nSubject: %s\nX-Kith-Kind: %s\nX-Kith-Contact: %lld\n",
                 m->to, m->subject ? m->subject : "", m->kind, (long long)m->contact_id);
    if (n > 0 && (size_t)n < sizeof(head) && m->channel)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "X-Kith-Channel: %s\n", m->channel);
    if (n > 0 && (size_t)n < sizeof(head) && m->purpose)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "X-Kith-Purpose: %s\n", m->purpose);
    if (n < 0 || (size_t)n + 2 > sizeof(head))
        return kith_err(err, KITH_EINVAL, "a message's headers are too long for the outbox");
    head[n++] = '\n';
    head[n] = '\0';
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return kith_err(err, KITH_EIO, "cannot write to the outbox %s: %s", dir, strerror(errno));
    bool ok =
        write_all(fd, head) && write_all(fd, m->body) && write_all(fd, "\n") && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, final) < 0) {
        int e = errno;
        unlink(tmp);
        return kith_err(err, KITH_EIO, "cannot write to the outbox %s: %s", dir, strerror(e));
    }
    return 0;
}

int portal_send(const char *db_path, const struct portal_message *m, struct kith_error *err)
{
    if (g_sender)
        return g_sender(g_sender_ctx, db_path, m, err);
    return outbox_send(NULL, db_path, m, err);
}
