/*
 * rv.c - kith rv: Relationship Value from the command line (DESIGN.md §4): a contact's RV,
 * level and pattern against its norm, norms of any grouping, the exceptions, rep scorecards,
 * the confidential comparison of units and the leading-indicator study. Each subcommand loads
 * the RV snapshot from the store, runs the engine and prints a table, or JSON with --json
 * (the shapes of io/rv_json.h, which the API shares).
 */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/compare.h"
#include "engine/indicator.h"
#include "engine/norm.h"
#include "engine/rv.h"
#include "engine/scorecard.h"
#include "engine/snapshot.h"
#include "io/rv_json.h"
#include "model/catalogue.h"
#include "util/money.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith rv <command> [options]\n\n"
    "Relationship Value (RV): the cumulative effect of a contact's interactions, its pattern by\n"
    "relationship age, and the norms it is compared with.\n\n"
    "Commands:\n"
    "  contact <id|email>   one contact: RV, strength, level, stage, pattern and position\n"
    "  norm                 the norm of a grouping: n, p10, p25, p50, p75, p90 by age\n"
    "  exceptions           contacts below p10 or above p90 of their norm\n"
    "  reps                 rep scorecards: RV created, cost, RV per cost, outcomes, place\n"
    "  units                confidential comparison of units by stage (suppression, noise)\n"
    "  indicator            RV gained before a cut-off against an outcome after it\n\n"
    "Options of every command:\n"
    "  --db PATH        the database (default: $KITH_DB, else ./kith.db)\n"
    "  --as-of DATE     the instant to look from (ISO 8601; default: now)\n"
    "  --threads N      threads for loading and the kernels (1..8, default 2)\n"
    "  --json           one JSON object instead of a table\n"
    "  -h, --help       this text, or a command's own with 'kith rv <command> --help'\n";

static const char usage_contact[] =
    "usage: kith rv contact <id|email> [--by FIELD] [--bucket-days N] [--half-life DAYS]\n"
    "                       [--db PATH] [--as-of DATE] [--threads N] [--json]\n\n"
    "A contact's cumulative RV, its half-life strength, relationship level and stage, and its\n"
    "pattern (RV by age) beside the norm of its group (--by, default team), with its position.\n"
    "  --bucket-days N    age bucket of the pattern and norm (default 7)\n"
    "  --half-life DAYS   half-life of the strength view (default 90)\n";

static const char usage_norm[] =
    "usage: kith rv norm [--by FIELD] [--where FIELD=VALUE]... [--bucket-days N]\n"
    "                    [--max-age DAYS] [--every K] [--db PATH] [--as-of DATE] [--json]\n\n"
    "The distribution of cumulative RV at each age bucket (age = days since a contact's first\n"
    "interaction) over the members old enough, for each group of FIELD (default team):\n"
    "n and the type-7 percentiles p10, p25, p50, p75, p90.\n"
    "FIELD: all, team, rep, unit, industry, territory, source, revenue_band, stage, level,\n"
    "       event (contacts with an event of a kind), profit (high, low, potential),\n"
    "       community (leader, doer, watcher).\n"
    "  --where F=V     keep contacts whose F is V (repeatable; ANDed). V: a name, an email (rep),\n"
    "                  an id (#12), or none\n"
    "  --bucket-days N age bucket (default 7)\n"
    "  --max-age DAYS  no rows beyond this age (older contacts compare with the last row)\n"
    "  --every K       print every K-th row (default 1)\n";

static const char usage_exceptions[] =
    "usage: kith rv exceptions [--by FIELD] [--where FIELD=VALUE]... [--status behind|ahead]\n"
    "                          [--limit N] [--bucket-days N] [--min-n N] [--db PATH] [--json]\n\n"
    "Contacts whose RV lies below p10 (behind) or above p90 (ahead) of their group's norm at\n"
    "their age, the most extreme first. Groups and filters as for 'kith rv norm'.\n"
    "  --limit N   at most N contacts (default 50)\n"
    "  --min-n N   rows with fewer members give no status (default 5)\n";

static const char usage_reps[] =
    "usage: kith rv reps [--team NAME] [--from DATE] [--to DATE] [--db PATH] [--json]\n\n"
    "Rep scorecards: RV units created by each rep's interactions, their cost, RV per currency\n"
    "unit, interactions, contacts, the customers touched and their orders, revenue and margin,\n"
    "and the rep's percentile of RV created within the team. Interactions and orders in\n"
    "[--from, --to) (default: all).\n";

static const char usage_units[] =
    "usage: kith rv units [--k K] [--epsilon E] [--unit NAME] [--clip LO:HI] [--db PATH]\n"
    "                     [--as-of DATE] [--json]\n\n"
    "RV distributions per unit (business unit, partner, distributor) and lifecycle stage,\n"
    "without contact detail. Groups of fewer than K contacts are suppressed (default 10).\n"
    "  --epsilon E   add differential-privacy noise with budget E per contact (Laplace on\n"
    "                counts and sums, the exponential mechanism for percentiles)\n"
    "  --unit NAME   the unit whose own figures are shown exactly beside the others\n"
    "  --clip LO:HI  the public RV bounds the noise assumes (default -1000:10000)\n";

