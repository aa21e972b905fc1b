/*
 * indicator.c - the leading-indicator study: RV gained before a cut-off against an outcome after
 * it, per account or contact; Spearman's rho with a seeded bootstrap interval, AUC and deciles.
 * The bootstrap draws multinomial weights and re-ranks in O(n) per resample from orders sorted
 * once, so 1,000 resamples of 500,000 entities take seconds, not minutes.
 */
#include "engine/indicator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/quantile.h"
#include "engine/value.h"

#include "util/alloc.h"

#include "util/banned.h"

static const char *const outcome_names[] = {"margin", "growth", "churn", "win", "share_of_wallet"};
#define NOUTCOMES (sizeof(outcome_names) / sizeof(outcome_names[0]))

const char *indicator_outcome_name(enum indicator_outcome o)
{
    return (unsigned)o < NOUTCOMES ? outcome_names[o] : "?";
}

int indicator_outcome_from_name(const char *name, enum indicator_outcome *out,
                                struct kith_error *err)
{
    for (size_t i = 0; i < NOUTCOMES; i++) {
        if (strcmp(name, outcome_names[i]) == 0) {
            *out = (enum indicator_outcome)i;
            return 0;
        }
    }
    return kith_err(err, KITH_EINVAL,
                    "unknown outcome '%s'; use margin, growth, churn, win or share_of_wallet",
                    name);
}

const char *indicator_predictor_name(enum indicator_predictor p)
{
    return p == INDICATOR_DISCORD ? "discord" : p == INDICATOR_RV ? "rv" : "?";
}

/* The AUC of "more x" for the positive class from indicator_relate()'s "less x": the complement,
 * its interval mirrored (ties count half either way). */
static void auc_of_more_x(struct indicator_result *out)
{
    double lo = out->auc_lo;
    out->auc = 1 - out->auc;
    out->auc_lo = 1 - out->auc_hi;
    out->auc_hi = 1 - lo;
}

void indicator_spec_init(struct indicator_spec *spec, int64_t cutoff_ms, int window_days,
                         int horizon_days, enum indicator_outcome outcome)
{
    memset(spec, 0, sizeof(*spec));
    spec->cutoff_ms = cutoff_ms;
    spec->window_days = window_days;
    spec->horizon_days = horizon_days;
    spec->outcome = outcome;
    spec->per = INDICATOR_PER_ACCOUNT;
    spec->customers_only = outcome == INDICATOR_CHURN;
    spec->resamples = INDICATOR_RESAMPLES_DEFAULT;
    spec->seed = INDICATOR_SEED_DEFAULT;
}

/* ---- ranks ------------------------------------------------------------------------------------
 */

/* Sorting indices by a key array (ties by index, so every order is deterministic). */
static int cmp_by_key(const void *a, const void *b, void *ctx)
{
    const double *key = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (key[i] != key[j])
        return key[i] < key[j] ? -1 : 1;
    return (i > j) - (i < j);
}

/* order[] = indices ascending by key (glibc's qsort_r: the API calls this from many threads). */
static void order_by(const double *key, size_t n, uint32_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof(*order), cmp_by_key, (void *)key);
}

/*
 * Average ranks (1-based) with weights w (NULL: all 1) along order; ties share the mean of the
 * ranks they span, as Spearman's rho wants.
 */
static void weighted_ranks(const double *key, const uint32_t *order, const uint32_t *w, size_t n,
                           double *rank)
{
    double cum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double wsum = 0;
        for (; j < n && key[order[j]] == key[order[i]]; j++)
            wsum += w ? w[order[j]] : 1.0;
        double r = cum + (wsum + 1) / 2;
        for (size_t k = i; k < j; k++)
            rank[order[k]] = r;
        cum += wsum;
        i = j;
    }
}

static double weighted_pearson_of_ranks(const double *rx, const double *ry, const uint32_t *w,
                                        size_t n, double total)
{
    double m = (total + 1) / 2, cov = 0, vx = 0, vy = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (wi == 0)
            continue;
        double dx = rx[i] - m, dy = ry[i] - m;
        cov += wi * dx * dy;
        vx += wi * dx * dx;
        vy += wi * dy * dy;
    }
    if (vx <= 0 || vy <= 0)
        return NAN;
    return cov / sqrt(vx * vy);
}

