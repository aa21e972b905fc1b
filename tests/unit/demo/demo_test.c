/*
 * demo_test.c - tests of the demo generator (src/demo/demo_*.c) and of `kith demo`: the same
 * seed gives the same rows in every table, another seed other rows; counts and references are
 * sound; a database with data is refused. Sizes stay small so that it runs fast under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "demo/demo.h"
#include "store/store.h"
#include "support/testutil.h"

#define CONTACTS 300

/* Also removes the rollback journal of the store's bulk mode. */
static void rm_db(const char *path)
{
    char side[4096];
    test_rm_db(path);
    snprintf(side, sizeof(side), "%s-journal", path);
    unlink(side);
}

static struct store *open_new(const char *path)
{
    struct store *s = NULL;
    struct kith_error err = {0};
    rm_db(path);
    if (store_open(path, STORE_CREATE, &s, &err) != 0)
        fail_msg("opening %s: %s", path, err.msg);
    return s;
}

static void build(struct store *s, uint64_t seed, unsigned contacts, struct demo_summary *sum)
{
    struct demo_options o = {.seed = seed, .contacts = contacts};
    struct kith_error err = {0};
    if (demo_build(s, &o, sum, &err) != 0)
        fail_msg("demo_build: %s", err.msg);
}

/* FNV-1a over every value of every row, in id order. */
struct hash {
    uint64_t h;
    int64_t rows;
};

static void mix(struct hash *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h->h ^= b[i];
        h->h *= 1099511628211ULL;
    }
}

static size_t hash_nfields;

static int hash_row(void *ctx, const struct store_value *vals)
{
    struct hash *h = ctx;
    for (size_t i = 0; i < hash_nfields; i++) {
        const struct store_value *v = &vals[i];
        unsigned char kind = (unsigned char)v->kind;
        mix(h, &kind, 1);
        if (v->kind == SV_INT)
            mix(h, &v->i, sizeof(v->i));
        else if (v->kind == SV_REAL)
            mix(h, &v->r, sizeof(v->r));
        else if (v->kind == SV_TEXT)
            mix(h, v->s, v->len);
    }
    h->rows++;
    return 0;
}

static struct hash hash_table(struct store *s, const struct table_def *t)
{
    struct hash h = {14695981039346656037ULL, 0};
    struct kith_error err = {0};
    hash_nfields = t->nfields;
    if (store_scan(s, t, hash_row, &h, &err) != 0)
        fail_msg("scanning %s: %s", t->name, err.msg);
    return h;
}

/* Two builds with seed 7 and one with seed 8, shared by the tests of the group. */
struct fixture {
    char path[3][1024];
    struct store *s[3];
    struct demo_summary sum[3];
};

static int setup(void **state)
{
    static const uint64_t seeds[3] = {7, 7, 8};
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "seed%d.db", i);
        f->s[i] = open_new(test_tmp_path(f->path[i], sizeof(f->path[i]), name));
        build(f->s[i], seeds[i], CONTACTS, &f->sum[i]);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 3; i++) {
        store_close(f->s[i]);
        rm_db(f->path[i]);
    }
    free(f);
    return 0;
}

static void test_same_seed_same_rows(void **state)
{
    struct fixture *f = *state;
    assert_memory_equal(&f->sum[0], &f->sum[1], sizeof(f->sum[0]));
    int differ = 0;
    for (size_t i = 0; i < model_ntables; i++) {
        const struct table_def *t = model_tables[i];
        struct hash ha = hash_table(f->s[0], t), hb = hash_table(f->s[1], t);
        struct hash hc = hash_table(f->s[2], t);
        if (ha.h != hb.h || ha.rows != hb.rows)
            fail_msg("table %s differs between two builds with the same seed", t->name);
        if (strcmp(t->name, "accounts") == 0 || strcmp(t->name, "contacts") == 0 ||
            strcmp(t->name, "interactions") == 0 || strcmp(t->name, "orders") == 0)
            differ += ha.h != hc.h;
    }
    assert_int_equal(differ, 4); /* another seed, other people and other histories */
}

/* Checks each interaction's references and voids; counts what it sees. */
struct ix_check {
    struct store *s;
    const struct table_def *t;
    size_t contact, user, type, occurred, rv, cost, source, voids;
    int64_t n, voided, bad_refs, bad_voids, max_id;
};

static int check_ix(void *ctx, const struct store_value *v)
{
    struct ix_check *c = ctx;
    c->n++;
    if (!store_row_exists(c->s, model_table("contacts"), v[c->contact].i) ||
        !store_row_exists(c->s, model_table("interaction_types"), v[c->type].i) ||
        (v[c->user].kind == SV_INT && !store_row_exists(c->s, model_table("users"), v[c->user].i)))
        c->bad_refs++;
    if (v[c->occurred].i < DEMO_START_MS || v[c->occurred].i >= DEMO_NOW_MS)
        c->bad_refs++;
    if (v[c->voids].kind == SV_INT) {
        c->voided++;
        /* The voided row came first; the voiding one is manual and carries the negation. */
        if (v[c->voids].i >= v[0].i || v[c->source].kind != SV_TEXT ||
            strncmp(v[c->source].s, "manual", v[c->source].len) != 0)
            c->bad_voids++;
    }
    return 0;
}

