/*
 * value_text.c - a customer value report (value.h) as the tables `kith value <analysis>`
 * prints: plain numbers right-aligned with cents, the rules in words next to their counts.
 */
#include "analysis/value.h"

#include <math.h>
#include <string.h>

#include "io/value_json.h"

#include "util/banned.h"

static const char *day_text(int32_t day, char *buf)
{
    return value_json_day(day, buf, 16);
}

/* "12,345.67" style is for people; this prints plain numbers, right-aligned, with cents. */
static void money_cell(FILE *out, double v, int width)
{
    if (isfinite(v))
        fprintf(out, " %*.2f", width, v);
    else
        fprintf(out, " %*s", width, "-");
}

/*
 * text in a column of width characters (code points of UTF-8): cut with "~" when longer, "-"
 * when NULL or empty, padded with spaces. Names may be any length; the table stays aligned.
 */
static void text_cell(FILE *out, const char *text, int width)
{
    if (!text || !*text)
        text = "-";
    int shown = 0;
    const unsigned char *p = (const unsigned char *)text;
    fputc(' ', out);
    while (*p) {
        size_t len = 1;
        while ((p[len] & 0xC0) == 0x80)
            len++;
        /* the last column goes to "~" unless the text ends there */
        if (shown == width - 1 && p[len]) {
            fputc('~', out);
            shown++;
            break;
        }
        fwrite(p, 1, len, out);
        shown++;
        p += len;
    }
    for (; shown < width; shown++)
        fputc(' ', out);
}

#define NAME_WIDTH 24
#define EXT_WIDTH  12

/* The headers of the identity columns that follow "account". */
static void identity_heads(FILE *out)
{
    fprintf(out, " %-*s %-*s", NAME_WIDTH, "name", EXT_WIDTH, "external id");
}

/* Account id's name and external id, as two columns ("-" when it has none). */
static void identity_cells(FILE *out, const struct cv_data *d, int64_t id)
{
    size_t i = cv_account_index(d, id);
    const struct cv_account *a = i == CV_NO_INDEX ? NULL : &d->accounts[i];
    text_cell(out, a ? cv_text(d, a->name) : NULL, NAME_WIDTH);
    text_cell(out, a ? cv_text(d, a->external_id) : NULL, EXT_WIDTH);
}

/* "account 12 (Acme Ltd, external id A-12)" for the one-account answers. */
static void account_words(FILE *out, const struct cv_data *d, int64_t id)
{
    size_t i = cv_account_index(d, id);
    const struct cv_account *a = i == CV_NO_INDEX ? NULL : &d->accounts[i];
    const char *name = a ? cv_text(d, a->name) : NULL, *ext = a ? cv_text(d, a->external_id) : NULL;
    fprintf(out, "account %lld", (long long)id);
    if (name && ext)
        fprintf(out, " (%s, external id %s)", name, ext);
    else if (name)
        fprintf(out, " (%s)", name);
    else if (ext)
        fprintf(out, " (external id %s)", ext);
}

/* A number with prec decimals, or "-" when it is not known (NaN: no model). */
static void num_cell(FILE *out, double v, int width, int prec)
{
    if (isfinite(v))
        fprintf(out, " %*.*f", width, prec, v);
    else
        fprintf(out, " %*s", width, "-");
}

/* "(20 of 177 customers by lifetime value; --all shows all)" when the list was cut. */
static void cut_note(FILE *out, size_t shown, size_t m, const char *what)
{
    if (shown < m)
        fprintf(out, "(%zu of %zu %s; --limit N or --all shows more)\n", shown, m, what);
}

/* ---- fit and clv -------------------------------------------------------------------------- */

/* How many customers the rule for repeat buyers without positive repeat spend concerned. */
static void spend_rule_line(FILE *out, const struct value_model *m)
{
    fprintf(out,
            "%zu repeat buyer%s without positive repeat spend: left out of the Gamma-Gamma fit, "
            "spend valued as unobserved\n",
            m->gg_excluded, m->gg_excluded == 1 ? "" : "s");
}

/* The parameters of one model with standard errors and 95% intervals. */
static void diag_lines(FILE *out, const struct clv_fit_diag *d)
{
    for (size_t j = 0; j < d->dim; j++) {
        const struct clv_param_diag *q = &d->par[j];
        fprintf(out, "  %-6s %12.6g  SE %11.4g  95%% [%.6g, %.6g]%s\n", q->name, q->estimate, q->se,
                q->lo, q->hi, q->at_boundary ? "  at the bound" : "");
    }
}

