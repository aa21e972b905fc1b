/*
 * Tests for src/engine/indicator.c: Spearman's rho and the AUC worked out by hand, the seeded
 * bootstrap (a planted monotone relationship gives rho > 0 with an interval above 0; no
 * relationship gives an interval that covers 0), deciles, and the study on a snapshot: RV
 * gained in the window per account against margin, growth and churn after the cut-off.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/indicator.h"
#include "support/rvfixture.h"

#define assert_near(a, e, tol) assert_true(fabs((double)(a) - (double)(e)) < (tol))

static void test_spearman_by_hand(void **state)
{
    (void)state;
    /* y ranks with a tie: 1, 2, 3.5, 5, 3.5; rho = 8 / sqrt(10 * 9.5) */
    const double x[] = {1, 2, 3, 4, 5}, y[] = {5, 6, 7, 8, 7};
    assert_near(indicator_spearman(x, y, 5), 8 / sqrt(95), 1e-12);
    const double rev[] = {9, 7, 5, 3, 1};
    assert_near(indicator_spearman(x, rev, 5), -1, 1e-12);
    const double flat[] = {2, 2, 2, 2, 2};
    assert_true(isnan(indicator_spearman(x, flat, 5)));
    assert_true(isnan(indicator_spearman(x, y, 1)));
}

static void test_auc_by_hand(void **state)
{
    (void)state;
    /* positives 0.9, 0.3 against negatives 0.8, 0.3, 0.1: 3 + 1.5 of 6 pairs */
    const double score[] = {0.9, 0.8, 0.3, 0.3, 0.1};
    const uint8_t label[] = {1, 0, 1, 0, 0};
    assert_near(indicator_auc(score, label, 5), 0.75, 1e-12);
    const uint8_t none[] = {0, 0, 0, 0, 0};
    assert_true(isnan(indicator_auc(score, none, 5)));
}

static uint64_t prng;
static double unif(void)
{
    prng = prng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(prng >> 11) * 0x1.0p-53;
}

static void test_bootstrap_planted_and_none(void **state)
{
    (void)state;
    enum { N = 400 };
    double x[N], y[N], z[N];
    prng = 3;
    for (int i = 0; i < N; i++) {
        x[i] = floor(unif() * 50);     /* RV gained, with ties */
        y[i] = 2 * x[i] + 40 * unif(); /* margin: monotone in x plus noise */
        z[i] = 40 * unif();            /* no relationship */
    }
    struct indicator_result r;
    assert_int_equal(indicator_relate(x, y, N, 0, 1000, 11, &r, NULL), 0);
    assert_true(r.rho > 0.5);
    assert_true(r.rho_lo > 0 && r.rho_lo < r.rho && r.rho < r.rho_hi);
    assert_int_equal(r.resamples_used, 1000);
    /* deciles from the most RV gained: the outcome falls with them */
    size_t total = 0;
    for (int d = 0; d < INDICATOR_DECILES; d++)
        total += r.deciles[d].n;
    assert_int_equal(total, N);
    assert_true(r.deciles[0].x_min >= r.deciles[9].x_max);
    assert_true(r.deciles[0].y_mean > r.deciles[9].y_mean);
    assert_true(r.deciles[0].lift > 1 && r.deciles[9].lift < 1);
    /* the same seed gives the same interval */
    struct indicator_result again;
    assert_int_equal(indicator_relate(x, y, N, 0, 1000, 11, &again, NULL), 0);
    assert_true(again.rho_lo == r.rho_lo && again.rho_hi == r.rho_hi);

    assert_int_equal(indicator_relate(x, z, N, 0, 1000, 11, &r, NULL), 0);
    assert_true(fabs(r.rho) < 0.15);
    assert_true(r.rho_lo < 0 && r.rho_hi > 0);

    /* churn: low RV gained, more churn */
    double ch[N];
    for (int i = 0; i < N; i++)
        ch[i] = unif() < 0.6 - x[i] / 100 ? 1 : 0;
    assert_int_equal(indicator_relate(x, ch, N, 1, 500, 5, &r, NULL), 0);
    assert_true(r.auc > 0.55 && r.auc_lo > 0.5 && r.auc_hi > r.auc);
    assert_true(r.rho < 0);
    assert_true(r.positives > 0 && r.positives < N);

    struct kith_error err = {0};
    assert_int_equal(indicator_relate(x, y, 2, 0, 10, 1, &r, &err), KITH_EINVAL);
}

