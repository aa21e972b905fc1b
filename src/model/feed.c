/*
 * feed.c - what a post of the feeds is, and its one check (model/feed.h).
 */
#include "model/feed.h"

#include <string.h>

#include "util/utf8.h"

#include "util/banned.h"

static const char *const audience_names[FEED_NAUDIENCES] = {"community", "product", "segment"};

const char *feed_audience_name(int audience)
{
    return audience >= 0 && audience < FEED_NAUDIENCES ? audience_names[audience] : NULL;
}

int feed_audience_from_name(const char *name)
{
    for (int i = 0; name && i < FEED_NAUDIENCES; i++)
        if (strcmp(name, audience_names[i]) == 0)
            return i;
    return -1;
}

static int bad(const char **field, const char *name, struct kith_error *err, const char *msg)
{
    *field = name;
    return kith_err(err, KITH_EINVAL, "%s", msg);
}

int feed_post_check(const struct feed_post *p, const char **field, struct kith_error *err)
{
    *field = NULL;
    const size_t tlen = p->title ? strlen(p->title) : 0;
    if (!tlen || tlen > FEED_TITLE_MAX || !utf8_is_valid(p->title, tlen, NULL))
        return bad(field, "title", err, "must be text (UTF-8) of 1 to 200 bytes");
    if (p->body &&
        (strlen(p->body) > FEED_BODY_MAX || !utf8_is_valid(p->body, strlen(p->body), NULL)))
        return bad(field, "body", err, "must be text (UTF-8) of at most 10000 bytes");
    if (!feed_audience_name(p->audience))
        return bad(field, "audience", err, "must be community, product or segment");
    if ((p->audience == FEED_PRODUCT) != (p->product_id > 0))
        return bad(field, "product_id", err,
                   p->audience == FEED_PRODUCT ? "a post to a product names the product"
                                               : "only a post to a product names a product");
    const size_t slen = p->segment ? strlen(p->segment) : 0;
    if ((p->audience == FEED_SEGMENT) != (slen > 0))
        return bad(field, "segment", err,
                   p->audience == FEED_SEGMENT
                       ? "a post to a segment has the segment's filter of contacts"
                       : "only a post to a segment has a segment");
    if (slen > FEED_SEGMENT_MAX || (slen && !utf8_is_valid(p->segment, slen, NULL)))
        return bad(field, "segment", err, "must be a filter of at most 1000 bytes");
    if (p->published_at < 0)
        return bad(field, "published_at", err, "must be a time");
    return 0;
}
