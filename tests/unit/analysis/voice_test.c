/*
 * Tests for src/analysis/voice.c and voice_report.c: the table's routes and bits, a run over a
 * small database (only latest answers count, each contact once; a partner unit; groups below the
 * role's min_k suppressed, at and around k), a scope of some contacts, the channels' RV with a
 * void netted, and the parameters that are refused; voice_paths.c and voice_dosay.c on the
 * same database with its RV snapshot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>
#include <sqlite3.h>

#include "analysis/voice.h"
#include "support/testutil.h"

static void table_names_routes_and_bits(void **state)
{
    (void)state;
    assert_int_equal(analysis_voice.ndefs, VOICE_NANALYSES);
    for (int a = 0; a < VOICE_NANALYSES; a++) {
        const struct analysis_def *d = voice_def((enum voice_analysis)a);
        char route[64];
        snprintf(route, sizeof(route), "/api/v1/voice/%s", d->name);
        assert_int_equal(d->group, (uint64_t)1 << a);
        assert_string_equal(d->route, route);
        assert_ptr_equal(analysis_find(&analysis_voice, d->name), d);
    }
}

/* NPS scores of the North contacts 1..12 (latest answers), and of the Dealer contacts 13..15. */
static const int north_nps[12] = {10, 9, 9, 8, 7, 6, 2, 10, 9, 5, 8, 10};
static const int dealer_nps[3] = {9, 3, 10};

/*
 * Units North (business unit) and Dealer (a partner under North); contacts 1..12 in North and
 * 13..15 in Dealer; one survey on channel phone; each contact's latest answer has the scores
 * above, and contacts 1..5 have an older answer of 0 (latest = 0) that must not count. Contact
 * 1 has a phone interaction of RV 5 and a web one of 7 voided (-7), contact 13 a phone one of 3.
 */
static void small_database(const char *path)
{
    struct kith_error err = {0};
    struct store *s;
    assert_int_equal(store_open(path, STORE_CREATE, &s, &err), 0);
    store_close(s);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    const char *sql =
        "INSERT INTO units (id, created_at, name, kind) VALUES (1, 0, 'North', 'business_unit');"
        "INSERT INTO units (id, created_at, name, kind, parent_id) VALUES"
        " (2, 0, 'Dealer', 'partner', 1);"
        "INSERT INTO surveys (id, created_at, name, channel, touchpoint) VALUES"
        " (1, 0, 'After a ticket', 'phone', 'after a ticket');"
        "INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"
        " tech, rv, cost) VALUES (1, 0, 't', 'T', 'retention', 1, 'phone', 0, 0, 5, 0);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    char buf[512];
    for (int c = 1; c <= 15; c++) {
        snprintf(buf, sizeof(buf),
                 "INSERT INTO contacts (id, created_at, last_name, unit_id) VALUES"
                 " (%d, 0, 'c%d', %d);"
                 "INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at,"
                 " nps, csat, confidential, latest) VALUES (0, 1, %d, %lld, %d, %d, 1, 1);",
                 c, c, c <= 12 ? 1 : 2, c, 1735689600000LL + c,
                 c <= 12 ? north_nps[c - 1] : dealer_nps[c - 13], 1 + c % 5);
        assert_int_equal(sqlite3_exec(h, buf, NULL, NULL, NULL), SQLITE_OK);
        if (c <= 5) {
            snprintf(buf, sizeof(buf),
                     "INSERT INTO survey_responses (created_at, survey_id, contact_id,"
                     " answered_at, nps, confidential, latest) VALUES (0, 1, %d, 0, 0, 1, 0);",
                     c);
            assert_int_equal(sqlite3_exec(h, buf, NULL, NULL, NULL), SQLITE_OK);
        }
    }
    sql = "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at, channel, rv)"
          " VALUES (1, 0, 1, 1, 10, 'phone', 5), (2, 0, 1, 1, 10, 'web', 7),"
          " (4, 0, 13, 1, 10, NULL, 3);"
          "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at, channel, rv,"
          " voids_id) VALUES (3, 0, 1, 1, 11, 'web', -7, 2);";
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static char db_path[512];

static struct store *open_small(const char *extra_sql)
{
    test_tmp_path(db_path, sizeof(db_path), "voice.db");
    small_database(db_path);
    if (extra_sql) {
        sqlite3 *h;
        assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, extra_sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(h);
    }
    struct store *s;
    struct kith_error err = {0};
    assert_int_equal(store_open(db_path, STORE_READONLY, &s, &err), 0);
    return s;
}

static double nps_of(const int *v, size_t n)
{
    int p = 0, d = 0;
    for (size_t i = 0; i < n; i++) {
        p += v[i] >= 9;
        d += v[i] <= 6;
    }
    return 100.0 * (p - d) / (double)n;
}

static const struct voice_cell *cell_named(const struct voice_report *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        const char *n = r->cells[i].key.label[0] ? r->cells[i].key.label : r->cells[i].key.name;
        if ((!name && !n) || (name && n && strcmp(name, n) == 0))
            return &r->cells[i];
    }
    fail_msg("no group %s", name ? name : "(none)");
    return NULL;
}

