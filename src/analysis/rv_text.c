/*
 * rv_text.c - the text tables of `kith rv <analysis>` (without --json), drawn from the same
 * reports as the JSON (rv.h): what is shown is decided in rv_report.c, here only laid out.
 */
#include "analysis/rv.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "engine/rv.h"
#include "model/catalogue.h"
#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

#define PATTERN_LINES 26 /* the pattern of an old contact is thinned to about this many lines */

/* A number in a table: "-" when unknown. */
static const char *num(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.1f", v);
    return buf;
}

static const char *ms_day(int64_t ms, char *buf)
{
    timefmt_format(ms, buf);
    buf[10] = '\0'; /* the date */
    return buf;
}

static const char *day(int32_t t, char *buf)
{
    if (t == RV_TIME_MIN || t == RV_TIME_MAX) {
        snprintf(buf, TIMEFMT_SIZE, "-");
        return buf;
    }
    return ms_day(rv_time_to_ms(t), buf);
}

static const char *money_text(int64_t cents, char *buf)
{
    money_format(cents, MONEY_DECIMALS, buf);
    return buf;
}

static const char *level_name(int level)
{
    const struct catalogue_level *l = catalogue_level(level);
    return l ? l->name : "";
}

static void print_contact(const struct rv_contact_report *r, FILE *out)
{
    const struct rv_snapshot *s = r->snap;
    const struct norm_result *norm = r->norm;
    const struct rv_contact_state *st = &r->state;
    char b1[TIMEFMT_SIZE], b2[TIMEFMT_SIZE], b3[TIMEFMT_SIZE], n1[32], n2[32], n3[32], n4[32];
    char label[256];
    fprintf(out, "Contact %lld %s, as of %s\n", (long long)r->id, r->name ? r->name : "",
            ms_day(r->as_of_ms, b1));
    if (!st->ncounted) {
        fprintf(out, "  no counted interaction yet: RV 0, no level\n");
    } else {
        fprintf(out, "  RV            %" PRId64 "   (strength %.1f with a %g-day half-life)\n",
                st->rv, r->strength, r->half_life_days);
        fprintf(out, "  level         %d %s, stage %s\n", st->level, level_name(st->level),
                rv_stage_name(st->stage));
        fprintf(out, "  interactions  %u counted; first %s, last %s; age %" PRId64 " days\n",
                st->ncounted, day(st->first, b2), day(st->last, b3), r->age_days);
    }
    for (size_t i = 0; i < r->npositions; i++) {
        const struct norm_position *p = &r->positions[i];
        const struct norm_group *g = &norm->groups[p->group];
        const struct norm_row *row = &norm->rows[g->row_off + p->row];
        fprintf(out,
                "  position      %s %s: percentile %.0f at %u days (n %u, p10 %s, p90 %s): %s\n",
                norm_dim_name(norm->spec.by),
                norm_key_label(s, norm->spec.by, g->key, label, sizeof(label)), p->percentile,
                p->row * (unsigned)r->bucket_days, row->n, num(row->p10, n1, sizeof(n1)),
                num(row->p90, n2, sizeof(n2)), norm_status_name(p->status));
    }
    if (!r->npattern)
        return;
    /* the pattern beside the norm of the first group */
    const struct norm_group *g = r->npositions ? &norm->groups[r->positions[0].group] : NULL;
    const size_t nb = r->npattern;
    const size_t stride = nb > PATTERN_LINES ? (nb + PATTERN_LINES - 1) / PATTERN_LINES : 1;
    fprintf(out, "\nPattern: cumulative RV by age%s\n", g ? ", beside the norm above" : "");
    fprintf(out, "  %8s %8s %8s %8s %8s %8s\n", "age(d)", "rv", "n", "p10", "p50", "p90");
    for (size_t b = 0; b < nb; b++) {
        if (b % stride && b != nb - 1)
            continue;
        const struct norm_row *row = g && b < g->nrows ? &norm->rows[g->row_off + b] : NULL;
        fprintf(
            out, "  %8zu %8" PRId64 " %8s %8s %8s %8s\n", b * (size_t)r->bucket_days, r->pattern[b],
            row ? num(row->n, n1, sizeof(n1)) : "-", row ? num(row->p10, n2, sizeof(n2)) : "-",
            row ? num(row->p50, n3, sizeof(n3)) : "-", row ? num(row->p90, n4, sizeof(n4)) : "-");
    }
}

static void print_filters(const struct rv_snapshot *s, const struct norm_spec *spec, FILE *out)
{
    char label[256];
    for (size_t f = 0; f < spec->nfilters; f++)
        fprintf(
            out, "%s %s = %s", f ? " and" : ", where", norm_dim_name(spec->filters[f].dim),
            norm_key_label(s, spec->filters[f].dim, spec->filters[f].key, label, sizeof(label)));
}

