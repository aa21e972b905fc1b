/*
 * import_map_test.c - tests of the mapping of kith import (src/io/import_map.c and what uses it):
 * the functions of --map and their syntax, one column feeding several fields, --set constants,
 * references by any key (ambiguous keys refused, the nearest values suggested), --create-missing,
 * --rejects, --upsert, the dry run's suspicious values, and whole paths in messages.
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

/* ----- the language ------------------------------------------------------------------------- */

/* Applies the --map spec to in and checks the result. */
static void expect_apply(const char *spec, const char *in, const char *want)
{
    char text[256], buf[1024];
    snprintf(text, sizeof(text), "%s", spec);
    struct import_map m;
    struct kith_error err = {0};
    if (import_map_parse(text, false, &m, &err) != 0)
        fail_msg("%s: %s", spec, err.msg);
    const char *out;
    size_t len;
    if (import_map_apply(&m, in, strlen(in), buf, sizeof(buf), &out, &len, &err) != 0)
        fail_msg("%s on '%s': %s", spec, in, err.msg);
    if (len != strlen(want) || memcmp(out, want, len) != 0)
        fail_msg("%s on '%s': got '%.*s', want '%s'", spec, in, (int)len, out, want);
}

static void expect_parse_error(const char *spec, const char *want)
{
    char text[256];
    snprintf(text, sizeof(text), "%s", spec);
    struct import_map m;
    struct kith_error err = {0};
    assert_int_equal(import_map_parse(text, false, &m, &err), KITH_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("%s: got '%s', want '%s' in it", spec, err.msg, want);
}

static void functions_transform_values(void **state)
{
    (void)state;
    expect_apply("revenue=annual_revenue|scale(1000000)", "2.5", "2500000");
    expect_apply("revenue=annual_revenue|scale(1000000)", "1223.72", "1223720000");
    expect_apply("r=x|scale(0.01)", "12345", "123.45");
    expect_apply("r=x|scale(-2)", "-0.5", "1");
    expect_apply("r=x|scale(10)", "", "");
    expect_apply("a=b|trim", "  two words \t", "two words");
    expect_apply("a=b|trim|upper", " eur ", "EUR");
    expect_apply("a=b | lower", "Ann@Example.COM", "ann@example.com");
    expect_apply("a=b|date(%m/%d/%Y)", "3/7/2017", "2017-03-07");
    expect_apply("a=b|date(%d.%m.%Y %H:%M)", "07.03.2017 14:05", "2017-03-07T14:05:00");
    expect_apply("a=b|replace(GTXPro,GTX Pro)", "GTXPro", "GTX Pro");
    expect_apply("a=b|replace(\",\",\";\")", "a,b,c", "a;b;c");
    expect_apply("a=b|replace(\"say \"\"hi\"\"\",hello)", "say \"hi\"!", "hello!");
    expect_apply("a=b|slug|suffix(@example.com)", "Anna-Maria  O'Neil",
                 "anna.maria.o.neil@example.com");
    expect_apply("a=b|prefix(ext-)", "42", "ext-42");
    expect_apply("a=b|prefix(ext-)", "", "");
    expect_apply("a=b|default(USD)", "", "USD");
    expect_apply("a=b|default(USD)", "EUR", "EUR");
    expect_apply("a=b", "as is", "as is");
}

static void bad_mappings_say_why(void **state)
{
    (void)state;
    expect_parse_error("a=b|frobnicate", "unknown function 'frobnicate' (the functions: trim,");
    expect_parse_error("a=b|scale", "scale takes 1 argument, got 0");
    expect_parse_error("a=b|replace(x)", "replace takes 2 arguments, got 1");
    expect_parse_error("a=b|scale(lots)", "scale(lots): not a number");
    expect_parse_error("a=b|replace(x,y", "unterminated arguments");
    expect_parse_error("a=nosuch.field", "'nosuch' is no table");
    expect_parse_error("justaname", "want SRC=FIELD");

    char text[64] = "revenue=annual_revenue|scale(1000)";
    struct import_map m;
    struct kith_error err = {0};
    assert_int_equal(import_map_parse(text, false, &m, &err), 0);
    char buf[64];
    const char *out;
    size_t len;
    assert_int_equal(import_map_apply(&m, "n/a", 3, buf, sizeof(buf), &out, &len, &err),
                     KITH_EINVAL);
    assert_string_equal(err.msg, "scale: 'n/a' is not a number");
    char dt[64] = "d=closed_at|date(%Y-%m-%d)";
    assert_int_equal(import_map_parse(dt, false, &m, &err), 0);
    assert_int_equal(import_map_apply(&m, "7/3/2017", 8, buf, sizeof(buf), &out, &len, &err),
                     KITH_EINVAL);
    assert_string_equal(err.msg, "date: '7/3/2017' does not match the format '%Y-%m-%d'");

    char set[64] = "users.role=manager";
    assert_int_equal(import_map_parse(set, true, &m, &err), 0);
    assert_null(m.from);
    assert_string_equal(m.to, "role");
    assert_string_equal(m.value, "manager");
    assert_ptr_equal(m.created, model_table("users"));
}

static void edit_distance(void **state)
{
    (void)state;
    assert_int_equal(import_edit_distance("GTXPro", 6, "GTX Pro", 7, 3), 1);
    assert_int_equal(import_edit_distance("technolgy", 9, "technology", 10, 3), 1);
    assert_int_equal(import_edit_distance("kitten", 6, "sitting", 7, 5), 3);
    assert_int_equal(import_edit_distance("ACME", 4, "acme", 4, 2), 0);
    assert_int_equal(import_edit_distance("abc", 3, "xyzxyz", 6, 2), 3); /* cut off at max + 1 */
    assert_int_equal(import_edit_distance("", 0, "ab", 2, 2), 2);
}

static void expect_round(const char *in, const char *want)
{
    char out[64];
    size_t len = 0;
    int r = import_round_half_even(in, strlen(in), 2, out, sizeof(out), &len);
    if (!want) {
        assert_int_equal(r, 0);
        return;
    }
    assert_int_equal(r, 1);
    assert_string_equal(out, want);
}

static void rounds_half_to_even(void **state)
{
    (void)state;
    expect_round("10.125", "10.12");
    expect_round("10.135", "10.14");
    expect_round("10.1251", "10.13");
    expect_round("10.124999", "10.12");
    expect_round("-0.125", "-0.12");
    expect_round("-2.675", "-2.68");
    expect_round("9.995", "10.00");
    expect_round("99.999", "100.00");
    expect_round(".005", "0.00");
    expect_round(" 1.2345 ", "1.23");
    expect_round("1.23", NULL);   /* nothing to round */
    expect_round("1.2300", NULL); /* zeros only */
    expect_round("12", NULL);
    expect_round("1,234.567", NULL); /* not plain: the amount's own check says why */
    expect_round("1e-3", NULL);
}

/* ----- imports ------------------------------------------------------------------------------ */

static int setup(void **state)
{
    struct db_fixture *fx = db_fixture_open("import_map.db");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    db_fixture_close(*state);
    return 0;
}

/* The maps of specs ("SRC=DST..." or "=DST=VALUE" for --set), parsed into maps (texts copied). */
static size_t parse_maps(const char *const *specs, struct import_map *maps, char texts[][128])
{
    size_t n = 0;
    for (; specs && specs[n]; n++) {
        bool set = specs[n][0] == '=';
        snprintf(texts[n], 128, "%s", specs[n] + (set ? 1 : 0));
        struct kith_error err = {0};
        if (import_map_parse(texts[n], set, &maps[n], &err) != 0)
            fail_msg("%s: %s", specs[n], err.msg);
    }
    return n;
}

/* Imports csv into tname with the maps and options of opt_in (maps from specs). */
static int run(struct store *s, const char *tname, const char *csv, const char *const *specs,
               struct import_options *opt, struct import_report *rep)
{
    struct import_map maps[16];
    char texts[16][128];
    struct import_options local = {.name = "in.csv"};
    if (!opt)
        opt = &local;
    if (!opt->name)
        opt->name = "in.csv";
    opt->maps = maps;
    opt->nmaps = parse_maps(specs, maps, texts);
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    struct kith_error err = {0};
    int rc = import_csv(s, model_table(tname), in, opt, rep, &err);
    fclose(in);
    return rc;
}

/* One query's single integer. */
static int64_t query_int(struct store *s, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void expect_error(struct import_report *rep, const char *want)
{
    for (size_t i = 0; i < rep->nshown; i++)
        if (strstr(rep->shown[i], want))
            return;
    fail_msg("no error with '%s'; first: %s", want, rep->nshown ? rep->shown[0] : "(none)");
}

static void expect_warning(struct import_report *rep, const char *want)
{
    for (size_t i = 0; i < rep->nwarnings; i++)
        if (strstr(rep->warnings[i], want))
            return;
    fail_msg("no warning with '%s'; first: %s", want, rep->nwarnings ? rep->warnings[0] : "(none)");
}

static void one_column_feeds_several_fields(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    const char *maps[] = {"Agent=name", "Agent=email|slug|suffix(@example.com)", "=role=frontline",
                          NULL};
    assert_int_equal(run(fx->s, "users", "Agent\nAnn Lee\nBo Chan\n", maps, NULL, &rep), 0);
    assert_int_equal(query_int(fx->s,
                               "SELECT count(*) FROM users WHERE email = 'ann.lee@example.com'"
                               " AND name = 'Ann Lee' AND role = 'frontline'"),
                     1);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM users"), 2);
    /* The same field twice is still an error, saying from where. */
    const char *twice[] = {"Agent=name", "Other=name", NULL};
    assert_int_equal(run(fx->s, "users", "Agent,Other\nA,B\n", twice, NULL, &rep), KITH_EINVAL);
    expect_error(&rep, "column 'name' appears twice (from 'Agent' and 'Other')");
}

static void references_by_any_key(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    const char *users[] = {"=role=frontline", NULL};
    assert_int_equal(run(fx->s, "users", "email,name\nann@example.com,Ann\nbo@example.com,Bo\n",
                         users, NULL, &rep),
                     0);
    /* owner_name: a user by name, which is no natural key of users. */
    assert_int_equal(
        run(fx->s, "accounts", "name,owner_name\nAcme,Bo\nGlobex,Ann\n", NULL, NULL, &rep), 0);
    assert_int_equal(query_int(fx->s, "SELECT owner_id FROM accounts WHERE name = 'Acme'"),
                     query_int(fx->s, "SELECT id FROM users WHERE name = 'Bo'"));
    /* Two accounts named Acme: a reference by that name is refused, naming both. */
    assert_int_equal(run(fx->s, "accounts", "name\nAcme\n", NULL, NULL, &rep), 0);
    int64_t before = query_int(fx->s, "SELECT count(*) FROM contacts");
    assert_int_equal(
        run(fx->s, "contacts", "last_name,account_name\nSmith,Acme\n", NULL, NULL, &rep),
        KITH_EINVAL);
    assert_int_equal(rep.nerrors, 1);
    assert_string_equal(rep.shown[0], "in.csv:2:2: account_name: 2 accounts have name 'Acme' (ids"
                                      " 1, 3): name the row by its id or by another key");
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM contacts"), before);
    /* A name that is not there: the nearest ones are suggested. */
    assert_int_equal(
        run(fx->s, "contacts", "last_name,account_name\nSmith,Globx\n", NULL, NULL, &rep),
        KITH_EINVAL);
    assert_string_equal(rep.shown[0], "in.csv:2:2: account_name: no account with name 'Globx';"
                                      " did you mean 'Globex'?");
    assert_int_equal(
        run(fx->s, "contacts", "last_name,owner_email\nSmith,an@example.com\n", NULL, NULL, &rep),
        KITH_EINVAL);
    assert_string_equal(rep.shown[0], "in.csv:2:2: owner_email: no user with email"
                                      " 'an@example.com'; did you mean 'ann@example.com'?");
}

static void create_missing_parents(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    struct import_options opt = {.ncreate = 1, .create = {model_table("accounts")}};
    /* A subsidiary before its parent: the parent is created, then filled by its own row. */
    const char *csv = "name,parent_name,industry\nSub,Parent,retail\nOther,,\nParent,,holding\n";
    assert_int_equal(run(fx->s, "accounts", csv, NULL, &opt, &rep), 0);
    assert_int_equal(rep.created, 1);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM accounts"), 3);
    assert_int_equal(query_int(fx->s, "SELECT industry = 'holding' FROM accounts WHERE name ="
                                      " 'Parent'"),
                     1);
    assert_int_equal(query_int(fx->s, "SELECT p.name = 'Parent' FROM accounts a JOIN accounts p"
                                      " ON p.id = a.parent_id WHERE a.name = 'Sub'"),
                     1);
    /* Without it, the message says how. */
    assert_int_equal(run(fx->s, "accounts", "name,parent_name\nX,Nowhere\n", NULL, NULL, &rep),
                     KITH_EINVAL);
    expect_error(&rep, "no account with name 'Nowhere' (a row later in the file does not count"
                       " yet: --create-missing accounts creates it");
    /* A created row needs its required fields: a user needs an email. */
    struct import_options users = {.ncreate = 1, .create = {model_table("users")}};
    const char *agents[] = {"=role=frontline", "boss=manager_name", NULL};
    assert_int_equal(
        run(fx->s, "users", "email,name,boss\na@example.com,A,Big Boss\n", agents, &users, &rep),
        KITH_EINVAL);
    expect_error(&rep, "cannot create user 'Big Boss' (--create-missing users): its email has no"
                       " value; give it with --map 'SRC=users.email'");
    const char *with[] = {"=role=frontline", "boss=manager_name",
                          "boss=users.email|slug|suffix(@example.com)", "=users.role=manager",
                          NULL};
    assert_int_equal(
        run(fx->s, "users", "email,name,boss\na@example.com,A,Big Boss\n", with, &users, &rep), 0);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM users u JOIN users m ON m.id ="
                                      " u.manager_id WHERE m.email = 'big.boss@example.com' AND"
                                      " m.role = 'manager'"),
                     1);
    /* A TABLE.field map without --create-missing TABLE is an error of the header. */
    assert_int_equal(run(fx->s, "users", "email,name,boss\nb@example.com,B,X\n", with, NULL, &rep),
                     KITH_EINVAL);
    expect_error(&rep, "'users.email' fills rows that --create-missing users would create");
}

