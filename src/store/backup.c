/*
 * backup.c - store_backup() and store_restore(): SQLite's online backup API into a temporary
 * file beside the destination, fsync'd and renamed into place, so that the final name only ever
 * holds a complete database. docs/storage.md ("Backup and restore") explains how to use them and
 * what a restore does to a running server.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/banned.h"

/* Pages per sqlite3_backup_step(): 512 pages of 4 KiB are 2 MiB, a few ms of copying. */
#define BACKUP_STEP_PAGES 512
/* A step that finds the source locked waits this long in all before the copy gives up. */
#define BACKUP_BUSY_MAX_MS   30000
#define BACKUP_BUSY_SLEEP_MS 10

/* A path with a suffix ("-wal") fits in this; longer paths fail in the system calls anyway. */
#define BACKUP_PATH_MAX (PATH_MAX + 16)

static int run(sqlite3 *db, const char *sql, struct kith_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        kith_err(err, KITH_EDB, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return KITH_EDB;
    }
    return 0;
}

static int sys_err(struct kith_error *err, const char *what, const char *path)
{
    return kith_err(err, KITH_EIO, "%s %s: %s", what, path, strerror(errno));
}

/* True when a and b name the same existing file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && *a && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/*
 * Removes the files SQLite keeps beside the database path: a stale WAL or hot journal next to
 * a file renamed into place would be replayed into it. Missing files are fine.
 */
static void remove_companions(const char *path)
{
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    char side[BACKUP_PATH_MAX];
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        int n = snprintf(side, sizeof(side), "%s%s", path, suffixes[i]);
        if (n > 0 && (size_t)n < sizeof(side))
            unlink(side);
    }
}

/* Creates "<beside>.tmp-XXXXXX" (mode 0600, empty); on success *out is the caller's (free()). */
static int make_temp(const char *beside, char **out, struct kith_error *err)
{
    size_t n = strlen(beside) + sizeof(".tmp-XXXXXX");
    char *path = malloc(n);
    if (!path)
        return kith_err(err, KITH_ENOMEM, "out of memory");
    snprintf(path, n, "%s.tmp-XXXXXX", beside);
    int fd = mkstemp(path);
    if (fd < 0) {
        int rc = sys_err(err, "cannot create a temporary file beside", beside);
        free(path);
        return rc;
    }
    close(fd);
    *out = path;
    return 0;
}

/* Removes a temporary copy and its companions, and frees its path. NULL is a no-op. */
static void drop_temp(char *path)
{
    if (!path)
        return;
    unlink(path);
    remove_companions(path);
    free(path);
}

static int fsync_file(const char *path, int flags, struct kith_error *err)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return sys_err(err, "cannot open", path);
    int rc = 0;
    if (fsync(fd) != 0)
        rc = sys_err(err, "cannot flush", path);
    close(fd);
    return rc;
}

/*
 * Renames the complete, fsync'd tmp over dest after removing dest's stale companions, then
 * flushes the directory so that the rename itself survives a power loss.
 */