static void print_norm(const struct rv_norm_report *r, FILE *out)
{
    const struct norm_result *norm = r->norm;
    const struct norm_spec *spec = &norm->spec;
    char b[TIMEFMT_SIZE], label[256], n[6][32];
    fprintf(out, "Norm of cumulative RV by %s, %d-day age buckets, as of %s",
            norm_dim_name(spec->by), spec->bucket_days, ms_day(spec->as_of_ms, b));
    print_filters(r->snap, spec, out);
    fprintf(out, "\nn: members at least that old; percentiles: type 7 (linear interpolation)\n\n");
    fprintf(out, "%-32s %7s %7s %8s %8s %8s %8s %8s\n", norm_dim_name(spec->by), "age(d)", "n",
            "p10", "p25", "p50", "p75", "p90");
    for (size_t g = 0; g < norm->ngroups; g++) {
        const struct norm_group *gr = &norm->groups[g];
        norm_key_label(r->snap, spec->by, gr->key, label, sizeof(label));
        for (uint32_t k = 0; k < gr->nrows; k += r->every) {
            const struct norm_row *row = &norm->rows[gr->row_off + k];
            fprintf(out, "%-32.32s %7u %7u %8s %8s %8s %8s %8s\n", k ? "" : label,
                    k * (unsigned)spec->bucket_days, row->n, num(row->p10, n[0], 32),
                    num(row->p25, n[1], 32), num(row->p50, n[2], 32), num(row->p75, n[3], 32),
                    num(row->p90, n[4], 32));
        }
    }
    if (!norm->ngroups)
        fprintf(out, "(no contact with a counted interaction matches)\n");
}

static void print_exceptions(const struct rv_exceptions_report *r, FILE *out)
{
    const struct norm_result *norm = r->norm;
    const struct norm_spec *spec = &norm->spec;
    char b[TIMEFMT_SIZE], label[256], n1[32], n2[32];
    fprintf(out, "Exceptions against the norm by %s as of %s", norm_dim_name(spec->by),
            ms_day(spec->as_of_ms, b));
    print_filters(r->snap, spec, out);
    fprintf(out, ": %zu contact%s outside [p10, p90]%s\n\n", r->count, r->count == 1 ? "" : "s",
            r->count > r->shown ? ", the most extreme shown" : "");
    fprintf(out, "%8s  %-32s %-16s %6s %7s %7s %7s %5s  %s\n", "contact", "name",
            norm_dim_name(spec->by), "age(d)", "rv", "p10", "p90", "pct", "status");
    for (size_t i = 0; i < r->shown; i++) {
        const struct norm_position *p = &norm->positions[r->idx[i]];
        const struct norm_group *g = &norm->groups[p->group];
        const struct norm_row *row = &norm->rows[g->row_off + p->row];
        fprintf(out, "%8lld  %-32.32s %-16.16s %6d %7" PRId64 " %7s %7s %5.0f  %s\n",
                (long long)r->snap->cid[p->contact], r->names[i] ? r->names[i] : "",
                norm_key_label(r->snap, spec->by, g->key, label, sizeof(label)), p->age_days, p->rv,
                num(row->p10, n1, sizeof(n1)), num(row->p90, n2, sizeof(n2)), p->percentile,
                norm_status_name(p->status));
    }
}

static void print_reps(const struct rv_reps_report *r, FILE *out)
{
    const struct rv_snapshot *s = r->snap;
    char label[256], n1[32], n2[32], m1[MONEY_SIZE], m2[MONEY_SIZE], m3[MONEY_SIZE];
    fprintf(out,
            "Rep scorecards%s%s: RV created, interaction cost, RV per 100 of cost, outcomes of"
            " the\ncustomers touched (a customer's orders count for every rep who touched it);"
            " pct: the\nrep's percentile of RV created in the team\n\n",
            r->team >= 0 ? " of team " : "",
            r->team >= 0 ? norm_key_label(s, NORM_TEAM, r->team, label, sizeof(label)) : "");
    fprintf(out, "%-22s %-14s %8s %11s %7s %6s %6s %6s %6s %12s %12s %5s\n", "rep", "team", "rv",
            "cost", "rv/100", "inter", "cont", "cust", "orders", "revenue", "margin", "pct");
    for (size_t i = 0; i < r->n; i++) {
        const struct scorecard_rep *x = &r->rows[i];
        fprintf(out, "%-22.22s %-14.14s %8" PRId64 " %11s %7s %6u %6u %6u %6u %12s %12s %5s\n",
                s->users.name[x->rep], norm_key_label(s, NORM_TEAM, x->team, label, 256), x->rv,
                money_text(x->cost, m1), num(round(x->rv_per_cost * 1000) / 10, n1, sizeof(n1)),
                x->interactions, x->contacts, x->customers, x->orders, money_text(x->revenue, m2),
                money_text(x->margin, m3), num(round(x->team_percentile), n2, sizeof(n2)));
    }
    if (!r->n)
        fprintf(out, "(no rep has a counted interaction in the period)\n");
}

