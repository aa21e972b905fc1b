"""One truth for a contact's level and stage: the values the RV engine derives from the
contact's interactions are the ones stored, listed, filtered and exported, kept current by the
server's incremental update and by `kith import` / `kith demo` (docs/internals/rv.md, "Level
and stage"). A churn event leaves them; a voided trigger takes its level back; nobody writes
them by hand."""
import csv
import datetime
import io
import json
import os
import sqlite3
import tempfile

import pytest

from conftest import Client, Server, add_user, kith


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "300", "--seed", "5")
        add_user(db, "admin@example.com", "admin")
        con = sqlite3.connect(db)
        # the phase of each level, and a trigger whose level moves a contact to a new stage
        phases = dict(con.execute("SELECT level, min(phase) FROM interaction_types GROUP BY level"))
        trig = con.execute("SELECT id, level FROM interaction_types WHERE is_trigger = 1 AND "
                           "level = 3").fetchone()
        plain = con.execute("SELECT id FROM interaction_types WHERE is_trigger = 0 AND rv > 0 "
                            "ORDER BY id LIMIT 1").fetchone()[0]
        con.close()
        srv = Server(db)
        try:
            yield {"db": db, "srv": srv, "admin": Client(srv.url, "admin@example.com"),
                   "phases": phases, "trigger": trig, "plain": plain}
        finally:
            srv.stop()


def now_iso(minutes=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def stored(world, cid):
    r = world["admin"].get(f"/api/v1/contacts/{cid}")
    assert r.status_code == 200, r.text
    return r.json()["level"], r.json()["stage"]


def engine(world, cid):
    r = world["admin"].get(f"/api/v1/rv/contacts/{cid}")
    assert r.status_code == 200, r.text
    return r.json()["level"], r.json()["stage"]


def interact(world, cid, type_id, minutes=0):
    r = world["admin"].post("/api/v1/interactions", json={
        "contact_id": cid, "type_id": type_id, "occurred_at": now_iso(minutes)})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_demo_contacts_store_the_engines_level(world):
    con = sqlite3.connect(world["db"])
    rows = con.execute("SELECT id, level, stage FROM contacts ORDER BY id").fetchall()
    con.close()
    assert {lv for _, lv, _ in rows} - {None}, "no contact has a level"
    for cid, level, stage in rows[::25]:
        assert (level, stage) == engine(world, cid), f"contact {cid}"


def test_a_contacts_level_follows_its_interactions(world):
    admin, (trig, trig_level) = world["admin"], world["trigger"]
    c = admin.post("/api/v1/contacts", json={"first_name": "Lev", "last_name": "Elman"})
    assert c.status_code == 201, c.text
    cid = c.json()["id"]
    assert stored(world, cid) == (None, None)  # nothing counts yet

    interact(world, cid, world["plain"], minutes=-3)
    assert stored(world, cid) == (1, world["phases"][1])

    t = interact(world, cid, trig, minutes=-2)
    want = (trig_level + 1, world["phases"][trig_level + 1])
    assert stored(world, cid) == want == engine(world, cid)
    listed = admin.get("/api/v1/contacts", params={"level": want[0], "stage": want[1],
                                                   "sort": "-id", "limit": 20}).json()["items"]
    assert cid in [x["id"] for x in listed]
    exported = kith(world["db"], "export", "contacts", "--format", "jsonl").stdout
    row = next(json.loads(x) for x in exported.splitlines() if json.loads(x)["id"] == cid)
    assert (row["level"], row["stage"]) == want

    # a churn event is an outcome, not an interaction: the level reached stays
    e = admin.post("/api/v1/events", json={"kind": "churn", "contact_id": cid,
                                           "occurred_at": now_iso(-1)})
    assert e.status_code == 201, e.text
    assert stored(world, cid) == want

    # voiding the trigger takes the level back to what the other interactions give
    v = admin.post(f"/api/v1/interactions/{t}/void", json={})
    assert v.status_code == 201, v.text
    assert stored(world, cid) == (1, world["phases"][1]) == engine(world, cid)


@pytest.mark.parametrize("body", [{"level": 5}, {"stage": "closing"}])
def test_level_and_stage_cannot_be_written(world, body):
    admin = world["admin"]
    field = next(iter(body))
    c = admin.post("/api/v1/contacts", json={"last_name": "Fixed", **body})
    assert c.status_code == 422 and c.json()["error"]["field"] == field, c.text
    cid = admin.post("/api/v1/contacts", json={"last_name": "Fixed"}).json()["id"]
    p = admin.patch(f"/api/v1/contacts/{cid}", json=body)
    assert p.status_code == 422, p.text
    assert p.json()["error"]["code"] == "read_only" and p.json()["error"]["field"] == field
    assert stored(world, cid) == (None, None)


def test_import_derives_levels_and_replaces_the_files(tmp_path):
    db = str(tmp_path / "kith.db")
    kith(db, "demo", "--contacts", "50", "--seed", "2")
    con = sqlite3.connect(db)
    trig = con.execute("SELECT code, level FROM interaction_types WHERE is_trigger = 1 AND "
                       "level = 5").fetchone()
    phase = con.execute("SELECT min(phase) FROM interaction_types WHERE level = ?",
                        (trig[1] + 1,)).fetchone()[0]
    con.close()
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("last_name,email,stage,level\nImported,imp@example.com,retention,8\n")
    out = kith(db, "import", "contacts", str(contacts))
    con = sqlite3.connect(db)
    assert con.execute("SELECT level, stage FROM contacts WHERE email = 'imp@example.com'"
                       ).fetchone() == (None, None)  # no interaction counts for it yet
    assert "derived from their interactions" in out.stdout
    con.close()
    inter = tmp_path / "interactions.csv"
    inter.write_text("contact_email,type_code,occurred_at\n"
                     f"imp@example.com,{trig[0]},2026-01-02T10:00:00Z\n")
    kith(db, "import", "interactions", str(inter))
    con = sqlite3.connect(db)
    assert con.execute("SELECT level, stage FROM contacts WHERE email = 'imp@example.com'"
                       ).fetchone() == (trig[1] + 1, phase)
    con.close()