/*
 * Accounts 1..40, one contact each (contact id = account id + 100). Account a gains a visits
 * (RV 2 each) in the 30 days before the cut-off (day 100) and an older meeting (RV 5, outside
 * the window); after the cut-off it orders with margin 100 a. Accounts 1..10 churn after the
 * cut-off; account 40 churned before it (left out). Account 41 starts after the cut-off.
 */
static struct rv_snapshot *study(void)
{
    struct rv_builder *b = fx_builder();
    for (int a = 1; a <= 41; a++)
        fx_contact(b, 100 + a, a, 10, 1, 100, NULL);
    fx_begin(b);
    int64_t id = 1;
    for (int a = 1; a <= 40; a++) {
        fx_add(b, fx_row(id++, 100 + a, 2, 10));
        for (int k = 0; k < a; k++)
            fx_add(b, fx_row(id++, 100 + a, 1, 71 + (double)k * 29.0 / 40));
        struct rv_order_in o = {a, 100 + a, fx_ms(120), 1000 * a, 100 * a, false};
        assert_int_equal(rv_builder_add_order(b, &o, NULL), 0);
        struct rv_order_in before = {a, 0, fx_ms(90), 500, 1, false};
        assert_int_equal(rv_builder_add_order(b, &before, NULL), 0);
        if (a <= 10) {
            struct rv_event_in e = {0, a, "churn", fx_ms(150)};
            assert_int_equal(rv_builder_add_event(b, &e, NULL), 0);
        }
    }
    struct rv_event_in gone = {140, 40, "churn", fx_ms(50)};
    assert_int_equal(rv_builder_add_event(b, &gone, NULL), 0);
    fx_add(b, fx_row(id++, 141, 1, 110));
    return fx_finish(b);
}

/* The contacts of accounts 1..19 and 40. */
static bool low_accounts(void *ctx, const struct rv_snapshot *s, size_t c)
{
    (void)ctx;
    int64_t a = s->cid[c] - 100;
    return a < 20 || a == 40;
}

static void test_study_on_a_snapshot(void **state)
{
    (void)state;
    struct rv_snapshot *s = study();
    struct indicator_spec spec;
    indicator_spec_init(&spec, fx_ms(100), 30, 90, INDICATOR_MARGIN);
    spec.resamples = 300;
    struct indicator_result r;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 39); /* 40 churned before, 41 started after */
    assert_near(r.rho, 1, 1e-12);
    assert_true(r.rho_lo > 0.9);
    assert_true(isnan(r.auc));
    assert_near(r.x_mean, 2 * 20.0, 1e-9); /* accounts 1..39: mean a = 20, 2 a each */
    assert_near(r.deciles[0].x_max, 78, 1e-9);
    /* growth: 1000 a after minus 500 before */
    spec.outcome = INDICATOR_GROWTH;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_near(r.y_mean, 1000 * 20.0 - 500, 1e-9);
    assert_near(r.rho, 1, 1e-12);
    /* churn: the ten accounts with least RV gained churn: a perfect AUC */
    spec.outcome = INDICATOR_CHURN;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.positives, 10);
    assert_near(r.auc, 1, 1e-12);
    assert_true(r.rho < 0);
    /* per contact: account-level churn events are not the contacts', so no positives */
    spec.per = INDICATOR_PER_CONTACT;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.positives, 0);
    assert_int_equal(r.n, 39);
    struct kith_error err = {0};
    spec.window_days = 0;
    assert_int_equal(indicator_compute(s, &spec, &r, &err), KITH_EINVAL);
    enum indicator_outcome o;
    assert_int_equal(indicator_outcome_from_name("growth", &o, NULL), 0);
    assert_int_equal(o, INDICATOR_GROWTH);
    assert_int_equal(indicator_outcome_from_name("profit", &o, &err), KITH_EINVAL);
    rv_snapshot_free(s);
}

/*
 * Win: deals of accounts 1..39 closed 20 days after the cut-off, won from account 20 on (more
 * RV gained: 2 a), and deals that must be left out (closed before the cut-off, after the
 * horizon, of an unknown account).
 */
