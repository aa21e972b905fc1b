/*
 * feed.h - the posts staff publish to the feeds that keep customers in touch (docs/voice.md,
 * "Feeds"): what a post is and the one check of it, for every door that writes one (POST
 * /api/v1/feed-posts, the store). A post goes to an audience: the community, one product, or a
 * segment of contacts (a filter of contacts in the API's list syntax, whose syntax the API
 * checks against the contacts table when it is written).
 */
#ifndef KITH_MODEL_FEED_H
#define KITH_MODEL_FEED_H

#include <stdint.h>

#include "util/error.h"

#define FEED_TITLE_MAX   200   /* bytes */
#define FEED_BODY_MAX    10000 /* bytes */
#define FEED_SEGMENT_MAX 1000  /* bytes of a segment's filter */
#define FEED_ENTRIES_MAX 50    /* entries of one feed, newest first */

enum feed_audience { FEED_COMMUNITY, FEED_PRODUCT, FEED_SEGMENT, FEED_NAUDIENCES };

/* "community", "product", "segment"; NULL out of range. */
const char *feed_audience_name(int audience);
int feed_audience_from_name(const char *name); /* -1 when unknown */

/* A post; texts are the caller's. */
struct feed_post {
    const char *title;
    const char *body;     /* NULL: none */
    int audience;         /* enum feed_audience */
    int64_t product_id;   /* FEED_PRODUCT: the product; else 0 */
    const char *segment;  /* FEED_SEGMENT: the filter; else NULL */
    int64_t published_at; /* Unix ms */
    int64_t user_id;      /* the author; 0: none (the command line) */
};

/*
 * 0 when p may be written: a title of 1..FEED_TITLE_MAX bytes, a body of at most FEED_BODY_MAX,
 * both valid UTF-8; an audience; a product exactly for FEED_PRODUCT and a segment (1..
 * FEED_SEGMENT_MAX bytes) exactly for FEED_SEGMENT. Else KITH_EINVAL with *field the field at
 * fault and the reason in err.
 */
int feed_post_check(const struct feed_post *p, const char **field, struct kith_error *err);

#endif
