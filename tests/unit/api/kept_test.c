/*
 * kept_test.c - api/kept.h: a value is loaded once and kept; other keys load their own; the
 * least recently used goes when the slots are full; a commit by another connection drops every
 * kept value, and one still read is freed by its last reader; a failed load keeps nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "api/kept.h"
#include "model/table.h"
#include "support/testutil.h"

static int g_loads, g_frees, g_fail;

/* The value: the load's number. */
static int load(struct store *conn, void *ctx, void **value, struct kith_error *err)
{
    (void)ctx;
    assert_non_null(conn);
    if (g_fail)
        return kith_err(err, KITH_EINVAL, "refused");
    int *v = malloc(sizeof(*v));
    assert_non_null(v);
    *v = ++g_loads;
    *value = v;
    return 0;
}

static void free_value(void *v)
{
    g_frees++;
    free(v);
}

static struct kept_cache g_cache = KEPT_CACHE(free_value, 2);

/* The load number of key's value, given back at once. */
static int get(struct store *s, const char *key)
{
    struct kith_error err = {0};
    struct kept_item *it = kept_begin(&g_cache, s, key, strlen(key), load, NULL, &err);
    if (!it)
        fail_msg("kept_begin: %s", err.msg);
    int v = *(int *)it->value;
    kept_end(&g_cache, it);
    return v;
}

static void add_unit(struct store *s, const char *name)
{
    const struct table_def *t = model_table("units");
    struct store_value v[64] = {0};
    size_t i;
    assert_true(table_field(t, "name", &i));
    v[i] = (struct store_value){.kind = SV_TEXT, .s = name, .len = strlen(name)};
    assert_true(table_field(t, "kind", &i));
    v[i] = (struct store_value){.kind = SV_TEXT, .s = "business_unit", .len = 13};
    struct kith_error err = {0};
    int64_t id;
    if (store_insert(s, t, v, &id, &err) < 0)
        fail_msg("insert: %s", err.msg);
}

static void kept_until_the_data_change(void **state)
{
    (void)state;
    char path[512];
    test_tmp_path(path, sizeof(path), "kept.db");
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);

    assert_int_equal(get(s, "a"), 1);
    assert_int_equal(get(s, "a"), 1); /* kept */
    assert_int_equal(get(s, "b"), 2);
    assert_int_equal(get(s, "a"), 1);
    assert_int_equal(g_loads, 2);
    assert_int_equal(get(s, "c"), 3); /* full: b, the least recently used, goes */
    assert_int_equal(g_frees, 1);
    assert_int_equal(get(s, "a"), 1);
    assert_int_equal(get(s, "b"), 4); /* c goes */
    assert_int_equal(g_frees, 2);

    /* a reader holds b while another connection commits */
    struct kept_item *held = kept_begin(&g_cache, s, "b", 1, load, NULL, &err);
    assert_non_null(held);
    assert_int_equal(*(int *)held->value, 4);
    add_unit(s, "North");
    assert_int_equal(get(s, "a"), 5); /* everything dropped: a again */
    assert_int_equal(g_frees, 3);     /* the old a; b is still read */
    assert_int_equal(*(int *)held->value, 4);
    kept_end(&g_cache, held);
    assert_int_equal(g_frees, 4); /* by its last reader */
    assert_int_equal(get(s, "b"), 6);
    assert_int_equal(get(s, "a"), 5);

    /* a failed load answers NULL with the loader's error and keeps nothing */
    g_fail = 1;
    err = (struct kith_error){0};
    assert_null(kept_begin(&g_cache, s, "z", 1, load, NULL, &err));
    assert_int_equal(err.code, KITH_EINVAL);
    assert_string_equal(err.msg, "refused");
    g_fail = 0;
    assert_int_equal(get(s, "a"), 5);
    assert_int_equal(get(s, "b"), 6);

    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kept_until_the_data_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
