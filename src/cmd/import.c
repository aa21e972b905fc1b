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
    "usage: kith import [--db PATH] [--map SRC=FIELD[|fn...]]... [--set FIELD=VALUE]...\n"
    "                   [--create-missing TABLE[,TABLE]] [--rejects FILE] [--upsert]\n"
    "                   [--round half-even] [--amount-from-lines]\n"
    "                   [--ignore-unknown] [--dry-run] [TABLE] FILE\n\n"
    "Loads the CSV FILE ('-' for standard input) into TABLE in one transaction: when any row\n"
    "is wrong nothing is written, and the first 20 errors are shown as file:line:column.\n"
    "Without TABLE, the file's name says it (contacts.csv -> contacts).\n\n"
    "Tables: units, teams, users, accounts, contacts, interaction_types, interactions,\n"
    "products, deal_stages, deals, deal_lines, orders, order_lines, events. The header\n"
    "names the columns: the table's fields, and for a reference X_id also X_KEY for a text\n"
    "field KEY of the referenced table (contact_email, owner_email, owner_name, stage_name,\n"
    "product_name...); a key that names several rows is an error. A deals file may give each\n"
    "deal a line: product_id, product_sku or product_name, and quantity (default 1).\n"
    "'kith export --columns TABLE' lists them; docs/import-export.md explains the formats.\n\n"
    "  --map SRC=FIELD   read the column headed SRC as FIELD (repeatable; one SRC may feed\n"
    "                    several fields); functions after '|' transform the value, left to\n"
    "                    right: trim, lower, upper, slug, scale(K), date(FORMAT),\n"
    "                    replace(FROM,TO), prefix(S), suffix(S), default(S). Example:\n"
    "                    --map 'revenue=annual_revenue|scale(1000000)'\n"
    "  --set FIELD=VALUE give every row the constant VALUE (--set currency=USD)\n"
    "  --create-missing TABLE  create a row of TABLE that a key names and that does not\n"
    "                    exist (its other fields from --map SRC=TABLE.FIELD, --set\n"
    "                    TABLE.FIELD=VALUE); a later row of the file with its key fills it\n"
    "  --rejects FILE    write rows whose reference is missing or names nothing to FILE\n"
    "                    (CSV, with the reason) instead of failing the import\n"
    "  --upsert          a row whose natural key (external_id, email, sku, name...) names an\n"
    "                    existing row updates it; an identical row changes nothing\n"
    "  --round half-even round amounts with more decimals than the currency has, half to\n"
    "                    even, and say how many (without it they are errors)\n"
    "  --amount-from-lines  an orders file of lines (product, quantity, unit_price): rows of\n"
    "                    one external_id are one order, its amount the sum of its lines (the\n"
    "                    default when the file has unit_price and no amount)\n"
    "  --ignore-unknown  skip columns that match nothing instead of failing\n"
    "  --dry-run         check everything, write nothing; also reports suspicious values\n"
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

