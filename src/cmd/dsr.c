/*
 * dsr.c - kith dsr: data-subject requests from the command line. `export` writes everything held
 * about one contact (io/dsr_export.h, docs/dsr-export.md) as JSON or as a zip of CSV files;
 * `import` takes such a JSON export into this database as a new contact.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "io/dsr_export.h"
#include "util/num.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith dsr export [--db PATH] [--format json|zip] [--out FILE] CONTACT\n"
    "       kith dsr import [--db PATH] FILE\n\n"
    "export: everything held about CONTACT (an id, an email or an external id) for an access or\n"
    "portability request: its fields, account, interactions with their RV, orders of its\n"
    "account with their lines, events, survey answers and opt-ins, consents, requests, deals,\n"
    "and the company's inferences with what each means. JSON (schema kith.dsr-export/1, the\n"
    "default) or a zip of one CSV per table beside manifest.json; docs/dsr-export.md.\n"
    "import: writes a JSON export into this database as a new contact with new ids; the\n"
    "account, interaction types, products, surveys and deal stages are found by name, code or\n"
    "sku, or created. Staff, units and teams are not carried over. All or nothing.\n\n"
    "  --format json|zip  what export writes (default json)\n"
    "  --out FILE         write FILE instead of standard output\n"
    "  --db PATH          the database (default: $KITH_DB, else ./kith.db)\n";

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The contact named by text: its id, else the contact with that email or external id. */
static int find_contact(struct store *s, const char *text, int64_t *id, struct kith_error *err)
{
    const struct table_def *t = model_table("contacts");
    uint64_t n;
    if (num_uint64(text, 1, INT64_MAX, &n, "contact", NULL) == 0) {
        *id = (int64_t)n;
        return 0;
    }
    if (store_find_id(s, t, "email", text, id, NULL) == 0 ||
        store_find_id(s, t, "external_id", text, id, NULL) == 0)
        return 0;
    return kith_err(err, KITH_ENOTFOUND, "no contact with id, email or external id '%s'", text);
}

static int write_out(const char *path, const void *data, size_t len)
{
    FILE *out = path ? fopen(path, "wb") : stdout;
    if (!out) {
        fprintf(stderr, "kith: cannot write %s: %s\n", path, strerror(errno));
        return CMD_FAIL;
    }
    bool ok = fwrite(data, 1, len, out) == len;
    ok = (path ? fclose(out) : fflush(out)) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "kith: writing %s failed: %s\n", path ? path : "the output",
                strerror(errno));
        if (path)
            unlink(path); /* no half-written export left behind */
        return CMD_FAIL;
    }
    return CMD_OK;
}

static int dsr_export(const char *db, const char *contact, bool zip, const char *path)
{
    struct kith_error err = {0};
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    int64_t id;
    unsigned char *data = NULL;
    char *text = NULL;
    size_t len = 0;
    json_t *doc = NULL;
    int rc = find_contact(s, contact, &id, &err);
    if (rc == 0 && zip) {
        rc = dsr_export_zip(s, id, now_ms(), DSR_FOR_SUBJECT, &data, &len, &err);
    } else if (rc == 0) {
        rc = dsr_export_json(s, id, now_ms(), DSR_FOR_SUBJECT, &doc, &err);
        if (rc == 0 && !(text = json_dumps(doc, JSON_INDENT(2))))
            rc = kith_err(&err, KITH_ENOMEM, "out of memory writing the export");
        len = text ? strlen(text) : 0;
    }
    store_close(s);
    json_decref(doc);
    int code = rc < 0 ? cmd_fail(&err)
                      : write_out(path, zip ? (const void *)data : (const void *)text, len);
    if (code == CMD_OK && !zip && !path)
        putchar('\n');
    free(data);
    free(text);
    return code;
}

static int dsr_import(const char *db, const char *path)
{
    struct kith_error err = {0};
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "kith: cannot read %s: %s\n", path, strerror(errno));
        return CMD_FAIL;
    }
    if (st.st_size > DSR_IMPORT_BYTES_MAX) {
        fprintf(stderr, "kith: %s is larger than %d bytes, more than an export can be\n", path,
                DSR_IMPORT_BYTES_MAX);
        return CMD_FAIL;
    }
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fprintf(stderr, "kith: %s:%d:%d: %s\n", path, jerr.line, jerr.column, jerr.text);
        return CMD_FAIL;
    }
    struct store *s = cmd_open_store(db, 0);
    if (!s) {
        json_decref(doc);
        return CMD_FAIL;
    }
    struct dsr_import_result r;
    int rc = dsr_import_json(s, doc, &r, &err);
    store_close(s);
    json_decref(doc);
    if (rc < 0)
        return cmd_fail(&err);
    printf("imported contact %lld: %zu rows written, %zu found already, %zu skipped\n",
           (long long)r.contact_id, r.inserted, r.matched, r.skipped);
    return CMD_OK;
}

int cmd_dsr(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = NULL, *out = NULL;
    bool zip = false;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "zip") == 0)
                zip = true;
            else if (strcmp(optarg, "json") != 0)
                return cmd_usage_error("dsr", "unknown format '%s': expected json or zip", optarg);
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("dsr", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cmd_usage_error("dsr", "expected 'export CONTACT' or 'import FILE'");
    const char *verb = argv[optind], *arg = argv[optind + 1];
    if (strcmp(verb, "export") == 0)
        return dsr_export(db, arg, zip, out);
    if (strcmp(verb, "import") == 0) {
        if (out || zip)
            return cmd_usage_error("dsr", "import takes no --out nor --format");
        return dsr_import(db, arg);
    }
    return cmd_usage_error("dsr", "unknown subcommand '%s': expected export or import", verb);
}
