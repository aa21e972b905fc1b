/*
 * Tests for src/store/snapshot.c: the contact-ordered and id-range interaction streams, and the
 * RV snapshot loaded from a real database on one and on two connections: contact attributes
 * with the account fallback, recorded versus catalogue RV and cost, voids, orders and events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/rv.h"
#include "engine/snapshot.h"
#include "store/store.h"
#include "support/testutil.h"

struct row {
    const struct table_def *t;
    struct store_value v[32];
};

static void row_start(struct row *r, const char *table)
{
    r->t = model_table(table);
    assert_non_null(r->t);
    memset(r->v, 0, sizeof(r->v));
}

static void set_i(struct row *r, const char *name, int64_t i)
{
    size_t k;
    assert_non_null(table_field(r->t, name, &k));
    r->v[k] = (struct store_value){.kind = SV_INT, .i = i};
}

static void set_s(struct row *r, const char *name, const char *s)
{
    size_t k;
    assert_non_null(table_field(r->t, name, &k));
    r->v[k] = (struct store_value){.kind = SV_TEXT, .s = s, .len = strlen(s)};
}

static void set_r(struct row *r, const char *name, double v)
{
    size_t k;
    assert_non_null(table_field(r->t, name, &k));
    r->v[k] = (struct store_value){.kind = SV_REAL, .r = v};
}

static void put(struct store *s, struct row *r)
{
    struct kith_error err = {0};
    if (store_insert(s, r->t, r->v, NULL, &err) < 0)
        fail_msg("insert into %s: %s", r->t->name, err.msg);
}

#define DAY0 1704067200000LL /* 2024-01-01 */
#define DAY  86400000LL

static void interaction(struct store *s, int64_t id, int64_t contact, int64_t type, int64_t day,
                        int64_t voids, int64_t rv)
{
    struct row r;
    row_start(&r, "interactions");
    set_i(&r, "id", id);
    set_i(&r, "contact_id", contact);
    set_i(&r, "type_id", type);
    set_i(&r, "occurred_at", DAY0 + day * DAY);
    set_i(&r, "user_id", 1);
    if (voids)
        set_i(&r, "voids_id", voids);
    if (rv != INT64_MIN)
        set_i(&r, "rv", rv);
    put(s, &r);
}

/*
 * A small company. Unit Direct, team Alpha, rep Ann. Types: 1 (RV 3, $1), 2 (RV 10, $5, a
 * level-1 trigger), 3 (RV -4, $0.50, level 2, closing). Account 7 (industry food, territory
 * North, source web, band 10-50M, owner Ann, team Alpha); contact 1 in it with nothing of its
 * own, contact 2 with its own source "event", contact 3 without an account.
 * Interactions (ids far apart so that the loader splits them between two connections, which it
 * does above 100,000 ids): contact 1: 10 type 1 day 0; 200000 type 2 day 2 (recorded RV 12);
 * 300000 type 3 day 1, voided by 300001 (contact 1, day 3). Contact 2: 150000 type 1 day 5.
 * Contact 3: 5 type 2 day 4.
 */