static void print_units(const struct rv_units_report *r, FILE *out)
{
    const struct compare_result *cmp = r->cmp;
    char b[TIMEFMT_SIZE], label[256], n[7][32];
    fprintf(out, "RV by unit and stage as of %s: groups of fewer than %u contacts suppressed",
            ms_day(r->as_of_ms, b), cmp->k);
    if (cmp->epsilon > 0)
        fprintf(out,
                ";\ndifferential privacy with epsilon %g per contact (%g per statistic): Laplace"
                " noise on counts\nand sums, the exponential mechanism for percentiles, RV"
                " clipped to [%g, %g];\na group is shown when its noisy count is at least %.0f",
                cmp->epsilon, cmp->epsilon_per_statistic, cmp->clip_lo, cmp->clip_hi,
                cmp->threshold);
    else
        fprintf(out, "; no noise (exact figures)");
    const struct rv_units_privacy *pv = &r->privacy;
    if (pv->k_raised)
        fprintf(out, "\n(k %lld raised to the privacy policy's minimum)",
                (long long)pv->k_requested);
    if (pv->epsilon_lowered)
        fprintf(out, "\n(epsilon %g lowered to the privacy policy's maximum)",
                pv->epsilon_requested);
    if (pv->budgeted)
        fprintf(out, "\nprivacy budget today: %g of %g spent, %g left", pv->spent,
                pv->policy.daily_budget, pv->left);
    fprintf(out, "\n\n%-32s %-12s %7s %8s %8s %8s %8s %8s %8s\n", "unit", "stage", "n", "mean",
            "p10", "p25", "p50", "p75", "p90");
    for (size_t i = 0; i < cmp->ncells; i++) {
        const struct compare_cell *c = &cmp->cells[i];
        if (c->unit < 0 && c->suppressed && c->stage >= 0)
            continue; /* keep the table short: contacts without a unit, per stage */
        char name[300];
        snprintf(name, sizeof(name), "%s%s",
                 norm_key_label(r->snap, NORM_UNIT, c->unit, label, sizeof(label)),
                 c->own ? " (own)" : "");
        const char *stage = c->stage < 0 ? "all" : rv_stage_name(c->stage);
        if (c->suppressed)
            fprintf(out, "%-32.32s %-12s %7s  suppressed\n", name, stage, "-");
        else
            fprintf(out, "%-32.32s %-12s %7s %8s %8s %8s %8s %8s %8s\n", name, stage,
                    num(c->n, n[0], 32), num(c->mean, n[1], 32), num(c->p10, n[2], 32),
                    num(c->p25, n[3], 32), num(c->p50, n[4], 32), num(c->p75, n[5], 32),
                    num(c->p90, n[6], 32));
    }
}

