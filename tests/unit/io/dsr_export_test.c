/*
 * dsr_export_test.c - the data-subject export (io/dsr_export.c, dsr_export_zip.c,
 * dsr_export_import.c): the zip's records as APPNOTE.TXT lays them out (read back here byte by
 * byte, the CRC against the standard check value), which tables an export holds and in what
 * role, that a contact's export holds its rows and its account's orders and nothing of another
 * contact, and that an import into an empty database exports back to the same rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "fixture.h"
#include "io/dsr_export.h"
#include "io/dsr_export_int.h"
#include "io/dsr_export_zip.h"

static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Raw-inflates csize bytes at p; the caller frees the result of usize bytes. */
static unsigned char *inflate_raw(const unsigned char *p, size_t csize, size_t usize)
{
    unsigned char *out = malloc(usize + 1);
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_non_null(out);
    assert_int_equal(inflateInit2(&zs, -15), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)csize;
    zs.next_out = out;
    zs.avail_out = (uInt)usize + 1;
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, usize);
    inflateEnd(&zs);
    return out;
}

static void zip_records_follow_the_format(void **state)
{
    (void)state;
    struct kith_error err = {0};
    struct dsr_zip *z = dsr_zip_new();
    assert_non_null(z);
    char big[5000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = "id,name\n1,Ann\n"[i % 14];
    /* 2024-05-01T12:00:06Z */
    assert_int_equal(dsr_zip_add(z, "check.txt", "123456789", 9, 1714564806000, &err), 0);
    assert_int_equal(dsr_zip_add(z, "big.csv", big, sizeof(big), 1714564806000, &err), 0);
    assert_int_equal(dsr_zip_add(z, "empty.csv", "", 0, 0, &err), 0);
    assert_int_equal(dsr_zip_add(z, "", "x", 1, 0, &err), KITH_EINVAL);
    unsigned char *data;
    size_t len;
    assert_int_equal(dsr_zip_finish(z, &data, &len, &err), 0);
    dsr_zip_free(z);

    /* the end record: the last 22 bytes (no comment) */
    assert_true(len > 22);
    const unsigned char *end = data + len - 22;
    assert_int_equal(le32(end), 0x06054b50u);
    assert_int_equal(le16(end + 8), 3);
    assert_int_equal(le16(end + 10), 3);
    size_t cd_size = le32(end + 12), cd_off = le32(end + 16);
    assert_int_equal(cd_off + cd_size, len - 22);

    const char *names[] = {"check.txt", "big.csv", "empty.csv"};
    const void *contents[] = {"123456789", big, ""};
    size_t sizes[] = {9, sizeof(big), 0};
    const unsigned char *c = data + cd_off;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(le32(c), 0x02014b50u);
        uint32_t method = le16(c + 10), crc = le32(c + 16);
        size_t csize = le32(c + 20), usize = le32(c + 24), nlen = le16(c + 28);
        size_t local = le32(c + 42);
        assert_int_equal(le16(c + 8) & 0x0800u, 0x0800u); /* UTF-8 names */
        assert_int_equal(usize, sizes[i]);
        assert_int_equal(nlen, strlen(names[i]));
        assert_memory_equal(c + 46, names[i], nlen);
        /* the local header says the same */
        const unsigned char *l = data + local;
        assert_int_equal(le32(l), 0x04034b50u);
        assert_int_equal(le16(l + 8), method);
        assert_int_equal(le32(l + 14), crc);
        assert_int_equal(le32(l + 18), csize);
        assert_int_equal(le32(l + 22), usize);
        assert_memory_equal(l + 30, names[i], nlen);
        const unsigned char *body = l + 30 + nlen + le16(l + 28);
        if (i == 0) {
            /* CRC-32 check value of "123456789"; nine bytes do not deflate smaller: stored */
            assert_int_equal(crc, 0xCBF43926u);
            assert_int_equal(method, 0);
            assert_memory_equal(body, "123456789", 9);
            /* 12:00:06 UTC on 2024-05-01 in MS-DOS form */
            assert_int_equal(le16(l + 10), 12u << 11 | 0u << 5 | 3u);
            assert_int_equal(le16(l + 12), 44u << 9 | 5u << 5 | 1u);
        } else if (i == 1) {
            assert_int_equal(method, 8);
            assert_true(csize < usize);
            unsigned char *plain = inflate_raw(body, csize, usize);
            assert_memory_equal(plain, contents[i], usize);
            free(plain);
        } else {
            assert_int_equal(csize, 0);
            assert_int_equal(crc, 0);
        }
        c += 46 + nlen;
    }
    free(data);
}

