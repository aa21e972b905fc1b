/*
 * voice_nps.c - the NPS/CSAT benchmark (make bench-voice; issue 15, item 10): NPS and CSAT by
 * channel over 10,000,000 survey answers, target 200 ms, against the same computed by SQLite.
 *
 * A kith database with 1,000,000 contacts, 10 surveys over 6 channels and 10,000,000 latest
 * answers (10 per contact; every tenth answer names its own channel, as an answer to a ticket
 * that came by email does) is generated once, deterministically, and cached under bench/out/.
 * The answers are loaded once as `kith voice nps` loads them (store_voice_load(), timed and
 * reported apart), then grouped by channel with their NPS, CSAT and 95% intervals
 * (voice_report_group(), the code path of `kith voice nps --by channel` and the API) several
 * times; the median is the figure. SQLite then counts the same per channel in one GROUP BY over
 * the same tables (the figures from its counts), and the two answers are compared group by group.
 */
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/voice.h"
#include "store/store.h"

#include "util/banned.h"

#define TARGET_MS 200.0
#define RUNS      7

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench-voice-nps: %s: %s\n", what, msg);
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        die(sql, msg ? msg : "failed");
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The database: the schema through the store, the rows by SQL (deterministic). */
static void generate(const char *path, long contacts, long per_contact)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    struct store *s;
    struct kith_error err = {0};
    if (store_open(tmp, STORE_CREATE, &s, &err) < 0)
        die("creating the database", err.msg);
    store_close(s);
    sqlite3 *db;
    if (sqlite3_open(tmp, &db) != SQLITE_OK)
        die("opening the database", sqlite3_errmsg(db));
    double t0 = now_s();
    exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000;"
             " BEGIN");
    exec(db, "INSERT INTO units (id, created_at, name, kind, parent_id) VALUES"
             " (1, 0, 'North', 'business_unit', NULL), (2, 0, 'Dealer', 'partner', 1)");
    exec(db, "INSERT INTO surveys (id, created_at, name, channel, touchpoint) VALUES"
             " (1, 0, 'After a call', 'phone', 'after a support call'),"
             " (2, 0, 'After checkout', 'web', 'after checkout'),"
             " (3, 0, 'After delivery', 'email', 'after delivery'),"
             " (4, 0, 'After a chat', 'chat', 'after a chat'),"
             " (5, 0, 'Portal', 'portal', 'after a portal visit'),"
             " (6, 0, 'Relationship', 'web', 'yearly'),"
             " (7, 0, 'After a visit', 'meeting', 'after a site visit'),"
             " (8, 0, 'After a repair', 'phone', 'after a repair'),"
             " (9, 0, 'Onboarding', 'meeting', 'after onboarding'),"
             " (10, 0, 'Invoice', 'email', 'after an invoice')");
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %ld)"
             " INSERT INTO contacts (id, created_at, last_name, unit_id)"
             " SELECT x, 0, 'C' || x, 1 + x %% 2 FROM n",
             contacts);
    exec(db, sql);
    /* answer x: contact (x - 1) / per_contact + 1, survey (x - 1) %% 10 + 1; scores from
     * multiplicative hashes of x; one in 13 without an NPS, one in 3 without a CSAT */
    snprintf(sql, sizeof(sql),
             "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < %ld)"
             " INSERT INTO survey_responses (id, created_at, survey_id, contact_id, answered_at,"
             " channel, nps, csat, latest)"
             " SELECT x, 0, (x - 1) %% 10 + 1, (x - 1) / %ld + 1,"
             " 1767225600000 + (x * 7919 %% 31536000) * 1000,"
             " CASE WHEN x %% 10 = 3 THEN 'email' END,"
             " CASE WHEN x %% 13 = 0 THEN NULL ELSE (x * 2654435761 / 7) %% 11 END,"
             " CASE WHEN x %% 3 = 0 THEN NULL ELSE 1 + (x * 40503 / 11) %% 5 END, 1 FROM n",
             contacts * per_contact, per_contact);
    exec(db, sql);
    exec(db, "COMMIT");
    sqlite3_close(db);
    if (rename(tmp, path) != 0)
        die("renaming the database", path);
    fprintf(stderr, "bench-voice-nps: generated %ld answers in %.1f s\n", contacts * per_contact,
            now_s() - t0);
}

