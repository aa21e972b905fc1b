/*
 * feeds.c - the store's side of the feeds that keep customers in touch (docs/voice.md, "Feeds";
 * migration 16): the posts staff publish, the contacts' secret feed tokens (hashes only), and
 * the items a feed lists (ideas and their status changes, ratings, posts), newest first. Every
 * statement is constant SQL with its values bound; the contacts a reader may see come as one
 * bound JSON array of ids.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* Runs sql (no rows) with binds; *changes gets the rows touched when not NULL. */
static int run(struct store *s, const char *sql, const struct store_value *binds, int n,
               int *changes, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, what);
    for (int i = 0; i < n; i++)
        store_bind_value(st, i + 1, &binds[i]);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = store_db_err(err, s->db, what);
    else if (changes)
        *changes = sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return rc;
}

static struct store_value v_int(int64_t i)
{
    return (struct store_value){.kind = SV_INT, .i = i};
}

static struct store_value v_id(int64_t i)
{
    return i > 0 ? v_int(i) : (struct store_value){.kind = SV_NULL};
}

static struct store_value v_text(const char *t)
{
    return t ? (struct store_value){.kind = SV_TEXT, .s = t, .len = strlen(t)}
             : (struct store_value){.kind = SV_NULL};
}

int store_feed_post_add(struct store *s, const struct feed_post *p, int64_t now_ms, int64_t *id,
                        const char **field, struct kith_error *err)
{
    int rc = feed_post_check(p, field, err);
    if (rc < 0)
        return rc;
    const struct store_value b[] = {v_int(now_ms),          v_text(p->title),
                                    v_text(p->body),        v_text(feed_audience_name(p->audience)),
                                    v_id(p->product_id),    v_text(p->segment),
                                    v_int(p->published_at), v_id(p->user_id)};
    rc = run(s,
             "INSERT INTO feed_posts (created_at, title, body, audience, product_id, segment,"
             " published_at, user_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
             b, 8, NULL, "writing a feed post", err);
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

int store_feed_token_create(struct store *s, int64_t contact_id, const char *token_hash,
                            int64_t now_ms, int64_t created_by, struct kith_error *err)
{
    const struct store_value b[] = {v_int(contact_id), v_int(now_ms), v_text(token_hash),
                                    v_id(created_by)};
    int rc = run(s,
                 "UPDATE feed_tokens SET revoked_at = ?2"
                 " WHERE contact_id = ?1 AND revoked_at IS NULL",
                 b, 2, NULL, "revoking a contact's feed token", err);
    if (rc == 0)
        rc = run(s,
                 "INSERT INTO feed_tokens (created_at, contact_id, token_hash, created_by)"
                 " VALUES (?2, ?1, ?3, ?4)",
                 b, 4, NULL, "writing a feed token", err);
    return rc;
}

int store_feed_token_revoke(struct store *s, int64_t contact_id, int64_t now_ms, int *revoked,
                            struct kith_error *err)
{
    const struct store_value b[] = {v_int(contact_id), v_int(now_ms)};
    return run(s,
               "UPDATE feed_tokens SET revoked_at = ?2"
               " WHERE contact_id = ?1 AND revoked_at IS NULL",
               b, 2, revoked, "revoking a contact's feed token", err);
}

/* One int64 of a query of one row, bound to binds; KITH_ENOTFOUND when there is no row. */
static int one_int(struct store *s, const char *sql, const struct store_value *binds, int n,
                   int64_t *out, const char *what, struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, what);
    for (int i = 0; i < n; i++)
        store_bind_value(st, i + 1, &binds[i]);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (step == SQLITE_DONE)
        rc = kith_err(err, KITH_ENOTFOUND, "%s: none", what);
    else
        rc = store_db_err(err, s->db, what);
    sqlite3_finalize(st);
    return rc;
}

int store_feed_token_find(struct store *s, const char *token_hash, int64_t *contact_id,
                          struct kith_error *err)
{
    const struct store_value b[] = {v_text(token_hash)};
    return one_int(s,
                   "SELECT t.contact_id FROM feed_tokens t"
                   " JOIN portal_accounts a ON a.contact_id = t.contact_id"
                   " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND a.revoked_at IS NULL",
                   b, 1, contact_id, "finding a feed token", err);
}

