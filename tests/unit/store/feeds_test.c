/*
 * feeds_test.c - tests of src/store/feeds.c and migration 16: a contact's feed token is found by
 * its hash while it and the contact's portal access hold, one live token per contact; a change of
 * an idea's status is recorded by the trigger whichever way it is written; the items of each feed,
 * newest first, limited to the contacts a reader may see, the posts not published yet left out;
 * and a post is checked before it is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

struct fixture {
    char path[512];
    struct store *s;
};

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "feeds.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    assert_int_equal(
        sqlite3_exec(store_db(f.s),
                     "INSERT INTO accounts (id, created_at, name) VALUES (5, 0, 'Shop');"
                     "INSERT INTO contacts (id, created_at, account_id, last_name, email) VALUES"
                     " (1, 0, 5, 'Lee', 'ann@example.org'), (2, 0, NULL, 'Bob', NULL);"
                     "INSERT INTO products (id, created_at, sku, name) VALUES (7, 0, 'P7', 'Pump');"
                     "INSERT INTO ideas (id, created_at, contact_id, title, status) VALUES"
                     " (1, 100, 1, 'Ann''s idea', 'new'), (2, 200, 2, 'Bob''s idea', 'new'),"
                     " (3, 300, NULL, 'Staff idea', 'new');"
                     "INSERT INTO ratings (id, created_at, contact_id, product_id, stars, review,"
                     " rated_at) VALUES (1, 0, 1, 7, 5, 'great', 150), (2, 0, 2, 7, 1, 'no', 250);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    test_rm_db(f->path);
    return 0;
}

static void tokens(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t c = 0, at = 0;
    /* a token of a contact without portal access finds nobody */
    assert_int_equal(store_feed_token_create(f->s, 1, H1, 10, 0, &err), 0);
    assert_int_equal(store_feed_token_find(f->s, H1, &c, &err), KITH_ENOTFOUND);
    int64_t tid;
    assert_int_equal(store_portal_token_create(f->s, 1, STORE_PORTAL_INVITATION, "ab", 10,
                                               10 + 1000, 0, &tid, &err),
                     0);
    assert_int_equal(store_feed_token_find(f->s, H1, &c, &err), 0);
    assert_int_equal(c, 1);
    assert_int_equal(store_feed_token_live(f->s, 1, &at, &err), 0);
    assert_int_equal(at, 10);
    /* a new token revokes the old one */
    assert_int_equal(store_feed_token_create(f->s, 1, H2, 20, 0, &err), 0);
    assert_int_equal(store_feed_token_find(f->s, H1, &c, &err), KITH_ENOTFOUND);
    assert_int_equal(store_feed_token_find(f->s, H2, &c, &err), 0);
    int n = 0;
    assert_int_equal(store_feed_token_revoke(f->s, 1, 30, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_feed_token_find(f->s, H2, &c, &err), KITH_ENOTFOUND);
    assert_int_equal(store_feed_token_revoke(f->s, 1, 40, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_feed_token_live(f->s, 1, &at, &err), KITH_ENOTFOUND);
    /* the contact's portal access revoked: its token is dead too */
    assert_int_equal(store_feed_token_create(f->s, 1, H1 "0", 50, 0, &err), 0);
    assert_int_equal(store_feed_token_find(f->s, H1 "0", &c, &err), 0);
    int64_t ended;
    assert_int_equal(store_portal_revoke(f->s, 1, 60, &ended, &err), 0);
    assert_int_equal(store_feed_token_find(f->s, H1 "0", &c, &err), KITH_ENOTFOUND);
}

/* The kinds and ids of a feed's items, as "kind:id,kind:id". */
static void items_are(struct fixture *f, const struct store_feed_query *q, const char *want)
{
    struct store_feed_item *it = NULL;
    size_t n = 0;
    struct kith_error err = {0};
    assert_int_equal(store_feed_items(f->s, q, &it, &n, &err), 0);
    char got[512] = "";
    size_t at = 0;
    for (size_t i = 0; i < n && at < sizeof(got); i++)
        at += (size_t)snprintf(got + at, sizeof(got) - at, "%s%s:%lld", i ? "," : "", it[i].kind,
                               (long long)it[i].id);
    store_feed_items_free(it, n);
    assert_string_equal(got, want);
}

static void items(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    /* a status change by hand (any door): the trigger records it */
    assert_int_equal(sqlite3_exec(store_db(f->s),
                                  "UPDATE ideas SET status = 'planned' WHERE id = 1;"
                                  "UPDATE ideas SET title = 'Renamed' WHERE id = 2;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    int64_t n = -1;
    assert_int_equal(store_query_int64(store_db(f->s),
                                       "SELECT count(*) FROM idea_status_changes WHERE idea_id = 1"
                                       " AND from_status = 'new' AND to_status = 'planned'",
                                       &n, "count", NULL),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(store_query_int64(store_db(f->s), "SELECT count(*) FROM idea_status_changes",
                                       &n, "count", NULL),
                     0);
    assert_int_equal(n, 1); /* a change of title is none */
    const struct feed_post posts[] = {
        {.title = "Hello", .audience = FEED_COMMUNITY, .published_at = 400},
        {.title = "Later", .audience = FEED_COMMUNITY, .published_at = 5000},
        {.title = "Pump news", .audience = FEED_PRODUCT, .product_id = 7, .published_at = 220},
        {.title = "To the shop",
         .audience = FEED_SEGMENT,
         .segment = "account_id=5",
         .published_at = 50},
    };
    const char *field;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(store_feed_post_add(f->s, &posts[i], 1, NULL, &field, &err), 0);
    const struct feed_post bad = {.title = "x", .audience = FEED_PRODUCT, .published_at = 1};
    assert_int_equal(store_feed_post_add(f->s, &bad, 1, NULL, &field, &err), KITH_EINVAL);
    assert_string_equal(field, "product_id");
    /* the community, now 1000: the status change (now, by the trigger's clock) comes first */
    struct store_feed_query q = {.audience = FEED_COMMUNITY, .limit = 50, .now_ms = 1000};
    struct store_feed_item *it = NULL;
    size_t k = 0;
    assert_int_equal(store_feed_items(f->s, &q, &it, &k, &err), 0);
    assert_int_equal(k, 5); /* three ideas, one change, one post out (the later one is not) */
    assert_string_equal(it[0].kind, "idea_status");
    assert_string_equal(it[0].status, "planned");
    assert_string_equal(it[0].from_status, "new");
    assert_int_equal(it[0].ref_id, 1);
    store_feed_items_free(it, k);
    q.now_ms = 0; /* the trigger's change is stamped with the real clock: keep to the ideas */
    q.limit = 4;
    items_are(f, &q, "idea_status:1,idea:3,idea:2,idea:1");
    /* a reader who sees contact 1 only: its idea and change, no staff idea */
    q.contact_ids_json = "[1]";
    items_are(f, &q, "idea_status:1,idea:1");
    q = (struct store_feed_query){
        .audience = FEED_PRODUCT, .product_id = 7, .limit = 50, .now_ms = 1000};
    items_are(f, &q, "rating:2,post:3,rating:1");
    q.contact_ids_json = "[2]";
    items_are(f, &q, "rating:2,post:3");
    q.limit = 1;
    items_are(f, &q, "rating:2");
    q = (struct store_feed_query){.audience = FEED_SEGMENT, .limit = 50, .now_ms = 1000};
    items_are(f, &q, "post:4");
    char name[64];
    assert_int_equal(store_feed_product_name(f->s, 7, name, sizeof(name), &err), 0);
    assert_string_equal(name, "Pump");
    assert_int_equal(store_feed_product_name(f->s, 8, name, sizeof(name), &err), KITH_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens),
        cmocka_unit_test(items),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