/* One channel's counts as SQLite gives them. */
struct row {
    char channel[64];
    int64_t answers, contacts;
    struct voice_tally t;
};

static const char baseline_sql[] =
    "SELECT coalesce(r.channel, s.channel), count(*), count(DISTINCT r.contact_id),"
    " count(r.nps), sum(r.nps >= 9), sum(r.nps BETWEEN 7 AND 8), sum(r.nps <= 6),"
    " count(r.csat), sum(r.csat >= 4), coalesce(sum(r.csat), 0)"
    " FROM survey_responses r JOIN surveys s ON s.id = r.survey_id"
    " JOIN contacts c ON c.id = r.contact_id"
    " WHERE r.latest = 1 GROUP BY 1 ORDER BY 1";

static size_t baseline(sqlite3 *db, struct row *rows, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, baseline_sql, -1, &st, NULL) != SQLITE_OK)
        die("preparing the baseline", sqlite3_errmsg(db));
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
        struct row *r = &rows[n++];
        const unsigned char *ch = sqlite3_column_text(st, 0);
        snprintf(r->channel, sizeof(r->channel), "%s", ch ? (const char *)ch : "");
        r->answers = sqlite3_column_int64(st, 1);
        r->contacts = sqlite3_column_int64(st, 2);
        r->t.nps_n = sqlite3_column_int64(st, 3);
        r->t.promoters = sqlite3_column_int64(st, 4);
        r->t.passives = sqlite3_column_int64(st, 5);
        r->t.detractors = sqlite3_column_int64(st, 6);
        r->t.csat_n = sqlite3_column_int64(st, 7);
        r->t.satisfied = sqlite3_column_int64(st, 8);
        r->t.csat_sum = sqlite3_column_int64(st, 9);
    }
    sqlite3_finalize(st);
    return n;
}

static double diff(double a, double b)
{
    if (isnan(a) && isnan(b))
        return 0;
    return fabs(a - b);
}

