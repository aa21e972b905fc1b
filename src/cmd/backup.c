/*
 * backup.c - kith backup: an online, consistent copy of the database into one file, taken while
 * kith serve goes on reading and writing (the copy itself is store_backup() in store/backup.c).
 */
#include <stdio.h>

#include "cmd/cmd.h"

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

int cmd_backup(int argc, char **argv)
{
    const char *db, *file;
    int rc = cmd_db_file_args("backup", usage, argc, argv, &db, &file);
    if (rc >= 0)
        return rc;
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct cmd_copy_progress p;
    cmd_copy_progress_init(&p, "backup");
    struct kith_error err = {0};
    rc = store_backup(s, file, cmd_copy_progress_update, &p, &err);
    cmd_copy_progress_finish(&p);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    printf("%s: backup of %s, %.1f MiB\n", file, cmd_db_path(db), (double)p.bytes / 1048576.0);
    return CMD_OK;
}
