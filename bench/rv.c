/*
 * rv.c - the Relationship Value benchmark (make bench-rv): 10,000,000 interactions over 500,000
 * contacts. Times the snapshot load from SQLite, RV + levels + norms by team, and incremental
 * updates; prints snapshot bytes per interaction; runs the same cumulative RV and per-team
 * medians as one SQL query with window functions and prints the ratio. The database is
 * generated once through the store (deterministic, seeded) and cached under bench/out/.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/norm.h"
#include "engine/rv.h"
#include "engine/snapshot.h"
#include "model/catalogue.h"
#include "store/store.h"

#include "util/banned.h"

/* ---- options ----------------------------------------------------------------------------------
 */

struct opts {
    const char *db;
    long contacts;
    long interactions;
    int runs;
    int updates;
    bool skip_baseline;
    bool generate_only;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads): on a shared machine, wall time also counts
 * the time other programs held the cores, so both are printed. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const struct kith_error *err, const char *what)
{
    fprintf(stderr, "bench-rv: %s: %s\n", what, err->msg);
    exit(1);
}

/* ---- a fast deterministic generator ------------------------------------------------------- */

static uint64_t rng_state = 0x5eed5eed1234ULL;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double)(next_u64() >> 11) * 0x1.0p-53;
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(uniform() * n);
}

/* Poisson by inversion (means here are small). */
static int poisson(double mean)
{
    double l = exp(-mean), p = 1;
    int k = 0;
    do {
        k++;
        p *= uniform();
    } while (p > l && k < 1000);
    return k - 1;
}

/* ---- writing rows through the store ---------------------------------------------------------- */

struct rowbuf {
    const struct table_def *t;
    struct store_value v[32];
};

static void row_reset(struct rowbuf *r, const char *table)
{
    r->t = model_table(table);
    memset(r->v, 0, sizeof(r->v));
}

static size_t field(const struct table_def *t, const char *name)
{
    size_t i;
    if (!table_field(t, name, &i)) {
        fprintf(stderr, "bench-rv: no field %s.%s\n", t->name, name);
        exit(1);
    }
    return i;
}

static void set_int(struct rowbuf *r, const char *name, int64_t v)
{
    size_t i = field(r->t, name);
    r->v[i].kind = SV_INT;
    r->v[i].i = v;
}

static void set_real(struct rowbuf *r, const char *name, double v)
{
    size_t i = field(r->t, name);
    r->v[i].kind = SV_REAL;
    r->v[i].r = v;
}

static void set_text(struct rowbuf *r, const char *name, const char *s)
{
    size_t i = field(r->t, name);
    r->v[i].kind = SV_TEXT;
    r->v[i].s = s;
    r->v[i].len = strlen(s);
}

static void insert(struct store *s, struct rowbuf *r)
{
    struct kith_error err = {0};
    if (store_insert(s, r->t, r->v, NULL, &err) < 0)
        die(&err, r->t->name);
}

/* The shape of the generated company. */
#define NUNITS      5
#define NTEAMS      50
#define NREPS       1000
#define SPAN_DAYS   1095            /* three years of history */
#define START_MS    1640995200000LL /* 2022-01-01 */
#define NINDUSTRIES 12
#define NTERR       20

static const char *const industries[NINDUSTRIES] = {
    "automotive", "food",      "packaging", "pharma", "chemicals", "energy",
    "logistics",  "aerospace", "machinery", "mining", "water",     "electronics"};
static const char *const bands[5] = {"<10M", "10-50M", "50-250M", "250M-1B", ">1B"};
static const char *const sources[8] = {"web",      "trade_show", "referral", "partner",
                                       "outbound", "webinar",    "ads",      "existing"};
static const char *const community[3] = {"leader", "doer", "watcher"};

/* One generated interaction before it gets its id (ids follow time). */
struct gen {
    int64_t at; /* ms */
    int32_t contact;
    int16_t type;  /* catalogue index */
    int32_t voids; /* index of the generated row it voids, or -1 */
};

