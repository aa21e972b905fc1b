"""Data-subject requests and erasure (docs/portal.md, "Data-subject requests", "Erasure",
"Restriction"): staff log requests and the customer files its own; each is due one calendar month
after receipt (computed here with Python's calendar, independently of kith), extended once by at
most two months; the queue is sorted by due date with overdue ones flagged, in the list, the admin
summary and /metrics; access is answered by the export; every step is audited. Erasure leaves no
personal value in the database file nor its WAL, scrubs the audit log and ends portal access.
"""
import calendar
import datetime as dt
import glob
import json
import os
import re
import sqlite3

import pytest
import requests

from conftest import Client, add_user, http_session, kith

PORTAL_PASSWORD = "my own portal passphrase"


def due(received, months):
    """The end (23:59:59.999 UTC) of the same date `months` months later, or of that month's last
    day when it has no such date."""
    y, m = received.year, received.month + months
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    d = min(received.day, calendar.monthrange(y, m)[1])
    return dt.datetime(y, m, d, 23, 59, 59, 999000, tzinfo=dt.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def sql(db, query, *args):
    con = sqlite3.connect(db)
    try:
        rows = con.execute(query, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def new_contact(admin, email, **extra):
    r = admin.post("/api/v1/contacts", json={"last_name": "Quinterosa", "first_name": "Ysolde",
                                             "email": email, **extra})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def portal(server, admin, cid):
    """A signed-in portal session of contact cid (invited by the admin, through the outbox)."""
    r = admin.post(f"/api/v1/contacts/{cid}/invitations")
    assert r.status_code == 201, r.text
    path = max(glob.glob(server.db + ".outbox/*-invitation-*.txt"), key=os.path.getmtime)
    with open(path) as f:
        token = re.search(r"#token=([A-Za-z0-9_-]+)", f.read()).group(1)
    http = http_session()
    r = http.post(server.url + "/portal/api/invitations/accept",
                  json={"token": token, "password": PORTAL_PASSWORD})
    assert r.status_code == 200, r.text
    http.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return http


def audit_actions(db, dsr_id):
    return [a for (a,) in sql(db, "SELECT action FROM audit_log WHERE table_name = 'dsrs'"
                                  " AND record_id = ? ORDER BY id", dsr_id)]


@pytest.mark.parametrize("received,months", [
    ("2026-01-31T10:00:00.000Z", 1), ("2024-01-31T10:00:00.000Z", 1),
    ("2026-03-31T00:00:00.000Z", 1), ("2025-12-15T23:30:00.000Z", 1),
    ("2026-01-31T10:00:00.000Z", 3), ("2026-11-30T08:00:00.000Z", 3)])
def test_due_dates_are_calendar_months(server, admin, received, months):
    cid = new_contact(admin, f"due{months}-{received[:10]}@example.org")
    r = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "erasure",
                                         "received_at": received})
    assert r.status_code == 201, r.text
    d = r.json()
    t = dt.datetime.strptime(received, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    assert d["due_at"] == iso(due(t, 1))
    assert d["status"] == "open" and d["filed_by"] == "staff"
    if months > 1:
        r = admin.post(f"/api/v1/dsrs/{d['id']}/extend",
                       json={"months": months - 1, "reason": "many records to gather"})
        assert r.status_code == 200, r.text
        assert r.json()["due_at"] == iso(due(t, months))
        assert r.json()["status"] == "extended"


def test_extension_once_by_at_most_two_months_with_a_reason(server, admin):
    cid = new_contact(admin, "ext@example.org")
    d = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "rectification"}).json()
    url = f"/api/v1/dsrs/{d['id']}/extend"
    for body, field in [({"months": 3, "reason": "x"}, "months"), ({"months": 0, "reason": "x"},
                        "months"), ({"months": 2}, "reason"), ({"months": 2, "reason": "  "},
                        "reason")]:
        r = admin.post(url, json=body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    assert admin.post(url, json={"months": 2, "reason": "complex"}).status_code == 200
    r = admin.post(url, json={"months": 1, "reason": "still complex"})
    assert r.status_code == 422 and "once" in r.json()["error"]["message"]
    got = admin.get(f"/api/v1/dsrs/{d['id']}").json()
    assert got["extension_reason"] == "complex" and got["extended_at"]
    assert audit_actions(server.db, d["id"]) == ["dsr_file", "dsr_extend"]
    # a closed request is neither extended nor completed again
    assert admin.post(f"/api/v1/dsrs/{d['id']}/complete", json={}).status_code == 200
    assert admin.post(f"/api/v1/dsrs/{d['id']}/complete", json={}).status_code == 422
    assert admin.post(f"/api/v1/dsrs/{d['id']}/reject", json={"reason": "x"}).status_code == 422
    assert audit_actions(server.db, d["id"]) == ["dsr_file", "dsr_extend", "dsr_complete"]


def test_queue_by_due_date_with_overdue_flagged(server, admin):
    now = dt.datetime.now(dt.timezone.utc)
    received = [now - dt.timedelta(days=50), now - dt.timedelta(days=3),
                now - dt.timedelta(days=40), now]
    ids = []
    for i, t in enumerate(received):
        cid = new_contact(admin, f"queue{i}@example.org")
        r = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "objection",
                                             "received_at": iso(t)})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    # one closed request is out of the queue, overdue or not
    admin.post(f"/api/v1/dsrs/{ids[2]}/reject", json={"reason": "no such processing"})
    q = admin.get("/api/v1/dsrs", params={"status": "open", "sort": "due_at"}).json()
    want = sorted([(due(received[i], 1), ids[i]) for i in (0, 1, 3)])
    assert [d["id"] for d in q["items"]] == [i for _, i in want]
    overdue = {ids[i] for i in (0, 1, 3) if due(received[i], 1) < now}
    assert {d["id"] for d in q["items"] if d["overdue"]} == overdue == {ids[0]}
    assert q["overdue"] == 1 and q["count"] == 3
    s = admin.get("/api/v1/dsrs/summary").json()
    assert s["open"] == 3 and s["overdue"] == 1
    metrics = admin.get("/metrics").text
    assert re.search(r"^kith_dsr_open 3$", metrics, re.M)
    assert re.search(r"^kith_dsr_overdue 1$", metrics, re.M)
    # a received_at in the future is refused
    cid = new_contact(admin, "future@example.org")
    r = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "access",
                                         "received_at": iso(now + dt.timedelta(days=2))})
    assert r.status_code == 422


