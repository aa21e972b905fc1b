"""What the customer sees, corrects and takes away in the portal (docs/portal.md; issue 16, items
2-4): the company's inferences with their meaning, the units holding its data and who exported
or changed it, corrections reviewed by staff, and its own data-subject export.

One `kith demo --contacts 300` database for the module. Expected figures are computed here from
the database (the RV of the contact's counted interactions, its unit) or, for the value
analyses, taken from the CLI (`kith value rfm|reap --account`), which runs the same analysis as
staff's API: the portal must show what they show.
"""
import io
import json
import os
import sqlite3
import tempfile
import zipfile

import pytest

from conftest import PASSWORD, Client, Server, add_user, http_session, kith
from test_portal import PORTAL_PASSWORD, accept, outbox, token_of

MS = 1767225600000  # 2026-01-01


def sql(db, query, *args):
    con = sqlite3.connect(db)
    try:
        rows = con.execute(query, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


class Portal:
    def __init__(self, base, email):
        self.base, self.http = base, http_session()
        r = self.http.post(base + "/portal/api/session",
                           json={"email": email, "password": PORTAL_PASSWORD})
        assert r.status_code == 200, r.text
        self.http.headers["X-CSRF-Token"] = r.json()["csrf_token"]

    def get(self, path, **kw):
        return self.http.get(self.base + path, **kw)

    def post(self, path, **kw):
        return self.http.post(self.base + path, **kw)


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "kith.db")
        kith(db, "demo", "--contacts", "300")
        add_user(db, "boss@example.com", "admin")
        # a contact with an account that ordered, interactions and a unit
        cid, aid, unit = sql(db, "SELECT c.id, c.account_id, c.unit_id FROM contacts c"
                                 " WHERE c.email IS NOT NULL AND c.unit_id IS NOT NULL"
                                 " AND EXISTS (SELECT 1 FROM orders o WHERE o.account_id ="
                                 " c.account_id) AND EXISTS (SELECT 1 FROM interactions i"
                                 " WHERE i.contact_id = c.id) ORDER BY c.id LIMIT 1")[0]
        email = sql(db, "SELECT email FROM contacts WHERE id = ?", cid)[0][0]
        # a confidential survey answer: the contact's own export holds it, staff's does not
        q = json.dumps({"items": [{"id": "q1", "kind": "nps", "text": "Recommend us?"}]})
        sql(db, "INSERT INTO surveys (created_at, name, purpose, questions) VALUES (?,?,?,?)",
            MS, "Portal survey", "test", q)
        sid = sql(db, "SELECT id FROM surveys WHERE name = 'Portal survey'")[0][0]
        sql(db, "INSERT INTO survey_responses (created_at, survey_id, contact_id, answered_at,"
                " nps, confidential, answers, latest, intent) VALUES (?,?,?,?,?,?,?,?,?)",
            MS, sid, cid, MS, 4, 1, json.dumps({"q1": 4}), 1, "thinking of leaving")
        kith(db, "portal", "invite", str(cid))
        token = token_of(outbox(db)[-1])
        srv = Server(db)
        try:
            r, _ = accept(srv.url, token)
            assert r.status_code == 200, r.text
            yield {"srv": srv, "db": db, "cid": cid, "aid": aid, "unit": unit, "email": email,
                   "admin": Client(srv.url, "boss@example.com")}
        finally:
            srv.stop()


def counted_rv(db, cid):
    """The contact's RV from its rows: each counted interaction's own rv, else its type's;
    neither a voiding row nor one that a voiding row names counts."""
    rows = sql(db, "SELECT i.id, i.voids_id, COALESCE(i.rv, t.rv) FROM interactions i"
                   " JOIN interaction_types t ON t.id = i.type_id WHERE i.contact_id = ?", cid)
    voided = {v for _, v, _ in rows if v}
    return sum(rv for i, v, rv in rows if not v and i not in voided)