static const char usage_indicator[] =
    "usage: kith rv indicator --cutoff DATE --window DAYS --horizon DAYS\n"
    "                         --outcome margin|growth|churn [--per account|contact]\n"
    "                         [--population all|customers] [--resamples N] [--seed S]\n"
    "                         [--db PATH] [--json]\n\n"
    "Is RV a leading indicator? RV gained in the window before the cut-off against the outcome\n"
    "in the horizon after it, per account (default) or contact: Spearman's rho with a 95%\n"
    "percentile-bootstrap interval (1000 resamples by default, seeded), the AUC for churn, and\n"
    "a decile lift table. margin: order margin after; growth: revenue after minus revenue in\n"
    "the same length before; churn: a churn event after. Studied: the entities with a counted\n"
    "interaction by the cut-off and no churn before it; --population customers (the default\n"
    "for churn: only customers can give notice) also asks for an order by the cut-off.\n";

/* ---- shared ------------------------------------------------------------------------------- */

struct opts {
    const char *db;
    bool json;
    int64_t as_of;
    unsigned threads;
    const char *by;
    const char *where[NORM_MAX_FILTERS];
    size_t nwhere;
    int bucket_days, max_age, every, min_n;
    double half_life;
    const char *status;
    long limit;
    const char *team;
    int64_t from, to;
    unsigned k;
    double epsilon, clip_lo, clip_hi;
    const char *unit;
    int64_t cutoff;
    int window, horizon;
    const char *outcome, *per, *population;
    unsigned resamples;
    uint64_t seed;
};

enum {
    O_DB = 1000,
    O_JSON,
    O_AS_OF,
    O_THREADS,
    O_BY,
    O_WHERE,
    O_BUCKET,
    O_MAX_AGE,
    O_EVERY,
    O_MIN_N,
    O_HALF_LIFE,
    O_STATUS,
    O_LIMIT,
    O_TEAM,
    O_FROM,
    O_TO,
    O_K,
    O_EPSILON,
    O_CLIP,
    O_UNIT,
    O_CUTOFF,
    O_WINDOW,
    O_HORIZON,
    O_OUTCOME,
    O_PER,
    O_RESAMPLES,
    O_SEED,
    O_POPULATION,
};

static const struct option all_options[] = {
    {"db", required_argument, NULL, O_DB},
    {"json", no_argument, NULL, O_JSON},
    {"as-of", required_argument, NULL, O_AS_OF},
    {"threads", required_argument, NULL, O_THREADS},
    {"by", required_argument, NULL, O_BY},
    {"where", required_argument, NULL, O_WHERE},
    {"bucket-days", required_argument, NULL, O_BUCKET},
    {"max-age", required_argument, NULL, O_MAX_AGE},
    {"every", required_argument, NULL, O_EVERY},
    {"min-n", required_argument, NULL, O_MIN_N},
    {"half-life", required_argument, NULL, O_HALF_LIFE},
    {"status", required_argument, NULL, O_STATUS},
    {"limit", required_argument, NULL, O_LIMIT},
    {"team", required_argument, NULL, O_TEAM},
    {"from", required_argument, NULL, O_FROM},
    {"to", required_argument, NULL, O_TO},
    {"k", required_argument, NULL, O_K},
    {"epsilon", required_argument, NULL, O_EPSILON},
    {"clip", required_argument, NULL, O_CLIP},
    {"unit", required_argument, NULL, O_UNIT},
    {"cutoff", required_argument, NULL, O_CUTOFF},
    {"window", required_argument, NULL, O_WINDOW},
    {"horizon", required_argument, NULL, O_HORIZON},
    {"outcome", required_argument, NULL, O_OUTCOME},
    {"per", required_argument, NULL, O_PER},
    {"resamples", required_argument, NULL, O_RESAMPLES},
    {"seed", required_argument, NULL, O_SEED},
    {"population", required_argument, NULL, O_POPULATION},
    {"help", no_argument, NULL, 'h'},
    {0},
};