double indicator_spearman(const double *x, const double *y, size_t n)
{
    if (n < 2)
        return NAN;
    uint32_t *o = alloc_array(n, sizeof(*o));
    double *rx = alloc_array(n, sizeof(*rx)), *ry = alloc_array(n, sizeof(*ry));
    double rho = NAN;
    if (o && rx && ry) {
        order_by(x, n, o);
        weighted_ranks(x, o, NULL, n, rx);
        order_by(y, n, o);
        weighted_ranks(y, o, NULL, n, ry);
        rho = weighted_pearson_of_ranks(rx, ry, NULL, n, (double)n);
    }
    free(o);
    free(rx);
    free(ry);
    return rho;
}

/* AUC of -x for labels y along x's ascending order, with weights (NULL: 1). */
static double weighted_auc_low_x(const double *x, const uint32_t *order, const double *y,
                                 const uint32_t *w, size_t n)
{
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (y[i] > 0)
            pos += wi;
        else
            neg += wi;
    }
    if (pos == 0 || neg == 0)
        return NAN;
    double num = 0, neg_seen = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double gp = 0, gn = 0;
        for (; j < n && x[order[j]] == x[order[i]]; j++) {
            double wi = w ? w[order[j]] : 1.0;
            if (y[order[j]] > 0)
                gp += wi;
            else
                gn += wi;
        }
        /* a positive here beats the negatives with more RV gained, ties count half */
        num += gp * ((neg - neg_seen - gn) + 0.5 * gn);
        neg_seen += gn;
        i = j;
    }
    return num / (pos * neg);
}

double indicator_auc(const double *score, const uint8_t *label, size_t n)
{
    if (!n)
        return NAN;
    double *x = alloc_array(n, sizeof(*x)), *y = alloc_array(n, sizeof(*y));
    uint32_t *o = alloc_array(n, sizeof(*o));
    double auc = NAN;
    if (x && y && o) {
        for (size_t i = 0; i < n; i++) {
            x[i] = -score[i]; /* the kernel scores low x */
            y[i] = label[i] ? 1 : 0;
        }
        order_by(x, n, o);
        auc = weighted_auc_low_x(x, o, y, NULL, n);
    }
    free(x);
    free(y);
    free(o);
    return auc;
}

/* ---- the bootstrap ----------------------------------------------------------------------------
 */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* xoshiro256** (Blackman & Vigna), seeded through splitmix64. */
struct xoshiro {
    uint64_t s[4];
};

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro_next(struct xoshiro *r)
{
    uint64_t res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;
    r->s[2] ^= r->s[0];
    r->s[3] ^= r->s[1];
    r->s[1] ^= r->s[2];
    r->s[0] ^= r->s[3];
    r->s[2] ^= t;
    r->s[3] = rotl(r->s[3], 45);
    return res;
}