static int install(const char *tmp, const char *dest, struct kith_error *err)
{
    int rc = fsync_file(tmp, O_RDONLY, err);
    if (rc < 0)
        return rc;
    remove_companions(dest);
    if (rename(tmp, dest) != 0)
        return sys_err(err, "cannot rename the copy to", dest);
    char dir[BACKUP_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", dest);
    return fsync_file(dirname(dir), O_RDONLY | O_DIRECTORY, err);
}

/*
 * Copies the main database of src into the empty file at path, BACKUP_STEP_PAGES at a time,
 * reporting bytes to progress. On success *out is the open destination, the caller's to close.
 */
static int copy_pages(sqlite3 *src, const char *path, store_progress_fn progress, void *ctx,
                      sqlite3 **out, struct kith_error *err)
{
    *out = NULL;
    sqlite3 *dest = NULL;
    int rc = sqlite3_open_v2(path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "cannot open %s: %s", path,
                      dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
        goto out_close;
    }
    sqlite3_extended_result_codes(dest, 1);
    int64_t page_size = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(src, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            page_size = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", src, "main");
    if (!b) {
        rc = kith_err(err, KITH_EDB, "cannot start the copy: %s", sqlite3_errmsg(dest));
        goto out_close;
    }
    int busy_ms = 0, step;
    while ((step = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) != SQLITE_DONE) {
        int primary = step & 0xff;
        if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
            if (busy_ms >= BACKUP_BUSY_MAX_MS)
                break;
            sqlite3_sleep(BACKUP_BUSY_SLEEP_MS);
            busy_ms += BACKUP_BUSY_SLEEP_MS;
            continue;
        }
        if (step != SQLITE_OK)
            break;
        busy_ms = 0;
        if (progress) {
            int total = sqlite3_backup_pagecount(b), left = sqlite3_backup_remaining(b);
            progress(ctx, (uint64_t)(total - left) * (uint64_t)page_size,
                     (uint64_t)total * (uint64_t)page_size);
        }
    }
    if (step == SQLITE_DONE && progress) {
        uint64_t bytes = (uint64_t)sqlite3_backup_pagecount(b) * (uint64_t)page_size;
        progress(ctx, bytes, bytes);
    }
    sqlite3_backup_finish(b);
    if (step != SQLITE_DONE) {
        if ((step & 0xff) == SQLITE_BUSY || (step & 0xff) == SQLITE_LOCKED)
            rc = kith_err(err, KITH_EDB, "copying the database: it stayed locked for %d s",
                          BACKUP_BUSY_MAX_MS / 1000);
        else
            rc = kith_err(err, KITH_EDB, "copying the database: %s", sqlite3_errstr(step));
        goto out_close;
    }
    *out = dest;
    return 0;

out_close:
    sqlite3_close(dest);
    return rc;
}

int store_backup(struct store *s, const char *dest_path, store_progress_fn progress, void *ctx,
                 struct kith_error *err)
{
    sqlite3 *db = s->db;
    if (!sqlite3_get_autocommit(db))
        return kith_err(err, KITH_EINVAL, "a backup cannot start inside a transaction");
    if (same_file(sqlite3_db_filename(db, "main"), dest_path))
        return kith_err(err, KITH_EINVAL,
                        "%s is the database itself; give the backup another file name", dest_path);
    struct stat st;
    if (stat(dest_path, &st) == 0 && !S_ISREG(st.st_mode))
        return kith_err(err, KITH_EINVAL, "%s exists and is not a regular file", dest_path);

    /*
     * In WAL mode one read transaction across every step gives the copy a single snapshot, and
     * writers (which append to the WAL) never wait for it. Without it, each step would see the
     * latest commit and a write between two steps would restart the copy from the first page,
     * forever under a steady stream of writes. In rollback-journal mode (only during a bulk
     * import, store_bulk_begin()) a reader would block the importer's commit, so there each
     * step takes its own short read lock and a commit restarts the copy once.
     */
    bool snapshot = false;
    sqlite3_stmt *mode;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &mode, NULL) == SQLITE_OK) {
        const char *m =
            sqlite3_step(mode) == SQLITE_ROW ? (const char *)sqlite3_column_text(mode, 0) : NULL;
        snapshot = m && strcmp(m, "wal") == 0;
        sqlite3_finalize(mode);
    }
    int rc;
    if (snapshot && (rc = run(db, "BEGIN; SELECT count(*) FROM sqlite_schema", err)) < 0) {
        store_rollback(s);
        return kith_err_prefix(err, "starting the backup");
    }

    char *tmp = NULL;
    sqlite3 *dest = NULL;
    if ((rc = make_temp(dest_path, &tmp, err)) < 0)
        goto out_end_read;
    rc = copy_pages(db, tmp, progress, ctx, &dest, err);
    if (snapshot)
        store_rollback(s); /* the snapshot is copied: let checkpoints go on */
    snapshot = false;
    if (rc < 0)
        goto out_drop;
    /* One self-contained file: no -wal needed to read it, nothing to copy but the file. */
    if ((rc = run(dest, "PRAGMA journal_mode=DELETE", err)) < 0) {
        kith_err_prefix(err, "finishing %s", tmp);
        goto out_drop;
    }
    if (sqlite3_close(dest) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "closing %s: %s", tmp, sqlite3_errmsg(dest));
        goto out_drop;
    }
    dest = NULL;
    if ((rc = install(tmp, dest_path, err)) < 0)
        goto out_drop;
    free(tmp);
    return 0;

out_drop:
    sqlite3_close(dest);
    drop_temp(tmp);
out_end_read:
    if (snapshot)
        store_rollback(s);
    return rc;
}

/*
 * The checks of a restore's source: a kith database (schema version 1 or more) that this
 * binary knows, and intact. db is open read-only on path.
 */
