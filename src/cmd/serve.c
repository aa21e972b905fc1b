/*
 * serve.c - kith serve: the HTTP/JSON API and the web application on one port.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "api/portal.h"
#include "api/value_kept.h"
#include "analysis/voice_community.h"
#include "cmd/cmd.h"
#include "util/num.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith serve [--db PATH] [--listen HOST:PORT] [--threads N]\n"
    "                  [--tls-cert FILE --tls-key FILE] [--sender SENDER]\n"
    "                  [--trusted-proxy ADDR[,ADDR...]]\n\n"
    "Serves the web application at / and the API under /api/v1 (and /healthz, /metrics)\n"
    "until SIGINT or SIGTERM, then finishes in-flight requests, checkpoints the database\n"
    "and exits 0. The web application is built into the binary (docs/web.md).\n"
    "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks one)\n"
    "  --threads N          worker threads (default twice the CPUs, at least 4; more for\n"
    "                       a disk whose fsync is slow: docs/storage.md)\n"
    "  --tls-cert FILE      PEM certificate; with --tls-key serves HTTPS\n"
    "  --tls-key FILE       PEM private key\n"
    "  --sender SENDER      how messages and portal links leave: outbox (default: files in\n"
    "                       $KITH_OUTBOX_DIR or <database>.outbox) or\n"
    "                       webhook:http://HOST:PORT/PATH (a JSON POST per message)\n"
    "  --trusted-proxy ADDR[,ADDR...]\n"
    "                       load balancers whose X-Forwarded-For names the client: sign-in\n"
    "                       throttling and the audit trail then see the client's\n"
    "                       address (docs/deploy/haproxy.cfg)\n"
    "An access log goes to stderr as JSON lines.\n";

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"tls-cert", required_argument, NULL, 'c'},
                                         {"tls-key", required_argument, NULL, 'k'},
                                         {"sender", required_argument, NULL, 's'},
                                         {"trusted-proxy", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    struct api_server_options o = {.listen = "127.0.0.1:8080"};
    const char *db = NULL;
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            o.listen = optarg;
            break;
        case 't': {
            int64_t n;
            if (num_int64(optarg, 1, 256, &n, "--threads", NULL) < 0)
                return cmd_usage_error("serve", "--threads wants a number from 1 to 256");
            o.threads = (unsigned)n;
            break;
        }
        case 'c':
            o.tls_cert = optarg;
            break;
        case 'k':
            o.tls_key = optarg;
            break;
        case 'p':
            o.trusted_proxies = optarg;
            break;
        case 's': {
            struct kith_error serr = {0};
            if (portal_sender_configure(optarg, &serr) < 0)
                return cmd_usage_error("serve", "%s", serr.msg);
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("serve", "unknown option");
        }
    }
    if (optind < argc)
        return cmd_usage_error("serve", "unexpected argument '%s'", argv[optind]);
    o.db_path = cmd_db_path(db);
    /*
     * One connection open for the server's whole life, even before a worker opens its own:
     * while it is open, kith restore sees the database in use and refuses to replace it.
     */
    struct store *held = cmd_open_store(db, 0);
    if (!held)
        return CMD_FAIL;
    struct kith_error err = {0};
    /*
     * Derived fields that other processes' writes may have left behind (docs/voice.md); said
     * only when it fails, as the first line must be "listening".
     */
    if (voice_community_refresh(held, 0, voice_community_now(), NULL, &err) < 0)
        fprintf(stderr, "kith serve: the contacts' community roles were not derived: %s\n",
                err.msg);
    err = (struct kith_error){0};
    /* the customer value figures, kept and refreshed off the request threads (api/value_kept.h) */
    if (value_keeper_start(o.db_path, &err) < 0) {
        store_close(held);
        return cmd_fail(&err);
    }
    int rc = api_serve(&o, &err);
    value_keeper_stop();
    store_close(held);
    return rc < 0 ? cmd_fail(&err) : CMD_OK;
}
