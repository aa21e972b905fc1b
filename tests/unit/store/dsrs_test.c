/*
 * dsrs_test.c - tests of src/store/dsrs.c: requests written and read back, the queue's order and
 * counts, the restriction predicate, and erasure: every personal field of the model (read from
 * model/tables.c here, so that a field marked personal later is checked too) is emptied in the
 * rows that name the erased contact and in no other, scores stay, free-text survey answers go,
 * devices and their readings' links go (the readings stay, values emptied), portal rows go,
 * and the audit log is scrubbed of the contact's email, name and phone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static void exec(struct fixture *f, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(store_db(f->s), sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static int setup(void **state)
{
    static struct fixture f;
    struct kith_error err = {0};
    test_tmp_path(f.path, sizeof(f.path), "dsrs.db");
    assert_int_equal(store_open(f.path, STORE_CREATE, &f.s, &err), 0);
    /* contact 1 is erased, contact 2 is not; each has one row of every kind */
    exec(&f,
         "INSERT INTO accounts (id, created_at, name) VALUES (5, 0, 'Shop');"
         "INSERT INTO contacts (id, created_at, external_id, account_id, first_name, last_name,"
         " email, phone, title, source, custom) VALUES"
         " (1, 0, 'X-1', 5, 'Ann', 'Lee', 'Ann.Lee@Example.org', '+1 555 0101', 'Buyer', 'web',"
         " '{\"nick\": \"annie\"}'),"
         " (2, 0, 'X-2', 5, 'Bob', 'Roe', 'bob@example.org', '+1 555 0202', 'Boss', 'web', NULL);"
         "INSERT INTO interaction_types (id, created_at, code, name, phase, level, channel, touch,"
         " tech, rv, cost) VALUES (1, 0, 'call', 'Call', 'closing', 1, 'phone', 1, 0, 3, 100);"
         "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at, rv, notes,"
         " outcome) VALUES (10, 0, 1, 1, 5, 3, 'Ann Lee at +1 555 0101', 'won'),"
         " (11, 0, 2, 1, 6, 2, 'Bob said hi', 'ok');"
         "INSERT INTO events (id, created_at, kind, contact_id, occurred_at, related_contact_id,"
         " notes) VALUES (20, 0, 'referral', 2, 7, 1, 'Bob referred Ann Lee'),"
         " (21, 0, 'repeat', 2, 8, NULL, 'Bob again');"
         "INSERT INTO surveys (id, created_at, name, questions) VALUES (30, 0, 'S',"
         " '{\"items\": [{\"id\": \"q1\", \"kind\": \"nps\", \"text\": \"?\"},"
         " {\"id\": \"q2\", \"kind\": \"text\", \"text\": \"Why?\"}]}');"
         "INSERT INTO survey_responses (id, created_at, survey_id, contact_id, answered_at, nps,"
         " wants, answers) VALUES (31, 0, 30, 1, 9, 9, 'Ann wants more', '{\"q1\": 9, \"q2\":"
         " \"I am Ann Lee\"}'), (32, 0, 30, 2, 9, 7, 'Bob wants less', '{\"q1\": 7, \"q2\":"
         " \"Bob\"}');"
         "INSERT INTO ratings (id, created_at, contact_id, stars, review, rated_at) VALUES"
         " (40, 0, 1, 5, 'Ann loves it', 1), (41, 0, 2, 4, 'Bob likes it', 1);"
         "INSERT INTO ideas (id, created_at, contact_id, title, body, status) VALUES"
         " (50, 0, 1, 'Ann''s idea', 'details', 'new'), (51, 0, 2, 'Bob''s', 'b', 'new');"
         "INSERT INTO dsrs (id, created_at, contact_id, kind, status, received_at, due_at,"
         " notes) VALUES (60, 0, 1, 'erasure', 'open', 0, 10, 'Ann Lee phoned'),"
         " (61, 0, 2, 'objection', 'open', 0, 20, 'Bob wrote');"
         "INSERT INTO devices (id, created_at, contact_id, name, kind, token_hash, readings)"
         " VALUES (80, 0, 1, 'Ann''s boiler', 'boiler', 'h1', 1),"
         " (81, 0, 2, 'Bob''s meter', 'meter', 'h2', 1);"
         "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at, rv, notes,"
         " source) VALUES (12, 0, 1, 1, 6, 0, '{\"t\":21}', 'device'),"
         " (13, 0, 2, 1, 6, 0, '{\"t\":19}', 'device');"
         "INSERT INTO device_readings (interaction_id, device_id) VALUES (12, 80), (13, 81);"
         "INSERT INTO portal_accounts (contact_id, created_at) VALUES (1, 0), (2, 0);"
         "INSERT INTO portal_sessions (created_at, contact_id, token_hash, csrf_hash, expires_at,"
         " last_seen_at) VALUES (0, 1, 'a', 'b', 9, 0), (0, 2, 'c', 'd', 9, 0);"
         "INSERT INTO audit_log (id, created_at, action, detail) VALUES"
         " (70, 0, 'portal_sign_in_failed', 'ann.lee@example.org'),"
         " (71, 0, 'note', 'called ANN LEE'), (72, 0, 'note', 'dialled +1 555 0101'),"
         " (73, 0, 'portal_sign_in_failed', 'bob@example.org'), (74, 0, 'note', 'Lee alone');");
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