def test_customer_files_and_access_is_answered_by_the_export(server, admin):
    cid = new_contact(admin, "self@example.org")
    other = new_contact(admin, "other@example.org")
    http = portal(server, admin, cid)
    r = http.post(server.url + "/portal/api/requests", json={"kind": "access"})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "completed" and d["filed_by"] == "customer"
    assert f"/portal/api/requests/{d['id']}/export" in d["answer"]
    exp = http.get(server.url + f"/portal/api/requests/{d['id']}/export")
    assert exp.status_code == 200
    assert exp.json()["schema"] == "kith.dsr-export/1"
    assert exp.json()["subject"]["contact_id"] == cid
    z = http.get(server.url + f"/portal/api/requests/{d['id']}/export", params={"format": "zip"})
    assert z.status_code == 200 and z.content[:2] == b"PK"
    assert admin.get(f"/api/v1/dsrs/{d['id']}/export").json()["subject"]["contact_id"] == cid
    # another's request is not reachable, nor exported
    theirs = admin.post("/api/v1/dsrs", json={"contact_id": other, "kind": "access"}).json()
    assert http.get(server.url + f"/portal/api/requests/{theirs['id']}/export").status_code == 404
    mine = http.get(server.url + "/portal/api/requests").json()["items"]
    assert [x["id"] for x in mine] == [d["id"]]
    r = http.post(server.url + "/portal/api/requests", json={"kind": "erasure",
                                                             "notes": "please forget me"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    assert r.json()["due_at"] == iso(due(dt.datetime.now(dt.timezone.utc), 1))
    assert http.post(server.url + "/portal/api/requests", json={"kind": "delete"}).status_code \
        == 422
    assert audit_actions(server.db, d["id"]) == ["dsr_file", "dsr_complete"]
    # a staff route answers a customer nothing
    assert http.get(server.url + "/api/v1/dsrs").status_code == 401


def test_requests_are_as_visible_as_their_contact(server, admin):
    kith(server.db, "user", "add", "front@example.com", "--name", "Front", "--role", "frontline",
         "--password-stdin", input="correct horse battery staple\n")
    front = Client(server.url, "front@example.com")
    cid = new_contact(admin, "hidden@example.org")
    d = admin.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "objection"}).json()
    assert front.get(f"/api/v1/dsrs/{d['id']}").status_code == 404
    assert d["id"] not in [x["id"] for x in front.get("/api/v1/dsrs").json()["items"]]
    assert front.post(f"/api/v1/dsrs/{d['id']}/complete", json={}).status_code == 404
    assert front.post("/api/v1/dsrs", json={"contact_id": cid, "kind": "access"}).status_code \
        == 404
    assert front.get("/api/v1/dsrs/summary").status_code == 403