static void tables_have_their_roles(void **state)
{
    (void)state;
    enum dsr_role role[DSR_TABLES_MAX] = {DSR_NONE};
    for (size_t k = 0; k < model_ntables; k++) {
        size_t parent = 0;
        role[k] = dsr_table_role(model_tables[k], role, &parent);
        const char *n = model_tables[k]->name;
        enum dsr_role want = DSR_NONE;
        if (strcmp(n, "contacts") == 0)
            want = DSR_SUBJECT;
        else if (strcmp(n, "interaction_types") == 0 || strcmp(n, "products") == 0 ||
                 strcmp(n, "surveys") == 0 || strcmp(n, "deal_stages") == 0)
            want = DSR_CATALOGUE;
        else if (strcmp(n, "order_lines") == 0 || strcmp(n, "deal_lines") == 0 ||
                 strcmp(n, "deal_stage_changes") == 0)
            want = DSR_CHILD;
        else if (strcmp(n, "interactions") == 0 || strcmp(n, "orders") == 0 ||
                 strcmp(n, "events") == 0 || strcmp(n, "deals") == 0 ||
                 strcmp(n, "consents") == 0 || strcmp(n, "survey_responses") == 0 ||
                 strcmp(n, "survey_optins") == 0 || strcmp(n, "dsrs") == 0)
            want = DSR_OWNED;
        if (strcmp(n, "users") == 0 || strcmp(n, "audit_log") == 0 || strcmp(n, "sessions") == 0 ||
            strcmp(n, "api_tokens") == 0 || strcmp(n, "accounts") == 0 || strcmp(n, "quotas") == 0)
            assert_int_equal(role[k], DSR_NONE);
        if (want != DSR_NONE && role[k] != want)
            fail_msg("%s: role %d, expected %d", n, role[k], want);
        if (role[k] == DSR_CHILD)
            assert_int_equal(model_tables[k]->fields[parent].type, FT_REF);
    }
}

/* Inserts a row of t from "field", "value" pairs ending with NULL; other fields are NULL. */
static int64_t put(struct store *s, const char *tname, ...)
{
    const struct table_def *t = model_table(tname);
    struct store_value vals[64];
    assert_non_null(t);
    for (size_t i = 0; i < t->nfields; i++)
        vals[i] = (struct store_value){.kind = SV_NULL};
    va_list ap;
    va_start(ap, tname);
    const char *name;
    while ((name = va_arg(ap, const char *))) {
        const char *v = va_arg(ap, const char *);
        size_t i;
        const struct field_def *f = table_field(t, name, &i);
        if (!f)
            fail_msg("%s has no field %s", tname, name);
        if (f->type == FT_TEXT || f->type == FT_ENUM || f->type == FT_JSON)
            vals[i] = (struct store_value){.kind = SV_TEXT, .s = v, .len = strlen(v)};
        else if (f->type == FT_REAL)
            vals[i] = (struct store_value){.kind = SV_REAL, .r = strtod(v, NULL)};
        else
            vals[i] = (struct store_value){.kind = SV_INT, .i = strtoll(v, NULL, 10)};
    }
    va_end(ap);
    struct kith_error err = {0};
    int64_t id;
    if (store_insert(s, t, vals, &id, &err) != 0)
        fail_msg("insert into %s: %s", tname, err.msg);
    return id;
}

static void build_world(struct store *s)
{
    put(s, "accounts", "name", "Acme", "external_id", "A-1", NULL);
    put(s, "accounts", "name", "Other", NULL);
    put(s, "contacts", "account_id", "1", "last_name", "Ng", "email", "ng@example.com", "phone",
        "+1 555", NULL);
    put(s, "contacts", "account_id", "1", "last_name", "Colleague", NULL);
    put(s, "contacts", "account_id", "2", "last_name", "Stranger", NULL);
    put(s, "interaction_types", "code", "call", "name", "Phone call", "phase", "acquisition",
        "level", "1", "channel", "phone", "touch", "0.5", "tech", "0.5", "rv", "3", "cost", "100",
        "is_trigger", "0", "is_voc", "0", NULL);
    put(s, "interaction_types", "code", "demo", "name", "Demo", "phase", "closing", "level", "2",
        "channel", "visit", "touch", "1", "tech", "0", "rv", "8", "cost", "0", "is_trigger", "1",
        "is_voc", "0", NULL);
    put(s, "interactions", "contact_id", "1", "type_id", "1", "occurred_at", "1700000000000",
        "notes", "=asked for a quote", NULL);
    put(s, "interactions", "contact_id", "1", "type_id", "2", "occurred_at", "1700000100000", "rv",
        "-5", NULL);
    put(s, "interactions", "contact_id", "2", "type_id", "1", "occurred_at", "1700000200000", NULL);
    put(s, "interactions", "contact_id", "3", "type_id", "2", "occurred_at", "1700000300000", NULL);
    put(s, "products", "sku", "P-1", "name", "Pump", NULL);
    put(s, "orders", "account_id", "1", "contact_id", "2", "ordered_at", "1700000400000", "amount",
        "1250", NULL); /* the colleague's order: the account's */
    put(s, "orders", "account_id", "2", "contact_id", "3", "ordered_at", "1700000500000", "amount",
        "990", NULL);
    put(s, "order_lines", "order_id", "1", "product_id", "1", "quantity", "2", "amount", "1250",
        NULL);
    put(s, "order_lines", "order_id", "2", "product_id", "1", "quantity", "1", "amount", "990",
        NULL);
    put(s, "consents", "contact_id", "1", "purpose", "marketing", "channel", "sms", "state",
        "withdrawn", "recorded_at", "1700000600000", NULL);
}