static void rejects_set_rows_aside(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run(fx->s, "accounts", "name\nAcme\n", NULL, NULL, &rep), 0);
    const char *csv = "id,account,stage\n"
                      "D1,Acme,Won\n"
                      "D2,,Prospecting\n"
                      "D3,Acm,Lost\n"
                      "D4,Acme,Lost\n";
    const char *maps[] = {"id=external_id", "account=account_name", "stage=stage_name", NULL};
    /* Without --rejects: all or nothing. */
    assert_int_equal(run(fx->s, "deals", csv, maps, NULL, &rep), KITH_EINVAL);
    assert_int_equal(rep.nerrors, 2);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deals"), 0);
    char *buf = NULL;
    size_t size = 0;
    FILE *rej = open_memstream(&buf, &size);
    struct import_options opt = {.rejects = rej};
    assert_int_equal(run(fx->s, "deals", csv, maps, &opt, &rep), 0);
    fclose(rej);
    assert_int_equal(rep.rejected, 2);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deals"), 2);
    assert_string_equal(buf, "id,account,stage,reject_reason\n"
                             "D2,,Prospecting,\"line 3: account: no account given (account_id is"
                             " required)\"\n"
                             "D3,Acm,Lost,\"line 4: account: no account with name 'Acm'; did you"
                             " mean 'Acme'?\"\n");
    free(buf);
    /* Other errors still fail the whole file. */
    FILE *rej2 = open_memstream(&buf, &size);
    opt.rejects = rej2;
    assert_int_equal(
        run(fx->s, "deals", "id,account,stage,amount\nD9,Acme,Won,lots\n", maps, &opt, &rep),
        KITH_EINVAL);
    fclose(rej2);
    free(buf);
}

