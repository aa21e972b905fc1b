"""kith migrate-store sqlite:FILE postgresql://... and kith export on PostgreSQL (issue 17;
docs/storage.md "PostgreSQL (in progress)").

A `kith demo --contacts 300` SQLite database, with a user signed up with a password, the consent
signing key (kith init) and an account whose parent is a later row of its own table, is copied
into a throwaway PostgreSQL (tests/pg/pg.py). Then: every table `kith export` accepts gives the
same bytes on both sides, CSV and JSON lines; every table of the SQLite file holds the same rows
on PostgreSQL, every column as it is (read back with Python's sqlite3 and with psql, compared as
values); the copy went in foreign-key order; the identities continue past the copied ids; a
second copy into the now non-empty database, a destination without a schema and a source at
another schema version are refused with messages that say why.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pg"))
from pg import pg_server  # noqa: E402,F401  (the fixture)

from conftest import KITH, PASSWORD  # noqa: E402


def kith(*args, input=None):
    return subprocess.run([KITH, *args], input=input, capture_output=True, timeout=300)


def ok(*args, input=None):
    p = kith(*args, input=input)
    assert p.returncode == 0, f"kith {' '.join(args)}: {p.stderr.decode(errors='replace')}"
    return p


def schema_version():
    m = re.search(rb"schema (\d+)", ok("version").stdout)
    return int(m.group(1))


def exportable_tables():
    """The tables `kith export` accepts: the headings of its column reference."""
    out = ok("export", "--columns").stdout.decode()
    tables = re.findall(r"^### (\w+)", out, re.M)
    assert "contacts" in tables and "interactions" in tables
    return tables


def sqlite_tables(path):
    con = sqlite3.connect(path)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                       " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    con.close()
    return names


@pytest.fixture(scope="module")
def copied(pg_server):
    """(sqlite path, postgres url, dbname, the copy's stderr); removed after the module."""
    d = tempfile.mkdtemp(prefix="kith-migstore-")
    src = os.path.join(d, "demo.db")
    ok("demo", "--contacts", "300", "--db", src)
    ok("init", "--db", src)  # the consent receipts' signing key
    ok("user", "add", "mia@example.com", "--name", "Mia", "--role", "admin", "--password-stdin",
       "--db", src, input=(PASSWORD + "\n").encode())
    con = sqlite3.connect(src)
    con.execute("PRAGMA foreign_keys = ON")
    # a reference to a later row of the same table (the copy must set it after that row is in)
    con.execute("UPDATE accounts SET parent_id = (SELECT max(id) FROM accounts)"
                " WHERE id = (SELECT min(id) FROM accounts)")
    con.commit()
    assert con.execute("SELECT count(*) FROM accounts WHERE parent_id > id").fetchone()[0] == 1
    con.close()
    url = pg_server.create_database("copy")
    ok("init", "--db", url)
    p = ok("migrate-store", "sqlite:" + src, url)
    yield src, url, "copy", p.stderr.decode()
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_of_both_sides_is_byte_identical(copied, fmt):
    src, url, _, _ = copied
    for table in exportable_tables():
        lite = ok("export", table, "--format", fmt, "--db", src).stdout
        pg = ok("export", table, "--format", fmt, "--db", url).stdout
        assert pg == lite, f"{table} ({fmt}) differs"
    # the export is not trivially empty
    assert ok("export", "interactions", "--db", url).stdout.count(b"\n") > 1000
    # --output writes the same bytes as on SQLite
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a"), os.path.join(d, "b")
        ok("export", "contacts", "--format", fmt, "--output", a, "--db", src)
        ok("export", "contacts", "--format", fmt, "--output", b, "--db", url)
        with open(a, "rb") as fa, open(b, "rb") as fb:
            lite, pg = fa.read(), fb.read()
        assert lite.count(b"\n") >= 300 and pg == lite


def lite_value(v):
    """A SQLite value as PostgreSQL's row_to_json prints the same column."""
    if isinstance(v, bytes):
        return "\\x" + v.hex()
    return v


def test_every_table_every_column_copied(copied, pg_server):
    src, _, dbname, _ = copied
    con = sqlite3.connect(src)
    tables = sqlite_tables(src)
    assert {"sessions", "audit_log", "signing_keys", "consent_receipts", "value_kept"} <= \
        set(tables)
    for t in tables:
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
        lite = [dict(zip(cols, (lite_value(v) for v in row)))
                for row in con.execute(f'SELECT * FROM "{t}"')]
        (count,), = pg_server.query(dbname, f'SELECT count(*) FROM "{t}"')
        assert int(count) == len(lite), f"{t}: {count} rows on PostgreSQL, {len(lite)} on SQLite"
        out = pg_server.psql(dbname, f'SELECT row_to_json(r) FROM "{t}" r').stdout
        pg = [json.loads(line) for line in out.splitlines()]
        key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
        assert sorted(pg, key=key) == sorted(lite, key=key), f"{t}: rows differ"
    con.close()


def test_password_hash_and_signing_key_copied(copied, pg_server):
    src, _, dbname, _ = copied
    con = sqlite3.connect(src)
    (lite_hash,), = con.execute("SELECT password_hash FROM users WHERE email = 'mia@example.com'")
    (pk, sk), = con.execute("SELECT hex(public_key), hex(secret_key) FROM signing_keys")
    con.close()
    assert lite_hash.startswith("$argon2id$")
    assert pg_server.query(dbname, "SELECT password_hash FROM users"
                           " WHERE email = 'mia@example.com'") == [[lite_hash]]
    assert pg_server.query(dbname, "SELECT upper(encode(public_key, 'hex')),"
                           " upper(encode(secret_key, 'hex')) FROM signing_keys") == [[pk, sk]]


def test_tables_copied_in_foreign_key_order(copied):
    src, _, _, stderr = copied
    order = re.findall(r"^(\w+): (\d+) rows copied$", stderr, re.M)
    names = [t for t, _ in order]
    assert sorted(names) == sqlite_tables(src), "one progress line per table"
    con = sqlite3.connect(src)
    for t in names:
        assert int(dict(order)[t]) == con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
        for fk in con.execute(f'PRAGMA foreign_key_list("{t}")'):
            ref = fk[2]
            if ref != t:
                assert names.index(ref) < names.index(t), f"{t} copied before {ref}"
    con.close()


def test_identities_continue_past_the_copied_ids(copied, pg_server):
    src, url, dbname, _ = copied
    con = sqlite3.connect(src)
    (top,), = con.execute("SELECT max(id) FROM users")
    con.close()
    ok("user", "add", "noa@example.com", "--name", "Noa", "--role", "analyst",
       "--password-stdin", "--db", url, input=(PASSWORD + "\n").encode())
    assert pg_server.query(dbname, "SELECT id FROM users WHERE email = 'noa@example.com'") == \
        [[str(top + 1)]]


def test_second_copy_into_a_database_with_rows_is_refused(copied, pg_server):
    src, url, dbname, _ = copied
    before = pg_server.query(dbname, "SELECT count(*) FROM contacts")
    p = kith("migrate-store", src, url)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert "the destination is not empty: table" in err, err
    table = re.search(r"table (\w+) has (\d+) rows", err)
    assert table, err
    (n,), = pg_server.query(dbname, f'SELECT count(*) FROM "{table.group(1)}"')
    assert int(n) == int(table.group(2)) > 0
    assert pg_server.query(dbname, "SELECT count(*) FROM contacts") == before


def test_destination_without_schema_is_refused(copied, pg_server):
    src = copied[0]
    url = pg_server.create_database("bare")
    p = kith("migrate-store", src, url)
    assert p.returncode == 1
    assert "run 'kith init --db URL' on it first" in p.stderr.decode()
    assert pg_server.query("bare", "SELECT count(*) FROM pg_tables"
                           " WHERE schemaname = 'public'") == [["0"]]


def test_source_at_another_schema_version_is_refused(copied, pg_server):
    src = copied[0]
    v = schema_version()
    with tempfile.TemporaryDirectory() as d:
        old = os.path.join(d, "old.db")
        shutil.copy(src, old)
        con = sqlite3.connect(old)
        con.execute(f"PRAGMA user_version = {v - 1}")
        con.commit()
        con.close()
        url = pg_server.create_database("fromold")
        ok("init", "--db", url)
        p = kith("migrate-store", "sqlite:" + old, url)
    assert p.returncode == 1
    err = p.stderr.decode()
    assert f"has schema version {v - 1} but migrate-store copies version {v} only" in err, err
    assert "kith init --db FILE" in err
    assert pg_server.query("fromold", "SELECT count(*) FROM contacts") == [["0"]]


def test_usage_errors():
    p = kith("migrate-store", "a.db")
    assert p.returncode == 2
    p = kith("migrate-store", "a.db", "b.db")
    assert p.returncode == 2 and b"DST must be a PostgreSQL URL" in p.stderr
    assert b"kith init --db DST" in ok("migrate-store", "--help").stdout