static json_t *rows_of(json_t *doc, const char *table)
{
    return json_object_get(json_object_get(json_object_get(doc, "tables"), table), "rows");
}

static void contact_export_holds_its_rows_only(void **state)
{
    (void)state;
    struct db_fixture *fx = db_fixture_open("dsr_export");
    struct kith_error err = {0};
    build_world(fx->s);
    json_t *doc = NULL;
    assert_int_equal(dsr_export_json(fx->s, 99, 0, DSR_FOR_SUBJECT, &doc, &err), KITH_ENOTFOUND);
    assert_int_equal(dsr_export_json(fx->s, 1, 1714564800000, DSR_FOR_SUBJECT, &doc, &err), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "schema")), DSR_EXPORT_SCHEMA);
    assert_string_equal(json_string_value(json_object_get(doc, "generated_at")),
                        "2024-05-01T12:00:00.000Z");
    json_t *account = json_object_get(json_object_get(doc, "subject"), "account");
    assert_string_equal(json_string_value(json_object_get(account, "name")), "Acme");
    assert_int_equal(json_array_size(rows_of(doc, "contacts")), 1);
    assert_int_equal(json_array_size(rows_of(doc, "interactions")), 2);
    /* the colleague's order is the account's: in, with its line; the stranger's is not */
    assert_int_equal(json_array_size(rows_of(doc, "orders")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(rows_of(doc, "orders"), 0), "id")), 1);
    assert_int_equal(json_array_size(rows_of(doc, "order_lines")), 1);
    assert_int_equal(json_array_size(rows_of(doc, "products")), 1);
    assert_int_equal(json_array_size(rows_of(doc, "interaction_types")), 2);
    assert_int_equal(json_array_size(rows_of(doc, "consents")), 1);
    /* its own RV, else its type's, and the type's name */
    json_t *ex = json_object_get(doc, "interactions_explained");
    assert_int_equal(json_array_size(ex), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ex, 0), "rv")), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 0), "type_name")),
                        "Phone call");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ex, 1), "rv")), -5);
    /* nothing of the other contacts anywhere in the document */
    char *text = json_dumps(doc, 0);
    assert_null(strstr(text, "Stranger"));
    assert_null(strstr(text, "Colleague"));
    free(text);

    unsigned char *zip;
    size_t len;
    assert_int_equal(dsr_export_zip(fx->s, 1, 1714564800000, DSR_FOR_SUBJECT, &zip, &len, &err), 0);
    assert_true(len > 22);
    assert_int_equal(le32(zip), 0x04034b50u);
    free(zip);
    json_decref(doc);
    db_fixture_close(fx);
}

/* The rows of every table with ids and references left out, as one canonical string. */
static char *strip(json_t *doc)
{
    json_t *tables = json_object_get(doc, "tables");
    json_t *out = json_object();
    const char *name;
    json_t *entry;
    json_object_foreach(tables, name, entry)
    {
        json_t *rows = json_array();
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(entry, "rows"), i, row)
        {
            json_t *r = json_deep_copy(row);
            const struct table_def *t = model_table(name);
            for (size_t f = 0; f < t->nfields; f++)
                if (t->fields[f].type == FT_ID || t->fields[f].type == FT_REF)
                    json_object_del(r, t->fields[f].name);
            json_array_append_new(rows, r);
        }
        json_object_set_new(out, name, rows);
    }
    char *text = json_dumps(out, JSON_SORT_KEYS);
    json_decref(out);
    return text;
}

static void import_round_trips(void **state)
{
    (void)state;
    struct db_fixture *a = db_fixture_open("dsr_src"), *b = db_fixture_open("dsr_dst");
    struct kith_error err = {0};
    build_world(a->s);
    json_t *doc = NULL, *back = NULL;
    assert_int_equal(dsr_export_json(a->s, 1, 0, DSR_FOR_SUBJECT, &doc, &err), 0);

    json_t *bad = json_deep_copy(doc);
    json_object_set_new(bad, "schema", json_string("kith.dsr-export/2"));
    struct dsr_import_result r;
    assert_int_equal(dsr_import_json(b->s, bad, &r, &err), KITH_EINVAL);
    json_decref(bad);

    if (dsr_import_json(b->s, doc, &r, &err) != 0)
        fail_msg("import: %s", err.msg);
    assert_true(r.contact_id > 0);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(dsr_export_json(b->s, r.contact_id, 0, DSR_FOR_SUBJECT, &back, &err), 0);
    char *x = strip(doc), *y = strip(back);
    assert_string_equal(x, y);
    free(x);
    free(y);
    /* a second import finds the account, types and product, and refuses the taken email */
    assert_int_equal(dsr_import_json(b->s, doc, &r, &err), KITH_ECONFLICT);
    int64_t n;
    assert_int_equal(store_count(b->s, model_table("contacts"), &n, &err), 0);
    assert_int_equal(n, 1);
    json_decref(doc);
    json_decref(back);
    db_fixture_close(a);
    db_fixture_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zip_records_follow_the_format),
        cmocka_unit_test(tables_have_their_roles),
        cmocka_unit_test(contact_export_holds_its_rows_only),
        cmocka_unit_test(import_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
