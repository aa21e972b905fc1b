/*
 * import_test.c - tests of src/io/import.c: columns by name, natural-key references, --map,
 * --ignore-unknown, dry runs, kept and assigned ids, and every kind of bad input, each checked
 * for its message (file:line:column) and for leaving the database exactly as it was.
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

#include "fixture.h"
#include "io/import.h"
#include "store/store_int.h"

static const struct table_def *table(const char *name)
{
    const struct table_def *t = model_table(name);
    assert_non_null(t);
    return t;
}

/* Inserts one row given as "field=value" texts (values typed by the field). */
static int64_t insert(struct store *s, const char *tname, ...)
{
    const struct table_def *t = table(tname);
    struct store_value vals[32] = {0};
    for (size_t i = 0; i < t->nfields; i++) /* NOT NULL DEFAULT 0 in SQL */
        if (t->fields[i].type == FT_BOOL)
            vals[i] = (struct store_value){.kind = SV_INT, .i = 0};
    va_list ap;
    va_start(ap, tname);
    const char *pair;
    while ((pair = va_arg(ap, const char *))) {
        const char *eq = strchr(pair, '=');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(eq - pair), pair);
        size_t fi;
        const struct field_def *f = table_field(t, name, &fi);
        assert_non_null(f);
        const char *v = eq + 1;
        if (f->type == FT_TEXT || f->type == FT_ENUM || f->type == FT_JSON) {
            vals[fi] = (struct store_value){.kind = SV_TEXT, .s = v, .len = strlen(v)};
        } else if (f->type == FT_REAL) {
            vals[fi] = (struct store_value){.kind = SV_REAL, .r = strtod(v, NULL)};
        } else {
            vals[fi] = (struct store_value){.kind = SV_INT, .i = strtoll(v, NULL, 10)};
        }
    }
    va_end(ap);
    struct kith_error err = {0};
    int64_t id;
    if (store_insert(s, t, vals, &id, &err) != 0)
        fail_msg("insert into %s: %s", tname, err.msg);
    return id;
}

static int setup(void **state)
{
    struct db_fixture *fx = db_fixture_open("import.db");
    struct store *s = fx->s;
    insert(s, "units", "name=HQ", "kind=manufacturer", "external_id=U-1", "created_at=1000", NULL);
    insert(s, "users", "email=ann@example.com", "name=Ann", "role=manager", "unit_id=1",
           "created_at=1000", NULL);
    insert(s, "accounts", "name=Acme", "external_id=A-1", "created_at=1000", NULL);
    insert(s, "contacts", "last_name=Old", "email=old@example.org", "external_id=C-1",
           "account_id=1", "created_at=1000", NULL);
    insert(s, "interaction_types", "code=call", "name=Call", "phase=acquisition", "level=1",
           "channel=phone", "touch=0.8", "tech=0.1", "rv=3", "cost=250", "created_at=1000", NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    db_fixture_close(*state);
    return 0;
}

/* Every exportable table as CSV, one after another: equal snapshots mean equal contents. */
static char *snapshot(struct store *s)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    assert_non_null(out);
    for (size_t i = 0; i < model_ntables; i++) {
        if (!model_tables[i]->exportable)
            continue;
        char *csv = export_to_string(s, model_tables[i], EXPORT_CSV);
        fprintf(out, "# %s\n%s", model_tables[i]->name, csv);
        free(csv);
    }
    fclose(out);
    return buf;
}

static int run_import(struct store *s, const char *tname, const char *csv,
                      const struct import_options *opt_in, struct import_report *rep)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    struct import_options opt = {.name = "in.csv"};
    if (opt_in)
        opt = *opt_in;
    struct kith_error err = {0};
    int rc = import_csv(s, table(tname), in, &opt, rep, &err);
    fclose(in);
    if (rc == KITH_EINVAL && rep->nerrors)
        assert_non_null(strstr(err.msg, "nothing was imported"));
    return rc;
}

static int64_t count(struct store *s, const char *tname)
{
    int64_t n;
    assert_int_equal(store_count(s, table(tname), &n, NULL), 0);
    return n;
}

static int64_t pragma_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/*
 * Imports csv into tname expecting it to fail with exactly one error equal to want, and the
 * database to be unchanged.
 */
