/*
 * portal.c - kith portal invite CONTACT: invites a contact to the customer portal, as POST
 * /api/v1/contacts/{id}/invitations does (the same portal_invite(), src/api/portal.c): a
 * single-use link valid 7 days, sent through the outbox (docs/portal.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "api/portal.h"
#include "cmd/cmd.h"
#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith portal invite CONTACT_ID [--db PATH]\n\n"
    "Invites a contact to the customer portal: a link that works once, within 7 days, to choose\n"
    "a password, sent to the contact's email through the outbox ($KITH_OUTBOX_DIR, or the\n"
    "directory <database>.outbox). Inviting a contact whose access was revoked gives it back.\n";

int cmd_portal(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int o;
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    if (strcmp(argv[1], "invite") != 0)
        return cmd_usage_error("portal", "unknown command '%s'", argv[1]);
    optind = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'h') {
            fputs(usage, stdout);
            return CMD_OK;
        } else
            return cmd_usage_error("portal", "unknown option");
    }
    if (optind + 1 != argc - 1)
        return cmd_usage_error("portal invite", "give one CONTACT_ID");
    struct kith_error err = {0};
    int64_t id;
    if (num_int64(argv[1 + optind], 1, INT64_MAX, &id, "CONTACT_ID", &err) < 0)
        return cmd_usage_error("portal invite", "%s", err.msg);
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    struct portal_invite_result r = {0};
    int rc = CMD_OK;
    if (portal_invite(s, id, 0, "cli", &r, &err) < 0) {
        rc = cmd_fail(&err);
    } else {
        char at[TIMEFMT_SIZE];
        timefmt_format(r.expires_at, at);
        printf("invited contact %lld: the link went to %s and works until %s\n", (long long)id,
               r.email, at);
    }
    store_close(s);
    return rc;
}
