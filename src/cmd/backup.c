/*
 * backup.c - kith backup: an online, consistent copy of the database into one file, taken while
 * kith serve goes on reading and writing (the copy itself is store_backup() in store/backup.c).
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "util/progress.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith backup [--db PATH] FILE\n\n"
    "Copies the database to FILE while it is in use: kith serve and other commands go on\n"
    "reading and writing, and the copy holds every write committed before the backup started.\n"
    "FILE is written under a temporary name beside it and renamed into place only when it is\n"
    "complete and on disk, so FILE is never a partial backup; an existing FILE is replaced.\n"
    "The backup is one self-contained SQLite file, readable only by its owner; 'kith restore'\n"
    "puts it back. A progress bar shows on a terminal for long copies.\n\n"
    "  --db PATH  the database (default: $KITH_DB, else ./kith.db)\n";

/* The progress bar of a copy, in MiB. */
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

int cmd_backup(int argc, char **argv)
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
            return cmd_usage_error("backup", "unknown option");
        }
    }
    if (optind >= argc)
        return cmd_usage_error("backup", "missing FILE");
    if (argc - optind > 1)
        return cmd_usage_error("backup", "unexpected argument '%s'", argv[optind + 1]);
    const char *file = argv[optind];

    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct copy_progress p = {0};
    progress_init(&p.bar, stderr, "backup", 0);
    p.bar.unit = "MiB";
    p.bar.check_every = 1; /* one update per step of many pages */
    struct kith_error err = {0};
    int rc = store_backup(s, file, on_progress, &p, &err);
    progress_finish(&p.bar, p.bytes >> 20, p.bytes);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    printf("%s: backup of %s, %.1f MiB\n", file, cmd_db_path(db), (double)p.bytes / 1048576.0);
    return CMD_OK;
}
