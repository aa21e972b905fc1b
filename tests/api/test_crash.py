"""Crash safety: `kith serve` killed with SIGKILL while clients write, and `kith import` killed
mid-file, then the database reopened and checked.

docs/storage.md promises that a write kith has acknowledged (an API call that answered 2xx)
survives a crash; docs/import-export.md that an import is all or nothing. A SIGKILL is the crash
a process can be given without root: the process stops between any two instructions, nothing of
kith's own runs after it, and what it had not handed to the kernel is lost. (It does not drop
the kernel's page cache, so it cannot tell synchronous=FULL from NORMAL; a power loss can, and
no test without a virtual machine can cause one.)

Each kill happens at an event that the test observes (the Nth 201 answer, a progress line of
the import), never after a sleep. The database is then reopened by kith itself (the first opener
recovers the WAL or rolls back the journal, as after a real crash) and read with Python's sqlite3
module, read only, with `PRAGMA integrity_check`.
"""
import datetime
import json
import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading

import pytest
import requests

from conftest import KITH, Client, Server, add_user, kith

ADMIN = "admin@example.com"


def ro_connect(db):
    """A read-only sqlite3 connection to db (mode=ro: it can never write the file)."""
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def integrity(db):
    con = ro_connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def catalogue(db):
    """The ids of db's contacts and interaction types (the references a new interaction needs)."""
    con = ro_connect(db)
    try:
        contacts = [r[0] for r in con.execute("SELECT id FROM contacts ORDER BY id")]
        types = [r[0] for r in con.execute("SELECT id FROM interaction_types ORDER BY id")]
    finally:
        con.close()
    assert contacts and types
    return contacts, types


def iso_ms(ms):
    """Unix milliseconds as kith writes a time: 2024-05-01T12:00:00.000Z."""
    t = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


# ---- 1. kith serve killed during concurrent POSTs ----

WRITERS = 4          # client threads, as many as the server's default worker threads
MAX_POSTS = 20000    # a bound on the posts of one trial, should the kill point never come
# The kill comes once this many 201 answers have arrived: the first write, a few, and past the
# WAL's automatic checkpoint (1000 pages, reached after about a hundred of these commits), so
# that some acknowledged writes are in the database file and others only in the WAL.
KILL_AFTER = (1, 17, 120, 260, 400)

SENT_FIELDS = ("external_id", "contact_id", "type_id", "occurred_at", "channel", "direction",
               "rv", "cost", "outcome", "notes")


def stored_form(body):
    """The interactions columns body must have been stored as (times in ms, money in cents)."""
    t = datetime.datetime.strptime(body["occurred_at"], "%Y-%m-%dT%H:%M:%S.%f%z")
    cents = int(body["cost"].replace(".", ""))
    return (body["external_id"], body["contact_id"], body["type_id"],
            int(round(t.timestamp() * 1000)), body["channel"], body["direction"], body["rv"],
            cents, body["outcome"], body["notes"])


class PostLog:
    """What the writer threads sent and what the server acknowledged, shared under a lock."""

    def __init__(self, kill_after):
        self.lock = threading.Lock()
        self.kill_after = kill_after
        self.reached = threading.Event()  # kill_after 201s have arrived (or something failed)
        self.killed = threading.Event()   # set just before the SIGKILL
        self.sent = {}                    # external_id -> body, for every request sent
        self.acked = []                   # (body, record of the 201 answer)
        self.failures = []                # anything but a 201 before the kill


def writer(url, token, n, log, contacts, types, marker):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    seq = 0
    while not log.killed.is_set():
        seq += 1
        k = n * 100003 + seq
        body = {"external_id": f"{marker}-{n}-{seq}", "contact_id": contacts[k % len(contacts)],
                "type_id": types[k % len(types)], "occurred_at": iso_ms(1700000000000 + k * 1001),
                "channel": "phone" if k % 2 else "email",
                "direction": "inbound" if k % 3 else "outbound", "rv": k % 11 - 5,
                "cost": f"{k % 1000}.{k % 100:02d}", "outcome": f"outcome {k}",
                "notes": f"crash trial {marker}, writer {n}, post {seq}"}
        with log.lock:
            if len(log.sent) >= MAX_POSTS:
                log.failures.append("no kill after %d posts" % MAX_POSTS)
                log.reached.set()
                return
            log.sent[body["external_id"]] = body
        try:
            r = http.post(url + "/api/v1/interactions", json=body, timeout=60)
        except requests.RequestException as e:
            if not log.killed.is_set():
                with log.lock:
                    log.failures.append(f"{body['external_id']}: {e!r}")
                    log.reached.set()
            return  # after the kill: the server is gone
        with log.lock:
            if r.status_code != 201:
                log.failures.append(f"{body['external_id']}: {r.status_code} {r.text}")
                log.reached.set()
                return
            log.acked.append((body, r.json()))
            if len(log.acked) >= log.kill_after:
                log.reached.set()


