/*
 * import.c - kith import: load a CSV file into one table, all or nothing (the logic is in
 * io/import.c; this file reads the options and prints the outcome).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis/rv_levels.h"
#include "analysis/voice_community.h"
#include "cmd/cmd.h"
#include "io/import.h"
#include "util/progress.h"

#include "util/banned.h"

#define MAX_MAPS 256

static const char usage[] =
    "usage: kith import [--db PATH] [--map SRC=DST]... [--ignore-unknown] [--dry-run]\n"
    "                   [TABLE] FILE\n\n"
    "Loads the CSV FILE ('-' for standard input) into TABLE in one transaction: when any row\n"
    "is wrong nothing is written, and the first 20 errors are shown as file:line:column.\n"
    "Without TABLE, the file's name says it (contacts.csv -> contacts).\n\n"
    "Tables: units, teams, users, accounts, contacts, interaction_types, interactions,\n"
    "products, deal_stages, deals, deal_lines, orders, order_lines, events. The header\n"
    "names the columns: the table's fields, and for a reference X_id also X_<natural key>\n"
    "(contact_email, type_code, owner_email, stage_name...).\n"
    "'kith export --columns TABLE' lists them; docs/import-export.md explains the formats.\n\n"
    "  --map SRC=DST     read the column headed SRC as DST (repeatable)\n"
    "  --ignore-unknown  skip columns that match nothing instead of failing\n"
    "  --dry-run         check everything, write nothing\n"
    "  --db PATH         the database (default: $KITH_DB, else ./kith.db)\n";

/* "data/contacts.csv" -> "contacts" into out. */
static void table_from_file(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    snprintf(out, cap, "%.*s", (int)n, base);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * A contact's level and stage are derived from its interactions (analysis/rv_levels.h): after
 * contacts, interactions or the catalogue are imported, the stored copies are brought in line,
 * replacing whatever the file said.
 */
static int refresh_community(struct store *s, const struct table_def *t);

static int refresh_levels(struct store *s, const struct table_def *t)
{
    if (refresh_community(s, t) != CMD_OK)
        return CMD_FAIL;
    if (strcmp(t->name, "contacts") != 0 && strcmp(t->name, "interactions") != 0 &&
        strcmp(t->name, "interaction_types") != 0)
        return CMD_OK;
    struct kith_error err = {0};
    size_t changed = 0;
    if (rv_levels_refresh(s, 2, &changed, &err) < 0) {
        fprintf(stderr,
                "kith import: the rows are imported, but the contacts' levels and stages could "
                "not be derived from their interactions: %s\n",
                err.msg);
        return CMD_FAIL;
    }
    if (changed)
        printf("contacts: level and stage of %zu contact%s derived from their interactions\n",
               changed, changed == 1 ? "" : "s");
    return CMD_OK;
}

/*
 * A contact's community role is derived from its ideas, votes, reviews and referrals
 * (analysis/voice_community.h): after contacts or events are imported, the stored roles (and
 * the ratings' verified flags) are brought in line, replacing whatever the file said.
 */
static int refresh_community(struct store *s, const struct table_def *t)
{
    if (strcmp(t->name, "contacts") != 0 && strcmp(t->name, "events") != 0 &&
        strcmp(t->name, "orders") != 0 && strcmp(t->name, "order_lines") != 0)
        return CMD_OK;
    struct kith_error err = {0};
    size_t changed = 0;
    if (voice_community_refresh(s, 0, voice_community_now(), &changed, &err) < 0) {
        fprintf(stderr,
                "kith import: the rows are imported, but the contacts' community roles could "
                "not be derived: %s\n",
                err.msg);
        return CMD_FAIL;
    }
    if (changed)
        printf("contacts: community role of %zu contact%s derived from their engagement\n", changed,
               changed == 1 ? "" : "s");
    return CMD_OK;
}

static int run(const char *db, const struct table_def *t, const char *path,
               const struct import_options *base)
{
    bool use_stdin = strcmp(path, "-") == 0;
    FILE *in = use_stdin ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "kith: cannot open %s: %m\n", path);
        return CMD_FAIL;
    }
    struct store *s = cmd_open_store(db, 0);
    if (!s) {
        if (!use_stdin)
            fclose(in);
        return CMD_FAIL;
    }
    struct stat st;
    uint64_t size = fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    struct progress progress;
    progress_init(&progress, stderr, t->name, size);
    struct import_options opt = *base;
    opt.name = use_stdin ? "stdin" : path;
    opt.progress = &progress;
    struct import_report *rep = malloc(sizeof(*rep));
    struct kith_error err = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc =
        rep ? import_csv(s, t, in, &opt, rep, &err) : kith_err(&err, KITH_ENOMEM, "out of memory");
    double secs = seconds_since(&t0);
    int status = CMD_OK;
    if (rc < 0) {
        for (size_t i = 0; rep && i < rep->nshown; i++)
            fprintf(stderr, "%s\n", rep->shown[i]);
        if (rep && rep->nerrors > rep->nshown)
            fprintf(stderr, "... and %" PRIu64 " more error%s\n", rep->nerrors - rep->nshown,
                    rep->nerrors - rep->nshown == 1 ? "" : "s");
        status = cmd_fail(&err);
    } else if (opt.dry_run) {
        printf("%s: %" PRIu64 " rows checked, no errors (dry run: nothing written)\n", t->name,
               rep->rows);
    } else {
        printf("%s: %" PRIu64 " rows imported in %.2f s (%.0f rows/s)\n", t->name, rep->rows, secs,
               secs > 0 ? (double)rep->rows / secs : 0.0);
        status = refresh_levels(s, t);
    }
    free(rep);
    store_close(s);
    if (!use_stdin)
        fclose(in);
    return status;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"map", required_argument, NULL, 'm'},
        {"ignore-unknown", no_argument, NULL, 'i'}, {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},           {0}};
    const char *db = NULL;
    struct import_map maps[MAX_MAPS];
    struct import_options opt = {.maps = maps};
    int c, status = CMD_OK;
    optind = 0;
    /* Options may follow the arguments ("kith export contacts --format jsonl"). */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'm': {
            /* "SRC=DST": SRC is cut in place; argv strings are ours to change. */
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) {
                status = cmd_usage_error("import", "--map wants SRC=DST, got '%s'", optarg);
                goto out;
            }
            if (opt.nmaps == MAX_MAPS) {
                status = cmd_usage_error("import", "more than %d --map options", MAX_MAPS);
                goto out;
            }
            *eq = '\0';
            maps[opt.nmaps++] = (struct import_map){optarg, eq + 1};
            break;
        }
        case 'i':
            opt.ignore_unknown = true;
            break;
        case 'n':
            opt.dry_run = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("import", "unknown option");
        }
    }
    int npos = argc - optind;
    if (npos < 1 || npos > 2)
        return cmd_usage_error("import", npos < 1 ? "missing FILE" : "too many arguments");
    const char *path = argv[argc - 1];
    char inferred[64];
    const char *table = npos == 2 ? argv[optind] : inferred;
    if (npos == 1) {
        if (strcmp(path, "-") == 0)
            return cmd_usage_error("import", "give TABLE when reading standard input");
        table_from_file(path, inferred, sizeof(inferred));
    }
    const struct table_def *t = model_table(table);
    if (!t || !t->importable)
        return cmd_usage_error("import", "'%s' is not a table that can be imported", table);
    status = run(db, t, path, &opt);
out:
    return status;
}
