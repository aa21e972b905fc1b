/*
 * pg_dialect_test.c - tests of src/store/pg_dialect.c (SQLite's spelling into PostgreSQL's) and
 * of migrations_pg.c's assembly of every migration, without a server: each rule on the smallest
 * statement that shows it, what must never be rewritten (literals, quoted names, comments), and
 * every migration translated with each variant used exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/pg_dialect.h"
#include "store/store_int.h"

static char *query(const char *sql, int *nparams)
{
    char *out = NULL;
    struct kith_error err = {0};
    int n = -1;
    int rc = pg_translate_query(sql, &out, &n, &err);
    if (rc < 0)
        fail_msg("%s: %s", sql, err.msg);
    if (nparams)
        *nparams = n;
    return out;
}

static void assert_query(const char *sql, const char *want, int want_params)
{
    int n;
    char *got = query(sql, &n);
    assert_string_equal(got, want);
    assert_int_equal(n, want_params);
    free(got);
}

static void assert_schema(const char *sql, const char *want)
{
    char *out = NULL;
    struct kith_error err = {0};
    if (pg_translate_schema_statement(sql, strlen(sql), &out, &err) < 0)
        fail_msg("%s: %s", sql, err.msg);
    assert_string_equal(out, want);
    free(out);
}

static void assert_refused(const char *sql, bool schema, const char *words)
{
    char *out = NULL;
    struct kith_error err = {0};
    int rc = schema ? pg_translate_schema_statement(sql, strlen(sql), &out, &err)
                    : pg_translate_query(sql, &out, NULL, &err);
    assert_int_equal(rc, KITH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, words));
}

static void placeholders(void **state)
{
    (void)state;
    assert_query("SELECT 1", "SELECT 1", 0);
    assert_query("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2",
                 2);
    assert_query("UPDATE t SET a = ?2 WHERE id = ?1", "UPDATE t SET a = $2 WHERE id = $1", 2);
    /* a ?N used twice is one parameter; a bare ? after ?N takes the next number, as in SQLite */
    assert_query("SELECT ?1, ?1, ?3, ?", "SELECT $1, $1, $3, $4", 4);
    /* never inside a literal, a quoted name or a comment */
    assert_query("SELECT '?', \"a?b\", x -- why?\n FROM t WHERE y = ? /* ?1 */",
                 "SELECT '?', \"a?b\", x -- why?\n FROM t WHERE y = $1 /* ?1 */", 1);
    assert_query("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || $1", 1);
}

static void functions_and_comparisons(void **state)
{
    (void)state;
    assert_query("SELECT ifnull(a, 0), IFNULL(b, 1) FROM t",
                 "SELECT coalesce(a, 0), coalesce(b, 1) FROM t", 0);
    /* the scalar max/min (two arguments or more) are greatest/least; the aggregates stay */
    assert_query("SELECT max(a, b), min(a, b, c), max(x), min((SELECT max(y) FROM u), 3)",
                 "SELECT greatest(a, b), least(a, b, c), max(x), least((SELECT max(y) FROM u), 3)",
                 0);
    assert_query("SELECT count(*) FROM t WHERE a IS NOT b AND c IS d",
                 "SELECT count(*) FROM t WHERE a IS DISTINCT FROM b AND c IS NOT DISTINCT FROM d",
                 0);
    assert_query("SELECT 1 WHERE a IS NULL OR b IS NOT NULL",
                 "SELECT 1 WHERE a IS NULL OR b IS NOT NULL", 0);
    assert_query("SELECT CAST(x AS INTEGER), CAST(y AS REAL)",
                 "SELECT CAST(x AS BIGINT), CAST(y AS DOUBLE PRECISION)", 0);
    assert_query("SELECT julianday('now')",
                 "SELECT (extract(epoch FROM statement_timestamp()) / 86400.0 + 2440587.5)", 0);
    assert_query("SELECT name FROM units ORDER BY name COLLATE NOCASE, u.name COLLATE NOCASE",
                 "SELECT name FROM units ORDER BY lower(name), lower(u.name)", 0);
    /* a comparison COLLATE NOCASE compares both sides without case */
    assert_query("SELECT id FROM deal_stages WHERE name = ?1 COLLATE NOCASE AND unit_id IS NULL",
                 "SELECT id FROM deal_stages WHERE lower(name) = lower($1) AND unit_id IS NULL", 1);
    assert_query("SELECT 1 FROM contacts c WHERE c.email <> 'A@x' COLLATE NOCASE",
                 "SELECT 1 FROM contacts c WHERE lower(c.email) <> lower('A@x')", 0);
    assert_refused("SELECT 1 WHERE 2 = ? COLLATE NOCASE", false, "COLLATE NOCASE");
    /* SQLite's LIKE ignores case: ILIKE, with its ESCAPE */
    assert_query("SELECT id FROM units WHERE name LIKE ? ESCAPE '\\' OR x NOT LIKE 'a%'",
                 "SELECT id FROM units WHERE name ILIKE $1 ESCAPE '\\' OR x NOT ILIKE 'a%'", 1);
}

