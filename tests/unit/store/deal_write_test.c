/*
 * deal_write_test.c - tests of src/store/deal_write.c: the stage rules of a deal write (what a
 * new stage sets, what is refused and names which field, the history row of a move and who made
 * it) and the verbs move, win, lose and reopen (their default stages and their refusals).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "model/validate.h"
#include "store/store_int.h"
#include "support/testutil.h"

#define MAXF 32

struct row {
    const struct table_def *t;
    struct store_value vals[MAXF];
    bool set[MAXF];
};

static void row_init(struct row *r, const char *table)
{
    memset(r, 0, sizeof(*r));
    r->t = model_table(table);
    assert_non_null(r->t);
    assert_true(r->t->nfields <= MAXF);
}

/* Sets field name of r to text, read as every door reads it (model/validate.h). */
static void row_set(struct row *r, const char *name, const char *text)
{
    size_t i;
    struct field_value v;
    struct kith_error err = {0};
    assert_non_null(table_field(r->t, name, &i));
    assert_int_equal(field_parse(&r->t->fields[i], text, strlen(text), &v, &err), 0);
    r->vals[i] = v.kind == FV_INT    ? (struct store_value){.kind = SV_INT, .i = v.i}
                 : v.kind == FV_REAL ? (struct store_value){.kind = SV_REAL, .r = v.r}
                 : v.kind == FV_TEXT ? (struct store_value){.kind = SV_TEXT, .s = v.s, .len = v.len}
                                     : (struct store_value){.kind = SV_NULL};
    r->set[i] = true;
}

static void row_set_int(struct row *r, const char *name, int64_t v)
{
    size_t i;
    assert_non_null(table_field(r->t, name, &i));
    r->vals[i] = (struct store_value){.kind = SV_INT, .i = v};
    r->set[i] = true;
}

static const struct store_value *get(const struct row *r, const char *name)
{
    size_t i;
    assert_non_null(table_field(r->t, name, &i));
    return &r->vals[i];
}

static int64_t insert(struct store *s, struct row *r)
{
    struct kith_error err = {0};
    int64_t id = 0;
    if (store_insert(s, r->t, r->vals, &id, &err) < 0)
        fail_msg("insert into %s: %s", r->t->name, err.msg);
    return id;
}

struct world {
    struct store *s;
    int64_t unit, other_unit, user, account;
    int64_t prospecting, proposal, closing, won, lost, unit_won, other_unit_stage;
};

static int64_t stage_named(struct store *s, int64_t unit, const char *name)
{
    struct kith_error err = {0};
    int64_t id = 0;
    assert_int_equal(store_deal_stage_find(s, unit, name, &id, &err), 0);
    return id;
}

static void build(struct world *w, const char *name)
{
    char path[512];
    struct kith_error err = {0};
    struct row r;
    test_tmp_path(path, sizeof(path), name);
    remove(path);
    assert_int_equal(store_open(path, STORE_CREATE, &w->s, &err), 0);
    row_init(&r, "units");
    row_set(&r, "name", "North");
    row_set(&r, "kind", "business_unit");
    w->unit = insert(w->s, &r);
    row_init(&r, "units");
    row_set(&r, "name", "South");
    row_set(&r, "kind", "business_unit");
    w->other_unit = insert(w->s, &r);
    row_init(&r, "users");
    row_set(&r, "email", "ann@example.com");
    row_set(&r, "name", "Ann");
    row_set(&r, "role", "frontline");
    row_set_int(&r, "disabled", 0);
    w->user = insert(w->s, &r);
    row_init(&r, "accounts");
    row_set(&r, "name", "Acme");
    row_set_int(&r, "unit_id", w->unit);
    w->account = insert(w->s, &r);
    /* North has a won stage of its own; South an open one */
    row_init(&r, "deal_stages");
    row_set_int(&r, "unit_id", w->unit);
    row_set(&r, "name", "Signed");
    row_set(&r, "position", "9");
    row_set(&r, "probability", "1");
    row_set(&r, "kind", "won");
    w->unit_won = insert(w->s, &r);
    row_init(&r, "deal_stages");
    row_set_int(&r, "unit_id", w->other_unit);
    row_set(&r, "name", "Qualified");
    row_set(&r, "position", "2");
    row_set(&r, "probability", "0.3");
    row_set(&r, "kind", "open");
    w->other_unit_stage = insert(w->s, &r);
    w->prospecting = stage_named(w->s, w->unit, "Prospecting");
    w->proposal = stage_named(w->s, w->unit, "proposal"); /* any case */
    w->closing = stage_named(w->s, w->unit, "Closing");
    w->won = stage_named(w->s, w->unit, "Won");
    w->lost = stage_named(w->s, w->unit, "Lost");
}