static int64_t count(struct store *s, const char *table)
{
    int64_t n = -1;
    struct kith_error err = {0};
    if (store_count(s, model_table(table), &n, &err) != 0)
        fail_msg("counting %s: %s", table, err.msg);
    return n;
}

static size_t field(const struct table_def *t, const char *name)
{
    size_t i = 0;
    assert_non_null(table_field(t, name, &i));
    return i;
}

static void test_counts_and_references(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s[0];
    struct demo_summary sum = f->sum[0];
    assert_int_equal(count(s, "contacts"), CONTACTS);
    assert_int_equal(count(s, "accounts"), CONTACTS / DEMO_CONTACTS_PER_ACCOUNT);
    assert_int_equal(count(s, "units"), 6);
    assert_in_range(count(s, "users"), 50, 70);
    assert_in_range(count(s, "interaction_types"), 120, 140);
    int64_t nix = count(s, "interactions");
    assert_int_equal(nix, sum.interactions);
    assert_in_range(nix, 25 * CONTACTS, 80 * CONTACTS); /* about 50 per contact */
    assert_in_range(count(s, "orders"), 20, 2000);
    assert_true(count(s, "order_lines") >= count(s, "orders"));
    assert_true(count(s, "events") > 0);
    assert_true(sum.customers > 0 && sum.customers < sum.accounts);

    struct ix_check c = {.s = s, .t = model_table("interactions")};
    c.contact = field(c.t, "contact_id");
    c.user = field(c.t, "user_id");
    c.type = field(c.t, "type_id");
    c.occurred = field(c.t, "occurred_at");
    c.rv = field(c.t, "rv");
    c.cost = field(c.t, "cost");
    c.source = field(c.t, "source");
    c.voids = field(c.t, "voids_id");
    struct kith_error err = {0};
    assert_int_equal(store_scan(s, c.t, check_ix, &c, &err), 0);
    assert_int_equal(c.n, nix);
    assert_int_equal(c.bad_refs, 0);
    assert_int_equal(c.bad_voids, 0);
    assert_int_equal(c.voided, sum.voided);
    /* About 0.5% of the interactions are voided. */
    assert_in_range(c.voided * 1000 / nix, 2, 10);
}

static void test_refuses_a_database_with_data(void **state)
{
    struct fixture *f = *state;
    struct store *s = f->s[2];
    int64_t before = count(s, "interactions");
    struct demo_options o = {.seed = 4, .contacts = 20};
    struct kith_error err = {0};
    assert_int_equal(demo_build(s, &o, NULL, &err), KITH_ECONFLICT);
    assert_non_null(strstr(err.msg, "--db"));
    assert_int_equal(count(s, "interactions"), before);
    o.contacts = DEMO_MIN_CONTACTS - 1;
    assert_int_equal(demo_build(s, &o, NULL, &err), KITH_ERANGE);
}

static void test_smallest_demo(void **state)
{
    (void)state;
    char path[1024];
    struct store *s = open_new(test_tmp_path(path, sizeof(path), "small.db"));
    struct demo_summary sum;
    build(s, 0, DEMO_MIN_CONTACTS, &sum);
    assert_int_equal(count(s, "contacts"), DEMO_MIN_CONTACTS);
    assert_int_equal(count(s, "accounts"), 2);
    store_close(s);
    rm_db(path);
}

static int run(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_command_line(void **state)
{
    (void)state;
    const char *bin = getenv("KITH_BIN");
    if (!bin || !*bin)
        skip();
    char path[1024], cmd[4096];
    test_tmp_path(path, sizeof(path), "cli.db");
    rm_db(path);
    snprintf(cmd, sizeof(cmd), "'%s' demo --help >/dev/null", bin);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "'%s' demo --contacts 3 --db '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd), 2);
    snprintf(cmd, sizeof(cmd), "'%s' demo --seed x --db '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd), 2);
    snprintf(cmd, sizeof(cmd), "'%s' demo --contacts 20 --seed 5 --db '%s' >/dev/null", bin, path);
    assert_int_equal(run(cmd), 0);
    snprintf(cmd, sizeof(cmd), "'%s' demo --contacts 20 --db '%s' 2>/dev/null", bin, path);
    assert_int_equal(run(cmd), 1); /* it has data now */
    rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_rows),
        cmocka_unit_test(test_counts_and_references),
        cmocka_unit_test(test_refuses_a_database_with_data),
        cmocka_unit_test(test_smallest_demo),
        cmocka_unit_test(test_command_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
