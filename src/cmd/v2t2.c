/*
 * v2t2.c - kith v2t2 zones|tones|discord|scenario: the command-line door to the V2T2 analyses
 * (analysis/v2t2.h; `kith v2t2 settings` is v2t2_settings.c's). Reads the options through the
 * family's table, loads what the analysis needs (the store; the RV snapshot for tones and discord;
 * nothing for a built-in scenario), runs it over everything and prints its table or, with --json,
 * the API's answer. Definitions: docs/v2t2.md.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/v2t2.h"
#include "cmd/cmd.h"

#include "util/banned.h"

#define V2T2_CLI_THREADS 2 /* readers of the snapshot's load */

static void usage(FILE *out)
{
    fputs("usage: kith v2t2 <analysis> [options]\n\n"
          "V2T2 (seed 000): Value x Volume zones from every point of view, the Touch x Tech\n"
          "tone each relationship gets, and where they are out of tune. Definitions:\n"
          "docs/v2t2.md.\n\nanalyses:\n",
          out);
    cmd_analysis_list(&analysis_v2t2, out);
    fputs("  settings     show or set a unit's thresholds and baselines (not an analysis)\n"
          "\nEvery analysis takes --json and --help ('kith v2t2 zones --help'); all but\n"
          "scenario take --db PATH. Thresholds are the units' settings; an analysis's\n"
          "threshold options are what-if overrides.\n",
          out);
}

int cmd_v2t2(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    if (strcmp(argv[1], "settings") == 0)
        return cmd_v2t2_settings(argc - 1, argv + 1);
    const struct analysis_def *def = analysis_find(&analysis_v2t2, argv[1]);
    if (!def)
        return cmd_usage_error("v2t2", "'%s' is not a v2t2 subcommand", argv[1]);
    const enum v2t2_analysis a = (enum v2t2_analysis)(def - v2t2_def(V2T2_ZONES));
    struct v2t2_params p;
    const char *pos[1];
    size_t npos = 0;
    int code;
    if (!cmd_analysis_args(&analysis_v2t2, def, argc - 1, argv + 1, &p, pos, def->args ? 1 : 0,
                           &npos, &code))
        return code;
    struct kith_error err = {0};
    if (npos) { /* kith v2t2 scenario NAME */
        const struct param_spec *spec = param_find(&analysis_v2t2, def->group, "name", false);
        if (param_set(&analysis_v2t2, spec, &p, pos[0], "<name>", &err) < 0)
            return cmd_usage_error("v2t2 scenario", "%s", err.msg);
    }
    struct v2t2_scope scope = {0};
    struct rv_snapshot *snap = NULL;
    if (a != V2T2_SCENARIO) {
        scope.store = cmd_open_store(p.db, STORE_READONLY);
        if (!scope.store)
            return CMD_FAIL;
    }
    if ((a == V2T2_TONES || a == V2T2_DISCORD) &&
        rv_snapshot_load(store_rv_source(scope.store), V2T2_CLI_THREADS, &snap, &err) < 0) {
        store_close(scope.store);
        return cmd_fail(&err);
    }
    scope.snap = snap;
    const char *param;
    struct v2t2_report r;
    int rc = v2t2_run(a, &p, &scope, &r, &err, &param);
    rv_snapshot_free(snap);
    if (scope.store)
        store_close(scope.store);
    if (rc == KITH_ENOTFOUND && param) {
        struct kith_error e = err;
        kith_err(&e, KITH_ENOTFOUND, "--%s: %s", param, err.msg);
        return cmd_fail(&e);
    }
    if (rc < 0)
        return cmd_analysis_fail(&analysis_v2t2, def, param, &err);
    if (p.json)
        code = cmd_print_json(v2t2_report_json(&r));
    else {
        v2t2_report_text(&r, stdout);
        code = CMD_OK;
    }
    v2t2_report_release(&r);
    return code;
}
