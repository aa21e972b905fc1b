/*
 * help.c - kith help [command]: the list of commands, or one command's own --help.
 * `kith help --openapi-params` prints the query parameters of every analysis route as the
 * parameter tables declare them (scripts/openapi-sync writes them into docs/openapi.json).
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#include "util/banned.h"

/* {"/api/v1/value/clv": [parameter objects], ...} for every analysis that has a route. */
static int print_openapi_params(void)
{
    json_t *all = json_object();
    for (const struct analysis_family *const *f = analysis_families; all && *f; f++)
        for (size_t i = 0; i < (*f)->ndefs; i++)
            if ((*f)->defs[i].route)
                json_object_set_new(all, (*f)->defs[i].route,
                                    param_openapi(*f, (*f)->defs[i].group));
    if (!all || json_dumpf(all, stdout, JSON_INDENT(1) | JSON_SORT_KEYS) < 0) {
        json_decref(all);
        fputs("kith: out of memory\n", stderr);
        return CMD_FAIL;
    }
    putchar('\n');
    json_decref(all);
    return CMD_OK;
}

int cmd_help(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--openapi-params") == 0)
        return print_openapi_params();
    if (argc >= 2 && !cmd_is_help(argv[1])) {
        for (const struct cmd_entry *c = kith_commands; c->name; c++) {
            if (strcmp(c->name, argv[1]) == 0)
                return c->fn(2, (char *[]){(char *)c->name, "--help", NULL});
        }
        return cmd_usage_error("help", "no command called '%s'", argv[1]);
    }
    printf("kith - customer relationship intelligence\n\n"
           "usage: kith <command> [options]\n"
           "       kith help <command>    (or kith <command> --help)\n"
           "       kith --version\n\n"
           "Every command takes --db PATH (default: $KITH_DB, else ./kith.db).\n\n"
           "commands:\n");
    for (const struct cmd_entry *c = kith_commands; c->name; c++)
        printf("  %-10s %s\n", c->name, c->summary);
    return CMD_OK;
}
