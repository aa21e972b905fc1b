/*
 * voice_alike.c - the "someone like me" benchmark (make bench-voice; issue 15 item 10): generates
 * 1,000,000 contacts in 200,000 accounts with attributes, about 5 products bought each over a
 * catalogue of 500, sales and stated intents (deterministic, seeded; in memory), builds the index
 * once (engine/alike.h) and times the k nearest of one contact (the median of --queries subjects,
 * and the slowest). Then loads the same features into an in-memory SQLite database and computes
 * the same similarity for the same subjects with one SQL statement, checks that both give the same
 * neighbours with the same similarities, and prints the ratio. docs/BENCHMARKS.md records it.
 */
#include <getopt.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/alike.h"

#include "util/banned.h"

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

/* xorshift64*: deterministic draws */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static uint32_t below(uint32_t n)
{
    return (uint32_t)(rnd() % n);
}
static double unit(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void oom(void)
{
    fprintf(stderr, "bench-voice-alike: out of memory\n");
    exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 1024;
    if (*cap < need)
        *cap = need;
    void *q = realloc(p, *cap * size);
    if (!q)
        oom();
    return q;
}

#define NPRODUCTS 500
#define DAY       86400000LL

/* The world: accounts of an industry prefer a block of products, so neighbours mean something. */
static void generate(struct alike_data *d, size_t n)
{
    memset(d, 0, sizeof(*d));
    d->kind = ALIKE_CONTACTS;
    d->n = n;
    d->nproducts = NPRODUCTS;
    d->entities = calloc(n, sizeof(*d->entities));
    d->products = calloc(NPRODUCTS, sizeof(*d->products));
    if (!d->entities || !d->products)
        oom();
    char buf[64];
    for (size_t p = 0; p < NPRODUCTS; p++) {
        snprintf(buf, sizeof(buf), "P-%zu", p);
        d->products[p].id = (int64_t)p + 1;
        if (!(d->products[p].sku = strdup(buf)) || !(d->products[p].name = strdup(buf)))
            oom();
    }
    size_t capb = 0, capo = 0, capi = 0;
    const int64_t start = 1672531200000LL; /* 2023-01-01 */
    uint16_t acc_attr[4] = {0};
    int64_t acc_emp = -1;
    for (size_t i = 0; i < n; i++) {
        struct alike_entity *e = &d->entities[i];
        e->id = (int64_t)i + 1;
        e->group = (int64_t)(i / 5) + 1;
        if (i % 5 == 0) {                            /* a new account */
            acc_attr[0] = (uint16_t)(1 + below(10)); /* industry */
            acc_attr[1] = (uint16_t)(1 + below(7));  /* territory */
            acc_attr[2] = (uint16_t)(below(5));      /* revenue band, 0: unknown */
            acc_attr[3] = (uint16_t)(1 + below(5));  /* unit */
            acc_emp = below(10) ? (int64_t)exp(3.0 + 2.0 * unit()) : -1;
        }
        memcpy(e->attr, acc_attr, sizeof(acc_attr));
        e->attr[4] = (uint16_t)(below(6)); /* buying role */
        e->attr[5] = (uint16_t)(1 + below(4));
        e->employees = acc_emp;
        if (!(e->name = strdup("C")) || !(e->short_name = strdup("C.")))
            oom();
        e->rv_recent = (int64_t)below(200);
        e->rv_before = (int64_t)below(200);
        e->churned = below(20) == 0;
        /* purchases: 0 to 10 products in 1 to 4 sales, mostly from the industry's block */
        const uint32_t np = below(11), nsales = 1 + below(4);
        int64_t at = start + (int64_t)below(700) * DAY;
        for (uint32_t s = 0; s < nsales && np; s++) {
            int64_t amount = 0;
            for (uint32_t k = s; k < np; k += nsales) {
                const uint32_t prod =
                    below(4) ? (uint32_t)(acc_attr[0] - 1) * 50 + below(50) : below(NPRODUCTS);
                d->buys = grow(d->buys, &capb, d->nbuys + 1, sizeof(*d->buys));
                d->buys[d->nbuys++] = (struct alike_buy){(uint32_t)i, prod, at};
                amount += 1000 + (int64_t)below(100000);
            }
            d->orders = grow(d->orders, &capo, d->norders + 1, sizeof(*d->orders));
            d->orders[d->norders++] = (struct alike_order){(uint32_t)i, at, amount};
            at += (int64_t)(1 + below(120)) * DAY;
        }
        if (below(20) == 0) /* 5% stated an intent they share */
            for (uint32_t k = 0, m = 1 + below(2); k < m; k++) {
                d->intents = grow(d->intents, &capi, d->nintents + 1, sizeof(*d->intents));
                d->intents[d->nintents++] = (struct alike_intent){
                    (uint32_t)i, (uint32_t)(acc_attr[0] - 1) * 50 + below(50)};
            }
    }
    d->as_of = start + 900 * DAY;
}

/* ---- the baseline -----------------------------------------------------------------------------
 */

static void sq(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench-voice-alike: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

static void fn_sqrt(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    sqlite3_result_double(c, sqrt(sqlite3_value_double(v[0])));
}

static void prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench-voice-alike: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
}

/* The features the index keeps (the same float logs), as tables; the products held per entity
 * and the intents as rows, with an index by product (what a join on them needs). */
static sqlite3 *baseline_load(const struct alike_index *ix)
{
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        oom();
    sqlite3_create_function(db, "sqrt", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, fn_sqrt, NULL,
                            NULL);
    sq(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
           "CREATE TABLE ent (id INTEGER PRIMARY KEY, grp INTEGER, a1, a2, a3, a4, a5, a6,"
           " lemp REAL, lspend REAL, np INTEGER, ni INTEGER);"
           "CREATE TABLE buys (entity INTEGER, product INTEGER);"
           "CREATE TABLE intents (entity INTEGER, product INTEGER); BEGIN");
    sqlite3_stmt *e, *b, *t;
    prep(db, "INSERT INTO ent VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", &e);
    prep(db, "INSERT INTO buys VALUES (?,?)", &b);
    prep(db, "INSERT INTO intents VALUES (?,?)", &t);
    for (size_t i = 0; i < ix->n; i++) {
        sqlite3_bind_int64(e, 1, (sqlite3_int64)i);
        sqlite3_bind_int64(e, 2, ix->d->entities[i].group);
        for (int a = 0; a < ALIKE_NATTRS; a++)
            sqlite3_bind_int(e, 3 + a, ix->hot[i].attr[a]);
        sqlite3_bind_double(e, 9, (double)ix->hot[i].lemp);
        sqlite3_bind_double(e, 10, (double)ix->hot[i].lspend);
        sqlite3_bind_int64(e, 11, ix->poff[i + 1] - ix->poff[i]);
        sqlite3_bind_int64(e, 12, ix->ioff[i + 1] - ix->ioff[i]);
        sqlite3_step(e);
        sqlite3_reset(e);
        for (uint32_t p = ix->poff[i]; p < ix->poff[i + 1]; p++) {
            sqlite3_bind_int64(b, 1, (sqlite3_int64)i);
            sqlite3_bind_int64(b, 2, ix->prod[p]);
            sqlite3_step(b);
            sqlite3_reset(b);
        }
        for (uint32_t p = ix->ioff[i]; p < ix->ioff[i + 1]; p++) {
            sqlite3_bind_int64(t, 1, (sqlite3_int64)i);
            sqlite3_bind_int64(t, 2, ix->intent[p]);
            sqlite3_step(t);
            sqlite3_reset(t);
        }
    }
    sqlite3_finalize(e);
    sqlite3_finalize(b);
    sqlite3_finalize(t);
    sq(db, "COMMIT; CREATE INDEX buys_product ON buys(product, entity);"
           " CREATE INDEX buys_entity ON buys(entity);"
           " CREATE INDEX intents_product ON intents(product, entity);"
           " CREATE INDEX intents_entity ON intents(entity)");
    return db;
}

/* docs/voice.md's similarity of every other contact to ?1, the k best (?2) by the engine's order.
 */
static const char baseline_sql[] =
    "WITH s AS (SELECT *, (a1 <> 0) + (a2 <> 0) + (a3 <> 0) + (a4 <> 0) + (a5 <> 0) + (a6 <> 0)"
    "   + (lemp >= 0) AS known FROM ent WHERE id = ?1),"
    " inter AS (SELECT b.entity, count(*) AS n FROM buys b"
    "   WHERE b.product IN (SELECT product FROM buys WHERE entity = ?1) GROUP BY b.entity),"
    " iint AS (SELECT i.entity, count(*) AS n FROM intents i"
    "   WHERE i.product IN (SELECT product FROM intents WHERE entity = ?1) GROUP BY i.entity),"
    " sc AS (SELECT e.id, e.np,"
    "   CASE WHEN s.known = 0 THEN 0.0 ELSE ((s.a1 <> 0 AND s.a1 = e.a1) + (s.a2 <> 0 AND s.a2 = "
    "e.a2)"
    "     + (s.a3 <> 0 AND s.a3 = e.a3) + (s.a4 <> 0 AND s.a4 = e.a4) + (s.a5 <> 0 AND s.a5 = e.a5)"
    "     + (s.a6 <> 0 AND s.a6 = e.a6)"
    "     + CASE WHEN s.lemp >= 0 AND e.lemp >= 0 THEN 1.0 - min(1.0, abs(s.lemp - e.lemp) / 2.0)"
    "       ELSE 0.0 END) * 1.0 / s.known END AS attr,"
    "   CASE WHEN s.np > 0 AND e.np > 0 THEN coalesce(inter.n, 0) * 1.0 / sqrt(s.np * e.np)"
    "     ELSE 0.0 END AS buy,"
    "   CASE WHEN s.lspend > 0 AND e.lspend > 0 THEN 1.0 - min(1.0, abs(s.lspend - e.lspend) / 3.0)"
    "     ELSE 0.0 END AS spend,"
    "   CASE WHEN s.ni > 0 AND e.ni > 0 THEN coalesce(iint.n, 0) * 1.0"
    "     / (s.ni + e.ni - coalesce(iint.n, 0)) ELSE 0.0 END AS intent"
    "   FROM ent e CROSS JOIN s LEFT JOIN inter ON inter.entity = e.id"
    "   LEFT JOIN iint ON iint.entity = e.id WHERE e.id <> s.id AND e.grp <> s.grp)"
    " SELECT id, 0.25 * attr + 0.1 * spend + 0.5 * buy + 0.15 * intent AS sim FROM sc"
    " ORDER BY sim DESC, np DESC, id LIMIT ?2";

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    long n = 1000000, queries = 41, k = 20;
    bool skip_baseline = false;
    static const struct option lo[] = {
        {"contacts", required_argument, NULL, 'n'}, {"queries", required_argument, NULL, 'q'},
        {"k", required_argument, NULL, 'k'},        {"skip-baseline", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'n':
            n = strtol(optarg, NULL, 10);
            break;
        case 'q':
            queries = strtol(optarg, NULL, 10);
            break;
        case 'k':
            k = strtol(optarg, NULL, 10);
            break;
        case 's':
            skip_baseline = true;
            break;
        default:
            printf("usage: bench-voice-alike [--contacts N (1000000)] [--queries Q (41)]"
                   " [--k K (20)] [--skip-baseline]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (n < 10 || n > 20000000 || queries < 1 || queries > 1000 || k < 1 || k > ALIKE_K_MAX) {
        fprintf(stderr, "bench-voice-alike: out of range\n");
        return 2;
    }
    double loadavg = 0;
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf", &loadavg) != 1)
            loadavg = 0;
        fclose(la);
    }
    printf("someone like me: %ld contacts, k = %ld (load average %.2f at start, %ld cores)\n", n, k,
           loadavg, sysconf(_SC_NPROCESSORS_ONLN));
    struct alike_data d;
    double t0 = now_s();
    generate(&d, (size_t)n);
    printf("generated %zu contacts, %zu products bought, %zu sales, %zu intents in %.2f s\n", d.n,
           d.nbuys, d.norders, d.nintents, now_s() - t0);
    struct alike_index ix;
    struct kith_error err = {0};
    t0 = now_s();
    if (alike_index_build(&d, &ix, &err) < 0) {
        fprintf(stderr, "bench-voice-alike: %s\n", err.msg);
        return 1;
    }
    printf("index built once in %.2f s (%.1f MB)\n", now_s() - t0,
           (double)(ix.n * (sizeof(struct alike_hot) + 4 * 3) + ix.poff[ix.n] * 16 +
                    ix.ooff[ix.n] * 16 + ix.ioff[ix.n] * 4) /
               1e6);
    size_t *subjects = calloc((size_t)queries, sizeof(*subjects));
    double *ms = calloc((size_t)queries, sizeof(*ms)), *sorted = calloc((size_t)queries, 8);
    double *cpu = calloc((size_t)queries, sizeof(*cpu)), *csorted = calloc((size_t)queries, 8);
    struct alike_result *res = calloc((size_t)queries, sizeof(*res));
    if (!subjects || !ms || !sorted || !res || !cpu || !csorted)
        oom();
    double cpu0 = cpu_s();
    for (long q = 0; q < queries; q++) {
        subjects[q] = below((uint32_t)n);
        const struct alike_query aq = {
            .subject = subjects[q], .at = ALIKE_LIVE, .k = (size_t)k, .other_groups = true};
        t0 = now_s();
        const double c0 = cpu_s();
        if (alike_query(&ix, &aq, &res[q], &err) < 0) {
            fprintf(stderr, "bench-voice-alike: %s\n", err.msg);
            return 1;
        }
        ms[q] = (now_s() - t0) * 1000;
        cpu[q] = (cpu_s() - c0) * 1000;
    }
    const double cpu_ms = (cpu_s() - cpu0) * 1000 / (double)queries;
    memcpy(sorted, ms, (size_t)queries * sizeof(*ms));
    qsort(sorted, (size_t)queries, sizeof(*sorted), cmp_double);
    const double median = sorted[queries / 2], worst = sorted[queries - 1];
    printf("one contact among %ld: median %.2f ms, slowest %.2f ms of %ld queries (CPU %.2f ms a"
           " query) — target <= 20 ms: %s\n",
           n, median, worst, queries, cpu_ms, median <= 20 ? "met" : "NOT met");
    for (int buyer = 1; buyer >= 0; buyer--) { /* the two paths of the engine */
        size_t m = 0;
        for (long q = 0; q < queries; q++)
            if ((ix.poff[subjects[q] + 1] > ix.poff[subjects[q]]) == buyer) {
                csorted[m] = cpu[q];
                sorted[m++] = ms[q];
            }
        qsort(sorted, m, sizeof(*sorted), cmp_double);
        qsort(csorted, m, sizeof(*csorted), cmp_double);
        if (m)
            printf("  %s: median %.2f ms (CPU %.2f), slowest %.2f ms (CPU %.2f) of %zu\n",
                   buyer ? "contacts with purchases (from the lists of buyers)"
                         : "contacts without purchases (a scan of everyone)",
                   sorted[m / 2], csorted[m / 2], sorted[m - 1], csorted[m - 1], m);
    }
    if (!skip_baseline) {
        t0 = now_s();
        sqlite3 *db = baseline_load(&ix);
        printf("baseline: the same features in an in-memory SQLite database, loaded in %.1f s\n",
               now_s() - t0);
        sqlite3_stmt *st;
        prep(db, baseline_sql, &st);
        const long nb = queries < 5 ? queries : 5;
        double bms[5];
        double maxdiff = 0;
        size_t mismatched = 0;
        for (long q = 0; q < nb; q++) {
            sqlite3_bind_int64(st, 1, (sqlite3_int64)subjects[q]);
            sqlite3_bind_int64(st, 2, k);
            t0 = now_s();
            size_t r = 0;
            while (sqlite3_step(st) == SQLITE_ROW) {
                const size_t id = (size_t)sqlite3_column_int64(st, 0);
                const double sim = sqlite3_column_double(st, 1);
                if (r < res[q].n) {
                    mismatched += id != res[q].nb[r].entity;
                    const double diff = fabs(sim - res[q].nb[r].similarity);
                    maxdiff = diff > maxdiff ? diff : maxdiff;
                }
                r++;
            }
            bms[q] = (now_s() - t0) * 1000;
            mismatched += r != res[q].n;
            sqlite3_reset(st);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        qsort(bms, (size_t)nb, sizeof(*bms), cmp_double);
        const double bmed = bms[nb / 2];
        printf("baseline, one SQL statement per contact: median %.1f ms of %ld; the same neighbours"
               " %s (largest difference of similarity %.1e)\n",
               bmed, nb, mismatched ? "NOT" : "in the same order", maxdiff);
        printf("ratio: %.0fx (the SQL over the same precomputed features against the engine's"
               " median)\n",
               bmed / median);
    }
    free(subjects);
    free(ms);
    free(sorted);
    free(cpu);
    free(csorted);
    free(res);
    alike_index_release(&ix);
    alike_data_release(&d);
    return 0;
}