/* A new deal of the account in stage, made as kith deals add and the API make one. */
static int64_t new_deal(struct world *w, int64_t stage, struct row *r)
{
    struct kith_error err = {0};
    const char *field = "x";
    row_init(r, "deals");
    row_set_int(r, "account_id", w->account);
    row_set_int(r, "unit_id", w->unit);
    row_set_int(r, "stage_id", stage);
    assert_int_equal(store_begin(w->s, &err), 0);
    assert_int_equal(store_deal_stage_rules(w->s, 0, r->vals, r->set, w->user, 1000, &field, &err),
                     0);
    assert_null(field);
    int64_t id = insert(w->s, r);
    assert_int_equal(store_deal_created(w->s, id, w->user, &err), 0);
    assert_int_equal(store_commit(w->s, &err), 0);
    return id;
}

struct hist {
    int n;
    int64_t from[16], to[16], user[16], at[16];
};

static int read_hist(void *ctx, sqlite3_stmt *st, struct kith_error *err)
{
    (void)err;
    struct hist *h = ctx;
    assert_true(h->n < 16);
    h->from[h->n] = sqlite3_column_int64(st, 0);
    h->to[h->n] = sqlite3_column_int64(st, 1);
    h->user[h->n] = sqlite3_column_int64(st, 2);
    h->at[h->n] = sqlite3_column_int64(st, 3);
    h->n++;
    return 0;
}

static struct hist history(struct store *s, int64_t deal)
{
    struct hist h = {0};
    struct kith_error err = {0};
    struct store_value v = {.kind = SV_INT, .i = deal};
    struct store_rows q = {
        .sql = "SELECT ifnull(from_stage_id, 0), to_stage_id, ifnull(user_id, 0), changed_at"
               " FROM deal_stage_changes WHERE deal_id = ?1 ORDER BY id",
        .binds = &v,
        .nbinds = 1,
        .what = "history"};
    assert_int_equal(store_each_row(s, &q, read_hist, &h, NULL, &err), 0);
    return h;
}

/* Runs verb c on deal id through the rules and the update, as kith deals does; its code. */
static int apply(struct world *w, int64_t id, struct store_deal_change c, int64_t now,
                 const char **field, struct kith_error *err)
{
    struct row r;
    int rc;
    row_init(&r, "deals");
    assert_int_equal(store_begin(w->s, err), 0);
    if ((rc = store_deal_verb(w->s, id, &c, r.vals, r.set, field, err)) < 0 ||
        (rc = store_deal_stage_rules(w->s, id, r.vals, r.set, w->user, now, field, err)) < 0 ||
        (rc = store_update(w->s, r.t, id, r.vals, r.set, err)) < 0) {
        store_rollback(w->s);
        return rc;
    }
    assert_int_equal(store_commit(w->s, err), 0);
    return 0;
}

static void create_takes_the_stage(void **state)
{
    (void)state;
    struct world w;
    struct row r;
    build(&w, "deal-create.db");
    int64_t open = new_deal(&w, w.proposal, &r);
    assert_int_equal(get(&r, "outcome")->kind, SV_TEXT);
    assert_string_equal(get(&r, "outcome")->s, "open");
    assert_true(get(&r, "probability")->r == 0.5);
    assert_int_equal(get(&r, "closed_at")->kind, SV_NULL);
    struct hist h = history(w.s, open);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.from[0], 0);
    assert_int_equal(h.to[0], w.proposal);
    assert_int_equal(h.user[0], w.user); /* store_deal_created named the creator */

    new_deal(&w, w.won, &r); /* created won: closed now */
    assert_string_equal(get(&r, "outcome")->s, "won");
    assert_int_equal(get(&r, "closed_at")->i, 1000);
    store_close(w.s);
}

static void refusals_name_the_field(void **state)
{
    (void)state;
    struct world w;
    struct row r;
    struct kith_error err = {0};
    const char *field;
    build(&w, "deal-refuse.db");
    int64_t id = new_deal(&w, w.prospecting, &r);
    struct {
        const char *name, *value;
        int64_t stage;
        const char *field;
    } cases[] = {
        {"outcome", "won", 0, "outcome"},              /* open stage, won outcome */
        {"outcome", "lost", w.won, "outcome"},         /* won stage, lost outcome */
        {"loss_reason", "price", 0, "loss_reason"},    /* only a lost deal has one */
        {"name", "x", w.other_unit_stage, "stage_id"}, /* another unit's stage */
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        row_init(&r, "deals");
        row_set(&r, cases[k].name, cases[k].value);
        if (cases[k].stage)
            row_set_int(&r, "stage_id", cases[k].stage);
        field = NULL;
        assert_int_equal(store_begin(w.s, &err), 0);
        assert_int_equal(store_deal_stage_rules(w.s, id, r.vals, r.set, w.user, 5, &field, &err),
                         KITH_EINVAL);
        store_rollback(w.s);
        assert_non_null(field);
        assert_string_equal(field, cases[k].field);
    }
    assert_int_equal(history(w.s, id).n, 1); /* nothing recorded */
    /* a missing deal */
    row_init(&r, "deals");
    assert_int_equal(store_deal_stage_rules(w.s, 999, r.vals, r.set, 0, 5, &field, &err),
                     KITH_ENOTFOUND);
    store_close(w.s);
}

