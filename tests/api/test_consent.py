"""Consent per purpose and channel (docs/portal.md "Consent"): granted and withdrawn by the
customer in the portal or by staff on its behalf, append-only, the least permissive record wins,
each change answers a Kantara consent receipt v1.1 signed with the server's Ed25519 key, and the
uses check it: a contact that withdrew `analytics` drops out of RV norms and value figures, one
that withdrew `sharing` is out of partner users' sight.

Receipts are verified here with Python's `cryptography` (Ed25519) against the public key read
from the database, not from the receipt; the analytics checks compare kith's figures after a
withdrawal with the figures of a copy of the database from which the contact's rows were deleted.
"""
import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conftest import KITH, PASSWORD, Client, Server, add_user, json_close, kith
from test_portal import accept, invite, new_contact, sign_in

AS_OF = "2026-06-30T00:00:00Z"  # the demo's simulated "now"
VALUE_AS_OF = "2026-06-25"
KANTARA_REQUIRED = ("version", "jurisdiction", "consentTimestamp", "collectionMethod",
                    "consentReceiptID", "publicKey", "language", "piiPrincipalId",
                    "piiControllers", "policyUrl", "services", "sensitive", "spiCat")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def server_public_key(db):
    con = sqlite3.connect(db)
    try:
        (pk,) = con.execute("SELECT public_key FROM signing_keys WHERE id = 1").fetchone()
    finally:
        con.close()
    assert len(pk) == 32
    return bytes(pk)


def verify_jws(jws, pk):
    """Verifies a compact JWS with EdDSA (RFC 8037) by hand and returns (header, payload)."""
    h, p, s = jws.split(".")
    header = json.loads(b64url_decode(h))
    assert header["alg"] == "EdDSA"
    Ed25519PublicKey.from_public_bytes(pk).verify(b64url_decode(s), f"{h}.{p}".encode())
    # the key id is the RFC 7638 thumbprint of the key as a JWK
    jwk = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": b64url(pk)}, separators=(",", ":"),
                     sort_keys=True)
    assert header["kid"] == b64url(hashlib.sha256(jwk.encode()).digest())
    return header, json.loads(b64url_decode(p))


def check_receipt(jws, pk, contact, purpose, channel, state):
    _, r = verify_jws(jws, pk)
    for field in KANTARA_REQUIRED:
        assert field in r, field
    assert r["version"] == "KI-CR-v1.1.0"
    assert r["publicKey"] == b64url(pk)
    assert r["piiPrincipalId"] == f"urn:kith:contact:{contact}"
    assert isinstance(r["consentTimestamp"], int) and isinstance(r["sensitive"], bool)
    assert r["piiControllers"][0]["piiController"]
    assert r["services"][0]["purposes"][0]["consentType"] == "EXPLICIT"
    assert r["kith"] == {**r["kith"], "contactId": contact, "purpose": purpose,
                         "channel": channel, "state": state}
    return r


def state_of(current, purpose, channel):
    (row,) = [c for c in current if c["purpose"] == purpose and c["channel"] == channel]
    return row["state"], row["allowed"]


class PortalUser:
    def __init__(self, base, portal):
        self.base, self.http = base, portal.http

    def get(self, path, **kw):
        return self.http.get(self.base + path, **kw)

    def post(self, path, **kw):
        return self.http.post(self.base + path, **kw)


@pytest.fixture
def customer(server, admin):
    cid = new_contact(admin, "ann@example.org")
    r, _ = accept(server.url, invite(admin, server.db, cid))
    assert r.status_code == 200, r.text
    return cid, PortalUser(server.url, sign_in(server.url, "ann@example.org"))


