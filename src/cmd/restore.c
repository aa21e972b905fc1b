/*
 * restore.c - kith restore: replace the database with a backup, after checking the backup
 * (store_restore() in store/backup.c does the checks and the atomic replacement).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "util/progress.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith restore [--db PATH] FILE\n\n"
    "Replaces the database with the backup FILE (made by 'kith backup'). FILE is checked\n"
    "first and never changed: it must pass SQLite's integrity check and have a schema version\n"
    "this kith knows (an older one is upgraded in the restored copy). The database is then\n"
    "replaced in one step: it is either the old one or the whole backup, never a mix. Stop\n"
    "kith serve first: while a process has the database open the restore is refused. A\n"
    "database that does not exist yet is created. A progress bar shows on a terminal for\n"
    "long copies.\n\n"
    "  --db PATH  the database to replace (default: $KITH_DB, else ./kith.db)\n";

struct copy_progress {
    struct progress bar;
    uint64_t bytes;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct copy_progress *p = ctx;
    p->bar.total_bytes = total;
    p->bytes = done;
    progress_update(&p->bar, done >> 20, done);
}

int cmd_restore(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *db = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("restore", "unknown option");
        }
    }
    if (optind >= argc)
        return cmd_usage_error("restore", "missing FILE");
    if (argc - optind > 1)
        return cmd_usage_error("restore", "unexpected argument '%s'", argv[optind + 1]);
    const char *file = argv[optind], *path = cmd_db_path(db);

    struct copy_progress p = {0};
    progress_init(&p.bar, stderr, "restore", 0);
    p.bar.unit = "MiB";
    p.bar.check_every = 1; /* one update per step of many pages */
    struct kith_error err = {0};
    int rc = store_restore(file, path, on_progress, &p, &err);
    progress_finish(&p.bar, p.bytes >> 20, p.bytes);
    if (rc < 0)
        return cmd_fail(&err);
    printf("%s: restored from %s, %.1f MiB\n", path, file, (double)p.bytes / 1048576.0);
    return CMD_OK;
}