def grep_file(path, needles):
    """The needles found in the bytes of path (case-insensitively for ASCII)."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read().lower()
    return [n for n in needles if n.lower().encode() in data]


def test_erasure_leaves_no_personal_value_in_the_file(server, admin):
    email, first, last, phone = ("ysolde.quinterosa@erase.example", "Ysolde", "Quinterosa",
                                 "+44 20 7946 0321")
    cid = new_contact(admin, email, phone=phone, title="Chief of Everything",
                      external_id="CRM-QUINTEROSA-77")
    # its row is rewritten a few times, as a contact's row is in life
    for i in range(5):
        assert admin.patch(f"/api/v1/contacts/{cid}", json={"title": f"Head {i}"}).status_code \
            == 200
    r = admin.post("/api/v1/interaction-types", json={
        "code": "call", "name": "Call", "phase": "closing", "level": 2, "channel": "phone",
        "touch": 0.8, "tech": 0.2, "rv": 3, "cost": "12.50"})
    assert r.status_code == 201, r.text
    types = [r.json()]
    iids = []
    for i in range(30):
        r = admin.post("/api/v1/interactions", json={
            "contact_id": cid, "type_id": types[0]["id"],
            "occurred_at": f"2026-0{1 + i % 9}-1{i % 10}T10:00:00Z",
            "notes": f"{first} {last} called from {phone} about {email}"})
        assert r.status_code == 201, r.text
        iids.append(r.json()["id"])
    http = portal(server, admin, cid)
    # a device it registered, named by it, whose readings carry values of its life
    device_name, reading_value = "Greenhouse heater Zebulonia", "frost-alarm-Wexcombe-4417"
    r = http.post(server.url + "/portal/api/devices", json={"name": device_name, "kind": "heater"})
    assert r.status_code == 201, r.text
    device_token = r.json()["token"]
    lines = "".join(json.dumps({"type": "device.alert", "at": f"2026-05-0{d}T10:00:00Z",
                                "value": {"note": reading_value, "n": d}}) + "\n"
                    for d in range(1, 4))
    r = requests.post(server.url + "/api/v1/streams", data=lines,
                      headers={"Authorization": "Bearer " + device_token,
                               "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and r.json()["accepted"] == 3, r.text
    # a failed sign-in writes the email into the audit log's detail
    bad = http_session().post(server.url + "/portal/api/session",
                              json={"email": email.upper(), "password": "wrong wrong wrong"})
    assert bad.status_code == 401
    assert sql(server.db, "SELECT count(*) FROM audit_log WHERE detail LIKE ?",
               f"%{email}%")[0][0] >= 1
    # corrections it proposed hold its old and new values: one accepted, one waiting
    new_phone, wrong_title = "+44 20 7946 0999", "Quinterosa Holdings Chair"
    r = http.post(server.url + "/portal/api/corrections",
                  json={"field": "phone", "value": new_phone, "note": f"{first} here"})
    assert r.status_code == 201, r.text
    assert admin.post(f"/api/v1/corrections/{r.json()['id']}/accept", json={}).status_code == 200
    r = http.post(server.url + "/portal/api/corrections",
                  json={"field": "title", "value": wrong_title})
    assert r.status_code == 201, r.text
    r = http.post(server.url + "/portal/api/requests", json={"kind": "erasure",
                                                             "notes": f"I am {first} {last}"})
    d = r.json()
    before = sql(server.db, "SELECT id, contact_id, type_id, occurred_at, rv, cost FROM"
                            " interactions WHERE contact_id = ? ORDER BY id", cid)
    r = admin.post(f"/api/v1/dsrs/{d['id']}/complete", json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed" and r.json()["notes"] is None
    # the facts stay, as an anonymous contact's
    after = sql(server.db, "SELECT id, contact_id, type_id, occurred_at, rv, cost FROM"
                           " interactions WHERE contact_id = ? ORDER BY id", cid)
    assert after == before and len(after) == 33
    # its devices are gone (a device's token opens nothing); their readings stay as facts
    assert sql(server.db, "SELECT count(*) FROM devices WHERE contact_id = ?", cid) == [(0,)]
    assert sql(server.db, "SELECT count(*), count(notes) FROM interactions WHERE contact_id = ?"
                          " AND source = 'device'", cid) == [(3, 0)]
    r = requests.post(server.url + "/api/v1/streams", data=lines,
                      headers={"Authorization": "Bearer " + device_token,
                               "Content-Type": "application/x-ndjson"})
    assert r.status_code == 401
    row = admin.get(f"/api/v1/contacts/{cid}").json()
    assert row["email"] is None and row["first_name"] is None and row["phone"] is None
    assert row["last_name"] == "(erased)" and row["external_id"] is None
    # portal access, sessions and links are gone: the contact can no longer sign in
    assert http.get(server.url + "/portal/api/session").status_code == 401
    assert sql(server.db, "SELECT count(*) FROM portal_accounts WHERE contact_id = ?", cid) == \
        [(0,)]
    # the audit log records the erasure and repeats none of the values
    rows = sql(server.db, "SELECT action, coalesce(detail, '') FROM audit_log")
    assert any(a == "dsr_complete" and "erasure of contact" in det for a, det in rows)
    for a, det in rows:
        for v in (email, first + " " + last, phone):
            assert v.lower() not in det.lower(), (a, det)
    # nothing of it in the file nor in the WAL (the erasure checkpointed it), nor after a stop
    needles = [email, first, last, phone, new_phone, wrong_title, "QUINTEROSA-77", device_name,
               reading_value]
    assert grep_file(server.db, needles) == []
    assert grep_file(server.db + "-wal", needles) == []
    server.stop()
    assert grep_file(server.db, needles) == []
    assert grep_file(server.db + "-wal", needles) == []


# ---- aggregates: erasure keeps them, restriction leaves the contact out ----

def figures(db):
    """RV norms by team and by unit, the comparison of units, the value distribution and the V2T2
    tones, as the CLI computes them (as_of fixed where the figure would move with the clock)."""
    import json
    out = {}
    for by in ("team", "unit"):
        out[f"norm_{by}"] = json.loads(kith(db, "rv", "norm", "--by", by, "--as-of",
                                            "2026-06-30", "--json").stdout)
    out["units"] = json.loads(kith(db, "rv", "units", "--as-of", "2026-06-30", "--json").stdout)
    out["value"] = json.loads(kith(db, "value", "dist", "--json").stdout)
    del out["value"]["computed_at"], out["value"]["data_version"]  # when, not what
    out["v2t2"] = json.loads(kith(db, "v2t2", "tones", "--json").stdout)
    return out


@pytest.fixture(scope="module")
def demo():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "400", "--seed", "11")
        yield db


def test_erasing_one_percent_keeps_norms_value_and_units(demo):
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "copy.db")
        shutil.copy(demo, db)
        before = figures(db)
        n = sql(db, "SELECT count(*) FROM contacts")[0][0]
        # 1% of the contacts, those with the most history (the hardest to keep)
        ids = [i for (i,) in sql(db, "SELECT contact_id FROM interactions GROUP BY contact_id"
                                     " ORDER BY count(*) DESC, contact_id LIMIT ?", n // 100)]
        assert len(ids) == 4
        emails = [e for (e,) in sql(db, f"SELECT email FROM contacts WHERE id IN"
                                        f" ({','.join('?' * len(ids))})", *ids)]
        for cid in ids:
            out = kith(db, "dsr", "file", "--kind", "erasure", str(cid)).stdout
            rid = re.search(r"request (\d+)", out).group(1)
            kith(db, "dsr", "complete", rid)
        assert sql(db, f"SELECT count(*) FROM contacts WHERE email IS NOT NULL AND id IN"
                       f" ({','.join('?' * len(ids))})", *ids) == [(0,)]
        after = figures(db)
        assert after == before
        assert grep_file(db, emails) == [] and grep_file(db + "-wal", emails) == []


def members(norm):
    return sum(g["members"] for g in norm["groups"])


def test_restriction_leaves_the_contact_out_until_lifted(demo):
    import json
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "copy.db")
        shutil.copy(demo, db)
        # a contact with interactions that placed orders
        cid = sql(db, "SELECT o.contact_id FROM orders o JOIN interactions i ON"
                      " i.contact_id = o.contact_id GROUP BY o.contact_id"
                      " ORDER BY sum(o.margin) DESC LIMIT 1")[0][0]
        before = figures(db)
        assert kith(db, "rv", "contact", str(cid), "--json", check=False).returncode == 0
        out = kith(db, "dsr", "file", "--kind", "restriction", str(cid)).stdout
        rid = re.search(r"request (\d+)", out).group(1)
        during = figures(db)
        # out of the norms (one member fewer), of the contact's own analysis, of customer value
        for by in ("team", "unit"):
            assert members(during[f"norm_{by}"]) == members(before[f"norm_{by}"]) - 1
        assert kith(db, "rv", "contact", str(cid), "--json", check=False).returncode != 0
        assert during["value"]["overall"]["total"] < before["value"]["overall"]["total"]
        mine = sql(db, "SELECT count(*) FROM interactions WHERE contact_id = ?", cid)[0][0]
        assert sum(p["interactions"] for p in during["v2t2"]["phases"]) < \
            sum(p["interactions"] for p in before["v2t2"]["phases"]) and mine > 0
        # completing it keeps it in force; lifting it brings the contact back
        kith(db, "dsr", "complete", rid)
        assert figures(db) == during
        assert kith(db, "dsr", "lift", rid).returncode == 0
        assert figures(db) == before
        assert json.loads(kith(db, "dsr", "list", "--status", "lifted", "--json")
                          .stdout.splitlines()[0])["id"] == int(rid)


def test_vacuum_leaves_nothing_erased_anywhere_in_the_file(demo):
    """Notes written into old interactions make SQLite rebalance full pages, which may leave old
    row versions in the pages' unused space, beyond what the erasure reaches; kith dsr vacuum
    rewrites the file, after which the erased values are nowhere."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "copy.db")
        shutil.copy(demo, db)
        ids = [i for (i,) in sql(db, "SELECT id FROM contacts ORDER BY id LIMIT 20")]
        needles = []
        for cid in ids:
            email, phone = f"vac{cid}.person@vacuum.example", f"+33 1 99 {cid:02d} 77 10"
            needles += [email, phone]
            sql(db, "UPDATE contacts SET email = ?, phone = ? WHERE id = ?", email, phone, cid)
            sql(db, "UPDATE interactions SET notes = ? WHERE contact_id = ?",
                f"spoke with {email} on {phone} " * 4, cid)
        for cid in ids:
            out = kith(db, "dsr", "file", "--kind", "erasure", str(cid)).stdout
            kith(db, "dsr", "complete", re.search(r"request (\d+)", out).group(1))
        kith(db, "dsr", "vacuum")
        assert grep_file(db, needles) == [] and grep_file(db + "-wal", needles) == []
        # the facts are still there
        assert sql(db, "SELECT count(*) FROM contacts WHERE id IN (%s) AND last_name ="
                       " '(erased)'" % ",".join("?" * len(ids)), *ids) == [(len(ids),)]


def test_restriction_leaves_the_contact_out_of_the_voice_analyses(demo):
    import json
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "copy.db")
        shutil.copy(demo, db)
        sql(db, "INSERT INTO surveys (id, created_at, name, questions) VALUES (900, 0, 'NPS',"
                " '{\"items\": [{\"id\": \"q1\", \"kind\": \"nps\", \"text\": \"?\"}]}')")
        ids = [i for (i,) in sql(db, "SELECT id FROM contacts ORDER BY id LIMIT 30")]
        for k, cid in enumerate(ids):
            sql(db, "INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at,"
                    " nps, latest, confidential) VALUES (0, 900, ?, 1700000000000, ?, 1, 0)",
                cid, k % 11)

        def answered():
            g = json.loads(kith(db, "voice", "nps", "--json").stdout)["groups"]
            return sum(x["nps"]["n"] for x in g if not x["suppressed"])

        assert answered() == 30
        out = kith(db, "dsr", "file", "--kind", "restriction", str(ids[0])).stdout
        assert answered() == 29
        kith(db, "dsr", "reject", "--reason", "the data is accurate",
             re.search(r"request (\d+)", out).group(1))
        assert answered() == 30
