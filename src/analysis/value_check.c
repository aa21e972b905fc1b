/*
 * value_check.c - the fit diagnostics of the customer value analyses (value.h): the models'
 * standard errors and 95% intervals (engine/clv.h's bgnbd_fit_diag(), gg_fit_diag()), the
 * holdout check `kith value check --holdout-from DATE` / GET /api/v1/value/check (fit on the
 * orders before DATE, then per calibration frequency the mean predicted against the mean actual
 * repeat purchases from DATE to the as-of day), and the warnings of a report: a parameter at the
 * optimiser's bound, a window the data do not cover, a window that starts before the first order.
 * docs/value.md ("Fit diagnostics", "Holdout check") defines the figures.
 */
#include "analysis/value.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "io/value_json.h"
#include "util/alloc.h"

#include "util/banned.h"

void value_warn(struct value_report *x, const char *code, const char *fmt, ...)
{
    if (x->nwarnings >= VALUE_MAX_WARNINGS)
        return;
    struct value_warning *w = &x->warnings[x->nwarnings++];
    snprintf(w->code, sizeof(w->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof(w->message), fmt, ap);
    va_end(ap);
}

/* ---- standard errors ---------------------------------------------------------------------- */

static void boundary_warnings(struct value_report *x, const char *model,
                              const struct clv_fit_diag *d)
{
    for (size_t j = 0; j < d->dim; j++) {
        const struct clv_param_diag *q = &d->par[j];
        if (!q->at_boundary)
            continue;
        if (isfinite(q->se))
            value_warn(x, "parameter_at_boundary",
                       "%s parameter %s = %.4g is not determined by the data: its 95%% interval "
                       "[%.3g, %.3g] reaches the optimiser's bound [%.0e, %.0e]; what depends on "
                       "it (P(alive), expected orders, predicted value) is unreliable",
                       model, q->name, q->estimate, q->lo, q->hi, q->box_lo, q->box_hi);
        else
            value_warn(x, "parameter_at_boundary",
                       "%s parameter %s = %.4g is not determined by the data: the log-likelihood "
                       "is flat in its direction (no standard error); what depends on it is "
                       "unreliable",
                       model, q->name, q->estimate);
    }
}

void value_diag_warnings(struct value_report *x)
{
    if (!x->has_diag)
        return;
    boundary_warnings(x, "BG/NBD", &x->bg_diag);
    boundary_warnings(x, "Gamma-Gamma", &x->gg_diag);
}

int value_diag(struct value_report *x, const struct value_result *r, struct kith_error *err)
{
    struct clv_customer *c = alloc_array(r->n, sizeof(*c));
    if (!c)
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu customers", r->n);
    for (size_t i = 0; i < r->n; i++)
        c[i] = r->c[i].rfm;
    int rc = bgnbd_fit_diag(&r->model.bg, c, r->n, &x->bg_diag, err);
    if (rc == 0)
        rc = gg_fit_diag(&r->model.gg, c, r->n, &x->gg_diag, err);
    free(c);
    if (rc < 0)
        return rc;
    x->has_diag = true;
    value_diag_warnings(x);
    return 0;
}

/* ---- the holdout check -------------------------------------------------------------------- */

int value_check_prepare(struct value_report *x, struct kith_error *err)
{
    struct value_check *k = &x->check;
    char a[16], b[16];
    const int32_t as_of = x->d.as_of_day, from = cv_day(x->p.holdout_from);
    if (from > as_of)
        return kith_err(err, KITH_EINVAL,
                        "holdout_from (%s) is after the as-of day (%s): the holdout would be "
                        "empty; give an earlier date or a later as_of",
                        value_json_day(from, a, sizeof(a)), value_json_day(as_of, b, sizeof(b)));
    int32_t first = INT32_MAX;
    for (size_t i = 0; i < x->d.norders; i++)
        if (x->d.orders[i].kind == CV_SALE) {
            const int32_t day = cv_day(x->d.orders[i].at);
            first = day < first ? day : first;
        }
    if (first >= from) {
        x->failure = VALUE_FAILED_NO_CUSTOMERS;
        return kith_err(err, KITH_ENOTFOUND,
                        "no customers to fit on: no sale before holdout_from (%s)%s%s; the "
                        "calibration period must hold orders",
                        value_json_day(from, a, sizeof(a)),
                        first == INT32_MAX ? "" : ", the first is on ",
                        first == INT32_MAX ? "" : value_json_day(first, b, sizeof(b)));
    }
    k->cal_first = first;
    k->cal_last = from - 1;
    k->holdout_first = from;
    k->holdout_last = as_of;
    k->holdout_units = (double)(as_of - k->cal_last) / x->vo.unit_days;
    x->vo.as_of_day = k->cal_last; /* the customers and the fit see the calibration only */
    return 0;
}

int value_check_run(struct value_report *x, struct kith_error *err)
{
    struct value_check *k = &x->check;
    const struct value_result *r = &x->r;
    double *actual = alloc_array_zero(r->n ? r->n : 1, sizeof(*actual));
    if (!actual)
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu customers", r->n);
    /* purchase days in the holdout: distinct days with a sale (orders come by account, time) */
    int64_t prev_account = 0;
    int32_t prev_day = 0;
    bool have_prev = false;
    for (size_t i = 0; i < x->d.norders; i++) {
        const struct cv_order *o = &x->d.orders[i];
        const int32_t day = cv_day(o->at);
        if (o->kind != CV_SALE || day < k->holdout_first || day > k->holdout_last)
            continue;
        if (have_prev && o->account_id == prev_account && day == prev_day)
            continue;
        have_prev = true;
        prev_account = o->account_id;
        prev_day = day;
        const size_t c = value_find(r, o->account_id);
        if (c != CV_NO_INDEX) /* a customer first seen in the holdout is not in the check */
            actual[c] += 1;
    }
    int rc = 0;
    double abs_sum = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct clv_customer *c = &r->c[i].rfm;
        const double pred = bgnbd_conditional_expected(&r->model.bg, c, k->holdout_units);
        if (!isfinite(pred)) {
            rc = kith_err(err, KITH_ERANGE,
                          "the expected repeat purchases of account %lld over the holdout are "
                          "not finite (x=%g, t_x=%g, T=%g)",
                          (long long)r->c[i].account_id, c->x, c->t_x, c->T);
            break;
        }
        size_t b = c->x >= VALUE_CHECK_BINS - 1 ? VALUE_CHECK_BINS - 1 : (size_t)c->x;
        k->bins[b].customers++;
        k->bins[b].predicted += pred;
        k->bins[b].actual += actual[i];
        k->predicted += pred;
        k->actual += actual[i];
        abs_sum += fabs(pred - actual[i]);
    }
    free(actual);
    if (rc < 0)
        return rc;
    k->customers = r->n;
    k->mae = r->n ? abs_sum / (double)r->n : NAN;
    size_t nonempty = 0;
    double bin_sum = 0;
    for (size_t b = 0; b < VALUE_CHECK_BINS; b++) {
        struct value_check_bin *bin = &k->bins[b];
        if (bin->customers == 0) {
            bin->predicted = bin->actual = NAN;
            continue;
        }
        bin->predicted /= (double)bin->customers;
        bin->actual /= (double)bin->customers;
        bin_sum += fabs(bin->predicted - bin->actual);
        nonempty++;
    }
    k->mae_bins = nonempty ? bin_sum / (double)nonempty : NAN;
    return 0;
}

