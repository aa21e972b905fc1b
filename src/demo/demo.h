/*
 * demo.h - the generator behind `kith demo`: a deterministic, realistic value network.
 *
 * A manufacturer with two business units and three partners, their teams and reps, and
 * accounts, contacts, interactions (over the default catalogue), products, orders and events
 * simulated from 2023-07-01 to a fixed "now" of 2026-06-30T00:00:00Z. The same seed and size
 * give the same rows, byte for byte: nothing reads the wall clock. The model, the planted
 * effects the analytics are checked against, and every parameter: docs/demo-data.md.
 */
#ifndef KITH_DEMO_DEMO_H
#define KITH_DEMO_DEMO_H

#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

#define DEMO_DEFAULT_SEED     42
#define DEMO_DEFAULT_CONTACTS 10000
#define DEMO_MIN_CONTACTS     10
#define DEMO_MAX_CONTACTS     100000
/* Accounts = contacts / DEMO_CONTACTS_PER_ACCOUNT (rounded, at least 1). */
#define DEMO_CONTACTS_PER_ACCOUNT 5

/* The simulated clock, Unix milliseconds UTC. */
#define DEMO_START_MS  1688169600000LL /* 2023-07-01T00:00:00Z: first account arrives */
#define DEMO_GOLIVE_MS 1693526400000LL /* 2023-09-01T00:00:00Z: earlier interactions imported */
#define DEMO_CUTOFF_MS 1751328000000LL /* 2025-07-01T00:00:00Z: the leading-indicator cut-off */
#define DEMO_NOW_MS    1782777600000LL /* 2026-06-30T00:00:00Z: "now"; every row is before it */
#define DEMO_DAY_MS    86400000LL

struct demo_options {
    uint64_t seed;
    unsigned contacts; /* DEMO_MIN_CONTACTS .. DEMO_MAX_CONTACTS */
    /* Called now and then while rows are written (done of total); may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

/* What was written. */
struct demo_summary {
    int64_t units, teams, users, accounts, contacts, interaction_types, interactions, voided,
        products, orders, order_lines, events, referrals, customers, churned, deals, deal_lines;
};

/*
 * Fills the open store s with the demo network in one transaction. The database must hold no
 * rows in any table (else KITH_ECONFLICT and nothing is written). On failure everything is
 * rolled back. sum (when non-NULL) receives the counts.
 */
int demo_build(struct store *s, const struct demo_options *opt, struct demo_summary *sum,
               struct kith_error *err);

#endif
