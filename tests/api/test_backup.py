"""kith backup while a real `kith serve` takes writes, and kith restore of that backup.

A thread POSTs units to the server without pause for as long as the test wants; `kith backup`
runs meanwhile. The backup must pass integrity_check, hold every write acknowledged before it
started, and once restored into a fresh path export the same rows as the backup file itself.
Synchronisation is by events and joins only: no test waits on a timer.
"""
import os
import re
import sqlite3
import subprocess
import tempfile
import threading

import pytest

from conftest import KITH, Client, Server, add_user, kith

ADMIN = "backup-admin@example.com"


def run(*args):
    return subprocess.run([KITH, *args], capture_output=True, text=True, timeout=300)


def exportable_tables():
    """Every table `kith export` writes, from its column reference."""
    out = run("export", "--columns")
    assert out.returncode == 0, out.stderr
    tables = re.findall(r"^### (\w+)", out.stdout, re.M)
    assert "contacts" in tables and "units" in tables
    return tables


def open_ro(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def table_rows(path):
    """Every row of every table, read with sqlite3 (the secret tables too)."""
    con = open_ro(path)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY rowid').fetchall() for n in names}
    finally:
        con.close()


class Writer(threading.Thread):
    """POSTs a new unit again and again until stopped; .acked are the ids answered 201, in
    order, .failures any other answer."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.client = Client(base, ADMIN)
        self.acked = []
        self.failures = []
        self.cv = threading.Condition()
        self.stopping = threading.Event()

    def run(self):
        i = 0
        while not self.stopping.is_set():
            r = self.client.post("/api/v1/units",
                                 json={"name": f"written while backing up {i}", "kind": "dealer"})
            with self.cv:
                if r.status_code == 201:
                    self.acked.append(r.json()["id"])
                else:
                    self.failures.append((r.status_code, r.text))
                self.cv.notify_all()
            i += 1

    def wait_for(self, n, timeout=60):
        """Blocks until n writes are acknowledged; returns a copy of the acknowledged ids."""
        with self.cv:
            assert self.cv.wait_for(lambda: len(self.acked) >= n or self.failures, timeout)
            assert not self.failures, self.failures
            return list(self.acked)

    def stop(self):
        self.stopping.set()
        self.join(timeout=60)
        assert not self.is_alive()


@pytest.fixture(scope="module")
def world():
    """A served demo database (about 16 MB: the copy takes many steps), and a scratch folder."""
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "2000")
        add_user(db, ADMIN, "admin")
        srv = Server(db)
        try:
            yield {"dir": d, "db": db, "server": srv}
        finally:
            srv.stop()


def test_backup_while_serving_then_restore(world):
    d, db, srv = world["dir"], world["db"], world["server"]
    backup = os.path.join(d, "backup.db")
    writer = Writer(srv.url)
    writer.start()
    try:
        before = writer.wait_for(5)  # acknowledged before the backup starts
        proc = run("backup", backup, "--db", db)
        with writer.cv:
            during = len(writer.acked) - len(before)
        # the writer is still going after the backup: one more write proves it was not stopped
        writer.wait_for(len(before) + during + 1)
    finally:
        writer.stop()
    assert proc.returncode == 0, proc.stderr
    assert backup in proc.stdout
    assert not writer.failures, writer.failures
    print(f"{during} writes acknowledged while the backup ran")

    con = open_ro(backup)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ids = {r[0] for r in con.execute("SELECT id FROM units")}
    finally:
        con.close()
    missing = set(before) - ids
    assert not missing, f"acknowledged before the backup but not in it: {sorted(missing)}"
    # the backup is a snapshot: what it holds of the writer's rows is a prefix of them
    done = writer.acked
    assert [i for i in done if i in ids] == done[:len([i for i in done if i in ids])]
    assert not [f for f in os.listdir(d) if ".tmp-" in f]

    fresh = os.path.join(d, "fresh", "kith.db")
    os.mkdir(os.path.dirname(fresh))
    proc = run("restore", backup, "--db", fresh)
    assert proc.returncode == 0, proc.stderr
    for table in exportable_tables():
        want = run("export", table, "--db", backup)
        got = run("export", table, "--db", fresh)
        assert want.returncode == 0 and got.returncode == 0, want.stderr + got.stderr
        assert got.stdout == want.stdout, f"{table} differs after the restore"
    assert table_rows(fresh) == table_rows(backup)


def test_restore_is_refused_while_the_server_runs(world):
    d, db, srv = world["dir"], world["db"], world["server"]
    backup = os.path.join(d, "refused.db")
    assert run("backup", backup, "--db", db).returncode == 0
    admin = Client(srv.url, ADMIN)
    n = admin.get("/api/v1/units", params={"limit": 1000}).json()
    proc = run("restore", backup, "--db", db)
    assert proc.returncode == 1
    assert "in use" in proc.stderr and "kith serve" in proc.stderr
    assert admin.get("/api/v1/units", params={"limit": 1000}).json() == n
    assert admin.post("/api/v1/units", json={"name": "after the refusal",
                                              "kind": "dealer"}).status_code == 201


def test_bad_backups_and_usage(world):
    d = world["dir"]
    target = os.path.join(d, "target.db")
    kith(target, "init")
    with open(target, "rb") as f:
        before = f.read()
    junk = os.path.join(d, "junk.db")
    with open(junk, "w") as f:
        f.write("not a database\n" * 500)
    proc = run("restore", junk, "--db", target)
    assert proc.returncode == 1
    assert proc.stderr.startswith("kith: ") and "not a kith database" in proc.stderr
    newer = os.path.join(d, "newer.db")
    assert run("backup", newer, "--db", target).returncode == 0
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    proc = run("restore", newer, "--db", target)
    assert proc.returncode == 1 and "schema version 99" in proc.stderr
    with open(target, "rb") as f:
        assert f.read() == before

    assert run("backup", "--db", target).returncode == 2
    assert run("restore", "--db", target).returncode == 2
    assert run("restore", "a", "b", "--db", target).returncode == 2
    assert run("backup", "--nope", "x", "--db", target).returncode == 2
    for cmd in ("backup", "restore"):
        out = run(cmd, "--help")
        assert out.returncode == 0 and out.stdout.startswith(f"usage: kith {cmd}")
