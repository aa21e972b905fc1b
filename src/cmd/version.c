/*
 * version.c - kith version / kith --version: the release and the libraries it runs on.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "cmd/cmd.h"

#include "util/banned.h"

#ifndef KITH_VERSION
#define KITH_VERSION "0.0.0-dev"
#endif

int cmd_version(int argc, char **argv)
{
    if (argc >= 2 && cmd_is_help(argv[1])) {
        printf("usage: kith version\n\nPrints the kith version, its schema version and the"
               " SQLite library in use.\n");
        return CMD_OK;
    }
    printf("kith %s (schema %d, SQLite %s)\n", KITH_VERSION, STORE_SCHEMA_VERSION,
           sqlite3_libversion());
    return CMD_OK;
}
