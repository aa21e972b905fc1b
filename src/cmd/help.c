/*
 * help.c - kith help [command]: the list of commands, or one command's own --help.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#include "util/banned.h"

int cmd_help(int argc, char **argv)
{
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
