/*
 * voice.c - kith voice surveys|nps|promise|community|moments|alike|paths|dosay: the command-line
 * door to the analyses of the customer's voice (analysis/voice.h). Reads the options through the
 * family's table, runs the analysis (moments, paths, dosay: on the RV snapshot it loads) over every
 * contact under the admin role's privacy policy (groups below its min_k are suppressed) and prints
 * its table or, with --json, the API's answer. Definitions: docs/voice.md.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/voice.h"
#include "cmd/cmd.h"

#include "util/banned.h"

#define VOICE_CLI_THREADS 2 /* readers of the RV snapshot's load (paths) */

static void usage(FILE *out)
{
    fputs("usage: kith voice <analysis> [options]\n\n"
          "The customer's voice: surveys, NPS and CSAT per channel, touchpoint, type, unit,\n"
          "partner, product or period, the brand promise across channels, the community\n"
          "(derived roles, ideas, ratings), the moments of truth, someone like me (alike), the\n"
          "digital paths and do vs say. Groups of fewer contacts than the privacy policy's k are\n"
          "suppressed. Definitions: docs/voice.md.\n\n"
          "analyses:\n",
          out);
    cmd_analysis_list(&analysis_voice, out);
    fputs("  feeds        the Atom feeds that keep customers in touch (kith voice feeds --help)\n"
          "\nEvery analysis takes --db PATH, --json and --help ('kith voice nps --help').\n"
          "\nkith voice send CONTACT_ID --channel sms|email --purpose P --body TEXT sends a\n"
          "message, if the contact's consent allows it ('kith voice send --help').\n",
          out);
}

int cmd_voice(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    if (strcmp(argv[1], "feeds") == 0)
        return cmd_voice_feeds(argc - 1, argv + 1);
    if (strcmp(argv[1], "send") == 0) /* not an analysis: a message to a contact */
        return cmd_voice_send(argc - 1, argv + 1);
    const struct analysis_def *def = analysis_find(&analysis_voice, argv[1]);
    if (!def)
        return cmd_usage_error("voice", "'%s' is not a voice subcommand", argv[1]);
    const enum voice_analysis a = (enum voice_analysis)(def - voice_def(VOICE_SURVEYS));
    struct voice_params p;
    const char *pos[1];
    size_t npos = 0;
    int code;
    if (!cmd_analysis_args(&analysis_voice, def, argc - 1, argv + 1, &p, pos, 0, &npos, &code))
        return code;
    struct store *s = cmd_open_store(p.db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    struct kith_error err = {0};
    const char *param;
    struct voice_report r;
    struct voice_scope scope = {.store = s, .role = "admin"};
    struct rv_snapshot *snap = NULL;
    if (voice_needs_snapshot(a) &&
        rv_snapshot_load(store_rv_source(s), VOICE_CLI_THREADS, &snap, &err) < 0) {
        store_close(s);
        return cmd_fail(&err);
    }
    scope.snap = snap;
    int rc = voice_run(a, &p, &scope, &r, &err, &param);
    rv_snapshot_free(snap);
    store_close(s);
    if (rc == KITH_ENOTFOUND && param) {
        struct kith_error e = err;
        kith_err(&e, KITH_ENOTFOUND, "--%s: %s", param, err.msg);
        return cmd_fail(&e);
    }
    if (rc < 0)
        return cmd_analysis_fail(&analysis_voice, def, param, &err);
    if (p.json)
        code = cmd_print_json(voice_report_json(&r));
    else {
        voice_report_text(&r, stdout);
        code = CMD_OK;
    }
    voice_report_release(&r);
    return code;
}
