/*
 * feeds.c - the Atom feeds of docs/voice.md, "Feeds" (analysis/feeds.h): which items each feed
 * lists, the entry each item makes (its id, title, text and author), and the document.
 */
#include "analysis/feeds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/atom.h"
#include "util/alloc.h"
#include "util/secret.h"

#include "util/banned.h"

#define FEED_FETCH_MAX    500 /* segment posts read to find FEED_ENTRIES_MAX that reach a reader */
#define FEED_PRODUCTS_MAX 500

/* The texts of one entry, kept while the document is written. */
struct entry_text {
    char id[96], title[512], author[300], category[24];
    char *content; /* owned */
};

static char *text_dup(const char *a, const char *b)
{
    const size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    char *s = malloc(la + lb + 1);
    if (!s)
        return NULL;
    if (la)
        memcpy(s, a, la);
    if (lb)
        memcpy(s + la, b, lb);
    s[la + lb] = '\0';
    return s;
}

/* The entry of item it into e and t (t->content allocated). */
static int entry_of(const struct store_feed_item *it, struct atom_entry *e, struct entry_text *t)
{
    char tail[160] = "";
    const char *body = it->body && it->body[0] ? it->body : NULL;
    if (strcmp(it->kind, "idea") == 0) {
        snprintf(t->id, sizeof(t->id), "urn:kith:idea:%lld", (long long)it->id);
        snprintf(t->title, sizeof(t->title), "New idea: %s", it->title ? it->title : "");
        snprintf(t->author, sizeof(t->author), "%s", it->by_staff ? "staff" : "a customer");
        snprintf(t->category, sizeof(t->category), "idea");
        snprintf(tail, sizeof(tail), "%sStatus: %s", body ? "\n\n" : "",
                 it->status ? it->status : "new");
    } else if (strcmp(it->kind, "idea_status") == 0) {
        snprintf(t->id, sizeof(t->id), "urn:kith:idea:%lld:status:%lld", (long long)it->ref_id,
                 (long long)it->id);
        snprintf(t->title, sizeof(t->title), "Idea %s: %s", it->status ? it->status : "",
                 it->title ? it->title : "");
        snprintf(t->author, sizeof(t->author), "staff");
        snprintf(t->category, sizeof(t->category), "idea-status");
        body = NULL;
        snprintf(tail, sizeof(tail), "Status: %s (was %s)", it->status ? it->status : "none",
                 it->from_status ? it->from_status : "none");
    } else if (strcmp(it->kind, "rating") == 0) {
        snprintf(t->id, sizeof(t->id), "urn:kith:rating:%lld", (long long)it->id);
        snprintf(t->title, sizeof(t->title), "%d of 5 stars: %s", it->stars,
                 it->title ? it->title : "");
        /* a review is published without the name of the contact who gave it */
        snprintf(t->author, sizeof(t->author), "%s",
                 it->verified ? "a verified buyer" : "a customer");
        snprintf(t->category, sizeof(t->category), "rating");
        snprintf(tail, sizeof(tail), "%s%d of 5 stars%s", body ? "\n\n" : "", it->stars,
                 it->verified ? ", verified purchase" : "");
    } else {
        snprintf(t->id, sizeof(t->id), "urn:kith:post:%lld", (long long)it->id);
        snprintf(t->title, sizeof(t->title), "%s", it->title ? it->title : "");
        snprintf(t->author, sizeof(t->author), "%s",
                 it->author && it->author[0] ? it->author : "kith");
        snprintf(t->category, sizeof(t->category), "post");
        if (!body)
            body = t->title;
    }
    t->content = text_dup(body, tail);
    if (!t->content)
        return KITH_ENOMEM;
    *e = (struct atom_entry){.id = t->id,
                             .title = t->title,
                             .updated = it->at,
                             .published = strcmp(it->kind, "idea_status") == 0 ? 0 : it->at,
                             .author = t->author,
                             .content = t->content,
                             .category = t->category};
    return 0;
}

/* Feed ids and titles. */
static void feed_names(const struct feed_request *r, const char *product, char *id, size_t idsz,
                       char *title, size_t tsz)
{
    switch (r->audience) {
    case FEED_PRODUCT:
        snprintf(id, idsz, "urn:kith:feed:product:%lld", (long long)r->product_id);
        snprintf(title, tsz, "%s: ratings, reviews and news", product);
        break;
    case FEED_SEGMENT:
        if (r->reader_contact)
            snprintf(id, idsz, "urn:kith:feed:segments:contact:%lld", (long long)r->reader_contact);
        else
            snprintf(id, idsz, "urn:kith:feed:segments");
        snprintf(title, tsz, "%s", r->reader_contact ? "News for you" : "News to segments");
        break;
    default:
        snprintf(id, idsz, "urn:kith:feed:community");
        snprintf(title, tsz, "Community: ideas and news");
        break;
    }
}