def test_inferences_are_the_analyses_own_with_their_meaning(world):
    p = Portal(world["srv"].url, world["email"])
    r = p.get("/portal/api/me/inferences")
    assert r.status_code == 200, r.text
    inf = {i["name"]: i for i in r.json()["inferences"]}
    assert set(inf) >= {"relationship_value", "relationship_level", "lifecycle_stage",
                        "rv_position", "value_segment", "rfm_segment", "reap_lever",
                        "lookalike_group"}
    for i in inf.values():  # Art. 15(1)(h): what it is and how it is derived
        assert len(i["meaning"]) > 80 and i["status"] in ("computed", "not computed", "not held")
    rv = inf["relationship_value"]["value"]
    assert rv["rv"] == counted_rv(world["db"], world["cid"])
    level, stage = sql(world["db"], "SELECT level, stage FROM contacts WHERE id = ?",
                       world["cid"])[0]
    assert inf["relationship_level"]["value"] == level == rv["level"]
    assert inf["lifecycle_stage"]["value"] == stage
    # no figure of other customers: the peers' percentiles stay with staff
    assert all(set(pos) == {"group", "percentile", "status"} for pos in rv["positions"])
    rfm = json.loads(kith(world["db"], "value", "rfm", "--account", str(world["aid"]),
                          "--json").stdout)
    reap = json.loads(kith(world["db"], "value", "reap", "--account", str(world["aid"]),
                           "--json").stdout)
    assert inf["rfm_segment"]["value"]["segment"] == rfm["segment"]
    assert [inf["rfm_segment"]["value"][k] for k in "rfm"] == [rfm[k] for k in "rfm"]
    assert inf["reap_lever"]["value"]["lever"] == reap["lever"]
    assert inf["reap_lever"]["value"]["reason"] == reap["reason"]
    assert inf["value_segment"]["value"]["tier"] == reap["tier"]
    # the look-alike group is `kith voice alike`'s, shown only as a count and product names
    alike = json.loads(kith(world["db"], "voice", "alike", "--contact", str(world["cid"]),
                            "--json").stdout)
    look = inf["lookalike_group"]
    assert look["status"] == "computed", look
    assert look["value"] == {"customers_like_you": len(alike["neighbours"]),
                             "their_next_purchases": [x["name"] for x in alike["recommended"]]}
    others = {n.get("name") for n in alike["neighbours"]} - {None}
    assert others and not others & set(json.dumps(look["value"]).split('"'))


def test_holders_and_access_log(world):
    db, cid, admin = world["db"], world["cid"], world["admin"]
    p = Portal(world["srv"].url, world["email"])
    before = sql(db, "SELECT count(*) FROM audit_log")[0][0]
    assert p.get("/portal/api/me").status_code == 200
    assert p.get("/portal/api/me/inferences").status_code == 200
    # the contact reading its own data is not written to the audit log
    assert sql(db, "SELECT count(*) FROM audit_log")[0][0] == before
    assert admin.get(f"/api/v1/contacts/{cid}/export").status_code == 200
    log = p.get("/portal/api/me/access-log")
    assert log.status_code == 200, log.text
    log = log.json()
    first = log["entries"][0]
    assert first["action"] == "export" and first["by"]["kind"] == "staff"
    assert first["by"]["name"] == "boss" and first["by"]["role"] == "admin"
    # every entry is about the contact's record or its corrections
    mine = {("contacts", cid)} | {("corrections", i) for (i,) in sql(
        db, "SELECT id FROM corrections WHERE contact_id = ?", cid)}
    assert all((e["table"], e["record_id"]) in mine for e in log["entries"])
    want = {u for (u,) in sql(db, "SELECT unit_id FROM contacts WHERE id = ?"
                                  " UNION SELECT a.unit_id FROM contacts c JOIN accounts a"
                                  " ON a.id = c.account_id WHERE c.id = ?"
                                  " UNION SELECT u.unit_id FROM interactions i JOIN users u"
                                  " ON u.id = i.user_id WHERE i.contact_id = ?"
                                  " UNION SELECT unit_id FROM deals WHERE contact_id = ?"
                                  " UNION SELECT u.unit_id FROM orders o JOIN users u"
                                  " ON u.id = o.user_id WHERE o.contact_id = ? OR o.account_id ="
                                  " (SELECT account_id FROM contacts WHERE id = ?)",
                                  cid, cid, cid, cid, cid, cid)
            if u}
    assert {h["unit_id"] for h in log["holders"]} == want
    kinds = dict(sql(db, "SELECT id, kind FROM units"))
    for h in log["holders"]:
        assert h["kind"] == kinds[h["unit_id"]] and h["why"]
        assert h["partner"] == (h["kind"] not in ("manufacturer", "business_unit"))