static void expect_one_error(struct db_fixture *fx, const char *tname, const char *csv,
                             const char *want)
{
    char *before = snapshot(fx->s);
    struct import_report *rep = malloc(sizeof(*rep));
    assert_int_equal(run_import(fx->s, tname, csv, NULL, rep), KITH_EINVAL);
    if (rep->nerrors != 1 || strcmp(rep->shown[0], want) != 0)
        fail_msg("expected the one error\n  %s\ngot %llu, first:\n  %s", want,
                 (unsigned long long)rep->nerrors, rep->nshown ? rep->shown[0] : "(none)");
    char *after = snapshot(fx->s);
    assert_string_equal(before, after);
    assert_int_equal(pragma_int(fx->s, "PRAGMA foreign_keys"), 1);
    free(rep);
    free(before);
    free(after);
}

/* ----- what goes in ------------------------------------------------------------------------- */

static void imports_by_header_name_with_natural_keys(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "contacts",
                                "last_name,first_name,email,account_name,owner_email,unit_name,"
                                "stage,custom\n"
                                "Novák,Kateřina,kn@example.org,Acme,ANN@example.com,HQ,closing,"
                                "\"{\"\"tier\"\": \"\"A\"\"}\"\n"
                                "Berg,,,,,,,\n",
                                NULL, &rep),
                     0);
    assert_int_equal(rep.rows, 2);
    assert_int_equal(rep.nerrors, 0);
    int64_t id;
    assert_int_equal(store_find_id(fx->s, table("contacts"), "email", "kn@example.org", &id, NULL),
                     0);
    assert_int_equal(id, 2);
    assert_int_equal(run_import(fx->s, "interactions",
                                "contact_email,type_code,user_email,occurred_at,rv,cost,notes\n"
                                "kn@example.org,call,ann@example.com,2024-05-01T14:00:00+02:00,3,"
                                "-2.5,'=1+1\n"
                                "kn@example.org,call,,1714564800,,,\n",
                                NULL, &rep),
                     0);
    char *all = snapshot(fx->s);
    /* owner found case-insensitively, JSON kept as written, both times the same instant. */
    assert_non_null(strstr(all, ",,1,Kateřina,Novák,kn@example.org,,,,,1,1,,closing,,,"
                                "\"{\"\"tier\"\": \"\"A\"\"}\"\n"));
    assert_non_null(strstr(all, ",,2,1,1,2024-05-01T12:00:00.000Z,,,3,-2.50,,'=1+1,import,\n"));
    assert_non_null(strstr(all, ",,2,,1,2024-05-01T12:00:00.000Z,,,,,,,import,\n"));
    free(all);
}

static void keeps_given_ids_and_assigns_the_others(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "units",
                                "id,name,kind,parent_id,created_at\n"
                                "50,East,dealer,51,2024-01-01\n" /* its parent comes next */
                                "51,Region,business_unit,1,2024-01-01\n"
                                ",West,dealer,parent_is_empty_below,\n",
                                NULL, &rep),
                     KITH_EINVAL);
    assert_string_equal(rep.shown[0], "in.csv:4:4: parent_id: bad id 'parent_is_empty_below':"
                                      " expected a positive whole number");
    assert_int_equal(run_import(fx->s, "units",
                                "id,name,kind,parent_id,created_at\n"
                                "50,East,dealer,51,2024-01-01\n"
                                "51,Region,business_unit,1,2024-01-01\n"
                                ",West,dealer,,\n",
                                NULL, &rep),
                     0);
    int64_t id;
    assert_int_equal(store_find_id(fx->s, table("units"), "name", "West", &id, NULL), 0);
    assert_int_equal(id, 52);
    assert_true(store_row_exists(fx->s, table("units"), 50));
}