/* What came of the rows, after the count: ", 3 updated, 5 unchanged, 2 rejected (to FILE)". */
static void print_outcome(const struct table_def *t, const struct import_report *rep,
                          const struct import_options *opt, const char *rejects_path)
{
    if (rep->updated || rep->unchanged)
        printf("  %" PRIu64 " added, %" PRIu64 " updated, %" PRIu64 " unchanged\n", rep->inserted,
               rep->updated, rep->unchanged);
    if (rep->created)
        printf("  %" PRIu64 " missing row%s created (--create-missing)\n", rep->created,
               rep->created == 1 ? "" : "s");
    if (rep->lines)
        printf("  %" PRIu64 " %s line%s\n", rep->lines, t->singular, rep->lines == 1 ? "" : "s");
    if (rep->grouped)
        printf("  %" PRIu64 " row%s added a line to the order of an earlier row\n", rep->grouped,
               rep->grouped == 1 ? "" : "s");
    if (opt->round_half_even)
        printf("  %" PRIu64 " amount%s rounded to the currency's minor unit (half to even)\n",
               rep->rounded, rep->rounded == 1 ? "" : "s");
    if (opt->rejects)
        printf("  %" PRIu64 " row%s rejected, written to %s\n", rep->rejected,
               rep->rejected == 1 ? "" : "s", rejects_path);
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
               const struct import_options *base, const char *rejects_path)
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
    if (rejects_path && !(opt.rejects = fopen(rejects_path, "w"))) {
        fprintf(stderr, "kith: cannot write %s: %m\n", rejects_path);
        store_close(s);
        if (!use_stdin)
            fclose(in);
        return CMD_FAIL;
    }
    struct import_report *rep = malloc(sizeof(*rep));
    struct kith_error err = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc =
        rep ? import_csv(s, t, in, &opt, rep, &err) : kith_err(&err, KITH_ENOMEM, "out of memory");
    double secs = seconds_since(&t0);
    int status = CMD_OK;
    for (size_t i = 0; rep && i < rep->nwarnings; i++)
        fprintf(stderr, "warning: %s\n", rep->warnings[i]);
    if (opt.rejects && fclose(opt.rejects) != 0 && rc == 0)
        rc = kith_err(&err, KITH_EIO, "writing %s failed", rejects_path);
    if (rc < 0 && opt.rejects && !opt.dry_run)
        remove(rejects_path);
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
        print_outcome(t, rep, &opt, rejects_path);
    } else {
        printf("%s: %" PRIu64 " rows imported in %.2f s (%.0f rows/s)\n", t->name, rep->rows, secs,
               secs > 0 ? (double)rep->rows / secs : 0.0);
        print_outcome(t, rep, &opt, rejects_path);
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
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"map", required_argument, NULL, 'm'},
                                         {"set", required_argument, NULL, 's'},
                                         {"create-missing", required_argument, NULL, 'c'},
                                         {"rejects", required_argument, NULL, 'r'},
                                         {"upsert", no_argument, NULL, 'u'},
                                         {"round", required_argument, NULL, 'R'},
                                         {"amount-from-lines", no_argument, NULL, 'A'},
                                         {"ignore-unknown", no_argument, NULL, 'i'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = NULL, *rejects_path = NULL;
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
        case 'm':
        case 's': {
            /* argv strings are ours to change: import_map_parse cuts them in place. */
            struct kith_error e;
            if (opt.nmaps == MAX_MAPS) {
                status =
                    cmd_usage_error("import", "more than %d --map and --set options", MAX_MAPS);
                goto out;
            }
            char shown[200];
            snprintf(shown, sizeof(shown), "%s", optarg);
            if (import_map_parse(optarg, c == 's', &maps[opt.nmaps], &e) < 0) {
                status = cmd_usage_error("import", "--%s '%s': %s", c == 's' ? "set" : "map", shown,
                                         e.msg);
                goto out;
            }
            opt.nmaps++;
            break;
        }
        case 'c':
            for (char *save = NULL, *name = strtok_r(optarg, ",", &save); name;
                 name = strtok_r(NULL, ",", &save)) {
                const struct table_def *ct = model_table(name);
                if (!ct || !ct->importable || !ct->natural_keys[0]) {
                    status = cmd_usage_error("import",
                                             "--create-missing %s: not a table whose rows a key"
                                             " names",
                                             name);
                    goto out;
                }
                if (opt.ncreate == IMPORT_MAX_CREATE) {
                    status = cmd_usage_error("import", "--create-missing: more than %d tables",
                                             IMPORT_MAX_CREATE);
                    goto out;
                }
                opt.create[opt.ncreate++] = ct;
            }
            break;
        case 'r':
            rejects_path = optarg;
            break;
        case 'u':
            opt.upsert = true;
            break;
        case 'A':
            opt.amount_from_lines = true;
            break;
        case 'R':
            if (strcmp(optarg, "half-even") != 0) {
                status = cmd_usage_error("import", "--round: the one rule is half-even, got '%s'",
                                         optarg);
                goto out;
            }
            opt.round_half_even = true;
            break;
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
    if (rejects_path && strcmp(rejects_path, path) == 0)
        return cmd_usage_error("import", "--rejects would overwrite the file being imported");
    status = run(db, t, path, &opt, rejects_path);
out:
    return status;
}
