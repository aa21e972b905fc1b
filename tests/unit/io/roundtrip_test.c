/*
 * roundtrip_test.c - export -> import into an empty database -> export gives byte-identical
 * CSV and JSON lines for every importable table, on a small fixture that holds the hard cases:
 * quotes, commas, line breaks, non-ASCII text, formula-like text, negative money, NULLs next to
 * empty strings, shortest reals, pre-1970 times, references forward and backward.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "io/import.h"

#define MAX_FIELDS 32

/* Text values are given as strings; "\x01" stands for NULL and numbers are parsed by type. */
#define NUL "\x01"

static void insert(struct store *s, const char *tname, const char *const *cells)
{
    const struct table_def *t = model_table(tname);
    assert_non_null(t);
    struct store_value vals[MAX_FIELDS];
    for (size_t i = 0; i < t->nfields; i++) {
        const char *c = cells[i];
        const struct field_def *f = &t->fields[i];
        if (strcmp(c, NUL) == 0)
            vals[i] = (struct store_value){.kind = SV_NULL};
        else if (f->type == FT_TEXT || f->type == FT_ENUM || f->type == FT_JSON)
            vals[i] = (struct store_value){.kind = SV_TEXT, .s = c, .len = strlen(c)};
        else if (f->type == FT_REAL)
            vals[i] = (struct store_value){.kind = SV_REAL, .r = strtod(c, NULL)};
        else
            vals[i] = (struct store_value){.kind = SV_INT, .i = strtoll(c, NULL, 10)};
    }
    struct kith_error err = {0};
    if (store_insert(s, t, vals, NULL, &err) != 0)
        fail_msg("insert into %s: %s", tname, err.msg);
}

#define ROW(t, ...) insert(s, t, (const char *const[]){__VA_ARGS__})

static void build_fixture(struct store *s)
{
    /* units: 1's parent (3) comes later in id order, so the import must accept it forward. */
    ROW("units", "3", "-86400001", "", "Ω Holdings", "manufacturer", NUL, "0");
    ROW("units", "1", "1714564800123", "U-1", "Nord, \"Süd\" & Ost", "business_unit", "3", "0");
    ROW("units", "2", "0", NUL, "Dealer\nwith a line break", "dealer", "1", "1");
    ROW("teams", "1", "1714564800000", "=Team \"A\"", "acquisition", "1");
    ROW("teams", "5", "1714564800001", "Retention, EMEA", "retention", "2");
    ROW("users", "1", "1714564800000", "ann@example.com", "Ann O'Neil", "admin", "1", "1", "-3",
        "$argon2id$v=19$not-exported", "0", NUL);
    ROW("users", "2", "1714564800000", "bob@example.com", "+Bob", "frontline", NUL, NUL, NUL, NUL,
        "1", "1");
    ROW("accounts", "10", "1714564800000", "A-10", "Acme, Inc.", "", "@west", "-123456789", "big",
        "EUR", "web", "1", "1", "5", "{\"tier\": \"A\", \"tags\": [\"x\", 1.5]}", NUL, "250",
        "1200000.50", "2026");
    ROW("accounts", "11", "1714564800000", NUL, "Zeta \"quoted\"", NUL, NUL, NUL, NUL, NUL, NUL,
        NUL, NUL, NUL, NUL, "10", NUL, NUL, NUL);
    ROW("contacts", "1", "1714564800000", "C-1", "10", "José", "Müller-Lüdenscheid",
        "jose@example.org", "+44 20 7946 0000", "-head of \"things\"", "decision_maker",
        "trade fair", "1", "1", "1", "closing", "3", "leader", "{}");
    ROW("contacts", "2", "1714564800000", NUL, NUL, "", "李", NUL, NUL, "\tTabbed", NUL, NUL, NUL,
        NUL, NUL, NUL, "-1", NUL, NUL);
    ROW("contacts", "3", "1714564800000", "'=already quoted", "11", NUL, "Plain", "p@example.org",
        NUL, "'quote at start", "user", NUL, "2", NUL, NUL, "acquisition", NUL, "watcher", NUL);
    ROW("interaction_types", "1", "1714564800000", "call", "Call, cold", "acquisition", "1",
        "phone", "0.1", "0.3333333333333333", "3", "250", "0", "1", "first line\nsecond, line");
    ROW("interaction_types", "2", "1714564800000", "refund", "Refund", "retention", "7", "web", "1",
        "1e-300", "-5", "-1999", "1", "0", NUL);
    ROW("interactions", "1", "1714564800000", "I-1", "1", "1", "1", "1714564800999", "phone",
        "outbound", "3", "250", "=cmd|' /C calc'!A0", "notes with \"quotes\",\ncommas and é",
        "manual", NUL);
    /* A void is of the contact of the interaction it voids (model/voids.h). */
    ROW("interactions", "2", "1714564801000", NUL, "1", NUL, "2", "-2208988800000", NUL, "inbound",
        "-5", "-1999", NUL, "", "import", "1");
    ROW("interactions", "3", "1714564801000", "I-3", "3", "2", "1", "253402300799999", "web", NUL,
        NUL, "0", "@SUM(1)", NUL, NUL, NUL);
    ROW("products", "1", "1714564800000", "SKU-1", "Widget, large", "tools", "1999", "-1", "EUR");
    ROW("products", "2", "1714564800000", "-SKU", "Ünïcödé", NUL, NUL, NUL, NUL);
    /* deals: the migration's default stages 1..6 are in both databases; 7 is a unit's own */
    ROW("deal_stages", "7", "1714564800000", "1", "Prüfung, \"tech\"", "3", "0.4", "open");
    ROW("deals", "1", "1714564800000", "D-1", "Big, \"one\"", "10", "1", "1", "7", "12500", "EUR",
        "0.4", "1714564800000", "1717243200000", NUL, NUL, NUL, "referral", "1", "1");
    ROW("deals", "2", "1714564800000", NUL, NUL, "11", NUL, NUL, "6", NUL, NUL, NUL, NUL, NUL, "-1",
        "lost", "=price", NUL, NUL, NUL);
    ROW("deal_lines", "1", "1714564800000", "1", "1", "2", "3998", "1999");
    ROW("quotas", "1", "1714564800000", "2", "1711929600000", "1719792000000", "5000000", "EUR");
    ROW("orders", "1", "1714564800000", "O-1", "10", "1", "1714564800000", "-2500", "-100", "EUR",
        "1", "1", "credit", NUL);
    ROW("orders", "2", "1714564800000", NUL, "11", NUL, "0", "0", NUL, NUL, NUL, NUL, NUL, NUL);
    ROW("orders", "3", "1714564800000", NUL, "11", NUL, "1", "-1", NUL, NUL, NUL, NUL, "return",
        "2"); /* reverses the sale 2 */
    ROW("order_lines", "1", "1714564800000", "1", "1", "2", "3998", "-2", "1999");
    ROW("order_lines", "2", "1714564800000", "1", "2", "-1", "-6498", NUL, NUL);
    ROW("events", "1", "1714564800000", "referral", "1", "10", "1714564800000", "2", "5000",
        "referred \"Li\"\nby phone");
    ROW("events", "2", "1714564800000", "churn", NUL, "11", "-1", NUL, "-1", "=bad");
}