static void fit_lines(FILE *out, const struct value_report *x)
{
    const struct value_model *m = &x->r.model;
    if (!m->fitted) {
        fprintf(out, "models not fitted: %s\n%zu customers, %zu repeat buyers\n", x->model_reason,
                m->ncustomers, m->nrepeat);
        return;
    }
    fprintf(out,
            "BG/NBD       r=%.6g alpha=%.6g a=%.6g b=%.6g  (log-likelihood %.4f, %d "
            "iterations)\n",
            m->bg.r, m->bg.alpha, m->bg.a, m->bg.b, m->bg_info.loglik, m->bg_info.iterations);
    if (x->has_diag)
        diag_lines(out, &x->bg_diag);
    fprintf(out, "Gamma-Gamma  p=%.6g q=%.6g gamma=%.6g  (log-likelihood %.4f, %d iterations)\n",
            m->gg.p, m->gg.q, m->gg.gamma, m->gg_info.loglik, m->gg_info.iterations);
    if (x->has_diag)
        diag_lines(out, &x->gg_diag);
    fprintf(out, "%zu customers, %zu repeat buyers\n", m->ncustomers, m->nrepeat);
    spend_rule_line(out, m);
}

/* Says where the margin ratio came from; warns when values are revenue for want of margins. */
static void margin_line(FILE *out, const struct value_report *x)
{
    const struct value_model *m = &x->r.model;
    if (param_given(&analysis_value, &x->p, "margin"))
        fprintf(out, "margin ratio %.4f (--margin)\n", m->margin_ratio);
    else if (m->margin_from_data)
        fprintf(out, "margin ratio %.4f (sum of margins / sum of amounts of the orders)\n",
                m->margin_ratio);
    else
        fputs("margin ratio 1: no order has a margin, so values are revenue (give --margin)\n",
              out);
}

/* One line saying whether the money shown is margin or revenue (dist, drivers, rfm, ...). */
static void kind_line(FILE *out, const struct value_report *x)
{
    if (strcmp(value_report_kind(x), "revenue") == 0)
        fputs("values are revenue: no order has a margin (give --margin for margin)\n", out);
    else
        fputs("values are margin\n", out);
}

static void fit_summary_text(FILE *out, const struct value_report *x)
{
    const struct value_model *m = &x->r.model;
    fprintf(out, "%s: %zu customers, %zu repeat buyers\n", x->summary_name, m->ncustomers,
            m->nrepeat);
    fprintf(out,
            "BG/NBD       r=%.7g alpha=%.7g a=%.7g b=%.7g  (log-likelihood %.6f, %d "
            "iterations)\n",
            m->bg.r, m->bg.alpha, m->bg.a, m->bg.b, m->bg_info.loglik, m->bg_info.iterations);
    if (x->has_diag)
        diag_lines(out, &x->bg_diag);
    if (x->sf.has_monetary) {
        fprintf(out,
                "Gamma-Gamma  p=%.7g q=%.7g gamma=%.7g  (log-likelihood %.6f, %d "
                "iterations)\n",
                m->gg.p, m->gg.q, m->gg.gamma, m->gg_info.loglik, m->gg_info.iterations);
        if (x->has_diag)
            diag_lines(out, &x->gg_diag);
        spend_rule_line(out, m);
    } else
        fputs("Gamma-Gamma  not fitted: the file has no monetary_value column\n", out);
}

static void fit_text(FILE *out, const struct value_report *x)
{
    char day[16];
    if (x->from_summary) {
        fit_summary_text(out, x);
        return;
    }
    if (x->vo.unit_days == 7)
        fprintf(out, "as of %s (time unit: weeks)\n", day_text(x->r.as_of_day, day));
    else
        fprintf(out, "as of %s (time unit: %g days)\n", day_text(x->r.as_of_day, day),
                x->vo.unit_days);
    fit_lines(out, x);
    margin_line(out, x);
}

static void clv_summary_text(FILE *out, const struct value_report *x)
{
    fit_summary_text(out, x);
    fputc('\n', out);
    fprintf(out, "%-16s %6s %8s %9s %8s %12s\n", "id", "x", "P(alive)", "E[orders]", "E[spend]",
            "CLV");
    for (size_t i = 0; i < x->shown; i++) {
        const struct clv_customer *c = &x->sf.cust[i];
        fprintf(out, "%-16.16s %6.0f %8.4f %9.4f", x->sf.ids[i], c->x, x->pa[i], x->ey[i]);
        money_cell(out, gg_expected_spend(&x->r.model.gg, c, 0), 8);
        money_cell(out, x->sv[i], 12);
        fputc('\n', out);
    }
    cut_note(out, x->shown, x->m, "customers");
}

/* An account's attribute, or "-" when it has none (cv_label gives ""). */
static const char *label_or_dash(const char *s)
{
    return *s ? s : "-";
}

