"""The data-subject export (docs/dsr-export.md): GET /api/v1/contacts/{id}/export and
`kith dsr export` against a small demo database with a survey, opt-ins, answers, consents and a
request added for one contact.

What is checked, each independently of kith's code: the JSON has the schema's required keys; each
table holds exactly the rows the database holds for the contact (the expected ids are selected
here with SQL of our own); the zip opens with Python's zipfile, holds one CSV per table and
manifest.json, and each CSV's rows equal the database rows (values converted here from the stored
form); roles that may not read the contact get 404 for both formats, and the export is audited;
and an export imported into a fresh `kith init` database exports back to the same rows.
"""
import csv
import datetime
import io
import json
import os
import sqlite3
import subprocess
import tempfile
import zipfile

import pytest

from conftest import KITH, Client, Server, add_user, kith

SCHEMA = "kith.dsr-export/1"
REQUIRED = ["schema", "generated_at", "generator", "subject", "tables", "interactions_explained",
            "inferences", "not_held"]
# The tables an export must hold (a later kith may add more, e.g. devices).
TABLES = ["contacts", "interaction_types", "interactions", "products", "deal_stages", "deals",
          "deal_lines", "deal_stage_changes", "orders", "order_lines", "events", "surveys",
          "survey_responses", "survey_optins", "ratings", "ideas", "idea_votes", "consents",
          "dsrs"]
MS = 1_700_000_000_000
# The content of a survey answer, withheld from staff when the answer is confidential.
CONTENT = ["nps", "csat", "intent", "wants", "needs", "answers"]


def pick_contact(con):
    """A contact with interactions, a deal it is primary contact of, and account orders."""
    return con.execute(
        "SELECT c.id, c.account_id, c.unit_id FROM contacts c"
        " WHERE EXISTS (SELECT 1 FROM deals d WHERE d.contact_id = c.id)"
        " AND EXISTS (SELECT 1 FROM orders o WHERE o.account_id = c.account_id)"
        " AND EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id)"
        " AND c.unit_id IS NOT NULL ORDER BY c.id LIMIT 1").fetchone()


def add_history(con, cid):
    """A survey with an opt-in and two answers (one confidential, the other updating it), consents and a
    request, written straight into the database (the portal and consent doors are other
    issues' work)."""
    q = json.dumps({"items": [{"id": "q1", "kind": "nps", "text": "Recommend us?"}]})
    con.execute("INSERT INTO surveys (created_at, name, purpose, questions) VALUES (?,?,?,?)",
                (MS, "Export survey", "test", q))
    sid = con.execute("SELECT id FROM surveys WHERE name = 'Export survey'").fetchone()[0]
    con.execute("INSERT INTO survey_optins (created_at, survey_id, contact_id, state, share,"
                " recorded_at, collected_by) VALUES (?,?,?,?,?,?,?)",
                (MS, sid, cid, "granted", 1, MS, "web form"))
    # the first answer is confidential: staff never see its content, the contact does
    con.execute("INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at,"
                " nps, confidential, answers, latest, intent) VALUES (?,?,?,?,?,?,?,?,?)",
                (MS, sid, cid, MS, 7, 1, json.dumps({"q1": 7}), 0, "switching supplier"))
    first = con.execute("SELECT max(id) FROM survey_responses").fetchone()[0]
    con.execute("INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at,"
                " nps, confidential, answers, latest, replaces_id, wants) VALUES"
                " (?,?,?,?,?,?,?,?,?,?)",
                (MS + 1000, sid, cid, MS + 1000, 9, 0, json.dumps({"q1": 9}), 1, first,
                 "faster delivery"))
    for i, (purpose, channel, state) in enumerate([("marketing", "email", "granted"),
                                                    ("marketing", "sms", "granted"),
                                                    ("marketing", "sms", "withdrawn")]):
        con.execute("INSERT INTO consents (created_at, contact_id, purpose, channel, state,"
                    " recorded_at, collected_by) VALUES (?,?,?,?,?,?,?)",
                    (MS + i, cid, purpose, channel, state, MS + i, "staff"))
    # another contact referred it: the event is the other's, and names it
    other = con.execute("SELECT min(id) FROM contacts WHERE id != ?", (cid,)).fetchone()[0]
    con.execute("INSERT INTO events (created_at, kind, contact_id, related_contact_id,"
                " occurred_at) VALUES (?,?,?,?,?)", (MS, "referral", other, cid, MS))
    # two devices it registered (one paused, one that has posted); their token hashes stay home
    for name, kind, hsh, paused, seen, n in [
            ("Attic =boiler", "boiler", "ab" * 32, MS + 5000, None, 0),
            ("Heat pump, garden", "heat-pump", "cd" * 32, None, MS + 9000, 42)]:
        con.execute("INSERT INTO devices (created_at, contact_id, name, kind, token_hash,"
                    " paused_at, last_seen_at, readings) VALUES (?,?,?,?,?,?,?,?)",
                    (MS, cid, name, kind, hsh, paused, seen, n))
    con.execute("INSERT INTO dsrs (created_at, contact_id, kind, status, received_at, due_at,"
                " notes) VALUES (?,?,?,?,?,?,?)",
                (MS, cid, "access", "open", MS, MS + 30 * 86400000, "by letter"))
    con.commit()


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "40", "--seed", "5")
        con = sqlite3.connect(db)
        cid, acc, unit = pick_contact(con)
        add_history(con, cid)
        unit_name = con.execute("SELECT name FROM units WHERE id = ?", (unit,)).fetchone()[0]
        other = con.execute("SELECT name FROM units WHERE id != ? AND kind = 'business_unit'",
                            (unit,)).fetchone()[0]
        # a contact of an independent unit that keeps its detail private (docs/internals/access.md)
        private = con.execute("SELECT c.id FROM contacts c JOIN units u ON u.id = c.unit_id"
                              " WHERE u.kind IN ('partner', 'distributor', 'dealer')"
                              " AND u.shares_detail = 0 ORDER BY c.id LIMIT 1").fetchone()[0]
        con.close()
        add_user(db, "admin@example.com", "admin")
        add_user(db, "exec@example.com", "executive")
        add_user(db, "analyst@example.com", "analyst")
        add_user(db, "mgr@example.com", "manager", unit=unit_name)
        add_user(db, "other@example.com", "manager", unit=other)
        add_user(db, "front@example.com", "frontline")
        add_user(db, "partner@example.com", "partner")
        srv = Server(db)
        try:
            yield {"db": db, "dir": d, "srv": srv, "cid": cid, "acc": acc, "private": private,
                   "admin": Client(srv.url, "admin@example.com")}
        finally:
            srv.stop()


