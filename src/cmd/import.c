/*
 * import.c - kith import (being written).
 */
#include <stdio.h>

#include "cmd/cmd.h"

#include "util/banned.h"

int cmd_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kith import: not available yet\n");
    return CMD_FAIL;
}
