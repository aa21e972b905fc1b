/*
 * export.c - kith export: write a table as CSV or JSON lines (the logic is in io/export.c),
 * or print the column reference of the tables (--columns).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "io/export.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith export [--db PATH] [--format csv|jsonl] [--output FILE] TABLE\n"
    "       kith export --columns [TABLE]\n\n"
    "Writes every row of TABLE in id order to standard output or FILE: CSV with a header row\n"
    "(the default) or JSON lines. Secret fields (password and token hashes) are left out.\n"
    "Times are ISO 8601 UTC with milliseconds, money has 2 decimals, NULL is an empty field\n"
    "in CSV and null in JSON. 'kith import' reads the CSV back to the same rows.\n\n"
    "  --format csv|jsonl  the output format (default csv)\n"
    "  --output FILE       write FILE instead of standard output\n"
    "  --columns           print the columns of TABLE (or of all tables) as Markdown\n"
    "  --db PATH           the database (default: $KITH_DB, else ./kith.db), or a PostgreSQL\n"
    "                      URL (postgresql://...)\n";

static int export_to(const char *db, const struct table_def *t, enum export_format format,
                     const char *output)
{
    struct store *s = cmd_open_store(db, STORE_READONLY | STORE_PG_READY);
    if (!s)
        return CMD_FAIL;
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "kith: cannot write %s: %s\n", output, strerror(errno));
        store_close(s);
        return CMD_FAIL;
    }
    struct kith_error err = {0};
    int rc = export_table(s, t, format, out, NULL, &err);
    if (output && fclose(out) != 0 && rc == 0)
        rc = kith_err(&err, KITH_EIO, "cannot write %s: %s", output, strerror(errno));
    store_close(s);
    if (rc < 0) {
        if (output)
            unlink(output); /* no half-written file left behind */
        return cmd_fail(&err);
    }
    return CMD_OK;
}

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'}, {"columns", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {0}};
    const char *db = NULL, *output = NULL;
    enum export_format format = EXPORT_CSV;
    bool columns = false;
    struct kith_error err = {0};
    int c;
    optind = 0;
    /* Options may follow the arguments ("kith export contacts --format jsonl"). */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (export_format_parse(optarg, &format, &err) < 0)
                return cmd_usage_error("export", "%s", err.msg);
            break;
        case 'o':
            output = optarg;
            break;
        case 'c':
            columns = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("export", "unknown option");
        }
    }
    if (argc - optind > 1)
        return cmd_usage_error("export", "unexpected argument '%s'", argv[optind + 1]);
    const char *table = optind < argc ? argv[optind] : NULL;
    const struct table_def *t = table ? model_table(table) : NULL;
    if (table && (!t || !t->exportable))
        return cmd_usage_error("export", "'%s' is not a table that can be exported", table);
    if (columns)
        return export_write_columns(stdout, t, &err) < 0 ? cmd_fail(&err) : CMD_OK;
    if (!t)
        return cmd_usage_error("export", "missing TABLE");
    return export_to(db, t, format, output);
}