def expected_ids(con, cid, acc):
    """The ids each table of the export must hold, by the rules of docs/dsr-export.md."""
    one = lambda sql, *a: sorted({r[0] for r in con.execute(sql, a)})
    e = {"contacts": [cid]}
    e_rel = one("SELECT id FROM events WHERE contact_id = ? OR related_contact_id = ?", cid, cid)
    for t in ("interactions", "events", "survey_responses", "survey_optins", "ratings", "ideas",
              "idea_votes", "consents", "dsrs", "deals"):
        e[t] = one(f"SELECT id FROM {t} WHERE contact_id = ?", cid)
    e["events"] = e_rel  # an event about another contact that names it as the related one
    e["orders"] = one("SELECT id FROM orders WHERE account_id = ? OR contact_id = ?", acc, cid)
    ids = lambda t: ",".join(str(i) for i in e[t]) or "NULL"
    e["order_lines"] = one(f"SELECT id FROM order_lines WHERE order_id IN ({ids('orders')})")
    e["deal_lines"] = one(f"SELECT id FROM deal_lines WHERE deal_id IN ({ids('deals')})")
    e["deal_stage_changes"] = one(
        f"SELECT id FROM deal_stage_changes WHERE deal_id IN ({ids('deals')})")
    e["surveys"] = one(f"SELECT survey_id FROM survey_responses WHERE id IN"
                       f" ({ids('survey_responses')}) UNION SELECT survey_id FROM survey_optins"
                       f" WHERE id IN ({ids('survey_optins')})")
    e["deal_stages"] = one(
        f"SELECT stage_id FROM deals WHERE id IN ({ids('deals')}) UNION SELECT from_stage_id"
        f" FROM deal_stage_changes WHERE id IN ({ids('deal_stage_changes')}) AND from_stage_id"
        f" IS NOT NULL UNION SELECT to_stage_id FROM deal_stage_changes WHERE id IN"
        f" ({ids('deal_stage_changes')})")
    e["products"] = one(
        f"SELECT product_id FROM order_lines WHERE id IN ({ids('order_lines')}) UNION"
        f" SELECT product_id FROM deal_lines WHERE id IN ({ids('deal_lines')}) UNION"
        f" SELECT product_id FROM survey_responses WHERE id IN ({ids('survey_responses')})"
        f" AND product_id IS NOT NULL UNION SELECT product_id FROM ratings WHERE id IN"
        f" ({ids('ratings')}) AND product_id IS NOT NULL UNION SELECT product_id FROM surveys"
        f" WHERE id IN ({ids('surveys')}) AND product_id IS NOT NULL")
    e["interaction_types"] = one(
        f"SELECT type_id FROM interactions WHERE id IN ({ids('interactions')}) UNION"
        f" SELECT type_id FROM survey_responses WHERE id IN ({ids('survey_responses')})"
        f" AND type_id IS NOT NULL UNION SELECT type_id FROM surveys WHERE id IN"
        f" ({ids('surveys')}) AND type_id IS NOT NULL")
    return e