static int64_t count(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(store_query_int64(store_db(f->s), sql, &n, "count", NULL), 0);
    return n;
}

/* Rows of t naming contact (its own row for contacts) whose personal fields still hold a value. */
static int64_t personal_left(struct fixture *f, const struct table_def *t, int64_t contact)
{
    char sql[2048];
    int at = snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE (", t->name);
    const char *sep = "";
    if (strcmp(t->name, "contacts") == 0) {
        at += snprintf(sql + at, sizeof(sql) - (size_t)at, "id = %lld", (long long)contact);
    } else {
        for (size_t i = 0; i < t->nfields; i++)
            if (t->fields[i].type == FT_REF && strcmp(t->fields[i].ref_table, "contacts") == 0) {
                at += snprintf(sql + at, sizeof(sql) - (size_t)at, "%s%s = %lld", sep,
                               t->fields[i].name, (long long)contact);
                sep = " OR ";
            }
    }
    at += snprintf(sql + at, sizeof(sql) - (size_t)at, ") AND (0");
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].personal)
            at += snprintf(sql + at, sizeof(sql) - (size_t)at,
                           " OR (%s IS NOT NULL AND %s <> '" MODEL_ERASED_TEXT "')",
                           t->fields[i].name, t->fields[i].name);
    snprintf(sql + at, sizeof(sql) - (size_t)at, ")");
    return count(f, sql);
}

static bool names_contacts(const struct table_def *t)
{
    if (strcmp(t->name, "contacts") == 0)
        return true;
    for (size_t i = 0; i < t->nfields; i++)
        if (t->fields[i].type == FT_REF && strcmp(t->fields[i].ref_table, "contacts") == 0)
            return true;
    return false;
}

static void erasure_empties_every_personal_field_and_nothing_else(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_erasure e;
    /* the model marks the fields that hold a person's values */
    const struct table_def *c = model_table("contacts");
    assert_true(table_field(c, "email", NULL)->personal);
    assert_true(table_field(c, "last_name", NULL)->personal);
    assert_false(table_field(c, "unit_id", NULL)->personal);
    int tables = 0;
    for (size_t k = 0; k < model_ntables; k++)
        if (names_contacts(model_tables[k]) && personal_left(f, model_tables[k], 1) > 0)
            tables++;
    assert_true(tables >= 7); /* the fixture fills every such table */
    assert_int_equal(store_begin(f->s, &err), 0);
    assert_int_equal(store_contact_erase(f->s, 1, &e, &err), 0);
    assert_int_equal(store_commit(f->s, &err), 0);
    for (size_t k = 0; k < model_ntables; k++) {
        const struct table_def *t = model_tables[k];
        if (!names_contacts(t))
            continue;
        if (personal_left(f, t, 1) != 0)
            fail_msg("%s keeps a personal value of the erased contact", t->name);
    }
    /* the referral of contact 2 names 1: its notes go; contact 2's own rows keep theirs */
    assert_int_equal(count(f, "SELECT count(*) FROM events WHERE notes IS NULL"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM interactions WHERE notes = 'Bob said hi'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM contacts WHERE id = 2 AND email ="
                              " 'bob@example.org' AND phone IS NOT NULL"),
                     1);
    /* the facts stay: its interaction's type, time, RV, its scores, its unit of account */
    assert_int_equal(count(f, "SELECT count(*) FROM interactions WHERE id = 10 AND contact_id = 1"
                              " AND type_id = 1 AND occurred_at = 5 AND rv = 3 AND outcome = "
                              "'won'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM contacts WHERE id = 1 AND account_id = 5"
                              " AND source = 'web' AND last_name = '" MODEL_ERASED_TEXT "'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM ratings WHERE id = 40 AND stars = 5"), 1);
    /* survey answers: the score stays, the free text goes */
    assert_int_equal(count(f, "SELECT count(*) FROM survey_responses WHERE id = 31 AND nps = 9"
                              " AND json_extract(answers, '$.q1') = 9"
                              " AND json_extract(answers, '$.q2') IS NULL"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM survey_responses WHERE id = 32"
                              " AND json_extract(answers, '$.q2') = 'Bob'"),
                     1);
    /* its devices and their readings' links go; the readings stay as facts, values emptied */
    assert_int_equal(e.devices, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM devices WHERE contact_id = 1"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM device_readings WHERE device_id = 80"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM interactions WHERE id = 12 AND contact_id = 1"
                              " AND source = 'device' AND notes IS NULL"),
                     1);
    /* contact 2's device, link and reading are untouched */
    assert_int_equal(count(f, "SELECT count(*) FROM devices d JOIN device_readings r ON"
                              " r.device_id = d.id JOIN interactions i ON i.id = r.interaction_id"
                              " WHERE d.id = 81 AND d.name = 'Bob''s meter' AND i.notes ="
                              " '{\"t\":19}'"),
                     1);
    /* portal rows of contact 1 only */
    assert_int_equal(count(f, "SELECT count(*) FROM portal_accounts"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM portal_sessions WHERE contact_id = 1"), 0);
    assert_int_equal(e.portal_rows, 2);
    /* the audit log: email (any case), full name (any case) and phone are scrubbed */
    assert_int_equal(
        count(f, "SELECT count(*) FROM audit_log WHERE detail = '" MODEL_ERASED_TEXT "'"), 3);
    assert_int_equal(e.audit_rows, 3);
    assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE id IN (73, 74) AND detail"
                              " NOT LIKE '%erased%'"),
                     2);
    assert_int_equal(store_contact_erase(f->s, 99, &e, &err), KITH_ENOTFOUND);
}

