/*
 * error.h - the one error convention of kith.
 *
 * Functions that act return 0 on success or a negative KITH_E* code, and fill a caller-owned
 * struct kith_error with a message a person can act on. Predicates return bool instead.
 */
#ifndef KITH_UTIL_ERROR_H
#define KITH_UTIL_ERROR_H

#include <stdarg.h>

enum {
    KITH_OK = 0,
    KITH_EINVAL = -1,    /* bad input from a user, a file or a client */
    KITH_ENOMEM = -2,    /* allocation failed */
    KITH_EIO = -3,       /* file or system call failed */
    KITH_EDB = -4,       /* the store failed */
    KITH_ENOTFOUND = -5, /* a named record or file does not exist */
    KITH_ECONFLICT = -6, /* a unique key is taken */
    KITH_EVERSION = -7,  /* a database of a newer schema than this binary knows */
    KITH_ENOCONV = -8,   /* a numerical method did not converge */
    KITH_ERANGE = -9,    /* a value or size is out of its allowed range */
    KITH_ELIMIT = -10,   /* a quota is spent (a user's daily privacy budget) */
};

#define KITH_ERROR_MSG_MAX 512

struct kith_error {
    int code;
    char msg[KITH_ERROR_MSG_MAX];
};

/* Fills e (when non-NULL) with code and a formatted message; returns code. */
int kith_err(struct kith_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same, with a va_list. */
int kith_verr(struct kith_error *e, int code, const char *fmt, va_list ap);

/* Prefixes the message already in e with "<prefix>: ", keeping the code; returns e->code. */
int kith_err_prefix(struct kith_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Resets e to "no error". */
void kith_error_clear(struct kith_error *e);

/* A short name for a code ("invalid input", "not found", ...). Never NULL. */
const char *kith_strerror(int code);

/* Internal invariant broken: prints where and aborts. Never for input a user can send. */
#define BUG(...) kith_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void kith_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