static void upsert_by_natural_key(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(
        run(fx->s, "products", "sku,name,price\nP1,One,10\nP2,Two,20\n", NULL, NULL, &rep), 0);
    const char *deal_maps[] = {"=currency=USD", NULL};
    assert_int_equal(run(fx->s, "accounts", "name\nAcme\n", NULL, NULL, &rep), 0);
    const char *deals = "external_id,account_name,stage_name,amount,product_sku,quantity\n"
                        "D1,Acme,Won,100,P1,2\n"
                        "D2,Acme,Engaging,50,P2,\n";
    struct import_options up = {.upsert = true};
    assert_int_equal(run(fx->s, "deals", deals, deal_maps, &up, &rep), 0);
    assert_int_equal(rep.inserted, 2);
    assert_int_equal(rep.lines, 2);
    assert_int_equal(query_int(fx->s, "SELECT quantity FROM deal_lines WHERE deal_id = 1"), 2);
    assert_int_equal(query_int(fx->s, "SELECT amount FROM deal_lines WHERE deal_id = 2"), 5000);
    /* The same file again changes nothing. */
    int64_t changes = query_int(fx->s, "SELECT count(*) FROM deal_stage_changes");
    assert_int_equal(run(fx->s, "deals", deals, deal_maps, &up, &rep), 0);
    assert_int_equal(rep.inserted + rep.updated, 0);
    assert_int_equal(rep.unchanged, 2);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deals"), 2);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deal_lines"), 2);
    /* A corrected file updates in place: D2 is lost now, its history gains the move. */
    const char *fixed = "external_id,account_name,stage_name,amount,product_sku,quantity\n"
                        "D1,Acme,Won,100,P1,2\n"
                        "D2,Acme,Lost,60,P2,\n"
                        "D3,Acme,Prospecting,,,\n";
    assert_int_equal(run(fx->s, "deals", fixed, deal_maps, &up, &rep), 0);
    assert_int_equal(rep.inserted, 1);
    assert_int_equal(rep.updated, 1);
    assert_int_equal(rep.unchanged, 1);
    assert_int_equal(query_int(fx->s, "SELECT outcome = 'lost' AND amount = 6000 FROM deals WHERE"
                                      " external_id = 'D2'"),
                     1);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deal_stage_changes"), changes + 2);
    assert_int_equal(query_int(fx->s, "SELECT amount FROM deal_lines WHERE deal_id = 2"), 6000);
    /* Without --upsert the same rows are duplicates. */
    assert_int_equal(run(fx->s, "deals", fixed, deal_maps, NULL, &rep), KITH_EINVAL);
    expect_error(&rep, "duplicate 'D1': deal 1 already has it (in the database; --upsert updates"
                       " it instead)");
    /* --upsert needs a natural key in the file. */
    assert_int_equal(
        run(fx->s, "deal_lines", "deal_id,product_id,quantity,amount\n1,1,1,1\n", NULL, &up, &rep),
        KITH_EINVAL);
    expect_error(&rep, "--upsert matches rows by a natural key of deal_lines");
}