@pytest.fixture
def trial_dir():
    """A directory for one trial's database, removed afterwards (pytest's tmp_path is kept)."""
    with tempfile.TemporaryDirectory() as d:
        yield d


@pytest.fixture(scope="module")
def serve_template():
    """A demo database (10 contacts) with an administrator, copied by each trial."""
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "template.db")
        kith(db, "demo", "--contacts", "10")
        add_user(db, ADMIN, "admin")
        assert not os.path.exists(db + "-wal"), "the template must be one self-contained file"
        yield db


@pytest.mark.parametrize("kill_after", KILL_AFTER)
def test_every_acknowledged_post_survives_sigkill(serve_template, trial_dir, kill_after):
    db = os.path.join(trial_dir, "kith.db")
    shutil.copyfile(serve_template, db)
    contacts, types = catalogue(db)
    marker = f"crash{kill_after}"
    srv = Server(db)
    try:
        token = Client(srv.url, ADMIN).post("/api/v1/tokens", json={"name": "crash"}).json()["token"]
        log = PostLog(kill_after)
        threads = [threading.Thread(target=writer, daemon=True,
                                    args=(srv.url, token, n, log, contacts, types, marker))
                   for n in range(WRITERS)]
        for t in threads:
            t.start()
        reached = log.reached.wait(timeout=60)
        log.killed.set()
        srv.proc.send_signal(signal.SIGKILL)
        assert srv.proc.wait(timeout=30) == -signal.SIGKILL
        for t in threads:
            t.join(timeout=30)
            assert not t.is_alive()
    finally:
        srv.stop()
    assert reached and not log.failures, log.failures[:5]
    assert len(log.acked) >= kill_after

    # The first opener after the crash is kith (read only: it rebuilds the WAL index from the
    # WAL the dead server left, as any SQLite reader does).
    lines = kith(db, "export", "interactions", "--format", "jsonl").stdout.splitlines()
    exported = {rec["id"]: rec for rec in map(json.loads, lines)}
    for body, rec in log.acked:
        assert all(rec[f] == body[f] for f in SENT_FIELDS), (body, rec)
        assert exported.get(rec["id"]) == rec, f"acknowledged interaction {rec['id']} lost"
    # Rows that were sent but whose answer the kill cut off may or may not be there; what is
    # there was sent, whole.
    ours = [rec for rec in exported.values() if (rec["external_id"] or "").startswith(marker)]
    for rec in ours:
        body = log.sent.get(rec["external_id"])
        assert body and all(rec[f] == body[f] for f in SENT_FIELDS), rec
    assert len(ours) >= len(log.acked)

    # The same through SQLite alone, without kith's code in the way.
    assert integrity(db) == [("ok",)]
    con = ro_connect(db)
    try:
        rows = {r[0]: r[1:] for r in con.execute(
            "SELECT id, external_id, contact_id, type_id, occurred_at, channel, direction, rv,"
            " cost, outcome, notes FROM interactions WHERE external_id LIKE ?", (marker + "-%",))}
    finally:
        con.close()
    assert len(rows) == len(ours)
    for body, rec in log.acked:
        assert rows.get(rec["id"]) == stored_form(body), f"interaction {rec['id']} as stored"

    # kith serve starts again on it and takes writes.
    srv = Server(db)
    try:
        admin = Client(srv.url, ADMIN)
        last = log.acked[-1][1]
        assert admin.get(f"/api/v1/interactions/{last['id']}").json() == last
        r = admin.post("/api/v1/interactions", json={
            "contact_id": contacts[0], "type_id": types[0], "occurred_at": "2025-01-01"})
        assert r.status_code == 201, r.text
    finally:
        assert srv.stop() == 0
    assert integrity(db) == [("ok",)]


# ---- 2. kith import killed mid-file ----

IMPORT_ROWS = 300000
PROGRESS = re.compile(r"(\d+)%\s+(\d+) rows")


@pytest.fixture(scope="module")
def import_world():
    """A demo database with an administrator, and a CSV of IMPORT_ROWS new interactions of its
    contacts and types (external ids imp-0, imp-1, ...); each trial imports it into a copy."""
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "template.db")
        kith(db, "demo", "--contacts", "10")
        add_user(db, ADMIN, "admin")
        assert not os.path.exists(db + "-wal"), "the template must be one self-contained file"
        contacts, types = catalogue(db)
        csv_path = os.path.join(d, "interactions.csv")
        with open(csv_path, "w", newline="") as f:
            f.write("external_id,contact_id,type_id,occurred_at,channel,direction,rv,cost,notes\n")
            for i in range(IMPORT_ROWS):
                f.write(f"imp-{i},{contacts[i % len(contacts)]},{types[i % len(types)]},"
                        f"{1700000000000 + i * 1000},phone,{'inbound' if i % 2 else 'outbound'},"
                        f"{i % 7},{i % 50}.25,row {i}\n")
        yield db, csv_path