static void test_win_study(void **state)
{
    (void)state;
    struct rv_snapshot *s = study();
    struct indicator_deal deals[44];
    size_t n = 0;
    for (int a = 1; a <= 39; a++)
        deals[n++] = (struct indicator_deal){a, 100 + a, fx_ms(120), a >= 20};
    deals[n++] = (struct indicator_deal){5, 105, fx_ms(50), true};   /* before the cut-off */
    deals[n++] = (struct indicator_deal){6, 106, fx_ms(300), false}; /* after the horizon */
    deals[n++] = (struct indicator_deal){999, 0, fx_ms(120), true};  /* no such account */
    deals[n++] = (struct indicator_deal){40, 140, fx_ms(120), true}; /* churned: still a deal */
    struct indicator_spec spec;
    indicator_spec_init(&spec, fx_ms(100), 30, 90, INDICATOR_WIN);
    spec.resamples = 300;
    spec.deals = deals;
    spec.ndeals = n;
    struct indicator_result r;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 40);
    assert_int_equal(r.positives, 21);
    assert_near(r.auc, 1, 1e-12); /* every won deal's account gained more RV */
    assert_true(r.auc_lo <= r.auc && r.auc <= r.auc_hi && r.auc_lo > 0.9);
    assert_true(r.rho > 0.8);
    assert_near(r.deciles[0].y_mean, 1, 1e-12);
    assert_near(r.deciles[9].y_mean, 0, 1e-12);
    /* per contact: the same deals through their primary contacts */
    spec.per = INDICATOR_PER_CONTACT;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 40);
    assert_near(r.auc, 1, 1e-12);
    /* a population without accounts 20..39 leaves only losers and account 40 */
    struct rv_mask m;
    assert_int_equal(rv_mask_from_pred(s, low_accounts, NULL, &m, NULL), 0);
    spec.per = INDICATOR_PER_ACCOUNT;
    spec.population = &m;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 20);
    assert_int_equal(r.positives, 1);
    rv_mask_release(&m);
    spec.population = NULL;

    /* no effect: ten deals per account won at random; the interval covers 0.5 */
    struct indicator_deal many[390];
    prng = 17;
    for (size_t i = 0; i < 390; i++)
        many[i] = (struct indicator_deal){(int64_t)(i % 39) + 1, 0, fx_ms(110), unif() < 0.5};
    spec.deals = many;
    spec.ndeals = 390;
    spec.resamples = 500;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 390);
    assert_true(r.auc_lo < 0.5 && r.auc_hi > 0.5);
    assert_true(fabs(r.auc - 0.5) < 0.08);
    enum indicator_outcome o;
    assert_int_equal(indicator_outcome_from_name("win", &o, NULL), 0);
    assert_int_equal(o, INDICATOR_WIN);
    rv_snapshot_free(s);
}

/*
 * Share of wallet: accounts 1..39 are studied (40 churned before, 41 started after); those whose
 * number is not a multiple of 3 have a wallet of 3,650.00 a year (account 40 too, not studied),
 * so over the 90-day horizon their wallet is 900.00 and their share 10.00 a / 900.00 = a / 90.
 */
static void test_share_of_wallet_study(void **state)
{
    (void)state;
    struct rv_snapshot *s = study();
    struct indicator_wallet wallets[41];
    size_t nw = 0;
    double sum = 0;
    size_t with = 0, without = 0;
    for (int a = 1; a <= 40; a++) {
        if (a % 3 == 0) {
            without += a < 40;
            continue;
        }
        wallets[nw++] = (struct indicator_wallet){a, 365000};
        if (a < 40) {
            sum += a / 90.0;
            with++;
        }
    }
    struct indicator_spec spec;
    indicator_spec_init(&spec, fx_ms(100), 30, 90, INDICATOR_SHARE_OF_WALLET);
    spec.resamples = 100;
    spec.wallets = wallets;
    spec.nwallets = nw;
    struct indicator_result r;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, with);
    assert_int_equal(r.without_wallet, without);
    assert_int_equal(without, 13);
    assert_near(r.y_mean, sum / (double)with, 1e-12);
    assert_near(r.rho, 1, 1e-12); /* RV gained 2 a, share a / 90 */
    assert_true(isnan(r.auc));
    /* no wallet at all: nothing to study */
    struct kith_error err = {0};
    spec.nwallets = 0;
    assert_int_equal(indicator_compute(s, &spec, &r, &err), KITH_EINVAL);
    /* an account's figure: not per contact */
    spec.nwallets = nw;
    spec.per = INDICATOR_PER_CONTACT;
    assert_int_equal(indicator_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "per account"));
    enum indicator_outcome o;
    assert_int_equal(indicator_outcome_from_name("share_of_wallet", &o, NULL), 0);
    assert_int_equal(o, INDICATOR_SHARE_OF_WALLET);
    rv_snapshot_free(s);
}

/*
 * The discord predictor (per account): x is the caller's per-customer discord. Planted: the ten
 * churners (accounts 1..10) have the most discord, so "more discord for churn" has AUC 1 and
 * margin (100 a) falls with discord 1 / a; none: discord from a seeded generator independent of
 * everything gives intervals that cover 0.5 and 0. NaN (no zone) is left out and counted.
 */