/* A load of new deals writes their first stage changes once at the end, as the trigger would. */
static void deals_get_their_first_stage_as_from_the_trigger(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run(fx->s, "accounts", "name\nAcme\n", NULL, NULL, &rep), 0);
    const char *deals = "external_id,account_name,stage_name,engaged_at,closed_at,outcome\n"
                        "D1,Acme,Won,2024-01-01,2024-02-01,\n"
                        "D2,Acme,Engaging,2024-01-05,,\n"
                        "D3,Acme,Prospecting,,,\n"
                        "D4,Acme,Lost,,2024-03-01,won\n";
    assert_int_equal(run(fx->s, "deals", deals, NULL, NULL, &rep), 0);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                                      " AND name = 'deals_first_stage'"),
                     1);
    /* One change per deal: no stage before, the deal's stage, at closing, engagement or
     * creation; a missing outcome is the stage's kind, a given one stays. */
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deal_stage_changes c JOIN deals d ON"
                                      " d.id = c.deal_id WHERE c.from_stage_id IS NULL AND"
                                      " c.to_stage_id = d.stage_id AND c.user_id IS NULL AND"
                                      " c.changed_at = coalesce(d.closed_at, d.engaged_at,"
                                      " d.created_at)"),
                     4);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deal_stage_changes"), 4);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deals d JOIN deal_stages s ON s.id ="
                                      " d.stage_id WHERE d.outcome = s.kind"),
                     3);
    assert_int_equal(query_int(fx->s, "SELECT outcome = 'won' FROM deals WHERE external_id ="
                                      " 'D4'"),
                     1);
    /* A failed load leaves no trace, the trigger included. */
    assert_int_equal(run(fx->s, "deals",
                         "external_id,account_name,stage_name\nD5,Acme,Won\nD6,Nope,Won\n", NULL,
                         NULL, &rep),
                     KITH_EINVAL);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                                      " AND name = 'deals_first_stage'"),
                     1);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM deals"), 4);
}