int store_feed_token_live(struct store *s, int64_t contact_id, int64_t *created_at,
                          struct kith_error *err)
{
    const struct store_value b[] = {v_int(contact_id)};
    return one_int(s,
                   "SELECT created_at FROM feed_tokens WHERE contact_id = ?1"
                   " AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
                   b, 1, created_at, "reading a contact's feed token", err);
}

/* ---- items ------------------------------------------------------------------------------- */

struct items {
    struct store_feed_item *v;
    size_t n, cap;
};

static int item_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    struct items *l = ctx;
    if (l->n == l->cap) {
        const size_t cap = l->cap ? l->cap * 2 : 64;
        struct store_feed_item *v = alloc_array_grow(l->v, cap, sizeof(*v));
        if (!v)
            return kith_err(err, KITH_ENOMEM, "out of memory reading a feed");
        l->v = v;
        l->cap = cap;
    }
    struct store_feed_item *it = &l->v[l->n];
    memset(it, 0, sizeof(*it));
    bool fail = false;
    const char *kind = (const char *)sqlite3_column_text(st, 0);
    snprintf(it->kind, sizeof(it->kind), "%s", kind ? kind : "");
    it->id = sqlite3_column_int64(st, 1);
    it->ref_id = sqlite3_column_int64(st, 2);
    it->at = sqlite3_column_int64(st, 3);
    it->title = store_text_dup(st, 4, &fail);
    it->body = store_text_dup(st, 5, &fail);
    it->status = store_text_dup(st, 6, &fail);
    it->from_status = store_text_dup(st, 7, &fail);
    it->stars = sqlite3_column_int(st, 8);
    it->verified = sqlite3_column_int(st, 9) != 0;
    it->segment = store_text_dup(st, 10, &fail);
    it->author = store_text_dup(st, 11, &fail);
    it->by_staff = sqlite3_column_int(st, 12) != 0;
    l->n++;
    if (fail) {
        store_feed_items_free(l->v, l->n);
        l->v = NULL;
        l->n = l->cap = 0;
        return kith_err(err, KITH_ENOMEM, "out of memory reading a feed");
    }
    return 0;
}

/*
 * Columns: kind, id, ref_id, at, title, body, status, from_status, stars, verified, segment,
 * author, by_staff. ?1 the JSON array of the contacts whose ideas and ratings may be seen (NULL:
 * all, staff ideas included), ?2 the product, ?3 the limit.
 */
#define VISIBLE(col) "(?1 IS NULL OR " col " IN (SELECT value FROM json_each(?1)))"

static const char community_sql[] =
    "SELECT * FROM ("
    "SELECT 'idea', i.id, i.id, i.created_at, i.title, i.body, i.status, NULL, 0, 0, NULL, NULL,"
    " i.contact_id IS NULL FROM ideas i"
    " WHERE (i.contact_id IS NULL AND ?1 IS NULL) OR (i.contact_id IS NOT NULL AND " VISIBLE(
        "i.contact_id") ")"
                        " UNION ALL "
                        "SELECT 'idea_status', c.id, i.id, c.changed_at, i.title, NULL, "
                        "c.to_status, c.from_status,"
                        " 0, 0, NULL, NULL, i.contact_id IS NULL FROM idea_status_changes c JOIN "
                        "ideas i ON i.id ="
                        " c.idea_id"
                        " WHERE (i.contact_id IS NULL AND ?1 IS NULL) OR (i.contact_id IS NOT NULL "
                        "AND " VISIBLE(
                            "i.contact_id") ")"
                                            " UNION ALL "
                                            "SELECT 'post', p.id, 0, p.published_at, p.title, "
                                            "p.body, NULL, NULL, 0, 0, NULL, u.name, 1"
                                            " FROM feed_posts p LEFT JOIN users u ON u.id = "
                                            "p.user_id"
                                            " WHERE p.audience = 'community' AND p.published_at <= "
                                            "?4"
                                            ") ORDER BY 4 DESC, 2 DESC LIMIT ?3";

