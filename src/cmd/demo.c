/*
 * demo.c - kith demo: builds a deterministic, realistic demo database (demo/demo.h) in a new
 * or empty file, shows progress on a terminal and prints what it wrote. The model and its
 * planted effects: docs/demo-data.md.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analysis/rv_levels.h"
#include "cmd/cmd.h"
#include "util/num.h"
#include "demo/demo.h"
#include "util/progress.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith demo [--contacts N] [--seed S] [--db PATH]\n\n"
    "Fills a new or empty database (default: $KITH_DB, else ./kith.db; created when missing)\n"
    "with a simulated value network: a manufacturer, two business units, three partners, their\n"
    "teams and reps, accounts, contacts, about 50 interactions per contact over the default\n"
    "catalogue from 2023-07-01 to 2026-06-30, orders and events. The same seed and size always\n"
    "give the same data. A database that already holds rows is refused.\n\n"
    "  --contacts N   number of contacts, 10..100000 (default 10000); accounts are N/5\n"
    "  --seed S       seed of the simulation, 0..2^64-1 (default 42)\n"
    "  --db PATH      the database file\n";

/* Parses a whole decimal number in [lo, hi] (util/num.h); false on anything else. */
static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    return s && num_uint64(s, lo, hi, out, "value", NULL) == 0;
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress *p = ctx;
    p->total_bytes = total;
    progress_update(p, done, done);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"contacts", required_argument, NULL, 'c'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    struct demo_options o = {.seed = DEMO_DEFAULT_SEED, .contacts = DEMO_DEFAULT_CONTACTS};
    const char *db = NULL;
    uint64_t v;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!parse_u64(optarg, DEMO_MIN_CONTACTS, DEMO_MAX_CONTACTS, &v))
                return cmd_usage_error("demo",
                                       "--contacts takes a whole number from %d to %d,"
                                       " not '%s'",
                                       DEMO_MIN_CONTACTS, DEMO_MAX_CONTACTS, optarg);
            o.contacts = (unsigned)v;
            break;
        case 's':
            if (!parse_u64(optarg, 0, UINT64_MAX, &v))
                return cmd_usage_error("demo", "--seed takes a whole number, not '%s'", optarg);
            o.seed = v;
            break;
        case 'd':
            db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("demo", "unknown option");
        }
    }
    if (optind < argc)
        return cmd_usage_error("demo", "unexpected argument '%s'", argv[optind]);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const char *path = cmd_db_path(db);
    struct store *s = cmd_open_store(db, STORE_CREATE);
    if (!s)
        return CMD_FAIL;
    struct progress bar;
    progress_init(&bar, stderr, "demo", 0);
    o.progress = on_progress;
    o.progress_ctx = &bar;
    struct kith_error err = {0};
    struct demo_summary sum;
    int rc = demo_build(s, &o, &sum, &err);
    progress_finish(&bar, bar.total_bytes, bar.total_bytes);
    if (rc == 0) /* the contacts' level and stage come from the interactions just written */
        rc = rv_levels_refresh(s, 2, NULL, &err);
    store_close(s);
    if (rc < 0)
        return cmd_fail(&err);
    printf("%s: demo network, seed %" PRIu64 ", built in %.1f s\n", path, o.seed,
           seconds_since(&t0));
    printf("  %" PRId64 " units, %" PRId64 " teams, %" PRId64 " users\n", sum.units, sum.teams,
           sum.users);
    printf("  %" PRId64 " accounts (%" PRId64 " customers, %" PRId64 " gave notice), %" PRId64
           " contacts\n",
           sum.accounts, sum.customers, sum.churned, sum.contacts);
    printf("  %" PRId64 " interaction types, %" PRId64 " interactions (%" PRId64 " voided)\n",
           sum.interaction_types, sum.interactions, sum.voided);
    printf("  %" PRId64 " products, %" PRId64 " orders, %" PRId64 " order lines\n", sum.products,
           sum.orders, sum.order_lines);
    printf("  %" PRId64 " events (%" PRId64 " referrals)\n", sum.events, sum.referrals);
    printf("  %" PRId64 " deals, %" PRId64 " deal lines\n", sum.deals, sum.deal_lines);
    printf("Simulated now: 2026-06-30T00:00:00Z. What is planted in it: docs/demo-data.md\n");
    return CMD_OK;
}