static int check_source(sqlite3 *db, const char *path, struct kith_error *err)
{
    sqlite3_stmt *st;
    int version = 0, rc;
    bool read = false;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if ((read = sqlite3_step(st) == SQLITE_ROW))
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (!read)
        return kith_err(err, KITH_EINVAL, "%s is not a kith database: %s", path,
                        sqlite3_errmsg(db));
    if (version <= 0)
        return kith_err(err, KITH_EINVAL, "%s is not a kith database (it has no kith schema)",
                        path);
    if ((rc = store_check_version(path, version, err)) < 0)
        return rc;

    /* The first problem integrity_check finds is enough to refuse the file. */
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK)
        return kith_err(err, KITH_EINVAL, "%s is damaged: %s", path, sqlite3_errmsg(db));
    const char *verdict =
        sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (!verdict)
        rc = kith_err(err, KITH_EINVAL, "%s is damaged: %s", path, sqlite3_errmsg(db));
    else if (strcmp(verdict, "ok") != 0)
        rc = kith_err(err, KITH_EINVAL, "%s is damaged (integrity check: %s)", path, verdict);
    else
        rc = 0;
    sqlite3_finalize(st);
    return rc;
}

/*
 * Takes an exclusive lock on the existing database at path, held until *lock is closed, or
 * KITH_ECONFLICT when another connection has it open. A WAL database is locked as a whole only
 * in exclusive locking mode; every connection of another process (kith serve) holds a shared
 * lock on the file for as long as it is open, which is what makes the check possible. A file
 * that is not a database at all cannot be in use by kith: *lock stays NULL and the restore may
 * replace it.
 */
static int lock_target(const char *path, sqlite3 **lock, struct kith_error *err)
{
    *lock = NULL;
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    /*
     * Its WAL stays where it is when this connection closes: by then the path names the
     * restored database, whose -wal a later connection may have created.
     */
    int persist = 1;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    sqlite3_busy_timeout(db, 0);
    rc = sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        *lock = db;
        return 0;
    }
    int primary = sqlite3_errcode(db) & 0xff;
    sqlite3_close(db);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return kith_err(err, KITH_ECONFLICT,
                        "database %s is in use by another process (is kith serve running?);"
                        " stop it, then restore",
                        path);
    return 0;
}

int store_restore(const char *src_path, const char *db_path, store_progress_fn progress, void *ctx,
                  struct kith_error *err)
{
    struct stat st;
    if (stat(src_path, &st) != 0)
        return errno == ENOENT ? kith_err(err, KITH_ENOTFOUND, "no such file: %s", src_path)
                               : sys_err(err, "cannot read", src_path);
    if (!S_ISREG(st.st_mode))
        return kith_err(err, KITH_EINVAL, "%s is not a regular file", src_path);
    if (same_file(src_path, db_path))
        return kith_err(err, KITH_EINVAL, "%s is the database itself", src_path);
    bool replacing = stat(db_path, &st) == 0;
    if (replacing && !S_ISREG(st.st_mode))
        return kith_err(err, KITH_EINVAL, "%s exists and is not a regular file", db_path);
    mode_t target_mode = replacing ? (st.st_mode & 07777) : 0600;

    sqlite3 *src = NULL, *lock = NULL, *dest = NULL;
    char *tmp = NULL;
    struct store *copy = NULL;
    int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "cannot open %s: %s", src_path,
                      src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        goto out_close;
    }
    sqlite3_extended_result_codes(src, 1);
    sqlite3_busy_timeout(src, 5000);
    if ((rc = check_source(src, src_path, err)) < 0)
        goto out_close;
    if ((rc = lock_target(db_path, &lock, err)) < 0)
        goto out_close;
    if ((rc = make_temp(db_path, &tmp, err)) < 0)
        goto out_close;
    /* The restored database keeps the permissions of the one it replaces (0600 when new). */
    if (chmod(tmp, target_mode) != 0) {
        rc = sys_err(err, "cannot set the permissions of", tmp);
        goto out_drop;
    }
    if ((rc = copy_pages(src, tmp, progress, ctx, &dest, err)) < 0)
        goto out_drop;
    sqlite3_close(src);
    src = NULL;
    if (sqlite3_close(dest) != SQLITE_OK) {
        rc = kith_err(err, KITH_EDB, "closing %s: %s", tmp, sqlite3_errmsg(dest));
        goto out_drop;
    }
    dest = NULL;
    /*
     * store_open() migrates an older backup and puts the copy in WAL mode, as kith runs it; the
     * checkpoint brings everything into the main file, the only one that is renamed.
     */
    if ((rc = store_open(tmp, 0, &copy, err)) < 0)
        goto out_drop;
    rc = store_checkpoint(copy, err);
    store_close(copy);
    if (rc < 0)
        goto out_drop;
    remove_companions(tmp);
    if ((rc = install(tmp, db_path, err)) < 0)
        goto out_drop;
    free(tmp);
    sqlite3_close(lock);
    return 0;

out_drop:
    sqlite3_close(dest);
    drop_temp(tmp);
out_close:
    sqlite3_close(src);
    sqlite3_close(lock);
    return rc;
}