/* A generated row's sort key: time, then contact, then generation order. */
struct keyed {
    int64_t at;
    int32_t contact, idx;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    if (x->contact != y->contact)
        return x->contact < y->contact ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void generate(const char *path, long ncontacts, long ninter)
{
    struct kith_error err = {0};
    struct store *s = NULL;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    unlink(tmp);
    if (store_open(tmp, STORE_CREATE, &s, &err) < 0)
        die(&err, "creating the bench database");
    double t0 = now_s();
    fprintf(stderr, "bench-rv: generating %ld contacts, %ld interactions into %s\n", ncontacts,
            ninter, path);
    /* one transaction, the interactions' indexes built once at the end (store_bulk_*) */
    struct store_bulk *bulk = NULL;
    if (store_bulk_begin(s, model_table("interactions"), &bulk, &err) < 0 ||
        store_begin(s, &err) < 0)
        die(&err, "starting");
    struct rowbuf r;
    char name[128], email[128];
    size_t ntypes;
    const struct catalogue_type *types = catalogue_types(&ntypes);
    for (size_t i = 0; i < ntypes; i++) {
        row_reset(&r, "interaction_types");
        set_int(&r, "id", (int64_t)i + 1);
        set_text(&r, "code", types[i].code);
        set_text(&r, "name", types[i].name);
        set_text(&r, "phase", catalogue_phase_name(catalogue_type_phase(&types[i])));
        set_int(&r, "level", types[i].level);
        set_text(&r, "channel", types[i].channel);
        set_real(&r, "touch", types[i].touch);
        set_real(&r, "tech", types[i].tech);
        set_int(&r, "rv", types[i].rv);
        set_int(&r, "cost", types[i].cost);
        set_int(&r, "is_trigger", types[i].is_trigger);
        set_int(&r, "is_voc", types[i].is_voc);
        insert(s, &r);
    }
    for (int u = 1; u <= NUNITS; u++) {
        row_reset(&r, "units");
        set_int(&r, "id", u);
        snprintf(name, sizeof(name), u == 1 ? "Direct" : "Partner %d", u - 1);
        set_text(&r, "name", name);
        set_text(&r, "kind", u == 1 ? "business_unit" : "partner");
        insert(s, &r);
    }
    for (int t = 1; t <= NTEAMS; t++) {
        row_reset(&r, "teams");
        set_int(&r, "id", t);
        snprintf(name, sizeof(name), "Team %02d", t);
        set_text(&r, "name", name);
        set_text(&r, "kind", "virtual_account");
        set_int(&r, "unit_id", 1 + (t - 1) % NUNITS);
        insert(s, &r);
    }
    for (int u = 1; u <= NREPS; u++) {
        row_reset(&r, "users");
        set_int(&r, "id", u);
        snprintf(email, sizeof(email), "rep%04d@bench.example", u);
        snprintf(name, sizeof(name), "Rep %04d", u);
        set_text(&r, "email", email);
        set_text(&r, "name", name);
        set_text(&r, "role", "frontline");
        int team = 1 + (u - 1) % NTEAMS;
        set_int(&r, "team_id", team);
        set_int(&r, "unit_id", 1 + (team - 1) % NUNITS);
        set_int(&r, "disabled", 0);
        insert(s, &r);
    }
    long naccounts = ncontacts / 5 > 0 ? ncontacts / 5 : 1;
    int *acct_owner = malloc((size_t)naccounts * sizeof(*acct_owner));
    for (long a = 0; a < naccounts; a++) {
        row_reset(&r, "accounts");
        set_int(&r, "id", a + 1);
        snprintf(name, sizeof(name), "Account %06ld", a + 1);
        set_text(&r, "name", name);
        set_text(&r, "industry", industries[below(NINDUSTRIES)]);
        snprintf(name, sizeof(name), "T%02u", below(NTERR) + 1);
        set_text(&r, "territory", name);
        set_text(&r, "revenue_band", bands[below(5)]);
        set_text(&r, "source", sources[below(8)]);
        acct_owner[a] = (int)below(NREPS) + 1;
        set_int(&r, "owner_id", acct_owner[a]);
        int team = 1 + (acct_owner[a] - 1) % NTEAMS;
        set_int(&r, "team_id", team);
        set_int(&r, "unit_id", 1 + (team - 1) % NUNITS);
        insert(s, &r);
    }
    for (long c = 0; c < ncontacts; c++) {
        row_reset(&r, "contacts");
        set_int(&r, "id", c + 1);
        long a = c % naccounts;
        set_int(&r, "account_id", a + 1);
        snprintf(name, sizeof(name), "Contact%07ld", c + 1);
        set_text(&r, "last_name", name);
        if (below(4) == 0)
            set_text(&r, "community_role", community[below(3)]);
        insert(s, &r);
    }
    /* types by level, weighted by frequency, triggers apart */
    int level_types[RV_MAX_LEVEL + 1][160], nlevel[RV_MAX_LEVEL + 1] = {0};
    int trig[RV_MAX_LEVEL + 1];
    for (int l = 0; l <= RV_MAX_LEVEL; l++)
        trig[l] = -1;
    for (size_t i = 0; i < ntypes; i++) {
        if (types[i].is_trigger && trig[types[i].level] < 0)
            trig[types[i].level] = (int)i;
        else if (types[i].freq > 0)
            level_types[types[i].level][nlevel[types[i].level]++] = (int)i;
    }
    /* interactions: each contact starts somewhere in the span and interacts at a steady pace;
     * engagement varies, and it advances a level after a few interactions of the current one */
    struct gen *g = malloc((size_t)ninter * sizeof(*g) + sizeof(*g));
    long n = 0, per = ninter / ncontacts;
    for (long c = 0; c < ncontacts && n < ninter; c++) {
        double start = uniform() * (SPAN_DAYS - 30);
        long k = c == ncontacts - 1 ? ninter - n : (long)poisson((double)per - 1) + 1;
        if (k > ninter - n)
            k = ninter - n;
        double gap = (SPAN_DAYS - start) / (double)(k + 1), day = start;
        int level = 1, at_level = 0;
        double pace = 2 + uniform() * 6; /* interactions per level */
        for (long i = 0; i < k; i++) {
            day += gap * (0.2 + 1.6 * uniform());
            if (day > SPAN_DAYS - 0.01)
                day = SPAN_DAYS - 0.01 * uniform();
            int type;
            if (at_level >= pace && trig[level] >= 0 && level < CATALOGUE_NLEVELS &&
                uniform() < 0.7) {
                type = trig[level];
                level++;
                at_level = 0;
            } else {
                type = nlevel[level] ? level_types[level][below((uint32_t)nlevel[level])] : 0;
                at_level++;
            }
            g[n].at = START_MS + (int64_t)(day * 86400.0) * 1000;
            g[n].contact = (int32_t)c;
            g[n].type = (int16_t)type;
            g[n].voids = -1;
            n++;
            /* now and then a correction voids it a day later */
            if (n < ninter && below(400) == 0) {
                g[n] = g[n - 1];
                g[n].at += 86400000;
                g[n].voids = (int32_t)(n - 1);
                n++;
                i++;
            }
        }
    }
    /* ids follow time, as in a live system: map each generated row to its id after sorting */
    int64_t *id_of = malloc((size_t)n * sizeof(*id_of));
    int32_t *orig = malloc((size_t)n * sizeof(*orig)); /* orig[id - 1]: generated row */
    struct keyed *kv = malloc((size_t)n * sizeof(*kv));
    for (long i = 0; i < n; i++)
        kv[i] = (struct keyed){g[i].at, g[i].contact, (int32_t)i};
    qsort(kv, (size_t)n, sizeof(*kv), cmp_keyed);
    for (long i = 0; i < n; i++) {
        orig[i] = kv[i].idx;
        id_of[kv[i].idx] = i + 1;
    }
    free(kv);
    fprintf(stderr, "bench-rv: %ld interactions generated, writing\n", n);
    if (store_bulk_defer_indexes(bulk, NULL, &err) < 0)
        die(&err, "deferring indexes");
    size_t f_id = field(model_table("interactions"), "id");
    size_t f_contact = field(model_table("interactions"), "contact_id");
    size_t f_user = field(model_table("interactions"), "user_id");
    size_t f_type = field(model_table("interactions"), "type_id");
    size_t f_at = field(model_table("interactions"), "occurred_at");
    size_t f_rv = field(model_table("interactions"), "rv");
    size_t f_cost = field(model_table("interactions"), "cost");
    size_t f_voids = field(model_table("interactions"), "voids_id");
    size_t f_source = field(model_table("interactions"), "source");
    size_t f_created = field(model_table("interactions"), "created_at");
    for (long i = 0; i < n; i++) {
        const struct gen *x = &g[orig[i]];
        const struct catalogue_type *ty = &types[x->type];
        row_reset(&r, "interactions");
        r.v[f_id] = (struct store_value){.kind = SV_INT, .i = i + 1};
        r.v[f_created] = (struct store_value){.kind = SV_INT, .i = x->at};
        r.v[f_contact] = (struct store_value){.kind = SV_INT, .i = x->contact + 1};
        if (ty->by_rep)
            r.v[f_user] =
                (struct store_value){.kind = SV_INT, .i = acct_owner[(x->contact) % naccounts]};
        r.v[f_type] = (struct store_value){.kind = SV_INT, .i = x->type + 1};
        r.v[f_at] = (struct store_value){.kind = SV_INT, .i = x->at};
        r.v[f_rv] = (struct store_value){.kind = SV_INT, .i = x->voids >= 0 ? 0 : ty->rv};
        r.v[f_cost] = (struct store_value){.kind = SV_INT, .i = x->voids >= 0 ? 0 : ty->cost};
        r.v[f_source] = (struct store_value){.kind = SV_TEXT, .s = "import", .len = 6};
        if (x->voids >= 0)
            r.v[f_voids] = (struct store_value){.kind = SV_INT, .i = id_of[x->voids]};
        insert(s, &r);
        if ((i + 1) % 1000000 == 0)
            fprintf(stderr, "  %ld / %ld (%.0f s)\n", i + 1, n, now_s() - t0);
    }
    /* orders for accounts whose contacts reached the customer level, and some events */
    long norders = 0, nevents = 0;
    for (long c = 0; c < ncontacts; c++) {
        if (below(3) != 0)
            continue;
        long a = c % naccounts;
        int k = 1 + poisson(2);
        for (int i = 0; i < k; i++) {
            row_reset(&r, "orders");
            set_int(&r, "account_id", a + 1);
            set_int(&r, "contact_id", c + 1);
            set_int(&r, "ordered_at", START_MS + (int64_t)(uniform() * SPAN_DAYS * 86400) * 1000);
            int64_t amount = 100000 + (int64_t)(uniform() * 5000000);
            set_int(&r, "amount", amount);
            set_int(&r, "margin", (int64_t)((double)amount * (uniform() * 0.5 - 0.1)));
            insert(s, &r);
            norders++;
        }
        if (below(5) == 0) {
            static const char *const kinds[] = {"repeat", "referral", "upsell", "churn",
                                                "bad_experience"};
            row_reset(&r, "events");
            set_text(&r, "kind", kinds[below(5)]);
            set_int(&r, "contact_id", c + 1);
            set_int(&r, "account_id", a + 1);
            set_int(&r, "occurred_at", START_MS + (int64_t)(uniform() * SPAN_DAYS * 86400) * 1000);
            insert(s, &r);
            nevents++;
        }
    }
    fprintf(stderr, "bench-rv: building indexes (%.0f s)\n", now_s() - t0);
    if (store_bulk_finish(bulk, &err) < 0 || store_commit(s, &err) < 0)
        die(&err, "committing");
    store_bulk_end(bulk);
    store_close(s);
    free(g);
    free(id_of);
    free(orig);
    free(acct_owner);
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "bench-rv: cannot rename %s: %s\n", tmp, strerror(errno));
        exit(1);
    }
    fprintf(stderr, "bench-rv: wrote %ld interactions, %ld orders, %ld events in %.0f s\n", n,
            norders, nevents, now_s() - t0);
}

