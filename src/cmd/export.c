/*
 * export.c - kith export (being written).
 */
#include <stdio.h>

#include "cmd/cmd.h"

#include "util/banned.h"

int cmd_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kith export: not available yet\n");
    return CMD_FAIL;
}