static void customer_detail(FILE *out, const struct value_report *x)
{
    const struct cv_data *d = &x->d;
    const struct value_customer *c = &x->r.c[x->account];
    const struct cv_account *a = c->account == CV_NO_INDEX ? NULL : &d->accounts[c->account];
    char d1[16], d2[16];
    account_words(out, d, c->account_id);
    fprintf(out, ", %s\n", value_report_kind(x));
    if (a)
        fprintf(out, "  industry %s, revenue band %s, source %s, unit %s\n",
                label_or_dash(cv_label(&d->industries, a->industry)),
                label_or_dash(cv_label(&d->revenue_bands, a->revenue_band)),
                label_or_dash(cv_label(&d->sources, a->source)),
                label_or_dash(cv_label(&d->units, a->unit)));
    fprintf(out, "  orders %u, first %s, last %s (x=%g, t_x=%.2f, T=%.2f weeks)\n", c->orders,
            day_text(c->first_day, d1), day_text(c->last_day, d2), c->rfm.x, c->rfm.t_x, c->rfm.T);
    fprintf(out,
            "  value to date %.2f, current (12 months) %.2f (net of %u returns and credits: "
            "%.2f)\n",
            c->to_date, c->current, c->returns, c->returned);
    fprintf(out, "  predicted %.2f over %.1f years, lifetime %.2f%s%s%s\n", c->predicted,
            x->r.horizon_years, c->lifetime, c->proxy_reason ? " (proxy: " : "",
            c->proxy_reason ? value_proxy_reason_text((enum value_proxy_reason)c->proxy_reason)
                            : "",
            c->proxy_reason ? ")" : "");
    if (c->proxy_reason)
        fputs("  proxy basis: its own net value to date as a yearly rate (0 when not positive)\n",
              out);
    fputs("  P(alive)", out);
    num_cell(out, c->p_alive, 0, 4);
    fputs(", expected orders over the horizon", out);
    num_cell(out, c->expected_orders, 0, 3);
    fputc('\n', out);
    fprintf(out, "  cost to serve %.2f (current %.2f), profit %.2f (current %.2f)\n",
            c->cost_to_date, c->cost_current, c->to_date - c->cost_to_date,
            c->current - c->cost_current);
    if (isnan(c->share_of_wallet))
        fputs("  share of wallet: no estimated wallet\n", out);
    else if (a && a->wallet_year)
        fprintf(out,
                "  share of wallet %.1f%%: revenue %.2f in the current 12 months of a wallet of "
                "%.2f a year (estimate for %d)\n",
                100 * c->share_of_wallet, c->amount_current, c->wallet, (int)a->wallet_year);
    else
        fprintf(out,
                "  share of wallet %.1f%%: revenue %.2f in the current 12 months of a wallet of "
                "%.2f a year\n",
                100 * c->share_of_wallet, c->amount_current, c->wallet);
}

static void clv_text(FILE *out, const struct value_report *x)
{
    if (x->from_summary) {
        clv_summary_text(out, x);
        return;
    }
    if (x->has_account) {
        customer_detail(out, x);
        return;
    }
    char day[16];
    fprintf(out,
            "as of %s, horizon %d months at %.1f%% a year; %zu customers (%zu proxies), "
            "lifetime value %.2f\n",
            day_text(x->r.as_of_day, day), x->vo.horizon_months, 100 * x->vo.discount, x->r.n,
            x->proxies, x->total_lifetime);
    fit_lines(out, x);
    margin_line(out, x);
    fprintf(out, "\n%10s", "account");
    identity_heads(out);
    fprintf(out, " %12s %12s %12s %12s %8s %7s  %s\n", "to date", "current", "predicted",
            "lifetime", "P(alive)", "orders", "basis");
    for (size_t k = 0; k < x->shown; k++) {
        const struct value_customer *c = &x->r.c[x->ix[k]];
        fprintf(out, "%10lld", (long long)c->account_id);
        identity_cells(out, &x->d, c->account_id);
        money_cell(out, c->to_date, 12);
        money_cell(out, c->current, 12);
        money_cell(out, c->predicted, 12);
        money_cell(out, c->lifetime, 12);
        num_cell(out, c->p_alive, 8, 4);
        fprintf(out, " %7u  %s%s\n", c->orders, c->proxy_reason ? "proxy:" : "",
                value_basis_name((enum value_basis)c->basis));
    }
    char what[64];
    snprintf(what, sizeof(what), "customers by %s value", value_measure_name(x->p.sort));
    cut_note(out, x->shown, x->m, what);
}

/* ---- dist --------------------------------------------------------------------------------- */