/* ---- measurements ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int64_t latest_ms(const struct rv_snapshot *s)
{
    int32_t last = RV_TIME_MIN;
    for (size_t c = 0; c < s->nc; c++)
        if (s->last[c] > last)
            last = s->last[c];
    return rv_time_to_ms(last) + 1000;
}

static struct norm_workspace bench_ws;

/* RV + levels of everyone and the norm by team with positions, in one pass; returns seconds. */
static double kernels(const struct rv_snapshot *s, int64_t as_of, unsigned threads,
                      struct rv_contact_state *st, struct norm_result **keep, double *cpu)
{
    struct kith_error err = {0};
    double t0 = now_s(), c0 = cpu_s();
    struct norm_spec spec;
    norm_spec_init(&spec, NORM_TEAM, as_of);
    spec.nthreads = threads;
    spec.states = st;           /* RV, level and stage of every contact from the same pass */
    spec.workspace = &bench_ws; /* as a server keeps it between recomputations */
    struct norm_result *r;
    if (norm_compute(s, &spec, &r, &err) < 0)
        die(&err, "norm_compute");
    double t = now_s() - t0;
    if (cpu)
        *cpu = cpu_s() - c0;
    if (keep)
        *keep = r;
    else
        norm_result_free(r);
    return t;
}