static void maps_ignores_and_defaults(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    static const struct import_map maps[] = {{.from = "E-mail", .to = "email"},
                                             {.from = "Full name", .to = "name"}};
    struct import_options opt = {
        .name = "crm.csv", .maps = maps, .nmaps = 2, .ignore_unknown = true};
    assert_int_equal(run_import(fx->s, "users",
                                "E-mail,Full name,role,Favourite colour\n"
                                "bo@example.com,Bo,analyst,green\n",
                                &opt, &rep),
                     0);
    char *all = snapshot(fx->s);
    assert_non_null(strstr(all, ",bo@example.com,Bo,analyst,,,,false,\n")); /* false by default */
    free(all);

    /* A --map whose source is not in the header is an error, like an unknown column. */
    static const struct import_map wrong[] = {{.from = "Mail", .to = "email"}};
    opt = (struct import_options){.name = "crm.csv", .maps = wrong, .nmaps = 1};
    assert_int_equal(run_import(fx->s, "users", "email,name,role\nx@y.z,X,admin\n", &opt, &rep),
                     KITH_EINVAL);
    assert_string_equal(
        rep.shown[0],
        "crm.csv:1: --map Mail=...: the header has no column 'Mail' (it has: email, name, role)");
}

static void dry_run_checks_but_writes_nothing(void **state)
{
    struct db_fixture *fx = *state;
    char *before = snapshot(fx->s);
    struct import_report rep;
    struct import_options opt = {.name = "in.csv", .dry_run = true};
    assert_int_equal(
        run_import(fx->s, "accounts", "name,annual_revenue\nNew Co,12.50\n", &opt, &rep), 0);
    assert_int_equal(rep.rows, 1);
    char *after = snapshot(fx->s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* ----- bad input: one error each, nothing changed ------------------------------------------- */

static void bad_utf8(void **state)
{
    expect_one_error(*state, "contacts", "last_name,first_name\nSmith,J\xC3\x28rg\n",
                     "in.csv:2:2: first_name: not valid UTF-8 (byte 2 of the field)");
}

static void unknown_column(void **state)
{
    expect_one_error(*state, "contacts", "last_name,nickname\nSmith,Smithy\n",
                     "in.csv:1:2: unknown column 'nickname': not a column of contacts (see 'kith"
                     " export --columns contacts'; --map 'nickname=FIELD' reads it as"
                     " FIELD,"
                     " --ignore-unknown skips it)");
    expect_one_error(*state, "contacts", "last_name,\nSmith,\n",
                     "in.csv:1:2: column without a name (a comma too many in the header?);"
                     " --ignore-unknown skips it");
}

static void missing_required_value(void **state)
{
    expect_one_error(*state, "contacts", "first_name,last_name\nAnn,\n",
                     "in.csv:2:2: last_name: missing required value (text)");
    expect_one_error(*state, "contacts", "first_name,last_name\nAnn,\"\"\n",
                     "in.csv:2:2: last_name: missing required value (text)");
}

static void missing_required_column(void **state)
{
    expect_one_error(*state, "interactions", "contact_id,occurred_at\n1,2024-01-01\n",
                     "in.csv:1: missing column for the required field type_id (give type_id or"
                     " type_code, or --set type_id=VALUE)");
}

static void unknown_reference(void **state)
{
    expect_one_error(*state, "interactions",
                     "contact_email,type_code,occurred_at\nnobody@example.org,call,2024-01-01\n",
                     "in.csv:2:1: contact_email: no contact with email 'nobody@example.org'");
    expect_one_error(*state, "interactions", "contact_id,type_id,occurred_at\n1,77,2024-01-01\n",
                     "in.csv:2:2: type_id: no interaction type with id 77");
    expect_one_error(*state, "units", "id,name,kind,parent_id\n9,X,dealer,10\n",
                     "in.csv:2:4: parent_id: no unit with id 10 in the database or this file");
}

static void conflicting_reference_columns(void **state)
{
    insert(((struct db_fixture *)*state)->s, "contacts", "last_name=Two", "email=two@example.org",
           NULL);
    expect_one_error(*state, "interactions",
                     "contact_id,contact_email,type_code,occurred_at\n"
                     "1,two@example.org,call,2024-01-01\n",
                     "in.csv:2:2: contact_email: names contact 2 but another column names"
                     " contact 1");
}

static void bad_date(void **state)
{
    expect_one_error(*state, "interactions",
                     "contact_id,type_id,occurred_at\n1,1,2024-02-30T10:00:00Z\n",
                     "in.csv:2:3: occurred_at: bad time '2024-02-30T10:00:00Z': no such day in"
                     " that month");
    expect_one_error(*state, "interactions", "contact_id,type_id,occurred_at\n1,1,05/01/2024\n",
                     "in.csv:2:3: occurred_at: bad time '05/01/2024': expected ISO 8601"
                     " (2024-05-01, 2024-05-01T12:00:00Z, 2024-05-01T12:00:00.000+02:00) or Unix"
                     " seconds or milliseconds");
}

static void bad_number(void **state)
{
    expect_one_error(*state, "interactions",
                     "contact_id,type_id,occurred_at,rv\n1,1,2024-01-01,ten\n",
                     "in.csv:2:4: rv: bad number 'ten': expected a whole number like 42 or -7");
    expect_one_error(*state, "interactions",
                     "contact_id,type_id,occurred_at,cost\n1,1,2024-01-01,1.999\n",
                     "in.csv:2:4: cost: bad amount '1.999': at most 2 decimals after the point");
    expect_one_error(*state, "interaction_types",
                     "code,name,phase,level,channel,touch,tech,rv,cost\n"
                     "x,X,closing,1,web,nan,0,1,0\n",
                     "in.csv:2:6: touch: bad number 'nan': expected a decimal number like 0.25 or"
                     " 1e-3");
    expect_one_error(*state, "users", "email,name,role,disabled\nz@z.z,Z,admin,maybe\n",
                     "in.csv:2:4: disabled: bad boolean 'maybe': expected true/false, 1/0 or"
                     " yes/no");
}

static void bad_enum_and_json(void **state)
{
    expect_one_error(*state, "contacts", "last_name,stage\nX,won\n",
                     "in.csv:2:2: stage: bad value 'won': expected one of acquisition, closing,"
                     " retention");
    expect_one_error(*state, "accounts", "name,custom\nX,\"[1,2]\"\n",
                     "in.csv:2:2: custom: expected a JSON object ({...}), got '[1,2]'");
    expect_one_error(*state, "accounts", "name,custom\nX,{oops}\n",
                     "in.csv:2:2: custom: bad JSON at character 5: string or '}' expected near"
                     " 'oops'");
}

/* The rules of model/validate.h that the API always had: import used to let these in. */
static void refuses_what_the_api_refuses(void **state)
{
    expect_one_error(*state, "contacts", "last_name,email\nSmith,Ann Smith\n",
                     "in.csv:2:2: email: bad email address 'Ann Smith': it has a space or a"
                     " control character; expected one like name@example.com");
    expect_one_error(*state, "accounts", "name,currency\nX,eur\n",
                     "in.csv:2:2: currency: bad currency 'eur': ISO 4217 codes are written in"
                     " capitals (EUR)");
    expect_one_error(*state, "products", "sku,name,currency\nS,X,EUX\n",
                     "in.csv:2:3: currency: bad currency 'EUX': expected an ISO 4217 currency"
                     " code like EUR, USD or JPY");
    expect_one_error(*state, "interaction_types",
                     "code,name,phase,level,channel,touch,tech,rv,cost\n"
                     "x,X,closing,1,web,1.5,0,1,0\n",
                     "in.csv:2:6: touch: bad number '1.5': expected a number from 0 to 1");
    expect_one_error(*state, "interaction_types",
                     "code,name,phase,level,channel,touch,tech,rv,cost\n"
                     "x,X,closing,0,web,0.5,0,1,0\n",
                     "in.csv:2:4: level: bad number '0': expected a whole number from 1 to 8");
    /* A natural-key column follows the rules of its key. */
    expect_one_error(*state, "interactions",
                     "contact_email,type_code,occurred_at\nAnn Smith,call,2024-01-01\n",
                     "in.csv:2:1: contact_email: bad email address 'Ann Smith': it has a space or"
                     " a control character; expected one like name@example.com");
}

static void duplicate_key_within_the_file(void **state)
{
    expect_one_error(*state, "contacts", "last_name,email\nA,new@example.org\nB,New@Example.org\n",
                     "in.csv:3:2: email: duplicate 'New@Example.org': contact 2 already has it"
                     " (added earlier from this file)");
    expect_one_error(*state, "units", "id,name,kind\n7,A,dealer\n7,B,dealer\n",
                     "in.csv:3:1: id: duplicate id 7: units already has a row with it (added"
                     " earlier from this file)");
}

static void duplicate_key_against_existing_rows(void **state)
{
    expect_one_error(*state, "contacts", "last_name,external_id\nA,C-1\n",
                     "in.csv:2:2: external_id: duplicate 'C-1': contact 1 already has it (in the"
                     " database; --upsert updates it instead)");
    expect_one_error(*state, "units", "id,name,kind\n1,Other,dealer\n",
                     "in.csv:2:1: id: duplicate id 1: units already has a row with it (in the"
                     " database)");
}

static void too_long_field(void **state)
{
    char csv[512];
    snprintf(csv, sizeof(csv), "name,kind,external_id\nX,dealer,%0129d\n", 7);
    expect_one_error(*state, "units", csv,
                     "in.csv:2:3: external_id: too long: 129 bytes, at most 128");
}

static void truncated_quoted_field(void **state)
{
    expect_one_error(*state, "contacts", "last_name,title\nA,ok\nB,\"never closed\nat EOF",
                     "in.csv:3:2: unterminated quoted field: the file ends inside quotes");
}

static void wrong_number_of_fields(void **state)
{
    expect_one_error(*state, "contacts", "last_name,title\nA,b,c\n",
                     "in.csv:2:3: expected 2 fields as in the header, found 3");
}

static void secret_column(void **state)
{
    expect_one_error(*state, "users", "email,name,role,password_hash\na@b.c,A,admin,x\n",
                     "in.csv:1:4: column 'password_hash' is secret and cannot be imported"
                     " (remove it or --ignore-unknown)");
}

static void shows_twenty_errors_and_counts_the_rest(void **state)
{
    struct db_fixture *fx = *state;
    char *before = snapshot(fx->s);
    char csv[4096];
    size_t len = (size_t)snprintf(csv, sizeof(csv), "last_name,level\n");
    for (int i = 0; i < 30; i++)
        len += (size_t)snprintf(csv + len, sizeof(csv) - len, "X,high\n");
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "contacts", csv, NULL, &rep), KITH_EINVAL);
    assert_int_equal(rep.nerrors, 30);
    assert_int_equal(rep.nshown, IMPORT_MAX_SHOWN);
    assert_string_equal(rep.shown[19], "in.csv:21:2: level: bad number 'high': expected a whole"
                                       " number like 42 or -7");
    char *after = snapshot(fx->s);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* ----- the pipeline: errors in file order, references to rows not yet inserted -------------- */

/* n contacts "L<i>,Acme,c<i>@example.org,<i % 5>", with edit(i, line) changing some lines. */
static char *many_contacts(size_t n, void (*edit)(size_t i, char *line, size_t cap))
{
    size_t cap = 64 + n * 64;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t len = (size_t)snprintf(csv, cap, "last_name,account_name,email,level\n");
    for (size_t i = 0; i < n; i++) {
        char line[64];
        snprintf(line, sizeof(line), "L%zu,Acme,c%zu@example.org,%zu", i, i, i % 5);
        if (edit)
            edit(i, line, sizeof(line));
        len += (size_t)snprintf(csv + len, cap - len, "%s\n", line);
    }
    return csv;
}

static void spread_errors(size_t i, char *line, size_t cap)
{
    if (i == 9)
        snprintf(line, cap, "L9,Acme,c9@example.org,high");
    else if (i == 299)
        snprintf(line, cap, "L299,Nope,c299@example.org,x");
    else if (i == 399)
        snprintf(line, cap, "L399,Acme,c4@example.org,1");
    else if (i == 499)
        snprintf(line, cap, "L,Acme");
}

static void errors_come_in_file_order_across_batches(void **state)
{
    struct db_fixture *fx = *state;
    char *before = snapshot(fx->s);
    char *csv = many_contacts(600, spread_errors);
    struct import_report *rep = malloc(sizeof(*rep));
    assert_int_equal(run_import(fx->s, "contacts", csv, NULL, rep), KITH_EINVAL);
    static const char *const want[] = {
        "in.csv:11:4: level: bad number 'high': expected a whole number like 42 or -7",
        "in.csv:301:2: account_name: no account with name 'Nope'",
        "in.csv:301:4: level: bad number 'x': expected a whole number like 42 or -7",
        "in.csv:401:3: email: duplicate 'c4@example.org': contact 6 already has it (added"
        " earlier from this file)",
        "in.csv:501:3: expected 4 fields as in the header, found 2",
    };
    assert_int_equal(rep->nerrors, 5);
    assert_int_equal(rep->nshown, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(rep->shown[i], want[i]);
    char *after = snapshot(fx->s);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(rep);
    free(csv);
}

static void bad_level_but_one_bad_account(size_t i, char *line, size_t cap)
{
    if (i == 5)
        snprintf(line, cap, "L5,Nope,c5@example.org,1");
    else
        snprintf(line, cap, "L%zu,Acme,c%zu@example.org,bad", i, i);
}

/* The reader thread stops giving its errors text after the first twenty of its own. */
static void shows_the_first_twenty_of_both_threads(void **state)
{
    struct db_fixture *fx = *state;
    char *csv = many_contacts(600, bad_level_but_one_bad_account);
    struct import_report *rep = malloc(sizeof(*rep));
    assert_int_equal(run_import(fx->s, "contacts", csv, NULL, rep), KITH_EINVAL);
    assert_int_equal(rep->nerrors, 600);
    assert_int_equal(rep->nshown, IMPORT_MAX_SHOWN);
    for (size_t i = 0; i < IMPORT_MAX_SHOWN; i++) {
        char want[128];
        if (i == 5)
            snprintf(want, sizeof(want), "in.csv:7:2: account_name: no account with name 'Nope'");
        else
            snprintf(want, sizeof(want),
                     "in.csv:%zu:4: level: bad number 'bad': expected a whole number like 42 or"
                     " -7",
                     i + 2);
        assert_string_equal(rep->shown[i], want);
    }
    free(rep);
    free(csv);
}

static void refers_by_key_to_rows_earlier_in_the_file(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "units",
                                "name,kind,parent_name\n"
                                "A,dealer,HQ\n"
                                "B,dealer,A\n"
                                "C,dealer,B\n",
                                NULL, &rep),
                     0);
    int64_t a, b;
    assert_int_equal(store_find_id(fx->s, table("units"), "name", "A", &a, NULL), 0);
    assert_int_equal(store_find_id(fx->s, table("units"), "name", "B", &b, NULL), 0);
    assert_int_equal(pragma_int(fx->s, "SELECT parent_id FROM units WHERE name = 'B'"), a);
    assert_int_equal(pragma_int(fx->s, "SELECT parent_id FROM units WHERE name = 'C'"), b);
    /* Later in the file does not count for a key. */
    expect_one_error(*state, "units", "name,kind,parent_name\nC2,dealer,D2\nD2,dealer,\n",
                     "in.csv:2:3: parent_name: no unit with name 'D2' (a row later in the file"
                     " does not count yet: --create-missing units creates it, and that row then"
                     " fills it)");
}

