/*
 * kith.c - main(): finds the subcommand in a table and runs it, as git's builtins do.
 * To add a command, see the note at the top of src/cmd/cmd.h.
 */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#include "util/banned.h"

const struct cmd_entry kith_commands[] = {
    {"init", cmd_init, "create a database (or upgrade an older one) with the latest schema"},
    {"import", cmd_import, "load a CSV file into a table, all or nothing"},
    {"export", cmd_export, "write a table as CSV or JSON lines"},
    {"demo", cmd_demo, "build a realistic, deterministic demo database"},
    {"serve", cmd_serve, "serve the HTTP/JSON API"},
    {"user", cmd_user, "add users, set passwords, disable accounts, manage API tokens"},
    {"value", cmd_value, "customer value: lifetime value, distribution, drivers, RFM, REAP"},
    {"rv", cmd_rv, "Relationship Value: contacts, norms, exceptions, reps, units, indicator"},
    {"deals", cmd_deals, "deals: add, show, move, win, lose, reopen; win rate and open pipeline"},
    {"voice", cmd_voice, "the customer's voice: surveys, NPS and CSAT by channel, brand promise"},
    {"v2t2", cmd_v2t2, "V2T2: Value x Volume zones, Touch x Tech tones, discord, scenarios"},
    {"privacy", cmd_privacy, "show or set the privacy policy of the comparison of units"},
    {"portal", cmd_portal, "the customer portal: invite a contact"},
    {"consent", cmd_consent, "consent receipts: verify one's signature and fields"},
    {"dsr", cmd_dsr,
     "data-subject requests: file, list, extend, complete (erase), reject; export, import"},
    {"stats", cmd_stats, "count the records of each table"},
    {"backup", cmd_backup, "copy the database to one file while it is in use"},
    {"restore", cmd_restore, "replace the database with a checked backup"},
    {"migrate-store", cmd_migrate_store, "copy a SQLite database into PostgreSQL, every table"},
    {"help", cmd_help, "show help for kith or one of its commands"},
    {"version", cmd_version, "print the version"},
    {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; kith's numerical code checks every status itself. */
    gsl_set_error_handler_off();
    if (argc < 2)
        return cmd_help(1, (char *[]){"help", NULL});
    const char *name = argv[1];
    if (cmd_is_help(name))
        return cmd_help(1, (char *[]){"help", NULL});
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
        return cmd_version(1, (char *[]){"version", NULL});
    for (const struct cmd_entry *c = kith_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) {
            cmd_set_invocation(argc - 1, argv + 1);
            return c->fn(argc - 1, argv + 1);
        }
    fprintf(stderr, "kith: '%s' is not a kith command. See 'kith help'.\n", name);
    return CMD_USAGE;
}
