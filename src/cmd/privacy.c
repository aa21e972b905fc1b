/*
 * privacy.c - kith privacy: shows and sets the privacy policy of the comparison of units (the
 * smallest group shown, the largest epsilon, whether noise is required and the daily budget of
 * epsilon, per role). The rule that applies it is rv_units_run()'s; docs/internals/rv.md,
 * "Privacy policy". The API's door is GET/PATCH /api/v1/privacy (src/api/privacy.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/rv_privacy.h"
#include "cmd/cmd.h"
#include "util/num.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith privacy show [--db PATH] [--json]\n"
    "   or: kith privacy set --role ROLE [--min-k K] [--max-epsilon E]\n"
    "                        [--require-noise yes|no] [--daily-budget B|none] [--db PATH]\n\n"
    "The privacy policy of the comparison of units (kith rv units, GET /api/v1/rv/units), per\n"
    "role: a caller may ask for more privacy than the policy's, never less.\n"
    "  --role ROLE           admin, executive, analyst, manager, frontline or partner\n"
    "  --min-k K             groups of fewer contacts are never shown (1..1000000); a smaller k\n"
    "                        asked for is raised to it\n"
    "  --max-epsilon E       the most epsilon one query may spend (0 < E <= 1000); a larger\n"
    "                        epsilon asked for is lowered to it\n"
    "  --require-noise yes|no  whether exact figures (epsilon 0) are refused\n"
    "  --daily-budget B|none the epsilon each user of the role may spend per UTC day on new\n"
    "                        noised queries (a repeated query costs nothing); none: no limit\n"
    "  --json                show: the API's JSON\n"
    "The command line itself applies the admin role's policy and spends no budget.\n";

static int show(const char *db, bool json)
{
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    struct store_privacy_policy pol[16];
    size_t n = 0;
    struct kith_error err = {0};
    int rc = CMD_OK;
    if (store_privacy_policy_list(s, pol, sizeof(pol) / sizeof(pol[0]), &n, &err) < 0) {
        rc = cmd_fail(&err);
        goto out_close;
    }
    if (json) {
        json_t *o = rv_privacy_policies_json(pol, n);
        if (!o || json_dumpf(o, stdout, JSON_INDENT(2)) < 0) {
            rc = cmd_fail(&(struct kith_error){KITH_ENOMEM, "out of memory writing the policy"});
        } else {
            putchar('\n');
        }
        json_decref(o);
        goto out_close;
    }
    printf("%-10s %8s %12s %14s %13s\n", "role", "min k", "max epsilon", "require noise",
           "daily budget");
    for (size_t i = 0; i < n; i++) {
        char budget[32];
        if (pol[i].daily_budget == STORE_PRIVACY_NO_LIMIT)
            snprintf(budget, sizeof(budget), "none");
        else
            snprintf(budget, sizeof(budget), "%g", pol[i].daily_budget);
        printf("%-10s %8lld %12g %14s %13s\n", pol[i].role, (long long)pol[i].min_k,
               pol[i].max_epsilon, pol[i].require_noise ? "yes" : "no", budget);
    }
out_close:
    store_close(s);
    return rc;
}

/* The values given on the command line, applied over the role's current policy. */
struct change {
    const char *role, *min_k, *max_epsilon, *require_noise, *daily_budget;
};

