/*
 * deals.c - kith deals winrate|pipeline|conversion|forecast|quota: the command-line door to the
 * deal analyses
 * (analysis/deals.h). Reads the options through the family's table, runs the analysis over
 * every deal and prints its table or, with --json, the API's answer. The definitions are in
 * docs/deals.md. The verbs that change deals (add, show, move, win, lose, reopen) are in
 * deals_edit.c and deals_show.c.
 */
#include <stdio.h>

#include "analysis/deals.h"
#include "cmd/cmd.h"
#include "cmd/deals_int.h"

#include "util/banned.h"

static void usage(FILE *out)
{
    fputs("usage: kith deals <verb> [arguments] [options]\n"
          "       kith deals <analysis> [options]\n\n"
          "Deals: add, show and change deals; win rate, pipeline, stage conversion and sales\n"
          "cycle, forecast and quota attainment, per owner, manager, team, unit, source,\n"
          "product, stage or period. Definitions: docs/deals.md.\n\nverbs:\n",
          out);
    cmd_deals_verbs_list(out);
    fputs("\nanalyses:\n", out);
    cmd_analysis_list(&analysis_deals, out);
    fputs("\nEach takes --db PATH and --help ('kith deals win --help', 'kith deals winrate"
          " --help').\n",
          out);
}

int cmd_deals(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    if (cmd_deals_is_verb(argv[1]))
        return cmd_deals_verb(argc - 1, argv + 1);
    const struct analysis_def *def = analysis_find(&analysis_deals, argv[1]);
    if (!def)
        return cmd_usage_error("deals", "'%s' is not a deals subcommand", argv[1]);
    const enum deals_analysis a = (enum deals_analysis)(def - deals_def(DEALS_WINRATE));
    struct deals_params p;
    const char *pos[1];
    size_t npos = 0;
    int code;
    if (!cmd_analysis_args(&analysis_deals, def, argc - 1, argv + 1, &p, pos, 0, &npos, &code))
        return code;
    struct store *s = cmd_open_store(p.db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    const char *param;
    struct deals_report r;
    const struct deals_scope scope = {.store = s, .now = store_now_ms()};
    int rc = deals_run(a, &p, &scope, &r, &err, &param);
    store_close(s);
    if (rc < 0)
        return cmd_analysis_fail(&analysis_deals, def, param, &err);
    if (p.json)
        code = cmd_print_json(deals_report_json(&r));
    else {
        deals_report_text(&r, stdout);
        code = CMD_OK;
    }
    deals_report_release(&r);
    return code;
}