static void dist_table(FILE *out, const struct dist_summary *s, const char *measure)
{
    fprintf(out, "%zu customers, %s value %.2f in all, mean %.2f\n", s->n, measure, s->total,
            s->mean);
    fprintf(out, "Gini %.4f; the top 20%% hold %.1f%%\n", s->gini, 100 * s->top20_share);
    fprintf(out, "\n%7s %9s %14s %8s %14s %14s\n", "decile", "customers", "value", "share", "from",
            "to");
    for (size_t k = 0; k < DIST_DECILES; k++) {
        const struct dist_decile *d = &s->deciles[k];
        fprintf(out, "%7zu %9zu", k + 1, d->n);
        money_cell(out, d->sum, 14);
        fprintf(out, " %7.1f%%", 100 * d->share);
        money_cell(out, d->min, 14);
        money_cell(out, d->max, 14);
        fputc('\n', out);
    }
    fputs("\nLorenz curve (share of customers, lowest first -> share of value)\n", out);
    for (size_t k = 0; k < s->nlorenz; k++)
        fprintf(out, "  %5.1f%% -> %6.1f%%\n", 100.0 * (double)k / (double)(s->nlorenz - 1),
                100 * s->lorenz[k]);
}

static void dist_groups_text(FILE *out, const struct value_grouping *g)
{
    double total = 0;
    for (size_t k = 0; k < g->g.n; k++)
        total += g->dist[k].total;
    fprintf(out, "\nby %s\n%-40s %9s %14s %7s %14s %7s %7s\n", value_by_name(g->by), "group",
            "customers", "value", "share", "mean", "gini", "top 20%");
    for (size_t k = 0; k < g->g.n; k++) {
        const struct dist_summary *s = &g->dist[k];
        if (s->n == 0)
            continue;
        fprintf(out, "%-40.40s %9zu", g->g.names[k], s->n);
        money_cell(out, s->total, 14);
        fprintf(out, " %6.1f%%", total != 0 ? 100 * s->total / total : NAN);
        money_cell(out, s->mean, 14);
        fprintf(out, " %7.3f %6.1f%%\n", s->gini, 100 * s->top20_share);
    }
}

/* The share of wallet of the customers with a wallet; nothing when none has one. */
static void wallet_text(FILE *out, const struct value_wallet_dist *w)
{
    if (!w->with)
        return;
    fprintf(out,
            "\nshare of wallet (revenue in the current 12 months / estimated annual wallet): "
            "%zu customers with a wallet, %zu without\n"
            "  all together %.1f%% (revenue %.2f of wallets %.2f); per customer mean %.1f%%, "
            "quartiles %.1f%% / %.1f%% / %.1f%%\n",
            w->with, w->without, 100 * w->aggregate, w->revenue, w->wallet, 100 * w->mean,
            100 * w->p25, 100 * w->median, 100 * w->p75);
    fprintf(out, "%12s %9s\n", "share", "customers");
    for (size_t b = 0; b < VALUE_WALLET_BANDS; b++) {
        char band[32];
        if (b + 1 < VALUE_WALLET_BANDS)
            snprintf(band, sizeof(band), "%.0f-%.0f%%", 100 * value_wallet_band_from[b],
                     100 * value_wallet_band_from[b + 1]);
        else
            snprintf(band, sizeof(band), "%.0f%%+", 100 * value_wallet_band_from[b]);
        fprintf(out, "%12s %9zu\n", band, w->bands[b]);
    }
}

static void dist_text(FILE *out, const struct value_report *x)
{
    char day[16];
    const char *measure = value_measure_name(x->p.measure);
    fprintf(out, "as of %s, %s value\n", day_text(x->r.as_of_day, day), measure);
    kind_line(out, x);
    dist_table(out, &x->overall, measure);
    wallet_text(out, &x->wallet);
    for (size_t k = 0; k < x->nby; k++)
        dist_groups_text(out, &x->by[k]);
}

/* ---- drivers ------------------------------------------------------------------------------ */

static void acquisition_text(FILE *out, const struct cv_data *d,
                             const struct drivers_acquisition *a)
{
    fputs("\nacquisition by source (accounts acquired: created or first ordered; customers won; "
          "conversion; value)\n",
          out);
    fprintf(out, "%-28s %9s %9s %10s %14s %14s\n", "source", "accounts", "customers", "conversion",
            "value", "per customer");
    for (size_t k = 0; k < a->nsources; k++) {
        const struct drivers_acq_source *s = &a->sources[k];
        if (!s->accounts && !s->customers)
            continue;
        const char *name = k + 1 == a->nsources ? "(none)" : cv_label(&d->sources, (int32_t)k);
        fprintf(out, "%-28.28s %9zu %9zu", name, s->accounts, s->customers);
        if (s->accounts)
            fprintf(out, " %9.1f%%", 100.0 * (double)s->customers / (double)s->accounts);
        else
            fprintf(out, " %10s", "-");
        money_cell(out, s->value, 14);
        money_cell(out, s->customers ? s->value / (double)s->customers : NAN, 14);
        fputc('\n', out);
    }
    fprintf(out, "\nacquisition by %s and source\n%-9s %-28s %9s %9s %14s\n",
            drivers_period_name(a->period), "period", "source", "accounts", "customers", "value");
    for (size_t i = 0; i < a->nrows; i++) {
        const struct drivers_acq_row *row = &a->rows[i];
        char label[32];
        drivers_period_label(row->period, a->period, label, sizeof(label));
        const char *src = row->source == CV_NONE ? "(none)" : cv_label(&d->sources, row->source);
        fprintf(out, "%-9s %-28.28s %9zu %9zu", label, src, row->accounts, row->customers);
        money_cell(out, row->value, 14);
        fputc('\n', out);
    }
}