/* A whole number in lo..hi; false (and a usage error printed) otherwise. */
static bool parse_long(const char *cmd, const char *opt, const char *arg, long lo, long hi,
                       long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || v < lo || v > hi) {
        cmd_usage_error(cmd, "%s needs a whole number from %ld to %ld, not '%s'", opt, lo, hi, arg);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_double(const char *cmd, const char *opt, const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (!*arg || *end || !isfinite(v)) {
        cmd_usage_error(cmd, "%s needs a number, not '%s'", opt, arg);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_time(const char *cmd, const char *opt, const char *arg, int64_t *out)
{
    struct kith_error err = {0};
    if (timefmt_parse(arg, strlen(arg), out, &err) < 0) {
        cmd_usage_error(cmd, "%s: %s", opt, err.msg);
        return false;
    }
    return true;
}

/*
 * Parses argv (argv[0] is the subcommand) into o, allowing only the options whose letters are
 * in allowed (the O_* codes). Returns -1 to go on, else the exit code (help printed, or a
 * usage error). optind is left at the first operand.
 */
static int parse(int argc, char **argv, const char *cmd, const char *help, const int *allowed,
                 struct opts *o)
{
    memset(o, 0, sizeof(*o));
    o->as_of = store_now_ms();
    o->threads = 2;
    o->by = "team";
    o->bucket_days = NORM_BUCKET_DEFAULT;
    o->every = 1;
    o->min_n = NORM_MIN_N_DEFAULT;
    o->half_life = 90;
    o->limit = 50;
    o->k = COMPARE_K_DEFAULT;
    o->clip_lo = COMPARE_CLIP_LO_DEFAULT;
    o->clip_hi = COMPARE_CLIP_HI_DEFAULT;
    o->resamples = INDICATOR_RESAMPLES_DEFAULT;
    o->seed = INDICATOR_SEED_DEFAULT;
    o->per = "account";
    int c;
    long v;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", all_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return CMD_OK;
        }
        bool ok = c == O_DB || c == O_JSON || c == O_AS_OF || c == O_THREADS;
        for (const int *a = allowed; !ok && *a; a++)
            ok = *a == c;
        if (!ok)
            return cmd_usage_error(cmd, "unknown option");
        switch (c) {
        case O_DB:
            o->db = optarg;
            break;
        case O_JSON:
            o->json = true;
            break;
        case O_AS_OF:
            if (!parse_time(cmd, "--as-of", optarg, &o->as_of))
                return CMD_USAGE;
            break;
        case O_THREADS:
            if (!parse_long(cmd, "--threads", optarg, 1, 8, &v))
                return CMD_USAGE;
            o->threads = (unsigned)v;
            break;
        case O_BY:
            o->by = optarg;
            break;
        case O_WHERE:
            if (o->nwhere == NORM_MAX_FILTERS)
                return cmd_usage_error(cmd, "at most %d --where", NORM_MAX_FILTERS);
            o->where[o->nwhere++] = optarg;
            break;
        case O_BUCKET:
            if (!parse_long(cmd, "--bucket-days", optarg, 1, 3660, &v))
                return CMD_USAGE;
            o->bucket_days = (int)v;
            break;
        case O_MAX_AGE:
            if (!parse_long(cmd, "--max-age", optarg, 0, 36600, &v))
                return CMD_USAGE;
            o->max_age = (int)v;
            break;
        case O_EVERY:
            if (!parse_long(cmd, "--every", optarg, 1, 10000, &v))
                return CMD_USAGE;
            o->every = (int)v;
            break;
        case O_MIN_N:
            if (!parse_long(cmd, "--min-n", optarg, 1, 1000000, &v))
                return CMD_USAGE;
            o->min_n = (int)v;
            break;
        case O_HALF_LIFE:
            if (!parse_double(cmd, "--half-life", optarg, &o->half_life))
                return CMD_USAGE;
            if (o->half_life <= 0)
                return cmd_usage_error(cmd, "--half-life must be above 0 days");
            break;
        case O_STATUS:
            if (strcmp(optarg, "behind") && strcmp(optarg, "ahead") && strcmp(optarg, "both"))
                return cmd_usage_error(cmd, "--status is behind, ahead or both");
            o->status = optarg;
            break;
        case O_LIMIT:
            if (!parse_long(cmd, "--limit", optarg, 1, 1000000, &o->limit))
                return CMD_USAGE;
            break;
        case O_TEAM:
            o->team = optarg;
            break;
        case O_FROM:
            if (!parse_time(cmd, "--from", optarg, &o->from))
                return CMD_USAGE;
            break;
        case O_TO:
            if (!parse_time(cmd, "--to", optarg, &o->to))
                return CMD_USAGE;
            break;
        case O_K:
            if (!parse_long(cmd, "--k", optarg, 1, 1000000, &v))
                return CMD_USAGE;
            o->k = (unsigned)v;
            break;
        case O_EPSILON:
            if (!parse_double(cmd, "--epsilon", optarg, &o->epsilon))
                return CMD_USAGE;
            if (o->epsilon <= 0)
                return cmd_usage_error(cmd, "--epsilon must be above 0");
            break;
        case O_CLIP: {
            char *end, *colon = strchr(optarg, ':');
            o->clip_lo = strtod(optarg, &end);
            if (!colon || end != colon || !*(colon + 1))
                return cmd_usage_error(cmd, "--clip is LO:HI, e.g. -1000:10000");
            o->clip_hi = strtod(colon + 1, &end);
            if (*end || !(o->clip_lo < o->clip_hi))
                return cmd_usage_error(cmd, "--clip is LO:HI with LO below HI");
            break;
        }
        case O_UNIT:
            o->unit = optarg;
            break;
        case O_CUTOFF:
            if (!parse_time(cmd, "--cutoff", optarg, &o->cutoff))
                return CMD_USAGE;
            break;
        case O_WINDOW:
            if (!parse_long(cmd, "--window", optarg, 1, 36600, &v))
                return CMD_USAGE;
            o->window = (int)v;
            break;
        case O_HORIZON:
            if (!parse_long(cmd, "--horizon", optarg, 1, 36600, &v))
                return CMD_USAGE;
            o->horizon = (int)v;
            break;
        case O_OUTCOME:
            o->outcome = optarg;
            break;
        case O_PER:
            if (strcmp(optarg, "account") && strcmp(optarg, "contact"))
                return cmd_usage_error(cmd, "--per is account or contact");
            o->per = optarg;
            break;
        case O_RESAMPLES:
            if (!parse_long(cmd, "--resamples", optarg, 0, 100000, &v))
                return CMD_USAGE;
            o->resamples = (unsigned)v;
            break;
        case O_POPULATION:
            if (strcmp(optarg, "all") && strcmp(optarg, "customers"))
                return cmd_usage_error(cmd, "--population is all or customers");
            o->population = optarg;
            break;
        case O_SEED:
            if (!parse_long(cmd, "--seed", optarg, 0, LONG_MAX, &v))
                return CMD_USAGE;
            o->seed = (uint64_t)v;
            break;
        default:
            return cmd_usage_error(cmd, "unknown option");
        }
    }
    return -1;
}

/* Opens the store and loads the snapshot; on failure prints why and returns NULL. */
static struct rv_snapshot *load(const struct opts *o, struct store **out)
{
    struct kith_error err = {0};
    struct rv_snapshot *snap = NULL;
    *out = cmd_open_store(o->db, STORE_READONLY);
    if (!*out)
        return NULL;
    if (rv_snapshot_load(store_rv_source(*out), o->threads, &snap, &err) < 0) {
        cmd_fail(&err);
        store_close(*out);
        *out = NULL;
        return NULL;
    }
    if (snap->nclamped && !o->json)
        fprintf(stderr,
                "kith rv: note: %zu values were out of the snapshot's range and were clamped"
                " (times before 1931 or after 2068, RV beyond +-32767, costs beyond int32)\n",
                snap->nclamped);
    return snap;
}

static void done(struct store *s, struct rv_snapshot *snap)
{
    rv_snapshot_free(snap);
    store_close(s);
}

/* Prints j (consumed) with a newline; CMD_FAIL when it could not be built. */
static int print_json(json_t *j)
{
    if (!j) {
        struct kith_error err;
        kith_err(&err, KITH_ENOMEM, "out of memory writing JSON");
        return cmd_fail(&err);
    }
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) {
        struct kith_error err;
        kith_err(&err, KITH_ENOMEM, "out of memory writing JSON");
        return cmd_fail(&err);
    }
    puts(text);
    free(text);
    return CMD_OK;
}

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