/* The baseline: cumulative RV and per-team weekly medians in one SQL statement. */
static const char baseline_sql[] =
    "WITH RECURSIVE"
    /* counted interactions: neither voided nor voiding; RV recorded, else the type's */
    " v AS (SELECT i.contact_id, i.id, i.occurred_at AS t, coalesce(i.rv, it.rv) AS rv"
    "   FROM interactions i JOIN interaction_types it ON it.id = i.type_id"
    "   WHERE i.voids_id IS NULL AND i.occurred_at <= ?1"
    "     AND NOT EXISTS (SELECT 1 FROM interactions x WHERE x.voids_id = i.id)),"
    /* cumulative RV after each interaction, the contact's first instant, the next instant */
    " c AS (SELECT contact_id, t,"
    "   sum(rv) OVER (PARTITION BY contact_id ORDER BY t, id ROWS UNBOUNDED PRECEDING) AS cum,"
    "   min(t) OVER (PARTITION BY contact_id) AS first,"
    "   lead(t) OVER (PARTITION BY contact_id ORDER BY t, id) AS next_t FROM v),"
    /* each value holds for age buckets b0 .. b1 - 1 (bucket b: first + b weeks) */
    " runs AS (SELECT contact_id, cum, (t - first + ?2 - 1) / ?2 AS b0,"
    "   min((?1 - first) / ?2 + 1,"
    "       coalesce((next_t - first + ?2 - 1) / ?2, (?1 - first) / ?2 + 1)) AS b1 FROM c),"
    /* one row per contact and bucket, expanded run by run */
    " vals(contact_id, bucket, cum, b1) AS ("
    "   SELECT contact_id, b0, cum, b1 FROM runs WHERE b0 < b1"
    "   UNION ALL SELECT contact_id, bucket + 1, cum, b1 FROM vals WHERE bucket + 1 < b1),"
    " tv AS (SELECT coalesce(ct.team_id, a.team_id) AS team, bucket, cum FROM vals"
    "   JOIN contacts ct ON ct.id = vals.contact_id LEFT JOIN accounts a ON a.id = ct.account_id),"
    /* the median of each team and bucket (type 7 at 0.5: the middle value, or the mean of two) */
    " ranked AS (SELECT team, bucket, cum,"
    "   row_number() OVER (PARTITION BY team, bucket ORDER BY cum) AS rn,"
    "   count(*) OVER (PARTITION BY team, bucket) AS cnt FROM tv)"
    " SELECT team, bucket, max(cnt), avg(cum) FROM ranked"
    " WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY team, bucket";

