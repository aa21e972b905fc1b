/*
 * portal_export.c - the customer portal's export benchmark (make bench-portal; issue 16, item
 * 10): one customer's full data-subject export (GET /portal/api/export: dsr_export_json() for
 * the subject, then the JSON text the server sends) when it has 10,000 interactions, among 2,000
 * other contacts with 20 interactions each, 100 orders of its account with a line each, and
 * survey answers. Target: at most 100 ms. The zip (?format=zip) is timed beside it.
 *
 * The database is generated into a temporary directory (or --db PATH, kept) with plain SQLite
 * inserts: the benchmark times the export, not the loading. Prints the median, p95 and max of
 * --runs runs (default 21) after one warm-up run, and exits 1 when the median misses the target.
 */
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/dsr_export.h"
#include "store/store.h"
#include "util/num.h"

#include "util/banned.h"

#define TARGET_MS     100.0
#define INTERACTIONS  10000
#define OTHERS        2000
#define OTHER_EACH    20
#define ORDERS        100
#define NTYPES        12
#define SUBJECT_EMAIL "subject@example.com"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const char *why)
{
    fprintf(stderr, "bench-portal_export: %s: %s\n", what, why);
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die(sql, msg ? msg : "failed");
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(db));
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die("insert", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

/* The world: a unit, a catalogue, an account, the subject and the others. Returns its id. */
static int64_t generate(const char *path)
{
    struct store *s;
    struct kith_error err = {0};
    if (store_open(path, STORE_CREATE, &s, &err) < 0) /* the schema */
        die(path, err.msg);
    store_close(s);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        die(path, sqlite3_errmsg(db));
    const int64_t t0 = 1688169600000; /* 2023-07-01 */
    exec(db, "BEGIN");
    exec(db, "INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'Bench unit', "
             "'business_unit')");
    exec(db, "INSERT INTO users (id, created_at, email, name, role, unit_id) VALUES "
             "(1, 0, 'rep@example.com', 'Rep', 'frontline', 1)");
    sqlite3_stmt *st = prep(db, "INSERT INTO interaction_types (id, created_at, code, name, phase,"
                                " level, channel, touch, tech, rv, cost) VALUES"
                                " (?1, 0, 'type' || ?1, 'Type ' || ?1, ?2, ?3, 'phone', 0.5, 0.5,"
                                " ?4, 1000)");
    static const char *const phases[] = {"acquisition", "closing", "retention"};
    for (int i = 1; i <= NTYPES; i++) {
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, phases[i % 3], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, 1 + i % 6);
        sqlite3_bind_int(st, 4, (i % 5) * 3 - 4);
        step(db, st);
    }
    sqlite3_finalize(st);
    exec(db, "INSERT INTO accounts (id, created_at, name, external_id, unit_id) VALUES "
             "(1, 0, 'Bench account', 'A-1', 1)");
    exec(db, "INSERT INTO products (id, created_at, sku, name) VALUES (1, 0, 'P-1', 'Pump')");
    st = prep(db, "INSERT INTO contacts (id, created_at, account_id, first_name, last_name, email,"
                  " phone, unit_id, stage, level) VALUES (?1, 0, ?2, 'First', 'Last ' || ?1, ?3,"
                  " '+44 1632 960000', 1, 'retention', 3)");
    for (int c = 1; c <= OTHERS + 1; c++) {
        char email[64];
        snprintf(email, sizeof(email), c == 1 ? SUBJECT_EMAIL : "c%d@example.com", c);
        sqlite3_bind_int(st, 1, c);
        if (c == 1)
            sqlite3_bind_int(st, 2, 1);
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, email, -1, SQLITE_TRANSIENT);
        step(db, st);
    }
    sqlite3_finalize(st);
    st = prep(db, "INSERT INTO interactions (created_at, contact_id, user_id, type_id, occurred_at,"
                  " channel, direction, outcome, notes) VALUES (0, ?1, 1, ?2, ?3, 'phone',"
                  " 'outbound', 'spoke', ?4)");
    int n = 0;
    for (int c = 1; c <= OTHERS + 1; c++) {
        int each = c == 1 ? INTERACTIONS : OTHER_EACH;
        for (int i = 0; i < each; i++, n++) {
            sqlite3_bind_int(st, 1, c);
            sqlite3_bind_int(st, 2, 1 + (n % NTYPES));
            sqlite3_bind_int64(st, 3, t0 + (int64_t)i * 3600000 * 2);
            sqlite3_bind_text(st, 4, i % 4 == 0 ? "Asked about the service plan; call back." : "",
                              -1, SQLITE_STATIC);
            step(db, st);
        }
    }
    sqlite3_finalize(st);
    sqlite3_stmt *ord = prep(db, "INSERT INTO orders (id, created_at, account_id, contact_id,"
                                 " ordered_at, amount, margin, currency, kind) VALUES"
                                 " (?1, 0, 1, 1, ?2, 125000, 40000, 'EUR', 'sale')");
    sqlite3_stmt *line = prep(db, "INSERT INTO order_lines (created_at, order_id, product_id,"
                                  " quantity, amount) VALUES (0, ?1, 1, 1, 125000)");
    for (int o = 1; o <= ORDERS; o++) {
        sqlite3_bind_int(ord, 1, o);
        sqlite3_bind_int64(ord, 2, t0 + (int64_t)o * 86400000 * 7);
        step(db, ord);
        sqlite3_bind_int(line, 1, o);
        step(db, line);
    }
    sqlite3_finalize(ord);
    sqlite3_finalize(line);
    exec(db, "INSERT INTO surveys (id, created_at, name, purpose, questions) VALUES (1, 0, "
             "'Bench survey', 'bench', '{\"items\": []}')");
    exec(db, "INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at, nps,"
             " confidential, latest, intent) VALUES (0, 1, 1, 0, 8, 1, 1, 'renew')");
    exec(db, "COMMIT");
    sqlite3_close(db);
    return 1;
}

