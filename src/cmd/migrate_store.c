/*
 * migrate_store.c - kith migrate-store SRC DST: a SQLite database copied into PostgreSQL, every
 * table, in one transaction (the copy is store_migrate_store(), src/store/migrate_store.c).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith migrate-store SRC DST\n\n"
    "Copies the SQLite database SRC (sqlite:FILE or a path) into the PostgreSQL database DST\n"
    "(postgresql://user@host:port/dbname): every table, every row and column as it is (password\n"
    "hashes, sessions, keys and the audit log included), in one transaction, with one line per\n"
    "table on standard error. DST must be made with 'kith init --db DST' first (createdb, then\n"
    "kith init) and hold nothing else: a database with rows of its own is refused. Both must be\n"
    "at this kith's schema version: upgrade an older SRC with 'kith init --db SRC' first.\n"
    "Afterwards 'kith export TABLE' gives the same bytes on both.\n";

static void progress_line(void *ctx, const char *table, int64_t rows)
{
    (void)ctx;
    fprintf(stderr, "%s: %" PRId64 " rows copied\n", table, rows);
}

int cmd_migrate_store(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage, stdout);
            return CMD_OK;
        }
        return cmd_usage_error("migrate-store", "unknown option");
    }
    if (argc - optind != 2)
        return cmd_usage_error("migrate-store", "expected SRC and DST, got %d arguments",
                               argc - optind);
    const char *src = argv[optind], *dst = argv[optind + 1];
    if (strncmp(src, "sqlite:", 7) == 0)
        src += 7;
    if (!store_path_is_pg(dst))
        return cmd_usage_error("migrate-store", "DST must be a PostgreSQL URL (postgresql://...)");
    if (store_path_is_pg(src))
        return cmd_usage_error("migrate-store", "SRC must be a SQLite database (sqlite:FILE)");
    struct kith_error err = {0};
    if (store_migrate_store(src, dst, progress_line, NULL, &err) < 0)
        return cmd_fail(&err);
    fprintf(stderr, "kith: copied %s into PostgreSQL\n", src);
    return CMD_OK;
}