static void run(struct store *s, enum voice_analysis a, enum voice_by by, const char *role,
                const int64_t *ids, size_t n, struct voice_report *r)
{
    struct voice_params p;
    param_defaults(&analysis_voice, &p);
    p.by = (int)by;
    const struct voice_scope scope = {
        .store = s, .scoped = ids != NULL, .contacts = ids, .ncontacts = n, .role = role};
    struct kith_error err = {0};
    const char *param;
    assert_int_equal(voice_run(a, &p, &scope, r, &err, &param), 0);
}

static void latest_answers_by_unit_and_partner(void **state)
{
    (void)state;
    struct store *s = open_small(NULL);
    struct voice_report r;
    run(s, VOICE_NPS, VOICE_BY_UNIT, "admin", NULL, 0, &r);
    assert_int_equal(r.k, 10);
    const struct voice_cell *north = cell_named(&r, "North"), *dealer = cell_named(&r, "Dealer");
    assert_false(north->suppressed);
    assert_int_equal(north->contacts, 12);
    assert_int_equal(north->answers, 12); /* the older answers do not count */
    assert_true(fabs(north->f.nps - nps_of(north_nps, 12)) < 1e-9);
    assert_true(dealer->suppressed); /* 3 contacts < k */
    assert_int_equal(r.total.contacts, 15);
    assert_false(r.total.suppressed);
    int all[15];
    memcpy(all, north_nps, sizeof(north_nps));
    memcpy(all + 12, dealer_nps, sizeof(dealer_nps));
    assert_true(fabs(r.total.f.nps - nps_of(all, 15)) < 1e-9);
    json_t *j = voice_report_json(&r);
    assert_non_null(j);
    json_t *groups = json_object_get(j, "groups");
    assert_int_equal(json_array_size(groups), 2);
    json_t *d = json_array_get(groups, 0); /* Dealer sorts first */
    assert_true(json_is_true(json_object_get(d, "suppressed")));
    assert_true(json_is_null(json_object_get(d, "contacts")));
    assert_true(json_is_null(json_object_get(d, "nps")));
    json_decref(j);
    voice_report_release(&r);

    run(s, VOICE_NPS, VOICE_BY_PARTNER, "admin", NULL, 0, &r);
    assert_true(cell_named(&r, "Dealer")->suppressed);
    assert_int_equal(cell_named(&r, NULL)->contacts, 12); /* not a partner's */
    voice_report_release(&r);
    store_close(s);
}

/* k is the role's min_k: a group of exactly k contacts is shown, one of k - 1 is not. */
static void k_is_the_roles_policy(void **state)
{
    (void)state;
    struct store *s = open_small("UPDATE privacy_policy SET min_k = 3 WHERE role = 'manager';"
                                 "UPDATE privacy_policy SET min_k = 4 WHERE role = 'partner';");
    struct voice_report r;
    run(s, VOICE_NPS, VOICE_BY_UNIT, "manager", NULL, 0, &r);
    assert_int_equal(r.k, 3);
    assert_false(cell_named(&r, "Dealer")->suppressed);
    assert_true(fabs(cell_named(&r, "Dealer")->f.nps - nps_of(dealer_nps, 3)) < 1e-9);
    voice_report_release(&r);
    run(s, VOICE_NPS, VOICE_BY_UNIT, "partner", NULL, 0, &r);
    assert_int_equal(r.k, 4);
    assert_true(cell_named(&r, "Dealer")->suppressed);
    voice_report_release(&r);
    run(s, VOICE_NPS, VOICE_BY_UNIT, "nosuchrole", NULL, 0, &r); /* the strictest default */
    assert_int_equal(r.k, 10);
    voice_report_release(&r);
    store_close(s);
}