static void report(const char *what, double *ms, int runs, size_t bytes)
{
    qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
    int p95 = (int)((runs - 1) * 0.95 + 0.5);
    printf("%-28s median %7.1f ms  p95 %7.1f ms  max %7.1f ms  (%zu bytes)\n", what, ms[runs / 2],
           ms[p95], ms[runs - 1], bytes);
}

int main(int argc, char **argv)
{
    const char *db_path = NULL;
    int runs = 21, opt;
    int64_t n;
    struct kith_error err = {0};
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'}, {"runs", required_argument, NULL, 'r'}, {0}};
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 'd')
            db_path = optarg;
        else if (opt == 'r' &&
                 num_parse_int64(optarg, strlen(optarg), 1, 1000, &n, "--runs", &err) == 0)
            runs = (int)n;
        else
            die("usage", "bench-portal_export [--db PATH] [--runs N]");
    }
    char dir[] = "/tmp/kith-bench-portal-XXXXXX", path[256];
    if (!db_path) {
        if (!mkdtemp(dir))
            die("mkdtemp", "cannot make a temporary directory");
        snprintf(path, sizeof(path), "%s/portal.db", dir);
        db_path = path;
    }
    if (access(db_path, F_OK) == 0)
        die(db_path, "exists already; give a new path");
    double g0 = now_ms();
    int64_t cid = generate(db_path);
    printf("portal export: contact with %d interactions, %d orders; %d other contacts with %d "
           "each (generated in %.1f s)\n",
           INTERACTIONS, ORDERS, OTHERS, OTHER_EACH, (now_ms() - g0) / 1e3);

    struct store *s;
    if (store_open(db_path, 0, &s, &err) < 0)
        die(db_path, err.msg);
    double *json_ms = malloc((size_t)runs * sizeof(double));
    double *zip_ms = malloc((size_t)runs * sizeof(double));
    double *cpu = malloc((size_t)runs * sizeof(double));
    double *build_ms = malloc((size_t)runs * sizeof(double));
    if (!json_ms || !zip_ms || !cpu || !build_ms)
        die("memory", "out of memory");
    size_t json_bytes = 0, zip_bytes = 0, rows = 0;
    for (int r = -1; r < runs; r++) { /* r = -1: the warm-up */
        double t = now_ms(), c = cpu_ms();
        json_t *doc = NULL;
        if (dsr_export_json(s, cid, 0, DSR_FOR_SUBJECT, &doc, &err) < 0)
            die("export", err.msg);
        double built = now_ms() - t;
        char *text = json_dumps(doc, JSON_COMPACT); /* what the server sends */
        if (!text)
            die("export", "out of memory");
        double dt = now_ms() - t, dc = cpu_ms() - c;
        json_bytes = strlen(text);
        rows = json_array_size(json_object_get(
            json_object_get(json_object_get(doc, "tables"), "interactions"), "rows"));
        free(text);
        json_decref(doc);
        t = now_ms();
        unsigned char *zip = NULL;
        if (dsr_export_zip(s, cid, 0, DSR_FOR_SUBJECT, &zip, &zip_bytes, &err) < 0)
            die("zip", err.msg);
        free(zip);
        if (r >= 0) {
            json_ms[r] = dt;
            cpu[r] = dc;
            build_ms[r] = built;
            zip_ms[r] = now_ms() - t;
        }
    }
    if (rows != INTERACTIONS)
        die("export", "the export does not hold every interaction");
    printf("runs: %d after one warm-up\n", runs);
    report("export, JSON (API answer)", json_ms, runs, json_bytes);
    report("  of which the document", build_ms, runs, json_bytes);
    report("  CPU time of the JSON", cpu, runs, json_bytes);
    report("export, zip of CSVs", zip_ms, runs, zip_bytes);
    double median = json_ms[runs / 2];
    printf("target: JSON export at most %.0f ms: %s (median %.1f ms)\n", TARGET_MS,
           median <= TARGET_MS ? "met" : "NOT MET", median);
    store_close(s);
    free(json_ms);
    free(zip_ms);
    free(cpu);
    free(build_ms);
    if (db_path == path) {
        char wal[300];
        unlink(path);
        snprintf(wal, sizeof(wal), "%s-wal", path);
        unlink(wal);
        snprintf(wal, sizeof(wal), "%s-shm", path);
        unlink(wal);
        rmdir(dir);
    }
    return median <= TARGET_MS ? 0 : 1;
}