static void insert_or_ignore(void **state)
{
    (void)state;
    assert_query("INSERT OR IGNORE INTO k (id, v) VALUES (1, ?1)",
                 "INSERT INTO k (id, v) VALUES (1, $1) ON CONFLICT DO NOTHING", 1);
    assert_query("INSERT OR IGNORE INTO k (id) VALUES (?) RETURNING id",
                 "INSERT INTO k (id) VALUES ($1)  ON CONFLICT DO NOTHING RETURNING id", 1);
    assert_refused("INSERT OR REPLACE INTO k (id) VALUES (1)", false, "ON CONFLICT");
    assert_refused("SELECT julianday(x)", false, "julianday");
    assert_refused("SELECT 'open", false, "not closed");
}

static void schema_types_and_keys(void **state)
{
    (void)state;
    assert_schema("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, r REAL, b BLOB,"
                  " s TEXT)",
                  "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT"
                  " NOT NULL, r DOUBLE PRECISION, b BYTEA, s TEXT)");
    /* a key that is another table's row is no identity */
    assert_schema("CREATE TABLE f (contact_id INTEGER PRIMARY KEY REFERENCES contacts(id)"
                  " ON DELETE CASCADE, x INTEGER)",
                  "CREATE TABLE f (contact_id BIGINT PRIMARY KEY REFERENCES contacts(id)"
                  " ON DELETE CASCADE, x BIGINT)");
    assert_schema("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT)",
                  "CREATE TABLE a (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY )");
    /* COLLATE NOCASE on a column: CITEXT; on an index: lower() */
    assert_schema("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE"
                  " NOCASE, name TEXT)",
                  "CREATE TABLE u (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, email"
                  " CITEXT NOT NULL UNIQUE , name TEXT)");
    assert_schema("ALTER TABLE u ADD COLUMN nick TEXT COLLATE NOCASE",
                  "ALTER TABLE u ADD COLUMN nick CITEXT ");
    assert_schema("CREATE INDEX u_name_ci ON u(name COLLATE NOCASE)",
                  "CREATE INDEX u_name_ci ON u(lower(name))");
    assert_schema("CREATE UNIQUE INDEX s_unit_name ON s(ifnull(unit_id, 0), name)",
                  "CREATE UNIQUE INDEX s_unit_name ON s(coalesce(unit_id, 0), name)");
    /* interactions is partitioned: references and unique indexes go to interactions_keys */
    assert_schema(
        "ALTER TABLE r ADD COLUMN interaction_id INTEGER REFERENCES interactions(id)",
        "ALTER TABLE r ADD COLUMN interaction_id BIGINT REFERENCES interactions_keys(id)");
    assert_schema("CREATE UNIQUE INDEX iv ON interactions(voids_id) WHERE voids_id IS NOT NULL",
                  "CREATE UNIQUE INDEX iv ON interactions_keys(voids_id) WHERE voids_id IS NOT"
                  " NULL");
    assert_schema("CREATE INDEX it ON interactions(occurred_at)",
                  "CREATE INDEX it ON interactions(occurred_at)");
    /* words inside literals stay */
    assert_schema("INSERT INTO p (role, note) VALUES ('INTEGER', 'REAL BLOB ifnull(')",
                  "INSERT INTO p (role, note) VALUES ('INTEGER', 'REAL BLOB ifnull(')");
}