/* ---- windows ------------------------------------------------------------------------------ */

/* The latest loaded order's day, or INT32_MIN when there is none. */
static int32_t latest_order_day(const struct cv_data *d)
{
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < d->norders; i++) {
        const int32_t day = cv_day(d->orders[i].at);
        last = day > last ? day : last;
    }
    return last;
}

void value_window_warnings(struct value_report *x)
{
    char a[16], b[16];
    const bool drivers_window =
        x->analysis == VALUE_DRIVERS &&
        (x->sections & ((1u << VALUE_SEC_ATTRITION) | (1u << VALUE_SEC_MIGRATION)));
    if (x->analysis != VALUE_CHECK && !drivers_window)
        return;
    const int32_t as_of = x->d.as_of_day, last = latest_order_day(&x->d);
    if (param_given(&analysis_value, &x->p, "as_of") && last != INT32_MIN && last < as_of)
        value_warn(x, "window_not_covered",
                   "the data do not span the %s: it ends on the as-of day %s but the latest "
                   "order is on %s, so the %d days after it count as days without orders",
                   x->analysis == VALUE_CHECK ? "holdout" : "attrition and migration windows",
                   value_json_day(as_of, a, sizeof(a)), value_json_day(last, b, sizeof(b)),
                   as_of - last);
    if (!drivers_window || x->r.n == 0)
        return;
    int32_t first = INT32_MAX;
    for (size_t i = 0; i < x->r.n; i++)
        first = x->r.c[i].first_day < first ? x->r.c[i].first_day : first;
    const int32_t start = as_of - 2 * (int32_t)x->p.window + 1;
    if (start < first)
        value_warn(x, "window_before_first_order",
                   "the attrition and migration windows (two of %lld days, from %s) start "
                   "before the first order (%s): the earlier window is not full, so lapsed "
                   "customers and moves between tiers are undercounted; give a shorter --window",
                   (long long)x->p.window, value_json_day(start, a, sizeof(a)),
                   value_json_day(first, b, sizeof(b)));
}
