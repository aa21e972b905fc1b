/*
 * feeds.h - the Atom feeds that keep customers in touch (issue 15, docs/voice.md "Feeds"),
 * written once for both doors: `kith voice feeds` and GET /api/v1/feeds/..., /feeds/{token}/....
 * feed_build() reads a feed's items through the store (ideas and their status changes, ratings,
 * the posts staff publish), keeps those its reader may see and writes them as Atom 1.0
 * (io/atom.h), newest first, at most FEED_ENTRIES_MAX.
 */
#ifndef KITH_ANALYSIS_FEEDS_H
#define KITH_ANALYSIS_FEEDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/feed.h"
#include "store/store.h"

/* Whether a segment post (its filter of contacts) reaches the reader: *in. */
typedef int (*feed_keep_fn)(void *ctx, const char *segment, bool *in, struct kith_error *err);

struct feed_request {
    int audience;       /* enum feed_audience: the community, a product, the segments */
    int64_t product_id; /* FEED_PRODUCT */
    /* the contacts whose ideas and ratings the reader may see, a JSON array of ids; NULL: all,
     * staff's ideas included (a caller who reads every contact, or a community member) */
    const char *contact_ids_json;
    int64_t reader_contact; /* a contact reading through its secret URL; 0: staff */
    feed_keep_fn keep;      /* segment posts: kept when keep says so; NULL: all */
    void *keep_ctx;
    const char *self; /* the feed's own URL (rel="self"), or NULL */
    int64_t now_ms;
};

/* A feed written: the document and what the HTTP door needs for caching. */
struct feed_doc {
    char *xml; /* owned: feed_doc_release() */
    size_t len;
    int64_t updated; /* Unix ms: the newest entry's, 0 without entries */
    size_t nentries;
    char etag[40]; /* "\"<32 hex>\"": a hash of the document */
};

/* Builds r's feed into *out. KITH_ENOTFOUND naming a product that is not there. */
int feed_build(struct store *s, const struct feed_request *r, struct feed_doc *out,
               struct kith_error *err);

void feed_doc_release(struct feed_doc *d);

/*
 * The feeds there are, {"feeds": [{"feed", "title", "path"}]}: the community's, the segments',
 * and one per product with ratings or posts (at most 500); paths under prefix ("/api/v1/feeds"
 * or "/feeds/<token>"). A new reference; NULL on failure with err filled.
 */
json_t *feed_list_json(struct store *s, const char *prefix, struct kith_error *err);

#endif