static void restriction_is_in_force_until_rejected_or_lifted(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    exec(f, "INSERT INTO contacts (id, created_at, last_name) VALUES (3, 0, 'C'), (4, 0, 'D'),"
            " (5, 0, 'E'), (6, 0, 'F');"
            "INSERT INTO dsrs (created_at, contact_id, kind, status, received_at, due_at) VALUES"
            " (0, 3, 'restriction', 'completed', 0, 1), (0, 4, 'restriction', 'rejected', 0, 1),"
            " (0, 5, 'restriction', 'lifted', 0, 1), (0, 6, 'restriction', 'open', 0, 1),"
            " (0, 6, 'restriction', 'extended', 0, 1), (0, 2, 'objection', 'open', 0, 1);");
    int64_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(store_restricted_contacts(f->s, &ids, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 6);
    assert_true(store_ids_has(ids, n, 6));
    assert_false(store_ids_has(ids, n, 5));
    free(ids);
    for (int64_t c = 1; c <= 6; c++)
        assert_int_equal(store_contact_is_restricted(f->s, c), c == 3 || c == 6);
}

static int64_t got[8];
static size_t ngot;

static int collect(void *ctx, const struct store_dsr *d)
{
    (void)ctx;
    if (ngot < 8)
        got[ngot++] = d->id;
    return 0;
}

static void the_queue_is_by_due_date(void **state)
{
    struct fixture *f = *state;
    struct kith_error err = {0};
    struct store_dsr d = {
        .contact_id = 2, .kind = DSR_ACCESS, .status = DSR_OPEN, .received_at = 1, .due_at = 15};
    snprintf(d.filed_by, sizeof(d.filed_by), "staff");
    int64_t id;
    assert_int_equal(store_dsr_insert(f->s, &d, &id, &err), 0);
    struct store_dsr back;
    assert_int_equal(store_dsr_get(f->s, id, &back, &err), 0);
    assert_int_equal(back.kind, DSR_ACCESS);
    assert_string_equal(back.filed_by, "staff");
    /* open: 60 (due 10), this one (15), 61 (20) */
    struct store_dsr_filter q = {.open_only = true, .status = -1, .kind = -1};
    ngot = 0;
    assert_int_equal(store_dsr_list(f->s, &q, collect, NULL, &err), 0);
    assert_int_equal(ngot, 3);
    assert_int_equal(got[0], 60);
    assert_int_equal(got[1], id);
    assert_int_equal(got[2], 61);
    struct store_dsr_counts c;
    assert_int_equal(store_dsr_counts(f->s, 16, &c, &err), 0);
    assert_int_equal(c.open, 3);
    assert_int_equal(c.overdue, 2);
    assert_int_equal(c.next_due_at, 10);
    back.status = DSR_COMPLETED;
    back.closed_at = 3;
    assert_int_equal(store_dsr_update(f->s, &back, &err), 0);
    assert_int_equal(store_dsr_counts(f->s, 16, &c, &err), 0);
    assert_int_equal(c.open, 2);
    assert_int_equal(c.overdue, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(erasure_empties_every_personal_field_and_nothing_else,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(restriction_is_in_force_until_rejected_or_lifted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_queue_is_by_due_date, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