static size_t xoshiro_below(struct xoshiro *r, size_t n)
{
    /* 53 random bits scaled: the bias is below 2^-20 for any n a snapshot can hold */
    return (size_t)((double)(xoshiro_next(r) >> 11) * 0x1.0p-53 * (double)n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void deciles(const double *x, const double *y, size_t n, double ymean,
                    struct indicator_decile *d)
{
    uint32_t *o = alloc_array(n, sizeof(*o));
    if (!o)
        return;
    double *negx = alloc_array(n, sizeof(*negx));
    if (!negx) {
        free(o);
        return;
    }
    for (size_t i = 0; i < n; i++)
        negx[i] = -x[i]; /* highest RV gained first, ties by entity order */
    order_by(negx, n, o);
    free(negx);
    for (size_t k = 0; k < INDICATOR_DECILES; k++) {
        size_t a = k * n / INDICATOR_DECILES, b = (k + 1) * n / INDICATOR_DECILES;
        struct indicator_decile *dd = &d[k];
        memset(dd, 0, sizeof(*dd));
        dd->n = (uint32_t)(b - a);
        dd->x_min = dd->x_max = dd->x_mean = dd->y_mean = dd->lift = NAN;
        if (a == b)
            continue;
        double sx = 0, sy = 0;
        dd->x_min = INFINITY;
        dd->x_max = -INFINITY;
        for (size_t i = a; i < b; i++) {
            double xi = x[o[i]];
            sx += xi;
            sy += y[o[i]];
            dd->x_min = fmin(dd->x_min, xi);
            dd->x_max = fmax(dd->x_max, xi);
        }
        dd->x_mean = sx / (double)(b - a);
        dd->y_mean = sy / (double)(b - a);
        dd->lift = ymean > 0 ? dd->y_mean / ymean : NAN;
    }
    free(o);
}

int indicator_relate(const double *x, const double *y, size_t n, int binary, unsigned resamples,
                     uint64_t seed, struct indicator_result *out, struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    out->rho_lo = out->rho_hi = out->auc = out->auc_lo = out->auc_hi = NAN;
    if (n < 3)
        return kith_err(err, KITH_EINVAL, "only %zu entities to study; at least 3 are needed", n);
    out->n = n;
    double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        out->positives += binary && y[i] > 0;
    }
    out->x_mean = sx / (double)n;
    out->y_mean = sy / (double)n;
    uint32_t *ox = alloc_array(n, sizeof(*ox)), *oy = alloc_array(n, sizeof(*oy));
    uint32_t *w = alloc_array(n, sizeof(*w));
    double *rx = alloc_array(n, sizeof(*rx)), *ry = alloc_array(n, sizeof(*ry));
    double *rhos = alloc_array(resamples, sizeof(*rhos));
    double *aucs = alloc_array(resamples, sizeof(*aucs));
    int rc = 0;
    if (!ox || !oy || !w || !rx || !ry || !rhos || !aucs) {
        rc = kith_err(err, KITH_ENOMEM, "out of memory relating %zu entities", n);
        goto out_free;
    }
    order_by(x, n, ox);
    order_by(y, n, oy);
    weighted_ranks(x, ox, NULL, n, rx);
    weighted_ranks(y, oy, NULL, n, ry);
    out->rho = weighted_pearson_of_ranks(rx, ry, NULL, n, (double)n);
    if (binary)
        out->auc = weighted_auc_low_x(x, ox, y, NULL, n);
    deciles(x, y, n, out->y_mean, out->deciles);

    struct xoshiro rng;
    uint64_t st = seed;
    for (int k = 0; k < 4; k++)
        rng.s[k] = splitmix64(&st);
    size_t nr = 0, na = 0;
    for (unsigned b = 0; b < resamples; b++) {
        memset(w, 0, n * sizeof(*w));
        for (size_t i = 0; i < n; i++)
            w[xoshiro_below(&rng, n)]++;
        weighted_ranks(x, ox, w, n, rx);
        weighted_ranks(y, oy, w, n, ry);
        double r = weighted_pearson_of_ranks(rx, ry, w, n, (double)n);
        if (!isnan(r))
            rhos[nr++] = r;
        if (binary) {
            double a = weighted_auc_low_x(x, ox, y, w, n);
            if (!isnan(a))
                aucs[na++] = a;
        }
    }
    out->resamples_used = nr;
    if (nr) {
        qsort(rhos, nr, sizeof(*rhos), cmp_double);
        out->rho_lo = quantile_sorted(rhos, nr, 25, 1000);
        out->rho_hi = quantile_sorted(rhos, nr, 975, 1000);
    }
    if (na) {
        qsort(aucs, na, sizeof(*aucs), cmp_double);
        out->auc_lo = quantile_sorted(aucs, na, 25, 1000);
        out->auc_hi = quantile_sorted(aucs, na, 975, 1000);
    }
out_free:
    free(ox);
    free(oy);
    free(w);
    free(rx);
    free(ry);
    free(rhos);
    free(aucs);
    return rc;
}

/* ---- the study ------------------------------------------------------------------------------ */

/*
 * The win study: one row per deal closed in (cut, h1], x = the RV its entity gained in the
 * window (x[] per entity, flagged 16 when a contact of the population belongs to it), y = won.
 * The AUC wanted is that of more RV for winning; indicator_relate() gives the AUC of less RV for
 * the positive class, whose complement it is (ties count half either way), interval mirrored.
 */
static int win_study(const struct rv_snapshot *s, const struct indicator_spec *spec,
                     const double *ex, const uint8_t *flags, int64_t cut, int64_t h1,
                     struct indicator_result *out, struct kith_error *err)
{
    bool per_account = spec->per == INDICATOR_PER_ACCOUNT;
    double *x = alloc_array(spec->ndeals, sizeof(*x)), *y = alloc_array(spec->ndeals, sizeof(*y));
    if (!x || !y) {
        free(x);
        free(y);
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu deals", spec->ndeals);
    }
    size_t n = 0, without = 0;
    for (size_t k = 0; k < spec->ndeals; k++) {
        const struct indicator_deal *d = &spec->deals[k];
        int64_t t = rv_time_from_ms(d->closed_ms);
        if (t <= cut || t > h1)
            continue;
        size_t e = SIZE_MAX;
        if (per_account && d->account_id > 0) {
            int32_t a = rv_find_id(s->account_id, s->nacct, d->account_id);
            if (a >= 0)
                e = (size_t)a;
        } else if (d->contact_id > 0) {
            int32_t c = rv_snapshot_contact(s, d->contact_id);
            if (c >= 0)
                e = per_account ? rv_customer_of_contact(s, (size_t)c) : (size_t)c;
        }
        if (e == SIZE_MAX || !(flags[e] & 16))
            continue;
        if (isnan(ex[e])) {
            without++;
            continue;
        }
        x[n] = ex[e];
        y[n] = d->won ? 1 : 0;
        n++;
    }
    int rc = indicator_relate(x, y, n, 1, spec->resamples, spec->seed, out, err);
    if (rc == 0) {
        auc_of_more_x(out);
        out->without_x = without;
    }
    free(x);
    free(y);
    return rc;
}

/* The wallet of account_id in spec->wallets (ascending), or 0 when it has none. */
static int64_t wallet_of(const struct indicator_spec *spec, int64_t account_id)
{
    size_t lo = 0, hi = spec->nwallets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spec->wallets[mid].account_id < account_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < spec->nwallets && spec->wallets[lo].account_id == account_id
               ? spec->wallets[lo].wallet
               : 0;
}

int indicator_compute(const struct rv_snapshot *s, const struct indicator_spec *spec,
                      struct indicator_result *out, struct kith_error *err)
{
    if (spec->window_days < 1 || spec->horizon_days < 1)
        return kith_err(err, KITH_EINVAL, "the window and the horizon must be at least one day");
    if (spec->window_days > 36600 || spec->horizon_days > 36600)
        return kith_err(err, KITH_EINVAL, "the window and the horizon must be below 100 years");
    const bool sow = spec->outcome == INDICATOR_SHARE_OF_WALLET;
    if (sow && spec->per != INDICATOR_PER_ACCOUNT)
        return kith_err(err, KITH_EINVAL,
                        "share_of_wallet is an account's figure: study it per account");
    const bool discord = spec->predictor == INDICATOR_DISCORD;
    if (discord && spec->per != INDICATOR_PER_ACCOUNT)
        return kith_err(err, KITH_EINVAL,
                        "discord is a relationship's (an account's) figure: study it per account");
    if (discord && !spec->discord)
        return kith_err(err, KITH_EINVAL, "the discord predictor needs each account's discord");
    int64_t cut = rv_time_from_ms(spec->cutoff_ms);
    int64_t w0 = cut - (int64_t)spec->window_days * RV_DAY;
    int64_t h1 = cut + (int64_t)spec->horizon_days * RV_DAY;
    int64_t h0 = cut - (int64_t)spec->horizon_days * RV_DAY;
    bool per_account = spec->per == INDICATOR_PER_ACCOUNT;
    size_t nent = per_account ? s->nacct + s->nc : s->nc;
    int churn = rv_event_kind_from_name("churn");
    double *x = alloc_array_zero(nent, sizeof(*x));
    double *y = alloc_array_zero(nent, sizeof(*y));
    /* 1 active, 2 churned before, 4 churn after, 8 an order by the cut-off, 16 in the population */
    uint8_t *flags = alloc_array_zero(nent, 1);
    int rc = KITH_ENOMEM;
    if (!x || !y || !flags)
        goto out_free;
    for (size_t c = 0; c < s->nc; c++) {
        if (!rv_mask_has(spec->population, c))
            continue;
        size_t e = per_account ? rv_customer_of_contact(s, c) : c;
        flags[e] |= 16;
        for (size_t i = rv_run_begin(s, c); i < rv_run_end(s, c) && s->t[i] <= cut; i++) {
            if (!rv_counts(s, i))
                continue;
            flags[e] |= 1;
            if (s->t[i] > w0)
                x[e] += s->rv[i];
        }
    }
    if (discord) /* x is the relationship's discord; the loop above still marks who is active */
        for (size_t e = 0; e < nent; e++)
            x[e] = spec->discord[e];
    if (spec->outcome == INDICATOR_WIN) {
        rc = win_study(s, spec, x, flags, cut, h1, out, err);
        goto out_free;
    }
    for (size_t o = 0; o < s->norders; o++) {
        size_t e = per_account ? rv_customer_of_order(s, o) : (size_t)s->o_contact[o];
        if (e == SIZE_MAX || (!per_account && s->o_contact[o] < 0))
            continue;
        if (s->o_t[o] <= cut)
            flags[e] |= 8;
        double v =
            spec->outcome == INDICATOR_MARGIN ? (double)s->o_margin[o] : (double)s->o_amount[o];
        if (s->o_t[o] > cut && s->o_t[o] <= h1 && spec->outcome != INDICATOR_CHURN)
            y[e] += v;
        else if (spec->outcome == INDICATOR_GROWTH && s->o_t[o] > h0 && s->o_t[o] <= cut)
            y[e] -= v;
    }
    for (size_t ev = 0; ev < s->nevents; ev++) {
        if (s->e_kind[ev] != churn)
            continue;
        size_t e;
        if (per_account && s->e_account[ev] >= 0)
            e = (size_t)s->e_account[ev];
        else if (s->e_contact[ev] >= 0)
            e = per_account ? rv_customer_of_contact(s, (size_t)s->e_contact[ev])
                            : (size_t)s->e_contact[ev];
        else
            continue;
        if (s->e_t[ev] <= cut)
            flags[e] |= 2;
        else if (s->e_t[ev] <= h1)
            flags[e] |= 4;
    }
    size_t n = 0, without_wallet = 0, without_x = 0;
    for (size_t e = 0; e < nent; e++) {
        if ((flags[e] & 3) != 1 || (spec->customers_only && !(flags[e] & 8)))
            continue;
        if (isnan(x[e])) {
            without_x++;
            continue;
        }
        double ye = spec->outcome == INDICATOR_CHURN ? (flags[e] & 4 ? 1 : 0) : y[e];
        if (sow) { /* a contact without an account (e >= nacct) has no wallet */
            int64_t wallet = e < s->nacct ? wallet_of(spec, s->account_id[e]) : 0;
            if (wallet <= 0) {
                without_wallet++;
                continue;
            }
            ye = value_wallet_share(ye, (double)wallet, spec->horizon_days);
        }
        x[n] = x[e];
        y[n] = ye;
        n++;
    }
    rc = indicator_relate(x, y, n, spec->outcome == INDICATOR_CHURN, spec->resamples, spec->seed,
                          out, err);
    if (rc == 0 && spec->outcome != INDICATOR_CHURN)
        out->auc = out->auc_lo = out->auc_hi = NAN;
    else if (rc == 0 && discord)
        auc_of_more_x(out); /* more discord for churn */
    if (rc == 0) {
        out->without_wallet = without_wallet;
        out->without_x = without_x;
    }
out_free:
    if (rc == KITH_ENOMEM && (!x || !y || !flags))
        kith_err(err, rc, "out of memory in the indicator study");
    free(x);
    free(y);
    free(flags);
    return rc;
}
