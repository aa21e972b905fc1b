/*
 * portal_erase.c - the erasure benchmark of make bench-portal (issue 16, item 10): erasing one
 * contact on the 10,000,000-interaction database of bench-rv (bench/out/rv-10m.db) in at most
 * 50 ms. Works on a copy (bench/out/portal-10m.db, made once), so that bench-rv's file stays as
 * it was. Each contact picked (seeded, spread over the id range) is first given personal data
 * through the store (email, first name, phone, title, a note on each of its interactions: the
 * bench's contacts carry only a last name), outside the timing; then an erasure request is filed
 * and completed as `kith dsr complete` does it (api/dsrs.h): the personal fields of its row and
 * of its interactions emptied under secure_delete, its portal rows deleted, the audit log
 * scrubbed, the commit (synchronous=FULL) and the checkpoint of the WAL. Prints the median, the
 * 90th percentile and the worst of the completions, and of filing + completing. Then reads the
 * whole file for the erased emails: a copy left by SQLite's rebalancing of pages in their unused
 * space (docs/portal.md, "Erasure") is counted, and `kith dsr vacuum` would remove it.
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
#include "store/store.h"

#include "util/banned.h"

#define INTERACTIONS_MAX 4096 /* per contact; bench-rv's have about 20 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const struct kith_error *err, const char *what)
{
    fprintf(stderr, "bench-portal_erase: %s: %s\n", what, err->msg);
    exit(1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

static struct store_value text(const char *s)
{
    return (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

/* Gives contact id personal data (outside the timing), in one transaction. */
static void personalise(struct store *s, int64_t id, int64_t *ids, size_t *nint)
{
    struct kith_error err = {0};
    const struct table_def *c = model_table("contacts"), *it = model_table("interactions");
    struct store_value cv[64] = {0}, iv[64] = {0};
    bool cset[64] = {0}, iset[64] = {0};
    char email[128], phone[64], note[256];
    size_t k;
    snprintf(email, sizeof(email), "erase.me.%lld@bench.example", (long long)id);
    snprintf(phone, sizeof(phone), "+1 555 %07lld", (long long)(id % 10000000));
    snprintf(note, sizeof(note), "Called Erin about the renewal; reach her at %s or %s", email,
             phone);
    if (store_begin(s, &err) < 0)
        die(&err, "begin");
    const char *names[] = {"email", "first_name", "phone", "title"};
    const char *vals[] = {email, "Erin", phone, "Head of Purchasing"};
    for (int i = 0; i < 4; i++) {
        if (!table_field(c, names[i], &k))
            abort();
        cv[k] = text(vals[i]);
        cset[k] = true;
    }
    if (store_update(s, c, id, cv, cset, &err) < 0)
        die(&err, "giving the contact personal data");
    struct store_value key = {.kind = SV_INT, .i = id};
    if (store_find_ids(s, it, "contact_id", &key, ids, INTERACTIONS_MAX, nint, &err) < 0)
        die(&err, "finding its interactions");
    if (*nint > INTERACTIONS_MAX)
        *nint = INTERACTIONS_MAX;
    if (!table_field(it, "notes", &k))
        abort();
    iv[k] = text(note);
    iset[k] = true;
    for (size_t i = 0; i < *nint; i++)
        if (store_update(s, it, ids[i], iv, iset, &err) < 0)
            die(&err, "writing a note");
    if (store_commit(s, &err) < 0)
        die(&err, "commit");
    /* its pages into the main file now, so that the erasure's checkpoint carries only its own */
    if (store_checkpoint(s, &err) < 0)
        die(&err, "checkpoint");
}

