/*
 * community.c - what the community's rules read and write (issue 15, docs/voice.md): each
 * contact's ideas, votes, reviews and referrals in a window, its stored community role, the
 * verified flag of ratings, and the rows the `voice community` analysis sums. The rules
 * themselves live in engine/community.h; analysis/voice_community.h applies them.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#include "util/banned.h"

/* One contact (?2) with its engagement since ?1 (Unix ms): four probes of the indexes. */
static const char counts_one_sql[] =
    "SELECT c.id,"
    " (SELECT count(*) FROM ideas i WHERE i.contact_id = c.id AND i.created_at >= ?1),"
    " (SELECT count(*) FROM idea_votes v WHERE v.contact_id = c.id AND v.created_at >= ?1),"
    " (SELECT count(*) FROM ratings r WHERE r.contact_id = c.id AND r.rated_at >= ?1),"
    " (SELECT count(*) FROM events e WHERE e.contact_id = c.id AND e.kind = 'referral'"
    "  AND e.occurred_at >= ?1)"
    " FROM contacts c WHERE c.id = ?2";
/* Every contact: each table grouped once (7 times faster than the probes on the demo). */
#define PER_CONTACT(alias, from_where)                                                             \
    " LEFT JOIN (SELECT contact_id AS k, count(*) AS n FROM " from_where                           \
    " GROUP BY contact_id) " alias " ON " alias ".k = c.id"
/* clang-format off */
static const char counts_all_sql[] =
    "SELECT c.id, coalesce(i.n, 0), coalesce(v.n, 0), coalesce(r.n, 0), coalesce(e.n, 0)"
    " FROM contacts c"
    PER_CONTACT("i", "ideas WHERE created_at >= ?1")
    PER_CONTACT("v", "idea_votes WHERE created_at >= ?1")
    PER_CONTACT("r", "ratings WHERE rated_at >= ?1")
    PER_CONTACT("e", "events WHERE kind = 'referral' AND occurred_at >= ?1")
    " WHERE ?2 = 0 ORDER BY c.id"; /* ?2 is 0 here: every contact */
/* clang-format on */

int store_community_counts(struct store *s, int64_t since, int64_t contact_id,
                           struct store_community_counts **out, size_t *n, struct kith_error *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, contact_id > 0 ? counts_one_sql : counts_all_sql, -1, &st,
                           NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "counting the community's engagement");
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int64(st, 2, contact_id > 0 ? contact_id : 0);
    struct store_community_counts *rows = NULL;
    size_t len = 0, cap = 0;
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            struct store_community_counts *grown = alloc_array_grow(rows, ncap, sizeof(*rows));
            if (!grown) {
                rc = kith_err(err, KITH_ENOMEM, "out of memory for the engagement of %zu contacts",
                              ncap);
                break;
            }
            rows = grown;
            cap = ncap;
        }
        struct store_community_counts *r = &rows[len++];
        r->contact_id = sqlite3_column_int64(st, 0);
        r->ideas = sqlite3_column_int64(st, 1);
        r->votes = sqlite3_column_int64(st, 2);
        r->reviews = sqlite3_column_int64(st, 3);
        r->referrals = sqlite3_column_int64(st, 4);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(err, s->db, "counting the community's engagement");
    sqlite3_finalize(st);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = len;
    return 0;
}

/* Writes only when a value differs, so that a refresh of unchanged contacts costs no page. */
static const char role_sql[] =
    "UPDATE contacts SET community_role = ?1 WHERE id = ?2 AND community_role IS NOT ?1";

int store_contacts_set_community_roles(struct store *s, const struct store_contact_role *rows,
                                       size_t n, size_t *changed, struct kith_error *err)
{
    size_t nchanged = 0;
    sqlite3_stmt *st = NULL;
    int rc = store_begin(s, err);
    if (rc < 0)
        return rc;
    if (sqlite3_prepare_v2(s->db, role_sql, -1, &st, NULL) != SQLITE_OK) {
        rc = store_db_err(err, s->db, "storing community roles");
        goto out_rollback;
    }
    for (size_t i = 0; i < n; i++) {
        if (rows[i].role)
            sqlite3_bind_text(st, 1, rows[i].role, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 1);
        sqlite3_bind_int64(st, 2, rows[i].contact_id);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = kith_err(err, KITH_EDB, "storing the community role of contact %lld: %s",
                          (long long)rows[i].contact_id, sqlite3_errmsg(s->db));
            goto out_rollback;
        }
        nchanged += (size_t)sqlite3_changes(s->db);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    if ((rc = store_commit(s, err)) < 0)
        goto out_rollback;
    if (changed)
        *changed = nchanged;
    return 0;
out_rollback:
    sqlite3_finalize(st);
    store_rollback(s);
    return rc;
}

