/*
 * common.c - what the subcommands share: the database path, opening the store, and the
 * wording of usage and runtime errors.
 */
#include "cmd/cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

const char *cmd_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("KITH_DB");
    if (env && *env)
        return env;
    return "kith.db";
}

struct store *cmd_open_store(const char *db_opt, int flags)
{
    struct kith_error err = {0};
    struct store *s = NULL;
    if (store_open(cmd_db_path(db_opt), flags, &s, &err) < 0) {
        cmd_fail(&err);
        return NULL;
    }
    return s;
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kith %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'kith %s --help'.\n", cmd);
    return CMD_USAGE;
}

int cmd_fail(const struct kith_error *err)
{
    fprintf(stderr, "kith: %s\n", err->msg[0] ? err->msg : kith_strerror(err->code));
    return CMD_FAIL;
}

bool cmd_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}