static void dry_run_reports_suspicious_values(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    char csv[4096];
    size_t o = (size_t)snprintf(csv, sizeof(csv), "name,sector,founded,contact_email\n");
    for (int i = 0; i < 12; i++)
        o += (size_t)snprintf(csv + o, sizeof(csv) - o, "A%d,%s,%s,%s\n", i,
                              i == 7  ? "technolgy"
                              : i % 2 ? "technology"
                                      : "retail",
                              i == 3 ? "2011.0" : "2011-01-01",
                              i == 5 ? "Ann Lee" : "a@example.com");
    const char *maps[] = {"sector=industry", "founded=created_at", "contact_email=source", NULL};
    struct import_options opt = {.dry_run = true};
    assert_int_equal(run(fx->s, "accounts", csv, maps, &opt, &rep), 0);
    assert_int_equal(rep.nwarnings, 3);
    expect_warning(&rep, "in.csv:5:3: founded: 1 value such as '2011.0' read as created_at within"
                         " 1970-01-01, as a Unix time: a year read as a timestamp?");
    expect_warning(&rep, "in.csv:7:4: contact_email: 1 of 12 values of this email column are not"
                         " email addresses (such as 'Ann Lee')");
    expect_warning(&rep, "in.csv:9:2: sector: 'technolgy' appears once, beside 'technology' (5"
                         " rows): a misspelling?");
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM accounts"), 0);
}

