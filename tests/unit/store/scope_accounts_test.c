/*
 * Tests for store_scope_account_ids() (src/store/value.c): the accounts of a scope, ascending,
 * for the customer value loader - the same rows store_list() shows on accounts under each scope
 * (unit, team, owner, their union, none), NULL for "all", and an empty scope that is not "all".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_int.h"
#include "support/testutil.h"

struct fixture {
    char path[512];
    struct store *s;
};

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "scope_accounts.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    /* ids out of insertion order, so that "ascending" is the store's doing */
    assert_int_equal(
        sqlite3_exec(store_db(f.s),
                     "INSERT INTO units (id, created_at, name, kind) VALUES"
                     " (1, 0, 'U1', 'business_unit'), (2, 0, 'U2', 'partner');"
                     "INSERT INTO teams (id, created_at, name, kind, unit_id) VALUES"
                     " (1, 0, 'T1', 'retention', 1), (2, 0, 'T2', 'retention', 2);"
                     "INSERT INTO users (id, created_at, email, name, role) VALUES"
                     " (1, 0, 'a@x', 'A', 'frontline'), (2, 0, 'b@x', 'B', 'frontline');"
                     "INSERT INTO accounts (id, created_at, name, unit_id, team_id, owner_id)"
                     " VALUES (9, 0, 'u1t1', 1, 1, NULL), (3, 0, 'u1', 1, NULL, NULL),"
                     " (7, 0, 'u2t2o1', 2, 2, 1), (5, 0, 'o2', NULL, NULL, 2),"
                     " (12, 0, 'none', NULL, NULL, NULL), (4, 0, 'u2', 2, NULL, NULL);",
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

struct listed {
    int64_t ids[64];
    size_t n;
};

static int collect(void *ctx, const struct store_value *vals)
{
    struct listed *l = ctx;
    assert_true(l->n < 64);
    l->ids[l->n++] = vals[0].i;
    return 0;
}

/* The accounts store_list() shows under scope, by id. */
static void list_ids(struct store *s, const struct store_scope *scope, struct listed *out)
{
    struct kith_error err = {0};
    struct store_query q = {.limit = STORE_LIST_MAX};
    out->n = 0;
    assert_int_equal(store_list(s, model_table("accounts"), &q, scope, collect, out, &err), 0);
}

static void expect(struct store *s, struct store_scope scope, const int64_t *want, size_t nwant)
{
    struct kith_error err = {0};
    int64_t *ids = (int64_t *)(intptr_t)1;
    size_t n = 99;
    assert_int_equal(store_scope_account_ids(s, &scope, &ids, &n, &err), 0);
    assert_non_null(ids); /* never NULL unless all: NULL would mean every account */
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], want[i]);
    struct listed l;
    list_ids(s, &scope, &l);
    assert_int_equal(l.n, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(l.ids[i], ids[i]);
    free(ids);
}

static void all_is_null(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t *ids = (int64_t *)(intptr_t)1;
    size_t n = 99;
    const struct store_scope all = {.all = true, .unit_id = 1};
    assert_int_equal(store_scope_account_ids(f->s, &all, &ids, &n, &err), 0);
    assert_null(ids);
    assert_int_equal(n, 0);
}

static void each_condition(void **state)
{
    struct fixture *f = *state;
    expect(f->s, (struct store_scope){.unit_id = 1}, (const int64_t[]){3, 9}, 2);
    expect(f->s, (struct store_scope){.unit_id = 2}, (const int64_t[]){4, 7}, 2);
    expect(f->s, (struct store_scope){.team_id = 2}, (const int64_t[]){7}, 1);
    expect(f->s, (struct store_scope){.owner_id = 2}, (const int64_t[]){5}, 1);
}

static void union_of_conditions(void **state)
{
    struct fixture *f = *state;
    /* a frontline user of unit 1, team 2, owning account 5 */
    expect(f->s, (struct store_scope){.unit_id = 1, .team_id = 2, .owner_id = 2},
           (const int64_t[]){3, 5, 7, 9}, 4);
}

static void nothing_in_scope(void **state)
{
    struct fixture *f = *state;
    expect(f->s, (struct store_scope){0}, NULL, 0); /* no condition at all */
    expect(f->s, (struct store_scope){.team_id = 2, .owner_id = 1}, (const int64_t[]){7}, 1);
    expect(f->s, (struct store_scope){.team_id = 1}, (const int64_t[]){9}, 1);
    expect(f->s, (struct store_scope){.owner_id = 77}, NULL, 0);
}

/* The ids feed store_cv_load(): an empty list loads no account, not every one. */
static void empty_list_loads_nothing(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    int64_t *ids;
    size_t n;
    const struct store_scope none = {.owner_id = 77};
    assert_int_equal(store_scope_account_ids(f->s, &none, &ids, &n, &err), 0);
    struct store_cv_request req = {.parts = STORE_CV_ACCOUNTS,
                                   .accounts = ids,
                                   .naccounts = n,
                                   .as_of_day = STORE_CV_AS_OF_LATEST,
                                   .current_days = 365};
    struct cv_data d;
    assert_int_equal(store_cv_load(f->s, &req, &d, &err), 0);
    assert_int_equal(d.naccounts, 0);
    cv_data_release(&d);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_is_null),
        cmocka_unit_test(each_condition),
        cmocka_unit_test(union_of_conditions),
        cmocka_unit_test(nothing_in_scope),
        cmocka_unit_test(empty_list_loads_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