static double baseline(const char *path, int64_t as_of, const struct norm_result *r,
                       const struct rv_snapshot *s, long *rows, long *mismatches)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, baseline_sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench-rv: baseline: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_exec(db, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-1000000", NULL, NULL, NULL);
    /* the engine works in whole seconds: give SQLite the same instant and bucket */
    int64_t as_of_s = (as_of / 1000) * 1000;
    sqlite3_bind_int64(st, 1, as_of_s);
    sqlite3_bind_int64(st, 2, 7LL * 86400000);
    double t0 = now_s();
    *rows = *mismatches = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        (*rows)++;
        int64_t team_id = sqlite3_column_int64(st, 0);
        int64_t bucket = sqlite3_column_int64(st, 1);
        int64_t cnt = sqlite3_column_int64(st, 2);
        double med = sqlite3_column_double(st, 3);
        int32_t key = rv_find_id(s->teams.id, s->teams.n, team_id);
        const struct norm_group *g = norm_group_of(r, key);
        if (!g || bucket >= g->nrows) {
            (*mismatches)++;
            continue;
        }
        const struct norm_row *row = &r->rows[g->row_off + (size_t)bucket];
        if (row->n != cnt || fabs(row->p50 - med) > 1e-9)
            (*mismatches)++;
    }
    double t = now_s() - t0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return t;
}

