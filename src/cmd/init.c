/*
 * init.c - kith init: create a database with the latest schema, or upgrade an older one.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "io/consent_receipt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith init [--db PATH]\n\n"
    "Creates the database (default: $KITH_DB, else ./kith.db) with the latest schema, or\n"
    "upgrades an existing one in a single transaction. A database written by a newer kith is\n"
    "refused and left untouched. PATH may be a PostgreSQL URL (postgresql://...): the same\n"
    "schema is made there (docs/storage.md).\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *db = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("init", "unknown option");
        }
    }
    if (optind < argc)
        return cmd_usage_error("init", "unexpected argument '%s'", argv[optind]);
    struct store *s = cmd_open_store(db, STORE_CREATE | STORE_PG_READY);
    if (!s)
        return CMD_FAIL;
    /* the key that signs consent receipts (docs/portal.md): made once, kept in the database */
    struct kith_error err = {0};
    unsigned char pk[STORE_SIGN_PK];
    if (consent_key_ensure(s, pk, NULL, &err) < 0) {
        store_close(s);
        return cmd_fail(&err);
    }
    printf("%s: schema version %d\n", store_is_pg(s) ? "PostgreSQL" : cmd_db_path(db),
           store_schema_version(s));
    store_close(s);
    return CMD_OK;
}
