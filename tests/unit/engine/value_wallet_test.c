/*
 * Tests for share of wallet (src/engine/value_wallet.c, value_customers.c, drivers.c): the figure
 * by hand (annualised for periods other than a year; no wallet, a wallet of 0), each customer's
 * share on a hand-made book with a return in the window and an order before it, the distribution
 * (quartiles, bands, the share of the sums), and the movement between the two periods of value
 * migration.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/drivers.h"
#include "engine/value.h"

#define assert_near(a, e, tol) assert_true(fabs((double)(a) - (double)(e)) <= (tol))
#define DAY                    CV_DAY_MS

static void share_by_hand(void **state)
{
    (void)state;
    /* a year: revenue / wallet */
    assert_near(value_wallet_share(300, 1000, 365), 0.3, 1e-15);
    /* 73 days are a fifth of a year: the wallet for them is 200 */
    assert_near(value_wallet_share(50, 1000, 73), 0.25, 1e-15);
    /* two years: the wallet for them is 2000 */
    assert_near(value_wallet_share(500, 1000, 730), 0.25, 1e-15);
    /* net revenue can be negative, and the share above 1 */
    assert_near(value_wallet_share(-100, 1000, 365), -0.1, 1e-15);
    assert_near(value_wallet_share(1500, 1000, 365), 1.5, 1e-15);
    /* no wallet, a wallet of 0, no period */
    assert_true(isnan(value_wallet_share(300, NAN, 365)));
    assert_true(isnan(value_wallet_share(300, 0, 365)));
    assert_true(isnan(value_wallet_share(300, -5, 365)));
    assert_true(isnan(value_wallet_share(300, 1000, 0)));
}

#define ORDER(account, day, amt, k)                                                                \
    {                                                                                              \
        .account_id = (account), .at = (day)*DAY + 3600000, .amount = (amt), .kind = (k)           \
    }

/*
 * Account 1: wallet $1,000; a sale of $500 before the current window (days 36..400), sales of
 * $300 and $200 and a return of $50 in it: share (300 + 200 - 50) / 1000 = 0.45.
 * Account 2: no wallet. Account 3: a wallet of 0 (no share). Account 4: wallet $2,000, $2,600
 * in the window: share 1.3.
 */
static struct cv_account accounts[] = {
    {.id = 1, .wallet = 100000, .wallet_year = 2026},
    {.id = 2, .wallet = CV_NO_WALLET},
    {.id = 3, .wallet = 0},
    {.id = 4, .wallet = 200000},
};
static struct cv_order book[] = {
    ORDER(1, 10, 50000, CV_SALE),    ORDER(1, 100, 30000, CV_SALE), ORDER(1, 300, 20000, CV_SALE),
    ORDER(1, 310, -5000, CV_RETURN), ORDER(2, 200, 10000, CV_SALE), ORDER(3, 200, 10000, CV_SALE),
    ORDER(4, 390, 260000, CV_SALE),
};

static void build(struct value_result *r)
{
    struct cv_data d = {.accounts = accounts,
                        .naccounts = sizeof(accounts) / sizeof(accounts[0]),
                        .orders = book,
                        .norders = sizeof(book) / sizeof(book[0])};
    struct value_options o;
    value_options_default(&o);
    o.as_of_day = 400;
    o.current_days = 365;
    assert_int_equal(value_customers_build(&d, &o, r, NULL), 0);
    assert_int_equal(r->n, 4);
}

static void share_per_customer(void **state)
{
    (void)state;
    struct value_result r;
    build(&r);
    assert_near(r.c[0].amount_current, 450, 1e-9);
    assert_near(r.c[0].wallet, 1000, 1e-9);
    assert_near(r.c[0].share_of_wallet, 0.45, 1e-12);
    assert_near(r.c[1].amount_current, 100, 1e-9);
    assert_true(isnan(r.c[1].wallet) && isnan(r.c[1].share_of_wallet));
    assert_true(isnan(r.c[2].share_of_wallet)); /* a wallet of 0 gives no share */
    assert_near(r.c[3].share_of_wallet, 1.3, 1e-12);

    struct value_wallet_dist w;
    assert_int_equal(value_wallet_dist_build(&r, NULL, 0, &w, NULL), 0);
    assert_int_equal(w.with, 2);
    assert_int_equal(w.without, 2);
    assert_near(w.revenue, 450 + 2600, 1e-9);
    assert_near(w.wallet, 3000, 1e-9);
    assert_near(w.aggregate, 3050.0 / 3000, 1e-12);
    assert_near(w.mean, (0.45 + 1.3) / 2, 1e-12);
    /* type-7 quartiles of {0.45, 1.3} */
    assert_near(w.p25, 0.45 + 0.25 * 0.85, 1e-12);
    assert_near(w.median, 0.45 + 0.5 * 0.85, 1e-12);
    assert_near(w.p75, 0.45 + 0.75 * 0.85, 1e-12);
    size_t want[VALUE_WALLET_BANDS] = {0, 0, 1, 0, 0, 1}; /* 25-50%, 100%+ */
    for (size_t b = 0; b < VALUE_WALLET_BANDS; b++)
        assert_int_equal(w.bands[b], want[b]);

    /* a subset: account 2 alone has no wallet, nothing to summarise */
    const size_t only2[] = {1};
    assert_int_equal(value_wallet_dist_build(&r, only2, 1, &w, NULL), 0);
    assert_int_equal(w.with, 0);
    assert_int_equal(w.without, 1);
    assert_true(isnan(w.mean) && isnan(w.median) && isnan(w.aggregate));
    value_result_release(&r);
}

/*
 * Migration over periods of 100 days: "from" days 201..300, "to" days 301..400. Account 1: $200
 * then -$50 (its return): down. Account 4: nothing then $2,600: up. The wallet for 100 days is
 * wallet x 100 / 365.
 */
static void wallet_movement(void **state)
{
    (void)state;
    struct value_result r;
    build(&r);
    struct cv_data d = {.accounts = accounts,
                        .naccounts = sizeof(accounts) / sizeof(accounts[0]),
                        .orders = book,
                        .norders = sizeof(book) / sizeof(book[0])};
    struct drivers_migration m;
    assert_int_equal(drivers_migration_build(&d, &r, 100, &m, NULL, NULL, NULL), 0);
    const struct drivers_wallet_move *w = &m.wallet;
    assert_int_equal(w->with, 2);
    assert_int_equal(w->without, 2);
    assert_int_equal(w->up, 1);
    assert_int_equal(w->down, 1);
    assert_int_equal(w->same, 0);
    const double w1 = 1000 * 100.0 / 365, w4 = 2000 * 100.0 / 365;
    assert_near(w->from_mean, (200 / w1 + 0 / w4) / 2, 1e-12);
    assert_near(w->to_mean, (-50 / w1 + 2600 / w4) / 2, 1e-12);
    assert_near(w->from_share, 200 / (w1 + w4), 1e-12);
    assert_near(w->to_share, 2550 / (w1 + w4), 1e-12);
    value_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(share_by_hand),
        cmocka_unit_test(share_per_customer),
        cmocka_unit_test(wallet_movement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
