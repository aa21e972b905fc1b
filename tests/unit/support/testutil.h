/*
 * testutil.h - small helpers the unit tests share: temporary paths and fixture databases.
 * Header-only so that each test stays one self-contained executable.
 */
#ifndef KITH_TESTS_TESTUTIL_H
#define KITH_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Writes into buf a fresh path "<tmpdir>/kith-test-<pid>-<n>-<name>" and removes any file (and
 * -wal/-shm companions) left there. Returns buf.
 */
static inline char *test_tmp_path(char *buf, size_t size, const char *name)
{
    static int n;
    const char *dir = getenv("TMPDIR");
    snprintf(buf, size, "%s/kith-test-%d-%d-%s", dir && *dir ? dir : "/tmp", (int)getpid(), n++,
             name);
    char side[4096];
    unlink(buf);
    snprintf(side, sizeof(side), "%s-wal", buf);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", buf);
    unlink(side);
    return buf;
}

/* Removes a database file and its WAL companions. */
static inline void test_rm_db(const char *path)
{
    char side[4096];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

#endif