static void schema_triggers(void **state)
{
    (void)state;
    assert_schema(
        "CREATE TRIGGER c_no_update BEFORE UPDATE ON c"
        " BEGIN SELECT RAISE(ABORT, 'append-only'); END",
        "CREATE FUNCTION c_no_update_fn() RETURNS trigger LANGUAGE plpgsql AS $kith$ BEGIN"
        " RAISE EXCEPTION USING MESSAGE = 'append-only'; RETURN NEW; END $kith$;\n"
        "CREATE TRIGGER c_no_update BEFORE UPDATE ON c FOR EACH ROW EXECUTE FUNCTION"
        " c_no_update_fn()");
    assert_schema("CREATE TRIGGER c_no_delete BEFORE DELETE ON c"
                  " BEGIN SELECT RAISE(ABORT, 'no') WHERE OLD.x > 0; END",
                  "CREATE FUNCTION c_no_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $kith$"
                  " BEGIN IF OLD.x > 0 THEN RAISE EXCEPTION USING MESSAGE = 'no'; END IF; RETURN"
                  " OLD; END $kith$;\n"
                  "CREATE TRIGGER c_no_delete BEFORE DELETE ON c FOR EACH ROW EXECUTE FUNCTION"
                  " c_no_delete_fn()");
    assert_schema(
        "CREATE TRIGGER h AFTER UPDATE OF status ON ideas WHEN NEW.status IS NOT OLD.status"
        " BEGIN INSERT INTO log (a, b) VALUES (NEW.id, CASE WHEN 1 THEN 2 END); END",
        "CREATE FUNCTION h_fn() RETURNS trigger LANGUAGE plpgsql AS $kith$ BEGIN INSERT INTO log"
        " (a, b) VALUES (NEW.id, CASE WHEN 1 THEN 2 END); RETURN NULL; END $kith$;\n"
        "CREATE TRIGGER h AFTER UPDATE OF status ON ideas FOR EACH ROW WHEN ( NEW.status IS"
        " DISTINCT FROM OLD.status ) EXECUTE FUNCTION h_fn()");
    assert_refused("CREATE TRIGGER t BEFORE INSERT ON x BEGIN SELECT RAISE(IGNORE); END", true,
                   "RAISE");
    assert_refused("CREATE TRIGGER t INSTEAD OF INSERT ON v BEGIN SELECT 1; END", true,
                   "INSTEAD OF");
}

struct collected {
    char stmts[8][200];
    int n;
};

static int collect(void *ctx, const char *start, size_t len, struct kith_error *err)
{
    (void)err;
    struct collected *c = ctx;
    if (c->n == 8)
        return KITH_ERANGE;
    snprintf(c->stmts[c->n++], sizeof(c->stmts[0]), "%.*s", (int)len, start);
    return 0;
}

static void splitting(void **state)
{
    (void)state;
    struct collected c = {0};
    struct kith_error err = {0};
    assert_int_equal(pg_split_statements("CREATE TABLE a (x TEXT DEFAULT ';');"
                                         "CREATE TRIGGER t AFTER INSERT ON a BEGIN"
                                         " UPDATE a SET x = CASE WHEN 1 THEN 'y' END; SELECT 1;"
                                         " END;"
                                         " -- a comment; with a semicolon\n"
                                         "DROP TABLE b;;  ",
                                         collect, &c, &err),
                     0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.stmts[0], "CREATE TABLE a (x TEXT DEFAULT ';')");
    assert_string_equal(c.stmts[1], "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x ="
                                    " CASE WHEN 1 THEN 'y' END; SELECT 1; END");
    assert_string_equal(c.stmts[2], "DROP TABLE b");
}

/* Every migration has a PostgreSQL form: translated, or its variant (each used once; a variant
 * that matched no statement or several would be a BUG() abort here). */
static void every_migration_translates(void **state)
{
    (void)state;
    for (int v = 1; v <= store_nmigrations; v++) {
        char *sql = NULL;
        struct kith_error err = {0};
        if (store_pg_migration_sql(v, &sql, &err) < 0)
            fail_msg("migration %d: %s", v, err.msg);
        assert_non_null(sql);
        /* nothing of SQLite's own spelling is left outside the variants' literals */
        assert_null(strstr(sql, "COLLATE NOCASE"));
        assert_null(strstr(sql, "ifnull("));
        assert_null(strstr(sql, " INTEGER"));
        assert_null(strstr(sql, "RAISE(ABORT"));
        assert_null(strstr(sql, "julianday"));
        free(sql);
    }
    char *m1 = NULL;
    struct kith_error err = {0};
    assert_int_equal(store_pg_migration_sql(1, &m1, &err), 0);
    assert_non_null(strstr(m1, "PARTITION BY RANGE (occurred_at)"));
    assert_non_null(strstr(m1, "CITEXT NOT NULL UNIQUE"));
    free(m1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(placeholders),
        cmocka_unit_test(functions_and_comparisons),
        cmocka_unit_test(insert_or_ignore),
        cmocka_unit_test(schema_types_and_keys),
        cmocka_unit_test(schema_triggers),
        cmocka_unit_test(splitting),
        cmocka_unit_test(every_migration_translates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