static void test_discord_predictor(void **state)
{
    (void)state;
    struct rv_snapshot *s = study();
    size_t nent = s->nacct + s->nc;
    double *x = calloc(nent, sizeof(*x));
    assert_non_null(x);
    for (size_t k = 0; k < nent; k++)
        x[k] = NAN;
    for (int a = 1; a <= 40; a++) {
        int32_t k = rv_find_id(s->account_id, s->nacct, a);
        assert_true(k >= 0);
        x[k] = 1.0 / a;
    }
    struct indicator_spec spec;
    indicator_spec_init(&spec, fx_ms(100), 30, 90, INDICATOR_CHURN);
    spec.resamples = 300;
    spec.predictor = INDICATOR_DISCORD;
    spec.discord = x;
    struct indicator_result r;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 39);
    assert_int_equal(r.without_x, 0);
    assert_int_equal(r.positives, 10);
    assert_near(r.auc, 1, 1e-12); /* more discord: every churner above every stayer */
    assert_true(r.auc_lo > 0.9 && r.auc_hi <= 1);
    assert_true(r.rho > 0 && r.rho_lo > 0);
    assert_near(r.deciles[0].x_max, 1, 1e-12); /* the highest discord first */
    spec.outcome = INDICATOR_MARGIN;
    spec.customers_only = false;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_near(r.rho, -1, 1e-12);
    assert_true(r.rho_hi < -0.9);
    /* no zone: left out and counted */
    x[rv_find_id(s->account_id, s->nacct, 5)] = NAN;
    x[rv_find_id(s->account_id, s->nacct, 25)] = NAN;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 37);
    assert_int_equal(r.without_x, 2);
    /* no effect: discord independent of churn and margin */
    prng = 7;
    for (int a = 1; a <= 40; a++)
        x[rv_find_id(s->account_id, s->nacct, a)] = unif();
    spec.resamples = 1000;
    spec.outcome = INDICATOR_CHURN;
    spec.customers_only = true;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_true(r.auc_lo < 0.5 && r.auc_hi > 0.5);
    assert_true(r.rho_lo < 0 && r.rho_hi > 0);
    spec.outcome = INDICATOR_MARGIN;
    spec.customers_only = false;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_true(r.rho_lo < 0 && r.rho_hi > 0);
    /* win: deals of accounts 1..39, won from account 20 on, whose discord 1 / a is lower: the
     * AUC of more discord for winning is 0; an account without a discord leaves its deal out */
    for (int a = 1; a <= 40; a++)
        x[rv_find_id(s->account_id, s->nacct, a)] = 1.0 / a;
    x[rv_find_id(s->account_id, s->nacct, 7)] = NAN;
    struct indicator_deal deals[39];
    for (int a = 1; a <= 39; a++)
        deals[a - 1] = (struct indicator_deal){a, 100 + a, fx_ms(120), a >= 20};
    spec.outcome = INDICATOR_WIN;
    spec.deals = deals;
    spec.ndeals = 39;
    spec.resamples = 200;
    assert_int_equal(indicator_compute(s, &spec, &r, NULL), 0);
    assert_int_equal(r.n, 38);
    assert_int_equal(r.without_x, 1);
    assert_int_equal(r.positives, 20);
    assert_near(r.auc, 0, 1e-12);
    assert_true(r.auc_hi < 0.1);
    spec.deals = NULL;
    spec.ndeals = 0;
    /* an account's figure, and it must be given */
    struct kith_error err = {0};
    spec.per = INDICATOR_PER_CONTACT;
    assert_int_equal(indicator_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "per account"));
    spec.per = INDICATOR_PER_ACCOUNT;
    spec.discord = NULL;
    assert_int_equal(indicator_compute(s, &spec, &r, &err), KITH_EINVAL);
    assert_string_equal(indicator_predictor_name(INDICATOR_DISCORD), "discord");
    assert_string_equal(indicator_predictor_name(INDICATOR_RV), "rv");
    free(x);
    rv_snapshot_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spearman_by_hand),
        cmocka_unit_test(test_auc_by_hand),
        cmocka_unit_test(test_bootstrap_planted_and_none),
        cmocka_unit_test(test_study_on_a_snapshot),
        cmocka_unit_test(test_win_study),
        cmocka_unit_test(test_share_of_wallet_study),
        cmocka_unit_test(test_discord_predictor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
