/*
 * support.h - what the libFuzzer targets of tests/fuzz/ share: the fuzzer's bytes as a string,
 * a query string split as libmicrohttpd splits it (served to the API code by stand-ins of
 * MHD_get_connection_values / MHD_lookup_connection_value, see support.c), and one in-memory
 * database with the small demo network, opened once per process. docs/fuzzing.md.
 */
#ifndef KITH_TESTS_FUZZ_SUPPORT_H
#define KITH_TESTS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "store/store.h"

/* The libFuzzer entry point each target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data[0..size) (embedded NULs stay); the caller frees it. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#define FUZZ_QUERY_MAX 64

/*
 * A query string split at '&' and the first '=' of each part, percent-decoded in place like
 * libmicrohttpd's (a part without '=' has a NULL value). Its address is what api_request.conn
 * points to in the targets: the MHD_* stand-ins read it.
 */
struct fuzz_query {
    char *buf; /* owned */
    size_t n;
    const char *key[FUZZ_QUERY_MAX];
    const char *value[FUZZ_QUERY_MAX];
};

/* Splits the len bytes at s into q (at most FUZZ_QUERY_MAX arguments; the rest are dropped). */
void fuzz_query_init(struct fuzz_query *q, const char *s, size_t len);
void fuzz_query_release(struct fuzz_query *q);

/*
 * The process's database: in memory, with the demo network of DEMO_MIN_CONTACTS contacts, made
 * on first use. Never fails: a failure to make it is a broken harness and aborts.
 */
struct store *fuzz_store(void);

/* Prints a handler's answer on stderr (KITH_FUZZ_VERBOSE=1: to see what seeds do). */
void fuzz_show_response(const struct api_response *res);

/* An administrator (user 1), whose scope is every row. */
extern const struct api_principal fuzz_admin;

#endif