static void line_level_amounts(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(run(fx->s, "products", "sku,name\nP1,One\n", NULL, NULL, &rep), 0);
    assert_int_equal(run(fx->s, "accounts", "name,external_id\nAcme,A1\n", NULL, NULL, &rep), 0);
    assert_int_equal(run(fx->s, "orders",
                         "external_id,account_external_id,ordered_at,amount\n"
                         "O1,A1,2024-01-01,0\n",
                         NULL, NULL, &rep),
                     0);
    /* A line gives its unit price: its amount is quantity x price; more decimals are rounded
     * only when asked, half to even. */
    const char *lines = "order_external_id,product_sku,Qty,Price\n"
                        "O1,P1,3,2.50\n"
                        "O1,P1,2,1.125\n"
                        "O1,P1,1,0.135\n";
    const char *maps[] = {"Qty=quantity", "Price=unit_price", NULL};
    assert_int_equal(run(fx->s, "order_lines", lines, maps, NULL, &rep), KITH_EINVAL);
    assert_int_equal(rep.nerrors, 2);
    expect_error(&rep, "in.csv:3:4: unit_price: bad amount '1.125': at most 2 decimals");
    struct import_options opt = {.round_half_even = true};
    assert_int_equal(run(fx->s, "order_lines", lines, maps, &opt, &rep), 0);
    assert_int_equal(rep.rounded, 2);
    assert_int_equal(query_int(fx->s, "SELECT sum(amount = 750) + sum(amount = 224) +"
                                      " sum(amount = 14) FROM order_lines"),
                     3);
}