static void duplicate_among_rows_inserted_together(void **state)
{
    struct db_fixture *fx = *state;
    size_t cap = 64 + 300 * 64;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t len = (size_t)snprintf(csv, cap, "external_id,contact_id,type_code,occurred_at\n");
    for (size_t i = 0; i < 300; i++)
        len += (size_t)snprintf(csv + len, cap - len, "I-%zu,1,call,%zu\n", i == 200 ? 100 : i,
                                1700000000 + i);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:202:1: external_id: duplicate 'I-100': interaction 101 already has"
                     " it (added earlier from this file)");
    free(csv);
}

static void ids_after_the_largest_possible_one(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "units",
                                "id,name,kind\n"
                                "9223372036854775807,Max,dealer\n"
                                ",Next,dealer\n"
                                ",Other,dealer\n",
                                NULL, &rep),
                     0);
    assert_int_equal(count(fx->s, "units"), 4);
    expect_one_error(*state, "units", "id,name,kind\n,Max,dealer\n",
                     "in.csv:2:2: name: duplicate 'Max': unit 9223372036854775807 already has it"
                     " (in the database; --upsert updates it instead)");
}

/* ----- large loads ------------------------------------------------------------------------- */

static char *many_interactions(size_t n, bool last_bad)
{
    size_t cap = 64 + n * 64;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t len = (size_t)snprintf(csv, cap, "external_id,contact_id,type_code,occurred_at,rv\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len, "I-%zu,1,%s,%zu,%zu\n", i,
                                last_bad && i == n - 1 ? "nope" : "call", 1700000000 + i, i % 9);
    return csv;
}

