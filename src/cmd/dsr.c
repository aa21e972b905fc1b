/*
 * dsr.c - kith dsr: data-subject requests from the command line. `file`, `list`, `extend`,
 * `complete`, `reject` and `lift` keep the requests on their clock (api/dsrs.h, model/dsr.h,
 * docs/portal.md); `export` writes everything held about one contact (io/dsr_export.h,
 * docs/dsr-export.md) as JSON or as a zip of CSV files; `import` takes such a JSON export into
 * this database as a new contact.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/dsrs.h"
#include "cmd/cmd.h"
#include "io/dsr_export.h"
#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith dsr file [--db PATH] --kind KIND [--received TIME] [--notes TEXT] CONTACT\n"
    "       kith dsr list [--db PATH] [--status STATUS] [--contact CONTACT] [--json]\n"
    "       kith dsr extend [--db PATH] --months 1|2 --reason TEXT ID\n"
    "       kith dsr complete [--db PATH] [--answer TEXT] ID\n"
    "       kith dsr reject [--db PATH] --reason TEXT ID\n"
    "       kith dsr lift [--db PATH] [--reason TEXT] ID\n"
    "       kith dsr vacuum [--db PATH]\n"
    "       kith dsr export [--db PATH] [--format json|zip] [--out FILE] CONTACT\n"
    "       kith dsr import [--db PATH] FILE\n\n"
    "file: logs a data-subject request of KIND (access, rectification, erasure, restriction,\n"
    "objection, portability) received from CONTACT (now, or at --received, ISO 8601): due one\n"
    "calendar month after receipt (31 January: the last day of February). Access and\n"
    "portability are answered at once with the export. list: the queue by due date, overdue\n"
    "ones marked (--status open: open and extended, the default; or extended, completed,\n"
    "rejected, lifted, all). extend: once, by 1 or 2 months, with a reason. complete: an\n"
    "erasure removes the contact's personal data and keeps its facts anonymous. reject: with\n"
    "a reason. lift: ends a completed restriction. Every step is audited; docs/portal.md.\n"
    "vacuum: rewrites the whole database file, so that nothing erased survives even in the\n"
    "unused space of its pages (slow on a large file; writers wait meanwhile).\n\n"
    "export: everything held about CONTACT (an id, an email or an external id) for an access or\n"
    "portability request: its fields, account, interactions with their RV, orders of its\n"
    "account with their lines, events, survey answers and opt-ins, consents, requests, deals,\n"
    "and the company's inferences with what each means. JSON (schema kith.dsr-export/1, the\n"
    "default) or a zip of one CSV per table beside manifest.json; docs/dsr-export.md.\n"
    "import: writes a JSON export into this database as a new contact with new ids; the\n"
    "account, interaction types, products, surveys and deal stages are found by name, code or\n"
    "sku, or created. Staff, units and teams are not carried over. All or nothing.\n\n"
    "  --kind KIND        file: the request's kind\n"
    "  --received TIME    file: when it was received (default now)\n"
    "  --notes TEXT       file: what the person asked, in their words\n"
    "  --months N         extend: by 1 or 2 months\n"
    "  --reason TEXT      extend, reject, lift: why\n"
    "  --answer TEXT      complete: what the person is told\n"
    "  --status STATUS    list: open (default), extended, completed, rejected, lifted or all\n"
    "  --contact CONTACT  list: only this contact's requests\n"
    "  --json             list: one JSON object per line\n"
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

static const struct dsr_actor cli_actor = {.client_addr = "cli"};

static int dsr_file_cmd(const char *db, const char *contact, const char *kind_name,
                        const char *received, const char *notes)
{
    struct kith_error err = {0};
    int kind = dsr_kind_parse(kind_name);
    if (kind < 0)
        return cmd_usage_error("dsr", "--kind must be access, rectification, erasure, restriction,"
                                      " objection or portability");
    int64_t at = 0, id;
    if (received && timefmt_parse(received, strlen(received), &at, &err) < 0)
        return cmd_usage_error("dsr", "--received: %s", err.msg);
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    struct store_dsr d;
    int rc = find_contact(s, contact, &id, &err);
    if (rc == 0)
        rc = dsr_file(s, &cli_actor, id, (enum dsr_kind)kind, at, notes, &d, &err);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    char due[TIMEFMT_SIZE];
    timefmt_format(d.due_at, due);
    printf("request %lld: %s for contact %lld, %s, due %s\n", (long long)d.id,
           dsr_kind_name(d.kind), (long long)d.contact_id, dsr_status_name(d.status), due);
    if (d.answer[0])
        printf("%s\n", d.answer);
    return CMD_OK;
}

struct list_out {
    bool json;
    int64_t now, n, overdue;
};

static int print_dsr(void *ctx, const struct store_dsr *d)
{
    struct list_out *o = ctx;
    o->n++;
    o->overdue += dsr_is_overdue(d, o->now);
    if (o->json) {
        json_t *j = dsr_json(d, o->now);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!text)
            return KITH_ENOMEM;
        printf("%s\n", text);
        free(text);
        return 0;
    }
    char received[TIMEFMT_SIZE], due[TIMEFMT_SIZE];
    timefmt_format(d->received_at, received);
    timefmt_format(d->due_at, due);
    printf("%-6lld %-8lld %-13s %-9s %.10s  %.10s%s\n", (long long)d->id, (long long)d->contact_id,
           dsr_kind_name(d->kind), dsr_status_name(d->status), received, due,
           dsr_is_overdue(d, o->now) ? "  OVERDUE" : "");
    return 0;
}

static int dsr_list_cmd(const char *db, const char *status, const char *contact, bool json)
{
    struct kith_error err = {0};
    struct store_dsr_filter f = {.status = -1, .kind = -1, .limit = STORE_DSR_LIST_MAX};
    if (!status || strcmp(status, "open") == 0)
        f.open_only = true;
    else if (strcmp(status, "all") != 0 && (f.status = dsr_status_parse(status)) < 0)
        return cmd_usage_error("dsr", "--status must be open, extended, completed, rejected,"
                                      " lifted or all");
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct list_out o = {.json = json, .now = store_now_ms()};
    int rc = contact ? find_contact(s, contact, &f.contact_id, &err) : 0;
    if (rc == 0 && !json)
        printf("%-6s %-8s %-13s %-9s %-10s  %-10s\n", "id", "contact", "kind", "status", "received",
               "due");
    if (rc == 0)
        rc = store_dsr_list(s, &f, print_dsr, &o, &err);
    store_close(s);
    if (rc == KITH_ENOMEM)
        kith_err(&err, rc, "out of memory");
    if (rc < 0)
        return cmd_fail(&err);
    if (!json)
        printf("%lld request%s, %lld overdue\n", (long long)o.n, o.n == 1 ? "" : "s",
               (long long)o.overdue);
    return CMD_OK;
}

static int dsr_step_cmd(const char *db, const char *id_text, const struct dsr_step_in *in)
{
    struct kith_error err = {0};
    uint64_t id;
    if (num_uint64(id_text, 1, INT64_MAX, &id, "request id", &err) < 0)
        return cmd_usage_error("dsr", "%s", err.msg);
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    struct store_dsr d;
    struct store_erasure e;
    int rc = dsr_step(s, &cli_actor, (int64_t)id, in, &d, &e, &err);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    char due[TIMEFMT_SIZE];
    timefmt_format(d.due_at, due);
    printf("request %lld: %s %s, due %s\n", (long long)d.id, dsr_kind_name(d.kind),
           dsr_status_name(d.status), due);
    if (in->verb == DSR_COMPLETE && d.kind == DSR_ERASURE)
        printf("contact %lld erased: personal fields emptied in %lld rows of its records, %lld "
               "devices and %lld portal rows deleted, %lld audit details scrubbed\n",
               (long long)d.contact_id, (long long)e.rows, (long long)e.devices,
               (long long)e.portal_rows, (long long)e.audit_rows);
    if (in->verb == DSR_COMPLETE && d.kind == DSR_ERASURE)
        printf("kith dsr vacuum rewrites the file so that no older copy survives in unused page "
               "space (docs/portal.md, \"Erasure\")\n");
    return CMD_OK;
}

static int dsr_vacuum_cmd(const char *db)
{
    struct kith_error err = {0};
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    int rc = store_vacuum(s, &err);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    printf("database rewritten\n");
    return CMD_OK;
}

int cmd_dsr(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"format", required_argument, NULL, 'f'},
        {"out", required_argument, NULL, 'o'},      {"kind", required_argument, NULL, 'k'},
        {"received", required_argument, NULL, 'r'}, {"notes", required_argument, NULL, 'n'},
        {"months", required_argument, NULL, 'm'},   {"reason", required_argument, NULL, 'R'},
        {"answer", required_argument, NULL, 'a'},   {"status", required_argument, NULL, 's'},
        {"contact", required_argument, NULL, 'c'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},           {0}};
    const char *db = NULL, *out = NULL, *kind = NULL, *received = NULL, *notes = NULL;
    const char *months = NULL, *reason = NULL, *answer = NULL, *status = NULL, *contact = NULL;
    bool zip = false, json = false;
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
        case 'k':
            kind = optarg;
            break;
        case 'r':
            received = optarg;
            break;
        case 'n':
            notes = optarg;
            break;
        case 'm':
            months = optarg;
            break;
        case 'R':
            reason = optarg;
            break;
        case 'a':
            answer = optarg;
            break;
        case 's':
            status = optarg;
            break;
        case 'c':
            contact = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("dsr", "unknown option");
        }
    }
    if (argc - optind == 1 && strcmp(argv[optind], "list") == 0)
        return dsr_list_cmd(db, status, contact, json);
    if (argc - optind == 1 && strcmp(argv[optind], "vacuum") == 0)
        return dsr_vacuum_cmd(db);
    if (argc - optind != 2)
        return cmd_usage_error("dsr", "expected a subcommand: file, list, extend, complete, "
                                      "reject, lift, vacuum, export or import");
    const char *verb = argv[optind], *arg = argv[optind + 1];
    if (strcmp(verb, "file") == 0) {
        if (!kind)
            return cmd_usage_error("dsr", "file needs --kind");
        return dsr_file_cmd(db, arg, kind, received, notes);
    }
    struct dsr_step_in in = {.reason = reason, .answer = answer};
    if (strcmp(verb, "extend") == 0) {
        uint64_t m;
        struct kith_error err = {0};
        if (!months || num_uint64(months, 0, 1000, &m, "--months", &err) < 0)
            return cmd_usage_error("dsr", "extend needs --months 1 or 2");
        in.verb = DSR_EXTEND;
        in.months = (int)m;
        return dsr_step_cmd(db, arg, &in);
    }
    if (strcmp(verb, "complete") == 0 || strcmp(verb, "reject") == 0 || strcmp(verb, "lift") == 0) {
        in.verb = verb[0] == 'c' ? DSR_COMPLETE : verb[0] == 'r' ? DSR_REJECT : DSR_LIFT;
        return dsr_step_cmd(db, arg, &in);
    }
    if (strcmp(verb, "export") == 0)
        return dsr_export(db, arg, zip, out);
    if (strcmp(verb, "import") == 0) {
        if (out || zip)
            return cmd_usage_error("dsr", "import takes no --out nor --format");
        return dsr_import(db, arg);
    }
    return cmd_usage_error("dsr",
                           "unknown subcommand '%s': expected file, list, extend, complete, "
                           "reject, lift, vacuum, export or import",
                           verb);
}