static void cohorts_text(FILE *out, const struct drivers_cohorts *c)
{
    fprintf(out, "\ncohort retention (share of each %s's new customers who ordered k %ss later)\n",
            drivers_period_name(c->period), drivers_period_name(c->period));
    fprintf(out, "%-9s %9s", "cohort", "customers");
    size_t cols = c->n < 13 ? c->n : 13;
    for (size_t k = 0; k < cols; k++)
        fprintf(out, " %5zu", k);
    fputc('\n', out);
    for (size_t i = 0; i < c->n; i++) {
        if (!c->size[i])
            continue;
        char label[32];
        drivers_period_label(c->first + (int32_t)i, c->period, label, sizeof(label));
        fprintf(out, "%-9s %9zu", label, c->size[i]);
        for (size_t k = 0; k < cols && i + k < c->n; k++)
            fprintf(out, " %4.0f%%", 100.0 * (double)c->active[i * c->n + k] / (double)c->size[i]);
        fputc('\n', out);
    }
}

static void attrition_row(FILE *out, const char *name, const struct drivers_attrition *a)
{
    fprintf(out, "%-40.40s %9zu", name, a->n);
    num_cell(out, a->expected_lost, 10, 1);
    num_cell(out, a->mean_p_alive, 9, 3);
    if (isfinite(a->mean_p_alive))
        fprintf(out, " %9zu", a->below_half);
    else
        fprintf(out, " %9s", "-");
    fprintf(out, " %9zu", a->active_before);
    if (a->active_before)
        fprintf(out, " %7.1f%%\n", 100.0 * (double)a->lapsed / (double)a->active_before);
    else
        fprintf(out, " %8s\n", "-");
}

static void cost_row(FILE *out, const char *name, const struct drivers_cost *c)
{
    fprintf(out, "%-40.40s %9zu", name, c->n);
    money_cell(out, c->margin, 14);
    money_cell(out, c->cost, 14);
    money_cell(out, c->margin - c->cost, 14);
    fprintf(out, " %9zu", c->unprofitable);
    money_cell(out, c->margin_current - c->cost_current, 14);
    fprintf(out, " %9zu\n", c->unprofitable_current);
}

static void attrition_text(FILE *out, const struct value_grouping *g, int64_t window)
{
    fprintf(out,
            "\nattrition by %s (expected lost = sum of 1 - P(alive); lapsed = ordered in the "
            "%lld days before the last %lld, not since)\n",
            value_by_name(g->by), (long long)window, (long long)window);
    fprintf(out, "%-40s %9s %10s %9s %9s %9s %8s\n", "group", "customers", "exp. lost", "P(alive)",
            "P<0.5", "active", "lapsed");
    attrition_row(out, "all", &g->all_attrition);
    for (size_t k = 0; k < g->g.n; k++)
        if (g->attrition[k].n)
            attrition_row(out, g->g.names[k], &g->attrition[k]);
}

/* kind: "margin" or "revenue", the column's name (value_report_kind()). */
static void cost_text(FILE *out, const struct value_grouping *g, const char *kind)
{
    fprintf(out, "\ncost to serve (interaction cost) and profitability by %s\n",
            value_by_name(g->by));
    fprintf(out, "%-40s %9s %14s %14s %14s %9s %14s %9s\n", "group", "customers", kind, "cost",
            "profit", "unprof.", "profit 12m", "unprof.");
    cost_row(out, "all", &g->all_cost);
    for (size_t k = 0; k < g->g.n; k++)
        if (g->cost[k].n)
            cost_row(out, g->g.names[k], &g->cost[k]);
}

static void holding_text(FILE *out, const struct drivers_holding *h, const char *measure)
{
    fprintf(out, "\nproduct holding: %.2f products and %.2f categories per customer on average\n",
            h->mean_products, h->mean_categories);
    fprintf(out, "%9s %9s %16s\n", "products", "customers", "mean value");
    for (size_t b = 0; b < DRIVERS_HOLDING_BUCKETS; b++) {
        if (!h->customers[b])
            continue;
        fprintf(out, "%8zu%s %9zu", b, b + 1 == DRIVERS_HOLDING_BUCKETS ? "+" : " ",
                h->customers[b]);
        money_cell(out, h->value[b] / (double)h->customers[b], 16);
        fprintf(out, "  (%s)\n", measure);
    }
}