static void scope_and_refusals(void **state)
{
    (void)state;
    struct store *s = open_small(NULL);
    const int64_t some[] = {1, 2, 3, 13};
    struct voice_report r;
    run(s, VOICE_NPS, VOICE_BY_ALL, "admin", some, 4, &r);
    assert_int_equal(r.n, 1);
    assert_true(r.total.suppressed); /* 4 contacts */
    assert_int_equal(r.total.contacts, 4);
    voice_report_release(&r);

    struct voice_params p;
    param_defaults(&analysis_voice, &p);
    const struct voice_scope all = {.store = s, .role = "admin"};
    struct kith_error err = {0};
    const char *param;
    assert_int_equal(param_set(&analysis_voice, param_find(&analysis_voice, 2, "survey", false), &p,
                               "99", "survey", &err),
                     0);
    assert_int_equal(voice_run(VOICE_NPS, &p, &all, &r, &err, &param), KITH_ENOTFOUND);
    assert_string_equal(param, "survey");
    param_defaults(&analysis_voice, &p);
    assert_int_equal(param_set(&analysis_voice, param_find(&analysis_voice, 2, "from", false), &p,
                               "2026-02-01", "from", &err),
                     0);
    assert_int_equal(param_set(&analysis_voice, param_find(&analysis_voice, 2, "to", false), &p,
                               "2026-01-01", "to", &err),
                     0);
    assert_int_equal(voice_run(VOICE_NPS, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "to");
    assert_null(param_find(&analysis_voice, 2, "k", false)); /* no parameter sets k */
    store_close(s);
}

static void promise_nets_voids(void **state)
{
    (void)state;
    struct store *s = open_small(NULL);
    struct voice_report r;
    run(s, VOICE_PROMISE, VOICE_BY_CHANNEL, "admin", NULL, 0, &r);
    const struct voice_cell *phone = cell_named(&r, "phone"), *web = cell_named(&r, "web");
    assert_int_equal(phone->contacts, 15); /* every answer followed the phone */
    assert_int_equal(phone->rv, 8);        /* 5 + 3 (the type's channel) */
    assert_int_equal(phone->interactions, 2);
    assert_int_equal(phone->rv_contacts, 2);
    assert_int_equal(web->rv, 0); /* 7 voided */
    assert_int_equal(web->interactions, 0);
    assert_true(web->suppressed); /* no answers */
    assert_int_equal(r.total.rv, 8);
    assert_int_equal(r.total.rv_contacts, 2);
    voice_report_release(&r);
    store_close(s);
}

/*
 * Digital paths and do vs say on the small database with a snapshot: contact 2 (NPS 9) then has
 * an interaction of RV -20 (promoter_falling), contact 3 (NPS 9) a churn event
 * (promoter_churned), contact 6 (NPS 6) a sale (detractor_buying, not shared); contact 13 has a
 * resolved ticket after its phone interaction (a service outcome).
 */
static const char paths_sql[] =
    "INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"
    " tech, rv, cost) VALUES (2, 0, 'cu_ticket_resolved', 'Ticket', 'retention', 1, 'chat', 0, 0,"
    " 3, 0), (3, 0, 'bad', 'Bad', 'retention', 1, 'email', 0, 0, -20, 0);"
    "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'A');"
    "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at) VALUES"
    " (10, 0, 2, 3, 1735776000000), (11, 0, 13, 2, 1735776000000);"
    "INSERT INTO orders (created_at, account_id, contact_id, ordered_at, amount, kind) VALUES"
    " (0, 1, 6, 1735862400000, 100, 'sale');"
    "INSERT INTO events (created_at, kind, contact_id, occurred_at) VALUES"
    " (0, 'churn', 3, 1735948800000);"
    "INSERT INTO survey_optins (created_at, survey_id, contact_id, state, share, recorded_at)"
    " VALUES (0, 1, 2, 'granted', 1, 0), (0, 1, 3, 'granted', 1, 0), (0, 1, 6, 'granted', 0, 0);";

static int set(struct voice_params *p, uint64_t group, const char *name, const char *value)
{
    struct kith_error err = {0};
    return param_set(&analysis_voice, param_find(&analysis_voice, group, name, false), p, value,
                     name, &err);
}

static void paths_and_dosay(void **state)
{
    (void)state;
    struct store *s = open_small(paths_sql);
    struct rv_snapshot *snap = NULL;
    struct kith_error err = {0};
    assert_int_equal(rv_snapshot_load(store_rv_source(s), 1, &snap, &err), 0);
    const struct voice_scope all = {.store = s, .role = "admin", .snap = snap};
    const uint64_t gp = (uint64_t)1 << VOICE_PATHS, gd = (uint64_t)1 << VOICE_DOSAY;
    struct voice_params p;
    struct voice_report r;
    const char *param;

    param_defaults(&analysis_voice, &p);
    assert_int_equal(set(&p, gp, "min_support", "1"), 0);
    assert_int_equal(voice_run(VOICE_PATHS, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.paths.res.contacts, 3); /* 1 (its void pair left out), 2, 13 */
    assert_int_equal(r.paths.res.converted, 0);
    assert_int_equal(r.paths.res.without_path, 1); /* 6 bought before any touch */
    voice_report_release(&r);
    assert_int_equal(set(&p, gp, "outcome", "service"), 0);
    assert_int_equal(voice_run(VOICE_PATHS, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.paths.res.converted, 1);
    assert_int_equal(r.paths.res.npaths, 1);
    assert_string_equal(r.paths.labels[r.paths.res.nodes[r.paths.res.paths[0]].step], "phone");
    voice_report_release(&r);
    assert_int_equal(set(&p, gp, "contact", "1"), 0);
    assert_int_equal(voice_run(VOICE_PATHS, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.paths.nsteps, 1);
    assert_int_equal(r.paths.steps[0].interaction_id, 1);
    voice_report_release(&r);
    param_defaults(&analysis_voice, &p);
    assert_int_equal(set(&p, gp, "contact", "99"), 0);
    assert_int_equal(voice_run(VOICE_PATHS, &p, &all, &r, &err, &param), KITH_ENOTFOUND);
    assert_string_equal(param, "contact");
    param_defaults(&analysis_voice, &p);
    assert_int_equal(set(&p, gp, "outcome", "service"), 0);
    assert_int_equal(set(&p, gp, "service_type", "nope"), 0);
    assert_int_equal(voice_run(VOICE_PATHS, &p, &all, &r, &err, &param), KITH_EINVAL);
    assert_string_equal(param, "service_type");

    param_defaults(&analysis_voice, &p);
    assert_int_equal(set(&p, gd, "segment", "all"), 0);
    assert_int_equal(set(&p, gd, "as_of", "2026-01-01"), 0);
    assert_int_equal(voice_run(VOICE_DOSAY, &p, &all, &r, &err, &param), 0);
    const struct voice_dosay *d = &r.dosay;
    assert_int_equal(d->ncells, 1);
    assert_int_equal(d->total.contacts, 15);
    assert_false(d->total.suppressed);
    assert_int_equal(d->total.exceptions[DOSAY_PROMOTER_FALLING], 1);
    assert_int_equal(d->total.exceptions[DOSAY_PROMOTER_CHURNED], 1);
    assert_int_equal(d->total.exceptions[DOSAY_DETRACTOR_BUYING], 1);
    assert_int_equal(d->total.exceptions[DOSAY_INTENT_UNMET], 0);
    assert_int_equal(d->nrows, 2); /* contact 6 does not share its answers */
    assert_int_equal(d->rows[0].rule, DOSAY_PROMOTER_FALLING);
    assert_int_equal(d->rows[0].contact_id, 2);
    assert_int_equal(d->rows[0].b.rv, -20);
    assert_int_equal(d->rows[1].rule, DOSAY_PROMOTER_CHURNED);
    assert_int_equal(d->rows[1].contact_id, 3);
    voice_report_release(&r);
    /* judged before the churn: the fall, and the sale (not shared); by unit, Dealer (3
     * contacts) below k and North (12) shown */
    assert_int_equal(set(&p, gd, "as_of", "2025-01-03"), KITH_EINVAL); /* given twice */
    param_defaults(&analysis_voice, &p);
    assert_int_equal(set(&p, gd, "as_of", "2025-01-03"), 0);
    assert_int_equal(voice_run(VOICE_DOSAY, &p, &all, &r, &err, &param), 0);
    assert_int_equal(r.dosay.nlisted, 1);
    assert_int_equal(r.dosay.total.exceptions[DOSAY_PROMOTER_CHURNED], 0);
    assert_int_equal(r.dosay.total.exceptions[DOSAY_DETRACTOR_BUYING], 1);
    assert_int_equal(r.dosay.ncells, 2);
    assert_string_equal(r.dosay.cells[0].name, "Dealer");
    assert_true(r.dosay.cells[0].suppressed);
    assert_string_equal(r.dosay.cells[1].name, "North");
    assert_false(r.dosay.cells[1].suppressed);
    voice_report_release(&r);
    rv_snapshot_free(snap);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_names_routes_and_bits),
        cmocka_unit_test(latest_answers_by_unit_and_partner),
        cmocka_unit_test(k_is_the_roles_policy),
        cmocka_unit_test(scope_and_refusals),
        cmocka_unit_test(promise_nets_voids),
        cmocka_unit_test(paths_and_dosay),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