def test_the_customers_export_holds_its_confidential_answers(world):
    p = Portal(world["srv"].url, world["email"])
    own = p.get("/portal/api/export")
    assert own.status_code == 200, own.text
    own = own.json()
    assert own["schema"] == "kith.dsr-export/1" and own["subject"]["contact_id"] == world["cid"]
    answers = own["tables"]["survey_responses"]["rows"]
    assert [a["intent"] for a in answers if a["confidential"]] == ["thinking of leaving"]
    staff = world["admin"].get(f"/api/v1/contacts/{world['cid']}/export").json()
    assert staff["tables"]["survey_responses"]["withheld"] == 1
    assert "withheld" not in own["tables"]["survey_responses"]
    z = p.get("/portal/api/export?format=zip")
    assert z.status_code == 200 and z.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert "manifest.json" in names and "interactions.csv" in names
    assert p.get("/portal/api/export?format=xml").status_code == 400
    # the contact reading its own data writes nothing to the audit log (staff's export does)
    before = sql(world["db"], "SELECT count(*) FROM audit_log")[0][0]
    assert p.get("/portal/api/export").status_code == 200
    assert sql(world["db"], "SELECT count(*) FROM audit_log")[0][0] == before


def test_a_correction_is_proposed_reviewed_and_applied(world):
    db, cid, admin = world["db"], world["cid"], world["admin"]
    p = Portal(world["srv"].url, world["email"])
    old = sql(db, "SELECT phone FROM contacts WHERE id = ?", cid)[0][0]
    # the contact's field rules apply to the proposal, as to every door
    r = p.post("/portal/api/corrections", json={"field": "email", "value": "not an email"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "value"
    r = p.post("/portal/api/corrections", json={"field": "level", "value": "9"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "field"
    r = p.post("/portal/api/corrections", json={"field": "phone", "value": "x" * 51})
    assert r.status_code == 422
    r = p.post("/portal/api/corrections", json={"field": "last_name", "value": ""})
    assert r.status_code == 422  # a required field cannot be cleared
    if old:
        r = p.post("/portal/api/corrections", json={"field": "phone", "value": old})
        assert r.status_code == 422 and r.json()["error"]["code"] == "unchanged"
    r = p.post("/portal/api/corrections",
               json={"field": "phone", "value": "+44 20 7946 0999", "note": "new number"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["status"], c["contact_id"], c["previous"]) == ("pending", cid, old)
    # nothing changes before staff decide
    assert sql(db, "SELECT phone FROM contacts WHERE id = ?", cid)[0][0] == old
    queue = admin.get("/api/v1/corrections?status=pending").json()["items"]
    assert c["id"] in [q["id"] for q in queue]
    assert all(q["status"] == "pending" for q in queue)
    # a rejection needs a reason
    r = admin.post(f"/api/v1/corrections/{c['id']}/reject", json={})
    assert r.status_code == 422 and r.json()["error"]["field"] == "reason"
    r = admin.post(f"/api/v1/corrections/{c['id']}/accept", json={"reason": "checked by phone"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["decided_by"] == admin.me["user"]["id"]
    assert sql(db, "SELECT phone FROM contacts WHERE id = ?", cid)[0][0] == "+44 20 7946 0999"
    assert admin.post(f"/api/v1/corrections/{c['id']}/reject",
                      json={"reason": "late"}).status_code == 409
    audit = sql(db, "SELECT action, table_name, record_id, detail FROM audit_log"
                    " WHERE (table_name = 'contacts' AND record_id = ? AND action = 'update')"
                    " OR (table_name = 'corrections' AND record_id = ?) ORDER BY id", cid, c["id"])
    assert [a[0] for a in audit][-3:] == ["correction_propose", "update", "correction_accept"]
    assert all("7946" not in (a[3] or "") for a in audit)  # never the value itself
    # the customer sees the outcome, and a rejection's reason
    r = p.post("/portal/api/corrections", json={"field": "title", "value": "Queen"})
    assert r.status_code == 201
    rid = r.json()["id"]
    assert admin.post(f"/api/v1/corrections/{rid}/reject",
                      json={"reason": "not your job title"}).status_code == 200
    mine = {m["id"]: m for m in p.get("/portal/api/corrections").json()["items"]}
    assert mine[c["id"]]["status"] == "accepted"
    assert (mine[rid]["status"], mine[rid]["reason"]) == ("rejected", "not your job title")
    log = p.get("/portal/api/me/access-log").json()["entries"]
    assert "accepted your correction" in [e["what"] for e in log]


def test_an_accepted_correction_is_checked_again(world):
    db, cid, admin = world["db"], world["cid"], world["admin"]
    p = Portal(world["srv"].url, world["email"])
    other = sql(db, "SELECT email FROM contacts WHERE email IS NOT NULL AND id != ? LIMIT 1",
                cid)[0][0]
    # another contact's email: taken, refused by the store's unique key when accepted
    r = p.post("/portal/api/corrections", json={"field": "email", "value": other})
    assert r.status_code == 201, r.text
    r = admin.post(f"/api/v1/corrections/{r.json()['id']}/accept")
    assert r.status_code == 409, r.text
    assert sql(db, "SELECT email FROM contacts WHERE id = ?", cid)[0][0] == world["email"]


def test_staff_scope_and_the_customer_role(world):
    db, cid, admin = world["db"], world["cid"], world["admin"]
    p = Portal(world["srv"].url, world["email"])
    r = p.post("/portal/api/corrections", json={"field": "first_name", "value": "Ann"})
    assert r.status_code in (201, 422), r.text
    if r.status_code == 422:
        r = p.post("/portal/api/corrections", json={"field": "first_name", "value": "Anna"})
    corr = r.json()["id"]
    # a frontline user of another unit does not see it (404, as its contact)
    other = sql(db, "SELECT id, name FROM units WHERE id != ? ORDER BY id LIMIT 1",
                world["unit"])[0]
    add_user(db, "rep@example.com", "frontline", unit=other[1])
    rep = Client(world["srv"].url, "rep@example.com")
    assert rep.get(f"/api/v1/corrections/{corr}").status_code == 404
    assert rep.post(f"/api/v1/corrections/{corr}/accept").status_code == 404
    assert corr not in [c["id"] for c in rep.get("/api/v1/corrections").json()["items"]]
    # an analyst reads but may not decide
    add_user(db, "ana@example.com", "analyst")
    ana = Client(world["srv"].url, "ana@example.com")
    assert ana.get(f"/api/v1/corrections/{corr}").status_code == 200
    assert ana.post(f"/api/v1/corrections/{corr}/accept").status_code == 403
    # the customer names no record: staff routes do not answer its cookie
    assert p.get("/api/v1/corrections").status_code == 401
    assert p.post(f"/api/v1/corrections/{corr}/accept").status_code == 401
    r = p.post("/portal/api/corrections", json={"field": "phone", "value": "1", "contact_id": 1})
    assert r.status_code == 422


def test_the_customers_corrections_travel_with_its_export(world):
    """Another kith takes the customer's own export, corrections included (docs/dsr-export.md)."""
    p = Portal(world["srv"].url, world["email"])
    doc = p.get("/portal/api/export").json()
    mine = doc["tables"]["corrections"]["rows"]
    want = sql(world["db"], "SELECT field, value, previous, note, status, reason FROM corrections"
                            " WHERE contact_id = ? ORDER BY id", world["cid"])
    assert [(c["field"], c["value"], c["previous"], c["note"], c["status"], c["reason"])
            for c in mine] == want and want
    with tempfile.TemporaryDirectory() as d:
        src, target = os.path.join(d, "export.json"), os.path.join(d, "other.db")
        with open(src, "w") as f:
            json.dump(doc, f)
        kith(target, "init")
        kith(target, "dsr", "import", src)
        got = sql(target, "SELECT field, value, previous, note, status, reason, decided_by"
                          " FROM corrections ORDER BY id")
        # the deciding staff are the exporting company's: left empty
        assert [g[:6] for g in got] == want and all(g[6] is None for g in got)
