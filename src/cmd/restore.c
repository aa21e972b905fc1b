/*
 * restore.c - kith restore: replace the database with a backup, after checking the backup
 * (store_restore() in store/backup.c does the checks and the atomic replacement).
 */
#include <stdio.h>

#include "cmd/cmd.h"

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

int cmd_restore(int argc, char **argv)
{
    const char *db, *file;
    int rc = cmd_db_file_args("restore", usage, argc, argv, &db, &file);
    if (rc >= 0)
        return rc;
    const char *path = cmd_db_path(db);
    struct cmd_copy_progress p;
    cmd_copy_progress_init(&p, "restore");
    struct kith_error err = {0};
    rc = store_restore(file, path, cmd_copy_progress_update, &p, &err);
    cmd_copy_progress_finish(&p);
    if (rc < 0)
        return cmd_fail(&err);
    printf("%s: restored from %s, %.1f MiB\n", path, file, (double)p.bytes / 1048576.0);
    return CMD_OK;
}