static int64_t index_count(struct store *s)
{
    return pragma_int(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                         " AND tbl_name = 'interactions'");
}

static void large_load_rebuilds_indexes_and_rolls_back_whole(void **state)
{
    struct db_fixture *fx = *state;
    int64_t indexes = index_count(fx->s);
    size_t n = 3 * 65536 / 2; /* past the first decision about indexes */
    char *bad = many_interactions(n, true);
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "interactions", bad, NULL, &rep), KITH_EINVAL);
    assert_int_equal(rep.nerrors, 1);
    assert_int_equal(count(fx->s, "interactions"), 0);
    assert_int_equal(index_count(fx->s), indexes);
    free(bad);

    char *good = many_interactions(n, false);
    assert_int_equal(run_import(fx->s, "interactions", good, NULL, &rep), 0);
    assert_int_equal(count(fx->s, "interactions"), (int64_t)n);
    assert_int_equal(index_count(fx->s), indexes);
    assert_int_equal(pragma_int(fx->s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(pragma_int(fx->s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    free(good);
}

/* ----- voids: model/voids.h, as the API's void route checks them ---------------------------- */

static void checks_voids_as_the_api_does(void **state)
{
    struct db_fixture *fx = *state;
    const char *head =
        "id,external_id,contact_id,type_code,occurred_at,voids_id,voids_external_id\n";
    char csv[512];
    insert(fx->s, "contacts", "last_name=Other", "created_at=1000", NULL); /* contact 2 */
    /* Without an id the first row gets id 1: the interaction it voids is itself. */
    expect_one_error(fx, "interactions",
                     "contact_id,type_code,occurred_at,voids_id\n1,call,1700000000,1\n",
                     "in.csv:2:4: voids_id: interaction 1 cannot void itself");
    snprintf(csv, sizeof(csv), "%s5,,1,call,1700000000,5,\n", head);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:2:6: voids_id: interaction 5 cannot void itself");
    snprintf(csv, sizeof(csv), "%s5,I-5,1,call,1700000000,,\n6,,2,call,1700000000,,I-5\n", head);
    expect_one_error(
        fx, "interactions", csv,
        "in.csv:3:7: voids_external_id: interaction 5 is of contact 1, not 2: a void is"
        " of the contact of the interaction it voids");
    snprintf(csv, sizeof(csv),
             "%s5,,1,call,1700000000,,\n6,,1,call,1700000000,5,\n"
             "7,,1,call,1700000000,6,\n",
             head);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:4:6: voids_id: interaction 6 voids another one and cannot itself be"
                     " voided");
    snprintf(csv, sizeof(csv),
             "%s5,,1,call,1700000000,,\n6,,1,call,1700000000,5,\n"
             "7,,1,call,1700000000,5,\n",
             head);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:4:6: voids_id: interaction 5 is already voided by 6");
    /* Voids of rows later in the file are checked once every row is in. */
    snprintf(csv, sizeof(csv),
             "%s4,,1,call,1700000000,,\n6,,1,call,1700000000,5,\n5,,1,call,1700000000,4,\n", head);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:3:6: voids_id: interaction 5 voids another one and cannot itself be"
                     " voided");
    /* Two voiding each other: the second finds the first a void, the first finds nothing. */
    snprintf(csv, sizeof(csv), "%s6,,1,call,1700000000,5,\n5,,1,call,1700000000,6,\n", head);
    struct import_report *two = malloc(sizeof(*two));
    assert_non_null(two);
    assert_int_equal(run_import(fx->s, "interactions", csv, NULL, two), KITH_EINVAL);
    assert_int_equal(two->nerrors, 2);
    assert_string_equal(two->shown[0], "in.csv:3:6: voids_id: interaction 6 voids another one and"
                                       " cannot itself be voided");
    assert_string_equal(two->shown[1], "in.csv:2:6: voids_id: no interaction with id 5");
    free(two);
    snprintf(csv, sizeof(csv), "%s6,,2,call,1700000000,5,\n5,,1,call,1700000000,,\n", head);
    expect_one_error(fx, "interactions", csv,
                     "in.csv:2:6: voids_id: interaction 5 is of contact 1, not 2: a void is of the"
                     " contact of the interaction it voids");
    snprintf(csv, sizeof(csv), "%s6,,1,call,1700000000,9,\n", head);
    expect_one_error(fx, "interactions", csv, "in.csv:2:6: voids_id: no interaction with id 9");

    /*
     * Good voids: of a row later in the file (row 1 voids the last), of a row earlier by key and
     * by id, one of them in the batch before (row 257 voids 256).
     */
    size_t n = 600, cap = 64 + n * 64, len = 0;
    char *good = malloc(cap);
    assert_non_null(good);
    len += (size_t)snprintf(good, cap, "%s1,,1,call,1700000000,%zu,\n", head, n);
    for (size_t i = 2; i <= n; i++) {
        if (i % 4 == 2)
            len += (size_t)snprintf(good + len, cap - len, "%zu,I-%zu,1,call,1700000000,,\n", i, i);
        else if (i % 4 == 3)
            len += (size_t)snprintf(good + len, cap - len, "%zu,,1,call,1700000000,,I-%zu\n", i,
                                    i - 1);
        else if (i % 4 == 0)
            len += (size_t)snprintf(good + len, cap - len, "%zu,,1,call,1700000000,,\n", i);
        else
            len +=
                (size_t)snprintf(good + len, cap - len, "%zu,,1,call,1700000000,%zu,\n", i, i - 1);
    }
    struct import_report rep;
    assert_int_equal(run_import(fx->s, "interactions", good, NULL, &rep), 0);
    assert_int_equal(count(fx->s, "interactions"), (int64_t)n);
    assert_int_equal(pragma_int(fx->s, "SELECT voids_id FROM interactions WHERE id = 1"), n);
    assert_int_equal(pragma_int(fx->s, "SELECT voids_id FROM interactions WHERE id = 3"), 2);
    assert_int_equal(pragma_int(fx->s, "SELECT voids_id FROM interactions WHERE id = 257"), 256);
    free(good);
    /* ... and now in the database, voided and voiding: a void of either is refused. */
    snprintf(csv, sizeof(csv), "%s,,1,call,1700000000,4,\n,,1,call,1700000000,5,\n", head);
    two = malloc(sizeof(*two));
    assert_non_null(two);
    assert_int_equal(run_import(fx->s, "interactions", csv, NULL, two), KITH_EINVAL);
    assert_int_equal(two->nerrors, 2);
    assert_string_equal(two->shown[0],
                        "in.csv:2:6: voids_id: interaction 4 is already voided by 5");
    assert_string_equal(two->shown[1], "in.csv:3:6: voids_id: interaction 5 voids another one and"
                                       " cannot itself be voided");
    free(two);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(imports_by_header_name_with_natural_keys),
        T(keeps_given_ids_and_assigns_the_others),
        T(maps_ignores_and_defaults),
        T(dry_run_checks_but_writes_nothing),
        T(bad_utf8),
        T(unknown_column),
        T(missing_required_value),
        T(missing_required_column),
        T(unknown_reference),
        T(conflicting_reference_columns),
        T(bad_date),
        T(bad_number),
        T(bad_enum_and_json),
        T(refuses_what_the_api_refuses),
        T(duplicate_key_within_the_file),
        T(duplicate_key_against_existing_rows),
        T(too_long_field),
        T(truncated_quoted_field),
        T(wrong_number_of_fields),
        T(secret_column),
        T(shows_twenty_errors_and_counts_the_rest),
        T(errors_come_in_file_order_across_batches),
        T(shows_the_first_twenty_of_both_threads),
        T(refers_by_key_to_rows_earlier_in_the_file),
        T(duplicate_among_rows_inserted_together),
        T(ids_after_the_largest_possible_one),
        T(large_load_rebuilds_indexes_and_rolls_back_whole),
        T(checks_voids_as_the_api_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
