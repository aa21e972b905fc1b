/*
 * error.c - filling struct kith_error; see error.h for the convention.
 */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kith_verr(struct kith_error *e, int code, const char *fmt, va_list ap)
{
    if (e) {
        e->code = code;
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    }
    return code;
}

int kith_err(struct kith_error *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kith_verr(e, code, fmt, ap);
    va_end(ap);
    return code;
}

int kith_err_prefix(struct kith_error *e, const char *fmt, ...)
{
    if (!e)
        return KITH_EINVAL;
    char old[KITH_ERROR_MSG_MAX];
    memcpy(old, e->msg, sizeof(old));
    old[sizeof(old) - 1] = '\0';
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t used = (size_t)n < sizeof(e->msg) ? (size_t)n : sizeof(e->msg) - 1;
    /* A message too long for the buffer ends in "..." rather than being cut silently. */
    size_t room = sizeof(e->msg) - used;
    size_t oldlen = strlen(old);
    if (room > oldlen + 2) {
        memcpy(e->msg + used, ": ", 2);
        memcpy(e->msg + used + 2, old, oldlen + 1);
    } else if (sizeof(e->msg) > 4) {
        memcpy(e->msg + sizeof(e->msg) - 4, "...", 4);
    }
    return e->code;
}

void kith_error_clear(struct kith_error *e)
{
    if (e) {
        e->code = 0;
        e->msg[0] = '\0';
    }
}

const char *kith_strerror(int code)
{
    switch (code) {
    case KITH_OK:
        return "success";
    case KITH_EINVAL:
        return "invalid input";
    case KITH_ENOMEM:
        return "out of memory";
    case KITH_EIO:
        return "input/output error";
    case KITH_EDB:
        return "database error";
    case KITH_ENOTFOUND:
        return "not found";
    case KITH_ECONFLICT:
        return "conflict";
    case KITH_EVERSION:
        return "schema version mismatch";
    case KITH_ENOCONV:
        return "did not converge";
    case KITH_ERANGE:
        return "out of range";
    case KITH_ELIMIT:
        return "limit reached";
    default:
        return "unknown error";
    }
}

_Noreturn void kith_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "BUG at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
#include "util/banned.h"
