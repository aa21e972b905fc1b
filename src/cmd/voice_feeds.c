/*
 * voice_feeds.c - kith voice feeds: lists the Atom feeds that keep customers in touch, or prints
 * one (docs/voice.md, "Feeds"). The feed is analysis/feeds.c's, the same as GET /api/v1/feeds/...
 * answers; the command line reads as an administrator: every contact's ideas and ratings, and
 * every post to a segment.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/feeds.h"
#include "cmd/cmd.h"
#include "util/num.h"

#include "util/banned.h"

static const char usage[] =
    "usage: kith voice feeds [--json] [--db PATH]\n"
    "   or: kith voice feeds community|segments [--db PATH]\n"
    "   or: kith voice feeds product ID [--db PATH]\n\n"
    "The Atom feeds that keep customers in touch: the community's (ideas, their status\n"
    "changes, posts), each product's (ratings and reviews, posts) and the segments' (posts).\n"
    "Without a feed, lists them (--json: the API's list); with one, prints it as Atom (the\n"
    "newest entries first, at most 50). Contacts read theirs at a secret URL (POST\n"
    "/api/v1/contacts/{id}/feed-token); docs/voice.md, \"Feeds\".\n"
    "  --json      the list as JSON\n"
    "  --db PATH   the database (default: $KITH_DB, else ./kith.db)\n";

int cmd_voice_feeds(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = NULL;
    bool json = false;
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd':
            db = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(usage, stdout);
            return CMD_OK;
        default:
            return cmd_usage_error("voice feeds", "unknown option");
        }
    }
    const char *feed = optind < argc ? argv[optind] : NULL;
    struct feed_request r = {.audience = FEED_COMMUNITY};
    struct kith_error err = {0};
    if (feed) {
        if (json)
            return cmd_usage_error("voice feeds", "--json lists the feeds; a feed is Atom");
        if (strcmp(feed, "community") == 0)
            r.audience = FEED_COMMUNITY;
        else if (strcmp(feed, "segments") == 0)
            r.audience = FEED_SEGMENT;
        else if (strcmp(feed, "product") == 0) {
            r.audience = FEED_PRODUCT;
            if (optind + 1 >= argc ||
                num_int64(argv[optind + 1], 1, INT64_MAX, &r.product_id, "product ID", &err) < 0)
                return cmd_usage_error("voice feeds", "product needs a product's id");
            optind++;
        } else {
            return cmd_usage_error("voice feeds", "'%s' is not community, segments or product",
                                   feed);
        }
        if (optind + 1 < argc)
            return cmd_usage_error("voice feeds", "unexpected argument '%s'", argv[optind + 1]);
    }
    struct store *s = cmd_open_store(db, STORE_READONLY);
    if (!s)
        return CMD_FAIL;
    int rc = CMD_OK;
    if (!feed) {
        json_t *list = feed_list_json(s, "/api/v1/feeds", &err);
        if (!list) {
            rc = cmd_fail(&err);
        } else if (json) {
            rc = cmd_print_json(list);
            list = NULL;
        } else {
            size_t i;
            json_t *f;
            json_array_foreach(json_object_get(list, "feeds"), i, f)
            {
                printf("%-32s %s\n", json_string_value(json_object_get(f, "path")),
                       json_string_value(json_object_get(f, "title")));
            }
        }
        json_decref(list);
        store_close(s);
        return rc;
    }
    r.now_ms = store_now_ms();
    struct feed_doc doc;
    if (feed_build(s, &r, &doc, &err) < 0) {
        rc = cmd_fail(&err);
    } else {
        fwrite(doc.xml, 1, doc.len, stdout);
        feed_doc_release(&doc);
    }
    store_close(s);
    return rc;
}