static void migration_text(FILE *out, const struct drivers_migration *m, const char *kind)
{
    char a[16], b[16], c[16], e[16];
    fprintf(out,
            "\nvalue migration: tiers by %s quintile among the buyers of each period "
            "(0 = no order)\n  from %s..%s to %s..%s: %zu up, %zu down, %zu same\n",
            kind, day_text(m->from_first, a), day_text(m->from_last, b), day_text(m->to_first, c),
            day_text(m->to_last, e), m->up, m->down, m->same);
    fprintf(out, "%10s", "from\\to");
    for (size_t t = 0; t < DRIVERS_TIERS; t++)
        fprintf(out, " %8zu", t);
    fputc('\n', out);
    for (size_t f = 0; f < DRIVERS_TIERS; f++) {
        fprintf(out, "%10zu", f);
        for (size_t t = 0; t < DRIVERS_TIERS; t++)
            fprintf(out, " %8zu", m->matrix[f][t]);
        fputc('\n', out);
    }
    const struct drivers_wallet_move *w = &m->wallet;
    if (w->with)
        fprintf(out,
                "  share of wallet (revenue / wallet for the period), %zu customers with a "
                "wallet (%zu without): mean %.1f%% -> %.1f%%, all together %.1f%% -> %.1f%%; "
                "%zu up, %zu down, %zu same\n",
                w->with, w->without, 100 * w->from_mean, 100 * w->to_mean, 100 * w->from_share,
                100 * w->to_share, w->up, w->down, w->same);
}

static void drivers_text(FILE *out, const struct value_report *x)
{
    char day[16];
    const char *measure = value_measure_name(x->p.measure);
    const unsigned s = x->sections;
    fprintf(out, "as of %s; values are %s values\n", day_text(x->r.as_of_day, day), measure);
    kind_line(out, x);
    if (s & (1u << VALUE_SEC_ACQUISITION))
        acquisition_text(out, &x->d, &x->acq);
    if (s & (1u << VALUE_SEC_COHORTS))
        cohorts_text(out, &x->coh);
    if (s & (1u << VALUE_SEC_ATTRITION))
        attrition_text(out, &x->attrition, x->p.window);
    if (s & (1u << VALUE_SEC_HOLDING))
        holding_text(out, &x->holding, measure);
    if (s & (1u << VALUE_SEC_COST))
        cost_text(out, &x->cost, value_report_kind(x));
    if (s & (1u << VALUE_SEC_MIGRATION))
        migration_text(out, &x->mig, value_report_kind(x));
}

/* ---- rfm and reap ------------------------------------------------------------------------- */

static void rfm_text(FILE *out, const struct value_report *x)
{
    const struct rfm_score *sc = x->sc;
    char day[16];
    if (x->has_account) {
        size_t i = x->account;
        account_words(out, &x->d, x->r.c[i].account_id);
        fprintf(out, ": R %d, F %d, M %d: %s (%s)\n", sc[i].r, sc[i].f, sc[i].m,
                rfm_segment_name((enum rfm_segment)sc[i].segment),
                rfm_segment_rule((enum rfm_segment)sc[i].segment));
        return;
    }
    fprintf(out, "as of %s: %zu customers\n", day_text(x->r.as_of_day, day), x->r.n);
    kind_line(out, x);
    fprintf(out, "\n%-20s %9s %14s  %s\n", "segment", "customers", "value to date",
            "rule (first match wins)");
    for (int s = 0; s < RFM_NSEGMENTS; s++) {
        fprintf(out, "%-20s %9zu", rfm_segment_name((enum rfm_segment)s), x->seg_count[s]);
        money_cell(out, x->seg_value[s], 14);
        fprintf(out, "  %s\n", rfm_segment_rule((enum rfm_segment)s));
    }
    fprintf(out, "\n%10s", "account");
    identity_heads(out);
    fprintf(out, " %3s %3s %3s  %-20s %8s %7s %14s\n", "R", "F", "M", "segment", "recency",
            "orders", "value to date");
    for (size_t k = 0; k < x->shown; k++) {
        const size_t i = x->ix[k];
        fprintf(out, "%10lld", (long long)x->r.c[i].account_id);
        identity_cells(out, &x->d, x->r.c[i].account_id);
        fprintf(out, " %3d %3d %3d  %-20s %7dd %7u", sc[i].r, sc[i].f, sc[i].m,
                rfm_segment_name((enum rfm_segment)sc[i].segment),
                x->r.as_of_day - x->r.c[i].last_day, x->r.c[i].orders);
        money_cell(out, x->r.c[i].to_date, 14);
        fputc('\n', out);
    }
    cut_note(out, x->shown, x->m, "customers by value to date");
}

static void reap_account_text(FILE *out, const struct value_report *x, size_t i)
{
    char reason[512];
    const struct reap_tag *t = &x->tag[i];
    reap_reason(&x->rein[i], t, &x->reap, x->holding_ref, reason, sizeof(reason));
    account_words(out, &x->d, x->r.c[i].account_id);
    fprintf(out, ": %s (rule %s): %s\n", reap_lever_name((enum reap_lever)t->lever),
            reap_rule_name((enum reap_rule)t->rule), reason);
    if (t->low)
        fprintf(out, "low value (%s: %s)\n  treatment: %s\n", reap_low_name((enum reap_low)t->low),
                reap_low_rule((enum reap_low)t->low), reap_low_treatment((enum reap_low)t->low));
}