/*
 * Whether the rating R's contact, or the account it belongs to, bought R's product: a sale
 * with a line of that product (docs/voice.md, "Ratings").
 */
#define BOUGHT(R)                                                                                  \
    "(" R ".product_id IS NOT NULL AND EXISTS (SELECT 1 FROM order_lines l"                        \
    " JOIN orders o ON o.id = l.order_id WHERE l.product_id = " R ".product_id"                    \
    " AND coalesce(o.kind, 'sale') = 'sale' AND (o.contact_id = " R ".contact_id"                  \
    " OR o.account_id = (SELECT c.account_id FROM contacts c WHERE c.id = " R ".contact_id))))"

static const char verify_sql[] = "UPDATE ratings SET verified = " BOUGHT(
    "ratings") " WHERE (?1 = 0 OR id = ?1) AND verified IS NOT " BOUGHT("ratings");

int store_ratings_verify(struct store *s, int64_t rating_id, size_t *changed,
                         struct kith_error *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, verify_sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "verifying ratings against orders");
    sqlite3_bind_int64(st, 1, rating_id > 0 ? rating_id : 0);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return store_db_err(err, s->db, "verifying ratings against orders");
    if (changed)
        *changed = (size_t)sqlite3_changes(s->db);
    return 0;
}

/* ---- what `voice community` sums -------------------------------------------------------- */

static const char ideas_sql[] =
    "SELECT i.id, i.contact_id, i.status, (SELECT count(*) FROM idea_votes v"
    " WHERE v.idea_id = i.id AND v.value > 0), (SELECT count(*) FROM idea_votes v"
    " WHERE v.idea_id = i.id AND v.value < 0), coalesce(i.product_id, 0), coalesce(i.title, '')"
    " FROM ideas i ORDER BY i.id";
static const char ratings_sql[] =
    "SELECT r.contact_id, r.stars, coalesce(r.verified, 0), coalesce(r.review, '') <> '',"
    " r.product_id, coalesce(p.name, '') FROM ratings r LEFT JOIN products p"
    " ON p.id = r.product_id ORDER BY r.id";

static int grow(void **p, size_t *cap, size_t len, size_t size, struct kith_error *err)
{
    if (len < *cap)
        return 0;
    size_t ncap = *cap ? 2 * *cap : 256;
    void *grown = alloc_array_grow(*p, ncap, size);
    if (!grown)
        return kith_err(err, KITH_ENOMEM, "out of memory for %zu community rows", ncap);
    *p = grown;
    *cap = ncap;
    return 0;
}

int store_community_items(struct store *s, struct store_community_items *out,
                          struct kith_error *err)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st = NULL;
    int rc = 0, step;
    size_t cap = 0;
    if (sqlite3_prepare_v2(s->db, ideas_sql, -1, &st, NULL) != SQLITE_OK)
        return store_db_err(err, s->db, "reading ideas");
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = grow((void **)&out->ideas, &cap, out->nideas, sizeof(*out->ideas), err)) < 0)
            break;
        struct store_community_idea *i = &out->ideas[out->nideas++];
        i->id = sqlite3_column_int64(st, 0);
        i->contact_id = sqlite3_column_int64(st, 1);
        const char *status = (const char *)sqlite3_column_text(st, 2);
        snprintf(i->status, sizeof(i->status), "%s", status ? status : "new");
        i->up = sqlite3_column_int64(st, 3);
        i->down = sqlite3_column_int64(st, 4);
        i->product_id = sqlite3_column_int64(st, 5);
        snprintf(i->title, sizeof(i->title), "%s", (const char *)sqlite3_column_text(st, 6));
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(err, s->db, "reading ideas");
    sqlite3_finalize(st);
    st = NULL;
    cap = 0;
    if (rc == 0 && sqlite3_prepare_v2(s->db, ratings_sql, -1, &st, NULL) != SQLITE_OK)
        rc = store_db_err(err, s->db, "reading ratings");
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = grow((void **)&out->ratings, &cap, out->nratings, sizeof(*out->ratings), err)) <
            0)
            break;
        struct store_community_rating *r = &out->ratings[out->nratings++];
        r->contact_id = sqlite3_column_int64(st, 0);
        r->stars = sqlite3_column_int(st, 1);
        r->verified = sqlite3_column_int(st, 2) != 0;
        r->reviewed = sqlite3_column_int(st, 3) != 0;
        r->product_id = sqlite3_column_int64(st, 4);
        snprintf(r->product, sizeof(r->product), "%s", (const char *)sqlite3_column_text(st, 5));
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = store_db_err(err, s->db, "reading ratings");
    sqlite3_finalize(st);
    if (rc < 0)
        store_community_items_release(out);
    return rc;
}

void store_community_items_release(struct store_community_items *items)
{
    free(items->ideas);
    free(items->ratings);
    memset(items, 0, sizeof(*items));
}