static int copy_file(const char *from, const char *to)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", to);
    FILE *in = fopen(from, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
    if (!in || !out) {
        fprintf(stderr, "bench-portal_erase: cannot copy %s to %s: %s\n", from, tmp,
                strerror(errno));
        if (in)
            fclose(in);
        return -1;
    }
    static char buf[1 << 20];
    size_t n;
    int rc = 0;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = -1;
    fclose(in);
    if (fclose(out) != 0 || rc < 0 || rename(tmp, to) != 0) {
        fprintf(stderr, "bench-portal_erase: copying %s failed: %s\n", from, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Erased contacts whose email is still somewhere in the file at path (whole-file scan). */
static long leftovers(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    static char buf[(8 << 20) + 64];
    static const char needle[] = "erase.me.";
    size_t keep = 0, n;
    long found = 0;
    while ((n = fread(buf + keep, 1, sizeof(buf) - 64 - keep, f)) > 0) {
        size_t len = keep + n;
        for (const char *p = buf;
             (p = memmem(p, len - (size_t)(p - buf), needle, sizeof(needle) - 1)) != NULL; p++)
            found++;
        keep = len < sizeof(needle) ? len : sizeof(needle) - 1;
        memmove(buf, buf + len - keep, keep);
    }
    fclose(f);
    return found;
}

static const char usage[] =
    "usage: bench-portal_erase [--source PATH] [--db PATH] [--contacts N]\n\n"
    "Erases N contacts (default 50) one at a time from a copy (--db, default\n"
    "bench/out/portal-10m.db, made from --source, default bench/out/rv-10m.db, when missing)\n"
    "and prints the time of each erasure's completion (target: at most 50 ms).\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"source", required_argument, NULL, 's'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"contacts", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *source = "bench/out/rv-10m.db", *db = "bench/out/portal-10m.db";
    int n = 50, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            source = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'n':
            n = (int)strtol(optarg, NULL, 10);
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (n < 1 || n > 10000) {
        fputs("bench-portal_erase: --contacts is 1..10000\n", stderr);
        return 2;
    }
    struct stat st;
    if (stat(db, &st) != 0) {
        fprintf(stderr, "bench-portal_erase: copying %s to %s (once)\n", source, db);
        if (copy_file(source, db) < 0)
            return 1;
    }
    struct kith_error err = {0};
    struct store *s;
    if (store_open(db, 0, &s, &err) < 0)
        die(&err, "opening the database");
    const struct table_def *ct = model_table("contacts"), *itt = model_table("interactions");
    int64_t ncontacts = 0, ninter = 0;
    if (store_count(s, ct, &ncontacts, &err) < 0 || store_count(s, itt, &ninter, &err) < 0)
        die(&err, "counting");
    printf("database %s: %lld contacts, %lld interactions\n", db, (long long)ncontacts,
           (long long)ninter);
    int64_t *ids = malloc(sizeof(*ids) * INTERACTIONS_MAX);
    double *complete = malloc(sizeof(double) * (size_t)n),
           *total = malloc(sizeof(double) * (size_t)n);
    if (!ids || !complete || !total)
        return 1;
    struct dsr_actor who = {.client_addr = "bench"};
    uint64_t x = 0x9E3779B97F4A7C15ull;
    long rows = 0;
    int done = 0;
    for (int i = 0; i < n * 4 && done < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t id = 1 + (int64_t)(x % (uint64_t)ncontacts);
        if (!store_row_exists(s, ct, id))
            continue;
        size_t nint = 0;
        personalise(s, id, ids, &nint);
        struct store_dsr d;
        struct store_erasure e;
        struct dsr_step_in in = {.verb = DSR_COMPLETE};
        double t0 = now_s();
        if (dsr_file(s, &who, id, DSR_ERASURE, 0, NULL, &d, &err) < 0)
            die(&err, "filing the request");
        double t1 = now_s();
        if (dsr_step(s, &who, d.id, &in, &d, &e, &err) < 0)
            die(&err, "completing the erasure");
        double t2 = now_s();
        complete[done] = (t2 - t1) * 1000;
        total[done] = (t2 - t0) * 1000;
        rows += (long)e.rows;
        done++;
    }
    qsort(complete, (size_t)done, sizeof(double), cmp_double);
    qsort(total, (size_t)done, sizeof(double), cmp_double);
    printf("erased %d contacts (%ld rows of their records emptied, %.1f a contact)\n", done, rows,
           (double)rows / done);
    printf("  erasure (complete: erase, audit, commit, checkpoint): median %.1f ms, p90 %.1f ms,"
           " max %.1f ms  [target <= 50 ms: %s]\n",
           pct(complete, done, 0.5), pct(complete, done, 0.9), complete[done - 1],
           pct(complete, done, 0.5) <= 50 ? "met" : "NOT met");
    printf("  file + complete:                                    median %.1f ms, p90 %.1f ms,"
           " max %.1f ms\n",
           pct(total, done, 0.5), pct(total, done, 0.9), total[done - 1]);
    free(ids);
    free(complete);
    free(total);
    store_close(s);
    double t = now_s();
    long left = leftovers(db);
    printf("  erased emails still in the file (unused page space; kith dsr vacuum removes them):"
           " %ld (scan of the file %.1f s)\n",
           left, now_s() - t);
    return 0;
}
