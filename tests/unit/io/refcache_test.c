/*
 * refcache_test.c - tests of src/io/refcache.c: the id set and the key map through growth,
 * collisions, replacement and the empty key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "io/refcache.h"

static void id_set_holds_what_was_added(void **state)
{
    (void)state;
    struct idset s;
    idset_init(&s);
    assert_false(idset_has(&s, 1));
    for (int64_t id = 1; id <= 100000; id += 3)
        assert_int_equal(idset_add(&s, id, NULL), 0);
    assert_int_equal(idset_add(&s, 1, NULL), 0); /* again: no duplicate */
    assert_int_equal(s.n, 33334);
    for (int64_t id = 1; id <= 100000; id++)
        assert_int_equal(idset_has(&s, id), (id - 1) % 3 == 0);
    assert_false(idset_has(&s, 0));
    assert_false(idset_has(&s, -4));
    assert_true(idset_add(&s, INT64_MAX, NULL) == 0 && idset_has(&s, INT64_MAX));
    idset_release(&s);
    assert_false(idset_has(&s, 1));
}

static void key_map_finds_keys_by_bytes(void **state)
{
    (void)state;
    struct keymap m;
    keymap_init(&m);
    int64_t id = 0;
    assert_false(keymap_get(&m, "a", 1, &id));
    char key[64];
    for (int i = 1; i <= 50000; i++) {
        int n = snprintf(key, sizeof(key), "contact%d@example.org", i);
        assert_int_equal(keymap_put(&m, key, (size_t)n, i, NULL), 0);
    }
    for (int i = 1; i <= 50000; i++) {
        int n = snprintf(key, sizeof(key), "contact%d@example.org", i);
        assert_true(keymap_get(&m, key, (size_t)n, &id));
        assert_int_equal(id, i);
    }
    assert_false(keymap_get(&m, "contact1@example.or", 19, &id)); /* a prefix is another key */
    assert_false(keymap_get(&m, "contact0@example.org", 20, &id));
    assert_int_equal(keymap_put(&m, "contact7@example.org", 20, 99, NULL), 0); /* replace */
    assert_true(keymap_get(&m, "contact7@example.org", 20, &id));
    assert_int_equal(id, 99);
    assert_int_equal(m.n, 50000);
    assert_int_equal(keymap_put(&m, "", 0, 5, NULL), 0); /* the empty key is a key */
    assert_true(keymap_get(&m, "", 0, &id));
    assert_int_equal(id, 5);
    char big[100000];
    memset(big, 'k', sizeof(big)); /* longer than a block */
    assert_int_equal(keymap_put(&m, big, sizeof(big), 7, NULL), 0);
    assert_true(keymap_get(&m, big, sizeof(big), &id));
    assert_int_equal(id, 7);
    keymap_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id_set_holds_what_was_added),
        cmocka_unit_test(key_map_finds_keys_by_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
