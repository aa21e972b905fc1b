/*
 * stats.c - kith stats: how many records each table holds, and the database's size.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>

#include "cmd/cmd.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith stats [--db PATH] [--json]\n\n"
    "Prints the number of rows of every table and the size of the database.\n"
    "  --json   one JSON object instead of a table\n";

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = NULL;
    bool json = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("stats", "unknown option");
        }
    }
    if (optind < argc)
        return cmd_usage_error("stats", "unexpected argument '%s'", argv[optind]);
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    int rc = CMD_OK;
    int64_t bytes = 0;
    if (json)
        printf("{");
    else
        printf("%s (schema %d)\n", cmd_db_path(db), store_schema_version(s));
    for (size_t i = 0; i < model_ntables; i++) {
        int64_t n;
        if (store_count(s, model_tables[i], &n, &err) < 0) {
            rc = cmd_fail(&err);
            goto out_close;
        }
        if (json)
            printf("%s\"%s\":%" PRId64, i ? "," : "", model_tables[i]->name, n);
        else
            printf("  %-18s %12" PRId64 "\n", model_tables[i]->name, n);
    }
    if (store_size(s, &bytes, &err) < 0) {
        rc = cmd_fail(&err);
        goto out_close;
    }
    if (json)
        printf(",\"database_bytes\":%" PRId64 "}\n", bytes);
    else
        printf("  %-18s %12.1f MiB\n", "database size", (double)bytes / (1024.0 * 1024.0));
out_close:
    store_close(s);
    return rc;
}