def test_the_customer_grants_and_withdraws_with_signed_receipts(server, admin, customer, tmp_path):
    cid, me = customer
    pk = server_public_key(server.db)  # made by kith init
    cur = me.get("/portal/api/consents").json()["current"]
    # nothing recorded: consent-based purposes refused, analytics (legitimate interest) allowed
    assert state_of(cur, "marketing", "sms") == ("none", False)
    assert state_of(cur, "sharing", "any") == ("none", False)
    assert state_of(cur, "analytics", "any") == ("none", True)
    assert not [c for c in cur if c["purpose"] == "analytics" and c["channel"] != "any"]

    r = me.post("/portal/api/consents", json={"purpose": "marketing", "channel": "sms",
                                              "state": "granted"})
    assert r.status_code == 201, r.text
    grant = r.json()
    assert grant["effective"] == "granted" and grant["allowed"] is True
    rec = check_receipt(grant["receipt_jws"], pk, cid, "marketing", "sms", "granted")
    assert rec["consentReceiptID"] == grant["receipt_id"] == grant["receipt"]["consentReceiptID"]
    assert "portal" in rec["collectionMethod"]

    # withdrawing is the same request with the other state
    r = me.post("/portal/api/consents", json={"purpose": "marketing", "channel": "any",
                                              "state": "withdrawn"})
    assert r.status_code == 201, r.text
    check_receipt(r.json()["receipt_jws"], pk, cid, "marketing", "any", "withdrawn")
    # least permissive: the withdrawal on every channel outweighs the later grant on sms
    r = me.post("/portal/api/consents", json={"purpose": "marketing", "channel": "sms",
                                              "state": "granted"})
    assert r.json()["effective"] == "withdrawn" and r.json()["allowed"] is False
    cur = me.get("/portal/api/consents").json()["current"]
    assert state_of(cur, "marketing", "sms") == ("withdrawn", False)
    assert state_of(cur, "marketing", "email") == ("withdrawn", False)
    # granting on every channel again: both latest records grant
    r = me.post("/portal/api/consents", json={"purpose": "marketing", "channel": "any",
                                              "state": "granted"})
    cur = me.get("/portal/api/consents").json()["current"]
    assert state_of(cur, "marketing", "sms") == ("granted", True)
    assert state_of(cur, "marketing", "post") == ("granted", True)

    # the whole history is kept, newest first, each with its receipt
    hist = me.get("/portal/api/consents").json()["history"]["items"]
    assert [(h["channel"], h["state"]) for h in hist] == [
        ("any", "granted"), ("sms", "granted"), ("any", "withdrawn"), ("sms", "granted")]
    assert all(h["receipt_id"] and h["collected_by"] == "customer:portal" for h in hist)

    # the receipt again, as JSON and as the bare JWS; kith consent verify accepts it
    got = me.get(f"/portal/api/consents/{grant['receipt_id']}")
    assert got.status_code == 200 and got.json()["receipt_jws"] == grant["receipt_jws"]
    bare = me.get(f"/portal/api/consents/{grant['receipt_id']}", params={"format": "jws"})
    assert bare.headers["Content-Type"].startswith("application/jose")
    path = tmp_path / "receipt.jws"
    path.write_text(bare.text)
    p = kith(server.db, "consent", "verify", str(path))
    assert "valid" in p.stdout and grant["receipt_id"] in p.stdout
    p = subprocess.run([KITH, "consent", "verify", str(path), "--key", b64url(pk), "--json"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and json.loads(p.stdout)["kith"]["state"] == "granted", p.stderr
    # a receipt changed after signing fails, in Python and in kith
    h, body, sig = grant["receipt_jws"].split(".")
    forged = json.loads(b64url_decode(body))
    forged["kith"]["state"] = "withdrawn"
    forged_jws = f"{h}.{b64url(json.dumps(forged).encode())}.{sig}"
    with pytest.raises(InvalidSignature):
        verify_jws(forged_jws, pk)
    path.write_text(forged_jws)
    p = kith(server.db, "consent", "verify", str(path), check=False)
    assert p.returncode != 0 and "bad signature" in p.stderr

    # each change is audited on the contact, naming its receipt
    audit = admin.get("/api/v1/audit", params={"table": "contacts", "record_id": cid}).json()
    acts = [a["action"] for a in audit["items"] if a["action"].startswith("consent_")]
    assert acts.count("consent_grant") == 3 and acts.count("consent_withdraw") == 1


def test_portal_changes_need_the_portal_csrf_token(server, customer):
    cid, me = customer
    token = me.http.headers.pop("X-CSRF-Token")
    r = me.post("/portal/api/consents", json={"purpose": "marketing", "channel": "email",
                                              "state": "granted"})
    assert r.status_code == 403
    me.http.headers["X-CSRF-Token"] = token
    assert me.get("/portal/api/consents").json()["history"]["items"] == []


def test_staff_record_on_the_contacts_behalf_and_the_rules_hold(server, admin, customer):
    cid, me = customer
    pk = server_public_key(server.db)
    r = admin.post(f"/api/v1/contacts/{cid}/consents",
                   json={"purpose": "analytics", "state": "withdrawn"})
    assert r.status_code == 201, r.text
    rec = check_receipt(r.json()["receipt_jws"], pk, cid, "analytics", "any", "withdrawn")
    assert "staff" in rec["collectionMethod"]
    # the customer sees what staff recorded, and its receipt
    portal = me.get("/portal/api/consents").json()
    assert state_of(portal["current"], "analytics", "any") == ("withdrawn", False)
    assert portal["history"]["items"][0]["collected_by"].startswith("staff:")
    assert me.get(f"/portal/api/consents/{r.json()['receipt_id']}").status_code == 200
    # validation: one place, the same answer through both doors
    for body, field in (({"purpose": "analytics", "channel": "sms", "state": "granted"},
                         "channel"),
                        ({"purpose": "spam", "channel": "sms", "state": "granted"}, "purpose"),
                        ({"purpose": "marketing", "channel": "fax", "state": "granted"},
                         "channel"),
                        ({"purpose": "marketing", "channel": "sms", "state": "maybe"}, "state")):
        for r in (admin.post(f"/api/v1/contacts/{cid}/consents", json=body),
                  me.post("/portal/api/consents", json=body)):
            assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    # another contact's receipt is not reachable from the portal
    other = new_contact(admin, "bob@example.org")
    r = admin.post(f"/api/v1/contacts/{other}/consents",
                   json={"purpose": "surveys", "channel": "email", "state": "granted"})
    assert r.status_code == 201
    assert me.get(f"/portal/api/consents/{r.json()['receipt_id']}").status_code == 404
    assert admin.get(f"/api/v1/contacts/{cid}/consents/{r.json()['receipt_id']}").status_code \
        == 404
    assert admin.get(f"/api/v1/contacts/{other}/consents/{r.json()['receipt_id']}").status_code \
        == 200


def test_consent_records_are_append_only(server, admin, customer):
    cid, _ = customer
    r = admin.post(f"/api/v1/contacts/{cid}/consents",
                   json={"purpose": "profiling", "state": "granted"})
    assert r.status_code == 201
    con = sqlite3.connect(server.db)
    try:
        for stmt in ("UPDATE consents SET state = 'withdrawn'", "DELETE FROM consents",
                     "UPDATE consent_receipts SET jws = 'x'", "DELETE FROM consent_receipts"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(stmt)
    finally:
        con.close()


def test_staff_need_the_contacts_scope(server, admin):
    """Reading a contact's consents needs read access to it, recording them change access."""
    r = admin.post("/api/v1/units", json={"name": "North", "kind": "business_unit"})
    north = r.json()["id"]
    r = admin.post("/api/v1/units", json={"name": "South", "kind": "business_unit"})
    south = r.json()["id"]
    add_user(server.db, "fl@example.com", "frontline", unit="North")
    add_user(server.db, "ex@example.com", "executive")
    mine = new_contact(admin, "a@example.org", unit_id=north)
    theirs = new_contact(admin, "b@example.org", unit_id=south)
    fl = Client(server.url, "fl@example.com")
    ex = Client(server.url, "ex@example.com")
    body = {"purpose": "marketing", "channel": "email", "state": "granted"}
    assert fl.get(f"/api/v1/contacts/{theirs}/consents").status_code == 404
    assert fl.post(f"/api/v1/contacts/{theirs}/consents", json=body).status_code == 404
    assert ex.get(f"/api/v1/contacts/{theirs}/consents").status_code == 200
    assert ex.post(f"/api/v1/contacts/{theirs}/consents", json=body).status_code == 403
    assert fl.get(f"/api/v1/contacts/{mine}/consents").status_code == 200


def test_withdrawing_sharing_hides_the_contact_from_partners(server, admin):
    r = admin.post("/api/v1/units", json={"name": "Dealer One", "kind": "partner"})
    assert r.status_code == 201, r.text
    unit = r.json()["id"]
    add_user(server.db, "partner@example.com", "partner", unit="Dealer One")
    cid = new_contact(admin, "c@example.org", unit_id=unit)
    kept = new_contact(admin, "d@example.org", unit_id=unit)
    types = admin.post("/api/v1/interaction-types", json={
        "code": "call", "name": "Call", "phase": "acquisition", "level": 1, "channel": "phone",
        "touch": 0.8, "tech": 0.2, "rv": 1, "cost": "1.00"})
    assert types.status_code == 201, types.text
    for c in (cid, kept):
        r = admin.post("/api/v1/interactions", json={"contact_id": c, "type_id": types.json()["id"],
                                                     "occurred_at": "2026-01-02T10:00:00Z"})
        assert r.status_code == 201, r.text
    partner = Client(server.url, "partner@example.com")

    def seen():
        contacts = {c["id"] for c in partner.get("/api/v1/contacts").json()["items"]}
        inter = {i["contact_id"] for i in partner.get("/api/v1/interactions").json()["items"]}
        one = partner.get(f"/api/v1/contacts/{cid}").status_code
        return contacts, inter, one

    assert seen() == ({cid, kept}, {cid, kept}, 200)
    # a grant changes nothing for partners (their records are theirs); a withdrawal hides it
    r = admin.post(f"/api/v1/contacts/{cid}/consents", json={"purpose": "sharing",
                                                            "state": "withdrawn"})
    assert r.status_code == 201
    assert seen() == ({kept}, {kept}, 404)
    assert partner.patch(f"/api/v1/contacts/{cid}", json={"title": "x"}).status_code == 404
    assert partner.get(f"/api/v1/contacts/{cid}/consents").status_code == 404
    # staff of the company still see it
    assert admin.get(f"/api/v1/contacts/{cid}").status_code == 200
    r = admin.post(f"/api/v1/contacts/{cid}/consents", json={"purpose": "sharing",
                                                            "state": "granted"})
    assert seen() == ({cid, kept}, {cid, kept}, 200)


# ---- analytics: the contact drops out of the figures at the next computation ----


@pytest.fixture(scope="module")
def demo_db():
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "demo.db")
        kith(db, "demo", "--contacts", "300", "--seed", "5")
        add_user(db, "admin@example.com", "admin")
        yield db


def figures(db):
    rv = [json.loads(kith(db, "rv", "norm", "--json", "--as-of", AS_OF, "--by", by).stdout)
          for by in ("all", "team")]
    value = [json.loads(kith(db, "value", a, "--json", "--as-of", VALUE_AS_OF, *extra).stdout)
             for a, extra in (("clv", ("--all",)), ("dist", ()))]
    for v in value:  # when and from which version of the data: not what the figures are
        del v["computed_at"], v["data_version"]
    return rv, value


def delete_rows(db, contacts, accounts=()):
    """Deletes the contacts' own rows (and the accounts' with theirs) from a copy: the oracle."""
    con = sqlite3.connect(db)
    try:
        for c in contacts:
            con.execute("DELETE FROM interactions WHERE contact_id = ?", (c,))
            con.execute("DELETE FROM events WHERE contact_id = ? OR related_contact_id = ?",
                        (c, c))
            con.execute("DELETE FROM order_lines WHERE order_id IN"
                        " (SELECT id FROM orders WHERE contact_id = ?)", (c,))
            con.execute("DELETE FROM orders WHERE contact_id = ?", (c,))
            con.execute("DELETE FROM contacts WHERE id = ?", (c,))
        for a in accounts:
            con.execute("DELETE FROM order_lines WHERE order_id IN"
                        " (SELECT id FROM orders WHERE account_id = ?)", (a,))
            con.execute("DELETE FROM orders WHERE account_id = ?", (a,))
            con.execute("DELETE FROM events WHERE account_id = ?", (a,))
            con.execute("DELETE FROM accounts WHERE id = ?", (a,))
        con.commit()
    finally:
        con.close()


def test_a_contact_that_withdrew_analytics_leaves_norms_and_value(demo_db, tmp_path,
                                                                monkeypatch):
    db = str(tmp_path / "kith.db")
    shutil.copy(demo_db, db)
    con = sqlite3.connect(db)
    # a customer account of one contact (it drops out of value entirely) and a contact of an
    # account with others (its interactions and own orders drop out, the account stays)
    (alone, account), = con.execute(
        "SELECT min(c.id), c.account_id FROM contacts c JOIN orders o ON o.account_id ="
        " c.account_id GROUP BY c.account_id HAVING count(DISTINCT c.id) = 1"
        " ORDER BY sum(o.amount) DESC LIMIT 1").fetchall()
    (member,), = con.execute(
        "SELECT c.id FROM contacts c WHERE c.account_id IN (SELECT account_id FROM contacts"
        " GROUP BY account_id HAVING count(*) > 2) AND EXISTS (SELECT 1 FROM interactions i"
        " WHERE i.contact_id = c.id) ORDER BY c.id LIMIT 1").fetchall()
    (type_id,), = con.execute("SELECT id FROM interaction_types WHERE rv > 5 LIMIT 1")
    con.close()
    before = figures(db)

    monkeypatch.setenv("KITH_RV_RELOAD_SECONDS", "1")
    srv = Server(db)
    try:
        admin = Client(srv.url, "admin@example.com")
        for c in (alone, member):
            r = admin.post(f"/api/v1/contacts/{c}/consents",
                           json={"purpose": "analytics", "state": "withdrawn"})
            assert r.status_code == 201, r.text

        def reloads():
            return sum("RV snapshot reloaded in" in l for l in srv.log)

        # the server's own snapshot: a change of consent to analytics asks for a reload, and a
        # change during a reload another one; each answer is read after the next reload
        want = before[0][0]["groups"][0]["members"] - 2
        for _ in range(5):
            seen = reloads()
            served = admin.get("/api/v1/rv/norm", params={"as_of": AS_OF, "by": "all"}).json()
            if served["groups"][0]["members"] == want:
                break
            with srv._lines_cv:
                assert srv._lines_cv.wait_for(lambda: reloads() > seen, timeout=60), srv.log[-5:]
        # a new interaction of a contact that withdrew stays out of the live snapshot too
        r = admin.post("/api/v1/interactions", json={
            "contact_id": member, "type_id": type_id, "occurred_at": "2026-06-01T10:00:00Z"})
        assert r.status_code == 201, r.text
        served = admin.get("/api/v1/rv/norm", params={"as_of": AS_OF, "by": "all"}).json()
    finally:
        srv.stop()
    after = figures(db)
    json_close(served, after[0][0])

    oracle = str(tmp_path / "oracle.db")
    shutil.copy(demo_db, oracle)
    delete_rows(oracle, [alone, member], [account])
    expected = figures(oracle)
    assert after != before
    json_close(after, expected)
    customers = {c["account_id"] for c in after[1][0]["customers"]}
    assert account not in customers
    assert account in {c["account_id"] for c in before[1][0]["customers"]}
    # the norm's "all" group counts one contact fewer per age it had reached... or two
    assert after[0][0]["groups"][0]["members"] == before[0][0]["groups"][0]["members"] - 2


def test_the_data_subject_import_keeps_the_pairs(server, admin, customer, tmp_path):
    """Another kith importing an export takes the consent history, with the same rules."""
    cid, _ = customer
    r = admin.post(f"/api/v1/contacts/{cid}/consents",
                   json={"purpose": "analytics", "state": "withdrawn"})
    assert r.status_code == 201
    src = str(tmp_path / "export.json")
    kith(server.db, "dsr", "export", str(cid), "--out", src)
    with open(src) as f:
        doc = json.load(f)
    target = str(tmp_path / "target.db")
    kith(target, "init")
    kith(target, "dsr", "import", src)
    con = sqlite3.connect(target)
    assert con.execute("SELECT purpose, channel, state FROM consents").fetchall() == \
        [("analytics", "any", "withdrawn")]
    con.close()
    doc["tables"]["consents"]["rows"][-1]["channel"] = "sms"
    bad = str(tmp_path / "bad.json")
    with open(bad, "w") as f:
        json.dump(doc, f)
    target = str(tmp_path / "target2.db")
    kith(target, "init")
    p = kith(target, "dsr", "import", bad, check=False)
    assert p.returncode != 0 and "consents row 1: channel: analytics concerns no channel" \
        in p.stderr, p.stderr