static int set(const char *db, const struct change *c)
{
    struct kith_error err = {0};
    if (!c->role)
        return cmd_usage_error("privacy set", "--role is required");
    if (!c->min_k && !c->max_epsilon && !c->require_noise && !c->daily_budget)
        return cmd_usage_error("privacy set", "give at least one of --min-k, --max-epsilon,"
                                              " --require-noise, --daily-budget");
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    struct store_privacy_policy p, before;
    int rc = CMD_OK;
    if (store_privacy_policy_get(s, c->role, &before, &err) < 0) {
        rc = err.code == KITH_ENOTFOUND
                 ? cmd_usage_error("privacy set",
                                   "--role: '%s' is not a role (admin, executive,"
                                   " analyst, manager, frontline, partner)",
                                   c->role)
                 : cmd_fail(&err);
        goto out_close;
    }
    p = before;
    if (c->min_k && num_int64(c->min_k, 1, RV_PRIVACY_MIN_K_MAX, &p.min_k, "--min-k", &err) < 0)
        goto out_usage;
    if (c->max_epsilon && num_double(c->max_epsilon, 1e-9, RV_PRIVACY_EPSILON_MAX, &p.max_epsilon,
                                     "--max-epsilon", &err) < 0)
        goto out_usage;
    if (c->require_noise) {
        if (strcmp(c->require_noise, "yes") == 0)
            p.require_noise = true;
        else if (strcmp(c->require_noise, "no") == 0)
            p.require_noise = false;
        else {
            kith_err(&err, KITH_EINVAL, "--require-noise: give yes or no");
            goto out_usage;
        }
    }
    if (c->daily_budget) {
        if (strcmp(c->daily_budget, "none") == 0)
            p.daily_budget = STORE_PRIVACY_NO_LIMIT;
        else if (num_double(c->daily_budget, 0, RV_PRIVACY_BUDGET_MAX, &p.daily_budget,
                            "--daily-budget", &err) < 0)
            goto out_usage;
    }
    const char *field;
    if (rv_privacy_policy_check(&p, &field, &err) < 0) {
        rc = cmd_usage_error("privacy set", "%s: %s", field, err.msg);
        goto out_close;
    }
    p.updated_by = 0; /* the command line: no signed-in user */
    char detail[256];
    rv_privacy_policy_change(&before, &p, detail, sizeof(detail));
    struct store_audit_entry audit = {
        .action = "update", .table_name = "privacy_policy", .client_addr = "cli", .detail = detail};
    if (store_begin(s, &err) < 0 || store_privacy_policy_set(s, &p, &err) < 0 ||
        store_audit_insert(s, &audit, NULL, &err) < 0 || store_commit(s, &err) < 0) {
        store_rollback(s);
        rc = cmd_fail(&err);
        goto out_close;
    }
    printf("privacy policy of %s: min k %lld, max epsilon %g, noise %s, daily budget ", p.role,
           (long long)p.min_k, p.max_epsilon, p.require_noise ? "required" : "optional");
    if (p.daily_budget == STORE_PRIVACY_NO_LIMIT)
        printf("none\n");
    else
        printf("%g\n", p.daily_budget);
    goto out_close;
out_usage:
    rc = cmd_usage_error("privacy set", "%s", err.msg);
out_close:
    store_close(s);
    return rc;
}

int cmd_privacy(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"min-k", required_argument, NULL, 'k'},
                                         {"max-epsilon", required_argument, NULL, 'e'},
                                         {"require-noise", required_argument, NULL, 'n'},
                                         {"daily-budget", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    const char *verb = argv[1], *db = NULL;
    bool json = false;
    struct change c = {0};
    int o;
    optind = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "+h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'r':
            c.role = optarg;
            break;
        case 'k':
            c.min_k = optarg;
            break;
        case 'e':
            c.max_epsilon = optarg;
            break;
        case 'n':
            c.require_noise = optarg;
            break;
        case 'b':
            c.daily_budget = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("privacy", "unknown option");
        }
    }
    if (optind < argc - 1)
        return cmd_usage_error("privacy", "unexpected argument '%s'", argv[optind + 1]);
    if (strcmp(verb, "show") == 0) {
        if (c.role || c.min_k || c.max_epsilon || c.require_noise || c.daily_budget)
            return cmd_usage_error("privacy show", "show takes only --db and --json");
        return show(db, json);
    }
    if (strcmp(verb, "set") == 0) {
        if (json)
            return cmd_usage_error("privacy set", "--json is for show");
        return set(db, &c);
    }
    return cmd_usage_error("privacy", "'%s' is not show or set", verb);
}