def test_json_has_the_schema_and_exactly_the_contacts_rows(world):
    r = world["admin"].get(f"/api/v1/contacts/{world['cid']}/export")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    for key in REQUIRED:
        assert key in doc, key
    assert doc["schema"] == SCHEMA
    assert doc["subject"]["contact_id"] == world["cid"]
    con = sqlite3.connect(world["db"])
    name = con.execute("SELECT name FROM accounts WHERE id = ?", (world["acc"],)).fetchone()[0]
    assert doc["subject"]["account"]["id"] == world["acc"]
    assert doc["subject"]["account"]["name"] == name
    expected = expected_ids(con, world["cid"], world["acc"])
    for t in TABLES:
        entry = doc["tables"][t]
        assert set(entry) >= {"description", "columns", "rows"}, t
        assert entry["description"], t
        assert [r["id"] for r in entry["rows"]] == expected[t], t
    # the history added by the fixture is there
    assert len(doc["tables"]["consents"]["rows"]) == 3
    answers = doc["tables"]["survey_responses"]["rows"]
    assert len(answers) == 2
    # staff do not get the content of the confidential answer; the contact's own export does
    secret = [a for a in answers if a["confidential"]]
    assert len(secret) == 1 and doc["tables"]["survey_responses"]["withheld"] == 1
    assert all(secret[0][f] is None for f in CONTENT)
    assert "switching supplier" not in r.text
    own = json.loads(kith(world["db"], "dsr", "export", str(world["cid"])).stdout)
    mine = [a for a in own["tables"]["survey_responses"]["rows"] if a["confidential"]]
    assert mine[0]["intent"] == "switching supplier" and mine[0]["nps"] == 7
    assert "withheld" not in own["tables"]["survey_responses"]
    assert doc["tables"]["orders"]["rows"] and doc["tables"]["deals"]["rows"]
    assert any(e["related_contact_id"] == world["cid"] and e["kind"] == "referral"
               for e in doc["tables"]["events"]["rows"])
    # every interaction with its RV (its own, else its type's) and its type's name
    types = {t: (n, rv) for t, n, rv in con.execute("SELECT id, name, rv FROM interaction_types")}
    rows = con.execute("SELECT id, type_id, rv FROM interactions WHERE contact_id = ?"
                       " ORDER BY id", (world["cid"],)).fetchall()
    explained = doc["interactions_explained"]
    assert [x["interaction_id"] for x in explained] == [r[0] for r in rows]
    for x, (iid, tid, rv) in zip(explained, rows):
        assert x["type_name"] == types[tid][0]
        assert x["rv"] == (rv if rv is not None else types[tid][1])
    # the inferences: level and stage as the contact row holds them, each with its meaning
    level, stage = con.execute("SELECT level, stage FROM contacts WHERE id = ?",
                               (world["cid"],)).fetchone()
    inf = {i["name"]: i for i in doc["inferences"]}
    assert inf["relationship_level"]["value"] == level
    assert inf["lifecycle_stage"]["value"] == stage
    for i in doc["inferences"]:
        assert set(i) == {"name", "value", "status", "meaning"} and len(i["meaning"]) > 40
        assert i["status"] in ("computed", "not computed")
        assert (i["status"] == "not computed") == (i["value"] is None)
    con.close()


def iso(ms):
    t = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def money(cents):
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def protected(text):
    """A text cell as kith's CSV writes it: a leading ' where a spreadsheet would run it as a
    formula (= + - @ tab CR, after any quotes), docs/import-export.md."""
    k = len(text) - len(text.lstrip("'"))
    return "'" + text if k < len(text) and text[k] in "=+-@\t\r" else text