int main(int argc, char **argv)
{
    const char *path = "bench/out/voice-10m.db";
    long contacts = 1000000, per_contact = 10;
    bool generate_only = false, skip_baseline = false;
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"contacts", required_argument, NULL, 'c'},
                                         {"generate-only", no_argument, NULL, 'G'},
                                         {"skip-baseline", no_argument, NULL, 'S'},
                                         {0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            path = optarg;
            break;
        case 'c':
            contacts = strtol(optarg, NULL, 10);
            if (contacts < 1 || contacts > 10000000)
                die("--contacts", "must be 1..10000000");
            break;
        case 'G':
            generate_only = true;
            break;
        case 'S':
            skip_baseline = true;
            break;
        default:
            fputs("usage: bench-voice-nps [--db PATH] [--contacts N] [--generate-only]"
                  " [--skip-baseline]\n",
                  stderr);
            return 2;
        }
    }
    struct stat sb;
    if (stat(path, &sb) != 0)
        generate(path, contacts, per_contact);
    if (generate_only)
        return 0;

    struct store *s;
    struct kith_error err = {0};
    if (store_open(path, STORE_READONLY, &s, &err) < 0)
        die("opening the database", err.msg);
    struct voice_report r;
    memset(&r, 0, sizeof(r));
    r.k = 10;
    double t0 = now_s();
    if (store_voice_load(s, NULL, 0, INT64_MIN, INT64_MAX, false, &r.d, &err) < 0)
        die("loading the answers", err.msg);
    const double load_s = now_s() - t0;
    store_close(s);
    printf("answers loaded           %zu in %.2f s (store_voice_load)\n", r.d.n, load_s);

    double ms[RUNS], cpu[RUNS];
    for (int i = 0; i < RUNS; i++) {
        free(r.cells);
        r.cells = NULL;
        r.n = 0;
        memset(&r.total, 0, sizeof(r.total));
        t0 = now_s();
        const double c0 = cpu_s();
        if (voice_report_group(&r, VOICE_BY_CHANNEL, 0, &err) < 0)
            die("grouping", err.msg);
        ms[i] = (now_s() - t0) * 1000;
        cpu[i] = (cpu_s() - c0) * 1000;
    }
    qsort(ms, RUNS, sizeof(ms[0]), cmp_double);
    qsort(cpu, RUNS, sizeof(cpu[0]), cmp_double);
    const double kith_ms = ms[RUNS / 2], kith_cpu = cpu[RUNS / 2];
    printf("kith NPS/CSAT by channel %.1f ms (median of %d; min %.1f, max %.1f; CPU %.1f ms) over"
           " %lld answers, %zu channels: %s the %.0f ms target\n",
           kith_ms, RUNS, ms[0], ms[RUNS - 1], cpu[RUNS / 2], (long long)r.total.answers, r.n,
           kith_ms <= TARGET_MS ? "within" : "OVER", TARGET_MS);
    for (size_t i = 0; i < r.n; i++) {
        const struct voice_cell *c = &r.cells[i];
        printf("  %-8s contacts %7lld answers %8lld  NPS %6.2f [%6.2f, %6.2f]  CSAT %5.2f%%"
               " [%5.2f, %5.2f] mean %.3f\n",
               c->key.name ? c->key.name : "(none)", (long long)c->contacts, (long long)c->answers,
               c->f.nps, c->f.nps_lo, c->f.nps_hi, c->f.csat, c->f.csat_lo, c->f.csat_hi,
               c->f.csat_mean);
    }
    if (skip_baseline) {
        voice_report_release(&r);
        return 0;
    }

    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("opening the database", sqlite3_errmsg(db));
    exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-1000000");
    struct row rows[64];
    /* one run: the file is in the operating system's cache since the load read it */
    t0 = now_s();
    const double c0 = cpu_s();
    const size_t nrows = baseline(db, rows, 64);
    const double sqlite_ms = (now_s() - t0) * 1000, sqlite_cpu = (cpu_s() - c0) * 1000;
    sqlite3_close(db);
    printf(
        "SQLite, the same         %.1f ms (CPU %.1f ms; one GROUP BY, figures from its counts)\n",
        sqlite_ms, sqlite_cpu);
    printf("ratio                    %.1fx (SQLite / kith; CPU %.1fx)\n", sqlite_ms / kith_ms,
           sqlite_cpu / kith_cpu);

    /* the same answer, group by group */
    double worst = 0;
    bool same = nrows == r.n;
    for (size_t i = 0; i < nrows && same; i++) {
        const struct voice_cell *c = &r.cells[i];
        struct voice_figures f;
        voice_figures_of(&rows[i].t, VOICE_Z, &f);
        same = c->key.name && strcmp(c->key.name, rows[i].channel) == 0 &&
               c->answers == rows[i].answers && c->contacts == rows[i].contacts &&
               memcmp(&c->t, &rows[i].t, sizeof(c->t)) == 0;
        const double d[] = {diff(c->f.nps, f.nps),         diff(c->f.nps_lo, f.nps_lo),
                            diff(c->f.nps_hi, f.nps_hi),   diff(c->f.csat, f.csat),
                            diff(c->f.csat_lo, f.csat_lo), diff(c->f.csat_hi, f.csat_hi)};
        for (size_t k = 0; k < sizeof(d) / sizeof(d[0]); k++)
            worst = d[k] > worst ? d[k] : worst;
    }
    printf("same answer              %s (largest difference of a figure %.2g)\n",
           same ? "yes" : "NO", worst);
    voice_report_release(&r);
    return same ? 0 : 1;
}
