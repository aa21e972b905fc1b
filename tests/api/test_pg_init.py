"""The PostgreSQL store's foundation (issue 17; docs/storage.md "PostgreSQL (in progress)").

A throwaway PostgreSQL is started by tests/pg/pg.py (one per module). `kith init --db
postgresql://...` must make the schema that `kith init` makes in a SQLite file: every table and
view with the same columns in the same order and matching types and NULL rules, every index and
trigger by name; interactions partitioned by time; a second init changes nothing. `kith user add`
and `kith user list` run on both backends with the same output; other commands refuse a
PostgreSQL URL with a clear message. The expected schema is read from the SQLite file with
Python's sqlite3, never written down here.
"""
import os
import sqlite3
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pg"))
from pg import pg_server  # noqa: E402,F401  (the fixture)

from conftest import KITH, PASSWORD  # noqa: E402

# SQLite declared type -> PostgreSQL information_schema data_type (docs/storage.md, the rules)
PG_TYPE = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}


def run(db, *args, input=None):
    return subprocess.run([KITH, *args, "--db", db], input=input, capture_output=True, text=True,
                          timeout=120)


def ok(db, *args, input=None):
    p = run(db, *args, input=input)
    assert p.returncode == 0, f"kith {' '.join(args)}: {p.stderr}"
    return p