static void verbs_move_win_lose_reopen(void **state)
{
    (void)state;
    struct world w;
    struct row r;
    struct kith_error err = {0};
    const char *field;
    build(&w, "deal-verbs.db");
    int64_t id = new_deal(&w, w.prospecting, &r);
    struct store_deal_state st;

    assert_int_equal(apply(&w, id, (struct store_deal_change){STORE_DEAL_MOVE, w.closing, NULL}, 10,
                           &field, &err),
                     0);
    /* move: not to a closed stage, not to where it is, not without a stage */
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_MOVE, w.won, NULL}, 11, &field, &err),
        KITH_EINVAL);
    assert_non_null(strstr(err.msg, "won stage"));
    assert_int_equal(apply(&w, id, (struct store_deal_change){STORE_DEAL_MOVE, w.closing, NULL}, 11,
                           &field, &err),
                     KITH_EINVAL);
    assert_non_null(strstr(err.msg, "already"));
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_MOVE, 0, NULL}, 11, &field, &err),
        KITH_EINVAL);
    /* lose needs a reason */
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_LOSE, 0, " "}, 11, &field, &err),
        KITH_EINVAL);
    assert_string_equal(field, "loss_reason");
    /* win: North's own won stage comes before the company's */
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_WIN, 0, NULL}, 20, &field, &err), 0);
    assert_int_equal(store_deal_state(w.s, id, &st, &err), 0);
    assert_int_equal(st.stage_id, w.unit_won);
    assert_int_equal(st.kind, STORE_DEAL_WON);
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_WIN, 0, NULL}, 21, &field, &err),
        KITH_EINVAL);
    assert_non_null(strstr(err.msg, "won already"));
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_LOSE, 0, "late"}, 21, &field, &err),
        KITH_EINVAL);
    assert_non_null(strstr(err.msg, "reopen"));
    /* reopen: back to the open stage it left */
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_REOPEN, 0, NULL}, 30, &field, &err), 0);
    assert_int_equal(store_deal_state(w.s, id, &st, &err), 0);
    assert_int_equal(st.stage_id, w.closing);
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_REOPEN, 0, NULL}, 31, &field, &err),
        KITH_EINVAL);
    /* lose, then reopen: the reason goes with the closing */
    assert_int_equal(
        apply(&w, id, (struct store_deal_change){STORE_DEAL_LOSE, 0, "price"}, 40, &field, &err),
        0);
    assert_int_equal(store_deal_state(w.s, id, &st, &err), 0);
    assert_int_equal(st.stage_id, w.lost);
    assert_int_equal(apply(&w, id, (struct store_deal_change){STORE_DEAL_REOPEN, w.proposal, NULL},
                           50, &field, &err),
                     0);
    struct hist h = history(w.s, id);
    const int64_t from[] = {0, w.prospecting, w.closing, w.unit_won, w.closing, w.lost};
    const int64_t to[] = {w.prospecting, w.closing, w.unit_won, w.closing, w.lost, w.proposal};
    const int64_t at[] = {0, 10, 20, 30, 40, 50};
    assert_int_equal(h.n, 6);
    for (int k = 0; k < h.n; k++) {
        assert_int_equal(h.from[k], from[k]);
        assert_int_equal(h.to[k], to[k]);
        assert_int_equal(h.user[k], w.user);
        if (k > 0)
            assert_int_equal(h.at[k], at[k]);
    }
    int64_t closed = -1, reason = -1;
    assert_int_equal(
        store_query_int64(store_db(w.s), "SELECT closed_at IS NULL FROM deals", &closed, "x", &err),
        0);
    assert_int_equal(store_query_int64(store_db(w.s), "SELECT loss_reason IS NULL FROM deals",
                                       &reason, "x", &err),
                     0);
    assert_int_equal(closed, 1);
    assert_int_equal(reason, 1);
    store_close(w.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_takes_the_stage),
        cmocka_unit_test(refusals_name_the_field),
        cmocka_unit_test(verbs_move_win_lose_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