static void print_indicator(const struct rv_indicator_report *x, FILE *out)
{
    const struct indicator_spec *spec = &x->spec;
    const struct indicator_result *r = &x->result;
    const char *per = spec->per == INDICATOR_PER_CONTACT ? "contact" : "account";
    const bool churn = spec->outcome == INDICATOR_CHURN, win = spec->outcome == INDICATOR_WIN;
    const bool sow = spec->outcome == INDICATOR_SHARE_OF_WALLET;
    const bool discord = spec->predictor == INDICATOR_DISCORD;
    const char *x_is = discord ? "discord" : "RV gained";
    char b[TIMEFMT_SIZE], n[6][32], m[MONEY_SIZE], what[64];
    if (discord)
        snprintf(what, sizeof(what), "V2T2 discord in %s",
                 x->phase >= 0 ? rv_stage_name(x->phase) : "every phase");
    else
        snprintf(what, sizeof(what), "RV gained");
    fprintf(out,
            "Leading indicator: %s in the %d days to %s against %s in the %d days after,"
            " per %s\n\n",
            what, spec->window_days, ms_day(spec->cutoff_ms, b),
            churn                               ? "churn"
            : win                               ? "deals won or lost"
            : sow                               ? "share of wallet"
            : spec->outcome == INDICATOR_GROWTH ? "revenue growth"
                                                : "order margin",
            spec->horizon_days, per);
    if (win)
        fprintf(out,
                "  deals studied        %zu (closed in the horizon; the RV of each deal's %s)\n",
                r->n, per);
    else
        fprintf(
            out,
            "  %ss studied      %zu (a counted interaction by the cut-off%s, no churn before)\n",
            per, r->n, spec->customers_only ? " and an order" : "");
    if (discord)
        fprintf(out, "  without discord      %zu (left out: no zone, or no interaction in %s)\n",
                r->without_x, x->phase >= 0 ? "the phase" : "the window");
    if (sow)
        fprintf(out,
                "  without a wallet     %zu (left out: no estimated wallet on the account)\n"
                "  mean share           %.3f (revenue in the horizon / wallet for the horizon)\n",
                r->without_wallet, r->y_mean);
    fprintf(out, "  Spearman rho         %.3f", r->rho);
    if (r->resamples_used)
        fprintf(out, "   95%% bootstrap interval %.3f .. %.3f (%zu resamples, seed %" PRIu64 ")%s",
                r->rho_lo, r->rho_hi, r->resamples_used, spec->seed,
                r->rho_lo > 0 || r->rho_hi < 0 ? "" : ": covers 0");
    fprintf(out, "\n");
    const char *covers = r->auc_lo > 0.5 || r->auc_hi < 0.5 ? "" : ": covers 0.5";
    if (churn && discord)
        fprintf(out,
                "  AUC                  %.3f   95%% interval %.3f .. %.3f (%zu churned; the chance"
                " that a churner had more discord than a stayer)%s\n",
                r->auc, r->auc_lo, r->auc_hi, r->positives, covers);
    else if (churn)
        fprintf(out,
                "  AUC                  %.3f   95%% interval %.3f .. %.3f (%zu churned; the chance"
                " that a churner gained less RV than a stayer)\n",
                r->auc, r->auc_lo, r->auc_hi, r->positives);
    if (win)
        fprintf(out,
                "  AUC                  %.3f   95%% interval %.3f .. %.3f (%zu won; the chance"
                " that a won deal's %s %s than a lost one's)%s\n",
                r->auc, r->auc_lo, r->auc_hi, r->positives, per,
                discord ? "had more discord" : "gained more RV", covers);
    fprintf(out, "\nDeciles by %s, highest first (lift: the decile's mean outcome over all)\n",
            x_is);
    fprintf(out, "  %6s %7s %8s %8s %9s %14s %6s\n", "decile", "n", discord ? "x min" : "rv min",
            discord ? "x max" : "rv max", discord ? "x mean" : "rv mean",
            churn ? "churn rate"
            : win ? "win rate"
            : sow ? "mean share"
                  : "mean outcome",
            "lift");
    for (int k = 0; k < INDICATOR_DECILES; k++) {
        const struct indicator_decile *d = &r->deciles[k];
        char y[40];
        if (churn || win || (sow && !isnan(d->y_mean)))
            snprintf(y, sizeof(y), "%.3f", d->y_mean);
        else if (isnan(d->y_mean))
            snprintf(y, sizeof(y), "-");
        else
            snprintf(y, sizeof(y), "%s", money_text(llround(d->y_mean), m));
        if (isnan(d->lift))
            snprintf(n[4], sizeof(n[4]), "-");
        else
            snprintf(n[4], sizeof(n[4]), "%.2f", d->lift);
        if (discord) {
            snprintf(n[1], sizeof(n[1]), "%.3f", d->x_min);
            snprintf(n[2], sizeof(n[2]), "%.3f", d->x_max);
            snprintf(n[3], sizeof(n[3]), "%.3f", d->x_mean);
        } else {
            num(d->x_min, n[1], 32);
            num(d->x_max, n[2], 32);
            num(round(d->x_mean * 10) / 10, n[3], 32);
        }
        fprintf(out, "  %6d %7u %8s %8s %9s %14s %6s\n", k + 1, d->n, n[1], n[2], n[3], y, n[4]);
    }
}

int rv_report_print(const struct rv_report *r, FILE *out, struct kith_error *err)
{
    switch (r->def->group) {
    case RV_CONTACT:
        print_contact(&r->u.contact, out);
        break;
    case RV_NORM:
        print_norm(&r->u.norm, out);
        break;
    case RV_EXCEPTIONS:
        print_exceptions(&r->u.exceptions, out);
        break;
    case RV_REPS:
        print_reps(&r->u.reps, out);
        break;
    case RV_UNITS:
        print_units(&r->u.units, out);
        break;
    case RV_INDICATOR:
        print_indicator(&r->u.indicator, out);
        break;
    default:
        BUG("rv has no analysis of group %llu", (unsigned long long)r->def->group);
    }
    if (ferror(out))
        return kith_err(err, KITH_EIO, "cannot write the report");
    return 0;
}