/* A line-level export: each row a line, rows of one invoice one order, its amount their sum. */
static void orders_from_their_lines(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    assert_int_equal(
        run(fx->s, "accounts", "name,external_id\nA,17850\nB,13047\n", NULL, NULL, &rep), 0);
    const char *csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
                      "536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850\n"
                      "536365,71053,LANTERN,6,12/1/2010 8:26,3.39,17850\n"
                      "536366,22633,WARMER,6,12/1/2010 8:28,1.85,17850\n"
                      "536367,84879,BIRD,32,12/1/2010 8:34,1.69,\n"
                      "C536368,22960,JAM,-2,12/1/2010 8:34,4.255,13047\n"
                      "536365,85123A,HEART,1,12/1/2010 8:26,2.55,17850\n";
    const char *maps[] = {"InvoiceNo=external_id",
                          "StockCode=product_sku",
                          "Description=products.name",
                          "Quantity=quantity",
                          "InvoiceDate=ordered_at|date(%m/%d/%Y %H:%M)",
                          "UnitPrice=unit_price",
                          "CustomerID=account_external_id",
                          NULL};
    char *buf = NULL;
    size_t size = 0;
    FILE *rej = open_memstream(&buf, &size);
    struct import_options opt = {
        .ncreate = 1, .create = {model_table("products")}, .rejects = rej, .round_half_even = true};
    assert_int_equal(run(fx->s, "orders", csv, maps, &opt, &rep), 0);
    fclose(rej);
    free(buf);
    assert_int_equal(rep.rejected, 1);
    assert_int_equal(rep.rounded, 1);
    assert_int_equal(rep.grouped, 2);
    assert_int_equal(rep.lines, 5);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM orders"), 3);
    /* 6 x 2.55 + 6 x 3.39 + 1 x 2.55; a return: -2 x 4.26 (4.255 rounded half to even). */
    assert_int_equal(query_int(fx->s, "SELECT amount FROM orders WHERE external_id = '536365'"),
                     1530 + 2034 + 255);
    assert_int_equal(query_int(fx->s, "SELECT amount FROM orders WHERE external_id = 'C536368'"),
                     -852);
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM orders o WHERE amount != (SELECT"
                                      " sum(amount) FROM order_lines WHERE order_id = o.id)"),
                     0);
    assert_int_equal(query_int(fx->s, "SELECT ordered_at FROM orders WHERE external_id ="
                                      " '536366'"),
                     1291192080000);
    /* The rejected row's product was not created. */
    assert_int_equal(query_int(fx->s, "SELECT count(*) FROM products"), 4);
    /* Without a unit price per line the file says what it lacks. */
    const char *no_price[] = {"InvoiceNo=external_id", "StockCode=product_sku", "Quantity=quantity",
                              "CustomerID=account_external_id", NULL};
    struct import_options lines = {.amount_from_lines = true};
    assert_int_equal(run(fx->s, "orders",
                         "InvoiceNo,StockCode,Quantity,CustomerID\n1,85123A,1,17850\n", no_price,
                         &lines, &rep),
                     KITH_EINVAL);
    expect_error(&rep, "an order's amount from its lines needs each line's product");
}

static void messages_carry_the_whole_path(void **state)
{
    struct db_fixture *fx = *state;
    struct import_report rep;
    const char *name = "/a/rather/long/directory/of/exports/from/another/crm/2017/accounts.csv";
    struct import_options opt = {.name = name};
    assert_int_equal(run(fx->s, "accounts", "name,employees\nX,many\n", NULL, &opt, &rep),
                     KITH_EINVAL);
    assert_int_equal(strncmp(rep.shown[0], name, strlen(name)), 0);
    assert_string_equal(rep.shown[0] + strlen(name),
                        ":2:2: employees: bad number 'many': expected a whole"
                        " number like 42 or -7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(functions_transform_values),
        cmocka_unit_test(bad_mappings_say_why),
        cmocka_unit_test(edit_distance),
        cmocka_unit_test(rounds_half_to_even),
        cmocka_unit_test_setup_teardown(one_column_feeds_several_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(references_by_any_key, setup, teardown),
        cmocka_unit_test_setup_teardown(create_missing_parents, setup, teardown),
        cmocka_unit_test_setup_teardown(rejects_set_rows_aside, setup, teardown),
        cmocka_unit_test_setup_teardown(upsert_by_natural_key, setup, teardown),
        cmocka_unit_test_setup_teardown(deals_get_their_first_stage_as_from_the_trigger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(dry_run_reports_suspicious_values, setup, teardown),
        cmocka_unit_test_setup_teardown(line_level_amounts, setup, teardown),
        cmocka_unit_test_setup_teardown(orders_from_their_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(messages_carry_the_whole_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