def kill_when(proc, master, is_kill_point):
    """Reads the import's progress bar from the pty master until a line satisfies
    is_kill_point(percent, rows, final), then sends SIGKILL. Returns the lines seen."""
    buf = ""
    seen = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, f"no progress output for 60 s: {buf!r}"
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the import exited and closed the terminal
            data = b""
        if not data:
            break
        buf += data.decode(errors="replace")
        # The bar redraws after a '\r'; its last drawing ends with a line break (the terminal
        # makes it "\r\n"), printed once every row is in, before the indexes are rebuilt and
        # the transaction commits (src/io/import.c, progress_finish).
        end = 0
        for m in re.finditer(r"([^\r\n]*)(\r\n|\r|\n)", buf):
            end = m.end()
            line, final = m.group(1), m.group(2) != "\r"
            p = PROGRESS.search(line)
            if not p:
                continue
            seen.append(line.strip())
            if is_kill_point(int(p.group(1)), int(p.group(2)), final):
                proc.send_signal(signal.SIGKILL)
                return seen
        buf = buf[end:]
    return seen


KILL_POINTS = {
    # while the first rows go in (before the bulk estimate drops the secondary indexes)
    "first-progress-line": lambda pct, rows, final: True,
    # half the file read: the indexes are dropped, rows still going in
    "half-read": lambda pct, rows, final: pct >= 50,
    # every row in, the indexes being rebuilt and the transaction about to commit
    "indexes-and-commit": lambda pct, rows, final: final,
}


def count_ours(db):
    con = ro_connect(db)
    try:
        total = con.execute("SELECT count(*) FROM interactions").fetchone()[0]
        ours = con.execute(
            "SELECT count(*) FROM interactions WHERE external_id LIKE 'imp-%'").fetchone()[0]
    finally:
        con.close()
    return total, ours


@pytest.mark.parametrize("beside", ["alone", "beside-serve"])
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_import_killed_midway_is_all_or_nothing(import_world, trial_dir, point, beside):
    """alone: the import has the database to itself and loads through a rollback journal;
    beside-serve: a running server keeps the database in WAL mode (docs/import-export.md)."""
    template, csv_path = import_world
    db = os.path.join(trial_dir, "kith.db")
    shutil.copyfile(template, db)
    before, ours = count_ours(db)
    assert ours == 0
    srv = admin = None
    if beside == "beside-serve":
        srv = Server(db)
        # A worker thread opens its connection at its first request and keeps it: from then on
        # the import cannot leave WAL. (A server that has answered nothing holds no connection.)
        admin = Client(srv.url, ADMIN)
    try:
        # The progress bar is drawn only on a terminal: stderr is a pty, read here.
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen([KITH, "import", "interactions", csv_path, "--db", db],
                                    stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
            os.close(slave)
            seen = kill_when(proc, master, KILL_POINTS[point])
            rc = proc.wait(timeout=60)
            out = proc.stdout.read().decode()
            proc.stdout.close()
        finally:
            os.close(master)
        assert seen, "the import showed no progress"
        # A SIGKILL, unless the import had already finished (then its rows must all be there).
        assert rc == -signal.SIGKILL or (rc == 0 and point == "indexes-and-commit"), (rc, out, seen)
        if beside == "alone":
            # The trial covers the rollback-journal path it names.
            assert os.path.exists(db + "-journal") or rc == 0, "the import stayed in WAL mode"
        else:
            assert not os.path.exists(db + "-journal"), "the import left WAL beside a server"
            # The server still answers and writes: the dead import's lock went with it.
            r = admin.post("/api/v1/interactions", json={
                "contact_id": catalogue(db)[0][0], "type_id": catalogue(db)[1][0],
                "occurred_at": "2025-01-01"})
            assert r.status_code == 201, r.text
            before += 1
    finally:
        if srv:
            assert srv.stop() == 0

    # The first opener after the crash is kith (kith stats, read only).
    stats = kith(db, "stats").stdout
    m = re.search(r"^\s*interactions\s+(\d+)$", stats, re.M)
    assert m, stats
    after, ours = count_ours(db)
    assert int(m.group(1)) == after
    assert integrity(db) == [("ok",)]
    if rc == -signal.SIGKILL:
        assert (after, ours) == (before, 0), f"killed at {seen[-1]!r}: partial import"
    else:
        assert (after, ours) == (before + IMPORT_ROWS, IMPORT_ROWS)
