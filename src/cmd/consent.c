/*
 * consent.c - kith consent verify FILE: checks a consent receipt (docs/portal.md, "Consent
 * receipts"): its Ed25519 signature against the server's key (the database's, or one given with
 * --key) and that it carries every field of a Kantara consent receipt v1.1. FILE holds the
 * compact JWS, or the JSON answer of the API that carries it ("receipt_jws").
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "io/consent_receipt.h"
#include "util/timefmt.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith consent verify FILE [--db PATH | --key PUBLIC_KEY] [--json]\n\n"
    "Verifies a consent receipt: FILE holds the compact JWS that kith issued when a consent was\n"
    "granted or withdrawn (or the API's JSON answer that carries it as receipt_jws). The\n"
    "signature is checked with the server's Ed25519 public key, read from the database\n"
    "(default: $KITH_DB, else ./kith.db) or given as base64url with --key, and the receipt must\n"
    "hold every field of a Kantara consent receipt v1.1. Exit status 0 when it is valid.\n"
    "--json prints the verified receipt.\n";

/* The file's text (malloc'd, at most CONSENT_JWS_MAX bytes), or NULL after saying why. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kith: cannot open %s\n", path);
        return NULL;
    }
    char *buf = malloc(CONSENT_JWS_MAX + 2);
    size_t n = buf ? fread(buf, 1, CONSENT_JWS_MAX + 1, f) : 0;
    bool bad = ferror(f) != 0;
    fclose(f);
    if (!buf || bad || n > CONSENT_JWS_MAX) {
        fprintf(stderr, "kith: %s: %s\n", path,
                !buf  ? "out of memory"
                : bad ? "cannot read it"
                      : "larger than a receipt can be");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The JWS in text: text itself, or its "receipt_jws" when it is a JSON object (into *holder). */
static const char *jws_of(const char *text, json_t **holder)
{
    const char *p = text;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p != '{')
        return p;
    *holder = json_loads(p, 0, NULL);
    return json_string_value(json_object_get(*holder, "receipt_jws"));
}

static int verify(const char *path, const char *db, const char *key, bool as_json)
{
    unsigned char pk[STORE_SIGN_PK];
    struct kith_error err = {0};
    if (sodium_init() < 0) {
        fputs("kith: libsodium cannot start\n", stderr);
        return CMD_FAIL;
    }
    if (key) {
        size_t n = 0;
        if (sodium_base642bin(pk, sizeof(pk), key, strlen(key), NULL, &n, NULL,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            n != sizeof(pk))
            return cmd_usage_error("consent verify",
                                   "--key: an Ed25519 public key is 32 bytes in base64url");
    } else {
        struct store *s = cmd_open_store(db, STORE_READONLY);
        if (!s)
            return CMD_FAIL;
        int rc = store_signing_key_get(s, pk, NULL, &err);
        store_close(s);
        if (rc < 0)
            return cmd_fail(&err);
    }
    char *text = read_file(path);
    if (!text)
        return CMD_FAIL;
    json_t *holder = NULL, *payload = NULL;
    const char *jws = jws_of(text, &holder);
    int code = CMD_OK;
    if (!jws) {
        fprintf(stderr, "kith: %s: JSON without a receipt_jws\n", path);
        code = CMD_FAIL;
    } else if (consent_receipt_verify(jws, pk, &payload, &err) < 0) {
        fprintf(stderr, "kith: %s: invalid receipt: %s\n", path, err.msg);
        code = CMD_FAIL;
    } else if (as_json) {
        code = cmd_print_json(json_incref(payload));
    } else {
        json_t *k = json_object_get(payload, "kith");
        printf("valid: consent receipt %s, signed by this server's key\n",
               json_string_value(json_object_get(payload, "consentReceiptID")));
        if (json_is_object(k)) {
            char at[TIMEFMT_SIZE];
            timefmt_format(json_integer_value(json_object_get(k, "recordedAt")), at);
            printf("contact %lld: %s %s on %s at %s\n",
                   (long long)json_integer_value(json_object_get(k, "contactId")),
                   json_string_value(json_object_get(k, "state")),
                   json_string_value(json_object_get(k, "purpose")),
                   json_string_value(json_object_get(k, "channel")), at);
        }
    }
    json_decref(payload);
    json_decref(holder);
    free(text);
    return code;
}

int cmd_consent(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *key = NULL;
    bool as_json = false;
    int o;
    if (argc < 2 || cmd_is_help(argv[1])) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CMD_USAGE : CMD_OK;
    }
    if (strcmp(argv[1], "verify") != 0)
        return cmd_usage_error("consent", "unknown command '%s'", argv[1]);
    optind = 0;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        if (o == 'd')
            db = optarg;
        else if (o == 'k')
            key = optarg;
        else if (o == 'j')
            as_json = true;
        else if (o == 'h') {
            fputs(usage, stdout);
            return CMD_OK;
        } else
            return cmd_usage_error("consent", "unknown option");
    }
    if (optind + 1 != argc - 1)
        return cmd_usage_error("consent verify", "give one FILE");
    if (db && key)
        return cmd_usage_error("consent verify", "give --db or --key, not both");
    return verify(argv[1 + optind], db, key, as_json);
}