def cell(value, typ):
    """The CSV text of a stored value, as docs/import-export.md describes it."""
    if value is None:
        return ""
    if isinstance(value, str) and typ in ("text", "one of a list"):
        return protected(value)
    if typ.startswith("ISO 8601"):
        return iso(value)
    if typ == "decimal amount":
        return money(value)
    if typ == "true/false":
        return "true" if value else "false"
    return str(value)


def test_zip_holds_one_csv_per_table_equal_to_the_database(world):
    r = world["admin"].get(f"/api/v1/contacts/{world['cid']}/export", params={"format": "zip"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert z.testzip() is None
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["schema"] == SCHEMA
    assert sorted(z.namelist()) == sorted([f"{t}.csv" for t in manifest["tables"]] +
                                          ["manifest.json"])
    con = sqlite3.connect(world["db"])
    expected = expected_ids(con, world["cid"], world["acc"])
    for t in TABLES:
        entry = manifest["tables"][t]
        assert entry["file"] == f"{t}.csv" and "rows" not in entry
        cols = entry["columns"]
        names = [c["name"] for c in cols]
        reader = csv.reader(io.StringIO(z.read(entry["file"]).decode("utf-8"), newline=""))
        header, *rows = list(reader)
        assert header == names, t
        assert entry["row_count"] == len(rows) == len(expected[t]), t
        ids = ",".join(str(i) for i in expected[t]) or "NULL"
        db_rows = con.execute(f"SELECT {', '.join(names)} FROM {t} WHERE id IN ({ids})"
                              " ORDER BY id").fetchall()
        for got, want in zip(rows, db_rows):
            confidential = t == "survey_responses" and want[names.index("confidential")]
            for c, g, w in zip(cols, got, want):
                if confidential and c["name"] in CONTENT:
                    assert g == "", (t, c["name"])  # withheld from staff
                    continue
                if c["type"] == "number" and w is not None:
                    assert float(g) == w, (t, c["name"])
                elif c["type"] == "JSON object" and w is not None:
                    assert json.loads(g) == json.loads(w), (t, c["name"])
                else:
                    assert g == cell(w, c["type"]), (t, c["name"], g, w)
    con.close()


def test_roles_that_may_not_read_the_contact_get_404_and_exports_are_audited(world):
    srv, cid = world["srv"], world["cid"]
    path = f"/api/v1/contacts/{cid}/export"
    private = world["private"]
    cases = [("admin", cid, 200), ("exec", cid, 200), ("analyst", cid, 200), ("mgr", cid, 200),
             ("other", cid, 404), ("front", cid, 404), ("partner", cid, 404),
             ("admin", private, 200), ("exec", private, 404), ("analyst", private, 404)]
    clients = {}
    for who, contact, status in cases:
        c = clients.setdefault(who, Client(srv.url, f"{who}@example.com"))
        # the contact's own GET and its export agree
        assert c.get(f"/api/v1/contacts/{contact}").status_code == status, who
        for params in ({}, {"format": "zip"}):
            r = c.get(f"/api/v1/contacts/{contact}/export", params=params)
            assert r.status_code == status, (who, contact, params, r.text[:200])
            if status == 404:
                assert "rows" not in r.text and r.json()["error"]["code"] == "not_found"
    assert world["admin"].get("/api/v1/contacts/999999/export").status_code == 404
    assert world["admin"].get(path, params={"format": "xml"}).status_code == 400
    audit = world["admin"].get("/api/v1/audit", params={"limit": 100}).json()["items"]
    exports = [a for a in audit if a["action"] == "export" and a["record_id"] == cid]
    assert len(exports) >= 2
    assert all(a["table"] == "contacts" for a in exports)
    # the audit names what was exported, never the contact's data
    con = sqlite3.connect(world["db"])
    email = con.execute("SELECT email FROM contacts WHERE id = ?", (cid,)).fetchone()[0]
    con.close()
    assert not any(email and email in (a.get("detail") or "") for a in exports)


def strip(doc, leave_out=()):
    """Each table's rows without ids and references (they differ between databases) nor the
    columns leave_out, sorted."""
    out = {}
    for name, t in doc["tables"].items():
        refs = {c["name"] for c in t["columns"] if c["type"] == "integer id" or "references" in c}
        refs |= set(leave_out)
        out[name] = sorted(json.dumps({k: v for k, v in r.items() if k not in refs},
                                      sort_keys=True) for r in t["rows"])
    return out


def test_export_imports_into_a_fresh_kith_and_round_trips(world):
    d = world["dir"]
    src = os.path.join(d, "export.json")
    kith(world["db"], "dsr", "export", str(world["cid"]), "--out", src)
    with open(src) as f:
        exported = json.load(f)
    api = world["admin"].get(f"/api/v1/contacts/{world['cid']}/export").json()
    # the CLI and the API give the same export, but for what staff may not see
    assert strip(exported, CONTENT) == strip(api, CONTENT)
    target = os.path.join(d, "target.db")
    kith(target, "init")
    out = kith(target, "dsr", "import", src).stdout
    new_id = int(out.split("imported contact ")[1].split(":")[0])
    back = json.loads(kith(target, "dsr", "export", str(new_id)).stdout)
    a, b = strip(exported), strip(back)
    for t in TABLES:
        assert a[t] == b[t], t
    # references survive as the same things: each interaction's type, each order's lines
    assert [(x["type_code"], x["rv"], x["counted"]) for x in exported["interactions_explained"]] \
        == [(x["type_code"], x["rv"], x["counted"]) for x in back["interactions_explained"]]
    con = sqlite3.connect(target)
    lines = con.execute("SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id"
                        " WHERE o.account_id = (SELECT account_id FROM contacts WHERE id = ?)",
                        (new_id,)).fetchone()[0]
    assert lines == len(exported["tables"]["order_lines"]["rows"])
    replaced = con.execute("SELECT count(*) FROM survey_responses r JOIN survey_responses p"
                           " ON p.id = r.replaces_id WHERE r.contact_id = ?",
                           (new_id,)).fetchone()[0]
    assert replaced == 1
    con.close()


def test_a_bad_value_imports_nothing(world):
    d = world["dir"]
    src = os.path.join(d, "export.json")
    kith(world["db"], "dsr", "export", str(world["cid"]), "--out", src)
    with open(src) as f:
        doc = json.load(f)
    doc["tables"]["consents"]["rows"][-1]["state"] = "maybe"
    bad = os.path.join(d, "bad.json")
    with open(bad, "w") as f:
        json.dump(doc, f)
    target = os.path.join(d, "target2.db")
    kith(target, "init")
    p = kith(target, "dsr", "import", bad, check=False)
    assert p.returncode != 0 and "consents" in p.stderr and "state" in p.stderr, p.stderr
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM interactions").fetchone()[0] == 0
    con.close()


DEVICE_COLUMNS = ["id", "created_at", "name", "kind", "paused_at", "last_seen_at", "readings"]


def test_devices_are_exported_without_their_tokens(world):
    """The contact's devices are in the export (docs/dsr-export.md, "Devices"), in JSON and CSV,
    as the database holds them, and their token hashes are not."""
    con = sqlite3.connect(world["db"])
    db_rows = con.execute(f"SELECT {', '.join(DEVICE_COLUMNS)}, token_hash FROM devices"
                          " WHERE contact_id = ? ORDER BY id", (world["cid"],)).fetchall()
    con.close()
    assert len(db_rows) == 2
    time_cols = {"created_at", "paused_at", "last_seen_at"}
    want = [{c: (iso(v) if c in time_cols and v is not None else v)
             for c, v in zip(DEVICE_COLUMNS, row)} for row in db_rows]
    hashes = [row[-1] for row in db_rows]
    r = world["admin"].get(f"/api/v1/contacts/{world['cid']}/export")
    assert r.status_code == 200, r.text
    entry = r.json()["tables"]["devices"]
    assert [c["name"] for c in entry["columns"]] == DEVICE_COLUMNS and entry["description"]
    assert entry["rows"] == want
    assert not any(h in r.text for h in hashes) and "token" not in r.text
    assert r.json()["not_held"] == []
    own = json.loads(kith(world["db"], "dsr", "export", str(world["cid"])).stdout)
    assert own["tables"]["devices"]["rows"] == want
    z = zipfile.ZipFile(io.BytesIO(world["admin"].get(
        f"/api/v1/contacts/{world['cid']}/export", params={"format": "zip"}).content))
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["tables"]["devices"]["file"] == "devices.csv"
    assert manifest["tables"]["devices"]["row_count"] == 2
    header, *rows = list(csv.reader(io.StringIO(z.read("devices.csv").decode(), newline="")))
    assert header == DEVICE_COLUMNS
    assert rows == [["" if w[c] is None else protected(w[c]) if isinstance(w[c], str)
                     and c in ("name", "kind") else str(w[c]) for c in DEVICE_COLUMNS]
                    for w in want]
    assert not any(h.encode() in z.read(n) for h in hashes for n in z.namelist())
