/*
 * common.c - what the subcommands share: the database path, opening the store, and the
 * wording of usage and runtime errors.
 */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

const char *cmd_db_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("KITH_DB");
    if (env && *env)
        return env;
    return "kith.db";
}

static char g_invocation[64] = "this command";

void cmd_set_invocation(int argc, char **argv)
{
    if (argc < 1)
        return;
    bool action = argc > 1 && argv[1][0] != '-';
    snprintf(g_invocation, sizeof(g_invocation), "kith %s%s%s", argv[0], action ? " " : "",
             action ? argv[1] : "");
}

struct store *cmd_open_store(const char *db_opt, int flags)
{
    struct kith_error err = {0};
    struct store *s = NULL;
    if (store_path_is_pg(cmd_db_path(db_opt)) && !(flags & STORE_PG_READY)) {
        fprintf(stderr,
                "kith: not yet available on PostgreSQL: %s (docs/storage.md, \"PostgreSQL (in"
                " progress)\")\n",
                g_invocation);
        return NULL;
    }
    if (store_open(cmd_db_path(db_opt), flags, &s, &err) < 0) {
        cmd_fail(&err);
        return NULL;
    }
    return s;
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kith %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nSee 'kith %s --help'.\n", cmd);
    return CMD_USAGE;
}

int cmd_fail(const struct kith_error *err)
{
    fprintf(stderr, "kith: %s\n", err->msg[0] ? err->msg : kith_strerror(err->code));
    return CMD_FAIL;
}

bool cmd_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

void cmd_analysis_help(const struct analysis_family *f, const struct analysis_def *def, FILE *out)
{
    fprintf(out, "usage: kith %s %s [options]%s%s\n\n%s\n\noptions:\n", f->name, def->name,
            def->args ? " " : "", def->args ? def->args : "", def->summary);
    param_print_help(f, def->group, out);
    if (def->route)
        fprintf(out, "\nOver HTTP: GET %s with the options as query parameters (snake_case).\n",
                def->route);
}

int cmd_analysis_fail(const struct analysis_family *f, const struct analysis_def *def,
                      const char *param, const struct kith_error *err)
{
    const struct param_spec *s = param ? param_find(f, def->group, param, false) : NULL;
    if (!s)
        return cmd_fail(err);
    char cmd[64], buf[64];
    snprintf(cmd, sizeof(cmd), "%s %s", f->name, def->name);
    return cmd_usage_error(cmd, "--%s: %s", param_cli_name(s, buf, sizeof(buf)), err->msg);
}

void cmd_analysis_list(const struct analysis_family *f, FILE *out)
{
    for (size_t i = 0; i < f->ndefs; i++)
        fprintf(out, "  %-12s %s\n", f->defs[i].name, f->defs[i].summary);
}

bool cmd_analysis_args(const struct analysis_family *f, const struct analysis_def *def, int argc,
                       char **argv, void *params, const char **pos, size_t maxpos, size_t *npos,
                       int *exit_code)
{
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "%s %s", f->name, def->name);
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (cmd_is_help(argv[i])) {
            cmd_analysis_help(f, def, stdout);
            *exit_code = CMD_OK;
            return false;
        }
    struct kith_error err = {0};
    param_defaults(f, params);
    if (param_parse_argv(f, def->group, argc, argv, 1, params, pos, maxpos, npos, &err) < 0 ||
        param_check_required(f, def->group, params, true, NULL, &err) < 0) {
        *exit_code = cmd_usage_error(cmd, "%s", err.msg);
        return false;
    }
    return true;
}

int cmd_print_json(json_t *j)
{
    int rc = j ? json_dumpf(j, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15)) : -1;
    json_decref(j);
    if (rc < 0) {
        fputs("kith: out of memory writing the answer\n", stderr);
        return CMD_FAIL;
    }
    putchar('\n');
    return CMD_OK;
}

int cmd_db_file_args(const char *cmd, const char *usage, int argc, char **argv, const char **db,
                     const char **file)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
    int c;
    *db = NULL;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            *db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error(cmd, "unknown option");
        }
    }
    if (optind >= argc)
        return cmd_usage_error(cmd, "missing FILE");
    if (argc - optind > 1)
        return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
    *file = argv[optind];
    return -1;
}

void cmd_copy_progress_init(struct cmd_copy_progress *p, const char *label)
{
    memset(p, 0, sizeof(*p));
    progress_init(&p->bar, stderr, label, 0);
    p->bar.unit = "MiB";
    p->bar.check_every = 1; /* one update per step of many pages */
}

void cmd_copy_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    struct cmd_copy_progress *p = ctx;
    p->bar.total_bytes = total;
    p->bytes = done;
    progress_update(&p->bar, done >> 20, done);
}

void cmd_copy_progress_finish(struct cmd_copy_progress *p)
{
    progress_finish(&p->bar, p->bytes >> 20, p->bytes);
}