static const char product_sql[] =
    "SELECT * FROM ("
    "SELECT 'rating', r.id, r.product_id, r.rated_at, pr.name, r.review, NULL, NULL, r.stars,"
    " coalesce(r.verified, 0), NULL, NULL, 0 FROM ratings r JOIN products pr ON pr.id ="
    " r.product_id WHERE r.product_id = ?2 AND " VISIBLE(
        "r.contact_id") " UNION ALL "
                        "SELECT 'post', p.id, p.product_id, p.published_at, p.title, p.body, NULL, "
                        "NULL, 0, 0, NULL,"
                        " u.name, 1 FROM feed_posts p LEFT JOIN users u ON u.id = p.user_id"
                        " WHERE p.audience = 'product' AND p.product_id = ?2 AND p.published_at <= "
                        "?4"
                        ") ORDER BY 4 DESC, 2 DESC LIMIT ?3";

static const char segment_sql[] =
    "SELECT 'post', p.id, 0, p.published_at, p.title, p.body, NULL, NULL, 0, 0, p.segment,"
    " u.name, 1 FROM feed_posts p LEFT JOIN users u ON u.id = p.user_id"
    " WHERE p.audience = 'segment' AND p.published_at <= ?4 ORDER BY 4 DESC, 2 DESC LIMIT ?3";

int store_feed_items(struct store *s, const struct store_feed_query *q,
                     struct store_feed_item **out, size_t *n, struct kith_error *err)
{
    *out = NULL;
    *n = 0;
    const char *sql = q->audience == FEED_COMMUNITY ? community_sql
                      : q->audience == FEED_PRODUCT ? product_sql
                                                    : segment_sql;
    const struct store_value b[] = {v_text(q->contact_ids_json), v_int(q->product_id),
                                    v_int((int64_t)q->limit), v_int(q->now_ms)};
    struct items l = {0};
    const struct store_rows rows = {.sql = sql, .binds = b, .nbinds = 4, .what = "reading a feed"};
    int rc = store_each_row(s, &rows, item_row, &l, NULL, err);
    if (rc != 0) {
        store_feed_items_free(l.v, l.n);
        return rc < 0 ? rc : KITH_EDB;
    }
    *out = l.v;
    *n = l.n;
    return 0;
}

void store_feed_items_free(struct store_feed_item *items, size_t n)
{
    for (size_t i = 0; items && i < n; i++) {
        free(items[i].title);
        free(items[i].body);
        free(items[i].status);
        free(items[i].from_status);
        free(items[i].segment);
        free(items[i].author);
    }
    free(items);
}

struct products {
    struct store_feed_product *v;
    size_t n, max;
};

static int product_row(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct products *l = ctx;
    if (l->n == l->max)
        return 0;
    struct store_feed_product *p = &l->v[l->n++];
    p->id = sqlite3_column_int64(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
    return 0;
}

int store_feed_products(struct store *s, struct store_feed_product *out, size_t max, size_t *n,
                        struct kith_error *err)
{
    struct products l = {out, 0, max};
    const struct store_value b[] = {v_int((int64_t)max)};
    const struct store_rows rows = {
        .sql = "SELECT id, name FROM products WHERE id IN (SELECT product_id FROM ratings"
               " UNION SELECT product_id FROM feed_posts) ORDER BY id LIMIT ?1",
        .binds = b,
        .nbinds = 1,
        .what = "reading the products that have a feed"};
    int rc = store_each_row(s, &rows, product_row, &l, NULL, err);
    *n = l.n;
    return rc < 0 ? rc : 0;
}

int store_feed_product_name(struct store *s, int64_t id, char *buf, size_t size,
                            struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    if (size)
        buf[0] = '\0';
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM products WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return store_db_err(err, s->db, "reading a product's name");
    sqlite3_bind_int64(st, 1, id);
    int rc = 0, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        snprintf(buf, size, "%s", n ? n : "");
    } else if (step == SQLITE_DONE) {
        rc = kith_err(err, KITH_ENOTFOUND, "no product %lld", (long long)id);
    } else {
        rc = store_db_err(err, s->db, "reading a product's name");
    }
    sqlite3_finalize(st);
    return rc;
}
