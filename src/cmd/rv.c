/*
 * rv.c - kith rv: the Relationship Value analyses from the command line (DESIGN.md §4). A thin
 * door: the options are the table of analysis/rv.h, each analysis loads the RV snapshot from the
 * store and runs over every contact, and the report is printed as a table (analysis/rv_text.c)
 * or, with --json, as the API answers it (io/rv_json.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rv.h"
#include "cmd/cmd.h"
#include "io/rv_json.h"
#include "model/table.h"
#include "util/num.h"

#include "util/banned.h"

static void usage(FILE *out)
{
    fputs("usage: kith rv <analysis> [options]\n\n"
          "Relationship Value (RV): the cumulative effect of a contact's interactions, its pattern"
          " by\nrelationship age, and the norms it is compared with.\n\nanalyses:\n",
          out);
    cmd_analysis_list(&analysis_rv, out);
    fputs("\nEvery analysis takes --db PATH, --threads N and --json (the API's answer);\n"
          "'kith rv <analysis> --help' lists its options.\n",
          out);
}

/*
 * Opens the store and loads the snapshot; on failure prints why and returns NULL. The comparison
 * of units opens it for writing: it reads the privacy policy (a database of an older schema is
 * upgraded) and stores the key of the noise on its first use.
 */
static struct rv_snapshot *load(const struct analysis_def *def, const struct rv_params *p,
                                struct store **out)
{
    struct kith_error err = {0};
    struct rv_snapshot *snap = NULL;
    *out = cmd_open_store(p->db, def->group == RV_UNITS ? 0 : STORE_READONLY);
    if (!*out)
        return NULL;
    if (rv_snapshot_load(store_rv_source(*out), (unsigned)p->threads, &snap, &err) < 0) {
        cmd_fail(&err);
        store_close(*out);
        *out = NULL;
        return NULL;
    }
    if (snap->nclamped && !p->json)
        fprintf(stderr,
                "kith rv: note: %zu values were out of the snapshot's range and were clamped"
                " (times before 1931 or after 2068, RV beyond +-32767, costs beyond int32)\n",
                snap->nclamped);
    return snap;
}

/* <id|email>: 12, #12, or the email of a contact in the store. */
static int contact_id_of(struct store *s, const char *text, int64_t *id, struct kith_error *err)
{
    if (num_int64(text + (*text == '#'), 1, INT64_MAX, id, "contact", NULL) == 0)
        return 0;
    return store_find_id(s, model_table("contacts"), "email", text, id, err);
}

/* kith rv <def> [options] [<id|email>]: argv[0] is the analysis. */
static int run(const struct analysis_def *def, int argc, char **argv)
{
    struct rv_params p = {0};
    const char *pos[1];
    size_t npos = 0, want = def->args ? 1 : 0;
    int rc;
    if (!cmd_analysis_args(&analysis_rv, def, argc, argv, &p, pos, want, &npos, &rc))
        return rc;
    if (npos != want)
        return cmd_usage_error("rv contact", "name one contact: its id or email");
    struct store *s;
    struct rv_snapshot *snap = load(def, &p, &s);
    if (!snap)
        return CMD_FAIL;
    /*
     * The command line is an administrator's tool on the database file: the comparison of units
     * applies the admin role's privacy policy and spends nobody's budget.
     */
    struct store_privacy_policy policy;
    struct rv_scope src = {
        .snap = snap, .store = s, .nthreads = (unsigned)p.threads, .policy = &policy};
    struct rv_report r = {0};
    struct rv_error err = {0};
    if (def->group == RV_UNITS && store_privacy_policy_get(s, "admin", &policy, &err.err) < 0)
        rc = cmd_fail(&err.err);
    else if (npos && contact_id_of(s, pos[0], &p.contact_id, &err.err) < 0)
        rc = cmd_fail(&err.err);
    else if (rv_run(def, &src, &p, &r, &err) < 0)
        rc = cmd_analysis_fail(&analysis_rv, def, err.param, &err.err);
    else if (p.json)
        rc = cmd_print_json(rv_report_json(&r));
    else
        rc = rv_report_print(&r, stdout, &err.err) < 0 ? cmd_fail(&err.err) : CMD_OK;
    rv_report_release(&r);
    rv_snapshot_free(snap);
    store_close(s);
    return rc;
}

int cmd_rv(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    const struct analysis_def *def = analysis_find(&analysis_rv, argv[1]);
    if (!def)
        return cmd_usage_error("rv", "'%s' is not an rv analysis", argv[1]);
    return run(def, argc - 1, argv + 1);
}