static const char *day(int32_t t, char *buf)
{
    if (t == RV_TIME_MIN || t == RV_TIME_MAX) {
        snprintf(buf, TIMEFMT_SIZE, "-");
        return buf;
    }
    timefmt_format(rv_time_to_ms(t), buf);
    buf[10] = '\0'; /* the date */
    return buf;
}

static const char *ms_day(int64_t ms, char *buf)
{
    timefmt_format(ms, buf);
    buf[10] = '\0';
    return buf;
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

/* The norm spec of --by and --where against snap; on failure prints why and returns false. */
static bool norm_spec_from(const struct opts *o, const struct rv_snapshot *snap, const char *cmd,
                           struct norm_spec *spec)
{
    struct kith_error err = {0};
    enum norm_dim by;
    if (norm_dim_from_name(o->by, &by, &err) < 0) {
        cmd_usage_error(cmd, "--by: %s", err.msg);
        return false;
    }
    norm_spec_init(spec, by, o->as_of);
    spec->bucket_days = o->bucket_days;
    spec->max_age_days = o->max_age;
    spec->min_n = (unsigned)o->min_n;
    spec->nthreads = o->threads;
    for (size_t i = 0; i < o->nwhere; i++) {
        const char *eq = strchr(o->where[i], '=');
        char field[64];
        if (!eq || eq == o->where[i] || (size_t)(eq - o->where[i]) >= sizeof(field)) {
            cmd_usage_error(cmd, "--where is FIELD=VALUE, not '%s'", o->where[i]);
            return false;
        }
        memcpy(field, o->where[i], (size_t)(eq - o->where[i]));
        field[eq - o->where[i]] = '\0';
        struct norm_filter *f = &spec->filters[spec->nfilters];
        if (norm_dim_from_name(field, &f->dim, &err) < 0 || f->dim == NORM_ALL) {
            cmd_usage_error(cmd, "--where: %s",
                            f->dim == NORM_ALL ? "cannot filter on all" : err.msg);
            return false;
        }
        if (norm_key_from_text(snap, f->dim, eq + 1, &f->key, &err) < 0) {
            cmd_usage_error(cmd, "--where %s: %s", o->where[i], err.msg);
            return false;
        }
        spec->nfilters++;
    }
    return true;
}

/* "Jane Doe <jane@example.com>" of contact id, from the store (names never enter the engine). */
struct who {
    char text[300];
};

static int who_row(void *ctx, const struct store_value *vals)
{
    struct who *w = ctx;
    const struct table_def *t = model_table("contacts");
    size_t fi, li, ei;
    table_field(t, "first_name", &fi);
    table_field(t, "last_name", &li);
    table_field(t, "email", &ei);
    const struct store_value *f = &vals[fi], *l = &vals[li], *e = &vals[ei];
    snprintf(w->text, sizeof(w->text), "%.*s%s%.*s%s%.*s%s", f->kind == SV_TEXT ? (int)f->len : 0,
             f->kind == SV_TEXT ? f->s : "", f->kind == SV_TEXT ? " " : "",
             l->kind == SV_TEXT ? (int)l->len : 0, l->kind == SV_TEXT ? l->s : "",
             e->kind == SV_TEXT ? " <" : "", e->kind == SV_TEXT ? (int)e->len : 0,
             e->kind == SV_TEXT ? e->s : "", e->kind == SV_TEXT ? ">" : "");
    return 0;
}

static const char *contact_name(struct store *s, int64_t id, struct who *w)
{
    static const struct store_scope all = {.all = true};
    w->text[0] = '\0';
    store_get(s, model_table("contacts"), id, &all, who_row, w, NULL);
    return w->text;
}

/* ---- kith rv contact ---------------------------------------------------------------------- */

static int rv_contact(int argc, char **argv)
{
    static const int allowed[] = {O_BY, O_BUCKET, O_HALF_LIFE, 0};
    struct opts o;
    int rc = parse(argc, argv, "rv contact", usage_contact, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return cmd_usage_error("rv contact", "name one contact: its id or email");
    const char *who_arg = argv[optind];
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct kith_error err = {0};
    int64_t id = 0;
    const char *p = who_arg + (*who_arg == '#');
    bool digits = *p != '\0';
    for (const char *q = p; *q; q++)
        digits = digits && isdigit((unsigned char)*q);
    if (digits) {
        id = strtoll(p, NULL, 10);
    } else if (store_find_id(s, model_table("contacts"), "email", who_arg, &id, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    int32_t c = rv_snapshot_contact(snap, id);
    if (c < 0) {
        kith_err(&err, KITH_ENOTFOUND, "no contact %lld", (long long)id);
        rc = cmd_fail(&err);
        goto out;
    }
    struct norm_spec spec;
    if (!norm_spec_from(&o, snap, "rv contact", &spec)) {
        rc = CMD_USAGE;
        goto out;
    }
    /* for a single-valued grouping only the contact's own group is needed: filter to it */
    struct rv_contact_state st;
    rv_contact_state_at(snap, (size_t)c, rv_time_from_ms(o.as_of), &st);
    int32_t own;
    bool single = norm_attribute_key(snap, spec.by, (size_t)c, &own);
    if (single) {
        spec.filters[spec.nfilters].dim = spec.by;
        spec.filters[spec.nfilters++].key = own;
    }
    struct norm_result *norm = NULL;
    if (norm_compute(snap, &spec, &norm, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_contact(snap, (size_t)c, o.as_of, o.half_life, o.bucket_days, norm));
        norm_result_free(norm);
        goto out;
    }
    char b1[TIMEFMT_SIZE], b2[TIMEFMT_SIZE], b3[TIMEFMT_SIZE], n1[32], n2[32], n3[32], n4[32];
    struct who w;
    printf("Contact %lld %s, as of %s\n", (long long)id, contact_name(s, id, &w),
           ms_day(o.as_of, b1));
    if (!st.ncounted) {
        printf("  no counted interaction yet: RV 0, no level\n");
    } else {
        printf("  RV            %" PRId64 "   (strength %.1f with a %g-day half-life)\n", st.rv,
               rv_strength(snap, (size_t)c, o.as_of, o.half_life), o.half_life);
        printf("  level         %d %s, stage %s\n", st.level, level_name(st.level),
               rv_stage_name(st.stage));
        printf("  interactions  %u counted; first %s, last %s; age %" PRId64 " days\n", st.ncounted,
               day(st.first, b2), day(st.last, b3),
               ((int64_t)rv_time_from_ms(o.as_of) - st.first) / RV_DAY);
    }
    struct norm_position pos[16];
    size_t np = 0;
    norm_position_of(norm, snap, (size_t)c, o.as_of, pos, 16, &np);
    char label[256];
    for (size_t i = 0; i < np; i++) {
        const struct norm_group *g = &norm->groups[pos[i].group];
        const struct norm_row *row = &norm->rows[g->row_off + pos[i].row];
        printf("  position      %s %s: percentile %.0f at %u days (n %u, p10 %s, p90 %s): %s\n",
               norm_dim_name(spec.by), norm_key_label(snap, spec.by, g->key, label, sizeof(label)),
               pos[i].percentile, pos[i].row * (unsigned)spec.bucket_days, row->n,
               num(row->p10, n1, sizeof(n1)), num(row->p90, n2, sizeof(n2)),
               norm_status_name(pos[i].status));
    }
    /* the pattern beside the norm of the first group, at most about 26 lines */
    size_t nb = 0;
    rv_pattern(snap, (size_t)c, o.as_of, spec.bucket_days, NULL, 0, &nb, NULL);
    int64_t *v = malloc((nb ? nb : 1) * sizeof(*v));
    if (v && nb && rv_pattern(snap, (size_t)c, o.as_of, spec.bucket_days, v, nb, &nb, NULL) == 0) {
        const struct norm_group *g = np ? &norm->groups[pos[0].group] : NULL;
        size_t stride = nb > 26 ? (nb + 25) / 26 : 1;
        printf("\nPattern: cumulative RV by age%s\n", g ? ", beside the norm above" : "");
        printf("  %8s %8s %8s %8s %8s %8s\n", "age(d)", "rv", "n", "p10", "p50", "p90");
        for (size_t b = 0; b < nb; b++) {
            if (b % stride && b != nb - 1)
                continue;
            const struct norm_row *row = g && b < g->nrows ? &norm->rows[g->row_off + b] : NULL;
            printf("  %8zu %8" PRId64 " %8s %8s %8s %8s\n", b * (size_t)spec.bucket_days, v[b],
                   row ? num(row->n, n1, sizeof(n1)) : "-",
                   row ? num(row->p10, n2, sizeof(n2)) : "-",
                   row ? num(row->p50, n3, sizeof(n3)) : "-",
                   row ? num(row->p90, n4, sizeof(n4)) : "-");
        }
    }
    free(v);
    norm_result_free(norm);
    rc = CMD_OK;
out:
    done(s, snap);
    return rc;
}

/* ---- kith rv norm -------------------------------------------------------------------------- */

static void print_filters(const struct rv_snapshot *snap, const struct norm_spec *spec)
{
    char label[256];
    for (size_t f = 0; f < spec->nfilters; f++)
        printf(
            "%s %s = %s", f ? " and" : ", where", norm_dim_name(spec->filters[f].dim),
            norm_key_label(snap, spec->filters[f].dim, spec->filters[f].key, label, sizeof(label)));
}

static int rv_norm(int argc, char **argv)
{
    static const int allowed[] = {O_BY, O_WHERE, O_BUCKET, O_MAX_AGE, O_EVERY, 0};
    struct opts o;
    int rc = parse(argc, argv, "rv norm", usage_norm, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error("rv norm", "unexpected argument '%s'", argv[optind]);
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct norm_spec spec;
    struct norm_result *r = NULL;
    struct kith_error err = {0};
    rc = CMD_USAGE;
    if (!norm_spec_from(&o, snap, "rv norm", &spec))
        goto out;
    spec.grid = 2; /* positions are not shown here */
    if (norm_compute(snap, &spec, &r, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_norm(snap, r, (unsigned)o.every));
        goto out;
    }
    char b[TIMEFMT_SIZE], label[256], n[6][32];
    printf("Norm of cumulative RV by %s, %d-day age buckets, as of %s", norm_dim_name(spec.by),
           spec.bucket_days, ms_day(o.as_of, b));
    print_filters(snap, &spec);
    printf("\nn: members at least that old; percentiles: type 7 (linear interpolation)\n\n");
    printf("%-32s %7s %7s %8s %8s %8s %8s %8s\n", norm_dim_name(spec.by), "age(d)", "n", "p10",
           "p25", "p50", "p75", "p90");
    for (size_t g = 0; g < r->ngroups; g++) {
        const struct norm_group *gr = &r->groups[g];
        norm_key_label(snap, spec.by, gr->key, label, sizeof(label));
        for (uint32_t k = 0; k < gr->nrows; k += (uint32_t)o.every) {
            const struct norm_row *row = &r->rows[gr->row_off + k];
            printf("%-32.32s %7u %7u %8s %8s %8s %8s %8s\n", k ? "" : label,
                   k * (unsigned)spec.bucket_days, row->n, num(row->p10, n[0], 32),
                   num(row->p25, n[1], 32), num(row->p50, n[2], 32), num(row->p75, n[3], 32),
                   num(row->p90, n[4], 32));
        }
    }
    if (!r->ngroups)
        printf("(no contact with a counted interaction matches)\n");
    rc = CMD_OK;
out:
    norm_result_free(r);
    done(s, snap);
    return rc;
}

/* ---- kith rv exceptions -------------------------------------------------------------------- */

static int rv_exceptions(int argc, char **argv)
{
    static const int allowed[] = {O_BY,     O_WHERE, O_BUCKET, O_MAX_AGE,
                                  O_STATUS, O_LIMIT, O_MIN_N,  0};
    struct opts o;
    int rc = parse(argc, argv, "rv exceptions", usage_exceptions, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error("rv exceptions", "unexpected argument '%s'", argv[optind]);
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct norm_spec spec;
    struct norm_result *r = NULL;
    struct kith_error err = {0};
    size_t *idx = NULL, n = 0;
    rc = CMD_USAGE;
    if (!norm_spec_from(&o, snap, "rv exceptions", &spec))
        goto out;
    int status = !o.status || strcmp(o.status, "both") == 0 ? 0
                 : strcmp(o.status, "behind") == 0          ? NORM_BEHIND
                                                            : NORM_AHEAD;
    if (norm_compute(snap, &spec, &r, &err) < 0 || norm_exceptions(r, status, &idx, &n, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_exceptions(snap, r, idx, n, (size_t)o.limit, s));
        goto out;
    }
    char b[TIMEFMT_SIZE], label[256], n1[32], n2[32];
    struct who w;
    printf("Exceptions against the norm by %s as of %s", norm_dim_name(spec.by),
           ms_day(o.as_of, b));
    print_filters(snap, &spec);
    printf(": %zu contact%s outside [p10, p90]%s\n\n", n, n == 1 ? "" : "s",
           n > (size_t)o.limit ? ", the most extreme shown" : "");
    printf("%8s  %-32s %-16s %6s %7s %7s %7s %5s  %s\n", "contact", "name", norm_dim_name(spec.by),
           "age(d)", "rv", "p10", "p90", "pct", "status");
    for (size_t i = 0; i < n && i < (size_t)o.limit; i++) {
        const struct norm_position *p = &r->positions[idx[i]];
        const struct norm_group *g = &r->groups[p->group];
        const struct norm_row *row = &r->rows[g->row_off + p->row];
        int64_t id = snap->cid[p->contact];
        printf("%8lld  %-32.32s %-16.16s %6d %7" PRId64 " %7s %7s %5.0f  %s\n", (long long)id,
               contact_name(s, id, &w), norm_key_label(snap, spec.by, g->key, label, sizeof(label)),
               p->age_days, p->rv, num(row->p10, n1, sizeof(n1)), num(row->p90, n2, sizeof(n2)),
               p->percentile, norm_status_name(p->status));
    }
    rc = CMD_OK;
out:
    free(idx);
    norm_result_free(r);
    done(s, snap);
    return rc;
}

/* ---- kith rv reps -------------------------------------------------------------------------- */

static int rv_reps(int argc, char **argv)
{
    static const int allowed[] = {O_TEAM, O_FROM, O_TO, 0};
    struct opts o;
    int rc = parse(argc, argv, "rv reps", usage_reps, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error("rv reps", "unexpected argument '%s'", argv[optind]);
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct kith_error err = {0};
    struct scorecard_spec spec = {.from_ms = o.from, .to_ms = o.to, .team = -1};
    struct scorecard_rep *rows = NULL;
    size_t n = 0;
    if (o.team && norm_key_from_text(snap, NORM_TEAM, o.team, &spec.team, &err) < 0) {
        rc = cmd_usage_error("rv reps", "--team: %s", err.msg);
        goto out;
    }
    if (scorecard_compute(snap, &spec, &rows, &n, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_scorecards(snap, rows, n));
        goto out;
    }
    char label[256], n1[32], n2[32], m1[MONEY_SIZE], m2[MONEY_SIZE], m3[MONEY_SIZE];
    printf("Rep scorecards%s%s: RV created, interaction cost, RV per 100 of cost, outcomes of the\n"
           "customers touched (a customer's orders count for every rep who touched it); pct: the\n"
           "rep's percentile of RV created in the team\n\n",
           o.team ? " of team " : "", o.team ? o.team : "");
    printf("%-22s %-14s %8s %11s %7s %6s %6s %6s %6s %12s %12s %5s\n", "rep", "team", "rv", "cost",
           "rv/100", "inter", "cont", "cust", "orders", "revenue", "margin", "pct");
    for (size_t i = 0; i < n; i++) {
        const struct scorecard_rep *r = &rows[i];
        printf("%-22.22s %-14.14s %8" PRId64 " %11s %7s %6u %6u %6u %6u %12s %12s %5s\n",
               snap->users.name[r->rep], norm_key_label(snap, NORM_TEAM, r->team, label, 256),
               r->rv, money_text(r->cost, m1),
               num(round(r->rv_per_cost * 1000) / 10, n1, sizeof(n1)), r->interactions, r->contacts,
               r->customers, r->orders, money_text(r->revenue, m2), money_text(r->margin, m3),
               num(round(r->team_percentile), n2, sizeof(n2)));
    }
    if (!n)
        printf("(no rep has a counted interaction in the period)\n");
    rc = CMD_OK;
out:
    free(rows);
    done(s, snap);
    return rc;
}

/* ---- kith rv units ------------------------------------------------------------------------- */

/* libsodium's CSPRNG as the engine's uniform source on [0, 1). */
static double sodium_uniform(void *ctx)
{
    (void)ctx;
    uint64_t x;
    randombytes_buf(&x, sizeof(x));
    return (double)(x >> 11) * 0x1.0p-53;
}

static int rv_units(int argc, char **argv)
{
    static const int allowed[] = {O_K, O_EPSILON, O_UNIT, O_CLIP, 0};
    struct opts o;
    int rc = parse(argc, argv, "rv units", usage_units, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error("rv units", "unexpected argument '%s'", argv[optind]);
    struct kith_error err = {0};
    if (o.epsilon > 0 && sodium_init() < 0) {
        kith_err(&err, KITH_EIO, "libsodium cannot start: no random source for the noise");
        return cmd_fail(&err);
    }
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct compare_spec spec;
    struct compare_result *r = NULL;
    compare_spec_init(&spec, o.as_of);
    spec.k = o.k;
    spec.epsilon = o.epsilon;
    spec.clip_lo = o.clip_lo;
    spec.clip_hi = o.clip_hi;
    spec.uniform = sodium_uniform;
    if (o.unit && norm_key_from_text(snap, NORM_UNIT, o.unit, &spec.own_unit, &err) < 0) {
        rc = cmd_usage_error("rv units", "--unit: %s", err.msg);
        goto out;
    }
    if (compare_units(snap, &spec, &r, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_compare(snap, r));
        goto out;
    }
    char b[TIMEFMT_SIZE], label[256], n[7][32];
    printf("RV by unit and stage as of %s: groups of fewer than %u contacts suppressed",
           ms_day(o.as_of, b), r->k);
    if (r->epsilon > 0)
        printf(";\ndifferential privacy with epsilon %g per contact (%g per statistic): Laplace"
               " noise on counts\nand sums, the exponential mechanism for percentiles, RV clipped"
               " to [%g, %g];\na group is shown when its noisy count is at least %.0f",
               r->epsilon, r->epsilon_per_statistic, r->clip_lo, r->clip_hi, r->threshold);
    else
        printf("; no noise (exact figures)");
    printf("\n\n%-32s %-12s %7s %8s %8s %8s %8s %8s %8s\n", "unit", "stage", "n", "mean", "p10",
           "p25", "p50", "p75", "p90");
    for (size_t i = 0; i < r->ncells; i++) {
        const struct compare_cell *c = &r->cells[i];
        if (c->unit < 0 && c->suppressed && c->stage >= 0)
            continue; /* keep the table short: contacts without a unit, per stage */
        char name[300];
        snprintf(name, sizeof(name), "%s%s",
                 norm_key_label(snap, NORM_UNIT, c->unit, label, sizeof(label)),
                 c->own ? " (own)" : "");
        const char *stage = c->stage < 0 ? "all" : rv_stage_name(c->stage);
        if (c->suppressed)
            printf("%-32.32s %-12s %7s  suppressed\n", name, stage, "-");
        else
            printf("%-32.32s %-12s %7s %8s %8s %8s %8s %8s %8s\n", name, stage, num(c->n, n[0], 32),
                   num(c->mean, n[1], 32), num(c->p10, n[2], 32), num(c->p25, n[3], 32),
                   num(c->p50, n[4], 32), num(c->p75, n[5], 32), num(c->p90, n[6], 32));
    }
    rc = CMD_OK;
out:
    compare_result_free(r);
    done(s, snap);
    return rc;
}

/* ---- kith rv indicator --------------------------------------------------------------------- */

static int rv_indicator(int argc, char **argv)
{
    static const int allowed[] = {O_CUTOFF,    O_WINDOW, O_HORIZON,    O_OUTCOME, O_PER,
                                  O_RESAMPLES, O_SEED,   O_POPULATION, 0};
    struct opts o;
    int rc = parse(argc, argv, "rv indicator", usage_indicator, allowed, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cmd_usage_error("rv indicator", "unexpected argument '%s'", argv[optind]);
    if (!o.cutoff || !o.window || !o.horizon || !o.outcome)
        return cmd_usage_error("rv indicator",
                               "--cutoff, --window, --horizon and --outcome are all needed");
    struct kith_error err = {0};
    enum indicator_outcome outcome;
    if (indicator_outcome_from_name(o.outcome, &outcome, &err) < 0)
        return cmd_usage_error("rv indicator", "--outcome: %s", err.msg);
    struct store *s;
    struct rv_snapshot *snap = load(&o, &s);
    if (!snap)
        return CMD_FAIL;
    struct indicator_spec spec;
    struct indicator_result r;
    indicator_spec_init(&spec, o.cutoff, o.window, o.horizon, outcome);
    spec.per = strcmp(o.per, "contact") == 0 ? INDICATOR_PER_CONTACT : INDICATOR_PER_ACCOUNT;
    spec.resamples = o.resamples;
    spec.seed = o.seed;
    if (o.population)
        spec.customers_only = strcmp(o.population, "customers") == 0;
    if (indicator_compute(snap, &spec, &r, &err) < 0) {
        rc = cmd_fail(&err);
        goto out;
    }
    if (o.json) {
        rc = print_json(rvjson_indicator(&spec, &r));
        goto out;
    }
    char b[TIMEFMT_SIZE], n[6][32], m[MONEY_SIZE];
    bool churn = outcome == INDICATOR_CHURN;
    printf("Leading indicator: RV gained in the %d days to %s against %s in the %d days after,"
           " per %s\n\n",
           o.window, ms_day(o.cutoff, b),
           churn                         ? "churn"
           : outcome == INDICATOR_GROWTH ? "revenue growth"
                                         : "order margin",
           o.horizon, o.per);
    printf("  %ss studied      %zu (a counted interaction by the cut-off%s, no churn before)\n",
           o.per, r.n, spec.customers_only ? " and an order" : "");
    printf("  Spearman rho         %.3f", r.rho);
    if (r.resamples_used)
        printf("   95%% bootstrap interval %.3f .. %.3f (%zu resamples, seed %" PRIu64 ")%s",
               r.rho_lo, r.rho_hi, r.resamples_used, spec.seed,
               r.rho_lo > 0 || r.rho_hi < 0 ? "" : ": covers 0");
    printf("\n");
    if (churn)
        printf("  AUC                  %.3f   95%% interval %.3f .. %.3f (%zu churned; the chance"
               " that a churner gained less RV than a stayer)\n",
               r.auc, r.auc_lo, r.auc_hi, r.positives);
    printf("\nDeciles by RV gained, highest first (lift: the decile's mean outcome over all)\n");
    printf("  %6s %7s %8s %8s %9s %14s %6s\n", "decile", "n", "rv min", "rv max", "rv mean",
           churn ? "churn rate" : "mean outcome", "lift");
    for (int k = 0; k < INDICATOR_DECILES; k++) {
        const struct indicator_decile *d = &r.deciles[k];
        char y[40];
        if (churn)
            snprintf(y, sizeof(y), "%.3f", d->y_mean);
        else if (isnan(d->y_mean))
            snprintf(y, sizeof(y), "-");
        else
            snprintf(y, sizeof(y), "%s", money_text(llround(d->y_mean), m));
        printf("  %6d %7u %8s %8s %9s %14s %6s\n", k + 1, d->n, num(d->x_min, n[1], 32),
               num(d->x_max, n[2], 32), num(round(d->x_mean * 10) / 10, n[3], 32), y,
               isnan(d->lift) ? "-" : (snprintf(n[4], 32, "%.2f", d->lift), n[4]));
    }
    rc = CMD_OK;
out:
    done(s, snap);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

int cmd_rv(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } subs[] = {
        {"contact", rv_contact}, {"norm", rv_norm},   {"exceptions", rv_exceptions},
        {"reps", rv_reps},       {"units", rv_units}, {"indicator", rv_indicator},
    };
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    return cmd_usage_error("rv", "'%s' is not an rv command", argv[1]);
}