@pytest.fixture(scope="module")
def sqlite_schema():
    """Tables, views, indexes and triggers of a fresh SQLite database made by kith init."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "kith.db")
        ok(path, "init")
        con = sqlite3.connect(path)
        objs = {}
        for kind in ("table", "view", "index", "trigger"):
            objs[kind] = sorted(r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'",
                (kind,)))
        cols = {}
        for t in objs["table"] + objs["view"]:
            cols[t] = [(r[1], r[2].upper(), bool(r[3]), r[5]) for r in
                       con.execute(f"PRAGMA table_info('{t}')")]
        # which columns compare without case (COLLATE NOCASE in their definition)
        nocase = set()
        for t, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
            for name, *_ in cols[t]:
                for part in sql.split(","):
                    words = part.replace("(", " ").split()
                    if name in words[:2] and "NOCASE" in part.upper():
                        nocase.add((t, name))
        version = con.execute("PRAGMA user_version").fetchone()[0]
        con.close()
        yield {"objs": objs, "cols": cols, "nocase": nocase, "version": version}


@pytest.fixture(scope="module")
def pg_db(pg_server):
    url = pg_server.create_database("schema")
    p = ok(url, "init")
    assert "schema version" in p.stdout
    return url


def test_init_reports_the_same_version(pg_server, pg_db, sqlite_schema):
    v = pg_server.query("schema", "SELECT version FROM kith_schema")
    assert v == [[str(sqlite_schema["version"])]]


def test_every_table_and_view_has_the_same_columns(pg_server, pg_db, sqlite_schema):
    for t in sqlite_schema["objs"]["table"] + sqlite_schema["objs"]["view"]:
        rows = pg_server.query(
            "schema",
            "SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns"
            f" WHERE table_schema = 'public' AND table_name = '{t}' ORDER BY ordinal_position")
        assert rows, f"{t} is missing on PostgreSQL"
        want = sqlite_schema["cols"][t]
        assert [r[0] for r in rows] == [c[0] for c in want], f"{t}: columns differ"
        for (name, dtype, udt, nullable), (_, stype, notnull, pk) in zip(rows, want):
            if stype:  # a view's columns have no declared type in SQLite
                expect = "citext" if (t, name) in sqlite_schema["nocase"] else PG_TYPE[stype]
                got = udt if dtype == "USER-DEFINED" else dtype
                assert got == expect, f"{t}.{name}: {got}, expected {expect}"
            if t in sqlite_schema["objs"]["table"]:
                assert (nullable == "NO") == (notnull or pk > 0), f"{t}.{name}: NULL rule differs"


def test_every_index_and_trigger_exists(pg_server, pg_db, sqlite_schema):
    indexes = {r[0] for r in pg_server.query("schema", "SELECT indexname FROM pg_indexes"
                                             " WHERE schemaname = 'public'")}
    missing = [i for i in sqlite_schema["objs"]["index"] if i not in indexes]
    assert not missing, f"indexes missing on PostgreSQL: {missing}"
    triggers = {r[0] for r in pg_server.query("schema", "SELECT tgname FROM pg_trigger"
                                              " WHERE NOT tgisinternal")}
    missing = [t for t in sqlite_schema["objs"]["trigger"] if t not in triggers]
    assert not missing, f"triggers missing on PostgreSQL: {missing}"


def test_unique_keys_of_interactions_hold_across_partitions(pg_server, pg_db):
    # the partial unique indexes SQLite has on interactions live on interactions_keys
    rows = pg_server.query("schema", "SELECT indexname, tablename, indexdef FROM pg_indexes"
                           " WHERE indexname IN ('interactions_external_id', 'interactions_voids')"
                           " ORDER BY 1")
    assert [(r[0], r[1]) for r in rows] == [("interactions_external_id", "interactions_keys"),
                                           ("interactions_voids", "interactions_keys")]
    assert all("UNIQUE" in r[2] and "WHERE" in r[2] for r in rows)


def test_interactions_is_partitioned_by_time(pg_server, pg_db):
    kind = pg_server.query("schema", "SELECT relkind FROM pg_class WHERE relname = 'interactions'")
    assert kind == [["p"]]
    key = pg_server.query("schema", "SELECT pg_get_partkeydef('interactions'::regclass)")
    assert key == [["RANGE (occurred_at)"]]
    parts = pg_server.query("schema", "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)"
                            " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                            " WHERE i.inhparent = 'interactions'::regclass")
    assert parts == [["interactions_default", "DEFAULT"]]


def test_init_twice_is_a_no_op(pg_server, pg_db):
    def snapshot():
        return pg_server.query("schema",
                               "SELECT c.relname, c.relkind, c.oid FROM pg_class c"
                               " JOIN pg_namespace n ON n.oid = c.relnamespace"
                               " WHERE n.nspname = 'public' ORDER BY 1")
    before = snapshot()
    ok(pg_db, "init")
    assert snapshot() == before


def seed(pg_server, db):
    """A contact and an interaction type through SQL; returns nothing."""
    pg_server.psql(db, "INSERT INTO contacts (id, created_at, last_name) VALUES (1, 0, 'Doe');"
                   "INSERT INTO interaction_types (id, created_at, code, name, phase, level,"
                   " channel, touch, tech, rv, cost) VALUES (1, 0, 'call', 'Call', 'acquisition',"
                   " 1, 'phone', 1, 0, 10, 5)")


def ms(year, month=6):
    import datetime
    return int(datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc).timestamp() * 1000)


def test_a_year_gets_its_partition_and_its_rows_move_there(pg_server):
    url = pg_server.create_database("parts")
    ok(url, "init")
    seed(pg_server, "parts")
    pg_server.psql("parts",
                   "INSERT INTO interactions (id, created_at, contact_id, type_id, occurred_at,"
                   f" external_id) VALUES (10, 0, 1, 1, {ms(2025)}, 'x-10'),"
                   f" (11, 0, 1, 1, {ms(2026)}, 'x-11');"
                   "INSERT INTO devices (id, created_at, contact_id, name, kind, token_hash)"
                   " VALUES (1, 0, 1, 'meter', 'meter', 'h');"
                   "INSERT INTO device_readings (interaction_id, device_id) VALUES (10, 1)")
    where = "SELECT id, tableoid::regclass FROM interactions ORDER BY id"
    assert pg_server.query("parts", where) == [["10", "interactions_default"],
                                               ["11", "interactions_default"]]
    made = pg_server.query("parts", f"SELECT kith_interactions_partition({ms(2025, 12)})")
    assert made == [["interactions_y2025"]]
    assert pg_server.query("parts", where) == [["10", "interactions_y2025"],
                                               ["11", "interactions_default"]]
    # the move kept what references the row
    assert pg_server.query("parts", "SELECT interaction_id FROM device_readings") == [["10"]]
    # asked again: the same partition, nothing moves
    assert pg_server.query("parts", f"SELECT kith_interactions_partition({ms(2025, 1)})") == \
        [["interactions_y2025"]]
    # new rows of that year go to it
    pg_server.psql("parts", "INSERT INTO interactions (id, created_at, contact_id, type_id,"
                   f" occurred_at) VALUES (12, 0, 1, 1, {ms(2025, 3)})")
    assert pg_server.query("parts", where)[2] == ["12", "interactions_y2025"]
    # a row moved to another year by an UPDATE keeps its key and what references it
    pg_server.psql("parts", f"UPDATE interactions SET occurred_at = {ms(2026)} WHERE id = 10")
    assert pg_server.query("parts", "SELECT interaction_id FROM device_readings") == [["10"]]
    # unique keys hold across partitions: an external id, an id
    dup = pg_server.psql("parts", "INSERT INTO interactions (id, created_at, contact_id, type_id,"
                         f" occurred_at, external_id) VALUES (13, 0, 1, 1, {ms(2025)}, 'x-11')",
                         check=False)
    assert dup.returncode != 0 and "interactions_external_id" in dup.stderr
    dup = pg_server.psql("parts", "INSERT INTO interactions (id, created_at, contact_id, type_id,"
                         f" occurred_at) VALUES (11, 0, 1, 1, {ms(2025)})", check=False)
    assert dup.returncode != 0 and "duplicate key" in dup.stderr
    # a month partition, its bounds the month's first millisecond and the next month's
    pg_server.psql("parts", "INSERT INTO interactions (id, created_at, contact_id, type_id,"
                   f" occurred_at) VALUES (14, 0, 1, 1, {ms(2027, 2)}), (15, 0, 1, 1, {ms(2027, 3)})")
    assert pg_server.query("parts", f"SELECT kith_interactions_partition({ms(2027, 2) + 5},"
                           " 'month')") == [["interactions_m2027_02"]]
    bound = pg_server.query("parts", "SELECT pg_get_expr(relpartbound, oid) FROM pg_class"
                            " WHERE relname = 'interactions_m2027_02'")
    assert bound == [[f"FOR VALUES FROM ('{ms(2027, 2)}') TO ('{ms(2027, 3)}')"]]
    assert pg_server.query("parts", "SELECT id, tableoid::regclass FROM interactions"
                           " WHERE id IN (14, 15) ORDER BY id") == \
        [["14", "interactions_m2027_02"], ["15", "interactions_default"]]
    bad = pg_server.psql("parts", f"SELECT kith_interactions_partition({ms(2025)}, 'month')",
                         check=False)
    assert bad.returncode != 0 and "overlap" in bad.stderr
    # deleting an interaction takes its readings (ON DELETE CASCADE through interactions_keys)
    pg_server.psql("parts", "DELETE FROM interactions WHERE id = 10")
    assert pg_server.query("parts", "SELECT count(*) FROM device_readings") == [["0"]]
    assert pg_server.query("parts", "SELECT count(*) FROM interactions_keys WHERE id = 10") == \
        [["0"]]


def test_translated_triggers_keep_their_rules(pg_server):
    url = pg_server.create_database("rules")
    ok(url, "init")
    seed(pg_server, "rules")
    pg_server.psql("rules", "INSERT INTO accounts (id, created_at, name) VALUES (1, 0, 'Acme')")
    # orders_kind_default: a negative amount without a kind is a return
    pg_server.psql("rules", "INSERT INTO orders (id, created_at, account_id, ordered_at, amount)"
                   " VALUES (1, 0, 1, 0, 100), (2, 0, 1, 0, -40)")
    assert pg_server.query("rules", "SELECT id, kind FROM orders ORDER BY id") == \
        [["1", "sale"], ["2", "return"]]
    # orders_kind_insert: a sale cannot have a negative amount (the message is migration 8's)
    bad = pg_server.psql("rules", "INSERT INTO orders (created_at, account_id, ordered_at, amount,"
                         " kind) VALUES (0, 1, 0, -5, 'sale')", check=False)
    assert bad.returncode != 0 and "amount: a sale cannot have a negative amount" in bad.stderr
    # consents are append-only
    pg_server.psql("rules", "INSERT INTO consents (created_at, contact_id, purpose, channel,"
                   " state, recorded_at) VALUES (0, 1, 'marketing', 'email', 'granted', 0)")
    bad = pg_server.psql("rules", "UPDATE consents SET state = 'withdrawn'", check=False)
    assert bad.returncode != 0 and "append-only" in bad.stderr
    # ideas_status_history: a change of status is recorded, with the time it happened
    pg_server.psql("rules", "INSERT INTO ideas (id, created_at, title, status) VALUES"
                   " (1, 0, 'x', 'new'); UPDATE ideas SET status = 'planned' WHERE id = 1;"
                   " UPDATE ideas SET title = 'y' WHERE id = 1")
    rows = pg_server.query("rules", "SELECT from_status, to_status,"
                           " abs(changed_at - extract(epoch FROM now()) * 1000) < 600000"
                           " FROM idea_status_changes")
    assert rows == [["new", "planned", "t"]]
    # deals_first_stage: a deal's first stage change and its outcome from the stage's kind
    pg_server.psql("rules", "INSERT INTO deals (id, created_at, account_id, stage_id, engaged_at)"
                   " VALUES (1, 5, 1, (SELECT id FROM deal_stages WHERE name = 'Won'), 7)")
    assert pg_server.query("rules", "SELECT outcome FROM deals") == [["won"]]
    assert pg_server.query("rules", "SELECT changed_at, from_stage_id IS NULL FROM"
                           " deal_stage_changes") == [["7", "t"]]
    # an identity gives the next id, as SQLite's rowid: migration 7's six stages, then 7
    n = int(pg_server.query("rules", "SELECT count(*) FROM deal_stages")[0][0])
    got = pg_server.query("rules", "INSERT INTO deal_stages (created_at, name, position,"
                          " probability, kind) VALUES (0, 'Extra', 7, 0.5, 'open') RETURNING id")
    assert got == [[str(n + 1)]]


def test_a_newer_schema_is_refused_untouched(pg_server):
    """(Every older version's upgrade is tests/unit/store/pg_migrate_test.c, which can stop the
    migrations at any version.)"""
    url = pg_server.create_database("newer")
    ok(url, "init")
    pg_server.psql("newer", "UPDATE kith_schema SET version = version + 1")
    before = pg_server.query("newer", "SELECT count(*) FROM pg_class")
    p = run(url, "init")
    assert p.returncode != 0 and "use a newer kith" in p.stderr
    assert pg_server.query("newer", "SELECT count(*) FROM pg_class") == before


def users_on(db):
    ok(db, "user", "add", "ann@example.com", "--name", "Ann", "--role", "admin",
       "--password-stdin", input=PASSWORD + "\n")
    ok(db, "user", "add", "bob@example.com", "--name", "Bob", "--role", "manager",
       "--unit", "North", "--password-stdin", input=PASSWORD + "\n")
    dup = run(db, "user", "add", "ANN@example.com", "--name", "Ann 2", "--role", "analyst",
              "--password-stdin", input=PASSWORD + "\n")
    missing = run(db, "user", "add", "cy@example.com", "--name", "Cy", "--role", "analyst",
                  "--unit", "Nowhere", "--password-stdin", input=PASSWORD + "\n")
    return ok(db, "user", "list").stdout, dup, missing


def test_user_add_and_list_on_both_backends(pg_server):
    url = pg_server.create_database("users")
    ok(url, "init")
    pg_server.psql("users", "INSERT INTO units (created_at, name, kind) VALUES (0, 'North', 'x')")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "kith.db")
        ok(path, "init")
        con = sqlite3.connect(path)
        con.execute("INSERT INTO units (created_at, name, kind) VALUES (0, 'North', 'x')")
        con.commit()
        con.close()
        lite = users_on(path)
        con = sqlite3.connect(path)
        lite_audit = con.execute("SELECT action, table_name, record_id, client_addr, detail"
                                 " FROM audit_log ORDER BY id").fetchall()
        con.close()
    pg = users_on(url)
    assert pg[0] == lite[0]
    lines = pg[0].splitlines()
    assert len(lines) == 3 and "ann@example.com" in lines[1] and "North" in lines[2]
    # the email is unique without regard to case on both
    for dup in (lite[1], pg[1]):
        assert dup.returncode != 0
        assert "a user with email 'ANN@example.com' exists already" in dup.stderr
    assert lite[1].stderr == pg[1].stderr
    assert lite[2].returncode != 0 and lite[2].stderr == pg[2].stderr
    pg_audit = [tuple(None if v == "" else v for v in r) for r in pg_server.query(
        "users", "SELECT action, table_name, record_id, client_addr, detail FROM audit_log"
        " ORDER BY id")]
    assert [tuple(str(v) if isinstance(v, int) else v for v in r) for r in lite_audit] == \
        pg_audit
    # the password hash is stored on PostgreSQL as on SQLite (argon2id)
    h = pg_server.query("users", "SELECT password_hash FROM users ORDER BY id")
    assert all(r[0].startswith("$argon2id$") for r in h)
    # the consent receipts' signing key was made by init, 32 + 64 bytes
    assert pg_server.query("users", "SELECT length(public_key), length(secret_key)"
                           " FROM signing_keys") == [["32", "64"]]


@pytest.mark.parametrize("args", [["stats"], ["user", "passwd", "ann@example.com"],
                                  ["serve", "--listen", "127.0.0.1:0"]])
def test_commands_not_ported_refuse_postgresql(pg_server, args):
    url = pg_server.url("postgres")
    p = run(url, *args)
    assert p.returncode != 0
    assert "not yet available on PostgreSQL" in p.stderr, p.stderr
    assert "Segmentation" not in p.stderr


def test_a_wrong_url_is_a_clear_error(pg_server):
    p = run(f"postgresql://kith@127.0.0.1:{pg_server.port}/no_such_db", "init")
    assert p.returncode != 0
    assert "cannot connect to PostgreSQL" in p.stderr and "no_such_db" in p.stderr