static void reap_text(FILE *out, const struct value_report *x)
{
    if (x->has_account) {
        reap_account_text(out, x, x->account);
        return;
    }
    char day[16], reason[512];
    fprintf(out, "as of %s: %zu customers; best customers' median holding %.1f products\n",
            day_text(x->r.as_of_day, day), x->r.n, x->holding_ref);
    kind_line(out, x);
    fputc('\n', out);
    fprintf(out, "%-12s %9s %16s\n", "lever", "customers", "lifetime value");
    for (int l = 0; l < REAP_NLEVERS; l++) {
        fprintf(out, "%-12s %9zu", reap_lever_name((enum reap_lever)l), x->levers[l]);
        money_cell(out, x->lever_value[l], 16);
        fputc('\n', out);
    }
    fprintf(out, "\n%-18s %9s  %s\n", "rule", "customers", "(first match wins)");
    for (int u = 0; u < REAP_NRULES; u++)
        fprintf(out, "%-18s %9zu  %s: %s\n", reap_rule_name((enum reap_rule)u), x->rule_count[u],
                reap_lever_name(reap_rule_lever((enum reap_rule)u)),
                reap_rule_text((enum reap_rule)u));
    fputs("\nlow-value customers\n", out);
    for (int u = 1; u < REAP_NLOW; u++)
        fprintf(out, "%-13s %7zu  %s\n%21s treatment: %s\n", reap_low_name((enum reap_low)u),
                x->lows[u], reap_low_rule((enum reap_low)u), "",
                reap_low_treatment((enum reap_low)u));
    fprintf(out, "\n%10s", "account");
    identity_heads(out);
    fprintf(out, " %-11s %-16s %-13s %14s  %s\n", "lever", "rule", "low value", "lifetime",
            "reason");
    for (size_t k = 0; k < x->shown; k++) {
        const size_t i = x->ix[k];
        const struct reap_tag *t = &x->tag[i];
        reap_reason(&x->rein[i], t, &x->reap, x->holding_ref, reason, sizeof(reason));
        fprintf(out, "%10lld", (long long)x->r.c[i].account_id);
        identity_cells(out, &x->d, x->r.c[i].account_id);
        fprintf(out, " %-11s %-16s %-13s", reap_lever_name((enum reap_lever)t->lever),
                reap_rule_name((enum reap_rule)t->rule),
                t->low ? reap_low_name((enum reap_low)t->low) : "-");
        money_cell(out, x->r.c[i].lifetime, 14);
        fprintf(out, "  %s\n", reason);
    }
    cut_note(out, x->shown, x->m, "customers by lifetime value");
}

/* ---- xsell and referrals ------------------------------------------------------------------ */

static void rule_words(FILE *out, const struct cv_data *d, const struct basket_rule *ru)
{
    for (int a = 0; a < ru->nante; a++)
        fprintf(out, "%s%s", a ? " + " : "", d->products[ru->antecedent[a]].sku);
    fprintf(out, " -> %s", d->products[ru->consequent].sku);
}

static void xsell_text(FILE *out, const struct value_report *x)
{
    const struct basket_options *b = &x->basket;
    char day[16];
    fprintf(out,
            "as of %s: %zu baskets, %zu frequent itemsets, %zu rules (support >= %g, "
            "confidence >= %g, lift >= %g, at most %d items)\n",
            day_text(x->r.as_of_day, day), x->rules.nbaskets, x->rules.nitemsets, x->rules.n,
            b->min_support, b->min_confidence, b->min_lift, b->max_len);
    if (!x->has_account) {
        fprintf(out, "\n%8s %10s %6s  %s\n", "support", "confidence", "lift", "rule");
        for (size_t k = 0; k < x->nrules; k++) {
            const struct basket_rule *ru = &x->rules.rules[k];
            fprintf(out, "%7.2f%% %9.1f%% %6.2f  ", 100 * ru->support, 100 * ru->confidence,
                    ru->lift);
            rule_words(out, &x->d, ru);
            fputc('\n', out);
        }
        if (x->nrules < x->rules.n)
            fprintf(out, "(%zu of %zu rules; --rules N or --all shows more)\n", x->nrules,
                    x->rules.n);
    }
    fprintf(out, "\noffers (%zu customers have one)\n%10s", x->customers_with, "account");
    identity_heads(out);
    fprintf(out, " %-10s %-16s %-40s  %s\n", "kind", "offer", "product",
            "because of the rule (confidence, lift)");
    for (size_t k = x->lo; k < x->hi; k++) {
        const struct basket_offer *of = &x->offers.offers[k];
        const struct basket_rule *ru = &x->rules.rules[of->rule];
        const struct cv_product *p = &x->d.products[of->product];
        const int64_t id = x->r.c[of->customer].account_id;
        fprintf(out, "%10lld", (long long)id);
        identity_cells(out, &x->d, id);
        fprintf(out, " %-10s %-16.16s %-40.40s  ",
                basket_offer_kind_name((enum basket_offer_kind)of->kind), p->sku, p->name);
        rule_words(out, &x->d, ru);
        fprintf(out, " (%.0f%%, %.2f)\n", 100 * ru->confidence, ru->lift);
    }
    if (!x->has_account && x->shown < x->customers_with)
        fprintf(out, "(offers of %zu of %zu customers; --limit N or --all shows more)\n", x->shown,
                x->customers_with);
}