int feed_build(struct store *s, const struct feed_request *r, struct feed_doc *out,
               struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    char product[256] = "";
    if (r->audience == FEED_PRODUCT &&
        store_feed_product_name(s, r->product_id, product, sizeof(product), err) < 0)
        return err->code;
    const bool filtering = r->audience == FEED_SEGMENT && r->keep;
    const struct store_feed_query q = {.audience = r->audience,
                                       .product_id = r->product_id,
                                       .contact_ids_json = r->contact_ids_json,
                                       .limit = filtering ? FEED_FETCH_MAX : FEED_ENTRIES_MAX,
                                       .now_ms = r->now_ms};
    struct store_feed_item *items = NULL;
    size_t n = 0;
    int rc = store_feed_items(s, &q, &items, &n, err);
    if (rc < 0)
        return rc;
    struct atom_entry *e = alloc_array_zero(n ? n : 1, sizeof(*e));
    struct entry_text *t = alloc_array_zero(n ? n : 1, sizeof(*t));
    size_t ne = 0;
    if (!e || !t)
        rc = kith_err(err, KITH_ENOMEM, "out of memory writing a feed");
    for (size_t i = 0; i < n && rc == 0 && ne < FEED_ENTRIES_MAX; i++) {
        if (filtering) {
            bool in = false;
            if ((rc = r->keep(r->keep_ctx, items[i].segment, &in, err)) < 0)
                break;
            if (!in)
                continue;
        }
        if (entry_of(&items[i], &e[ne], &t[ne]) < 0) {
            rc = kith_err(err, KITH_ENOMEM, "out of memory writing a feed");
            break;
        }
        ne++;
    }
    if (rc == 0) {
        char id[96], title[320];
        feed_names(r, product, id, sizeof(id), title, sizeof(title));
        out->updated = ne ? e[0].updated : 0; /* newest first */
        const struct atom_feed f = {
            .id = id, .title = title, .self = r->self, .author = "kith", .updated = out->updated};
        rc = atom_write(&f, e, ne, &out->xml, &out->len, err);
    }
    if (rc == 0) {
        out->nentries = ne;
        char hash[SECRET_HASH_HEX_SIZE];
        secret_hash(out->xml, out->len, hash);
        snprintf(out->etag, sizeof(out->etag), "\"%.32s\"", hash);
    }
    for (size_t i = 0; t && i < ne; i++)
        free(t[i].content);
    free(t);
    free(e);
    store_feed_items_free(items, n);
    return rc;
}

void feed_doc_release(struct feed_doc *d)
{
    free(d->xml);
    memset(d, 0, sizeof(*d));
}

static bool add_feed(json_t *a, const char *feed, const char *title, const char *path)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "feed", feed, "title", title, "path", path);
    return o && json_array_append_new(a, o) == 0;
}

json_t *feed_list_json(struct store *s, const char *prefix, struct kith_error *err)
{
    struct store_feed_product *p = alloc_array(FEED_PRODUCTS_MAX, sizeof(*p));
    size_t n = 0;
    if (!p) {
        kith_err(err, KITH_ENOMEM, "out of memory listing the feeds");
        return NULL;
    }
    if (store_feed_products(s, p, FEED_PRODUCTS_MAX, &n, err) < 0) {
        free(p);
        return NULL;
    }
    json_t *a = json_array();
    char path[512];
    bool ok = a != NULL;
    snprintf(path, sizeof(path), "%s/community", prefix);
    ok = ok && add_feed(a, "community", "Community: ideas and news", path);
    snprintf(path, sizeof(path), "%s/segments", prefix);
    ok = ok && add_feed(a, "segments", "News to segments", path);
    for (size_t i = 0; ok && i < n; i++) {
        char title[320];
        snprintf(path, sizeof(path), "%s/products/%lld", prefix, (long long)p[i].id);
        snprintf(title, sizeof(title), "%s: ratings, reviews and news", p[i].name);
        ok = add_feed(a, "product", title, path);
    }
    free(p);
    json_t *o = ok ? json_pack("{s:o}", "feeds", a) : NULL;
    if (!o) {
        if (!ok)
            json_decref(a);
        kith_err(err, KITH_ENOMEM, "out of memory listing the feeds");
    }
    return o;
}
