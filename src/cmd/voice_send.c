/*
 * voice_send.c - kith voice send CONTACT: sends an SMS or email to a contact as POST
 * /api/v1/messages does (the same message_send(), src/api/messages.c): only if its consent
 * allows the purpose on that channel, through the outbox or a webhook, recorded as an
 * interaction. docs/voice.md, "Messages".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "api/messages.h"
#include "api/portal.h"
#include "cmd/cmd.h"
#include "util/num.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith voice send CONTACT_ID --channel sms|email --purpose marketing|surveys\n"
    "                       --body TEXT [--subject TEXT] [--sender SENDER] [--db PATH]\n\n"
    "Sends a message to a contact if its consent allows the purpose on the channel now (a\n"
    "grant on the channel or on any channel, and no withdrawal on either; docs/portal.md),\n"
    "to its phone (sms) or email, and records it as an interaction (out_sms, out_email).\n"
    "Refused (exit status 1, nothing sent) otherwise. --sender: outbox (default: files in\n"
    "$KITH_OUTBOX_DIR or <database>.outbox) or webhook:http://HOST:PORT/PATH.\n";

int cmd_voice_send(int argc, char **argv)
{
    static const struct option opts[] = {
        {"channel", required_argument, NULL, 'c'}, {"purpose", required_argument, NULL, 'p'},
        {"body", required_argument, NULL, 'b'},    {"subject", required_argument, NULL, 's'},
        {"sender", required_argument, NULL, 'S'},  {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    struct message_out m = {0};
    const char *db = NULL;
    struct kith_error err = {0};
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            m.channel = optarg;
            break;
        case 'p':
            m.purpose = optarg;
            break;
        case 'b':
            m.body = optarg;
            break;
        case 's':
            m.subject = optarg;
            break;
        case 'S':
            if (portal_sender_configure(optarg, &err) < 0)
                return cmd_usage_error("voice send", "%s", err.msg);
            break;
        case 'd':
            db = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("voice send", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cmd_usage_error("voice send", "give one CONTACT_ID");
    if (num_int64(argv[optind], 1, INT64_MAX, &m.contact_id, "CONTACT_ID", &err) < 0)
        return cmd_usage_error("voice send", "%s", err.msg);
    if (!m.channel || !m.purpose || !m.body)
        return cmd_usage_error("voice send", "--channel, --purpose and --body are required");
    struct store *s = cmd_open_store(db, 0);
    if (!s)
        return CMD_FAIL;
    m.client_addr = "cli";
    struct message_sent sent;
    int rc = message_send(s, &m, message_record_plain, s, &sent, &err);
    store_close(s);
    if (rc == KITH_EINVAL && sent.refusal != MESSAGE_NO_ADDRESS)
        return cmd_usage_error("voice send", "--%s", err.msg);
    if (rc < 0)
        return cmd_fail(&err);
    char at[TIMEFMT_SIZE];
    timefmt_format(sent.sent_at, at);
    printf("sent the %s %s message to contact %lld (%s) at %s: interaction %lld\n", m.purpose,
           m.channel, (long long)m.contact_id, sent.to, at, (long long)sent.interaction_id);
    return CMD_OK;
}
