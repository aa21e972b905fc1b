/*
 * cmd.h - the subcommands of kith and what they share.
 *
 * How to add a command: write src/cmd/<name>.c with int cmd_<name>(int argc, char **argv),
 * whose argv[0] is the command name; handle --help there by printing its usage to stdout;
 * declare it below and add a row to the table in src/kith.c. Exit codes: CMD_OK on success,
 * CMD_FAIL on a runtime error, CMD_USAGE on a usage error.
 */
#ifndef KITH_CMD_CMD_H
#define KITH_CMD_CMD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/param.h"
#include "store/store.h"
#include "util/progress.h"

enum { CMD_OK = 0, CMD_FAIL = 1, CMD_USAGE = 2 };

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_migrate_store(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_value(int argc, char **argv);
int cmd_rv(int argc, char **argv);
int cmd_deals(int argc, char **argv);
int cmd_voice(int argc, char **argv);
int cmd_voice_feeds(int argc, char **argv); /* kith voice feeds (argv[0] "feeds") */
/* kith voice send (voice_send.c); argv[0] is "send" */
int cmd_voice_send(int argc, char **argv);
int cmd_v2t2(int argc, char **argv);
int cmd_v2t2_settings(int argc, char **argv); /* kith v2t2 settings (argv[0] "settings") */
int cmd_privacy(int argc, char **argv);
int cmd_portal(int argc, char **argv);
int cmd_dsr(int argc, char **argv);
int cmd_consent(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);

struct cmd_entry {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/* The command table (src/kith.c), terminated by a row with a NULL name. */
extern const struct cmd_entry kith_commands[];

/* The database path: the --db option if given, else $KITH_DB, else "./kith.db". */
const char *cmd_db_path(const char *opt);

/*
 * Opens the store at cmd_db_path(db_opt); on failure prints "kith: <message>" to stderr and
 * returns NULL. The caller closes the store. A PostgreSQL URL is refused with "not yet available
 * on PostgreSQL: <command>" unless flags has STORE_PG_READY: only commands whose store calls all
 * run on db.h pass it (kith init, kith user add and list, kith export; docs/storage.md).
 */
struct store *cmd_open_store(const char *db_opt, int flags);

/* Remembers the command line (argv[0] the command, argv[1] its action when it has one) for
 * cmd_open_store's message. */
void cmd_set_invocation(int argc, char **argv);

/* Prints "kith <cmd>: <message>" and a pointer to --help on stderr; returns CMD_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "kith: <message>" on stderr; returns CMD_FAIL. */
int cmd_fail(const struct kith_error *err);

/* True if arg is -h or --help. */
bool cmd_is_help(const char *arg);

/*
 * The CLI's door to an analysis (analysis/param.h): parses argv[1..argc) (argv[0] is the
 * analysis name) into params, defaults first, through the family's table. Positional arguments
 * go to pos (at most maxpos, *npos of them). Returns true when the caller should run the
 * analysis; false with *exit_code set when it printed the help (CMD_OK) or a usage error
 * (CMD_USAGE).
 */
bool cmd_analysis_args(const struct analysis_family *f, const struct analysis_def *def, int argc,
                       char **argv, void *params, const char **pos, size_t maxpos, size_t *npos,
                       int *exit_code);

/*
 * The arguments of a command that takes [--db PATH] FILE (backup, restore): fills *db (NULL when
 * not given) and *file. Returns -1 when the caller should go on, else the exit code after
 * printing usage (--help: CMD_OK) or a usage error (CMD_USAGE).
 */
int cmd_db_file_args(const char *cmd, const char *usage, int argc, char **argv, const char **db,
                     const char **file);

/* A progress bar in MiB for a copy of a database (store_progress_fn's ctx). */
struct cmd_copy_progress {
    struct progress bar;
    uint64_t bytes; /* copied so far */
};
void cmd_copy_progress_init(struct cmd_copy_progress *p, const char *label);
void cmd_copy_progress_update(void *ctx, uint64_t done, uint64_t total);
void cmd_copy_progress_finish(struct cmd_copy_progress *p);

/*
 * Prints j (consumed; NULL means it could not be built) on stdout as the API sends it: compact,
 * 15 significant digits, then a newline. CMD_OK, or CMD_FAIL after saying why.
 */
int cmd_print_json(json_t *j);

/* Writes "usage: kith <family> <analysis> [options]", the summary and the options of def. */
void cmd_analysis_help(const struct analysis_family *f, const struct analysis_def *def, FILE *out);

/*
 * Reports a failed run of analysis def: when param (a parameter's table name) is at fault, a
 * usage error that names its option ("--where: <message>") and CMD_USAGE; otherwise cmd_fail().
 */
int cmd_analysis_fail(const struct analysis_family *f, const struct analysis_def *def,
                      const char *param, const struct kith_error *err);

/* Writes the list of a family's analyses, one per line with its summary, to out. */
void cmd_analysis_list(const struct analysis_family *f, FILE *out);

#endif
