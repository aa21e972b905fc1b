/*
 * value.c - kith value fit|clv|dist|drivers|rfm|reap|xsell|referrals: the command-line door to
 * the customer value analyses (analysis/value.h). Reads the options through the family's table,
 * runs the analysis over every account (or --summary FILE) and prints its tables or, with
 * --json, the API's answer. The definitions are in docs/value.md.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/value.h"
#include "cmd/cmd.h"

#include "util/banned.h"

static void usage(FILE *out)
{
    fputs("usage: kith value <analysis> [options]\n\n"
          "Customer value management: value per customer, its distribution and drivers, RFM, "
          "REAP\nlevers, cross-sell rules and referral value. A customer is an account with an "
          "order on or\nbefore the as-of day. Definitions: docs/value.md.\n\nanalyses:\n",
          out);
    cmd_analysis_list(&analysis_value, out);
    fputs("\nEvery analysis takes --db PATH, --json and --help ('kith value clv --help').\n", out);
}

/* drivers' positional sections, joined with commas into the sections parameter. */
static int take_sections(struct value_params *p, const char **pos, size_t npos, char *buf,
                         size_t size, struct kith_error *err)
{
    size_t n = 0;
    unsigned bits;
    for (size_t i = 0; i < npos; i++) {
        if (value_sections_parse(pos[i], &bits, err) < 0) /* names first: then they fit */
            return err->code;
        int w = snprintf(buf + n, size - n, "%s%s", i ? "," : "", pos[i]);
        if (w < 0 || (size_t)w >= size - n)
            return kith_err(err, KITH_EINVAL, "too many sections");
        n += (size_t)w;
    }
    const struct param_spec *s =
        param_find(&analysis_value, value_def(VALUE_DRIVERS)->group, "sections", false);
    return param_set(&analysis_value, s, p, buf, "--sections", err);
}

/* Says why the analysis did not run: "kith value clv: <message>"; returns CMD_FAIL. */
static int run_failed(enum value_analysis a, const struct kith_error *err)
{
    fprintf(stderr, "kith value %s: %s\n", value_def(a)->name, err->msg);
    return CMD_FAIL;
}

/* Runs --summary FILE ('-': standard input) into x; 0 or the exit code after saying why. */
static int run_summary(enum value_analysis a, const struct value_params *p, struct value_report *x,
                       struct kith_error *err)
{
    const bool std_in = strcmp(p->summary, "-") == 0;
    FILE *f = std_in ? stdin : fopen(p->summary, "rb");
    if (!f) {
        fprintf(stderr, "kith: cannot open %s: %m\n", p->summary);
        return CMD_FAIL;
    }
    int rc = value_run_summary(a, p, f, std_in ? "stdin" : p->summary, x, err);
    if (!std_in)
        fclose(f);
    return rc < 0 ? run_failed(a, err) : CMD_OK;
}

/* Runs the analysis over every account of the database into x; 0 or the exit code. */
static int run_store(enum value_analysis a, const struct value_params *p, struct value_report *x,
                     struct kith_error *err)
{
    struct store *s = cmd_open_store(p->db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    const struct value_scope scope = {.store = s};
    int rc = value_run(a, p, &scope, x, err);
    store_close(s);
    if (rc < 0)
        return run_failed(a, err);
    if (x->d.ncurrencies > 1)
        fprintf(stderr,
                "kith value: warning: orders are in %zu currencies; values add them up as if "
                "they were one\n",
                x->d.ncurrencies);
    return CMD_OK;
}

int cmd_value(int argc, char **argv)
{
    if (argc < 2 || cmd_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    const struct analysis_def *def = analysis_find(&analysis_value, argv[1]);
    if (!def)
        return cmd_usage_error("value", "'%s' is not a value subcommand", argv[1]);
    const enum value_analysis a = (enum value_analysis)(def - value_def(VALUE_FIT));
    char cmd[32], sections[128];
    snprintf(cmd, sizeof(cmd), "value %s", def->name);
    struct value_params p;
    const char *pos[VALUE_NSECTIONS];
    size_t npos = 0;
    int code;
    if (!cmd_analysis_args(&analysis_value, def, argc - 1, argv + 1, &p, pos,
                           a == VALUE_DRIVERS ? VALUE_NSECTIONS : 0, &npos, &code))
        return code;
    struct kith_error err = {0};
    const char *field;
    if ((npos && take_sections(&p, pos, npos, sections, sizeof(sections), &err) < 0) ||
        value_params_check(&p, &field, &err) < 0)
        return cmd_usage_error(cmd, "%s", err.msg);
    struct value_report x;
    code = p.summary ? run_summary(a, &p, &x, &err) : run_store(a, &p, &x, &err);
    if (code != CMD_OK)
        return code;
    if (p.json)
        code = cmd_print_json(value_report_json(&x));
    else
        value_report_text(&x, stdout);
    value_report_release(&x);
    return code;
}