static struct store *fixture(char *path, size_t size)
{
    struct store *s;
    struct kith_error err = {0};
    test_tmp_path(path, size, "rvsnap.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    struct row r;
    row_start(&r, "units");
    set_i(&r, "id", 1);
    set_s(&r, "name", "Direct");
    set_s(&r, "kind", "business_unit");
    put(s, &r);
    row_start(&r, "teams");
    set_i(&r, "id", 1);
    set_s(&r, "name", "Alpha");
    set_s(&r, "kind", "virtual_account");
    set_i(&r, "unit_id", 1);
    put(s, &r);
    row_start(&r, "users");
    set_i(&r, "id", 1);
    set_s(&r, "email", "ann@example.com");
    set_s(&r, "name", "Ann");
    set_s(&r, "role", "frontline");
    set_i(&r, "team_id", 1);
    set_i(&r, "disabled", 0);
    put(s, &r);
    static const struct {
        int64_t id, rv, cost, level, trig;
        const char *phase;
    } types[] = {{1, 3, 100, 1, 0, "acquisition"},
                 {2, 10, 500, 1, 1, "acquisition"},
                 {3, -4, 50, 2, 0, "closing"}};
    for (size_t i = 0; i < 3; i++) {
        char code[16];
        snprintf(code, sizeof(code), "t%zu", i);
        row_start(&r, "interaction_types");
        set_i(&r, "id", types[i].id);
        set_s(&r, "code", code);
        set_s(&r, "name", code);
        set_s(&r, "phase", types[i].phase);
        set_i(&r, "level", types[i].level);
        set_s(&r, "channel", "web");
        set_r(&r, "touch", 0.5);
        set_r(&r, "tech", 0.5);
        set_i(&r, "rv", types[i].rv);
        set_i(&r, "cost", types[i].cost);
        set_i(&r, "is_trigger", types[i].trig);
        set_i(&r, "is_voc", 0);
        put(s, &r);
    }
    row_start(&r, "accounts");
    set_i(&r, "id", 7);
    set_s(&r, "name", "Acme");
    set_s(&r, "industry", "food");
    set_s(&r, "territory", "North");
    set_s(&r, "source", "web");
    set_s(&r, "revenue_band", "10-50M");
    set_i(&r, "owner_id", 1);
    set_i(&r, "team_id", 1);
    set_i(&r, "unit_id", 1);
    put(s, &r);
    for (int c = 1; c <= 3; c++) {
        row_start(&r, "contacts");
        set_i(&r, "id", c);
        set_s(&r, "last_name", "Doe");
        if (c < 3)
            set_i(&r, "account_id", 7);
        if (c == 2) {
            set_s(&r, "source", "event");
            set_s(&r, "community_role", "leader");
        }
        put(s, &r);
    }
    interaction(s, 10, 1, 1, 0, 0, INT64_MIN);
    interaction(s, 200000, 1, 2, 2, 0, 12);
    interaction(s, 300000, 1, 3, 1, 0, INT64_MIN);
    interaction(s, 300001, 1, 1, 3, 300000, INT64_MIN);
    interaction(s, 150000, 2, 1, 5, 0, INT64_MIN);
    interaction(s, 5, 3, 2, 4, 0, INT64_MIN);
    row_start(&r, "orders");
    set_i(&r, "account_id", 7);
    set_i(&r, "contact_id", 1);
    set_i(&r, "ordered_at", DAY0 + 6 * DAY);
    set_i(&r, "amount", 9000);
    set_i(&r, "margin", 2500);
    put(s, &r);
    row_start(&r, "events");
    set_s(&r, "kind", "referral");
    set_i(&r, "contact_id", 2);
    set_i(&r, "occurred_at", DAY0 + 7 * DAY);
    put(s, &r);
    return s;
}

struct seen {
    int64_t ids[16];
    size_t n;
};

static int collect(void *ctx, const struct store_interaction_row *row)
{
    struct seen *v = ctx;
    if (v->n < 16)
        v->ids[v->n++] = row->id;
    if (row->id == 200000) {
        assert_true(row->has_rv);
        assert_int_equal(row->rv, 12);
        assert_false(row->has_cost);
        assert_int_equal(row->user_id, 1);
    }
    if (row->id == 300001)
        assert_int_equal(row->voids_id, 300000);
    return 0;
}

static int stop_after_two(void *ctx, const struct store_interaction_row *row)
{
    (void)row;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_streams(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    struct seen v = {0};
    assert_int_equal(store_scan_interactions_by_contact(s, collect, &v, NULL), 0);
    /* by contact, then time, then id */
    const int64_t want[] = {10, 300000, 200000, 300001, 150000, 5};
    assert_int_equal(v.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(v.ids[i], want[i]);
    memset(&v, 0, sizeof(v));
    assert_int_equal(store_scan_interactions_by_id(s, 6, 250000, collect, &v, NULL), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.ids[0], 10);
    assert_int_equal(v.ids[1], 150000);
    assert_int_equal(v.ids[2], 200000);
    int k = 0;
    assert_int_equal(store_scan_interactions_by_contact(s, stop_after_two, &k, NULL), 7);
    store_close(s);
    test_rm_db(path);
}

static void check_snapshot(const struct rv_snapshot *snap)
{
    assert_int_equal(snap->nc, 3);
    assert_int_equal(snap->nlive, 6);
    int32_t c1 = rv_snapshot_contact(snap, 1), c2 = rv_snapshot_contact(snap, 2),
            c3 = rv_snapshot_contact(snap, 3);
    /* contact 1 inherits everything from its account */
    assert_string_equal(snap->teams.name[snap->team[c1]], "Alpha");
    assert_string_equal(snap->users.email[snap->owner[c1]], "ann@example.com");
    assert_string_equal(snap->units.name[snap->unit[c1]], "Direct");
    assert_string_equal(rv_dict_name(&snap->industries, snap->industry[c1]), "food");
    assert_string_equal(rv_dict_name(&snap->territories, snap->territory[c1]), "North");
    assert_string_equal(rv_dict_name(&snap->bands, snap->band[c1]), "10-50M");
    assert_string_equal(rv_dict_name(&snap->sources, snap->source[c1]), "web");
    /* contact 2 keeps its own source */
    assert_string_equal(rv_dict_name(&snap->sources, snap->source[c2]), "event");
    assert_int_equal(snap->community[c2], 0);
    assert_int_equal(snap->team[c3], RV_NONE);
    assert_int_equal(snap->account[c3], RV_NONE);
    /* contact 1: 3 + 12 (recorded); the voided -4 and its correction are out; level 2 */
    assert_int_equal(snap->rv_total[c1], 15);
    assert_int_equal(snap->ncounted[c1], 2);
    assert_int_equal(snap->level[c1], 2);
    assert_int_equal(snap->count[c1], 4);
    /* the run is in time order: 10 (day 0), 300000 (day 1), 200000 (day 2), 300001 (day 3) */
    assert_int_equal(snap->iid[snap->start[c1] + 1], 300000);
    assert_int_equal(snap->flags[snap->start[c1] + 1], RV_VOIDED);
    assert_int_equal(snap->cost[snap->start[c1] + 2], 500); /* no recorded cost: the type's */
    assert_int_equal(snap->rep[snap->start[c1]], 0);
    assert_int_equal(snap->rv_total[c2], 3);
    assert_int_equal(snap->rv_total[c3], 10);
    assert_int_equal(snap->nlevels, 2);
    assert_int_equal(snap->level_phase[2], RV_STAGE_CLOSING);
    assert_int_equal(snap->norders, 1);
    assert_int_equal(snap->o_contact[0], c1);
    assert_int_equal(snap->account_id[snap->o_account[0]], 7);
    assert_int_equal(snap->o_margin[0], 2500);
    assert_int_equal(snap->nevents, 1);
    assert_int_equal(snap->e_contact[0], c2);
    assert_string_equal(rv_event_kind_name(snap->e_kind[0]), "referral");
}

static void test_load_on_one_and_two_connections(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    struct rv_snapshot *snap = NULL;
    struct kith_error err = {0};
    for (unsigned th = 1; th <= 3; th++) {
        if (rv_snapshot_load(store_rv_source(s), th, &snap, &err) < 0)
            fail_msg("load: %s", err.msg);
        check_snapshot(snap);
        rv_snapshot_free(snap);
    }
    assert_int_equal(rv_snapshot_load(store_rv_source(s), 0, &snap, &err), KITH_EINVAL);
    assert_null(snap);
    store_close(s);
    test_rm_db(path);
}

/*
 * A sink that records what the store's source hands it, without the engine. Each field is
 * written by one thread only, as the sink's contract in model/rv_rows.h allows: the small tables
 * and begin() before the readers start, a segment's rows by its reader, contacts by the first,
 * orders and events by the last.
 */
struct recorder {
    unsigned types, units, teams, users, begins, nsegments;
    unsigned small_at_begin; /* types + units + teams + users when begin() came */
    size_t expected_contacts;
    unsigned contacts, orders, events;
    unsigned rows[8];
    unsigned fail_after; /* interactions of segment 0 accepted before failing; 0 = never */
    /* what the reader threads saw, checked on the test's thread (cmocka asserts only there) */
    bool contact1_from_account, row200000_rv12, row300001_voids, order_9000, event_referral;
    bool seg_out_of_range;
};

static int rec_type(void *ctx, const struct rv_type_in *t, struct kith_error *err)
{
    (void)t, (void)err;
    ((struct recorder *)ctx)->types++;
    return 0;
}

static int rec_unit(void *ctx, int64_t id, const char *name, struct kith_error *err)
{
    (void)id, (void)err;
    assert_string_equal(name, "Direct");
    ((struct recorder *)ctx)->units++;
    return 0;
}

static int rec_team(void *ctx, int64_t id, const char *name, int64_t unit_id,
                    struct kith_error *err)
{
    (void)id, (void)name, (void)err;
    assert_int_equal(unit_id, 1);
    ((struct recorder *)ctx)->teams++;
    return 0;
}

static int rec_user(void *ctx, int64_t id, const char *email, const char *name, int64_t team_id,
                    int64_t unit_id, struct kith_error *err)
{
    (void)id, (void)name, (void)unit_id, (void)err;
    assert_string_equal(email, "ann@example.com");
    assert_int_equal(team_id, 1);
    ((struct recorder *)ctx)->users++;
    return 0;
}

static int rec_begin(void *ctx, unsigned nsegments, struct kith_error *err)
{
    struct recorder *r = ctx;
    (void)err;
    r->begins++;
    r->nsegments = nsegments;
    r->small_at_begin = r->types + r->units + r->teams + r->users;
    return 0;
}

static int rec_expect_contacts(void *ctx, size_t n, struct kith_error *err)
{
    (void)err;
    ((struct recorder *)ctx)->expected_contacts = n;
    return 0;
}

static int rec_contact(void *ctx, const struct rv_contact_in *c, struct kith_error *err)
{
    struct recorder *r = ctx;
    (void)err;
    if (c->id == 1) /* everything from its account */
        r->contact1_from_account =
            c->account_id == 7 && c->team_id == 1 && c->source && strcmp(c->source, "web") == 0;
    r->contacts++;
    return 0;
}

static int rec_reserve(void *ctx, unsigned seg, size_t n, struct kith_error *err)
{
    (void)err, (void)n;
    assert_true(seg < ((struct recorder *)ctx)->nsegments);
    return 0;
}

static int rec_interaction(void *ctx, unsigned seg, const struct rv_interaction_in *row,
                           struct kith_error *err)
{
    struct recorder *r = ctx;
    if (seg >= r->nsegments) {
        r->seg_out_of_range = true;
        return 0;
    }
    if (row->id == 200000)
        r->row200000_rv12 = row->has_rv && row->rv == 12;
    if (row->id == 300001)
        r->row300001_voids = row->voids_id == 300000;
    if (seg == 0 && r->fail_after && r->rows[0] == r->fail_after)
        return kith_err(err, KITH_EINVAL, "the sink refuses interaction %lld", (long long)row->id);
    r->rows[seg]++;
    return 0;
}

static int rec_order(void *ctx, const struct rv_order_in *o, struct kith_error *err)
{
    struct recorder *r = ctx;
    (void)err;
    r->order_9000 = o->amount == 9000;
    r->orders++;
    return 0;
}

static int rec_event(void *ctx, const struct rv_event_in *e, struct kith_error *err)
{
    struct recorder *r = ctx;
    (void)err;
    r->event_referral = e->kind && strcmp(e->kind, "referral") == 0;
    r->events++;
    return 0;
}

static struct rv_sink recorder_sink(struct recorder *r)
{
    return (struct rv_sink){r,
                            rec_type,
                            rec_unit,
                            rec_team,
                            rec_user,
                            rec_begin,
                            rec_expect_contacts,
                            rec_contact,
                            rec_reserve,
                            rec_interaction,
                            rec_order,
                            rec_event};
}

static void test_source_keeps_the_sink_contract(void **state)
{
    (void)state;
    char path[512];
    struct store *s = fixture(path, sizeof(path));
    struct kith_error err = {0};
    struct rv_source src = store_rv_source(s);
    for (unsigned th = 1; th <= 2; th++) {
        struct recorder r = {0};
        struct rv_sink k = recorder_sink(&r);
        if (src.read(src.ctx, th, &k, &err) < 0)
            fail_msg("read: %s", err.msg);
        assert_int_equal(r.begins, 1);
        assert_int_equal(r.nsegments, th); /* ids span more than 100,000: one range each */
        assert_int_equal(r.small_at_begin, 3 + 1 + 1 + 1);
        assert_int_equal(r.expected_contacts, 3);
        assert_int_equal(r.contacts, 3);
        assert_int_equal(r.rows[0] + r.rows[1], 6);
        if (th == 2)
            assert_true(r.rows[0] > 0 && r.rows[1] > 0);
        assert_int_equal(r.orders, 1);
        assert_int_equal(r.events, 1);
        assert_false(r.seg_out_of_range);
        assert_true(r.contact1_from_account && r.row200000_rv12 && r.row300001_voids);
        assert_true(r.order_9000 && r.event_referral);
    }
    /* a sink's failure stops the source and is what it returns */
    struct recorder r = {.fail_after = 1};
    struct rv_sink k = recorder_sink(&r);
    assert_int_equal(src.read(src.ctx, 1, &k, &err), KITH_EINVAL);
    assert_non_null(strstr(err.msg, "the sink refuses"));
    assert_int_equal(r.rows[0], 1);
    assert_int_equal(r.orders, 0);
    assert_int_equal(src.read(src.ctx, 9, &k, &err), KITH_EINVAL);
    store_close(s);
    test_rm_db(path);
}

static void test_load_empty_database(void **state)
{
    (void)state;
    char path[512];
    struct store *s;
    struct kith_error err = {0};
    test_tmp_path(path, sizeof(path), "rvempty.db");
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    struct rv_snapshot *snap = NULL;
    assert_int_equal(rv_snapshot_load(store_rv_source(s), 2, &snap, &err), 0);
    assert_int_equal(snap->nc, 0);
    assert_int_equal(snap->nlive, 0);
    assert_int_equal(snap->nlevels, 1);
    rv_snapshot_free(snap);
    store_close(s);
    test_rm_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_load_on_one_and_two_connections),
        cmocka_unit_test(test_load_empty_database),
        cmocka_unit_test(test_source_keeps_the_sink_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
