/*
 * demo.c - kith demo (being written).
 */
#include <stdio.h>

#include "cmd/cmd.h"

#include "util/banned.h"

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kith demo: not available yet\n");
    return CMD_FAIL;
}
