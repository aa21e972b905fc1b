/*
 * value_data.h - the inputs of customer value management (DESIGN.md §6) as plain arrays:
 * accounts with their segment labels, orders, order lines with products, cost to serve per
 * account and referrals between accounts. A customer is an account with at least one order.
 *
 * The store fills a struct cv_data (store_cv_load() in store/value.c); the engine modules
 * (engine/value.c, dist.c, drivers.c, rfm.c, reap.c, basket.c, referral.c) only read it. Money is
 * in minor units (cents) as in the store; times are Unix milliseconds; a "day" is a day number
 * since 1970-01-01 UTC (cv_day()).
 */
#ifndef KITH_MODEL_VALUE_DATA_H
#define KITH_MODEL_VALUE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CV_NONE     (-1) /* the label code of a missing (NULL or empty) value */
#define CV_DAY_MS   86400000LL
#define CV_NO_INDEX SIZE_MAX

/* Distinct names of one text column, sorted bytewise; a code is an index into names. */
struct cv_labels {
    size_t n;
    char **names; /* owned: each name and the array */
};

/* An offset into cv_data.strings; CV_NO_TEXT: none (NULL). */
#define CV_NO_TEXT UINT32_MAX

struct cv_account {
    int64_t id;
    int64_t created_at;   /* Unix ms: when the row was made (the import time for imported data) */
    uint32_t name;        /* offset in cv_data.strings, or CV_NO_TEXT */
    uint32_t external_id; /* offset in cv_data.strings, or CV_NO_TEXT */
    int32_t industry;     /* code in cv_data.industries, or CV_NONE */
    int32_t revenue_band; /* code in cv_data.revenue_bands, or CV_NONE */
    int32_t source;       /* code in cv_data.sources, or CV_NONE */
    int32_t unit;         /* code in cv_data.units (by unit name), or CV_NONE */
    int64_t wallet;       /* estimated annual category spend, minor units; CV_NO_WALLET: none */
    int32_t wallet_year;  /* the year the wallet is for; 0: not said */
};
#define CV_NO_WALLET (-1) /* an account without an estimated wallet */

/* An order's kind (orders.kind): a sale, or money going back to the customer. */
enum cv_order_kind {
    CV_SALE = 0,
    CV_RETURN, /* goods came back: amount <= 0 */
    CV_CREDIT, /* money given back without goods: amount <= 0 */
};

/*
 * An order. Value to date and current value are net: they add every kind (a return's amount is
 * negative). Purchases (frequency, purchase days, recency, the models' summaries, baskets,
 * product holding) count sales only (docs/value.md, "Returns and credits").
 */
struct cv_order {
    int64_t account_id;
    int64_t at;     /* ordered_at, Unix ms */
    int64_t amount; /* minor units */
    int64_t margin; /* minor units; 0 when !has_margin */
    bool has_margin;
    uint8_t kind; /* enum cv_order_kind */
};

struct cv_product {
    int64_t id;
    int64_t price;    /* list price in minor units; 0 when unknown */
    int32_t category; /* code in cv_data.categories, or CV_NONE */
    char *sku;        /* owned */
    char *name;       /* owned */
};

/* One line of a sale (lines of returns and credits are not loaded), with what the engine needs of
 * its order. */
struct cv_line {
    int64_t order_id;
    int64_t account_id;
    int64_t at;      /* the order's ordered_at, Unix ms */
    int32_t product; /* index into cv_data.products */
};

/* Interaction cost spent on an account's contacts (voided and voiding interactions excluded). */
struct cv_cost {
    int64_t account_id;
    int64_t to_date; /* minor units, interactions up to the as-of day */
    int64_t current; /* minor units, interactions in the current window */
};

/* A referral event, between accounts: the referrer's account brought in the referred one. */
struct cv_referral {
    int64_t referrer; /* account id */
    int64_t referred; /* account id */
    int64_t at;       /* Unix ms */
};

/*
 * Everything loaded for one analysis. Arrays are owned by the struct (cv_data_release frees
 * them); an array that was not asked for is NULL with a count of 0. Orders: ascending by
 * (account_id, at). Accounts and products: ascending id. Lines: ascending order_id. Costs:
 * ascending account_id. Referrals: ascending at.
 */
struct cv_data {
    struct cv_account *accounts;
    size_t naccounts;
    struct cv_labels industries, revenue_bands, sources, units, categories;
    /*
     * The accounts' names and external ids, each NUL-terminated, one after the other: one
     * allocation for all of them, not one per account (a million accounts load cheaply).
     */
    char *strings;
    size_t strings_len, strings_cap;
    struct cv_order *orders;
    size_t norders;
    struct cv_product *products;
    size_t nproducts;
    struct cv_line *lines;
    size_t nlines;
    struct cv_cost *costs;
    size_t ncosts;
    struct cv_referral *referrals;
    size_t nreferrals;
    int32_t as_of_day;    /* the day the loader used for the cost windows (and its default) */
    int32_t current_days; /* length of the current window in days, ending on as_of_day */
    size_t ncurrencies;   /* distinct non-empty currency codes among the loaded orders */
};

/* Frees everything d owns and zeroes it; safe on a zeroed struct and twice in a row. */
void cv_data_release(struct cv_data *d);

/* Frees the names of l and zeroes it. */
void cv_labels_release(struct cv_labels *l);

/* The day number (days since 1970-01-01 UTC, floor) of Unix milliseconds ms. */
int32_t cv_day(int64_t ms);

/*
 * Binary search over base[0..n) (elements of size bytes, ascending by the int64_t key found
 * offset bytes into each element): the index of the first element whose key is not below key
 * (n when there is none). The one lookup that the value modules share.
 */
size_t cv_lower_bound(const void *base, size_t n, size_t size, size_t offset, int64_t key);

/* The index of account id in d->accounts, or CV_NO_INDEX. O(log n). */
size_t cv_account_index(const struct cv_data *d, int64_t id);

/* The text at offset off of d->strings, or NULL for CV_NO_TEXT. */
const char *cv_text(const struct cv_data *d, uint32_t off);

/*
 * Appends text (len bytes, no NUL needed) to d->strings and sets *off to where it starts. The
 * table holds at most 4 GiB - 1 bytes: beyond that, or out of memory, -1 (nothing changed).
 */
int cv_text_add(struct cv_data *d, const char *text, size_t len, uint32_t *off);

/* The name of code in l, or "" for CV_NONE or a code out of range. Never NULL. */
const char *cv_label(const struct cv_labels *l, int32_t code);

#endif
