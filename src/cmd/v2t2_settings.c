/*
 * v2t2_settings.c - kith v2t2 settings: shows and sets the V2T2 thresholds and baselines of a
 * unit (docs/v2t2.md, "Settings"): what each point of view counts as high value, the volume,
 * the period and the tone thresholds its relationships and subjects are judged by. The list of
 * settings and the check of a value are the model's (model/v2t2_settings.h); the JSON and the
 * reading of "name=value" the analysis layer's (analysis/v2t2_settings.c), shared with GET/PUT
 * /api/v1/v2t2/settings. A change is audited in its transaction.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "cmd/cmd.h"

#include "util/banned.h"

#define SETS_MAX 32 /* --set options of one command */

static const char usage[] =
    "usage: kith v2t2 settings [--unit UNIT] [--set NAME=VALUE ...] [--json] [--db PATH]\n\n"
    "The V2T2 thresholds and baselines of each unit: every relationship (its account's unit)\n"
    "and every subject (the unit that handled it) is judged by its unit's settings; a setting a\n"
    "unit does not set is the default. Without --set, shows the settings of UNIT (or of every\n"
    "unit); with --set, changes UNIT's (VALUE 'default': back to the default).\n"
    "  --unit UNIT       a unit's name or #id\n"
    "  --set NAME=VALUE  one setting (repeatable):\n";

static void print_usage(FILE *out)
{
    fputs(usage, out);
    for (int i = 0; i < V2T2_NSETTINGS; i++) {
        const struct v2t2_setting_def *d = &v2t2_setting_defs[i];
        fprintf(out, "      %-17s %s (%g to %g, default %g)\n", d->name, d->help, d->lo, d->hi,
                d->def);
    }
    fputs("  --json            the API's JSON\n"
          "  --db PATH         the database (default: $KITH_DB, else ./kith.db)\n",
          out);
}

static int show(const struct v2t2_data *d, const struct v2t2_unit_rec *unit, bool json)
{
    if (json) {
        if (!unit)
            return cmd_print_json(v2t2_settings_list_json(d, NULL));
        struct v2t2_settings st;
        v2t2_settings_of(d, unit->id, &st);
        return cmd_print_json(v2t2_settings_json(&st, unit->name));
    }
    for (size_t i = 0; i < d->nunits; i++) {
        if (unit && d->units[i].id != unit->id)
            continue;
        struct v2t2_settings st;
        v2t2_settings_of(d, d->units[i].id, &st);
        v2t2_settings_text(&st, d->units[i].name, stdout);
    }
    if (!d->nunits)
        fputs("no units: every relationship is judged by the defaults\n", stdout);
    return CMD_OK;
}

static int set(struct store *s, const struct v2t2_data *d, const struct v2t2_unit_rec *unit,
               const char *const *sets, size_t nsets, bool json)
{
    struct kith_error err = {0};
    struct v2t2_settings before, after;
    v2t2_settings_of(d, unit->id, &before);
    after = before;
    const char *field;
    for (size_t i = 0; i < nsets; i++)
        if (v2t2_settings_assign(&after, sets[i], &field, &err) < 0)
            return cmd_usage_error("v2t2 settings", "--set %s", err.msg);
    after.updated_by = 0; /* the command line: no signed-in user */
    char detail[512];
    v2t2_settings_change(&before, &after, unit->name, detail, sizeof(detail));
    const struct store_audit_entry audit = {.action = "update",
                                            .table_name = "v2t2_settings",
                                            .record_id = unit->id,
                                            .client_addr = "cli",
                                            .detail = detail};
    if (store_begin(s, &err) < 0 ||
        store_v2t2_settings_set(s, &after, store_now_ms(), &field, &err) < 0 ||
        store_audit_insert(s, &audit, NULL, &err) < 0 || store_commit(s, &err) < 0) {
        store_rollback(s);
        return field ? cmd_usage_error("v2t2 settings", "--set %s: %s", field, err.msg)
                     : cmd_fail(&err);
    }
    if (json)
        return cmd_print_json(v2t2_settings_json(&after, unit->name));
    printf("%s\n", detail);
    return CMD_OK;
}

int cmd_v2t2_settings(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"json", no_argument, NULL, 'j'},
        {"unit", required_argument, NULL, 'u'}, {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},       {0}};
    const char *db = NULL, *unit_text = NULL, *sets[SETS_MAX];
    size_t nsets = 0;
    bool json = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'u':
            unit_text = optarg;
            break;
        case 's':
            if (nsets == SETS_MAX)
                return cmd_usage_error("v2t2 settings", "at most %d --set", SETS_MAX);
            sets[nsets++] = optarg;
            break;
        case 'h':
            print_usage(stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("v2t2 settings", "unknown option");
        }
    }
    if (optind < argc)
        return cmd_usage_error("v2t2 settings", "unexpected argument '%s'", argv[optind]);
    if (nsets && !unit_text)
        return cmd_usage_error("v2t2 settings", "--set needs --unit: settings belong to a unit");
    struct store *s = cmd_open_store(db, nsets ? 0 : STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct v2t2_data d;
    struct kith_error err = {0};
    int rc;
    if (store_v2t2_load(s, false, &d, &err) < 0) {
        rc = cmd_fail(&err);
        goto out_close;
    }
    const struct v2t2_unit_rec *unit = NULL;
    if (unit_text && !(unit = v2t2_unit_named(&d, unit_text)))
        rc = cmd_usage_error("v2t2 settings", "--unit: no unit '%s'", unit_text);
    else if (nsets)
        rc = set(s, &d, unit, sets, nsets, json);
    else
        rc = show(&d, unit, json);
    v2t2_data_release(&d);
out_close:
    store_close(s);
    return rc;
}