static void export_import_export_is_identical(void **state)
{
    (void)state;
    struct db_fixture *fa = db_fixture_open("roundtrip-a.db");
    struct db_fixture *fb = db_fixture_open("roundtrip-b.db");
    struct store *a = fa->s, *b = fb->s;
    struct kith_error err = {0};
    build_fixture(a);
    /* b is empty but for the default stages, which the export of a brings back with their ids */
    for (int64_t stage = 1; stage <= 6; stage++)
        if (store_delete(b, model_table("deal_stages"), stage, &err) != 0)
            fail_msg("deleting default stage %lld: %s", (long long)stage, err.msg);

    size_t tables = 0;
    for (size_t i = 0; i < model_ntables; i++) {
        const struct table_def *t = model_tables[i];
        if (!t->importable)
            continue;
        tables++;
        char *csv = export_to_string(a, t, EXPORT_CSV);
        FILE *in = fmemopen(csv, strlen(csv), "r");
        struct import_options opt = {.name = t->name};
        struct import_report *rep = malloc(sizeof(*rep));
        int rc = import_csv(b, t, in, &opt, rep, &err);
        if (rc != 0)
            fail_msg("import %s: %s; first: %s", t->name, err.msg,
                     rep->nshown ? rep->shown[0] : "");
        assert_true(rep->rows > 0); /* the fixture fills every importable table */
        fclose(in);
        free(rep);
        char *again = export_to_string(b, t, EXPORT_CSV);
        assert_string_equal(csv, again);
        free(again);
        char *jsonl_a = export_to_string(a, t, EXPORT_JSONL);
        char *jsonl_b = export_to_string(b, t, EXPORT_JSONL);
        assert_string_equal(jsonl_a, jsonl_b);
        free(jsonl_a);
        free(jsonl_b);
        free(csv);
    }
    assert_int_equal(tables, 15);
    db_fixture_close(fa);
    db_fixture_close(fb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(export_import_export_is_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