static void referrals_text(FILE *out, const struct value_report *x)
{
    char day[16];
    fprintf(out,
            "as of %s: %zu referral events, %zu referring accounts; referred %s value %.2f "
            "(first degree), second degree weighted %g\n",
            day_text(x->r.as_of_day, day), x->d.nreferrals, x->m, value_measure_name(x->p.measure),
            x->referred_total, x->p.second_degree);
    kind_line(out, x);
    fprintf(out, "\n%10s", "account");
    identity_heads(out);
    fprintf(out, " %9s %14s %9s %14s %14s\n", "referred", "value", "2nd deg.", "value",
            "referral value");
    for (size_t k = 0; k < x->shown; k++) {
        const struct referral_value *v = &x->refs[x->ix[k]];
        fprintf(out, "%10lld", (long long)x->ids[x->ix[k]]);
        identity_cells(out, &x->d, x->ids[x->ix[k]]);
        fprintf(out, " %9zu", v->referred);
        money_cell(out, v->value1, 14);
        fprintf(out, " %9zu", v->referred2);
        money_cell(out, v->value2, 14);
        money_cell(out, v->total, 14);
        fputc('\n', out);
    }
    cut_note(out, x->shown, x->m, "referring accounts");
}

static void check_text(FILE *out, const struct value_report *x)
{
    const struct value_check *k = &x->check;
    char a[16], b[16];
    fprintf(out, "calibration %s .. %s: %zu customers; ", day_text(k->cal_first, a),
            day_text(k->cal_last, b), k->customers);
    fprintf(out, "holdout %s .. %s (%d days)\n", day_text(k->holdout_first, a),
            day_text(k->holdout_last, b), k->holdout_last - k->holdout_first + 1);
    fit_lines(out, x);
    fputs("\nrepeat purchases in the holdout, by repeat purchases in the calibration\n", out);
    fprintf(out, "%-9s %9s %10s %10s %10s\n", "frequency", "customers", "predicted", "actual",
            "error");
    for (size_t i = 0; i < VALUE_CHECK_BINS; i++) {
        const struct value_check_bin *bin = &k->bins[i];
        char label[24];
        snprintf(label, sizeof(label), i + 1 == VALUE_CHECK_BINS ? "%zu+" : "%zu", i);
        if (bin->customers == 0) {
            fprintf(out, "%-9s %9d %10s %10s %10s\n", label, 0, "-", "-", "-");
            continue;
        }
        fprintf(out, "%-9s %9zu %10.4f %10.4f %+10.4f\n", label, bin->customers, bin->predicted,
                bin->actual, bin->predicted - bin->actual);
    }
    fprintf(out, "%-9s %9zu %10.2f %10.0f  (totals)\n", "all", k->customers, k->predicted,
            k->actual);
    fprintf(out, "mean absolute error: %.4f per customer, %.4f per frequency\n", k->mae,
            k->mae_bins);
}

void value_report_text(const struct value_report *x, FILE *out)
{
    char warning[512];
    if (x->no_model)
        fprintf(out, "warning: %s\n", value_report_warning(x, warning, sizeof(warning)));
    for (size_t k = 0; k < x->nwarnings; k++)
        fprintf(out, "warning: %s\n", x->warnings[k].message);
    switch (x->analysis) {
    case VALUE_FIT:
        fit_text(out, x);
        break;
    case VALUE_CLV:
        clv_text(out, x);
        break;
    case VALUE_DIST:
        dist_text(out, x);
        break;
    case VALUE_DRIVERS:
        drivers_text(out, x);
        break;
    case VALUE_RFM:
        rfm_text(out, x);
        break;
    case VALUE_REAP:
        reap_text(out, x);
        break;
    case VALUE_XSELL:
        xsell_text(out, x);
        break;
    case VALUE_REFERRALS:
        referrals_text(out, x);
        break;
    case VALUE_CHECK:
        check_text(out, x);
        break;
    default:
        BUG("no value analysis %d", (int)x->analysis);
    }
}