static const char usage_text[] =
    "usage: bench-rv [--db PATH] [--contacts N] [--interactions N] [--runs N]\n"
    "                [--updates N] [--skip-baseline] [--generate-only]\n\n"
    "Generates the database at PATH when it is missing (default bench/out/rv-10m.db: 500000\n"
    "contacts, 10000000 interactions), then times the snapshot load, RV + levels + norms by\n"
    "team (--runs times, median), --updates incremental updates, and the SQL baseline.\n";

static void usage(void)
{
    fputs(usage_text, stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    struct opts o = {"bench/out/rv-10m.db", 500000, 10000000, 5, 100000, false, false};
    setvbuf(stdout, NULL, _IOLBF, 0); /* each result as soon as it is known */
    static const struct option lo[] = {{"db", required_argument, NULL, 'd'},
                                       {"contacts", required_argument, NULL, 'c'},
                                       {"interactions", required_argument, NULL, 'i'},
                                       {"runs", required_argument, NULL, 'r'},
                                       {"updates", required_argument, NULL, 'u'},
                                       {"skip-baseline", no_argument, NULL, 'B'},
                                       {"generate-only", no_argument, NULL, 'G'},
                                       {"help", no_argument, NULL, 'h'},
                                       {0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'd':
            o.db = optarg;
            break;
        case 'c':
            o.contacts = strtol(optarg, NULL, 10);
            break;
        case 'i':
            o.interactions = strtol(optarg, NULL, 10);
            break;
        case 'r':
            o.runs = (int)strtol(optarg, NULL, 10);
            break;
        case 'u':
            o.updates = (int)strtol(optarg, NULL, 10);
            break;
        case 'B':
            o.skip_baseline = true;
            break;
        case 'G':
            o.generate_only = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            usage();
        }
    }
    if (o.contacts < 1 || o.interactions < o.contacts || o.runs < 1 || o.runs > 100 ||
        o.updates < 100)
        usage();
    struct stat sb;
    if (stat(o.db, &sb) != 0)
        generate(o.db, o.contacts, o.interactions);
    if (o.generate_only)
        return 0;

    struct kith_error err = {0};
    struct store *s;
    /* read-write, so that a database cached by an older kith is migrated once */
    if (store_open(o.db, 0, &s, &err) < 0)
        die(&err, "opening");
    double loadavg[3] = {0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &loadavg[0], &loadavg[1], &loadavg[2]) != 3)
            loadavg[0] = -1;
        fclose(la);
    }
    printf("Relationship Value benchmark: %s (load average %.2f at start, %ld cores)\n", o.db,
           loadavg[0], sysconf(_SC_NPROCESSORS_ONLN));

    /* load: warm the page cache once, then time */
    struct rv_snapshot *snap = NULL;
    double tload[2][3], cload[2][3];
    for (unsigned th = 1; th <= 2; th++) {
        for (int k = 0; k < 3; k++) {
            rv_snapshot_free(snap);
            snap = NULL;
            double t0 = now_s(), c0 = cpu_s();
            if (rv_snapshot_load(store_rv_source(s), th, &snap, &err) < 0)
                die(&err, "load");
            tload[th - 1][k] = now_s() - t0;
            cload[th - 1][k] = cpu_s() - c0;
        }
    }
    double load1 = median(tload[0], 3), load2 = median(tload[1], 3);
    double cpu1 = median(cload[0], 3), cpu2 = median(cload[1], 3);
    size_t bytes = rv_snapshot_bytes(snap);
    printf("  snapshot: %zu contacts, %zu interactions, %zu orders, %zu events\n", snap->nc,
           snap->nlive, snap->norders, snap->nevents);
    printf("  load from SQLite (target <= 3 s): 1 reader %.2f s (cpu %.2f s),"
           " 2 readers %.2f s (cpu %.2f s)\n",
           load1, cpu1, load2, cpu2);
    printf("  snapshot bytes per interaction: %.1f (%zu MiB; target <= 32)\n",
           (double)bytes / (double)snap->nlive, bytes >> 20);

    int64_t as_of = latest_ms(snap);
    struct rv_contact_state *st = malloc(snap->nc * sizeof(*st));
    double t1[100], t2[100], c1[100], c2[100];
    struct norm_result *norm = NULL;
    kernels(snap, as_of, 1, st, NULL, NULL); /* warm */
    for (int k = 0; k < o.runs; k++) {
        t1[k] = kernels(snap, as_of, 1, st, NULL, &c1[k]);
        t2[k] = kernels(snap, as_of, 2, st, k == o.runs - 1 ? &norm : NULL, &c2[k]);
    }
    double k1 = median(t1, o.runs), k2 = median(t2, o.runs);
    {
        /* the fused pass gives what rv_compute() gives */
        struct rv_contact_state *ref = malloc(snap->nc * sizeof(*ref));
        if (rv_compute(snap, as_of, NULL, 2, ref, &err) < 0)
            die(&err, "rv_compute");
        for (size_t c = 0; c < snap->nc; c++)
            if (ref[c].rv != st[c].rv || ref[c].level != st[c].level || ref[c].last != st[c].last ||
                ref[c].ncounted != st[c].ncounted) {
                fprintf(stderr, "bench-rv: states differ at contact %zu\n", c);
                exit(1);
            }
        free(ref);
    }
    double kc1 = median(c1, o.runs), kc2 = median(c2, o.runs);
    size_t exact = 0;
    for (size_t g = 0; g < norm->ngroups; g++)
        exact += norm->groups[g].exact;
    printf("  RV + levels + norms by team (%zu groups, %zu rows, %zu from histograms;"
           " target <= 200 ms):\n"
           "    1 thread %.1f ms (cpu %.1f ms), 2 threads %.1f ms (cpu %.1f ms), median of %d\n",
           norm->ngroups, norm->nrows, exact, k1 * 1e3, kc1 * 1e3, k2 * 1e3, kc2 * 1e3, o.runs);

    /* incremental updates: new interactions of random contacts, mostly at the end of their
     * runs, one in ten in the past; each followed by the contact's position in the norm */
    double *lat = malloc((size_t)o.updates * sizeof(*lat));
    int64_t next_id = 0;
    for (size_t c = 0; c < snap->nc; c++)
        for (size_t i = rv_run_begin(snap, c); i < rv_run_end(snap, c); i++)
            if (snap->iid[i] > next_id)
                next_id = snap->iid[i];
    rng_state = 42;
    for (int k = 0; k < o.updates; k++) {
        int64_t cid = snap->cid[below((uint32_t)snap->nc)];
        int64_t at = below(10) ? as_of + k * 1000 : as_of - (int64_t)below(300) * 86400000;
        struct rv_interaction_in in = {.id = ++next_id,
                                       .contact_id = cid,
                                       .user_id = snap->users.id[below((uint32_t)snap->users.n)],
                                       .type_id = snap->types[below((uint32_t)snap->ntypes)].id,
                                       .occurred_at = at};
        struct rv_update up;
        struct norm_position pos[4];
        size_t np;
        double t0 = now_s();
        if (rv_snapshot_add_interaction(snap, &in, 0, &up, &err) < 0)
            die(&err, "add");
        norm_position_of(norm, snap, (size_t)up.contact, as_of, pos, 4, &np);
        lat[k] = now_s() - t0;
    }
    qsort(lat, (size_t)o.updates, sizeof(*lat), cmp_double);
    printf("  incremental update + position (%d updates): p50 %.2f us, p99 %.2f us, max %.1f us"
           " (target p99 <= 20 us)\n",
           o.updates, lat[o.updates / 2] * 1e6, lat[o.updates * 99 / 100] * 1e6,
           lat[o.updates - 1] * 1e6);
    free(lat);

    if (!o.skip_baseline) {
        /* the norm of the snapshot as loaded (the updates above changed it) */
        rv_snapshot_free(snap);
        if (rv_snapshot_load(store_rv_source(s), 2, &snap, &err) < 0)
            die(&err, "load");
        norm_result_free(norm);
        kernels(snap, as_of, 2, st, &norm, NULL);
        long rows, bad;
        double tb = baseline(o.db, as_of, norm, snap, &rows, &bad);
        printf("  baseline (one SQL query, window functions): %.1f s, %ld rows, %ld differ from"
               " the engine\n",
               tb, rows, bad);
        printf("  ratio baseline / engine (2 threads): %.0fx\n", tb / k2);
    }
    norm_result_free(norm);
    norm_workspace_release(&bench_ws);
    free(st);
    rv_snapshot_free(snap);
    store_close(s);
    return 0;
}
